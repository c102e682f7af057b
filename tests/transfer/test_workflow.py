"""Technologies and transfer deals move only through transfer.workflow; the last step of a deal
on a funded project's result makes the proposal `transferred`."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grants.models import AuditEntry, Proposal
from tests.samples import pdf
from transfer import workflow
from transfer.models import DealEntry, Technology, TransferDeal

pytestmark = pytest.mark.django_db

CHECKLIST = [key for key, _label in workflow.PUBLISH_CHECKLIST]


def agreement():
    return pdf("hop-dong-chuyen-giao.pdf")


@pytest.fixture
def completed_proposal():
    return Proposal.objects.get(title="Nhân giống in vitro chuối già Nam Mỹ sạch bệnh")


@pytest.fixture
def technology(completed_proposal, user_by_email):
    owner = completed_proposal.owner
    return Technology.objects.create(
        title="Quy trình nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô",
        summary="Cây giống đồng đều, sạch bệnh héo rũ Panama, tỷ lệ sống trên 95% khi ra vườn.",
        sector=completed_proposal.sector,
        trl=7,
        ip_status="know_how",
        transfer_modes=["licence", "consulting"],
        price=350_000_000,
        owner=owner,
        organisation=completed_proposal.organisation,
        source_proposal=completed_proposal,
        confidential="Công thức môi trường MS bổ sung BAP 4 mg/l.",
        nda_terms="Không tiết lộ cho bên thứ ba trong 5 năm.",
    )


@pytest.fixture
def published(technology, user_by_email):
    technology = workflow.submit_technology(technology, by=technology.owner)
    return workflow.publish_technology(
        technology, by=user_by_email("officer@example.org"), checklist=CHECKLIST
    )


def test_moderation_needs_the_checklist_and_an_officer(technology, user_by_email):
    owner = technology.owner
    pending = workflow.submit_technology(technology, by=owner)
    with pytest.raises(PermissionDenied):
        workflow.publish_technology(pending, by=owner, checklist=CHECKLIST)
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.publish_technology(
            pending, by=user_by_email("officer@example.org"), checklist=CHECKLIST[:2]
        )
    assert len(failure.value.errors["checklist"]) == 2
    done = workflow.publish_technology(
        pending, by=user_by_email("officer@example.org"), checklist=CHECKLIST
    )
    assert done.state == "published" and done.published_at is not None


def test_a_whole_deal_ends_with_the_proposal_transferred(
    published, user_by_email, completed_proposal
):
    business = user_by_email("business@example.org")
    owner = published.owner
    officer = user_by_email("officer@example.org")
    deal = workflow.request_deal(published, by=business, message="Cần 20.000 cây giống/năm.")
    with pytest.raises(PermissionDenied):
        workflow.accept(deal, by=business)
    deal = workflow.accept(deal, by=owner)
    deal = workflow.accept_nda(deal, by=business)
    assert deal.nda_accepted_at is not None
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.record_terms(
            deal, by=business, mode="assignment", value=0, payment="x", term_months=0,
            signed_on=None,
        )  # fmt: skip
    assert set(failure.value.errors) == {
        "mode", "value", "payment", "term_months", "signed_on", "agreement"
    }  # fmt: skip
    signed = datetime.date.today() - datetime.timedelta(days=10)
    # requested before it was signed (a signing date cannot precede the request)
    TransferDeal.objects.filter(pk=deal.pk).update(
        created_at=deal.created_at - datetime.timedelta(days=30)
    )
    deal = workflow.record_terms(
        deal, by=owner, mode="licence", value=300_000_000, payment="instalments", term_months=36,
        signed_on=signed, agreement=agreement(),
    )  # fmt: skip
    assert deal.registration_deadline == signed + datetime.timedelta(days=90)
    with pytest.raises(PermissionDenied):
        workflow.complete(deal, by=owner)
    deal = workflow.complete(deal, by=officer)
    assert deal.state == "completed"
    proposal = Proposal.objects.get(pk=completed_proposal.pk)
    assert proposal.state == "transferred"
    entry = AuditEntry.objects.get(proposal=proposal, transition="mark_transferred")
    assert entry.actor is None and str(deal.pk) in entry.comment
    assert list(DealEntry.objects.filter(deal=deal).values_list("action", flat=True)) == [
        "request", "accept", "accept_nda", "record_terms", "complete"
    ]  # fmt: skip


def test_only_businesses_ask_and_only_once_at_a_time(published, user_by_email):
    with pytest.raises(PermissionDenied):
        workflow.request_deal(published, by=user_by_email("researcher@example.org"), message="x")
    business = user_by_email("business@example.org")
    workflow.request_deal(published, by=business, message="Lần một")
    with pytest.raises(workflow.GuardFailed):
        workflow.request_deal(published, by=business, message="Lần hai")
    with pytest.raises(workflow.GuardFailed):
        workflow.request_deal(published, by=business, message="  ")


def test_either_side_cancels_before_agreement_and_not_after(published, user_by_email):
    business = user_by_email("business@example.org")
    deal = workflow.request_deal(published, by=business, message="Hỏi giá")
    with pytest.raises(PermissionDenied):
        workflow.cancel(deal, by=user_by_email("researcher@example.org"))  # not a party
    cancelled = workflow.cancel(deal, by=business)
    assert cancelled.state == "cancelled"
    deal = workflow.request_deal(published, by=business, message="Hỏi lại")
    deal = workflow.accept(deal, by=published.owner)
    deal = workflow.record_terms(
        deal, by=business, mode="consulting", value=50_000_000, payment="lump_sum",
        term_months=6, signed_on=datetime.date.today(), agreement=agreement(),
    )  # fmt: skip
    with pytest.raises(workflow.StateConflict):
        workflow.cancel(deal, by=business)
    with pytest.raises(workflow.StateConflict):
        workflow.decline(deal, by=published.owner)


def test_a_deal_on_an_unpublished_technology_is_refused(technology, user_by_email):
    with pytest.raises(workflow.GuardFailed):
        workflow.request_deal(technology, by=user_by_email("business@example.org"), message="x")
    assert not TransferDeal.objects.filter(technology=technology).exists()


def test_a_mode_the_owner_does_not_offer_is_refused(published, user_by_email):
    business = user_by_email("business@example.org")
    deal = workflow.accept(
        workflow.request_deal(published, by=business, message="x"), by=published.owner
    )
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.record_terms(
            deal, by=business, mode="capital", value=1, payment="equity", term_months=1,
            signed_on=datetime.date.today(),
        )  # fmt: skip
    assert "mode" in failure.value.errors


# -- the catalogue's audit trail and notices ---------------------------------------------------------


def test_every_listing_step_is_recorded_and_told_to_the_other_side(
    technology, user_by_email, django_capture_on_commit_callbacks
):
    from django.core import mail

    from transfer.models import CatalogueEntry

    owner, officer = technology.owner, user_by_email("officer@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        pending = workflow.submit_technology(technology, by=owner)
    to_officers = [m for m in mail.outbox if "officer@example.org" in m.to]
    assert to_officers and "Cần kiểm duyệt" in to_officers[0].subject
    assert "/technologies/moderation/" in to_officers[0].body
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.send_back_technology(pending, by=officer, comment="  ")
    assert "comment" in failure.value.errors
    assert Technology.objects.get(pk=technology.pk).state == "pending"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.send_back_technology(pending, by=officer, comment="Ghi rõ giá theo gói 1.000 cây.")
    [notice] = mail.outbox
    assert notice.to == [owner.email] and "Ghi rõ giá theo gói 1.000 cây." in notice.body
    draft = Technology.objects.get(pk=technology.pk)
    workflow.submit_technology(draft, by=owner)
    published = workflow.publish_technology(
        Technology.objects.get(pk=technology.pk), by=officer, checklist=CHECKLIST
    )
    workflow.revise_technology(published, by=owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.archive_technology(Technology.objects.get(pk=technology.pk), by=owner)
    assert mail.outbox == []  # the owner archived it: nobody else needs to hear
    steps = list(
        CatalogueEntry.objects.filter(technology=technology).values_list(
            "action", "source", "target", "actor__email"
        )
    )
    assert steps == [
        ("submit", "draft", "pending", owner.email),
        ("send_back", "pending", "draft", "officer@example.org"),
        ("submit", "draft", "pending", owner.email),
        ("publish", "pending", "published", "officer@example.org"),
        ("revise", "published", "pending", owner.email),
        ("archive", "pending", "archived", owner.email),
    ]
    entry = CatalogueEntry.objects.filter(technology=technology).first()
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


def test_a_need_closed_by_an_officer_is_told_to_its_business(
    user_by_email, django_capture_on_commit_callbacks
):
    from django.core import mail

    from transfer.models import TechnologyNeed

    need = TechnologyNeed.objects.get(title="Phần mềm quản lý hợp tác xã")
    assert list(need.entries.values_list("action", flat=True)) == ["publish"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.close_need(need, by=user_by_email("officer@example.org"))
    [notice] = mail.outbox
    assert notice.to == ["business@example.org"] and f"/needs/{need.pk}/" in notice.body
    assert list(need.entries.values_list("action", "target")) == [
        ("publish", "published"),
        ("close", "closed"),
    ]


def test_the_history_of_a_listing_is_for_its_owner_and_officers(client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    for email, shown in [
        (None, False),
        ("business@example.org", False),
        ("researcher2@example.org", False),
        ("researcher@example.org", True),  # the owner
        ("officer@example.org", True),
    ]:
        html = client_as(email).get(f"/technologies/{tech.pk}/").content.decode()
        assert ('id="history-heading"' in html) is shown, email
        if shown:
            assert "Sở đã công bố" in html


def test_the_django_admin_shows_a_listing_with_its_trail_read_only(client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    admin = client_as("admin@example.org")
    page = admin.get(f"/django-admin/transfer/technology/{tech.pk}/change/").content.decode()
    assert "Giống lúa thơm chịu mặn AGU-ST1" in page and "publish" in page
    assert 'name="_save"' not in page  # nothing to save: states move only through the workflow
