"""Promises the project as a whole keeps: migrations, forms, deploy settings. URL protection is
proven in test_access.py."""

import datetime
import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from crispy_forms.utils import render_crispy_form
from django.core.management import call_command
from django.forms import BaseForm
from django.utils import timezone

from accounts.two_factor import authenticator_device_to_set_up
from feedback_site.forms import GovukFormMixin

BASE_DIR = Path(__file__).resolve().parents[2]


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


APPS_WITH_FORMS = ["feedback_site", "accounts", "workshops", "actions", "progress"]


def govuk_forms() -> list[type]:
    """Every form class the apps define on the GOV.UK base, found by reading their forms."""
    found = []
    for app in APPS_WITH_FORMS:
        module = importlib.import_module(f"{app}.forms")
        found += [
            member
            for member in vars(module).values()
            if inspect.isclass(member)
            and issubclass(member, GovukFormMixin)
            and member is not GovukFormMixin
            and member.__module__ == module.__name__
        ]
    return found


def test_the_form_search_finds_forms_in_every_app():
    modules = {form_class.__module__ for form_class in govuk_forms()}
    assert modules == {f"{app}.forms" for app in APPS_WITH_FORMS}


def form_arguments(form_class, rf) -> dict:
    """What a form needs to be built blank, for the forms that need more than nothing."""
    from tests.factories import (
        ActionItemFactory,
        ContributionFactory,
        FlipchartGroupFactory,
        UserFactory,
    )

    needs = {
        "NewPasswordForm": lambda: {"user": UserFactory()},
        "ChangePasswordForm": lambda: {"user": UserFactory()},
        "SignInForm": lambda: {"request": rf.get("/")},
        "AcceptForm": lambda: {"action": ActionItemFactory()},
        "UpdateForm": lambda: {"action": ActionItemFactory(accepted_at=timezone.now())},
        "SecurityCodeForm": lambda: {"user": UserFactory()},
        "ConfirmAuthenticatorForm": lambda: {
            "device": authenticator_device_to_set_up(UserFactory())
        },
        "ConfirmForm": lambda: {"submit_label": "Confirm"},
        "CascadeForm": lambda: {"action": ActionItemFactory()},
        "ReportForm": lambda: {"rule_date": datetime.date(2012, 10, 4)},
        "OnlineContributionForm": lambda: {"workshop": FlipchartGroupFactory().workshop},
        "QuestionAnswerForm": lambda: {
            "action": ActionItemFactory(),
            "question": ContributionFactory(kind="question"),
        },
    }
    return needs.get(form_class.__name__, dict)()


@pytest.mark.parametrize("form_class", govuk_forms(), ids=lambda form_class: form_class.__name__)
@pytest.mark.django_db
def test_every_form_renders_the_govuk_way(form_class, rf):
    form = form_class(**form_arguments(form_class, rf))
    html = render_crispy_form(form)
    assert "govuk-button" in html
    if form.fields:
        assert "govuk-form-group" in html


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


def test_no_error_message_repeats_a_labels_optional_mark():
    """Labels say "(optional)"; errors name the field without it ("New due date must be ...")."""
    offending = []
    for app in ("accounts", "workshops", "actions", "progress", "feedback_site"):
        module = importlib.import_module(f"{app}.forms")
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, BaseForm):
                for name, field in form.base_fields.items():
                    offending += [
                        f"{form.__name__}.{name}: {message}"
                        for message in field.error_messages.values()
                        if "(optional)" in str(message)
                    ]
    assert not offending
