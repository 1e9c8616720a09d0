"""Trying the service on a laptop: emailed links reach the port it runs on, and emails printed
to the console can be read and their links copied."""

import io
import os
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMessage

from feedback_site.mail_backends import ReadableConsoleBackend

ROOT = Path(__file__).resolve().parents[2]
LONG_LINK = "http://127.0.0.1:8100/account/sign-in/email/link/?sesame=" + "Ab1=" * 30 + "&next=%2F"


def local_setting(name: str, **environ) -> str:
    """A setting as a fresh process reads it from this environment (DEBUG on, as on a laptop)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SITE_URL", "PORT", "DEBUG", "EMAIL_BACKEND", "DATABASE_URL"}
    }
    env.update(DJANGO_SETTINGS_MODULE="feedback_site.settings", **environ)
    code = f"from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_site_url_follows_port_when_not_set():
    assert local_setting("SITE_URL", PORT="8100") == "http://127.0.0.1:8100"
    assert local_setting("SITE_URL") == "http://127.0.0.1:8000"


def test_a_site_url_that_is_set_wins_over_port():
    assert (
        local_setting("SITE_URL", PORT="8100", SITE_URL="https://x.example/") == "https://x.example"
    )


def test_make_run_passes_its_port_to_the_server_and_the_demo():
    recipe = (ROOT / "Makefile").read_text().split("\nrun: setup\n", 1)[1].split("\n\n", 1)[0]

    assert "PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)" in recipe
    assert "PORT=$(PORT) $(PY) manage.py seed_demo" in recipe


def test_emails_are_printed_locally_by_the_readable_console_backend():
    backend = local_setting("MAILERS['default']['BACKEND']")

    assert backend == "feedback_site.mail_backends.ReadableConsoleBackend"


def test_a_printed_email_keeps_long_links_whole_and_text_readable():
    stream = io.StringIO()
    message = EmailMessage(
        "Your sign-in link for Workshop feedback",
        f"Hello Chloë,\n\nSign in: {LONG_LINK}\n\nThe link works for 15 minutes.\n",
        "noreply@localhost",
        ["owner@example.gov.uk"],
    )

    ReadableConsoleBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert f"Sign in: {LONG_LINK}" in printed.splitlines()
    assert "Hello Chloë," in printed
    assert "Subject: Your sign-in link for Workshop feedback" in printed
    assert "quoted-printable" not in printed


def test_a_printed_email_names_its_attachments_without_printing_them():
    stream = io.StringIO()
    message = EmailMessage("Board pack", "See the attachment.", "a@localhost", ["b@localhost"])
    message.attach("board-pack.csv", "area,count\n", "text/csv")

    ReadableConsoleBackend(stream=stream).send_messages([message])

    assert "[attachment: board-pack.csv, text/csv]" in stream.getvalue()
    assert "area,count" not in stream.getvalue()
