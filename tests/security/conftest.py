"""Shared fixtures of the security suites: the people of the permission matrix and the seeded
records their URLs point at.

`world` is built once per module inside a transaction that is rolled back when the module ends
(each test then runs in a savepoint of its own, as every pytest-django test does), so the extra
accounts and records it adds never leak into other suites.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tests.grants import conftest as _grants

# Fixtures shared with the grants tests (the bad-input, export and upload suites use them).
draft = _grants.draft
eligible = _grants.eligible
manager = _grants.manager
officer = _grants.officer
open_call = _grants.open_call
researcher = _grants.researcher
researcher2 = _grants.researcher2
reviewers = _grants.reviewers
submitted = _grants.submitted

# The columns of the matrix: who asks. Short keys keep the table readable.
ROLES = (
    "anon",  # not signed in
    "res",  # researcher@example.org: the applicant who owns the seeded proposals and listings
    "res2",  # researcher2@example.org: another applicant
    "biz",  # business@example.org: the business of the seeded needs and deals
    "biz2",  # another business, signed up in the fixture
    "rev",  # reviewer5@example.org: seated (accepted) on the under-review dossier, not yet scored
    "rev2",  # a council member seated on no council (created in the fixture)
    "off",  # officer@example.org
    "man",  # manager@example.org
    "su",  # admin@example.org, superuser
)

ROLE_EMAILS = {
    "res": "researcher@example.org",
    "res2": "researcher2@example.org",
    "biz": "business@example.org",
    "biz2": "business2@matrix.example.org",
    "rev": "reviewer5@example.org",
    "rev2": "unseated-reviewer@matrix.example.org",
    "off": "officer@example.org",
    "man": "manager@example.org",
    "su": "admin@example.org",
}


@dataclass
class World:
    """The accounts (by role key) and the ids the URLs are filled with (by label)."""

    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def user(self, role):
        return None if role == "anon" else get_user_model().objects.get(pk=self.users[role])


def _sign_up(email, full_name, role, organisation):
    """A self-service account as signup makes it (researchers.adapters.AccountAdapter): the
    chosen role through `roles.assign_signup_role`, a verified address and a profile."""
    from allauth.account.models import EmailAddress

    from core import roles
    from researchers.models import Profile

    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password="AnGiang@2025", first_name=full_name
    )
    roles.assign_signup_role(user, role)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Profile.objects.create(
        user=user, full_name=full_name, organisation=organisation, data_consent_at=timezone.now()
    )
    return user


def _ensure_totp(user):
    """Department staff (and the superuser) use TOTP; the middleware lets them in only then."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, settings.PORTAL_DEMO_TOTP_SECRET)


def build_world():
    from core import files as checked_files
    from core import roles
    from grants import workflow as grants_workflow
    from grants.models import Attachment, CallPage, Proposal, ReviewAssignment
    from researchers.models import Organisation
    from tests.samples import pdf, png
    from transfer import workflow
    from transfer.models import Technology, TechnologyFile, TechnologyNeed

    users = get_user_model().objects
    world = World()
    for role, email in ROLE_EMAILS.items():
        if role in ("biz2", "rev2"):
            continue
        world.users[role] = users.get(email=email).pk
    admin = users.get(pk=world.users["su"])
    _ensure_totp(admin)
    rice_company = Organisation.objects.get(name="Công ty TNHH Lúa gạo Thoại Sơn")
    world.users["biz2"] = _sign_up(
        ROLE_EMAILS["biz2"], "Đỗ Thị Thu Hà", roles.BUSINESS, rice_company
    ).pk
    unseated = _sign_up(
        ROLE_EMAILS["rev2"],
        "Tạ Văn Đức",
        roles.RESEARCHER,
        Organisation.objects.get(name="Trường Đại học Cần Thơ"),
    )
    roles.revoke_role(unseated, roles.RESEARCHER, by=admin)
    roles.grant_role(unseated, roles.REVIEWER, by=users.get(pk=world.users["off"]))
    world.users["rev2"] = unseated.pk

    researcher = users.get(pk=world.users["res"])
    researcher2 = users.get(pk=world.users["res2"])
    business = users.get(pk=world.users["biz"])
    reviewer = users.get(pk=world.users["rev"])

    def proposal(owner, state, **filters):
        return Proposal.objects.filter(owner=owner, state=state, **filters).order_by("pk").first()

    ids = world.ids
    draft = proposal(researcher, "draft")
    eligible = proposal(researcher, "eligible")
    review = proposal(researcher, "under_review")
    funded = proposal(researcher, "funded")
    reviewed = proposal(researcher2, "reviewed")
    ids.update(
        draft=draft.pk,
        eligible=eligible.pk,
        under_review=review.pk,
        funded=funded.pk,
        reviewed=reviewed.pk,
        in_progress=proposal(researcher, "in_progress").pk,
        review_code=review.verification_code,
        call_scored=review.call_id,
        call_open=CallPage.objects.get(code="AG-NN01", locale__language_code="vi").pk,
        draft_attachment=Attachment.objects.filter(proposal=draft, removed_at__isnull=True)
        .order_by("pk")
        .first()
        .pk,
        review_attachment=Attachment.objects.filter(proposal=review).order_by("pk").first().pk,
    )
    assert reviewed.passed, "the demo's reviewed dossier passed: it is the one appraised"
    seat = ReviewAssignment.objects.get(proposal=review, reviewer=reviewer)
    assert (
        seat.status == "accepted"
        and not reviewer.ballots.filter(proposal=review, submitted_at__isnull=False).exists()
    ), "reviewer5 is seated on the dossier under review and has not scored it yet"
    ids["assignment"] = seat.pk
    # The same reviewer is invited onto the eligible dossier's council and has not declared yet:
    # the full dossier stays closed to them until they declare no conflict of interest.
    from grants import council

    invited = council.seat(eligible, reviewer, "member", by=users.get(pk=world.users["off"]))
    assert invited.status == "invited"
    ids["assignment_invited"] = invited.pk

    # A dossier with two versions: researcher2's returned one, completed and sent again.
    returned = proposal(researcher2, "returned")
    grants_workflow.submit(returned, by=researcher2, ip="203.162.10.22")
    ids["versions"] = returned.pk

    # The catalogue: a published listing of the researcher's with a picture, and a draft.
    published = (
        Technology.objects.filter(owner=researcher, state="published").order_by("pk").first()
    )
    upload = png()
    picture = TechnologyFile(technology=published, kind="image", caption="Ảnh minh họa")
    picture.take(upload, checked_files.check(upload, accept=checked_files.IMAGES))
    picture.save()
    draft_listing = Technology.objects.create(
        title="Bộ cảm biến độ mặn giá rẻ (bản nháp)",
        summary="Đo độ mặn nước kênh, gửi cảnh báo qua điện thoại.",
        sector=published.sector,
        trl=5,
        transfer_modes=["licence"],
        owner=researcher,
        organisation=researcher.profile.organisation,
    )
    upload = png("ban-nhap.png")
    draft_picture = TechnologyFile(technology=draft_listing, kind="image", caption="Bản nháp")
    draft_picture.take(upload, checked_files.check(upload, accept=checked_files.IMAGES))
    draft_picture.save()
    ids.update(
        technology=published.pk,
        technology_file=picture.pk,
        technology_draft=draft_listing.pk,
        technology_draft_file=draft_picture.pk,
    )

    # Needs: a published one of the business, and one it closed.
    needs = TechnologyNeed.objects.filter(business=business, state="published").order_by("pk")
    ids["need"] = needs[0].pk
    closed = workflow.close_need(needs[1], by=business)
    ids["need_closed"] = closed.pk

    # Deals: one just requested, one agreed with its signed agreement.
    requested = workflow.request_deal(
        published, by=business, message="Chúng tôi muốn dùng cho 20 ha ở Châu Phú."
    )
    other = (
        Technology.objects.filter(owner=researcher, state="published")
        .exclude(pk=published.pk)
        .order_by("pk")
        .first()
    )
    agreed = workflow.request_deal(other, by=business, message="Cần chuyển giao cho nhà máy.")
    workflow.accept(agreed, by=researcher)
    workflow.record_terms(
        agreed,
        by=business,
        mode=other.transfer_modes[0],
        value=300_000_000,
        payment="lump_sum",
        term_months=12,
        signed_on=timezone.localdate(),  # not before the request, made just now
        agreement=pdf("hop-dong-chuyen-giao.pdf"),
    )
    ids.update(deal=requested.pk, deal_agreed=agreed.pk)

    # Memberships: the demo's request still waiting (researcher3), researcher@'s confirmed one.
    from researchers import privacy
    from researchers.models import Membership

    ids.update(
        membership_pending=Membership.objects.get(state="requested").pk,
        membership_res=Membership.objects.get(user=researcher, state="confirmed").pk,
        # A personal-data request of researcher2's, waiting for an officer.
        privacy_request=privacy.open_request(researcher2, "correction", "Học vị: TS.").pk,
    )

    # An integration token the officer issued (portal.tokens).
    from portal import tokens

    token, _secret = tokens.issue(
        name="Hệ thống dịch vụ công tỉnh",
        scopes=["dossier_status"],
        by=users.get(pk=world.users["off"]),
    )
    ids["token"] = token.pk

    # Wagtail: the home page, and a call's template (a public document).
    from wagtail.documents.models import Document

    from cms.models import HomePage

    document = Document.objects.order_by("pk").first()
    ids.update(
        home_page=HomePage.objects.filter(locale__language_code="vi").first().pk,
        document=document.pk,
        document_filename=document.filename,
        res2_id=researcher2.pk,
    )

    # projects: changes — a change request of the running task, waiting for a manager.
    from projects.changes import request_change
    from projects.models import Contract
    from projects.reports import add_report_attachment

    running = Contract.objects.get(proposal_id=ids["in_progress"])
    ids["change_requested"] = request_change(
        running, by=researcher, kind="investigator", reason="Chủ nhiệm đi học dài hạn.",
        new_investigator="Lê Thị Mai",
    ).pk  # fmt: skip

    # -- projects: reports -- a file on report 1 (still a draft) of the running task.
    from projects.changes import request_change
    from projects.models import ProgressReport

    first_report = ProgressReport.objects.get(contract__proposal_id=ids["in_progress"], number=1)
    ids["report_attachment"] = add_report_attachment(
        first_report, pdf("tien-do-ky-1.pdf"), by=researcher, label="Biên bản kiểm tra"
    ).pk

    # -- projects: acceptance dossier --
    # The running task's acceptance dossier, a draft with one file, written by its investigator.
    from projects import acceptance as acceptance_steps

    dossier = acceptance_steps.acceptance_for(running)
    acceptance_steps.save_acceptance_draft(
        dossier, by=researcher, values={"final_report": "Bản thảo báo cáo tổng hợp kết quả."}
    )
    ids["acceptance_draft"] = dossier.pk
    ids["acceptance_attachment"] = acceptance_steps.add_acceptance_attachment(
        dossier, pdf("bao-cao-tong-hop.pdf"), by=researcher, label="Báo cáo tổng hợp"
    ).pk

    # -- projects: acceptance council --
    # researcher@'s task the demo's acceptance council passed: reviewer5 ("rev") sat on it and
    # graded, the verdict and its signed minutes are recorded.
    ids["accepted_task"] = (
        Proposal.objects.filter(owner=researcher, state__in=["completed", "transferred"])
        .filter(contract__acceptance__seats__member=reviewer)
        .order_by("pk")
        .first()
        .pk
    )

    # -- projects: result registration --
    # researcher@'s accepted task, its results filed by the investigator and waiting for an
    # officer to record the certificate.
    from projects import registration

    accepted = (
        Proposal.objects.filter(owner=researcher, state__in=["completed", "transferred"])
        .order_by("pk")
        .first()
    )
    ids["registration_completed"] = accepted.pk
    registration.file_registration(
        accepted.contract, by=researcher, summary="Màng bao sinh học cho xoài.",
        products="- Quy trình sản xuất màng bao",
    )  # fmt: skip

    # -- issue 15: webhooks --
    # An officer's endpoint, paused (the matrix's test events and steps send nothing anywhere).
    from core.models import WebhookEndpoint

    ids["webhook_endpoint"] = WebhookEndpoint.objects.create(
        url="http://127.0.0.1:9/hooks", events=["dossier.received"], active=False,
        created_by=world.user("off"),
    ).pk  # fmt: skip

    # -- demo and market link --
    # (market slice)
    # -- issue 13: demo --
    # (demo slice)
    # -- issue 13: arc --
    # (arc slice)
    # -- issue 14: dashboards --
    # (dashboards slice)
    # -- issue 14: search --
    # (search slice)
    # -- issue 14: language --
    # (language slice)
    # -- issue 16: a large XLSX export of the queue, written by the worker for its officer --
    from django.http import QueryDict

    from grants import exports

    export = exports.request_xlsx(
        users.get(pk=world.users["off"]), QueryDict("state=submitted"), rows_total=1
    )
    exports.build_xlsx.call(export.pk)
    ids.update(export=export.pk)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The matrix's people and records, added once per module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def clients(world):
    """A test client per role, signed in (force_login: the staff's TOTP is enabled, the
    middleware lets them through). A 500 comes back as a response, not as an exception."""
    from django.test import Client

    signed_in = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anon":
            client.force_login(world.user(role))
        signed_in[role] = client
    return signed_in
