"""Conditional GETs on the public reads (issue 15): an ETag on every 200, 304 when it matches."""

import pytest

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/api/v1/calls/",
    "/api/v1/funded-projects/",
    "/api/v1/technologies/",
    "/api/v1/technologies/1/",
    "/api/v1/needs/",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_a_public_read_answers_304_to_its_own_etag(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    other = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    assert other.json() == first.json()


def test_the_etag_follows_the_content(client):
    """Another filter, another body, another ETag: the old one no longer answers 304."""
    everything = client.get("/api/v1/technologies/")
    filtered = client.get("/api/v1/technologies/?trl_min=9")
    assert everything["ETag"] != filtered["ETag"]
    stale = client.get("/api/v1/technologies/?trl_min=9", HTTP_IF_NONE_MATCH=everything["ETag"])
    assert stale.status_code == 200


def test_the_schema_documents_the_conditional_get(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/technologies/"]["get"]
    assert "If-None-Match" in [p["name"] for p in operation["parameters"]]
    assert "ETag" in operation["responses"]["200"]["headers"]
    assert "304" in operation["responses"]
    for status in ("400", "401", "403", "404", "429"):
        content = operation["responses"][status]["content"]["application/json"]["schema"]
        assert "Error" in str(content)
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    technology = schema["components"]["schemas"]["Technology"]["properties"]
    assert technology["source_proposal"].get("nullable") is True
