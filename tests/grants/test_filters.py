"""The proposals' filters are defined once (grants.filters): the officers' queue page, its CSV
export and /api/v1/proposals/ give the same dossiers for the same filter, and a value that does
not validate is left out on the page with its message, refused by the API with a 400."""

import csv
import io
import re

import pytest

from grants.models import CallPage, Proposal

pytestmark = pytest.mark.django_db

OFFICER = "officer@example.org"


def _page(client, params):
    found = []
    for number in range(1, 40):
        response = client.get("/proposals/", {**params, "page": number})
        assert response.status_code == 200
        text = response.content.decode()
        found += re.findall(r'<td class="code" data-label="[^"]*">([^<]+)</td>', text)
        if 'rel="next"' not in text:
            return found
    raise AssertionError("too many pages")


def _export(client, params):
    response = client.get("/proposals/export.csv", params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return [row[0] or "—" for row in list(csv.reader(io.StringIO(text)))[1:]]


def _api(client, params):
    found = []
    for number in range(1, 40):
        answer = client.get("/api/v1/proposals/", {**params, "page": number})
        assert answer.status_code == 200, answer.content
        body = answer.json()
        found += [
            row["receipt_number"] or "—" for row in body["results"] if row["state"] != "draft"
        ]
        if body["next"] is None:
            return found
    raise AssertionError("too many pages")


def _call():
    return CallPage.objects.filter(locale__language_code="vi", proposals__state="submitted").first()


# The same filter as each list names it: the queue picks a call from its menu (an id), the API
# names it by its code.
FILTERS = {
    "state": (lambda: {"state": "submitted"}, lambda: {"state": "submitted"}),
    "q": (lambda: {"q": "lua"}, lambda: {"q": "lua"}),
    "receipt": (
        lambda: {"q": Proposal.objects.exclude(receipt_number=None).first().receipt_number},
        lambda: {"q": Proposal.objects.exclude(receipt_number=None).first().receipt_number},
    ),
    "call": (lambda: {"call": str(_call().pk)}, lambda: {"call": _call().code.lower()}),
    "call and state": (
        lambda: {"call": str(_call().pk), "state": "submitted"},
        lambda: {"call": _call().code, "state": "submitted"},
    ),
}


@pytest.mark.parametrize("kind", ["page", "export", "api"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_a_queue_filter_gives_the_same_dossiers_on_page_export_and_api(client_as, kind, name):
    client = client_as(OFFICER)
    queue_params, api_params = (make() for make in FILTERS[name])
    reference = _page(client, queue_params)
    assert reference, "the demo holds matching dossiers"
    if kind == "page":
        expected = Proposal.objects.exclude(state="draft")
        if "state" in queue_params:
            expected = expected.filter(state=queue_params["state"])
        if "call" in queue_params:
            expected = expected.filter(call_id=queue_params["call"])
        if name == "receipt":
            expected = expected.filter(receipt_number=queue_params["q"])
        if name != "q":
            assert sorted(reference) == sorted(p.receipt_number or "—" for p in expected)
    elif kind == "export":
        assert _export(client, queue_params) == reference  # same rows, same order
    else:
        assert sorted(_api(client, api_params)) == sorted(reference)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("state", "nonsense", "nonsense"),
        ("call", "x" * 41, "40"),  # just above the longest code
        ("q", "x" * 101, "100"),
        ("q", "a\x00b", "Null"),
    ],
)
def test_the_proposals_api_refuses_an_invalid_filter(client_as, name, value, message):
    answer = client_as(OFFICER).get("/api/v1/proposals/", {name: value}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    body = answer.json()
    assert list(body) == [name] and message in " ".join(body[name]), body


def test_the_proposals_api_takes_the_longest_values(client_as):
    client = client_as(OFFICER)
    assert client.get("/api/v1/proposals/", {"call": "x" * 40, "q": "x" * 100}).status_code == 200
    assert client.get("/api/v1/proposals/", {"state": ""}).status_code == 200


@pytest.mark.parametrize(
    ("params", "label", "kept"),
    [
        ({"call": "abc", "q": "lua"}, "Đợt gọi", {"q": "lua"}),
        ({"call": "99999999999999999999999", "q": "lua"}, "Đợt gọi", {"q": "lua"}),
        ({"sector": "no-such-sector", "q": "lua"}, "Lĩnh vực", {"q": "lua"}),
        ({"organisation": "0", "q": "lua"}, "Tổ chức", {"q": "lua"}),
        ({"todo": "nonsense", "q": "lua"}, "Việc cần làm", {"q": "lua"}),
    ],
)
def test_the_queue_leaves_an_invalid_filter_out_with_its_message(client_as, params, label, kept):
    client = client_as(OFFICER)
    response = client.get("/proposals/", params)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Đã bỏ qua bộ lọc “{label}”" in text
    assert 'value="lua"' in text  # the text typed is kept
    (name,) = set(params) - {"q"}
    # the message by the field, the control pointing to it
    assert re.search(rf'<p class="error-message" id="id_{name}_error">.+?</p>', text), name
    assert f'aria-describedby="id_{name}_error"' in text
    assert 'id="id_q_error"' not in text
    assert _page(client, params) == _page(client, kept)  # the other filters still apply
    assert _export(client, params) == _export(client, kept)
