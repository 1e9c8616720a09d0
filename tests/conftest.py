import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import OrganisationFactory, UserFactory
from workshops import roles

PASSWORD = "correct horse battery staple"


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


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()
