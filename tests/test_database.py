import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_suite_runs_on_the_database_it_was_asked_for():
    """`make test` sets REQUIRE_DATABASE=postgresql: a silent fall-back to SQLite must fail."""
    wanted = os.environ.get("REQUIRE_DATABASE")
    expected = wanted or (
        "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    )
    assert connection.vendor == expected
