"""Every response carries the security headers; production settings pass the deploy check."""

import pytest

pytestmark = pytest.mark.django_db


def policy(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/", "/account/sign-in/", "/admin/login/", "/no-such-page/"])
def test_pages_carry_a_strict_content_security_policy(client, path):
    csp = policy(client.get(path)["Content-Security-Policy"])
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"].startswith("'self' 'nonce-")
    assert "unsafe-inline" not in str(csp)


def test_pages_carry_the_other_security_headers(client):
    response = client.get("/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    for feature in ("camera", "geolocation", "microphone", "payment", "usb"):
        assert f"{feature}=()" in response["Permissions-Policy"]


def test_https_responses_carry_hsts_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
