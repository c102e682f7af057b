"""The API's limit for anonymous callers (issue 15): 429 in the documented error shape, with
`Retry-After`; a signed-in caller is not counted."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings):
    settings.PORTAL_RATE_LIMITS = {"api_anonymous": (3, 60)}


def test_an_anonymous_caller_over_the_limit_gets_429_with_retry_after(client, three_a_minute):
    for _ in range(3):
        assert client.get("/api/v1/technologies/").status_code == 200
    refused = client.get("/api/v1/calls/", HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "throttled"
    assert isinstance(body["detail"], str) and body["detail"]
    english = client.get("/api/v1/needs/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert english != body["detail"]  # translated: the Vietnamese and English texts differ


def test_the_limit_is_per_client_address(client, three_a_minute):
    for _ in range(4):
        client.get("/api/v1/needs/")
    assert client.get("/api/v1/needs/", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_a_signed_in_caller_is_not_counted(client_as, three_a_minute):
    client = client_as("officer@example.org")
    for _ in range(5):
        assert client.get("/api/v1/proposals/").status_code == 200


def test_no_limit_without_its_setting(client, settings):
    settings.PORTAL_RATE_LIMITS = {}
    for _ in range(5):
        assert client.get("/api/v1/needs/").status_code == 200
