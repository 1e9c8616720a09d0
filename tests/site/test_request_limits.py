"""Malformed and oversized requests get the service's 400 page, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import FlipchartGroupFactory

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def assert_bad_request(response):
    assert response.status_code == 400
    assert "Sorry, there is a problem" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/workshops/%00/",
        "/workshops/%FF%FE/",
        "/?page=%00",
        "/?page=%C3%28",
        "/admin/workshops/workshop/?q=%00",
        "/?page=" + "9" * 5000,
    ],
)
def test_nul_invalid_utf8_or_overlong_query_in_the_address_is_refused(organiser, path):
    assert_bad_request(client_for(organiser).get(path))


@pytest.mark.parametrize(
    "headers",
    [{"User-Agent": "Chrome\x00"}, {"Referer": "https://example.com/\xff"}],
)
def test_nul_or_invalid_utf8_in_a_header_is_refused(client, headers):
    assert_bad_request(client.get("/", headers=headers))


def test_nul_in_a_cookie_is_refused(client):
    client.cookies["sessionid"] = "abc\x00def"
    assert_bad_request(client.get("/"))


@pytest.mark.parametrize("body", ["username=a%00b&password=x", "username=%FF&password=x"])
def test_nul_or_invalid_utf8_in_a_form_body_is_refused(client, body):
    assert_bad_request(client.post("/account/sign-in/", body, content_type=FORM))


def test_a_body_over_the_memory_limit_is_refused(client, settings):
    body = "username=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    assert_bad_request(client.post("/account/sign-in/", body, content_type=FORM))


def test_too_many_fields_are_refused(client, settings):
    body = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    assert_bad_request(client.post("/account/sign-in/", body, content_type=FORM))


def test_limits_are_set_deliberately(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2 * 1024 * 1024


def test_an_unknown_host_gets_400_with_debug_off(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["feedback.example.gov.uk"]
    response = Client(HTTP_HOST="evil.example.com").get("/")
    assert_bad_request(response)
    assert Client(HTTP_HOST="feedback.example.gov.uk").get("/").status_code == 200


def test_the_400_page_carries_the_security_headers(client):
    response = client.get("/?page=%00")
    assert "base-uri 'none'" in response["Content-Security-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_more_files_than_allowed_are_refused(facilitator, settings):
    group = FlipchartGroupFactory()
    group.facilitators.add(facilitator)
    files = [
        SimpleUploadedFile(f"{n}.jpg", b"x", content_type="image/jpeg")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    url = reverse("workshops:group_photo_add", kwargs={"pk": group.pk})
    assert_bad_request(client_for(facilitator).post(url, {"photo": files}))
