"""The catalogue's and the needs' filters are defined once (transfer.filters): the page, the API
and its CSV export give the same rows for the same parameters, and a value that does not
validate is left out on the page with its message, refused by the API with a 400 by parameter."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from transfer.models import Technology, TechnologyNeed

pytestmark = pytest.mark.django_db


def _page_ids(client, path, params, pattern):
    found = []
    for number in range(1, 20):
        response = client.get(path, {**params, "page": number})
        assert response.status_code == 200
        found += [int(pk) for pk in re.findall(pattern, response.content.decode())]
        if 'rel="next"' not in response.content.decode():
            return found
    raise AssertionError("too many pages")


def _api_ids(client, path, params):
    found = []
    for number in range(1, 20):
        answer = client.get(path, {**params, "page": number})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        found += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return found
    raise AssertionError("too many pages")


def _csv_ids(client, path, params):
    found = []
    for number in range(1, 20):
        answer = client.get(path, {**params, "format": "csv", "page": number})
        assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        found += [int(row["id"]) for row in rows]
        if 'rel="next"' not in answer.get("Link", ""):
            return found
    raise AssertionError("too many pages")


TECHNOLOGY_LINK = r'<h2 class="card-title"[^>]*><a href="/technologies/(\d+)/">'
NEED_LINK = r'<h2><a href="/needs/(\d+)/">'


def ids(kind, client, listing, params):
    path, api, link = listing
    if kind == "page":
        return _page_ids(client, path, params, link)
    if kind == "api":
        return _api_ids(client, api, params)
    return _csv_ids(client, api, params)


TECHNOLOGIES = ("/technologies/", "/api/v1/technologies/", TECHNOLOGY_LINK)
NEEDS = ("/needs/", "/api/v1/needs/", NEED_LINK)
KINDS = ["page", "api", "export"]


def _published(**lookups):
    return Technology.objects.filter(state="published", **lookups)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "aquaculture"}, lambda: _published(sector__slug="aquaculture")),
        ({"trl_min": "9"}, lambda: _published(trl__gte=9)),  # the highest level
        ({"trl_min": "1"}, lambda: _published()),  # the lowest: every listing
        ({"ip": "patent"}, lambda: _published(ip_status="patent")),
        ({"mode": "licence"}, lambda: _published(transfer_modes__icontains='"licence"')),
        (
            {"price_max": "300000000"},
            lambda: _published(price__lte=300_000_000),
        ),
        ({"q": "lua thom"}, None),
        ({"q": "lúa thơm", "sort": "trl"}, None),
    ],
)
def test_a_catalogue_filter_gives_the_same_rows_on_page_api_and_export(
    client, kind, params, expected
):
    found = ids(kind, client, TECHNOLOGIES, params)
    reference = ids("page", client, TECHNOLOGIES, params)
    assert found == reference  # same rows, same order
    assert found, "the demo holds matching listings"
    if expected is not None:
        assert sorted(found) == sorted(expected().values_list("pk", flat=True))


@pytest.mark.parametrize("kind", ["api", "export"])
def test_the_api_owner_filter_matches_the_page_by_id(client, kind):
    owner = _published().values_list("organisation_id", flat=True).first()
    params = {"organisation": str(owner)}
    assert ids(kind, client, TECHNOLOGIES, params) == ids("page", client, TECHNOLOGIES, params)
    assert sorted(ids(kind, client, TECHNOLOGIES, params)) == sorted(
        _published(organisation_id=owner).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "params", [{"sector": "rice"}, {"q": "lua"}, {"sector": "rice", "q": "lua"}, {}]
)
def test_a_needs_filter_gives_the_same_rows_on_page_api_and_export(client, kind, params):
    found = ids(kind, client, NEEDS, params)
    assert found == ids("page", client, NEEDS, params)
    if "q" not in params:
        needs = TechnologyNeed.objects.filter(state="published")
        if "sector" in params:
            needs = needs.filter(sector__slug=params["sector"])
        assert found == list(needs.order_by("-created_at", "-pk").values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("path", "name", "value", "message"),
    [
        ("/api/v1/technologies/", "trl_min", "10", "9"),  # just above the highest level
        ("/api/v1/technologies/", "trl_min", "0", "1"),  # just below the lowest
        ("/api/v1/technologies/", "trl_min", "٣", "0–9"),
        ("/api/v1/technologies/", "price_max", "0", "1"),
        ("/api/v1/technologies/", "sector", "no-such-sector", "no-such-sector"),
        ("/api/v1/technologies/", "ip", "stolen", "stolen"),
        ("/api/v1/technologies/", "sort", "drop", "drop"),
        ("/api/v1/technologies/", "q", "x" * 101, "100"),
        ("/api/v1/technologies/", "organisation", "Trường Đại học An Giang", "0–9"),
        ("/api/v1/needs/", "sector", "no-such-sector", "no-such-sector"),
        ("/api/v1/needs/", "q", "x" * 101, "100"),
        ("/api/v1/needs/", "q", "a\x00b", "Null"),
    ],
)
@pytest.mark.parametrize("export", [False, True])
def test_the_api_refuses_an_invalid_filter_with_a_message_by_parameter(
    client, path, name, value, message, export
):
    params = {name: value, **({"format": "csv"} if export else {})}
    answer = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer["Content-Type"].startswith("application/json")  # whatever was asked for
    body = answer.json()
    assert list(body) == [name] and message in " ".join(body[name]), body


def test_an_edge_value_is_accepted_by_the_api(client):
    assert client.get("/api/v1/technologies/", {"trl_min": "9"}).status_code == 200
    assert client.get("/api/v1/technologies/", {"q": "x" * 100}).status_code == 200
    assert client.get("/api/v1/needs/", {"q": "x" * 100, "sector": ""}).status_code == 200


def test_one_object_of_the_api_takes_no_filter(client):
    technology = _published().first()
    answer = client.get(f"/api/v1/technologies/{technology.pk}/", {"trl_min": "10"})
    assert answer.status_code == 200 and answer.json()["id"] == technology.pk
    hidden = Technology.objects.exclude(state="published").first()
    assert client.get(f"/api/v1/technologies/{hidden.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "label", "kept"),
    [
        ("/technologies/", {"trl_min": "10", "q": "lua"}, "Mức sẵn sàng từ", 'value="lua"'),
        ("/needs/", {"sector": "no-such-sector"}, "Lĩnh vực", None),
        ("/needs/", {"q": "x" * 101}, "Tìm kiếm", None),
    ],
)
def test_the_page_leaves_an_invalid_filter_out_with_its_message(client, path, params, label, kept):
    response = client.get(path, params)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Đã bỏ qua bộ lọc “{label}”" in text
    if kept:
        assert kept in text
    if path == "/technologies/":  # by the field too, the control pointing to it
        error = re.search(r'<p class="error-message" id="id_trl_min_error">(.*?)</p>', text)
        assert error and "9" in error.group(1)
        assert 'aria-describedby="id_trl_min_error"' in text
        assert 'id="id_q_error"' not in text  # a valid filter has no message
    # the other filters still apply
    valid = {key: value for key, value in params.items() if key not in ("trl_min", "sector")}
    if path == "/technologies/":
        assert ids("page", client, TECHNOLOGIES, params) == ids("page", client, TECHNOLOGIES, valid)


def test_the_schema_documents_the_filters_and_their_400(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, names in (
        (
            "/api/v1/technologies/",
            {"q", "sector", "trl_min", "ip", "mode", "organisation", "price_max", "sort"},
        ),
        ("/api/v1/needs/", {"q", "sector"}),
    ):
        operation = schema["paths"][path]["get"]
        documented = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert names <= set(documented)
        assert documented["sector"]["schema"]["enum"][0] == ""
        assert "rice" in documented["sector"]["schema"]["enum"]
        assert documented["q"]["schema"]["maxLength"] == 100
        assert "400" in operation["responses"]
    stats = schema["paths"]["/api/v1/stats/"]["get"]["parameters"]
    assert "rice" in next(p for p in stats if p["name"] == "sector")["schema"]["enum"]
    trl = {p["name"]: p for p in schema["paths"]["/api/v1/technologies/"]["get"]["parameters"]}[
        "trl_min"
    ]["schema"]
    assert (trl["minimum"], trl["maximum"]) == (1, 9)


@pytest.mark.parametrize(
    "path", ["/api/v1/needs/", "/api/v1/technologies/", "/needs/", "/technologies/"]
)
def test_filtering_costs_no_further_query(client, path, django_assert_num_queries):
    client.get(path)  # warm the caches (sectors, site)
    with CaptureQueriesContext(connection) as plain:
        assert client.get(path).status_code == 200
    with django_assert_num_queries(len(plain.captured_queries)):
        assert client.get(path, {"sector": "rice", "q": "lua"}).status_code == 200
