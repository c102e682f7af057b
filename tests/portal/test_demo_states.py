"""After `seed_demo` (the session's database), every state of every machine exists, each one
reached through its workflow: the last entry of every record's trail ends where it stands.
Expected states come from the models' own choices, not from the demo code."""

import datetime
import io

import pytest
from django.apps import apps
from django.utils import timezone
from pypdf import PdfReader

from grants.models import AuditEntry, Proposal, ProposalState
from portal.stats import figures
from projects.models import AcceptanceState, ChangeState, ReportState
from researchers.models import DataRequest, Membership
from transfer.models import DealEntry, Technology, TechnologyNeed, TransferDeal

pytestmark = pytest.mark.django_db

OVERDUE_DRAFT = "draft overdue"  # a report still a draft after its due date

MACHINES = {
    "grants.Proposal": set(ProposalState.values),
    "transfer.Technology": set(Technology.State.values),
    "transfer.TechnologyNeed": set(TechnologyNeed.State.values),
    "transfer.TransferDeal": set(TransferDeal.State.values),
    "projects.ProgressReport": set(ReportState.values) | {OVERDUE_DRAFT},
    "projects.ChangeRequest": set(ChangeState.values),
    "projects.Acceptance": set(AcceptanceState.values),
    "researchers.Membership": set(Membership.State.values),
    "researchers.DataRequest": set(DataRequest.State.values),
}


def present_states(label):
    model = apps.get_model(label)
    states = set(model.objects.values_list("state", flat=True).distinct())
    if label == "projects.ProgressReport":
        today = timezone.localdate()
        if model.objects.filter(state="draft", due_on__lt=today).exists():
            states.add(OVERDUE_DRAFT)
    return states


def test_every_state_of_every_machine_exists_after_seed_demo():
    missing = {}
    for label, expected in MACHINES.items():
        absent = expected - present_states(label)
        if absent:
            missing[label] = absent
    assert missing == {}


def test_every_proposal_stands_where_its_trail_ends():
    for proposal in Proposal.objects.exclude(state="draft"):
        last = AuditEntry.objects.filter(proposal=proposal).order_by("at", "pk").last()
        assert last is not None and last.target == proposal.state, proposal.title
    # The draft's creation date is the workflow clock's, before every entry of any dossier.
    for proposal in Proposal.objects.all():
        first = AuditEntry.objects.filter(proposal=proposal).order_by("at", "pk").first()
        assert first is None or proposal.created_at < first.at, proposal.title


def test_every_listing_need_and_deal_stands_where_its_trail_ends():
    for technology in Technology.objects.all():
        last = technology.entries.order_by("at", "pk").last()
        if last is None:  # a listing still being written, never sent
            assert technology.state == "draft"
            continue
        assert last.target == technology.state, technology.title
        assert technology.created_at <= last.at
    for need in TechnologyNeed.objects.exclude(state="draft"):
        assert need.entries.order_by("at", "pk").last().target == need.state, need.title
    for deal in TransferDeal.objects.all():
        trail = list(deal.entries.order_by("at", "pk"))
        assert trail[0].action == "request" and trail[0].at == deal.created_at
        assert trail[-1].target == deal.state, deal.technology.title
        assert [e.at for e in trail] == sorted(e.at for e in trail)


def test_a_draft_listing_was_sent_back_and_an_archived_one_was_published_first():
    sent_back = Technology.objects.filter(state="draft", entries__action="send_back").distinct()
    assert sent_back.count() == 1
    assert sent_back.get().entries.get(action="send_back").comment
    archived = Technology.objects.get(state="archived")
    assert list(archived.entries.values_list("action", flat=True)) == [
        "submit",
        "publish",
        "archive",
    ]


def test_the_deals_carry_what_their_state_means():
    deals = {deal.state: deal for deal in TransferDeal.objects.select_related("technology")}
    assert deals["requested"].nda_accepted_at is None
    assert deals["negotiating"].nda_accepted_at is not None
    for state in ("agreed", "completed"):
        deal = deals[state]
        assert deal.mode and deal.value and deal.payment and deal.term_months and deal.signed_on
        with deal.agreement.open("rb") as stored:
            text = PdfReader(io.BytesIO(stored.read())).pages[0].extract_text()
        assert "HỢP ĐỒNG CHUYỂN GIAO CÔNG NGHỆ" in text.upper()
        assert deal.technology.title.split()[0] in text
        assert deal.agreement_type == "application/pdf"
    assert deals["declined"].entries.get(action="decline").comment
    assert deals["cancelled"].entries.get(action="cancel").comment


def test_a_completed_deal_on_a_funded_result_transferred_its_proposal():
    deal = TransferDeal.objects.get(state="completed")
    proposal = deal.technology.source_proposal
    assert proposal is not None and proposal.state == "transferred"
    # Accepted first, then the deal completed: the system moved it on, naming the deal.
    trail = list(AuditEntry.objects.filter(proposal=proposal).order_by("at", "pk"))
    assert [e.transition for e in trail[-2:]] == ["accept_results", "mark_transferred"]
    assert trail[-1].actor is None and f"số {deal.pk} " in trail[-1].comment
    completed = DealEntry.objects.get(deal=deal, action="complete")
    assert trail[-1].at == completed.at
    # The 90-day registration of a state-funded transfer, still ahead.
    assert deal.registration_deadline == deal.signed_on + datetime.timedelta(days=90)
    assert 0 < deal.registration_days_left() <= 90
    # ... and the programme's figures count it.
    assert figures()["transfers"]["completed"] == 1
    assert figures()["transfers"]["value"] == deal.value
