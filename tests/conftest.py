import re
import uuid
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.tasks import task_backends
from django.tasks.signals import task_enqueued
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from tests.factories import (
    FlipchartGroupFactory,
    OrganisationFactory,
    UserFactory,
    WorkshopFactory,
)

PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(items):
    """pytest runs every test that takes pytest-playwright's session-wide browser parameter
    together; one outside tests/browser (a parameter named "page" is enough) would be moved among
    the browser tests, and every test after it would find the database they emptied."""
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and not item.nodeid.startswith("tests/browser/")
    ]
    if strays:
        raise pytest.UsageError(f"Only browser tests may take a browser parameter: {strays}")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs collectstatic first; tests serve plain names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False


def _only_the_tests_own_transaction(connection) -> bool:
    return connection.in_atomic_block and all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _run_commit_hooks(connection) -> None:
    while connection.run_on_commit:
        # Robust or not, a hook that raises fails the test: jobs' own errors are caught by the
        # backends, so one raising here is a fault in queueing it.
        _, callback, _robust = connection.run_on_commit.pop(0)
        callback()


@pytest.fixture(autouse=True)
def _commit_at_the_tests_own_transaction(monkeypatch):
    """pytest-django wraps each test in a transaction that never commits, so work queued with
    transaction.on_commit (background jobs) would never run. In production the service runs in
    autocommit: a change commits when its own transaction ends. Treat the test's wrapper as
    autocommit too, so a job runs when the change that queued it ends, and never when it rolls
    back (Django drops the hooks of a rolled-back savepoint)."""
    on_commit, atomic_exit = BaseDatabaseWrapper.on_commit, transaction.Atomic.__exit__

    def on_commit_now_outside_the_services_transactions(self, func, robust=False):
        on_commit(self, func, robust)
        if _only_the_tests_own_transaction(self):
            _run_commit_hooks(self)

    def exit_and_commit(self, exc_type, exc_value, traceback):
        result = atomic_exit(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if _only_the_tests_own_transaction(connection):
            _run_commit_hooks(connection)
        return result

    monkeypatch.setattr(
        BaseDatabaseWrapper, "on_commit", on_commit_now_outside_the_services_transactions
    )
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_commit)


@pytest.fixture(autouse=True)
def _jobs_run_when_queued_on_the_database(request, settings):
    """With TASKS_BACKEND=database (CI's PostgreSQL pass) jobs wait in the database for a worker.
    Tests that look at the mail a change sends get it from a worker run in-process as soon as
    the job's row commits, through django-tasks-db's own worker code: so the whole suite proves
    jobs survive the trip through the database (arguments as JSON, task paths that import).
    Tests marked `jobs_queued` leave jobs queued, for real `db_worker` processes."""
    from django_tasks_db import DatabaseBackend

    if request.node.get_closest_marker("jobs_queued") or not isinstance(
        task_backends["default"], DatabaseBackend
    ):
        yield
        return

    def run_when_committed(sender, task_result, **kwargs):
        if task_result.task.run_after is None:
            transaction.on_commit(lambda: run_queued_job(task_result.id))

    task_enqueued.connect(run_when_committed, sender=DatabaseBackend, weak=False)
    yield
    task_enqueued.disconnect(run_when_committed, sender=DatabaseBackend)


def run_queued_job(result_id) -> None:
    """Claim one queued job and run it as `manage.py db_worker` would."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    db_result = DBTaskResult.objects.ready().filter(id=result_id).first()
    if db_result is None:
        return
    db_result.claim("tests")
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=db_result.backend_name,
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    worker.run_task(db_result)


@pytest.fixture
def organiser(db):
    return UserFactory(email="organiser@example.gov.uk", is_staff=True, roles=[roles.ORGANISERS])


@pytest.fixture
def facilitator(db):
    return UserFactory(email="facilitator@example.gov.uk", roles=[roles.FACILITATORS])


@pytest.fixture
def staff_without_role(db):
    """Ticked "staff status" but given no role: the admin opens nothing to them."""
    return UserFactory(email="staff@example.gov.uk", is_staff=True)


@pytest.fixture
def workshop(db):
    """The blog's workshop: published, 40 in the room."""
    return WorkshopFactory(title="Social media guidelines: so what?", actual_attendance=40)


@pytest.fixture
def group(workshop, facilitator):
    """Its first flipchart, with the facilitator who captures for it."""
    group = FlipchartGroupFactory(
        workshop=workshop,
        subject="Barriers to using social media",
        prompt="What stops you using it at work?",
    )
    group.facilitators.add(facilitator)
    return group


@pytest.fixture
def department_a(db):
    return OrganisationFactory(name="Department A", slug="department-a")


@pytest.fixture
def department_b(db):
    return OrganisationFactory(name="Department B", slug="department-b")


@pytest.fixture
def owner_a(department_a):
    user = UserFactory(email="owner.a@example.gov.uk", roles=[roles.OWNERS])
    department_a.members.add(user)
    return user


@pytest.fixture
def owner_b(department_b):
    user = UserFactory(email="owner.b@example.gov.uk", roles=[roles.OWNERS])
    department_b.members.add(user)
    return user


def restore_data_from_migrations():
    """A transactional test empties every table: put back what data migrations create, the
    areas, default owners and roles."""
    import_module("actions.migrations.0003_default_organisations").create_default_owners(apps, None)
    import_module("workshops.migrations.0002_areas").create_areas(apps, None)
    import_module("workshops.migrations.0003_roles").assign_role_permissions(apps)
    import_module(
        "workshops.migrations.0010_roles_without_admin_permissions"
    ).remove_admin_permissions(apps)
    import_module("workshops.migrations.0018_recurring_themes").grant_recurring_theme_permissions(
        apps
    )
    import_module(
        "workshops.migrations.0019_online_channel_askers_and_answer_review"
    ).grant_answer_review_permissions(apps)
    # As workshops/migrations/0014 does; its helper would make permissions through the live app
    # registry and switch off their re-creation after later flushes.
    Permission = apps.get_model("auth", "Permission")
    apps.get_model("auth", "Group").objects.get(name="Organisers").permissions.add(
        Permission.objects.get(content_type__app_label="feedback_site", codename="view_failedjob")
    )


def client_for(user) -> Client:
    """A client signed in as the user; for staff, past the second factor too."""
    client = Client()
    client.force_login(user)
    if user.is_staff or user.is_superuser:
        verify_second_factor(client, user)
    return client


def verify_second_factor(client: Client, user) -> TOTPDevice:
    """Mark the client's session as having passed two-factor authentication with the user's
    authenticator app (made if they have none)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Authenticator app"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True, scope="session")
def _own_cache_prefix():
    """With REDIS_URL set, the tests share that Redis database with whoever else uses it: each
    run keeps its entries under its own prefix, and `cache.clear()` removes only those."""
    if not settings.REDIS_URL:
        yield
        return
    own = {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
    with override_settings(CACHES={"default": own}):
        yield
        cache.clear()


@pytest.fixture
def local_cache(settings):
    """The local-memory cache, for tests that travel in time past an entry's expiry: Redis
    expires entries by its own clock, which time-machine cannot move."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def current_code(device: TOTPDevice) -> str:
    """What the authenticator app with this device's key shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def without_nonces(html: str) -> str:
    """A page with its per-response secrets (CSP nonces, CSRF tokens) blanked out."""
    html = re.sub(r"""nonce(=")?-?[\w+/=-]+""", "nonce", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


@pytest.fixture(autouse=True)
def _suggestions_learn_afresh():
    """Each test starts with no suggestion model loaded in this process and no training slot
    taken: the first triage change of a test queues a training (run at once by the immediate
    backend), and pages load the model stored in the test's own database, never one kept from
    another test's notes."""
    from feedback_site import jobs
    from workshops import suggestions

    suggestions._loaded.clear()
    jobs._queued_slots.clear()
