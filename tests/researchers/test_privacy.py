"""Personal-data rights (Law 91/2025/QH15): consents per purpose, the export, correction and
deletion requests answered by officers, and no contact data on public pages."""

import datetime
import hashlib
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from pypdf import PdfWriter

from grants.models import AuditEntry, Proposal, TeamMember
from researchers import privacy
from researchers.models import Consent, DataRequest, Profile
from tests.researchers.test_accounts import SIGNUP
from tests.samples import PDF, pdf, png
from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.django_db

Purpose = Consent.Purpose


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


def standing(user):
    return set(
        Consent.objects.filter(user=user, withdrawn_at=None).values_list("purpose", flat=True)
    )


# -- consent at signup ------------------------------------------------------------------------


def test_signup_shows_one_unticked_box_per_purpose(client):
    html = client.get("/accounts/signup/").content.decode()
    for name in ("consent", "consent_contact", "consent_newsletter"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="checkbox"' in box and "checked" not in box
    assert re.search(r'<input[^>]*name="consent"[^>]*required', html)
    assert not re.search(r'<input[^>]*name="consent_contact"[^>]*required', html)


def test_signup_records_each_ticked_purpose_with_its_version_and_time(client):
    before = timezone.now()
    response = client.post("/accounts/signup/", dict(SIGNUP, consent_newsletter="on"))
    assert response.status_code == 302
    user = get_user_model().objects.get(email=SIGNUP["email"])
    consents = {c.purpose: c for c in Consent.objects.filter(user=user)}
    assert set(consents) == {Purpose.ACCOUNT, Purpose.NEWSLETTER}  # contact was left unticked
    account = consents[Purpose.ACCOUNT]
    assert account.text_version == privacy.CONSENT_TEXTS[Purpose.ACCOUNT][0]
    assert "91/2025/QH15" in account.text and account.given_at >= before
    assert account.withdrawn_at is None


def test_signup_without_the_account_purpose_is_refused_whatever_else_is_ticked(client):
    data = dict(SIGNUP, consent="", consent_contact="on", consent_newsletter="on")
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    assert 'id="id_consent_error"' in response.content.decode()
    assert not get_user_model().objects.filter(email=SIGNUP["email"]).exists()
    assert not Consent.objects.filter(user__email=SIGNUP["email"]).exists()


# -- withdrawing and giving again -------------------------------------------------------------


def test_withdrawing_and_giving_again_adds_to_the_history_and_never_rewrites_it(researcher):
    first = Consent.objects.get(user=researcher, purpose=Purpose.NEWSLETTER, withdrawn_at=None)
    assert privacy.withdraw_consent(researcher, Purpose.NEWSLETTER) is None
    assert not privacy.has_consent(researcher, Purpose.NEWSLETTER)
    with pytest.raises(privacy.GuardFailed):
        privacy.withdraw_consent(researcher, Purpose.NEWSLETTER)  # nothing left to withdraw
    withdrawn_at = Consent.objects.get(pk=first.pk).withdrawn_at
    assert withdrawn_at is not None

    again = privacy.give_consent(researcher, Purpose.NEWSLETTER)
    assert again.pk != first.pk and privacy.has_consent(researcher, Purpose.NEWSLETTER)
    assert privacy.give_consent(researcher, Purpose.NEWSLETTER).pk == again.pk  # no duplicate
    history = Consent.objects.filter(user=researcher, purpose=Purpose.NEWSLETTER)
    assert [c.withdrawn_at is None for c in history] == [False, True]
    assert Consent.objects.get(pk=first.pk).withdrawn_at == withdrawn_at  # untouched

    stored = Consent.objects.get(pk=first.pk)
    stored.withdrawn_at = None
    with pytest.raises(PermissionDenied):
        stored.save()
    with pytest.raises(PermissionDenied):
        stored.delete()
    assert Consent.objects.get(pk=first.pk).withdrawn_at == withdrawn_at


def test_withdrawing_the_account_purpose_asks_for_deletion(researcher):
    opened = privacy.withdraw_consent(researcher, Purpose.ACCOUNT)
    assert opened.kind == DataRequest.Kind.DELETION and opened.state == DataRequest.State.OPEN
    assert list(opened.entries.values_list("action", "actor")) == [("open", researcher.pk)]
    assert Purpose.ACCOUNT not in standing(researcher)
    assert researcher.is_active  # only an officer's answer erases


def test_the_privacy_page_withdraws_and_gives_consents(client_as, researcher):
    client = client_as("researcher@example.org")
    page = client.get("/accounts/privacy/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    for purpose in privacy.CONSENT_TEXTS:
        assert f'id="consent-{purpose}"' in html
    assert client.get("/accounts/privacy/consents/").status_code == 405

    response = client.post(
        "/accounts/privacy/consents/", {"purpose": "contact", "action": "withdraw"}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/privacy/"
    assert standing(researcher) == {Purpose.ACCOUNT, Purpose.NEWSLETTER}
    html = client.get("/accounts/privacy/").content.decode()
    assert "rút lại ngày" in html and "Bạn đã rút lại sự đồng ý." in html

    client.post("/accounts/privacy/consents/", {"purpose": "contact", "action": "give"})
    assert Purpose.CONTACT in standing(researcher)
    assert Consent.objects.filter(user=researcher, purpose=Purpose.CONTACT).count() == 2

    # Forged values change nothing; the account purpose is never "given" from this page.
    count = Consent.objects.count()
    client.post("/accounts/privacy/consents/", {"purpose": "marketing", "action": "give"})
    client.post("/accounts/privacy/consents/", {"purpose": "contact", "action": "drop"})
    client.post("/accounts/privacy/consents/", {"purpose": "account", "action": "give"})
    assert Consent.objects.count() == count

    response = client.post(
        "/accounts/privacy/consents/", {"purpose": "account", "action": "withdraw"}
    )
    assert response.status_code == 302
    asked = DataRequest.objects.get(user=researcher, kind="deletion", state="open")
    assert "Sở sẽ trả lời trước" in client.get("/accounts/privacy/").content.decode()
    assert Purpose.ACCOUNT not in standing(researcher) and asked.entries.get().action == "open"

    assert client_as(None).get("/accounts/privacy/").status_code == 302


# -- the purposes matter ----------------------------------------------------------------------


@pytest.fixture
def negotiating_deal(client_as):
    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    client_as("business@example.org").post(
        f"/technologies/{tech.pk}/interest/", {"message": "Cần 20.000 cây giống"}
    )
    deal = TransferDeal.objects.get(technology=tech)
    assert client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/").status_code == 302
    return deal


def test_the_owners_contact_details_reach_a_business_only_with_their_consent(
    client_as, user_by_email, negotiating_deal
):
    owner = user_by_email("researcher2@example.org")
    Profile.objects.filter(user=owner).update(phone="0296 3841 777")
    url = f"/deals/{negotiating_deal.pk}/"
    page = client_as("business@example.org").get(url).content.decode()
    assert "researcher2@example.org" in page and "0296 3841 777" in page

    privacy.withdraw_consent(owner, Purpose.CONTACT)
    page = client_as("business@example.org").get(url).content.decode()
    assert "researcher2@example.org" not in page and "0296 3841 777" not in page
    assert "Chủ công nghệ chưa đồng ý chia sẻ thông tin liên hệ." in page
    assert "business@example.org" in client_as("researcher2@example.org").get(url).content.decode()

    privacy.give_consent(owner, Purpose.CONTACT)
    assert "researcher2@example.org" in client_as("business@example.org").get(url).content.decode()


def test_the_weekly_digest_goes_only_to_people_who_asked_for_it(researcher):
    privacy.withdraw_consent(researcher, Purpose.NEWSLETTER)
    mail.outbox.clear()
    call_command("match_digest", stdout=io.StringIO())
    recipients = {address for message in mail.outbox for address in message.to}
    assert "business@example.org" in recipients
    assert "researcher@example.org" not in recipients


# -- requests and their deadline --------------------------------------------------------------


def test_the_deadline_is_the_setting_after_receipt_and_overdue_only_past_it(researcher, settings):
    received = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 30))
    opened = privacy.open_request(researcher, "correction", "Sai học vị: TS.", now=received)
    assert opened.received_at == received
    assert opened.due_at == received + datetime.timedelta(days=10)
    assert not opened.is_overdue(now=opened.due_at)  # exactly at the deadline: on time
    assert opened.is_overdue(now=opened.due_at + datetime.timedelta(microseconds=1))

    settings.PRIVACY_REQUEST_DAYS = 3
    assert privacy.request_deadline(received) == received + datetime.timedelta(days=3)


def test_the_queue_shows_the_deadline_and_flags_overdue_requests(
    client_as, researcher, user_by_email
):
    now = timezone.now()
    late = privacy.open_request(
        researcher, "correction", "Đổi chức vụ.", now=now - datetime.timedelta(days=10, seconds=5)
    )
    fresh = privacy.open_request(user_by_email("business@example.org"), "deletion", "", now=now)
    html = client_as("officer@example.org").get("/accounts/privacy/requests/").content.decode()
    rows = {pk: next(row for row in html.split("<tr") if f"#{pk}</a>" in row)
            for pk in (late.pk, fresh.pk)}  # fmt: skip
    assert 'class="overdue"' in rows[late.pk] and "quá hạn" in rows[late.pk]
    assert "quá hạn" not in rows[fresh.pk]
    local_due = timezone.localtime(fresh.due_at).strftime("%d/%m/%Y")
    assert local_due in rows[fresh.pk]
    dashboard = client_as("officer@example.org").get("/dashboard/").content.decode()
    waiting = DataRequest.objects.filter(state="open").count()  # the demo's own open one too
    assert waiting >= 2
    assert f"{waiting} yêu cầu đang chờ" in dashboard and "1 quá hạn" in dashboard


def test_bad_requests_are_refused_by_the_function(researcher):
    cases = [
        (("correction", "   "), "text"),
        (("everything", "x"), "kind"),
        (("deletion", "x" * 5001), "text"),
        (("correction", "Sai\x00tên"), "text"),
    ]
    for (kind, text), field in cases:
        with pytest.raises(privacy.GuardFailed) as failure:
            privacy.open_request(researcher, kind, text)
        assert field in failure.value.errors
    privacy.open_request(researcher, "deletion", "")
    with pytest.raises(privacy.GuardFailed) as failure:
        privacy.open_request(researcher, "deletion", "")
    assert "kind" in failure.value.errors
    assert DataRequest.objects.filter(user=researcher).count() == 1


def test_bad_requests_are_refused_by_the_page_with_the_text_kept(client_as, researcher):
    client = client_as("researcher@example.org")
    response = client.post("/accounts/privacy/ask/", {"kind": "correction", "text": "  "})
    assert response.status_code == 400
    assert 'id="id_text_error"' in response.content.decode()
    response = client.post("/accounts/privacy/ask/", {"kind": "nope", "text": "Sửa số điện thoại"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_kind_error"' in html
    assert "Sửa số điện thoại" in html
    response = client.post("/accounts/privacy/ask/", {"kind": "correction", "text": "x" * 6000})
    assert response.status_code == 400
    assert not DataRequest.objects.filter(user=researcher).exists()

    response = client.post("/accounts/privacy/ask/", {"kind": "correction", "text": "Học vị: TS."})
    assert response.status_code == 302
    opened = DataRequest.objects.get(user=researcher)
    assert opened.text == "Học vị: TS." and opened.entries.get().ip == "127.0.0.1"


# -- answering --------------------------------------------------------------------------------


def test_only_officers_answer_and_never_their_own_request(
    client_as, researcher, officer, user_by_email
):
    opened = privacy.open_request(researcher, "correction", "Học vị: TS.")
    for who in ("researcher@example.org", "business@example.org", "manager@example.org"):
        with pytest.raises(PermissionDenied):
            privacy.answer_request(opened, by=user_by_email(who), done=True, answer="Đã sửa.")
    own = privacy.open_request(officer, "correction", "Chức vụ mới.")
    with pytest.raises(PermissionDenied):
        privacy.answer_request(own, by=officer, done=True, answer="Đã sửa.")

    url = f"/accounts/privacy/requests/{opened.pk}/"
    for who, status in [(None, 302), ("researcher@example.org", 403),
                        ("business@example.org", 403), ("manager@example.org", 403),
                        ("reviewer1@example.org", 403), ("officer@example.org", 200)]:  # fmt: skip
        assert client_as(who).get(url).status_code == status, who
        assert client_as(who).get("/accounts/privacy/requests/").status_code == status, who
    answer = {"outcome": "done", "answer": "Đã sửa."}
    assert client_as("researcher@example.org").post(url, answer).status_code == 403
    assert client_as("officer@example.org").post(f"/accounts/privacy/requests/{own.pk}/", answer).status_code == 403  # fmt: skip
    assert DataRequest.objects.get(pk=opened.pk).state == "open"
    assert opened.entries.count() == 1


def test_an_answer_needs_a_message_and_is_given_once(
    client_as, researcher, officer, django_capture_on_commit_callbacks
):
    opened = privacy.open_request(researcher, "correction", "Học vị: TS.")
    with pytest.raises(privacy.GuardFailed):
        privacy.answer_request(opened, by=officer, done=True, answer="  ")
    client = client_as("officer@example.org")
    url = f"/accounts/privacy/requests/{opened.pk}/"
    response = client.post(url, {"outcome": "done", "answer": ""})
    assert response.status_code == 400 and 'id="id_answer_error"' in response.content.decode()
    response = client.post(url, {"outcome": "maybe", "answer": "Đã sửa học vị."})
    assert response.status_code == 400 and "Đã sửa học vị." in response.content.decode()
    assert DataRequest.objects.get(pk=opened.pk).state == "open"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"outcome": "done", "answer": "Đã sửa học vị thành TS."})
    assert response.status_code == 302
    done = DataRequest.objects.get(pk=opened.pk)
    assert done.state == "done" and done.answered_by == officer and done.answered_at
    assert mail.outbox[-1].to == ["researcher@example.org"]
    assert "Đã sửa học vị thành TS." in mail.outbox[-1].body

    with pytest.raises(privacy.RequestConflict):
        privacy.answer_request(done, by=officer, done=False, answer="Từ chối.")
    response = client.post(url, {"outcome": "refused", "answer": "Từ chối."})
    assert response.status_code == 302
    assert DataRequest.objects.get(pk=opened.pk).state == "done"
    steps = list(done.entries.values_list("action", "source", "target", "actor"))
    assert steps == [("open", "", "open", researcher.pk), ("complete", "open", "done", officer.pk)]
    entry = done.entries.last()
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


def test_a_refused_deletion_keeps_the_person(researcher, officer):
    opened = privacy.open_request(researcher, "deletion", "")
    privacy.answer_request(opened, by=officer, done=False, answer="Hồ sơ đang được thanh toán.")
    researcher.refresh_from_db()
    assert researcher.email == "researcher@example.org" and researcher.is_active
    assert standing(researcher) == set(privacy.CONSENT_TEXTS)


def test_a_deletion_done_anonymises_the_person_and_keeps_the_funded_record(
    client_as, researcher, officer, django_capture_on_commit_callbacks
):
    funded = Proposal.objects.get(owner=researcher, state="funded")
    decision, audit = (
        funded.decision_number,
        list(funded.audit_entries.values_list("pk", flat=True)),
    )
    name = researcher.profile.full_name
    Profile.objects.filter(user=researcher).update(
        phone="0296 3999 001", orcid="0000-0002-1825-0097", position="Giảng viên"
    )
    signed_in = Client()
    signed_in.force_login(researcher)
    assert signed_in.get("/dashboard/").status_code == 200

    opened = privacy.withdraw_consent(researcher, Purpose.ACCOUNT)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("officer@example.org").post(
            f"/accounts/privacy/requests/{opened.pk}/",
            {"outcome": "done", "answer": "Đã xóa dữ liệu cá nhân theo yêu cầu."},
        )
    assert response.status_code == 302

    person = get_user_model().objects.get(pk=researcher.pk)
    assert person.email == f"deleted-{person.pk}@invalid"
    assert person.username == f"deleted-{person.pk}" and not person.first_name
    assert not person.is_active and not person.has_usable_password()
    assert not person.groups.exists() and not person.emailaddress_set.exists()
    profile = Profile.objects.get(user=person)
    assert profile.full_name == f"Người dùng đã xóa #{person.pk}"
    assert (profile.phone, profile.orcid, profile.position, profile.expertise) == ("", "", "", "")
    assert standing(person) == set()
    assert Consent.objects.filter(user=person).count() >= 3  # the history stays
    assert profile.organisation_id is None
    memberships = person.memberships.all()
    assert memberships and {m.state for m in memberships} == {"ended"}
    assert memberships.get(entries__action="end").entries.get(action="end").actor_id == officer.pk
    assert signed_in.get("/dashboard/").status_code == 302  # signed out everywhere
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(person.pk) for s in Session.objects.all()
    )
    assert mail.outbox[-1].to == ["researcher@example.org"]  # told at the old address

    # What the law requires stays: the funded proposal, its decision and its audit trail.
    funded.refresh_from_db()
    assert funded.state == "funded" and funded.owner_id == person.pk
    assert funded.decision_number == decision
    assert set(audit) <= set(funded.audit_entries.values_list("pk", flat=True))
    assert AuditEntry.objects.filter(actor=person).exists()
    assert "researcher@example.org" not in funded.search_text
    assert not TeamMember.objects.filter(full_name=name).exists()
    html = client_as("officer@example.org").get(f"/proposals/{funded.pk}/").content.decode()
    assert f"Người dùng đã xóa #{person.pk}" in html and name not in html
    assert "researcher@example.org" not in html

    steps = list(opened.entries.values_list("action", "actor"))
    assert steps == [("open", person.pk), ("complete", officer.pk), ("anonymise", officer.pk)]
    login = Client().post(
        "/accounts/login/", {"login": "researcher@example.org", "password": "AnGiang@2025"}
    )
    assert login.status_code == 200  # refused: the form again


def test_the_consent_date_of_existing_profiles_becomes_an_account_consent(researcher):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("researchers.migrations.0002_privacy")
    Consent.objects.filter(user=researcher).update(withdrawn_at=timezone.now())
    given = timezone.make_aware(datetime.datetime(2025, 9, 1, 9, 0))
    Profile.objects.filter(user=researcher).update(data_consent_at=given)
    Profile.objects.exclude(user=researcher).update(data_consent_at=None)
    migration.consents_from_profiles(apps, None)
    legacy = Consent.objects.get(user=researcher, withdrawn_at=None)
    assert (legacy.purpose, legacy.given_at) == (Purpose.ACCOUNT, given)
    assert legacy.text_version == migration.LEGACY_VERSION and "91/2025/QH15" in legacy.text


def test_anonymise_is_for_officers_only(researcher, user_by_email):
    with pytest.raises(PermissionDenied):
        privacy.anonymise(researcher, by=user_by_email("manager@example.org"))
    with pytest.raises(PermissionDenied):
        privacy.anonymise(researcher, by=researcher)
    researcher.refresh_from_db()
    assert researcher.is_active


# -- export -----------------------------------------------------------------------------------


def read_zip(response):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive, json.loads(archive.read(privacy.DATA_FILE))


def test_the_export_holds_what_the_portal_knows_and_the_files_byte_for_byte(client_as, researcher):
    from grants import dossier

    draft = Proposal.objects.filter(
        owner=researcher, state="draft"
    ).first() or Proposal.objects.get(owner=researcher, state="funded")
    # A PDF of its own (a title in its metadata), not the shared sample's bytes.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Ban thuyet minh cua toi"})
    buffer = io.BytesIO()
    writer.write(buffer)
    content = buffer.getvalue()
    assert content != PDF
    attachment = dossier.add_attachment(draft, pdf("thuyet-minh.pdf", content), by=researcher)
    tech = Technology.objects.filter(owner=researcher).first()
    client = client_as("researcher@example.org")
    image = png("ruong-lua.png")
    image_bytes = image.read()
    image.seek(0)
    Technology.objects.filter(pk=tech.pk).update(state="draft")
    response = client.post(
        f"/technologies/{tech.pk}/files/", {"kind": "image", "caption": "Ruộng thử", "file": image}
    )
    assert response.status_code == 302
    privacy.open_request(researcher, "correction", "Học vị: TS.")

    response = client.get("/accounts/privacy/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    archive, data = read_zip(response)

    assert data["user"]["email"] == "researcher@example.org"
    assert data["profile"]["full_name"] == researcher.profile.full_name
    assert data["organisation"]["name"] == researcher.profile.organisation.name
    assert {c["purpose"] for c in data["consents"]} == set(privacy.CONSENT_TEXTS)
    assert data["roles"] == ["researcher"]
    owned = set(Proposal.objects.filter(owner=researcher).values_list("pk", flat=True))
    assert owned <= {p["id"] for p in data["proposals"]}
    funded = next(p for p in data["proposals"] if p["state"] == "funded")
    assert funded["team"] and funded["budget_lines"] and funded["decision_number"]
    assert data["audit_entries"]["proposals"]  # the submissions they made
    assert [r["text"] for r in data["requests"]] == ["Học vị: TS."]
    assert data["requests"][0]["steps"][0]["action"] == "open"
    assert tech.title in {t["title"] for t in data["technologies"]}

    files = {entry["path"]: entry for entry in data["files"]}
    mine = next(
        a for p in data["proposals"] for a in p["attachments"] if a["name"] == "thuyet-minh.pdf"
    )
    assert archive.read(mine["path"]) == content
    assert files[mine["path"]]["sha256"] == hashlib.sha256(content).hexdigest()
    picture = next(
        f for t in data["technologies"] for f in t["files"] if f["caption"] == "Ruộng thử"
    )
    assert archive.read(picture["path"]) == image_bytes
    assert attachment.pk and set(files) <= set(archive.namelist())

    # Nobody else's personal data rides along (the council's ballots, other people's e-mail).
    text = archive.read(privacy.DATA_FILE).decode()
    assert "reviewer1@example.org" not in text and "business@example.org" not in text
    assert client_as(None).get("/accounts/privacy/export/").status_code == 302


def test_a_reviewers_export_holds_the_ballots_they_wrote(client_as, user_by_email):
    reviewer = user_by_email("reviewer1@example.org")
    response = client_as("reviewer1@example.org").get("/accounts/privacy/export/")
    _archive, data = read_zip(response)
    assert len(data["ballots"]) == reviewer.ballots.count() > 0
    assert {b["total"] for b in data["ballots"]} == set(
        reviewer.ballots.values_list("total", flat=True)
    )


# -- public pages never show contact data -----------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


SKIP = ("/admin/", "/django-admin/", "/accounts/", "/static/", "/media/", "/documents/",
        "/jsi18n/", "/api/docs/", "/api/schema/")  # fmt: skip


def test_no_public_page_or_api_answer_shows_anyones_e_mail_or_phone(client):
    for profile in Profile.objects.all():
        Profile.objects.filter(pk=profile.pk).update(phone=f"0296 38{profile.pk:05d}")
    secrets = set(get_user_model().objects.values_list("email", flat=True))
    secrets |= set(TeamMember.objects.exclude(email="").values_list("email", flat=True))
    secrets |= set(Profile.objects.values_list("phone", flat=True))
    secrets |= {phone.replace(" ", "") for phone in secrets if phone.startswith("0296")}

    start = ["/", "/en/", "/calls/", "/technologies/", "/needs/", "/stats/", "/search/?q=lúa",
             "/en/search/?q=rice", "/verify/"]  # fmt: skip
    start += [
        f"/proposals/verify/{code}/"
        for code in Proposal.objects.exclude(receipt_number=None).values_list(
            "verification_code", flat=True
        )
    ]
    api = ["/api/v1/calls/", "/api/v1/funded-projects/", "/api/v1/technologies/",
           "/api/v1/needs/", "/api/v1/stats/"]  # fmt: skip
    seen, queue, leaks = set(), start + api, []
    while queue and len(seen) < 700:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        body = response.content.decode("utf-8", "replace")
        leaks += [(url, secret) for secret in secrets if secret and secret in body]
        if response["Content-Type"].startswith("application/json"):
            data = json.loads(body)
            rows = data.get("results", data) if isinstance(data, dict) else data
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict) and "id" in row and url.startswith("/api/v1/"):
                    queue.append(f"{url.split('?')[0]}{row['id']}/")
            if isinstance(data, dict) and data.get("next"):
                queue.append(urlsplit(data["next"]).path + "?" + urlsplit(data["next"]).query)
            continue
        parser = Links()
        parser.feed(body)
        for link in parser.found:
            target = urlsplit(urljoin(url, link))
            if target.netloc not in ("", "testserver") or not target.path.startswith("/"):
                continue
            path = target.path + (f"?{target.query}" if target.query else "")
            if not target.path.startswith(SKIP) and path not in seen:
                queue.append(path)
    assert len(seen) > 60, sorted(seen)
    assert {"/api/v1/technologies/", "/technologies/", "/needs/"} <= seen
    assert not leaks, leaks
