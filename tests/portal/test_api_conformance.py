"""The API as an outside client meets it (issue 15, "the schema tells the truth"): schemathesis
loads the served /api/schema/ over HTTP from a live server of the demo and calls every operation,
anonymously, signed in as the demo officer and researcher, and with an integration token of
the officer's holding every scope (`Authorization: Bearer`), with a fixed seed and a bounded
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

from grants.models import Proposal
from portal import tokens
from portal.models import TokenCall, TokenScope

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = 12  # per operation and caller: the whole run stays under about two minutes
SEED = 15


def _credentials(base_url, user=None, secret=None):
    """The headers a browser of that user would send: the session cookie and, for the
    workflow's POSTs, the CSRF cookie and header (SessionAuthentication checks them); or, with
    `secret`, an integrator's: only the token. Given to schemathesis as the call's own headers
    (not a session's cookie jar), so that its auth checks know them for credentials and can
    take them away: a request without them must be refused."""
    if secret is not None:
        return {"Authorization": f"Bearer {secret}"}
    if user is None:
        return {}
    client = Client()
    client.force_login(user)
    token = "c" * 32
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}",
        "X-CSRFToken": token,
        "Referer": base_url + "/",
    }


def _run_every_operation(schema, base_url, headers):
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
            case.call_and_validate(base_url=base_url, session=requests.Session(), headers=headers)

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
    officer = user_by_email("officer@example.org")
    _token, secret = tokens.issue(name="Conformance", scopes=TokenScope.values, by=officer)
    callers = [(None, None), ("officer@example.org", None), ("researcher@example.org", None),
               ("token", secret)]  # fmt: skip
    for who, with_token in callers:
        user = user_by_email(who) if who and not with_token else None
        headers = _credentials(base_url, user, with_token)
        # The credentials really are that caller's: the proposals answer only the signed-in.
        answer = requests.get(f"{base_url}/api/v1/proposals/", headers=headers, timeout=30)
        assert answer.status_code == (403 if who is None else 200), answer.text
        found = _run_every_operation(served_schema, base_url, headers)
        failures += [f"[{who or 'anonymous'}] {failure}" for failure in found]
    assert not failures, "\n\n".join(failures)


def test_the_feed_answers_a_token_as_documented(served_schema, demo_site, user_by_email):
    """The dossier-status feed with a dossier_status token: every received dossier, each row
    conforming to the schema (history included), and the bearer scheme documented."""
    officer = user_by_email("officer@example.org")
    _token, secret = tokens.issue(name="Feed", scopes=["dossier_status"], by=officer)
    schema = requests.get(f"{demo_site.url}/api/schema/?format=json", timeout=30).json()
    scheme = schema["components"]["securitySchemes"]["integrationToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operation = served_schema["/api/v1/dossier-status/"]["GET"]
    response = requests.get(
        f"{demo_site.url}/api/v1/dossier-status/",
        headers=_credentials("", secret=secret),
        timeout=30,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Proposal.objects.filter(receipt_number__isnull=False).count()
    assert body["results"][0]["history"], body["results"][0]
    operation.validate_response(response)
    assert TokenCall.objects.filter(token__name="Feed", status=200).count() == 1
