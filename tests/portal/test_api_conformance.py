"""The API as an outside client meets it (issue 15, "the schema tells the truth"): schemathesis
loads the served /api/schema/ over HTTP from a live server of the demo and calls every operation,
anonymously and signed in as the demo officer and researcher, with a fixed seed and a bounded
number of examples each. Every response must conform to the schema: status code documented,
content type, body (errors included), headers; and none is a 500.

It runs in the live-server phase of `make test` (marked `browser`: it commits and flushes the
database like the browser tests)."""

import pytest
import requests
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = 12  # per operation and caller: the whole run stays under about two minutes
SEED = 15


def _session(base_url, user=None):
    """A requests session as a browser of that user would have: the session cookie and, for
    the workflow's POSTs, the CSRF cookie and header (SessionAuthentication checks them)."""
    session = requests.Session()
    if user is not None:
        client = Client()
        client.force_login(user)
        session.cookies.set("sessionid", client.cookies["sessionid"].value)
        token = "c" * 32
        session.cookies.set("csrftoken", token)
        session.headers["X-CSRFToken"] = token
        session.headers["Referer"] = base_url + "/"
    return session


def _run_every_operation(schema, base_url, session):
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, [op.label for op in operations]
    for operation in operations:

        @seed(SEED)
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(base_url=base_url, session=session)

        try:
            run()
        except BaseException as error:  # noqa: BLE001 (a FailureGroup; all reported at once)
            failures.append(f"{operation.label}: {error}")
    return failures


@pytest.fixture
def served_schema(demo_site):
    """The schema as the server serves it, read over HTTP."""
    return schemathesis.openapi.from_url(f"{demo_site.url}/api/schema/?format=json")


def test_every_operation_conforms_to_the_served_schema(served_schema, demo_site, user_by_email):
    base_url = demo_site.url
    failures = []
    for who in (None, "officer@example.org", "researcher@example.org"):
        user = user_by_email(who) if who else None
        session = _session(base_url, user)
        # The session really is that caller's: the proposals answer only the signed-in.
        answer = session.get(f"{base_url}/api/v1/proposals/", timeout=30)
        assert answer.status_code == (403 if user is None else 200), answer.text
        found = _run_every_operation(served_schema, base_url, session)
        failures += [f"[{who or 'anonymous'}] {failure}" for failure in found]
    assert not failures, "\n\n".join(failures)
