"""Errors show a generic page with a reference that is logged with the exception; a database that
cannot be reached gives 503 with Retry-After wherever it is found."""

import json
import logging
import re
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from tests.conftest import client_for
from tests.site.test_project import run_manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_a_server_error_shows_a_reference_that_is_logged_with_the_exception(client, caplog):
    with mock.patch(
        "workshops.views.WorkshopListView.get_queryset",
        side_effect=RuntimeError("password=hunter2 in a stack frame"),
    ):
        response = client.get("/")

    assert response.status_code == 500
    reference = response["X-Error-Reference"]
    assert re.fullmatch(r"[0-9A-F]{8}", reference)
    assert "Sorry, there is a problem with the service" in response.text
    assert reference in response.text
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    [logged] = [record for record in caplog.records if getattr(record, "error_reference", None)]
    assert logged.error_reference == reference
    assert logged.levelno == logging.ERROR
    assert isinstance(logged.exc_info[1], RuntimeError)


def test_each_error_gets_its_own_reference(client):
    with mock.patch("workshops.views.WorkshopListView.get_queryset", side_effect=RuntimeError):
        references = {client.get("/")["X-Error-Reference"] for _ in range(3)}
    assert len(references) == 3


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_view_that_cannot_reach_the_database_answers_503(client, error):
    with mock.patch("workshops.views.WorkshopListView.get_queryset", side_effect=error("down")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Sorry, the service is unavailable" in response.text


def test_a_session_that_cannot_be_read_answers_503_not_500(facilitator):
    client = client_for(facilitator)
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.post("/flipcharts/", {"notes": "Kept in view\nsecond line"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Kept in view\nsecond line" in response.text


def test_production_logs_are_json_lines_on_stderr():
    result = run_manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('feedback_site').error("
        "'Server error', extra={'error_reference': 'AB12CD34'})",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x7Qp2" * 10,
        ALLOWED_HOSTS="feedback.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr
    logged = json.loads(result.stderr.strip().splitlines()[-1])
    assert logged["message"] == "Server error"
    assert logged["error_reference"] == "AB12CD34"
    assert logged["levelname"] == "ERROR"
