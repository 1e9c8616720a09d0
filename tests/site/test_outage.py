"""With the database cut off or stuck, pages answer 503, typed notes come back, and the service
recovers by itself. A real server thread talks to PostgreSQL through a proxy the test controls."""

import http.client
import threading
import time
import uuid
from html import escape
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections, transaction
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.urls import reverse
from django.utils.crypto import get_random_string

from tests.conftest import client_for
from tests.tcp_proxy import TcpProxy
from workshops.models import Contribution

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="outages are tested against a real PostgreSQL"
    ),
]

CONNECT_TIMEOUT = 2  # libpq's smallest
LOCK_TIMEOUT = 1
NOTES = "+ Yammer works well\n- Facebook is blocked\n? Who decides <what> is allowed"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Service:
    """The whole Django service in one server thread whose database connection goes through a
    proxy; the connection persists between requests (CONN_MAX_AGE and health checks as set)."""

    def __init__(self, proxy: TcpProxy):
        settings_dict = connection.settings_dict
        self.database = {
            **settings_dict,
            "PORT": proxy.port,
            # Shorter than production's, to keep the test quick.
            "OPTIONS": {
                **settings_dict["OPTIONS"],
                "connect_timeout": CONNECT_TIMEOUT,
                "options": f"-c statement_timeout=5s -c lock_timeout={LOCK_TIMEOUT}s",
            },
        }
        self.server = make_server(
            "127.0.0.1", 0, WSGIHandler(), server_class=WSGIServer, handler_class=QuietHandler
        )
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        connections["default"] = type(connections["default"])(self.database, "default")
        try:
            self.server.serve_forever(poll_interval=0.05)
        finally:
            connections["default"].close()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def request(self, path, *, cookies, form=None):
        """(status, headers, body) of a GET, or a POST when a form is given; no redirects."""
        server = http.client.HTTPConnection("127.0.0.1", self.server.server_port, timeout=30)
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        server.request(
            "GET" if form is None else "POST",
            path,
            body=None if form is None else urlencode(form),
            headers=headers,
        )
        response = server.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()


@pytest.fixture
def proxy():
    proxy = TcpProxy(
        connection.settings_dict["HOST"] or "127.0.0.1",
        int(connection.settings_dict["PORT"] or 5432),
    )
    yield proxy
    proxy.close()


@pytest.fixture
def service(proxy, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    service = Service(proxy)
    yield service
    service.stop()


@pytest.fixture
def cookies(facilitator):
    """A signed-in facilitator's browser, with a form token it can send back."""
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH)
    session = client_for(facilitator).cookies["sessionid"].value
    return {"sessionid": session, "csrftoken": csrf_secret}


def capture_form(cookies):
    return {
        "notes": NOTES,
        "kind": "comment",
        "key": str(uuid.uuid4()),
        "csrfmiddlewaretoken": cookies["csrftoken"],
    }


def test_a_cut_database_gives_503s_keeps_typed_notes_and_recovers_by_itself(
    proxy, service, group, cookies
):
    capture = group.get_absolute_url()
    pages = ["/", reverse("workshops:group_list"), capture, "/healthz"]
    for page in pages:
        assert service.request(page, cookies=cookies)[0] == 200, page

    proxy.cut()
    answers, asked = [], []
    for _ in range(3):
        for page in pages:
            answers.append(service.request(page, cookies=cookies))
            asked.append(page)
        answers.append(service.request("/", cookies={}))  # a visitor who is not signed in
        asked.append("/")
        submit = service.request(capture, cookies=cookies, form=capture_form(cookies))
        answers.append(submit)
        asked.append(capture)

    statuses = [status for status, _, _ in answers]
    other_5xx = [status for status in statuses if status >= 500 and status != 503]
    print(f"\nFIGURE: requests during outage = {len(answers)}")
    print(f"FIGURE: 503 answers during outage = {statuses.count(503)}")
    print(f"FIGURE: other 5xx during outage = {len(other_5xx)}")
    assert statuses == [503] * len(answers)
    assert other_5xx == []
    for (_, headers, body), page in zip(answers, asked, strict=True):
        if page != "/healthz":
            assert headers["Retry-After"] == "30"
            assert "Sorry, the service is unavailable" in body
    _, _, body = submit
    assert escape(NOTES, quote=False) in body, "the typed notes are shown to copy"
    assert "Traceback" not in body

    proxy.restore()
    restored_at = time.monotonic()
    while service.request("/", cookies=cookies)[0] != 200:
        assert time.monotonic() - restored_at < 10, "the service did not recover by itself"
        time.sleep(0.05)
    recovery = time.monotonic() - restored_at
    print(f"FIGURE: seconds to recover after the database returned = {recovery:.2f}")
    assert recovery < 10
    status, _, _ = service.request(capture, cookies=cookies, form=capture_form(cookies))
    assert status == 302
    assert Contribution.objects.filter(group=group).count() == 3


def test_a_hung_database_gives_503_within_the_connect_timeout(proxy, service, group, cookies):
    assert service.request("/", cookies=cookies)[0] == 200

    proxy.hang()
    started = time.monotonic()
    status, headers, _ = service.request(group.get_absolute_url(), cookies=cookies)
    waited = time.monotonic() - started

    print(
        f"\nFIGURE: seconds to 503 with a hung database = {waited:.2f} "
        f"(connect timeout {CONNECT_TIMEOUT} s)"
    )
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert waited < CONNECT_TIMEOUT + 3
    proxy.restore()
    assert service.request("/", cookies=cookies)[0] == 200


def test_a_locked_table_gives_503_within_the_lock_timeout_with_the_notes(service, group, cookies):
    assert service.request("/", cookies=cookies)[0] == 200

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE workshops_capturebatch IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        status, _, body = service.request(
            group.get_absolute_url(), cookies=cookies, form=capture_form(cookies)
        )
        waited = time.monotonic() - started

    print(
        f"\nFIGURE: seconds to 503 behind a held lock = {waited:.2f} "
        f"(lock timeout {LOCK_TIMEOUT} s)"
    )
    assert status == 503
    assert escape(NOTES, quote=False) in body
    assert waited < LOCK_TIMEOUT + 3


def test_production_connections_carry_the_timeouts():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
    assert (statement_timeout, lock_timeout) == ("30s", "10s")
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
