"""Tranche releases and the ledger: each condition held and not held, the payment order's date at
its boundaries, who may release, the running total under the database's check constraint, and
the ledger page the investigator and the staff read."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from grants import workflow as grants_workflow
from grants.models import Proposal
from projects import reports
from projects.models import Contract, ProgressReport, ProjectEntry, Tranche
from projects.tranches import condition_problems, condition_text, release_problems, release_tranche
from projects.workflow import GuardFailed, StateConflict
from tests.projects import contracting
from tests.projects.contracting import sign

pytestmark = pytest.mark.django_db

SIGNED_ON = datetime.date(2026, 6, 1)  # after the demo's funding decision of 04/04/2026


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
def running(officer, researcher):
    """researcher@'s funded demo proposal, signed on SIGNED_ON with three tranches: one on
    signing, one after report 1 is accepted, one after acceptance."""
    proposal = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    third = proposal.approved_amount // 3
    sign(
        proposal,
        officer,
        signed_on=SIGNED_ON,
        tranches=[
            {"due_on": SIGNED_ON, "amount": third, "condition": "on_signing"},
            {
                "due_on": SIGNED_ON + datetime.timedelta(days=220),
                "amount": third,
                "condition": "report_accepted",
                "report_number": 1,
            },
            {
                "due_on": SIGNED_ON + datetime.timedelta(days=700),
                "amount": proposal.approved_amount - 2 * third,
                "condition": "acceptance_passed",
            },
        ],
    )
    return Proposal.objects.get(pk=proposal.pk)


def tranche(proposal, position):
    return Tranche.objects.select_related("contract__proposal").get(
        contract__proposal=proposal, position=position
    )


def release(proposal, position, by, *, number="125/LC-KBNN", day=None):
    return release_tranche(
        tranche(proposal, position),
        by=by,
        ip="10.0.0.7",
        payment_order_number=number,
        payment_order_date=day or SIGNED_ON + datetime.timedelta(days=3),
    )


def released_amount(proposal):
    return Contract.objects.get(proposal=proposal).released_amount


def accept_report(proposal, number, researcher, officer):
    report = ProgressReport.objects.get(contract__proposal=proposal, number=number)
    return contracting.accept_report(report, researcher, officer, spent=120_000_000)


def guard_keys(excinfo):
    return set(excinfo.value.errors)


# -- the conditions, each on its own ------------------------------------------------------------


def test_on_signing_tranche_is_released_once_the_contract_is_signed(running, officer):
    done = release(running, 1, officer)
    assert done.is_released and done.released_by == officer
    assert done.payment_order_number == "125/LC-KBNN"
    assert released_amount(running) == done.amount
    entry = ProjectEntry.objects.get(proposal=running, action="release_tranche")
    assert entry.actor == officer and str(entry.ip) == "10.0.0.7"
    assert entry.data["amount"] == done.amount and entry.data["released_amount"] == done.amount


def test_on_signing_tranche_of_an_unsigned_contract_is_refused(officer, researcher):
    from tests.projects.contracting import prepare

    proposal = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    prepare(proposal, officer, signed_on=SIGNED_ON)
    first = tranche(proposal, 1)
    assert condition_problems(first) == {"condition": ["Hợp đồng chưa được ký."]}
    with pytest.raises(GuardFailed) as excinfo:
        release(proposal, 1, officer)
    assert guard_keys(excinfo) == {"state", "condition"}
    assert released_amount(proposal) == 0


def test_report_tranche_waits_for_that_report_to_be_accepted(running, officer, researcher):
    with pytest.raises(GuardFailed) as excinfo:
        release(running, 2, officer)
    assert excinfo.value.errors == {"condition": ["Báo cáo định kỳ lần 1 chưa được chấp nhận."]}
    # Submitted is not accepted.
    report = ProgressReport.objects.get(contract__proposal=running, number=1)
    contracting.submit_report(report, researcher, spent=1)
    with pytest.raises(GuardFailed):
        release(running, 2, officer)
    reports.accept_report(ProgressReport.objects.get(pk=report.pk), by=officer)
    assert release_problems(tranche(running, 2)) == {}
    done = release(running, 2, officer)
    assert done.is_released and released_amount(running) == done.amount


def test_report_tranche_is_not_unlocked_by_another_report(running, officer, researcher):
    accept_report(running, 2, researcher, officer)
    with pytest.raises(GuardFailed) as excinfo:
        release(running, 2, officer)
    assert guard_keys(excinfo) == {"condition"}


def test_returned_report_does_not_unlock_its_tranche(running, officer, researcher):
    report = ProgressReport.objects.get(contract__proposal=running, number=1)
    contracting.submit_report(report, researcher, spent=1)
    reports.return_report(report, by=officer, comment="Thiếu chứng từ chi.")
    assert set(release_problems(tranche(running, 2))) == {"condition"}


@pytest.mark.parametrize("verdict", ["", "fail"])
def test_acceptance_tranche_is_refused_without_a_passing_verdict(running, officer, verdict):
    Proposal.objects.filter(pk=running.pk).update(acceptance_verdict=verdict)
    with pytest.raises(GuardFailed) as excinfo:
        release(running, 3, officer)
    assert excinfo.value.errors == {"condition": ["Kết quả chưa được nghiệm thu đạt."]}


@pytest.mark.parametrize("verdict", ["pass", "excellent"])
def test_acceptance_tranche_is_released_after_a_passing_verdict(running, officer, verdict):
    Proposal.objects.filter(pk=running.pk).update(acceptance_verdict=verdict)
    done = release(running, 3, officer)
    assert done.is_released


def test_completed_task_releases_only_its_acceptance_tranche(running, officer):
    Proposal.objects.filter(pk=running.pk).update(acceptance_verdict="pass")
    grants_workflow.accept_results(Proposal.objects.get(pk=running.pk), by=officer)
    with pytest.raises(GuardFailed) as excinfo:
        release(running, 1, officer)
    assert guard_keys(excinfo) == {"state"}
    assert release(running, 3, officer).is_released


def test_terminated_task_releases_nothing(researcher, officer):
    terminated = Proposal.objects.filter(owner=researcher, state="terminated").first()
    before = released_amount(terminated)  # the tranche paid on signing, before it stopped
    assert before == tranche(terminated, 1).amount
    with pytest.raises(GuardFailed) as excinfo:
        release(terminated, 2, officer, day=datetime.date(2025, 4, 10))
    assert "state" in guard_keys(excinfo)
    assert f"“{terminated.get_state_display()}”" in excinfo.value.errors["state"][0]
    assert released_amount(terminated) == before


# -- the payment order ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "accepted"),
    [
        (SIGNED_ON, True),  # the signing day itself
        (SIGNED_ON - datetime.timedelta(days=1), False),  # the day before
        (None, True),  # today
        ("tomorrow", False),
    ],
)
def test_payment_order_date_between_signing_and_today(running, officer, day, accepted):
    today = timezone.localdate()
    day = {None: today, "tomorrow": today + datetime.timedelta(days=1)}.get(day, day)
    if accepted:
        assert release(running, 1, officer, day=day).payment_order_date == day
    else:
        with pytest.raises(GuardFailed) as excinfo:
            release(running, 1, officer, day=day)
        assert guard_keys(excinfo) == {"payment_order_date"}
        assert not tranche(running, 1).is_released


def test_payment_order_number_and_date_are_required(running, officer):
    with pytest.raises(GuardFailed) as excinfo:
        release_tranche(
            tranche(running, 1), by=officer, payment_order_number="   ", payment_order_date=None
        )
    assert excinfo.value.errors == {
        "payment_order_number": ["Nhập số lệnh chi."],
        "payment_order_date": ["Nhập ngày của lệnh chi."],
    }


@pytest.mark.parametrize(("length", "accepted"), [(40, True), (41, False)])
def test_payment_order_number_at_most_40_characters(running, officer, length, accepted):
    number = "9" * length
    if accepted:
        assert release(running, 1, officer, number=number).payment_order_number == number
    else:
        with pytest.raises(GuardFailed) as excinfo:
            release(running, 1, officer, number=number)
        assert guard_keys(excinfo) == {"payment_order_number"}


# -- once only, officers only, never past the approved amount -----------------------------------


def test_second_release_of_a_tranche_is_refused(running, officer):
    first = release(running, 1, officer)
    with pytest.raises(StateConflict) as excinfo:
        release(running, 1, officer, number="126/LC-KBNN")
    assert "125/LC-KBNN" in str(excinfo.value)
    assert released_amount(running) == first.amount
    assert tranche(running, 1).payment_order_number == "125/LC-KBNN"
    assert ProjectEntry.objects.filter(proposal=running, action="release_tranche").count() == 1
    assert release_problems(tranche(running, 1)) == {"tranche": ["Đợt kinh phí này đã được cấp."]}


@pytest.mark.parametrize("who", ["researcher@example.org", "manager@example.org"])
def test_only_an_officer_releases(running, user_by_email, who):
    with pytest.raises(PermissionDenied):
        release(running, 1, user_by_email(who))
    assert not tranche(running, 1).is_released


def test_an_officer_who_takes_part_in_the_task_does_not_release(running, researcher):
    from django.contrib.auth.models import Group

    from core import roles

    researcher.groups.add(Group.objects.get(name=roles.OFFICER))
    with pytest.raises(PermissionDenied):
        release(running, 1, get_user_model().objects.get(pk=researcher.pk))
    assert released_amount(running) == 0


def test_check_constraint_refuses_a_direct_over_release(running):
    contract = Contract.objects.get(proposal=running)
    # Exactly the approved amount is allowed …
    Contract.objects.filter(pk=contract.pk).update(released_amount=contract.approved_amount)
    # … one đồng more is not, whatever code writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(released_amount=contract.approved_amount + 1)
    assert released_amount(running) == contract.approved_amount


def test_release_past_the_approved_amount_is_refused_by_the_database(running, officer):
    contract = Contract.objects.get(proposal=running)
    first = tranche(running, 1)
    # The approved amount cut below the schedule (as a bad data fix would): the constraint holds.
    Contract.objects.filter(pk=contract.pk).update(approved_amount=first.amount - 1)
    with pytest.raises(GuardFailed) as excinfo:
        release(running, 1, officer)
    assert guard_keys(excinfo) == {"amount"}
    assert released_amount(running) == 0
    assert not tranche(running, 1).is_released
    assert not ProjectEntry.objects.filter(proposal=running, action="release_tranche").exists()


def test_released_total_reaches_exactly_the_approved_amount(running, officer, researcher):
    release(running, 1, officer)
    accept_report(running, 1, researcher, officer)
    release(running, 2, officer)
    Proposal.objects.filter(pk=running.pk).update(acceptance_verdict="pass")
    release(running, 3, officer)
    contract = Contract.objects.get(proposal=running)
    assert contract.released_amount == contract.approved_amount == running.approved_amount
    assert contract.remaining_amount == 0


def test_the_investigator_is_emailed_on_commit(
    running, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = release(running, 1, officer)
    [message] = mail.outbox
    assert message.to == ["researcher@example.org"]
    assert "đợt 1" in message.subject
    amount = f"{done.amount:,}".replace(",", ".") + " ₫"
    assert amount in message.body and "125/LC-KBNN" in message.body
    assert reverse("project_tranches", args=[running.pk]) in message.body


def test_nothing_is_emailed_when_the_release_is_refused(
    running, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(GuardFailed):
        release(running, 2, officer)
    assert mail.outbox == []


def test_condition_in_words():
    assert condition_text(Tranche(condition="on_signing")) == "khi ký hợp đồng"
    assert (
        condition_text(Tranche(condition="report_accepted", report_number=2))
        == "sau khi báo cáo định kỳ lần 2 được chấp nhận"
    )
    assert (
        condition_text(Tranche(condition="acceptance_passed"))
        == "sau khi kết quả được nghiệm thu đạt"
    )


# -- the ledger page and the release form ---------------------------------------------------------


def ledger_url(proposal):
    return reverse("project_tranches", args=[proposal.pk])


def release_url(proposal, position):
    return reverse("project_tranche_release", args=[proposal.pk, position])


def form_data(position, number="125/LC-KBNN", day="2026-06-04"):
    prefix = f"tranche-{position}-"
    return {prefix + "payment_order_number": number, prefix + "payment_order_date": day}


def test_ledger_shows_the_figures_after_a_release(running, officer, client_as):
    contract = Contract.objects.get(proposal=running)
    first = tranche(running, 1)
    client = client_as("officer@example.org")
    response = client.post(release_url(running, 1), form_data(1))
    assert response.status_code == 302 and response.url == ledger_url(running)
    page = client.get(ledger_url(running)).content.decode()

    def money(amount):
        return f"{amount:,}".replace(",", ".") + " ₫"

    assert f'<dd id="ledger-approved">{money(contract.approved_amount)}</dd>' in page
    assert f'<dd id="ledger-released">{money(first.amount)}</dd>' in page
    remaining = contract.approved_amount - first.amount
    assert f'<dd id="ledger-remaining">{money(remaining)}</dd>' in page
    assert "Lệnh chi số 125/LC-KBNN ngày 04/06/2026" in page
    assert "Kinh phí còn lại chưa cấp: " + money(remaining) in page  # the success message
    assert released_amount(running) == first.amount


def test_ledger_offers_a_form_only_for_what_an_officer_may_release(running, client_as):
    page = client_as("officer@example.org").get(ledger_url(running)).content.decode()
    assert release_url(running, 1) in page
    assert release_url(running, 2) not in page and release_url(running, 3) not in page
    assert "sau khi báo cáo định kỳ lần 1 được chấp nhận" in page.lower()
    assert "Báo cáo định kỳ lần 1 chưa được chấp nhận." in page
    for who in ("manager@example.org", "researcher@example.org"):
        page = client_as(who).get(ledger_url(running)).content.decode()
        assert release_url(running, 1) not in page
        assert 'id="ledger-remaining"' in page


@pytest.mark.parametrize("who", ["researcher@example.org", "manager@example.org"])
def test_a_non_officer_posting_a_release_gets_403(running, client_as, who):
    response = client_as(who).post(release_url(running, 1), form_data(1))
    assert response.status_code == 403
    assert released_amount(running) == 0


def test_bad_input_is_shown_by_the_field_and_the_text_kept(running, client_as):
    client = client_as("officer@example.org")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(release_url(running, 1), form_data(1, number="", day=tomorrow))
    assert response.status_code == 400
    form = response.context["releasable"][0]["form"]
    assert form.errors == {
        "payment_order_number": ["Nhập số lệnh chi."],
        "payment_order_date": ["Ngày lệnh chi không thể ở trong tương lai."],
    }
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert f'value="{tomorrow}"' in page

    response = client.post(release_url(running, 1), form_data(1, day="31/02/2026"))
    assert response.status_code == 400
    assert response.context["releasable"][0]["form"].errors == {
        "payment_order_date": ["Nhập ngày theo dạng dd/mm/yyyy."]
    }
    assert 'value="125/LC-KBNN"' in response.content.decode()
    assert released_amount(running) == 0


def test_posting_a_tranche_whose_condition_does_not_hold_shows_why(running, client_as):
    response = client_as("officer@example.org").post(release_url(running, 2), form_data(2))
    assert response.status_code == 400
    assert "Báo cáo định kỳ lần 1 chưa được chấp nhận." in response.content.decode()
    assert not tranche(running, 2).is_released


def test_a_second_release_through_the_page_says_it_was_already_done(running, officer, client_as):
    release(running, 1, officer)
    client = client_as("officer@example.org")
    response = client.post(release_url(running, 1), form_data(1, number="999/LC"), follow=True)
    assert response.status_code == 200
    assert "đã được cấp lúc" in response.content.decode()
    assert tranche(running, 1).payment_order_number == "125/LC-KBNN"


def test_ledger_of_a_proposal_without_contract_is_404(researcher, client_as):
    funded = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    assert client_as("officer@example.org").get(ledger_url(funded)).status_code == 404
    assert client_as("researcher2@example.org").get(ledger_url(funded)).status_code == 403


def test_an_officer_who_takes_part_gets_403_from_the_page(running, researcher, client_as):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.contrib.auth.models import Group

    from core import roles

    researcher.groups.add(Group.objects.get(name=roles.OFFICER))
    # Staff sign in with TOTP: the middleware lets them through once it is set up.
    TOTP.activate(researcher, settings.PORTAL_DEMO_TOTP_SECRET)
    client = client_as("researcher@example.org")
    page = client.get(ledger_url(running))
    assert page.status_code == 200 and 'id="ledger-remaining"' in page.content.decode()
    assert release_url(running, 1) not in page.content.decode()
    assert client.post(release_url(running, 1), form_data(1)).status_code == 403
    assert released_amount(running) == 0
