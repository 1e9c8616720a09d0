"""The shared cache against a real Redis: it is shared, and when Redis is down or stuck every page
still answers, emailed links are refused with a plain reason, and the progress page is served
uncached. Redis on 127.0.0.1:6379 (started by .ci/run), database 15, this test's keys only."""

import time
import uuid

import pytest
import redis
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import (
    ActionItemFactory,
    ContributionFactory,
    FlipchartGroupFactory,
    WorkshopFactory,
)
from tests.tcp_proxy import TcpProxy

REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 15
CLOSED_PORT = 1  # nothing listens there: connections are refused at once


def redis_answers() -> bool:
    try:
        return redis.Redis(REDIS_HOST, REDIS_PORT, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not redis_answers(), reason="Redis is not running on 127.0.0.1:6379"),
]


def redis_cache_settings(port: int, timeout: float = 0.5) -> dict:
    return {
        "default": {
            "BACKEND": "feedback_site.cache.ForgivingRedisCache",
            "LOCATION": f"redis://{REDIS_HOST}:{port}/{REDIS_DB}",
            "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}",
            "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        }
    }


def client_for_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


@pytest.fixture
def redis_up(settings):
    settings.CACHES = redis_cache_settings(REDIS_PORT)
    yield
    cache.clear()


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_cache_settings(CLOSED_PORT)


@pytest.fixture
def workshop():
    return WorkshopFactory(title="Social media guidelines: so what?")


@pytest.fixture
def group(workshop, facilitator):
    group = FlipchartGroupFactory(workshop=workshop, subject="Barriers to using social media")
    group.facilitators.add(facilitator)
    ContributionFactory(group=group, text="Sites are blocked")
    return group


@pytest.fixture
def action(workshop, department_a):
    return ActionItemFactory(workshop=workshop, owner=department_a, title="Unblock the sites")


def test_the_cache_keeps_values_in_redis_where_another_process_can_read_them(redis_up):
    cache.set("shared", "a value", 60)

    raw = redis.Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB)
    (key,) = raw.keys(f"{cache.key_prefix}:*")
    assert b"shared" in key
    assert cache.get("shared") == "a value"


def test_clearing_the_cache_leaves_other_users_of_the_redis_database_alone(redis_up):
    raw = redis.Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB)
    someone_else = f"someone-else-{uuid.uuid4().hex}"
    raw.set(someone_else, "theirs", ex=60)
    cache.set("ours", 1, 60)

    cache.clear()

    assert cache.get("ours") is None
    assert raw.get(someone_else) == b"theirs"
    raw.delete(someone_else)


def test_sign_in_link_limit_counts_in_redis(redis_up, owner_a):
    for _ in range(5):
        response = client_for_address("10.0.0.1").post(
            reverse("email_sign_in"), {"email": owner_a.email}
        )
        assert response.status_code == 302
    response = client_for_address("10.0.0.1").post(
        reverse("email_sign_in"), {"email": owner_a.email}
    )
    assert response.status_code == 429


def test_readiness_is_ok_with_the_database_and_redis_answering(redis_up, client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.text == "database ok\ncache ok\n"


def test_readiness_fails_naming_the_cache_while_redis_is_down(redis_down, client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.text == "database ok\ncache unavailable\n"
    assert client.get(reverse("healthz")).status_code == 200


def main_pages(workshop, group, action) -> list[str]:
    return [
        reverse("workshops:workshop_list"),
        workshop.get_absolute_url(),
        reverse("progress:workshop_progress", kwargs={"slug": workshop.slug}),
        reverse("progress:workshop_progress_json", kwargs={"slug": workshop.slug}),
        reverse("progress:follow", kwargs={"slug": workshop.slug}),
        reverse("login"),
        reverse("email_sign_in"),
        reverse("password_reset"),
        reverse("healthz"),
        reverse("workshops:group_list"),
        group.get_absolute_url(),
        reverse("actions:action_list"),
        action.get_absolute_url(),
        reverse("admin:index"),
        reverse("admin:workshops_contribution_changelist"),
        reverse("admin:actions_actionitem_changelist"),
    ]


def test_every_page_still_answers_while_redis_is_down(
    redis_down, workshop, group, action, facilitator, owner_a, organiser, caplog
):
    people = {
        "anonymous": None,
        "facilitator": facilitator,
        "owner": owner_a,
        "organiser": organiser,
    }
    answers = {}
    for name, person in people.items():
        browser = client_for(person) if person else client_for_address("127.0.0.1")
        for page in main_pages(workshop, group, action):
            answers[name, page] = browser.get(page).status_code

    errors = {where: status for where, status in answers.items() if status >= 500}
    print(f"\nFIGURE: pages opened while Redis was down = {len(answers)}, errors = {len(errors)}")
    assert errors == {}
    assert answers["anonymous", reverse("actions:action_list")] == 302
    assert answers["owner", reverse("actions:action_list")] == 200
    assert answers["facilitator", group.get_absolute_url()] == 200
    assert answers["organiser", reverse("admin:index")] == 200
    assert answers["organiser", reverse("admin:actions_actionitem_changelist")] == 200
    assert "Cache unavailable" in caplog.text


def test_a_capture_submit_is_stored_while_redis_is_down(redis_down, group, facilitator):
    browser = client_for(facilitator)
    response = browser.post(
        group.get_absolute_url(),
        {"notes": "+ Yammer works well", "kind": "comment", "key": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    assert group.contributions.filter(text="Yammer works well").exists()


def test_sign_in_links_are_refused_with_a_reason_while_redis_is_down(redis_down, owner_a):
    response = client_for_address("10.0.0.1").post(
        reverse("email_sign_in"), {"email": owner_a.email}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Sign-in links cannot be sent at the moment. Try again in a few minutes" in response.text
    assert mail.outbox == []


def test_password_reset_links_are_refused_with_a_reason_while_redis_is_down(redis_down, owner_a):
    response = client_for_address("10.0.0.1").post(
        reverse("password_reset"), {"email": owner_a.email}
    )

    assert response.status_code == 503
    assert "Password reset links cannot be sent at the moment" in response.text
    assert mail.outbox == []


def test_follow_requests_are_refused_with_a_reason_while_redis_is_down(redis_down, workshop):
    response = client_for_address("10.0.0.1").post(
        reverse("progress:follow", kwargs={"slug": workshop.slug}),
        {"email": "participant@example.com"},
    )

    assert "Emails cannot be sent at the moment. Try again in a few minutes" in response.text
    assert mail.outbox == []


def test_the_progress_page_is_served_uncached_and_current_while_redis_is_down(
    redis_down, workshop, group
):
    url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
    browser = client_for_address("127.0.0.1")
    assert "Sites are blocked" in browser.get(url).text

    ContributionFactory(group=group, text="Yammer works well")

    response = browser.get(url)
    assert response.status_code == 200
    assert "Yammer works well" in response.text


def test_a_stuck_redis_costs_one_timeout_then_pages_answer_without_waiting(settings, workshop):
    proxy = TcpProxy(REDIS_HOST, REDIS_PORT)
    try:
        proxy.hang()
        settings.CACHES = redis_cache_settings(proxy.port, timeout=1.0)
        url = reverse("progress:workshop_progress", kwargs={"slug": workshop.slug})
        browser = client_for_address("127.0.0.1")
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            assert browser.get(url).status_code == 200
            timings.append(time.perf_counter() - started)
    finally:
        proxy.close()

    print(f"\nFIGURE: progress page with Redis stuck, seconds = {[round(t, 3) for t in timings]}")
    assert 1.0 <= timings[0] < 3, "the first request waits one socket timeout"
    assert max(timings[1:]) < 1.0, "later requests do not wait for Redis again"
