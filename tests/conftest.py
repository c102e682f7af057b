import io
import os

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Property tests judge the rules, not the machine: on two loaded cores Hypothesis's own
# "input generation is slow" check and per-example deadline fire without any fault in the code.
hypothesis_settings.register_profile(
    "portal", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("portal")

DEMO_PASSWORD = "AnGiang@2025"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the An Giang demo; each test rolls back to it."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth remembers used TOTP codes and rate limits in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/ (or Wagtail's admin) leaves its language active in the test's thread;
    # every test starts in Vietnamese, as a visitor would, so that reverse() gives /proposals/.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def user_by_email(db):
    def get(email):
        return get_user_model().objects.get(email=email)

    return get


@pytest.fixture
def client_as(client, user_by_email):
    """A test client signed in as the given demo account (skipping the login form)."""

    def sign_in(email):
        if email is None:
            client.logout()
            return client
        client.force_login(user_by_email(email))
        return client

    return sign_in


def pytest_report_header(config):
    return f"DATABASE_URL={os.environ.get('DATABASE_URL', '(unset: SQLite)')}"


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The demo data behind a live server (a transactional test starts from a flushed DB):
    browser tests and the API conformance run."""
    from cms.models import HomePage

    if not HomePage.objects.exists():
        call_command("seed_demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def seeded(transactional_db):
    """The demo in a database whose transactions really commit (concurrency tests, PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("Concurrency tests need PostgreSQL: run them through `make test`.")
    from cms.models import HomePage

    if not HomePage.objects.exists():
        call_command("seed_demo", stdout=io.StringIO())
