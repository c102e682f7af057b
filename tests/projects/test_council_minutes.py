"""The acceptance council's minutes (biên bản họp hội đồng nghiệm thu): a Decree 30 document,
rendered and signed once at the close, served to the investigator, the Department's staff and
the council's members, recognised by /verify/."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core import signing
from core.models import SignedDocument
from tests.projects import council_setup as cs

pytestmark = pytest.mark.django_db


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def decided(officer, django_capture_on_commit_callbacks):
    """A council of nine: seven excellent, one pass, one fail → pass (a fail blocks excellent)."""
    acceptance, seats = cs.grading(officer)
    for seat in seats[:7]:
        cs.submit(seat, "excellent")
    cs.submit(seats[7], "pass")
    with django_capture_on_commit_callbacks(execute=True):
        cs.submit(seats[8], "fail")
    acceptance.refresh_from_db()
    return acceptance, seats


def name(user):
    return getattr(getattr(user, "profile", None), "full_name", "") or user.email


def minutes_url(acceptance):
    return f"/proposals/{acceptance.contract.proposal_id}/acceptance/minutes.pdf"


def test_the_minutes_are_signed_once_at_the_close(decided):
    acceptance, _seats = decided
    document = SignedDocument.objects.get(kind="acceptance_minutes", key=str(acceptance.pk))
    assert document.dated == timezone.localdate(acceptance.decided_at)
    assert document.path == minutes_url(acceptance)


def test_the_minutes_name_the_members_their_grades_and_the_verdict(decided, client_as):
    acceptance, seats = decided
    response = client_as("researcher@example.org").get(minutes_url(acceptance))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "BIÊN BẢN HỌP HỘI ĐỒNG ĐÁNH GIÁ, NGHIỆM THU" in text.upper()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    # The member's column has a fixed width: a name wraps at its spaces, a long e-mail address
    # anywhere inside (base.html, `table.grid td.who`).
    joined = "".join(text.split())
    text = " ".join(text.split())  # justified lines space their words out
    for seat in seats:
        assert "".join(name(seat.member).split()) in joined
    assert "Xuất sắc" in text and "Không đạt" in text
    assert "mức Đạt" in text  # the verdict
    assert acceptance.contract.number in text
    assert timezone.localdate(acceptance.decided_at).strftime("%d/%m/%Y") in text
    assert timezone.localtime(acceptance.submitted_at).strftime("%d/%m/%Y") in text
    assert "9/9" in text  # members present of the seats
    assert "THƯ KÝ KHOA HỌC" in text and "CHỦ TỊCH HỘI ĐỒNG" in text


def test_every_download_is_the_same_signed_file_and_verify_knows_it(decided, client_as):
    acceptance, seats = decided
    first = client_as("officer@example.org").get(minutes_url(acceptance)).content
    again = client_as(seats[0].member.email).get(minutes_url(acceptance)).content
    assert first == again
    verdict = signing.verify_pdf(first)
    assert verdict.status == "valid" and verdict.department and verdict.whole_file
    assert signing.registered(verdict).kind == "acceptance_minutes"
    page = client_as(None).post("/verify/", {"file": io.BytesIO(first)})
    assert "Biên bản họp hội đồng nghiệm thu" in page.content.decode()


def test_who_may_read_the_minutes(decided, client_as):
    acceptance, seats = decided
    url = minutes_url(acceptance)
    for email in ("researcher@example.org", "manager@example.org", seats[4].member.email):
        assert client_as(email).get(url).status_code == 200, email
    stranger = cs.new_reviewer("stranger")
    assert client_as(stranger.email).get(url).status_code == 403
    assert client_as("researcher2@example.org").get(url).status_code == 403
    assert client_as(None).get(url).status_code == 302


def test_no_minutes_before_the_verdict(officer, client_as):
    acceptance, _seats = cs.grading(officer)
    assert client_as("officer@example.org").get(minutes_url(acceptance)).status_code == 404


def test_the_acceptance_panel_shows_the_verdict_and_links(decided, rf, user_by_email):
    from django.template.loader import render_to_string

    acceptance, seats = decided
    for email, sees_names in (("researcher@example.org", True), ("officer@example.org", True)):
        request = rf.get("/")
        request.user = user_by_email(email)
        html = render_to_string(
            "projects/_acceptance_council.html", {"acceptance": acceptance}, request=request
        )
        assert "Kết luận" in html and acceptance.verdict_reason in html
        assert minutes_url(acceptance) in html
        assert (name(seats[0].member) in html) == sees_names


def test_the_panel_hides_the_council_from_the_investigator_until_the_verdict(
    officer, rf, user_by_email
):
    from django.template.loader import render_to_string

    acceptance, seats = cs.grading(officer)
    request = rf.get("/")
    request.user = user_by_email("researcher@example.org")
    html = render_to_string(
        "projects/_acceptance_council.html", {"acceptance": acceptance}, request=request
    )
    assert "9 vị trí" in html
    assert name(seats[0].member) not in html
    assert "/acceptance/council/" not in html
    request.user = officer
    staff_html = render_to_string(
        "projects/_acceptance_council.html", {"acceptance": acceptance}, request=request
    )
    assert f"/proposals/{acceptance.contract.proposal_id}/acceptance/council/" in staff_html
