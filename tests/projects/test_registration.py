"""Registration of an accepted task's results (Circular 14/2014/TT-BKHCN as amended by Circular
11/2023/TT-BKHCN): the principal investigator files the summary and the products, an officer who
takes no part records the certificate's number (unique) and date (not in the future, not before
the acceptance verdict), due within 30 days of the acceptance. Each rule at its boundary, each
refusal at the workflow function and through the page; then the invitation to list the results."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from core import roles
from grants import workflow as grants_workflow
from grants.models import Proposal, TeamMember
from projects import registration
from projects.models import Acceptance, ProjectEntry, ResultRegistration

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
SUMMARY = "Màng bao chitosan kéo dài thời gian bảo quản xoài thêm 12 ngày ở 12 °C."
PRODUCTS = "- Quy trình sản xuất màng bao\n- 500 kg xoài thử nghiệm"


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def manager(user_by_email):
    return user_by_email("manager@example.org")


@pytest.fixture
def completed(researcher):
    """The demo's accepted task of researcher@ (its contract signed, its results accepted by the
    acceptance council; the demo has since sold them, so it stands `transferred`)."""
    return (
        Proposal.objects.filter(owner=researcher, state__in=["completed", "transferred"])
        .order_by("pk")
        .first()
    )


@pytest.fixture
def contract(completed):
    return completed.contract


def staff(username, *groups):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    TOTP.activate(user, settings.PORTAL_DEMO_TOTP_SECRET)
    return get_user_model().objects.get(pk=user.pk)


def file(contract, by, summary=SUMMARY, products=PRODUCTS):
    return registration.file_registration(contract, by=by, summary=summary, products=products)


def record(reg, by, number="123/2026/ĐKKQ", day=None):
    return registration.record_registration(
        reg, by=by, number=number, registered_on=day or timezone.localdate()
    )


def page_url(proposal, part=""):
    name = f"project_registration_{part}" if part else "project_registration"
    return reverse(name, args=[proposal.pk])


def accepted_on(contract):
    return registration.acceptance_date(contract)


# -- the acceptance date and the deadline ------------------------------------------------------


def test_the_acceptance_date_is_the_day_the_council_recorded_its_verdict(completed, contract):
    # The demo's council decided weeks before the officer accepted the results: its day counts.
    entry = completed.audit_entries.get(transition="accept_results")
    decided = timezone.localdate(contract.acceptance.decided_at)
    assert decided < timezone.localdate(entry.at)
    assert accepted_on(contract) == decided


def test_an_undecided_acceptance_falls_back_on_the_accepted_results(completed, contract):
    # (a state the workflow never leaves behind a completed task: written here to test the rule)
    Acceptance.objects.filter(contract=contract).update(state="grading", decided_at=None)
    entry = completed.audit_entries.get(transition="accept_results")
    assert accepted_on(contract) == timezone.localdate(entry.at)


def test_a_running_task_has_no_acceptance_date_nor_deadline(researcher):
    running = Proposal.objects.filter(owner=researcher, state="in_progress").first()
    assert registration.acceptance_date(running.contract) is None
    assert registration.deadline(running.contract)["due_on"] is None


def test_due_thirty_days_after_the_acceptance_overdue_the_day_after(contract, researcher):
    accepted = accepted_on(contract)
    due = accepted + datetime.timedelta(days=30)
    assert registration.REGISTRATION_DAYS == 30
    assert registration.due_on(contract) == due
    assert registration.deadline(contract, today=due) == {
        "due_on": due, "overdue": False, "filed_late": False,
    }  # fmt: skip
    assert registration.deadline(contract, today=due + DAY)["overdue"] is True
    # Filed on the due date: on time, and no longer overdue afterwards.
    with grants_workflow.clock(
        timezone.make_aware(datetime.datetime.combine(due, datetime.time(9)))
    ):
        filed = file(contract, researcher)
    assert registration.deadline(contract, filed, today=due + 5 * DAY) == {
        "due_on": due, "overdue": False, "filed_late": False,
    }  # fmt: skip


def test_filed_a_day_late_is_taken_and_marked_late(contract, researcher):
    due = registration.due_on(contract)
    late = timezone.make_aware(datetime.datetime.combine(due + DAY, datetime.time(9)))
    with grants_workflow.clock(late):
        filed = file(contract, researcher)
    assert registration.deadline(contract, filed, today=due + DAY)["filed_late"] is True
    entry = ProjectEntry.objects.get(proposal=contract.proposal, action="registration_file")
    assert entry.data == {"due_on": due.isoformat(), "late": True}


# -- the investigator files ----------------------------------------------------------------------


def test_the_form_starts_from_the_abstract_and_the_deliverables(completed, contract):
    filled = registration.prefill(contract)
    assert filled["summary"] == completed.abstract
    names = list(contract.deliverables.values_list("name", flat=True))
    assert names and all(f"- {name}" in filled["products"] for name in names)
    assert filled["products"].count("\n") == len(names) - 1


def test_the_prefill_says_what_the_acceptance_dossier_reached(contract):
    first = contract.deliverables.order_by("position", "pk").first()
    reached = contract.acceptance.results[str(first.pk)]
    line = registration.prefill(contract)["products"].splitlines()[0]
    assert line == (
        f"- {first.name}; số lượng: {reached['quantity']}; chất lượng: {reached['quality']}"
    )


def test_the_investigator_files_and_the_officers_are_told(
    contract, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filed = file(contract, researcher)
    assert (filed.summary, filed.products, filed.filed_by) == (SUMMARY, PRODUCTS, researcher)
    assert filed.filed_at is not None and filed.number == ""
    entry = ProjectEntry.objects.get(proposal=contract.proposal, action="registration_file")
    assert entry.actor == researcher
    assert len(mailoutbox) == 1 and "officer@example.org" in mailoutbox[0].to
    assert contract.number in mailoutbox[0].subject


def test_filed_again_it_corrects_until_registered(contract, researcher, officer):
    first = file(contract, researcher)
    again = file(contract, researcher, summary="Tóm tắt đã sửa")
    assert again.pk == first.pk and again.summary == "Tóm tắt đã sửa"
    assert ResultRegistration.objects.filter(contract=contract).count() == 1
    actions = list(
        ProjectEntry.objects.filter(proposal=contract.proposal, action__startswith="registration")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["registration_file", "registration_refile"]
    record(again, officer)
    with pytest.raises(registration.StateConflict):
        file(contract, researcher, summary="Sửa sau khi đăng ký")
    assert ResultRegistration.objects.get(pk=first.pk).summary == "Tóm tắt đã sửa"


@pytest.mark.parametrize(
    "who", ["officer@example.org", "manager@example.org", "researcher2@example.org"]
)
def test_only_the_principal_investigator_files(contract, user_by_email, who):
    with pytest.raises(PermissionDenied):
        file(contract, user_by_email(who))
    assert not ResultRegistration.objects.filter(contract=contract).exists()


@pytest.mark.parametrize("state", ["in_progress", "terminated"])
def test_results_are_filed_only_once_accepted(state, user_by_email):
    proposal = Proposal.objects.filter(state=state, contract__signed_at__isnull=False).first()
    with pytest.raises(registration.StateConflict):
        file(proposal.contract, proposal.owner)
    assert not ResultRegistration.objects.filter(contract=proposal.contract).exists()


def test_a_transferred_task_files_too(contract, researcher):
    Proposal.objects.filter(pk=contract.proposal_id).update(state="transferred")
    contract.proposal.refresh_from_db()
    assert file(contract, researcher).filed_at is not None


@pytest.mark.parametrize(
    ("summary", "products", "key"),
    [("", PRODUCTS, "summary"), ("  \n ", PRODUCTS, "summary"), (SUMMARY, "", "products")],
)
def test_each_part_of_the_filing_is_required_on_its_own(
    contract, researcher, summary, products, key
):
    with pytest.raises(registration.GuardFailed) as refused:
        file(contract, researcher, summary=summary, products=products)
    assert list(refused.value.errors) == [key]
    assert not ResultRegistration.objects.filter(contract=contract, filed_at__isnull=False).exists()


def test_the_summary_may_be_20000_characters_not_one_more(contract, researcher):
    with pytest.raises(registration.GuardFailed) as refused:
        file(contract, researcher, summary="a" * 20001)
    assert list(refused.value.errors) == ["summary"]
    assert len(file(contract, researcher, summary="a" * 20000).summary) == 20000


# -- the officer records the certificate --------------------------------------------------------


def test_the_officer_records_and_the_investigator_is_told(
    contract, researcher, officer, mailoutbox, django_capture_on_commit_callbacks
):
    filed = file(contract, researcher)
    with django_capture_on_commit_callbacks(execute=True):
        done = record(filed, officer, number=" 45/2026/ĐKKQ-SKHCN ")
    assert (done.number, done.registered_on, done.registered_by) == (
        "45/2026/ĐKKQ-SKHCN", timezone.localdate(), officer,
    )  # fmt: skip
    entry = ProjectEntry.objects.get(proposal=contract.proposal, action="registration_record")
    assert entry.record == "45/2026/ĐKKQ-SKHCN" and entry.actor == officer
    assert [m.to for m in mailoutbox] == [[researcher.email]]
    assert "45/2026/ĐKKQ-SKHCN" in mailoutbox[0].subject
    assert "Kết quả nhiệm vụ" in mailoutbox[0].body


def test_recorded_once(contract, researcher, officer):
    filed = record(file(contract, researcher), officer, number="1/ĐKKQ")
    with pytest.raises(registration.StateConflict):
        record(filed, officer, number="2/ĐKKQ")
    assert ResultRegistration.objects.get(pk=filed.pk).number == "1/ĐKKQ"


def test_nothing_to_record_before_the_investigator_files(contract, officer):
    empty = ResultRegistration.objects.create(contract=contract)
    with pytest.raises(registration.StateConflict):
        record(empty, officer)
    assert ResultRegistration.objects.get(pk=empty.pk).number == ""


@pytest.mark.parametrize("who", ["manager@example.org", "researcher@example.org"])
def test_only_an_officer_records(contract, researcher, user_by_email, who):
    filed = file(contract, researcher)
    with pytest.raises(PermissionDenied):
        record(filed, user_by_email(who))
    assert ResultRegistration.objects.get(pk=filed.pk).number == ""


def test_an_officer_who_takes_part_does_not_record(contract, researcher):
    insider = staff("officer-on-team", roles.OFFICER)
    TeamMember.objects.create(
        proposal=contract.proposal, full_name="Cán bộ", organisation_name="Sở", user=insider
    )
    filed = file(contract, researcher)
    with pytest.raises(PermissionDenied):
        record(filed, insider)
    assert ResultRegistration.objects.get(pk=filed.pk).number == ""


def test_the_number_is_required(contract, researcher, officer):
    filed = file(contract, researcher)
    with pytest.raises(registration.GuardFailed) as refused:
        record(filed, officer, number="  ")
    assert list(refused.value.errors) == ["number"]


def test_a_number_already_given_is_refused_by_its_field(contract, researcher, officer):
    other = Proposal.objects.filter(state="completed").exclude(pk=contract.proposal_id).first()
    record(file(other.contract, other.owner), officer, number="7/2026/ĐKKQ")
    filed = file(contract, researcher)
    with pytest.raises(registration.GuardFailed) as refused:
        record(filed, officer, number="7/2026/ĐKKQ")
    assert refused.value.errors == {"number": ["Một đăng ký khác đã có số này."]}
    assert ResultRegistration.objects.get(pk=filed.pk).number == ""


def test_the_date_is_required(contract, researcher, officer):
    filed = file(contract, researcher)
    with pytest.raises(registration.GuardFailed) as refused:
        registration.record_registration(filed, by=officer, number="9/ĐKKQ", registered_on=None)
    assert list(refused.value.errors) == ["registered_on"]


def test_dated_today_but_not_tomorrow(contract, researcher, officer):
    filed = file(contract, researcher)
    today = timezone.localdate()
    with pytest.raises(registration.GuardFailed) as refused:
        record(filed, officer, day=today + DAY)
    assert list(refused.value.errors) == ["registered_on"]
    assert record(filed, officer, day=today).registered_on == today


def test_dated_on_the_acceptance_day_but_not_the_day_before(contract, researcher, officer):
    filed = file(contract, researcher)
    accepted = accepted_on(contract)
    with pytest.raises(registration.GuardFailed) as refused:
        record(filed, officer, day=accepted - DAY)
    assert refused.value.errors == {
        "registered_on": [
            f"Ngày đăng ký không thể trước ngày có kết luận nghiệm thu ({accepted:%d/%m/%Y})."
        ]
    }
    assert record(filed, officer, day=accepted).registered_on == accepted


# -- the page --------------------------------------------------------------------------------------


def test_the_investigator_sees_the_prefilled_form_and_the_listing_invitation(completed, client_as):
    html = client_as("researcher@example.org").get(page_url(completed)).content.decode()
    assert page_url(completed, "file") in html
    assert completed.abstract[:40] in html
    assert f"{reverse('technology_new')}?from={completed.pk}" in html
    assert page_url(completed, "record") not in html


def test_the_listing_form_it_links_to_is_prefilled_from_the_proposal(completed, client_as):
    html = (
        client_as("researcher@example.org")
        .get(f"{reverse('technology_new')}?from={completed.pk}")
        .content.decode()
    )
    assert completed.title in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("researcher@example.org", 200),
        ("officer@example.org", 200),
        ("manager@example.org", 200),
        ("researcher2@example.org", 403),
        ("business@example.org", 403),
        ("reviewer5@example.org", 403),
    ],
)
def test_who_may_read_the_page(completed, client_as, who, status):
    assert client_as(who).get(page_url(completed)).status_code == status


def test_visitors_are_sent_to_sign_in(completed, client):
    response = client.get(page_url(completed))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_no_page_before_a_contract_is_signed(researcher, client_as):
    funded = Proposal.objects.filter(owner=researcher, state="funded").first()
    assert client_as("officer@example.org").get(page_url(funded)).status_code == 404


def test_a_running_task_waits_for_its_acceptance(researcher, client_as):
    running = Proposal.objects.filter(owner=researcher, state="in_progress").first()
    html = client_as("researcher@example.org").get(page_url(running)).content.decode()
    assert 'id="not-accepted"' in html and page_url(running, "file") not in html


def test_the_page_shows_due_by_then_overdue(completed, contract, client_as):
    due = registration.due_on(contract)
    client = client_as("researcher@example.org")

    def status_on(day):
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
        with grants_workflow.clock(moment):
            html = client.get(page_url(completed)).content.decode()
        part = html[html.index('id="registration-status"') :]
        return part[: part.index("</dd>")]

    on_time = status_on(due)
    assert f"hạn chót {due:%d/%m/%Y}" in on_time and "quá hạn" not in on_time
    assert "quá hạn" in status_on(due + DAY)


def test_filing_through_the_page(completed, client_as):
    client = client_as("researcher@example.org")
    response = client.post(page_url(completed, "file"), {"summary": SUMMARY, "products": PRODUCTS})
    assert response.status_code == 302
    html = client.get(page_url(completed)).content.decode()
    assert 'id="filed-summary"' in html and "12 °C" in html
    # The officer now gets the record form.
    html = client_as("officer@example.org").get(page_url(completed)).content.decode()
    assert page_url(completed, "record") in html


def test_a_filing_with_a_part_missing_is_shown_again_with_its_text(completed, client_as):
    response = client_as("researcher@example.org").post(
        page_url(completed, "file"), {"summary": SUMMARY, "products": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hãy liệt kê các sản phẩm của nhiệm vụ." in html and 'href="#id_products"' in html
    assert SUMMARY in html
    assert not ResultRegistration.objects.filter(contract__proposal=completed).exists()


@pytest.mark.parametrize("who", ["officer@example.org", "manager@example.org"])
def test_staff_may_not_file_through_the_page(completed, client_as, who):
    response = client_as(who).post(page_url(completed, "file"), {"summary": "x", "products": "y"})
    assert response.status_code == 403
    assert not ResultRegistration.objects.filter(contract__proposal=completed).exists()


def test_a_running_task_cannot_file_through_the_page(researcher, client_as):
    running = Proposal.objects.filter(owner=researcher, state="in_progress").first()
    response = client_as("researcher@example.org").post(
        page_url(running, "file"), {"summary": SUMMARY, "products": PRODUCTS}
    )
    assert response.status_code == 302
    assert not ResultRegistration.objects.filter(contract__proposal=running).exists()


def test_recording_through_the_page(completed, contract, researcher, client_as):
    file(contract, researcher)
    client = client_as("officer@example.org")
    day = timezone.localdate()
    response = client.post(
        page_url(completed, "record"),
        {"number": "88/2026/ĐKKQ", "registered_on": f"{day:%d/%m/%Y}"},
    )
    assert response.status_code == 302
    html = client.get(page_url(completed)).content.decode()
    assert 'id="certificate"' in html and "88/2026/ĐKKQ" in html
    assert page_url(completed, "record") not in html
    # Registered: the investigator may no longer file, and is invited to list the results.
    html = client_as("researcher@example.org").get(page_url(completed)).content.decode()
    assert page_url(completed, "file") not in html and 'id="listing-invitation"' in html


def test_a_duplicate_number_through_the_page_is_shown_by_its_field(
    completed, contract, researcher, officer, client_as
):
    other = Proposal.objects.filter(state="completed").exclude(pk=completed.pk).first()
    record(file(other.contract, other.owner), officer, number="5/ĐKKQ")
    file(contract, researcher)
    response = client_as("officer@example.org").post(
        page_url(completed, "record"), {"number": "5/ĐKKQ", "registered_on": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Một đăng ký khác đã có số này." in html and 'href="#id_number"' in html
    assert ResultRegistration.objects.get(contract=contract).number == ""


def test_a_date_in_the_future_through_the_page(completed, contract, researcher, client_as):
    file(contract, researcher)
    tomorrow = timezone.localdate() + DAY
    response = client_as("officer@example.org").post(
        page_url(completed, "record"), {"number": "6/ĐKKQ", "registered_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "Ngày đăng ký không thể ở tương lai." in response.content.decode()
    assert ResultRegistration.objects.get(contract=contract).number == ""


@pytest.mark.parametrize("who", ["manager@example.org", "researcher@example.org"])
def test_only_an_officer_records_through_the_page(completed, contract, researcher, client_as, who):
    file(contract, researcher)
    response = client_as(who).post(
        page_url(completed, "record"), {"number": "6/ĐKKQ", "registered_on": "01/01/2026"}
    )
    assert response.status_code == 403
    assert ResultRegistration.objects.get(contract=contract).number == ""


def test_an_officer_who_takes_part_gets_403_from_the_page(completed, contract, researcher, client):
    insider = staff("officer-in-team", roles.OFFICER)
    TeamMember.objects.create(
        proposal=completed, full_name="Cán bộ", organisation_name="Sở", user=insider
    )
    file(contract, researcher)
    client.force_login(insider)
    assert page_url(completed, "record") not in client.get(page_url(completed)).content.decode()
    response = client.post(page_url(completed, "record"), {"number": "6/ĐKKQ"})
    assert response.status_code == 403


def test_recording_before_filing_through_the_page_changes_nothing(completed, client_as):
    response = client_as("officer@example.org").post(
        page_url(completed, "record"), {"number": "6/ĐKKQ", "registered_on": "01/01/2026"}
    )
    assert response.status_code == 302
    assert not ResultRegistration.objects.filter(contract__proposal=completed).exists()


def test_the_page_keeps_user_text_as_text(completed, contract, researcher, client_as):
    file(contract, researcher, summary="<script>alert(1)</script>")
    html = client_as("officer@example.org").get(page_url(completed)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- the certificate --------------------------------------------------------------------------


def pdf_text(content):
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_certificate_pdf_once_registered(completed, contract, researcher, officer, client_as):
    url = reverse("project_registration_pdf", args=[completed.pk])
    filed = file(contract, researcher)
    assert client_as("researcher@example.org").get(url).status_code == 404  # not recorded yet
    record(filed, officer, number="77/2026/ĐKKQ", day=accepted_on(contract))
    response = client_as("researcher@example.org").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Số: 77/2026/ĐKKQ" in text and completed.title[:30] in text
    assert "Thông tư số 14/2014/TT-BKHCN" in text and "Màng bao chitosan" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    # The same signed file every time.
    assert client_as("officer@example.org").get(url).content == response.content
    assert client_as("researcher2@example.org").get(url).status_code == 403
    page = client_as("researcher@example.org").get(page_url(completed)).content.decode()
    assert url in page
