import re
import uuid
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from tests.factories import OrganisationFactory, UserFactory

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


@pytest.fixture
def organiser(db):
    return UserFactory(email="organiser@example.gov.uk", is_staff=True, roles=[roles.ORGANISERS])


@pytest.fixture
def facilitator(db):
    return UserFactory(email="facilitator@example.gov.uk", roles=[roles.FACILITATORS])


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
