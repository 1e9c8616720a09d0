import os
import shutil
from itertools import chain

import pytest
from django.apps import apps
from django.core import serializers

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": browser tests must run in CI")
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


# What data migrations create; permissions and content types come back by themselves after a flush.
MIGRATED_MODELS = ["auth.Group", "actions.Organisation", "workshops.Area"]


@pytest.fixture(scope="session", autouse=True)
def _rows_from_migrations(django_db_setup, django_db_blocker):
    """The rows data migrations made (roles, default owners, areas), read before any browser test
    flushes the database."""
    with django_db_blocker.unblock():
        return serializers.serialize(
            "json",
            chain.from_iterable(apps.get_model(name).objects.all() for name in MIGRATED_MODELS),
            use_natural_foreign_keys=True,
        )


@pytest.fixture(autouse=True)
def _restore_rows_from_migrations(_rows_from_migrations, transactional_db):
    # Browser tests commit, so each flushes the database after it. serialized_rollback cannot put
    # the rows back: Playwright's event loop gives the test fresh connections without its copy.
    if not apps.get_model("workshops.Area").objects.exists():
        for row in serializers.deserialize("json", _rows_from_migrations):
            row.save()
