"""Promises the project as a whole keeps: migrations, forms, deploy settings. URL protection is
proven in test_access.py."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from crispy_forms.utils import render_crispy_form
from django.core.management import call_command

from actions import forms as action_forms
from feedback_site.two_factor import authenticator_device_to_set_up
from workshops import forms

BASE_DIR = Path(__file__).resolve().parent.parent


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


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
