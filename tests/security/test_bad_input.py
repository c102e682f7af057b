"""The bad-input corpus: every filter and form, fed wrong types, huge and negative numbers, NUL
bytes, very long text, other digit systems, far past and far future dates.

Never a 500; a translated (Vietnamese) message by the field; the user's other text kept;
nothing saved. And each new rule at its boundaries, at the function and through the page."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from core import fields
from grants import council, workflow
from grants.forms import BallotForm, SeatForm, points
from grants.models import (
    AuditEntry,
    Ballot,
    BudgetAppraisal,
    BudgetLine,
    Proposal,
    ReviewAssignment,
    TeamMember,
)
from tests.grants.conftest import seat_council
from transfer import workflow as transfer_workflow
from transfer.forms import NeedForm
from transfer.models import Technology, TechnologyNeed, TransferDeal

pytestmark = pytest.mark.django_db

HUGE = "9" * 23  # beyond a 64-bit integer: overflows SQLite and PostgreSQL alike
TWENTY = "9" * 20
ARABIC = "٣"  # Arabic-Indic three: int("٣") == 3
FULL_WIDTH = "３"
NUL = "lúa\x00mặn"
NUL_VI = "Không được chứa ký tự rỗng (NUL)."
DIGITS_VI = "Nhập một số nguyên bằng các chữ số 0–9."
IGNORED_VI = "Đã bỏ qua bộ lọc"


def client_for(email, user_by_email):
    client = Client(raise_request_exception=False)
    if email:
        client.force_login(user_by_email(email))
    return client


# -- filters of the pages: ignored with a message, never a 500 -------------------------------------

PAGE_FILTERS = [
    (
        "officer@example.org",
        "/proposals/",
        "organisation",
        [HUGE, TWENTY, "0", NUL],
    ),
    ("officer@example.org", "/proposals/", "call", [HUGE, "0", FULL_WIDTH, "abc", NUL]),
    ("officer@example.org", "/proposals/", "sector", [NUL, "x" * 5000]),
    ("officer@example.org", "/proposals/", "state", ["nope", NUL]),
    ("officer@example.org", "/proposals/", "sort", ["__class__", NUL]),
    ("officer@example.org", "/proposals/", "q", [NUL, "x" * 101]),
    (None, "/technologies/", "organisation", [HUGE, TWENTY, "0", NUL]),
    (None, "/technologies/", "price_max", [HUGE, "-1", ARABIC, "1e9"]),
    (None, "/technologies/", "trl_min", [HUGE, "0", "10", ARABIC]),
    (None, "/technologies/", "q", [NUL, "x" * 101]),
    (None, "/technologies/", "sector", [NUL, "nope"]),
    (None, "/technologies/", "ip", [NUL]),
    (None, "/technologies/", "mode", ["x" * 500]),
    (None, "/technologies/", "sort", [NUL]),
]


@pytest.mark.parametrize(
    ("email", "url", "name", "value"),
    [(e, u, n, v) for e, u, n, values in PAGE_FILTERS for v in values],
)
def test_a_bad_page_filter_is_ignored_with_a_message(email, url, name, value, user_by_email):
    response = client_for(email, user_by_email).get(url, {name: value, "page": "2"})
    assert response.status_code == 200
    assert IGNORED_VI in response.content.decode()


@pytest.mark.parametrize(
    ("email", "url", "params"),
    [
        ("officer@example.org", "/proposals/", {"page": HUGE}),
        ("officer@example.org", "/proposals/", {"page": NUL}),
        ("officer@example.org", "/proposals/export.csv", {"organisation": HUGE, "call": ARABIC}),
        ("officer@example.org", "/proposals/export.xlsx", {"q": NUL}),
        # An organisation picker takes a name: any other text is a search for one.
        ("officer@example.org", "/proposals/", {"organisation": "-1"}),
        ("officer@example.org", "/proposals/", {"organisation": ARABIC}),
        ("officer@example.org", "/proposals/", {"organisation": "abc"}),
        (None, "/technologies/", {"organisation": "-5"}),
        (None, "/technologies/", {"organisation": FULL_WIDTH}),
        (None, "/technologies/", {"organisation": "%' OR 1=1 --"}),
        (None, "/technologies/", {"page": HUGE}),
        (None, "/needs/", {"sector": NUL, "page": HUGE}),
        ("officer@example.org", "/deals/", {"state": NUL, "page": "-1"}),
        ("researcher@example.org", "/technologies/new/", {"from": HUGE}),
        ("researcher@example.org", "/technologies/new/", {"from": ARABIC}),
        (None, "/search/", {"q": NUL}),
        (None, "/search/", {"q": '"'}),
        (None, "/search/", {"q": "lúa\x01\x1f"}),
        (None, "/search/", {"q": "x" * 5000, "page": HUGE}),
    ],
)
def test_other_page_parameters_never_give_a_500(email, url, params, user_by_email):
    assert client_for(email, user_by_email).get(url, params).status_code == 200


@pytest.mark.parametrize(
    ("email", "url"),
    [
        (None, f"/technologies/{HUGE}/"),
        (None, f"/needs/{HUGE}/"),
        ("officer@example.org", f"/deals/{HUGE}/"),
        ("officer@example.org", f"/proposals/{HUGE}/"),
        ("officer@example.org", f"/proposals/verify/{NUL}/"),
    ],
)
def test_huge_ids_in_page_paths_are_not_found(email, url, user_by_email):
    assert client_for(email, user_by_email).get(url).status_code == 404


def test_a_valid_filter_still_applies_beside_an_ignored_one(client_as):
    response = client_as("officer@example.org").get(
        "/proposals/", {"organisation": HUGE, "state": "submitted"}
    )
    html = response.content.decode()
    assert IGNORED_VI in html and "Tổ chức" in html
    assert "Tuyển chọn dòng lúa thơm chịu mặn 4‰" in html  # the seeded submitted dossier
    assert "Chế phẩm vi sinh xử lý rơm rạ" not in html  # in progress: filtered out


# -- the API: a 400 (filters) or a 404 (ids) in JSON, in the request's language --------------------

API_FILTERS = [
    (
        None,
        "/api/v1/funded-projects/",
        "year",
        ["0", "1", "1899", "2101", TWENTY, HUGE, ARABIC, FULL_WIDTH, "-2024", "abc"],
    ),
    (None, "/api/v1/funded-projects/", "state", ["draft", NUL]),
    (None, "/api/v1/funded-projects/", "call", [NUL, "x" * 41]),
    (None, "/api/v1/funded-projects/", "sector", [NUL, "lúa gạo"]),
    (None, "/api/v1/calls/", "status", ["nope"]),
    (None, "/api/v1/calls/", "lang", ["fr"]),
    (None, "/api/v1/calls/", "sector", [NUL]),
    (None, "/api/v1/technologies/", "organisation", [HUGE, TWENTY, "0", ARABIC]),
    (None, "/api/v1/technologies/", "price_max", [HUGE, "-1"]),
    (None, "/api/v1/technologies/", "trl_min", ["10", FULL_WIDTH]),
    (None, "/api/v1/technologies/", "q", [NUL]),
    ("officer@example.org", "/api/v1/proposals/", "state", ["nope", NUL]),
    ("officer@example.org", "/api/v1/proposals/", "q", [NUL, "x" * 101]),
    ("officer@example.org", "/api/v1/proposals/", "call", ["x" * 41]),
    ("researcher@example.org", "/api/v1/dossier-status/", "receipt", [NUL, "x" * 41]),
]


@pytest.mark.parametrize(
    ("email", "url", "name", "value"),
    [(e, u, n, v) for e, u, n, values in API_FILTERS for v in values],
)
def test_a_bad_api_filter_is_a_400_naming_the_parameter(email, url, name, value, user_by_email):
    response = client_for(email, user_by_email).get(url, {name: value})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert list(response.json()) == [name]


@pytest.mark.parametrize(
    ("email", "url"),
    [
        (None, "/api/v1/technologies/abc/"),
        (None, f"/api/v1/technologies/{HUGE}/"),
        (None, f"/api/v1/technologies/{ARABIC}/"),
        (None, "/api/v1/needs/abc/"),
        (None, f"/api/v1/calls/{HUGE}/"),
        (None, f"/api/v1/funded-projects/{TWENTY}/"),
        ("officer@example.org", "/api/v1/proposals/abc/"),
        ("officer@example.org", f"/api/v1/proposals/{HUGE}/"),
    ],
)
def test_a_non_numeric_or_huge_id_in_an_api_path_is_a_json_404(email, url, user_by_email):
    response = client_for(email, user_by_email).get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Không tìm thấy.", "code": "not_found"}


@pytest.mark.parametrize("pk", ["abc", HUGE, ARABIC])
def test_a_transition_on_a_non_numeric_id_is_a_json_404(pk, client_as):
    response = client_as("officer@example.org").post(
        f"/api/v1/proposals/{pk}/transitions/mark_eligible/", {}, content_type="application/json"
    )
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.parametrize(
    ("year", "status"), [("1899", 400), ("1900", 200), ("2100", 200), ("2101", 400)]
)
def test_the_funded_projects_year_at_its_bounds(year, status, client):
    assert client.get("/api/v1/funded-projects/", {"year": year}).status_code == status


def test_a_valid_year_still_filters(client):
    everything = client.get("/api/v1/funded-projects/").json()["results"]
    year = everything[0]["decided_at"][:4]
    rows = client.get("/api/v1/funded-projects/", {"year": year}).json()["results"]
    assert rows and all(row["decided_at"].startswith(year) for row in rows)


def test_the_api_answers_in_the_language_asked_vietnamese_by_default(client):
    default = client.get("/api/v1/funded-projects/", {"year": "0"}).json()["year"][0]
    assert default == "Giá trị phải lớn hơn hoặc bằng 1900."
    english = client.get(
        "/api/v1/funded-projects/", {"year": "0"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()["year"][0]
    assert english == "Ensure this value is greater than or equal to 1900."
    assert client.get("/api/v1/needs/abc/", HTTP_ACCEPT_LANGUAGE="en").json() == {
        "detail": "Not found.",
        "code": "not_found",
    }
    nul = client.get("/api/v1/funded-projects/", {"call": NUL}).json()["call"][0]
    assert nul == NUL_VI
    digits = client.get("/api/v1/funded-projects/", {"year": ARABIC}).json()["year"][0]
    assert digits == DIGITS_VI


def test_an_api_refusal_is_translated(client_as):
    proposal = Proposal.objects.get(title__startswith="Tuyển chọn dòng lúa thơm chịu mặn 4‰")
    response = client_as("researcher@example.org").post(
        f"/api/v1/proposals/{proposal.pk}/transitions/mark_eligible/", {}
    )
    assert response.status_code in (403, 404)
    assert "You may not" not in response.content.decode()


# -- the shared field helpers at their boundaries -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (str(fields.MAX_ID), fields.MAX_ID),
        (str(fields.MAX_ID + 1), None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (ARABIC, None),
        (FULL_WIDTH, None),
        ("1_0", None),
        ("", None),
        (None, None),
        (HUGE, None),
    ],
)
def test_valid_id_at_its_bounds(value, expected):
    assert fields.valid_id(value) == expected


@pytest.mark.parametrize(
    ("raw", "maximum", "expected"),
    [
        ("0", 10, 0),
        ("10", 10, 10),
        (" 7 ", 10, 7),
        (7, 10, 7),
        ("11", 10, None),
        ("-1", 10, None),
        ("+3", 10, None),
        (ARABIC, 10, None),
        (FULL_WIDTH, 10, None),
        ("1_0", 20, None),
        ("3.0", 10, None),
        (TWENTY, 10, None),
    ],
)
def test_ballot_points_are_ascii_digits_within_the_maximum(raw, maximum, expected):
    if expected is None:
        with pytest.raises(ValidationError):
            points(raw, maximum)
    else:
        assert points(raw, maximum) == expected


# -- the dossier's forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "x" * 301, "tối đa 300"),
        ("title", NUL, NUL_VI),
        ("duration_months", ARABIC, "Hãy nhập số nguyên."),
        ("duration_months", HUGE, "Đảm bảo giá trị này"),
        ("duration_months", "-1", "Đảm bảo giá trị này"),
        ("abstract", "x" * 3001, "tối đa 3000"),
    ],
)
def test_the_general_section_refuses_bad_input_and_keeps_the_rest(
    draft, client_as, field, value, message
):
    data = {"title": "Tiêu đề giữ lại", "keywords": "lúa, mặn", "abstract": "Tóm tắt giữ lại",
            "duration_months": "24"}  # fmt: skip
    data[field] = value
    before = Proposal.objects.filter(pk=draft.pk).values().get()
    response = client_as("researcher@example.org").post(
        f"/proposals/{draft.pk}/edit/general/", data
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html and message in html
    kept = "Tóm tắt giữ lại" if field != "abstract" else "Tiêu đề giữ lại"
    assert kept in html
    after = Proposal.objects.filter(pk=draft.pk).values().get()
    assert after == before


def _budget_post(lines):
    data = {"budget-TOTAL_FORMS": str(len(lines)), "budget-INITIAL_FORMS": "0",
            "budget-MIN_NUM_FORMS": "0", "budget-MAX_NUM_FORMS": "100",
            "counterpart_funding": "0"}  # fmt: skip
    for n, (description, amount) in enumerate(lines):
        data.update({f"budget-{n}-category": "labour", f"budget-{n}-description": description,
                     f"budget-{n}-amount": amount})  # fmt: skip
    return data


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Mỗi dòng kinh phí phải lớn hơn 0 ₫."),
        ("-5", "âm"),
        (ARABIC + "00", "Nhập số tiền"),
        (FULL_WIDTH, "Nhập số tiền"),
        ("1_000", "Nhập số tiền"),
        (HUGE, "quá lớn"),
    ],
)
def test_a_budget_line_must_be_a_positive_amount_in_ascii_digits(draft, client_as, amount, message):
    draft.budget_lines.all().delete()
    response = client_as("researcher@example.org").post(
        f"/proposals/{draft.pk}/edit/budget/",
        _budget_post([("Công lao động giữ lại", "1.000.000"), ("Dòng lỗi", amount)]),
    )
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert "Công lao động giữ lại" in html
    assert BudgetLine.objects.filter(proposal=draft).count() == 0


def test_a_budget_line_of_one_dong_is_accepted(draft, client_as):
    draft.budget_lines.all().delete()
    response = client_as("researcher@example.org").post(
        f"/proposals/{draft.pk}/edit/budget/", _budget_post([("Một đồng", "1")])
    )
    assert response.status_code == 302
    assert list(draft.budget_lines.values_list("amount", flat=True)) == [1]


def test_a_dossier_requesting_nothing_cannot_be_submitted(draft, researcher, client_as):
    draft.budget_lines.update(amount=0)
    with pytest.raises(workflow.GuardFailed, match="0 ₫"):
        workflow.submit(draft, by=researcher)
    response = client_as("researcher@example.org").post(
        f"/proposals/{draft.pk}/transitions/submit/"
    )
    assert response.status_code == 400
    assert "Tổng kinh phí đề nghị là 0 ₫" in response.content.decode()
    assert Proposal.objects.get(pk=draft.pk).state == "draft"


def test_one_line_of_zero_beside_others_is_a_problem_too(draft, researcher):
    line = draft.budget_lines.first()
    BudgetLine.objects.create(proposal=draft, category=line.category, description="0", amount=0)
    with pytest.raises(workflow.GuardFailed, match="lớn hơn 0"):
        workflow.submit(draft, by=researcher)


@pytest.mark.parametrize(
    ("field", "value"),
    [("full_name", NUL), ("months", ARABIC), ("months", HUGE), ("email", "x" * 300 + "@a.vn")],
)
def test_the_team_form_refuses_bad_input(draft, client_as, field, value):
    before = TeamMember.objects.filter(proposal=draft).count()
    row = {"full_name": "Nguyễn Văn Giữ", "title": "TS.", "role": "member",
           "organisation_name": "Trường Đại học An Giang", "email": "giu@example.org",
           "months": "6"}  # fmt: skip
    row[field] = value
    data = {"team-TOTAL_FORMS": "1", "team-INITIAL_FORMS": "0", "team-MIN_NUM_FORMS": "0",
            "team-MAX_NUM_FORMS": "30", **{f"team-0-{k}": v for k, v in row.items()}}  # fmt: skip
    response = client_as("researcher@example.org").post(f"/proposals/{draft.pk}/edit/team/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Trường Đại học An Giang" in html
    assert TeamMember.objects.filter(proposal=draft).count() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("revision_deadline", "0001-01-01T00:00", ""),
        ("revision_deadline", "9999-12-31T23:59", "tối đa một năm"),
        ("revision_deadline", "31/02/2026 10:00", "Nhập một ngày/thời gian hợp lệ."),
        ("comment", "x" * 5001, "tối đa 5000"),
        ("comment", NUL, NUL_VI),
    ],
)
def test_the_officers_transition_form_refuses_bad_input(
    submitted, client_as, field, value, message
):
    data = {"return_for_revision-comment": "Bổ sung dự toán chi tiết",
            "return_for_revision-revision_deadline": (timezone.localtime() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")}  # fmt: skip
    data[f"return_for_revision-{field}"] = value
    entries = AuditEntry.objects.filter(proposal=submitted).count()
    response = client_as("officer@example.org").post(
        f"/proposals/{submitted.pk}/transitions/return_for_revision/", data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"
    assert AuditEntry.objects.filter(proposal=submitted).count() == entries


# -- the council and the appraisal ----------------------------------------------------------------


SCORES = {"overview": 10, "content": 20, "products": 13, "application": 13, "feasibility": 13,
          "capacity": 13}  # fmt: skip


@pytest.fixture
def reviewed(eligible, officer, reviewers):
    seat_council(eligible, reviewers)
    under_review = workflow.start_review(eligible, by=officer)
    for reviewer in reviewers:
        Ballot.objects.create(
            proposal=under_review, reviewer=reviewer, scores=SCORES, total=82,
            submitted_at=timezone.now(),
        )  # fmt: skip
    return workflow.complete_review(under_review, by=None)


def _appraisal_post(proposal, **changes):
    data = {"member-professional": "Nguyễn Thị Hoa", "member-finance": "Trần Văn Bình",
            "member-fund": "Lê Minh Đức", "member-council": "Nguyễn Văn Thành",
            "member-secretary": "Phạm Thu Trang", "note": "Kết luận giữ lại",
            "quote-0-item": "Máy đo mặn", "quote-0-supplier": "Công ty Hanna VN",
            "quote-0-date": (timezone.localdate() - datetime.timedelta(days=20)).isoformat(),
            "quote-0-amount": "45.000.000"}  # fmt: skip
    for line in proposal.budget_lines.all():
        data[f"line-{line.pk}"] = str(line.amount)
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quote-0-item": "x" * 201}, "tối đa 200"),
        ({"quote-0-supplier": "x" * 201}, "tối đa 200"),
        ({"quote-0-supplier": NUL}, NUL_VI),
        ({"member-finance": "x" * 151}, "tối đa 150"),
        ({"member-fund": NUL}, NUL_VI),
        ({"note": "x" * 5001}, "tối đa 5000"),
        ({"quote-0-amount": ARABIC}, "Nhập số tiền"),
        ({"quote-0-amount": HUGE}, "quá lớn"),
        ({"quote-0-date": "0001-01-01"}, "90 ngày"),
        ({"quote-0-date": "9999-12-31"}, "tương lai"),
        ({"quote-0-date": "2026-02-30"}, "Nhập một ngày hợp lệ."),
    ],
)
def test_the_appraisal_form_refuses_bad_input_and_saves_nothing(
    reviewed, client_as, changes, message
):
    response = client_as("officer@example.org").post(
        f"/proposals/{reviewed.pk}/appraisal/", _appraisal_post(reviewed, **changes)
    )
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert "Trần Văn Bình" in html or "member-finance" in changes
    assert not BudgetAppraisal.objects.filter(proposal=reviewed).exists()
    assert Proposal.objects.get(pk=reviewed.pk).appraised_amount is None


def test_the_appraisal_form_records_good_input(reviewed, client_as):
    response = client_as("officer@example.org").post(
        f"/proposals/{reviewed.pk}/appraisal/",
        _appraisal_post(reviewed, **{"quote-0-item": "x" * 200}),
    )
    assert response.status_code == 302
    assert BudgetAppraisal.objects.get(proposal=reviewed).quotes.get().item == "x" * 200


@pytest.fixture
def suggestion(eligible):
    return next(s.reviewer for s in council.suggestions(eligible) if not s.blocked)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seat", "overlord", "Hãy chọn một lựa chọn hợp lệ"),
        ("seat", "x" * 13, "Hãy chọn một lựa chọn hợp lệ"),
        ("seat", NUL, "Hãy chọn một lựa chọn hợp lệ"),
        ("reviewer", "abc", "Hãy chọn một lựa chọn hợp lệ"),
        ("reviewer", HUGE, "Hãy chọn một lựa chọn hợp lệ"),
        ("reviewer", ARABIC, "Hãy chọn một lựa chọn hợp lệ"),
        ("due_at", "0001-01-01", "Hạn chót không thể là một ngày đã qua."),
        ("due_at", "9999-12-31", "tối đa một năm"),
        ("due_at", "31/12/2026", "Nhập một ngày hợp lệ."),
    ],
)
def test_seating_refuses_unknown_values_and_stores_nothing(
    eligible, suggestion, client_as, field, value, message
):
    data = {"action": "seat", "reviewer": str(suggestion.pk), "seat": "member",
            "due_at": (timezone.localdate() + datetime.timedelta(days=14)).isoformat()}  # fmt: skip
    data[field] = value
    client = client_as("officer@example.org")
    response = client.post(f"/proposals/{eligible.pk}/council/", data, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReviewAssignment.objects.filter(proposal=eligible).exists()


def test_an_unknown_seat_is_refused_by_the_function_too(eligible, suggestion, officer):
    with pytest.raises(ValidationError, match="vị trí"):
        council.seat(eligible, suggestion, "overlord", by=officer)
    assert not ReviewAssignment.objects.filter(proposal=eligible).exists()


@pytest.mark.parametrize(("days", "valid"), [(-1, False), (0, True), (365, True), (366, False)])
def test_the_seat_deadline_at_its_bounds(days, valid):
    day = timezone.localdate() + datetime.timedelta(days=days)
    form = SeatForm({"reviewer": "1", "seat": "member", "due_at": day.isoformat()})
    form.is_valid()
    assert ("due_at" not in form.errors) is valid


def test_unseating_a_non_numeric_assignment_is_not_found(eligible, client_as):
    response = client_as("officer@example.org").post(
        f"/proposals/{eligible.pk}/council/", {"action": "unseat", "assignment": "abc"}
    )
    assert response.status_code == 404


@pytest.fixture
def my_seat(eligible, officer, reviewers):
    seat_council(eligible, reviewers)
    workflow.start_review(eligible, by=officer)
    return ReviewAssignment.objects.get(proposal=eligible, reviewer=reviewers[0])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (ARABIC, DIGITS_VI),
        (FULL_WIDTH, DIGITS_VI),
        ("+3", DIGITS_VI),
        ("1_0", DIGITS_VI),
        (TWENTY, "tối đa 10"),
        ("-1", DIGITS_VI),
        ("13", "Từ 0 đến 12 điểm."),
    ],
)
def test_a_ballot_score_in_another_digit_system_is_refused(my_seat, client_as, value, message):
    data = {f"score-{key}": str(points) for key, points in SCORES.items()}
    data.update({"score-overview": value, "comment-content": "Nhận xét giữ lại", "save": "1"})
    response = client_as("reviewer1@example.org").post(f"/reviews/{my_seat.pk}/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Nhận xét giữ lại" in html
    assert (
        not Ballot.objects.filter(proposal=my_seat.proposal, reviewer=my_seat.reviewer)
        .exclude(scores={})
        .exists()
    )


def test_a_ballot_score_in_another_digit_system_is_refused_by_the_function(my_seat):
    with pytest.raises(ValidationError) as refused:
        council.save_ballot(
            my_seat, by=my_seat.reviewer, scores={**SCORES, "overview": ARABIC}, comments={},
            comment="",
        )  # fmt: skip
    assert "overview" in refused.value.message_dict


@pytest.mark.parametrize("field", ["comment", "comment-content"])
def test_ballot_comments_refuse_nul_and_length(my_seat, field, client_as):
    for value in (NUL, "x" * 5001):
        data = {f"score-{key}": str(points) for key, points in SCORES.items()}
        data.update({field: value, "save": "1"})
        response = client_as("reviewer1@example.org").post(f"/reviews/{my_seat.pk}/", data)
        assert response.status_code == 400
    assert (
        not Ballot.objects.filter(reviewer=my_seat.reviewer, proposal=my_seat.proposal)
        .exclude(scores={})
        .exists()
    )


def test_the_ballot_form_takes_the_maximum_exactly():
    class Criterion:
        key, name, max_points = "overview", "Tổng quan", 10

    assert BallotForm({"score-overview": "10"}, criteria=[Criterion]).is_valid()
    assert not BallotForm({"score-overview": "11"}, criteria=[Criterion]).is_valid()


@pytest.mark.parametrize("reason", [NUL, "x" * 2001])
def test_declining_a_seat_refuses_a_bad_reason(eligible, reviewers, client_as, reason):
    seat_council(eligible, reviewers, accepted=0)
    seat = ReviewAssignment.objects.get(proposal=eligible, reviewer=reviewers[0])
    response = client_as("reviewer1@example.org").post(
        f"/reviews/{seat.pk}/", {"answer": "decline", "reason": reason}
    )
    assert response.status_code == 400
    assert ReviewAssignment.objects.get(pk=seat.pk).status == "invited"


# -- the catalogue, needs and deals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"technology": "", "action": "publish"}, "Trường này là bắt buộc."),
        ({"technology": "abc", "action": "publish"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"technology": HUGE, "action": "publish"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"technology": ARABIC, "action": "archive"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"technology": "{pk}", "action": "drop"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"technology": "{pk}", "action": "send_back", "comment": NUL}, NUL_VI),
        (
            {"technology": "{pk}", "action": "publish", "checklist": "x"},
            "Hãy chọn một lựa chọn hợp lệ",
        ),
    ],
)
def test_the_moderation_form_refuses_bad_input(client_as, data, message):
    technology = Technology.objects.filter(state="published").first()
    data = {k: v.replace("{pk}", str(technology.pk)) for k, v in data.items()}
    states = dict(Technology.objects.values_list("pk", "state"))
    response = client_as("officer@example.org").post("/technologies/moderation/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert dict(Technology.objects.values_list("pk", "state")) == states


def _need(**changes):
    from cms.models import Sector

    data = {"title": "Cần máy sấy lúa giữ lại", "problem": "Sấy lúa mùa mưa tốn than đá.",
            "sector": Sector.objects.get(slug="rice").pk, "budget_min": "", "budget_max": "",
            "desired_trl": "6",
            "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()}  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": "2000-01-01"}, "Hạn chót không thể là một ngày đã qua."),
        ({"deadline": "0001-01-01"}, "Hạn chót không thể là một ngày đã qua."),
        ({"deadline": "9999-12-31"}, "tối đa năm năm"),
        ({"budget_min": ARABIC}, "Nhập số tiền"),
        ({"budget_max": HUGE}, "quá lớn"),
        ({"desired_trl": HUGE}, ""),
        ({"problem": NUL}, NUL_VI),
    ],
)
def test_a_need_with_bad_input_is_not_published(client_as, changes, message):
    before = TechnologyNeed.objects.count()
    response = client_as("business@example.org").post("/needs/", _need(**changes))
    html = response.content.decode()
    assert response.status_code in (200, 400) and message in html
    assert "Cần máy sấy lúa giữ lại" in html
    assert TechnologyNeed.objects.count() == before


@pytest.mark.parametrize(
    ("days", "valid"), [(-1, False), (0, True), (5 * 366, True), (5 * 366 + 1, False)]
)
def test_a_need_deadline_at_its_bounds(days, valid):
    day = timezone.localdate() + datetime.timedelta(days=days)
    form = NeedForm(_need(deadline=day.isoformat()))
    form.is_valid()
    assert ("deadline" not in form.errors) is valid


def test_publishing_a_need_past_its_deadline_is_refused_by_the_workflow(user_by_email):
    business = user_by_email("business@example.org")
    need = TechnologyNeed.objects.filter(business=business).first()
    draft = TechnologyNeed.objects.create(
        business=business, title="Nhu cầu quá hạn", problem="x", sector=need.sector,
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(transfer_workflow.GuardFailed, match="Hạn chót"):
        transfer_workflow.publish_need(draft, by=business)
    draft.deadline = timezone.localdate()
    draft.save()
    assert transfer_workflow.publish_need(draft, by=business).state == "published"


@pytest.fixture
def negotiating(client_as):
    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    client_as("business@example.org").post(
        f"/technologies/{tech.pk}/interest/", {"message": "Cần 20.000 cây giống"}
    )
    deal = TransferDeal.objects.get(technology=tech)
    client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/")
    return TransferDeal.objects.get(pk=deal.pk)


def _terms(**changes):
    from tests.samples import pdf

    agreement = pdf()
    data = {"mode": "licence", "value": "150.000.000", "payment": "lump_sum",
            "term_months": "12", "signed_on": timezone.localdate().isoformat(),
            "agreement": agreement}  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"signed_on": "1900-01-01"}, "Ngày ký không thể trước ngày gửi yêu cầu"),
        ({"signed_on": "0001-01-01"}, "Ngày ký không thể trước ngày gửi yêu cầu"),
        ({"signed_on": "9999-12-31"}, "tương lai"),
        ({"value": ARABIC}, "Nhập số tiền"),
        ({"term_months": FULL_WIDTH}, DIGITS_VI),
        ({"term_months": HUGE}, ""),
        ({"mode": NUL}, "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_deal_terms_with_bad_input_are_not_recorded(negotiating, client_as, changes, message):
    response = client_as("business@example.org").post(
        f"/deals/{negotiating.pk}/record_terms/", _terms(**changes)
    )
    assert response.status_code == 400 and message in response.content.decode()
    deal = TransferDeal.objects.get(pk=negotiating.pk)
    assert deal.state == "negotiating" and deal.signed_on is None


def test_the_signing_date_at_its_bounds(negotiating, user_by_email):
    from tests.samples import pdf

    business = user_by_email("business@example.org")
    requested = timezone.localtime(negotiating.created_at).date()
    terms = {"mode": "licence", "value": 150_000_000, "payment": "lump_sum", "term_months": 12}
    with pytest.raises(transfer_workflow.GuardFailed, match="trước ngày gửi yêu cầu"):
        transfer_workflow.record_terms(
            negotiating, by=business, signed_on=requested - datetime.timedelta(days=1),
            agreement=pdf(), **terms,
        )  # fmt: skip
    with pytest.raises(transfer_workflow.GuardFailed, match="tương lai"):
        transfer_workflow.record_terms(
            negotiating, by=business, signed_on=timezone.localdate() + datetime.timedelta(days=1),
            agreement=pdf(), **terms,
        )  # fmt: skip
    done = transfer_workflow.record_terms(
        negotiating, by=business, signed_on=requested,
        agreement=pdf(), **terms,
    )  # fmt: skip
    assert done.state == "agreed" and done.signed_on == requested


@pytest.mark.parametrize("message", [NUL, "x" * 5001])
def test_a_request_for_a_technology_refuses_bad_text(client_as, message):
    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    before = TransferDeal.objects.count()
    response = client_as("business@example.org").post(
        f"/technologies/{tech.pk}/interest/", {"message": message}, follow=True
    )
    # The form comes back with the site's error summary, the text kept, nothing saved.
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert TransferDeal.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "x" * 301), ("title", NUL), ("price", ARABIC), ("price", HUGE), ("trl", HUGE),
     ("trl", ARABIC), ("summary_en", NUL)],
)  # fmt: skip
def test_a_listing_with_bad_input_is_not_saved(client_as, field, value):
    from cms.models import Sector

    data = {"title": "Công nghệ giữ lại", "summary": "Tóm tắt giữ lại", "description": "Mô tả",
            "sector": Sector.objects.get(slug="rice").pk, "trl": "6", "ip_status": "know_how",
            "transfer_modes": ["licence"], "price": ""}  # fmt: skip
    data[field] = value
    before = Technology.objects.count()
    response = client_as("researcher@example.org").post("/technologies/new/", data)
    html = response.content.decode()
    assert response.status_code == 400 and f'id="id_{field}_error"' in html
    assert "Tóm tắt giữ lại" in html
    assert Technology.objects.count() == before


# -- a decision while another request holds the lock: a 409, not "database is locked" ------------


def _hold_the_write_lock(ready, release):
    """In another connection: take the database's (SQLite) or the row's (PostgreSQL) write lock
    and keep it until told to let go."""
    try:
        proposal = Proposal.objects.get(title__startswith="Tuyển chọn dòng lúa thơm chịu mặn 4‰")
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            else:
                cursor.execute("BEGIN")
                cursor.execute(
                    "SELECT id FROM grants_proposal WHERE id = %s FOR UPDATE", [proposal.pk]
                )
            ready.set()
            release.wait(timeout=20)
            cursor.execute("ROLLBACK")
    finally:
        ready.set()
        connections.close_all()


@pytest.fixture
def officer_client(settings, user_by_email):
    """An officer signed in without writing to the database (SQLite lets one connection write
    at a time: this test's own transaction must not be the one holding the lock)."""
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    client = Client()
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    try:
        client.force_login(user_by_email("officer@example.org"))
    finally:
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
    return client


@pytest.fixture
def someone_holds_the_lock(officer_client):
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_the_write_lock, args=(ready, release))
    holder.start()
    ready.wait(timeout=20)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
    yield
    release.set()
    holder.join(timeout=20)


def test_a_decision_while_another_request_writes_is_a_clear_conflict(
    officer_client, someone_holds_the_lock, user_by_email
):
    officer = user_by_email("officer@example.org")
    proposal = Proposal.objects.get(title__startswith="Tuyển chọn dòng lúa thơm chịu mặn 4‰")
    entries = AuditEntry.objects.filter(proposal=proposal).count()
    with pytest.raises(workflow.StateConflict, match="cùng lúc"):
        workflow.mark_eligible(proposal, by=officer)
    response = officer_client.post(
        f"/api/v1/proposals/{proposal.pk}/transitions/mark_eligible/", {},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 409
    assert "Có người khác đang thay đổi hồ sơ này cùng lúc" in response.json()["detail"]
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"
    assert AuditEntry.objects.filter(proposal=proposal).count() == entries
