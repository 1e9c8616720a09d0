"""Two running instances of the service that share PostgreSQL and Redis, as two machines would,
and the checks that they behave as one service: a change made through one shows at once through
the other, a rate limit counts requests to both, and a session opened on one works on the other.

Used by `make bench` (tests/benchmarks/run.py) and at small scale by
tests/site/test_two_instances.py, over plain HTTP to loopback ports."""

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


def start_instance(environment: dict, port: int, workers: int = 1) -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:<port>, once it answers /healthz."""
    server = subprocess.Popen(
        [
            GUNICORN,
            "feedback_site.wsgi",
            f"--workers={workers}",
            "--threads=1",
            f"--bind=127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10):
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn on port {port} did not answer /healthz")


def stop_instance(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


class Browser:
    """Cookies kept between requests, sent to whichever instance is asked."""

    def __init__(self, cookies: dict | None = None, address: str = ""):
        self.cookies = dict(cookies or {})
        # Rate limits count by client address; behind no proxy that is the loopback for all.
        self.address = address

    def request(self, port: int, path: str, form: dict | None = None):
        """(status, headers, body) of a GET, or a POST of the form; no redirects followed."""
        server = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"
        server.request(
            "GET" if form is None else "POST",
            path,
            body=None if form is None else urlencode(form),
            headers=headers,
        )
        response = server.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        body = response.read().decode()
        server.close()
        return response.status, dict(response.getheaders()), body

    def form_token(self, port: int, path: str) -> str:
        status, _, body = self.request(port, path)
        assert status == 200, f"{path} answered {status}"
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def _without_nonces(body: str) -> str:
    return re.sub(r'nonce="[^"]*"', "", body)


def change_shows_on_the_other_instance(
    one: int, other: int, *, session: dict, capture_path: str, progress_path: str
) -> bool:
    """Notes captured through `one` change the progress page served by `other`, which had the
    page cached before the change: a new ETag and a new page, not the one it kept. (A busy
    workshop's page shows a few notes of each area, so the note itself may not be among them.)"""
    reader = Browser()
    for _ in range(2):  # the second answer comes from the cache
        status, headers, before = reader.request(other, progress_path)
        assert status == 200
    note = f"Shown on every instance {uuid.uuid4().hex[:8]}"
    facilitator = Browser(session)
    token = facilitator.form_token(one, capture_path)
    status, _, _ = facilitator.request(
        one,
        capture_path,
        {"csrfmiddlewaretoken": token, "notes": note, "kind": "comment", "key": str(uuid.uuid4())},
    )
    assert status == 302, f"the capture submit answered {status}"
    status, headers_after, after = reader.request(other, progress_path)
    return (
        status == 200
        and headers_after["ETag"] != headers["ETag"]
        and _without_nonces(after) != _without_nonces(before)
    )


def rate_limit_counts_on_both(one: int, other: int, *, email: str, limit: int) -> bool:
    """Sign-in links asked for alternately through both instances: refused after `limit`."""
    browser = Browser()
    statuses = []
    for n in range(limit + 1):
        port = (one, other)[n % 2]
        token = browser.form_token(port, "/account/sign-in/email/")
        status, _, _ = browser.request(
            port, "/account/sign-in/email/", {"csrfmiddlewaretoken": token, "email": email}
        )
        statuses.append(status)
    return statuses == [302] * limit + [429]


def session_holds_on_both(one: int, other: int, *, session: dict, path: str) -> bool:
    """A signed-in page opens with the same session cookie through either instance."""
    return all(Browser(session).request(port, path)[0] == 200 for port in (one, other))


def shared_environment(database_url: str, redis_url: str, **extra: str) -> dict:
    """Production settings on loopback, the same for every instance: one secret, one database,
    one Redis."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
