"""Budget appraisal, results per call, council minutes and the funding decision."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from grants import appraisal, workflow
from grants.models import Ballot, Proposal
from tests.grants.conftest import seat_council

pytestmark = pytest.mark.django_db

GOOD = {"overview": 10, "content": 20, "products": 13, "application": 13, "feasibility": 13,
        "capacity": 13}  # fmt: skip


def pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def reviewed(eligible, officer, reviewers):
    seat_council(eligible, reviewers)
    under_review = workflow.start_review(eligible, by=officer)
    for n, reviewer in enumerate(reviewers):
        # the last one is an outlier: 54 points, 24 from the mean of 78 (more than 15.6)
        scores = dict(GOOD, content=2, products=3) if n == 6 else GOOD
        Ballot.objects.create(
            proposal=under_review, reviewer=reviewer, scores=scores, total=sum(scores.values()),
            submitted_at=timezone.now(),
        )  # fmt: skip
    return workflow.complete_review(under_review, by=None)


def appraise(proposal, officer, cut=100_000_000, **overrides):
    lines = {}
    for index, line in enumerate(proposal.budget_lines.all()):
        amount = line.amount - cut if index == 0 else line.amount
        lines[line.pk] = (amount, "Giảm công lao động theo định mức" if index == 0 else "")
    kwargs = {
        "members": {
            "professional": "Nguyễn Thị Hoa", "finance": "Trần Văn Bình", "fund": "Lê Minh Đức",
            "council": "Nguyễn Văn Thành", "secretary": "Phạm Thu Trang",
        },
        "lines": lines,
        "quotes": [("Máy đo mặn", "Công ty Hanna VN", timezone.localdate() - datetime.timedelta(days=20), 45_000_000)],
    }  # fmt: skip
    kwargs.update(overrides)
    return appraisal.record(proposal, by=officer, **kwargs)


def test_appraisal_rules(reviewed, officer, manager):
    with pytest.raises(Exception, match="thẩm định|appraisal"):
        appraisal.record(reviewed, by=manager, members={}, lines={}, quotes=[])
    from django.core.exceptions import ValidationError

    old = [("Máy", "Hanna", timezone.localdate() - datetime.timedelta(days=91), 1)]
    with pytest.raises(ValidationError) as failure:
        appraise(reviewed, officer, quotes=old)
    assert "90" in str(failure.value.message_dict["quote-0"])
    no_reason = {line.pk: (line.amount - 1, "") for line in reviewed.budget_lines.all()}
    with pytest.raises(ValidationError) as failure:
        appraise(reviewed, officer, lines=no_reason)
    assert all(key.startswith("reason-") for key in failure.value.message_dict)
    record = appraise(reviewed, officer)
    reviewed.refresh_from_db()
    assert reviewed.appraised_amount == reviewed.requested_amount - 100_000_000 == record.total
    assert reviewed.appraised_by == officer and len(record.members) == 5


def test_fund_issues_a_numbered_decision_pdf(reviewed, officer, manager, client_as):
    appraise(reviewed, officer)
    reviewed.refresh_from_db()
    funded = workflow.fund(reviewed, by=manager, approved_amount=850_000_000)
    assert funded.decision_number.endswith("/QĐ-SKHCN")
    response = client_as("researcher@example.org").get(f"/proposals/{funded.pk}/decision.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "850.000.000 ₫" in text
    assert timezone.localdate().strftime("%d/%m/%Y") in text
    assert funded.decision_number in text and "Võ Minh Quang" in text
    english = client_as("researcher@example.org").get(f"/en/proposals/{funded.pk}/decision.pdf")
    text = pdf_text(english.content)
    assert "Article 1" in text and "850,000,000 ₫" in text
    assert (
        client_as("researcher2@example.org").get(f"/proposals/{funded.pk}/decision.pdf").status_code
        == 403
    )
    assert (
        client_as("reviewer1@example.org").get(f"/proposals/{funded.pk}/decision.pdf").status_code
        == 403
    )


def test_decision_numbers_are_consecutive_and_a_rejection_has_one_too(reviewed, officer, manager):
    first = workflow.reject(reviewed, by=manager, comment="Vượt kinh phí của đợt")
    number = int(first.decision_number.split("/")[0])
    assert number >= 1
    other = Proposal.objects.filter(state="reviewed").exclude(pk=first.pk).first()
    second = workflow.reject(other, by=manager, comment="Chưa đạt")
    assert int(second.decision_number.split("/")[0]) == number + 1


def test_minutes_show_every_ballot_with_the_outlier_marked(reviewed, client_as):
    response = client_as("officer@example.org").get(f"/proposals/{reviewed.pk}/minutes.pdf")
    text = pdf_text(response.content)
    assert "BIÊN BẢN HỌP HỘI ĐỒNG TƯ VẤN TUYỂN CHỌN" in text
    assert "Bị loại" in text and "82,00" in text
    assert "7/7" in text
    assert (
        client_as("researcher@example.org").get(f"/proposals/{reviewed.pk}/minutes.pdf").status_code
        == 403
    )


def test_results_rank_with_running_total_and_export(reviewed, client_as):
    client = client_as("manager@example.org")
    page = client.get(f"/proposals/calls/{reviewed.call_id}/results/")
    html = page.content.decode()
    assert page.status_code == 200 and reviewed.title in html and "82,00" in html
    assert "6 hợp lệ, 1 bị loại" in html
    sheet = load_workbook(
        io.BytesIO(client.get(f"/proposals/calls/{reviewed.call_id}/results/?format=xlsx").content)
    ).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][1] == reviewed.receipt_number and rows[0][4] == 82.0 and rows[0][6] == 1
    assert (
        client_as("researcher@example.org")
        .get(f"/proposals/calls/{reviewed.call_id}/results/")
        .status_code
        == 403
    )


def test_appraisal_page_keeps_input_and_shows_errors(reviewed, client_as):
    client = client_as("officer@example.org")
    line = reviewed.budget_lines.first()
    data = {"member-professional": "Nguyễn Thị Hoa", f"line-{line.pk}": "-5",
            f"reason-{line.pk}": "", "note": "Kết luận"}  # fmt: skip
    response = client.post(f"/proposals/{reviewed.pk}/appraisal/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nguyễn Thị Hoa" in html and "Kết luận" in html
    assert "âm" in html  # the negative amount
    assert (
        client_as("manager@example.org").get(f"/proposals/{reviewed.pk}/appraisal/").status_code
        == 403
    )


def test_the_manager_funds_from_the_page_with_the_appraised_amount_offered(
    reviewed, officer, client_as
):
    appraise(reviewed, officer)
    client = client_as("manager@example.org")
    page = client.get(f"/proposals/{reviewed.pk}/").content.decode()
    appraised = Proposal.objects.get(pk=reviewed.pk).appraised_amount
    assert f'value="{appraised:,}"'.replace(",", ".") in page
    response = client.post(
        f"/proposals/{reviewed.pk}/transitions/fund/",
        {"fund-approved_amount": f"{appraised:,}".replace(",", ".")},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=reviewed.pk).approved_amount == appraised


def test_session_minutes_rank_the_calls_proposals(client_as):
    from grants.models import CallPage

    call = CallPage.objects.get(code="AG-NNTM25", locale__language_code="vi")
    response = client_as("officer@example.org").get(f"/proposals/calls/{call.pk}/minutes.pdf")
    text = pdf_text(response.content)
    scored = Proposal.objects.filter(call=call, aggregate_score__isnull=False).order_by("rank")
    assert [p.receipt_number in text for p in scored] == [True] * scored.count()
    assert "bị loại" in text and "Nguyễn Văn Thành" in text
    assert (
        client_as("reviewer1@example.org")
        .get(f"/proposals/calls/{call.pk}/minutes.pdf")
        .status_code
        == 403
    )
