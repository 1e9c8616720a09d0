"""Two instances of the service on two ports, sharing PostgreSQL and Redis like two machines: a
change through one is never stale on the other, a rate limit counts requests to both, and a
session opened on one works on the other. `make bench` runs the same checks behind a load
balancer at department scale."""

import socket
import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests import instances
from tests.conftest import client_for
from tests.factories import FlipchartGroupFactory, WorkshopFactory
from tests.site.test_shared_cache import redis_answers

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="separate server processes need a database they can share: PostgreSQL",
    ),
    pytest.mark.skipif(not redis_answers(), reason="Redis is not running on 127.0.0.1:6379"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


@pytest.fixture
def two_instances():
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    environment = instances.shared_environment(
        database_url(),
        "redis://127.0.0.1:6379/15",
        # The test's own secret, so that the sessions it makes are valid on both.
        SECRET_KEY=settings.SECRET_KEY,
        CACHE_KEY_PREFIX=prefix,
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            servers.append((port, instances.start_instance(environment, port)))
        yield [port for port, _ in servers]
    finally:
        for _, server in servers:
            instances.stop_instance(server)
        shared = redis.Redis("127.0.0.1", 6379, db=15)
        for key in shared.scan_iter(match=f"{prefix}:*"):
            shared.delete(key)


@pytest.fixture
def group(facilitator):
    workshop = WorkshopFactory(notes_public_after_review=False)
    group = FlipchartGroupFactory(workshop=workshop)
    group.facilitators.add(facilitator)
    return group


def session_of(user) -> dict:
    name = settings.SESSION_COOKIE_NAME
    return {name: client_for(user).cookies[name].value}


def test_a_change_through_one_instance_shows_at_once_on_the_other(
    two_instances, group, facilitator
):
    one, other = two_instances
    progress = reverse("progress:workshop_progress", kwargs={"slug": group.workshop.slug})

    assert instances.change_shows_on_the_other_instance(
        one,
        other,
        session=session_of(facilitator),
        capture_path=group.get_absolute_url(),
        progress_path=progress,
    )
    assert "Shown on every instance" in instances.Browser().request(other, progress)[2]


def test_a_rate_limit_counts_requests_to_both_instances(two_instances):
    one, other = two_instances
    limit, _ = settings.SIGN_IN_LINK_RATE

    assert instances.rate_limit_counts_on_both(
        one, other, email="nobody@example.gov.uk", limit=limit
    )


def test_a_session_opened_on_one_instance_works_on_the_other(two_instances, group, facilitator):
    one, other = two_instances

    assert instances.session_holds_on_both(
        one, other, session=session_of(facilitator), path=group.get_absolute_url()
    )
