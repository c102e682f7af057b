"""The proposal screens: who may open what, bad input, and the applicant's and officer's paths."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from grants import demo, workflow
from grants.models import AuditEntry, CallPage, Proposal
from tests.samples import PDF

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "owner": "researcher@example.org",
    "other_researcher": "researcher2@example.org",
    "business": "business@example.org",
    "reviewer": "reviewer1@example.org",
    "officer": "officer@example.org",
    "manager": "manager@example.org",
}
STAFF_AND_OWNER = {"owner": 200, "officer": 200, "manager": 200}


def expected(allowed, who):
    if who == "anonymous":
        return 302
    return allowed.get(who, 403)


# -- the permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    "url, allowed",
    [
        ("detail", STAFF_AND_OWNER),
        ("receipt", STAFF_AND_OWNER),
        ("attachment", STAFF_AND_OWNER),
        ("versions", STAFF_AND_OWNER),
        ("export_csv", {"officer": 200, "manager": 200}),
        ("export_xlsx", {"officer": 200, "manager": 200}),
        ("list", {name: 200 for name in ROLES if name != "anonymous"}),
    ],
)
def test_read_matrix(url, allowed, who, client_as, submitted, officer, researcher):
    returned = workflow.return_for_revision(
        submitted,
        by=officer,
        comment="Bổ sung",
        revision_deadline=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3),
    )
    proposal = workflow.submit(returned, by=researcher)  # two versions to compare
    attachment = proposal.attachments.first()
    urls = {
        "detail": reverse("proposal_detail", args=[proposal.pk]),
        "receipt": reverse("proposal_receipt", args=[proposal.pk]),
        "attachment": reverse("proposal_attachment", args=[proposal.pk, attachment.pk]),
        "versions": reverse("proposal_versions", args=[proposal.pk]),
        "export_csv": reverse("proposal_export", args=["csv"]),
        "export_xlsx": reverse("proposal_export", args=["xlsx"]),
        "list": reverse("proposal_list"),
    }
    response = client_as(ROLES[who]).get(urls[url])
    assert response.status_code == expected(allowed, who)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("section", ["general", "team", "budget", "attachments"])
def test_only_the_owner_edits_a_draft(section, who, client_as, draft):
    response = client_as(ROLES[who]).get(reverse("proposal_edit", args=[draft.pk, section]))
    assert response.status_code == expected({"owner": 200}, who)
    response = client_as(ROLES[who]).post(
        reverse("proposal_edit", args=[draft.pk, "general"]), {"title": "Chiếm quyền"}
    )
    draft.refresh_from_db()
    if who == "owner":
        assert draft.title == "Chiếm quyền"
    else:
        assert draft.title != "Chiếm quyền"
        assert response.status_code in (302, 403)


TRANSITION_CASES = [
    # (state fixture, transition, who fires it, whose role allows it but not in this state)
    ("draft", "submit", {"owner"}, set()),
    ("draft", "withdraw", {"owner"}, set()),
    ("submitted", "mark_eligible", {"officer"}, set()),
    ("submitted", "mark_ineligible", {"officer"}, set()),
    ("submitted", "return_for_revision", {"officer"}, set()),
    ("submitted", "withdraw", {"owner"}, set()),
    ("submitted", "submit", set(), {"owner"}),  # a double submit
    ("submitted", "fund", set(), {"manager"}),  # too early
    ("submitted", "mark_transferred", set(), set()),  # the system's alone
    ("submitted", "no_such_transition", set(), set()),
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("state, name, allowed, stale", TRANSITION_CASES)
def test_transition_matrix(state, name, allowed, stale, who, client_as, request):
    proposal = request.getfixturevalue(state)
    before = (proposal.state, AuditEntry.objects.filter(proposal=proposal).count())
    data = {
        f"{name}-comment": "Lý do đầy đủ",
        f"{name}-revision_deadline": (
            datetime.datetime.now() + datetime.timedelta(days=5)
        ).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client_as(ROLES[who]).post(f"/proposals/{proposal.pk}/transitions/{name}/", data)
    proposal = Proposal.objects.get(pk=proposal.pk)
    after = (proposal.state, AuditEntry.objects.filter(proposal=proposal).count())
    if who in allowed:
        assert response.status_code == 302
        assert after[1] == before[1] + 1 and after[0] != before[0]
    elif who in stale:  # the role may, the state may not: a clear message, nothing changes
        assert response.status_code == 302 and after == before
        page = client_as(ROLES[who]).get(response["Location"]).content.decode()
        assert "nên thao tác này không được thực hiện" in page
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)
        assert after == before


def test_buttons_are_only_those_the_user_may_fire(client_as, submitted):
    officer_page = client_as("officer@example.org").get(f"/proposals/{submitted.pk}/").content
    assert b"/transitions/mark_eligible/" in officer_page
    assert b"/transitions/withdraw/" not in officer_page
    owner_page = client_as("researcher@example.org").get(f"/proposals/{submitted.pk}/").content
    assert b"/transitions/withdraw/" in owner_page
    assert b"/transitions/mark_eligible/" not in owner_page
    manager_page = client_as("manager@example.org").get(f"/proposals/{submitted.pk}/").content
    assert b"/transitions/" not in manager_page


# -- the applicant's path -------------------------------------------------------------------------


def test_submit_through_the_page_gives_a_receipt_pdf_and_mail(
    client_as, draft, django_capture_on_commit_callbacks
):
    client = client_as("researcher@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/proposals/{draft.pk}/transitions/submit/", follow=True)
    draft.refresh_from_db()
    assert draft.state == "submitted"
    assert draft.receipt_number in response.content.decode()
    pdf = client.get(f"/proposals/{draft.pk}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert draft.receipt_number in text
    assert "Mẫu 02: Thuyết minh nhiệm vụ khoa học và công nghệ" in text
    assert draft.verification_code in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert any(draft.receipt_number in m.subject for m in mail.outbox)


def test_the_receipt_verifies_publicly(client, submitted):
    response = client.get(f"/proposals/verify/{submitted.verification_code}/")
    assert response.status_code == 200
    assert submitted.receipt_number in response.content.decode()
    assert client.get("/proposals/verify/0000000000/").status_code == 404


def test_submit_after_the_deadline_is_refused_and_the_text_is_kept(client_as, draft, open_call):
    client = client_as("researcher@example.org")
    form_page = client.get(f"/proposals/{draft.pk}/")  # opened before the deadline
    assert b"/transitions/submit/" in form_page.content
    CallPage.objects.filter(pk=open_call.pk).update(
        closes_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    )
    response = client.post(f"/proposals/{draft.pk}/transitions/submit/")
    assert response.status_code == 400
    assert "giờ Việt Nam" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == "draft" and draft.title == "Chọn tạo giống lúa thơm chịu mặn ST-AG1"
    # Writing still works after the deadline: nothing typed is lost.
    saved = client.post(
        f"/proposals/{draft.pk}/edit/rationale/", {"rationale": "Bản sửa", "objectives": "x"}
    )
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.rationale == "Bản sửa"


def test_incomplete_draft_shows_what_is_missing(client_as, open_call):
    client = client_as("researcher2@example.org")
    client.get(f"{open_call.url}apply/")
    proposal = Proposal.objects.get(call=open_call, owner__email="researcher2@example.org")
    html = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Mẫu 01: Đơn đăng ký chủ trì nhiệm vụ" in html  # the attachment still missing
    response = client.post(f"/proposals/{proposal.pk}/transitions/submit/")
    assert response.status_code == 400
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"


def test_html_in_every_text_field_is_shown_escaped(client_as, draft):
    client = client_as("researcher@example.org")
    evil = '<script>alert("x")</script><b>bold</b>'
    for section, fields in {
        "general": ["title", "keywords", "abstract"],
        "rationale": ["rationale", "objectives"],
        "content": ["content_methods"],
        "products": ["expected_products", "application_plan"],
    }.items():
        data = dict.fromkeys(fields, evil)
        if section == "general":
            data.update(sector=draft.sector_id, duration_months=24)
        assert client.post(f"/proposals/{draft.pk}/edit/{section}/", data).status_code == 302
    for page in (f"/proposals/{draft.pk}/", f"/proposals/{draft.pk}/edit/general/", "/proposals/"):
        html = client.get(page).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5000000", "âm"),  # negative
        ("999999999999999999", "quá lớn"),  # huge
        ("một triệu", "số nguyên"),  # not a number
    ],
)
def test_bad_budget_amounts_are_refused_next_to_the_field(client_as, draft, amount, message):
    client = client_as("researcher@example.org")
    lines = list(draft.budget_lines.all())
    data = {
        "budget-TOTAL_FORMS": str(len(lines) + 1),
        "budget-INITIAL_FORMS": str(len(lines)),
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "100",
        "counterpart_funding": "150.000.000",
    }
    for index, line in enumerate(lines):
        data.update(
            {
                f"budget-{index}-id": line.pk,
                f"budget-{index}-category": line.category,
                f"budget-{index}-description": line.description,
                f"budget-{index}-amount": str(line.amount),
            }
        )
    new = len(lines)
    data.update(
        {
            f"budget-{new}-category": "equipment",
            f"budget-{new}-description": "Máy đo độ mặn cầm tay Hanna",
            f"budget-{new}-amount": amount,
        }
    )
    response = client.post(f"/proposals/{draft.pk}/edit/budget/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_budget-{new}-amount_error"' in html
    assert "Máy đo độ mặn cầm tay Hanna" in html  # the text is kept
    assert draft.budget_lines.count() == len(lines)  # nothing saved half-way


def test_amounts_typed_with_dots_are_understood(client_as, draft):
    client = client_as("researcher@example.org")
    data = {
        "budget-TOTAL_FORMS": "1",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "100",
        "budget-0-category": "travel",
        "budget-0-description": "Khảo sát Phú Quốc",
        "budget-0-amount": "12.500.000 ₫",
        "counterpart_funding": "0",
    }
    assert client.post(f"/proposals/{draft.pk}/edit/budget/", data).status_code == 302
    assert draft.budget_lines.get(description="Khảo sát Phú Quốc").amount == 12_500_000


def test_uploads_are_checked_by_content(client_as, draft, settings):
    client = client_as("researcher@example.org")
    url = f"/proposals/{draft.pk}/edit/attachments/"
    exe = SimpleUploadedFile("ke-hoach.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")
    response = client.post(url, {"label": "Kế hoạch", "file": exe})
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    zip_not_office = SimpleUploadedFile("bang.xlsx", _zip({"a.txt": b"x"}))
    assert client.post(url, {"label": "Bảng", "file": zip_not_office}).status_code == 400
    settings.PORTAL_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (1024 * 1024 + 1))
    response = client.post(url, {"label": "Lớn", "file": big})
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    count = draft.attachments.count()
    good = SimpleUploadedFile("bao-gia.pdf", PDF, "application/octet-stream")
    assert client.post(url, {"label": "Báo giá thiết bị", "file": good}).status_code == 302
    attachment = draft.attachments.get(label="Báo giá thiết bị")
    assert draft.attachments.count() == count + 1
    assert attachment.content_type == "application/pdf"
    assert str(settings.MEDIA_ROOT) not in attachment.file.path  # kept out of the public media
    download = client.get(f"/proposals/{draft.pk}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == PDF


def _zip(files):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_autosave_saves_and_stops_once_submitted(client_as, draft, researcher):
    client = client_as("researcher@example.org")
    url = f"/proposals/{draft.pk}/edit/products/"
    response = client.post(
        url,
        {"expected_products": "03 giống lúa", "application_plan": "HTX Tân Hiệp"},
        headers={"X-Autosave": "1"},
    )
    assert response.status_code == 200 and response.json()["saved"] is True
    draft.refresh_from_db()
    assert draft.expected_products == "03 giống lúa"
    workflow.submit(draft, by=researcher)
    response = client.post(url, {"expected_products": "đổi"}, headers={"X-Autosave": "1"})
    assert response.status_code == 409
    assert Proposal.objects.get(pk=draft.pk).expected_products == "03 giống lúa"


def test_versions_compare_shows_the_changed_text(client_as, submitted, officer, researcher):
    returned = workflow.return_for_revision(
        submitted,
        by=officer,
        comment="Làm rõ mục tiêu",
        revision_deadline=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3),
    )
    returned.objectives = "Chọn được 03 giống chịu mặn 5‰."
    returned.save()
    workflow.submit(returned, by=researcher)
    html = client_as("officer@example.org").get(f"/proposals/{submitted.pk}/versions/").content
    html = html.decode()
    assert "+Chọn được 03 giống chịu mặn 5‰." in html
    assert "-Chọn được 02 giống chịu mặn 4‰, năng suất từ 7 tấn/ha." in html


# -- the officer's side ---------------------------------------------------------------------------


def test_return_for_revision_needs_comment_and_deadline_and_keeps_the_text(client_as, submitted):
    client = client_as("officer@example.org")
    url = f"/proposals/{submitted.pk}/transitions/return_for_revision/"
    response = client.post(url, {"return_for_revision-comment": ""})
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "return_for_revision-comment": "Thiếu lý lịch khoa học",
            "return_for_revision-revision_deadline": "",
        },
    )
    assert response.status_code == 400
    assert "Thiếu lý lịch khoa học" in response.content.decode()
    assert Proposal.objects.get(pk=submitted.pk).state == "submitted"


def test_a_second_officer_gets_a_clear_message_when_the_first_won(client_as, submitted, officer):
    workflow.mark_eligible(submitted, by=officer)
    response = client_as("officer@example.org").post(
        f"/proposals/{submitted.pk}/transitions/mark_ineligible/",
        {"mark_ineligible-comment": "Sai mẫu"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Hồ sơ đã chuyển sang “Hợp lệ” nên thao tác này không được thực hiện." in (
        response.content.decode()
    )
    assert Proposal.objects.get(pk=submitted.pk).state == "eligible"


def test_queue_filters_search_sort_and_counts(client_as, submitted, officer):
    client = client_as("officer@example.org")
    html = client.get("/proposals/", {"q": submitted.receipt_number}).content.decode()
    assert submitted.title in html and "1 hồ sơ" in html
    html = client.get("/proposals/", {"state": "eligible"}).content.decode()
    assert submitted.title not in html
    html = client.get("/proposals/", {"call": submitted.call_id, "state": "submitted"}).content
    assert submitted.title in html.decode()
    html = client.get("/proposals/", {"q": "Trần Văn Minh", "sort": "amount"}).content.decode()
    assert submitted.title in html
    drafts = client.get("/proposals/", {"q": "AGU-ST1"}).content.decode()
    assert "Kiên Lương" not in drafts  # a draft is the applicant's own business
    bad = client.get("/proposals/", {"state": "nonsense", "sort": "'; drop table"})
    assert bad.status_code == 200


def test_queue_queries_do_not_grow_with_the_data(
    client_as, submitted, open_call, django_assert_max_num_queries, user_by_email
):
    client = client_as("officer@example.org")
    client.get("/proposals/")  # warm the caches of the session and site
    with django_assert_max_num_queries(20) as first:
        client.get("/proposals/")
    owner = user_by_email("researcher2@example.org")
    for index in range(30):
        Proposal(
            call=open_call, owner=owner, state="submitted", title=f"Hồ sơ {index}",
            receipt_number=f"X-{index}", sector=submitted.sector, organisation=submitted.organisation,
        ).save()  # fmt: skip
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/proposals/")


def test_my_proposals_lists_only_mine(client_as, submitted):
    html = client_as("researcher2@example.org").get("/proposals/").content.decode()
    assert submitted.title not in html
    html = client_as("researcher@example.org").get("/proposals/").content.decode()
    assert submitted.title in html and submitted.receipt_number in html


def test_exports_carry_the_filtered_rows(client_as, submitted):
    client = client_as("officer@example.org")
    response = client.get("/proposals/export.csv", {"q": submitted.receipt_number})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][0] == submitted.receipt_number
    response = client.get("/proposals/export.xlsx", {"state": "submitted"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    receipts = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert submitted.receipt_number in receipts
    assert client.get("/proposals/export.pdf").status_code == 404


def test_demo_has_a_proposal_in_every_state_but_transferred():
    states = set(Proposal.objects.values_list("state", flat=True))
    assert states >= {s for s, _ in Proposal._meta.get_field("state").choices} - {"transferred"}


def test_demo_helper_matches_the_design_budget_cap(open_call, researcher):
    proposal, _ = demo.draft_for(open_call, researcher)
    demo.fill(proposal, title="x", budget=demo.budget_for(open_call.max_per_project))
    assert proposal.budget_total() <= open_call.max_per_project


@pytest.mark.parametrize("who", ["officer", "manager"])
def test_staff_do_not_see_drafts_never_submitted(client_as, draft, who):
    assert client_as(ROLES[who]).get(f"/proposals/{draft.pk}/").status_code == 403
    attachment = draft.attachments.first()
    url = f"/proposals/{draft.pk}/attachments/{attachment.pk}/"
    assert client_as(ROLES[who]).get(url).status_code == 403


def test_the_owner_sees_what_the_department_asked_for(client_as, submitted, officer):
    workflow.return_for_revision(
        submitted,
        by=officer,
        comment="Bổ sung báo giá thiết bị đo mặn",
        revision_deadline=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3),
    )
    client = client_as("researcher@example.org")
    for url in (f"/proposals/{submitted.pk}/", f"/proposals/{submitted.pk}/edit/budget/"):
        html = client.get(url).content.decode()
        assert "Bổ sung báo giá thiết bị đo mặn" in html
        assert "Sở đã trả hồ sơ để bổ sung" in html


def test_html_in_team_budget_attachments_and_comments_is_escaped(
    client_as, draft, researcher, officer
):
    evil = "<img src=x onerror=alert(1)>"
    draft.team.create(full_name=evil, organisation_name=evil, title=evil)
    draft.budget_lines.create(category="other", description=evil, amount=1)
    attachment = draft.attachments.first()
    type(attachment).objects.filter(pk=attachment.pk).update(label=evil, original_name=evil)
    submitted = workflow.submit(draft, by=researcher)
    workflow.return_for_revision(
        submitted,
        by=officer,
        comment=evil,
        revision_deadline=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3),
    )
    for who in ("researcher@example.org", "officer@example.org"):
        html = client_as(who).get(f"/proposals/{draft.pk}/").content.decode()
        assert "<img src=x" not in html
        assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 4


@pytest.mark.parametrize("who", ROLES)
def test_only_the_owner_removes_an_attachment(who, client_as, draft):
    attachment = draft.attachments.first()
    response = client_as(ROLES[who]).post(
        f"/proposals/{draft.pk}/attachments/{attachment.pk}/delete/"
    )
    still_there = draft.attachments.filter(pk=attachment.pk).exists()
    if who == "owner":
        assert response.status_code == 302 and not still_there
    else:
        assert response.status_code == (302 if who == "anonymous" else 403) and still_there


@pytest.mark.parametrize("who", ROLES)
def test_api_detail_matrix(who, client_as, submitted):
    response = client_as(ROLES[who]).get(f"/api/v1/proposals/{submitted.pk}/")
    expected_status = {"owner": 200, "officer": 200, "manager": 200, "anonymous": 403}
    assert response.status_code == expected_status.get(who, 404)


def test_the_applicant_is_told_why_a_dossier_is_ineligible(
    submitted, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.mark_ineligible(submitted, by=officer, comment="Thiếu văn bản cam kết đối ứng")
    message = next(m for m in mail.outbox if m.to == ["researcher@example.org"])
    assert submitted.receipt_number in message.subject and "Không hợp lệ" in message.subject
    assert "Thiếu văn bản cam kết đối ứng" in message.body
    assert f"/proposals/{submitted.pk}/" in message.body


def test_detail_queries_do_not_grow_with_team_budget_or_history(
    client_as, submitted, officer, researcher, django_assert_max_num_queries
):
    client = client_as("officer@example.org")
    url = f"/proposals/{submitted.pk}/"
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    for n in range(3):  # a longer history, a bigger team and budget in the new version
        returned = workflow.return_for_revision(
            submitted,
            by=officer,
            comment=f"Lần {n}",
            revision_deadline=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3),
        )
        for m in range(10):
            returned.team.create(full_name=f"Thành viên {n}-{m}", organisation_name="ĐH An Giang")
            returned.budget_lines.create(category="other", description=f"Khoản {n}-{m}", amount=1)
        submitted = workflow.submit(returned, by=researcher)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_my_proposals_queries_do_not_grow_with_the_number_of_dossiers(
    client_as, open_call, researcher, django_assert_max_num_queries
):
    client = client_as("researcher@example.org")
    client.get("/proposals/")
    with django_assert_max_num_queries(30) as few:
        client.get("/proposals/")
    for n in range(25):
        Proposal(call=open_call, owner=researcher, state="withdrawn", title=f"Cũ {n}").save()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/proposals/")


def test_team_errors_are_summarised_and_shown_next_to_the_field(client_as, draft):
    client = client_as("researcher@example.org")
    members = list(draft.team.all())
    data = {
        "team-TOTAL_FORMS": str(len(members) + 1),
        "team-INITIAL_FORMS": str(len(members)),
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "30",
    }
    for index, m in enumerate(members):
        data.update(
            {
                f"team-{index}-id": m.pk,
                f"team-{index}-full_name": m.full_name,
                f"team-{index}-role": m.role,
                f"team-{index}-organisation_name": m.organisation_name,
            }
        )
    new = len(members)
    data.update(
        {
            f"team-{new}-full_name": "Phạm Thị Thu",
            f"team-{new}-role": "principal",  # a second principal investigator
            f"team-{new}-organisation_name": "",
            f"team-{new}-email": "không-phải-email",
        }
    )
    response = client.post(f"/proposals/{draft.pk}/edit/team/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chỉ một thành viên được làm chủ nhiệm nhiệm vụ." in html
    assert f'id="id_team-{new}-email_error"' in html
    assert f'href="#id_team-{new}-organisation_name"' in html  # in the summary at the top
    assert "Phạm Thị Thu" in html
    assert draft.team.count() == len(members)
