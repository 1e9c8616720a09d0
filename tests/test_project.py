"""Promises the project as a whole keeps: migrations, URL protection, forms, deploy settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from crispy_forms.utils import render_crispy_form
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions import forms as action_forms
from feedback_site.two_factor import authenticator_device_to_set_up
from workshops import forms

BASE_DIR = Path(__file__).resolve().parent.parent

PUBLIC = {
    "workshops:workshop_list",
    "workshops:workshop_detail",
    "progress:workshop_progress",
    "progress:workshop_progress_json",
    "progress:contributions_csv",
    "progress:contributions_xlsx",
    "progress:actions_csv",
    "progress:actions_xlsx",
    "progress:follow",
    "progress:short_link",
    "progress:workshop_qr",
    "progress:follow_sent",
    "progress:follow_confirm",
    "progress:follow_unsubscribe",
    "login",
    "email_sign_in",
    "email_sign_in_sent",
    "email_sign_in_link",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
}
SIGNED_IN = {
    "signed_in",
    "session_extend",
    "two_factor_verify",
    "two_factor_setup",
    "password_change",
    "password_change_done",
    "workshops:group_list",
    "workshops:group_capture",
    "workshops:group_round_start",
    "workshops:group_photo_add",
    "workshops:photo_file",
    "workshops:contribution_edit",
    "workshops:contribution_remove",
    "workshops:workshop_run_sheet",
    "actions:action_list",
    "actions:action_detail",
    "actions:action_accept",
    "actions:duedatechange_decide",
}


def named_patterns(resolver=None, namespace=""):
    """Every (name, pattern) the project defines, outside the admin site."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            prefix = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}", pattern


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_url_is_classified_as_public_or_signed_in():
    names = {name for name, _ in named_patterns()}
    assert names == PUBLIC | SIGNED_IN, "classify new URLs in PUBLIC or SIGNED_IN"
    assert not PUBLIC & SIGNED_IN


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SIGNED_IN))
def test_signed_in_pages_send_anonymous_visitors_to_sign_in(client, name):
    pattern = dict(named_patterns())[name]
    kwargs = {key: "1" if key.endswith("pk") else "any" for key in pattern.pattern.converters}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_every_admin_page_sends_anonymous_visitors_to_the_admin_sign_in(client):
    from django.contrib import admin

    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            for model_pattern in pattern.url_patterns:
                if not model_pattern.pattern.regex.groups and model_pattern.name:
                    url = reverse(f"admin:{model_pattern.name}")
                    response = client.get(url)
                    assert response.status_code == 302, url
                    assert response.url.startswith(reverse("admin:login")), url


@pytest.mark.parametrize(
    "form_class",
    [
        forms.SignInForm,
        forms.ResetPasswordForm,
        forms.NewPasswordForm,
        forms.ChangePasswordForm,
        action_forms.UpdateForm,
        action_forms.AcceptForm,
        action_forms.DueDateDecisionForm,
        action_forms.EmailSignInForm,
        forms.FollowForm,
        forms.SecurityCodeForm,
        forms.ConfirmAuthenticatorForm,
    ],
)
@pytest.mark.django_db
def test_every_form_renders_the_govuk_way(form_class, rf):
    from tests.factories import ActionItemFactory, UserFactory

    if form_class in (forms.NewPasswordForm, forms.ChangePasswordForm):
        form = form_class(UserFactory())
    elif form_class is forms.SignInForm:
        form = form_class(rf.get("/"))
    elif form_class is action_forms.AcceptForm:
        form = form_class(action=ActionItemFactory())
    elif form_class is forms.SecurityCodeForm:
        form = form_class(user=UserFactory())
    elif form_class is forms.ConfirmAuthenticatorForm:
        form = form_class(device=authenticator_device_to_set_up(UserFactory()))
    else:
        form = form_class()
    html = render_crispy_form(form)
    assert "govuk-form-group" in html
    assert "govuk-button" in html


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_only_the_required_variables():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="a-long-random-production-secret-" + "x7Qp2" * 10,
        ALLOWED_HOSTS="feedback.example.gov.uk",
        CSRF_TRUSTED_ORIGINS="https://feedback.example.gov.uk",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="feedback.example.gov.uk")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_a_mistyped_debug_value_is_an_error_not_a_guess():
    result = run_manage("check", DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr
