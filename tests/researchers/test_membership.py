"""Organisation membership is requested by the person and confirmed by an officer (DESIGN.md,
People and roles): until then they cannot host a proposal or own a listing, and the conflict
checks ignore the organisation they asked for."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core import roles
from grants import council, demo
from grants import workflow as grants_workflow
from grants.models import CallPage, CallTemplate
from grants.rules import takes_part
from researchers import workflow
from researchers.models import Membership, MembershipEntry, Organisation, Profile
from tests.concurrency import run_together
from transfer import workflow as transfer_workflow
from transfer.models import Technology

pytestmark = pytest.mark.django_db

AGU = "Trường Đại học An Giang, Đại học Quốc gia TP. Hồ Chí Minh"


def person(email, role=roles.RESEARCHER, name="Nguyễn Thị Lan"):
    user = get_user_model().objects.create_user(email.split("@")[0], email, "x")
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, full_name=name)
    return user


def organisation(name=AGU):
    return Organisation.objects.get(name=name)


def fresh(user):
    """The user as a new request would load it (nothing remembered from earlier checks)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def lan(db):
    return person("lan.nguyen@agu.edu.vn")


@pytest.fixture
def waiting(lan):
    return workflow.request_membership(lan, by=lan, organisation=organisation())


@pytest.fixture
def open_call(db):
    """A fresh open call shaped like AG-NN01, with none of the demo's proposals in it."""
    demo_call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    call = CallPage(
        title="Đợt thử nghiệm: thành viên tổ chức", slug="ag-test-org", locale=demo_call.locale,
        code="AG-TESTORG", summary=demo_call.summary, opens_at=demo_call.opens_at,
        closes_at=demo_call.closes_at, total_budget=demo_call.total_budget,
        max_per_project=demo_call.max_per_project, min_reviewers=7,
    )  # fmt: skip
    call.sectors = list(demo_call.sectors.all())
    call.templates = [
        CallTemplate(title=t.title, document=t.document, required=t.required)
        for t in demo_call.templates.all()
    ]
    demo_call.get_parent().add_child(instance=call)
    return call


def complete_draft(call, owner):
    proposal, _created = demo.draft_for(call, owner)
    return demo.fill(proposal, title="Chọn tạo giống lúa thơm chịu mặn AG-TV1")


# -- request, confirm, refuse ---------------------------------------------------------------------


def test_a_request_counts_only_once_an_officer_confirms_it(
    lan, waiting, officer, mailoutbox, django_capture_on_commit_callbacks
):
    assert waiting.state == Membership.State.REQUESTED
    lan.profile.refresh_from_db()
    assert lan.profile.organisation is None
    assert list(waiting.entries.values_list("action", "actor")) == [("request", lan.pk)]

    with django_capture_on_commit_callbacks(execute=True):
        done = workflow.confirm(waiting, by=officer, ip="10.0.0.9")
    assert (done.state, done.decided_by, done.organisation) == (
        "confirmed",
        officer,
        organisation(),
    )
    assert done.decided_at is not None
    lan.profile.refresh_from_db()
    assert lan.profile.organisation == organisation()
    entry = done.entries.get(action="confirm")
    assert (entry.source, entry.target, entry.actor, entry.ip) == (
        "requested", "confirmed", officer, "10.0.0.9",
    )  # fmt: skip
    assert [m.to for m in mailoutbox] == [["lan.nguyen@agu.edu.vn"]]
    assert AGU in mailoutbox[0].subject and "đã được xác nhận" in mailoutbox[0].subject


def test_entries_are_append_only(waiting):
    entry = waiting.entries.get()
    entry.comment = "sửa lại"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


def test_a_new_organisation_is_recorded_only_when_an_officer_confirms_it(officer):
    owner = person("giamdoc@htxmyphu.vn", role=roles.BUSINESS, name="Lê Văn Phú")
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.request_membership(owner, by=owner, name="HTX Nông nghiệp Mỹ Phú")
    assert "tax_code" in failure.value.errors  # a business names its tax code
    membership = workflow.request_membership(
        owner, by=owner, name="HTX Nông nghiệp Mỹ Phú", tax_code="1602345678"
    )
    assert membership.organisation is None
    assert not Organisation.objects.filter(name="HTX Nông nghiệp Mỹ Phú").exists()
    done = workflow.confirm(membership, by=officer)
    created = Organisation.objects.get(name="HTX Nông nghiệp Mỹ Phú")
    assert (created.kind, created.tax_code) == (Organisation.Kind.BUSINESS, "1602345678")
    assert done.organisation == created


def test_naming_an_existing_organisation_matches_it_instead_of_a_duplicate(lan):
    membership = workflow.request_membership(lan, by=lan, name="ĐH An Giang")  # its short name
    assert membership.organisation == organisation()


def test_refusing_needs_a_note_and_leaves_the_person_unconfirmed(
    lan, waiting, officer, mailoutbox, django_capture_on_commit_callbacks
):
    for note in ("", "   "):
        with pytest.raises(workflow.GuardFailed) as failure:
            workflow.refuse(waiting, by=officer, note=note)
        assert list(failure.value.errors) == ["note"]
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "requested" and not waiting.entries.filter(action="refuse").exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = workflow.refuse(
            waiting, by=officer, note="Không có trong danh sách cán bộ của trường."
        )
    assert (done.state, done.note, done.decided_by) == (
        "refused", "Không có trong danh sách cán bộ của trường.", officer,
    )  # fmt: skip
    lan.profile.refresh_from_db()
    assert lan.profile.organisation is None
    assert "Không có trong danh sách cán bộ của trường." in mailoutbox[0].body


def test_refusing_without_a_note_through_the_page_keeps_the_form_and_saves_nothing(
    client_as, waiting
):
    client = client_as("officer@example.org")
    url = reverse("membership_decide", args=[waiting.pk])
    response = client.post(url, {"decision": "refuse", "note": ""})
    assert response.status_code == 400
    assert 'id="id_note_error"' in response.content.decode()
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "requested"
    response = client.post(url, {"decision": "refuse", "note": "Sai tổ chức."})
    assert response.status_code == 302 and response["Location"] == reverse("membership_queue")
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "refused"


def test_confirming_through_the_page(client_as, waiting, lan):
    client = client_as("officer@example.org")
    queue = client.get(reverse("membership_queue"))
    assert queue.status_code == 200
    assert "lan.nguyen@agu.edu.vn" in queue.content.decode()
    assert client.get(reverse("membership_decide", args=[waiting.pk])).status_code == 200
    response = client.post(reverse("membership_decide", args=[waiting.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    lan.profile.refresh_from_db()
    assert lan.profile.organisation == organisation()


@pytest.mark.parametrize("decision", ["", "approve", "x" * 300])
def test_an_unknown_decision_is_an_error_by_the_field(client_as, waiting, decision):
    client = client_as("officer@example.org")
    response = client.post(
        reverse("membership_decide", args=[waiting.pk]), {"decision": decision, "note": "Ghi chú"}
    )
    assert response.status_code == 400
    assert 'id="id_decision_error"' in response.content.decode()
    assert "Ghi chú" in response.content.decode()  # the text typed is kept
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "requested"


# -- only officers decide ---------------------------------------------------------------------------

NOT_OFFICERS = [
    "researcher@example.org",
    "researcher2@example.org",
    "business@example.org",
    "reviewer1@example.org",
    "manager@example.org",
    "admin@example.org",  # a superuser without the officer role
]


@pytest.mark.parametrize("email", NOT_OFFICERS)
def test_only_officers_decide_at_the_function(waiting, user_by_email, email):
    someone = user_by_email(email)
    with pytest.raises(PermissionDenied):
        workflow.confirm(waiting, by=someone)
    with pytest.raises(PermissionDenied):
        workflow.refuse(waiting, by=someone, note="Không đúng.")
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "requested" and waiting.entries.count() == 1


@pytest.mark.parametrize("email", NOT_OFFICERS)
def test_only_officers_decide_through_the_pages(client_as, waiting, email):
    client = client_as(email)
    assert client.get(reverse("membership_queue")).status_code == 403
    url = reverse("membership_decide", args=[waiting.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "requested"


def test_the_person_cannot_confirm_their_own_request(client_as, lan, waiting):
    with pytest.raises(PermissionDenied):
        workflow.confirm(waiting, by=lan)
    client = client_as("lan.nguyen@agu.edu.vn")
    response = client.post(reverse("membership_decide", args=[waiting.pk]), {"decision": "confirm"})
    assert response.status_code == 403


def test_an_officer_does_not_decide_their_own_membership(client_as, officer):
    membership = workflow.request_membership(officer, by=officer, organisation=organisation())
    with pytest.raises(PermissionDenied):
        workflow.confirm(membership, by=officer)
    client = client_as("officer@example.org")
    url = reverse("membership_decide", args=[membership.pk])
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    membership = Membership.objects.get(pk=membership.pk)
    assert membership.state == "requested"
    officer.profile.refresh_from_db()
    assert officer.profile.organisation.kind == Organisation.Kind.AGENCY  # still the Department


def test_anonymous_visitors_are_sent_to_sign_in(client, waiting):
    for url in (reverse("membership_queue"), reverse("membership_decide", args=[waiting.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_asks_for_someone_else(lan, user_by_email):
    with pytest.raises(PermissionDenied):
        workflow.request_membership(lan, by=user_by_email("officer@example.org"), name="Sở KH&CN")


# -- one confirmed membership, decided once --------------------------------------------------------


def test_a_change_keeps_the_confirmed_organisation_until_the_new_one_is_confirmed(
    lan, waiting, officer
):
    workflow.confirm(waiting, by=officer)
    move = workflow.request_membership(
        lan, by=lan, organisation=organisation("Trường Đại học Cần Thơ")
    )
    lan.profile.refresh_from_db()
    assert lan.profile.organisation == organisation()  # still AGU while the change waits
    workflow.confirm(move, by=officer)
    states = dict(Membership.objects.filter(user=lan).values_list("organisation__name", "state"))
    assert states == {AGU: "ended", "Trường Đại học Cần Thơ": "confirmed"}
    lan.profile.refresh_from_db()
    assert lan.profile.organisation.name == "Trường Đại học Cần Thơ"


def test_the_database_holds_at_most_one_confirmed_membership_per_person(lan, waiting, officer):
    workflow.confirm(waiting, by=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=lan, organisation=organisation("Trường Đại học Cần Thơ"), state="confirmed"
        )


def test_a_new_request_replaces_the_one_waiting(lan, waiting):
    again = workflow.request_membership(lan, by=lan, name="Viện Lúa Đồng bằng sông Cửu Long")
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "ended" and again.state == "requested"
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.request_membership(lan, by=lan, name="Viện Lúa Đồng bằng sông Cửu Long")
    assert "organisation" in failure.value.errors  # already waiting: not twice
    assert Membership.objects.filter(user=lan, state="requested").count() == 1


def test_a_decided_request_is_not_decided_again(waiting, officer, client_as):
    workflow.confirm(waiting, by=officer)
    with pytest.raises(workflow.StateConflict) as conflict:
        workflow.refuse(waiting, by=officer, note="Nhầm.")
    assert "đã xác nhận" in str(conflict.value)
    # The second officer's click on the page: a clear message, nothing changed.
    client = client_as("officer@example.org")
    response = client.post(
        reverse("membership_decide", args=[waiting.pk]), {"decision": "refuse", "note": "Nhầm."},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert "không được thực hiện" in response.content.decode()
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "confirmed" and waiting.entries.filter(action="refuse").count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_one_wins_the_other_is_told(seeded):
    officer = get_user_model().objects.get(email="officer@example.org")
    second = get_user_model().objects.create_user("officer4", "officer4@example.org", "x")
    second.groups.add(*officer.groups.all())
    lan = person("lan.tran@agu.edu.vn")
    membership = workflow.request_membership(lan, by=lan, organisation=organisation())
    results = run_together(
        lambda: workflow.confirm(membership, by=officer),
        lambda: workflow.refuse(membership, by=second, note="Không thuộc trường."),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, workflow.StateConflict)
    decided = Membership.objects.get(pk=membership.pk)
    assert decided.state in ("confirmed", "refused")
    assert decided.entries.exclude(action="request").count() == 1


# -- an unconfirmed person hosts nothing and owns no listing --------------------------------------


def test_an_unconfirmed_applicant_cannot_submit_until_the_host_is_confirmed(
    open_call, lan, waiting, officer
):
    draft = complete_draft(open_call, lan)
    assert draft.organisation is None
    with pytest.raises(grants_workflow.GuardFailed) as failure:
        grants_workflow.submit(draft, by=lan)
    assert AGU in failure.value.errors["organisation"][0]
    draft = type(draft).objects.get(pk=draft.pk)
    assert draft.state == "draft" and draft.receipt_number is None

    workflow.confirm(waiting, by=officer)
    submitted = grants_workflow.submit(draft, by=fresh(lan))
    assert submitted.state == "submitted"
    assert submitted.organisation == organisation()  # the host is the confirmed membership


def test_an_unconfirmed_applicant_is_refused_through_the_page(client_as, open_call, lan, waiting):
    draft = complete_draft(open_call, lan)
    client = client_as("lan.nguyen@agu.edu.vn")
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'id="problems-organisation"' in page
    response = client.post(reverse("proposal_transition", args=[draft.pk, "submit"]))
    assert response.status_code == 400
    assert "chưa được xác nhận" in response.content.decode()
    draft = type(draft).objects.get(pk=draft.pk)
    assert draft.state == "draft"


def test_withdrawing_the_request_lets_the_person_apply_in_their_own_name(open_call, lan, waiting):
    draft = complete_draft(open_call, lan)
    workflow.end(waiting, by=lan)
    submitted = grants_workflow.submit(draft, by=fresh(lan))
    assert submitted.state == "submitted" and submitted.organisation is None


def test_a_host_claimed_on_the_draft_is_replaced_by_the_confirmed_one(open_call, lan, waiting):
    """Even a draft row that names an organisation (written before this rule) is submitted
    with the owner's confirmed host only."""
    draft = complete_draft(open_call, lan)
    workflow.end(waiting, by=lan)
    type(draft).objects.filter(pk=draft.pk).update(
        organisation=organisation("Sở Khoa học và Công nghệ tỉnh An Giang")
    )
    submitted = grants_workflow.submit(draft, by=fresh(lan))
    assert submitted.organisation is None


def listing(owner, org):
    return Technology.objects.create(
        title="Bộ cảm biến độ mặn giá rẻ cho ruộng lúa", sector_id=_sector(),
        summary="Đo độ mặn nước ruộng liên tục, gửi cảnh báo qua điện thoại khi vượt ngưỡng 2‰.",
        trl=6, ip_status="know_how", transfer_modes=["licence"], owner=owner, organisation=org,
    )  # fmt: skip


def _sector():
    from cms.models import Sector

    return Sector.objects.first().pk


def test_an_unconfirmed_member_cannot_own_a_listing(lan, waiting, officer):
    technology = listing(lan, organisation())
    with pytest.raises(transfer_workflow.GuardFailed) as failure:
        transfer_workflow.submit_technology(technology, by=lan)
    assert "organisation" in failure.value.errors
    technology = Technology.objects.get(pk=technology.pk)
    assert technology.state == "draft"
    workflow.confirm(waiting, by=officer)
    assert transfer_workflow.submit_technology(technology, by=fresh(lan)).state == "pending"


def test_an_unconfirmed_member_is_sent_to_their_profile_to_list_a_technology(
    client_as, lan, waiting
):
    client = client_as("lan.nguyen@agu.edu.vn")
    response = client.get(reverse("technology_new"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("profile")
    assert "Chỉ thành viên đã được xác nhận" in response.content.decode()
    response = client.post(reverse("technology_new"), {"title": "Máy sấy lúa", "submit": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert not Technology.objects.filter(owner=lan).exists()


def test_the_listing_owner_organisation_comes_from_the_confirmed_membership(
    client_as, lan, waiting, officer
):
    workflow.confirm(waiting, by=officer)
    client = client_as("lan.nguyen@agu.edu.vn")
    department = organisation("Sở Khoa học và Công nghệ tỉnh An Giang")
    response = client.post(
        reverse("technology_new"),
        {"title": "Bộ cảm biến độ mặn", "summary": "Đo độ mặn nước ruộng liên tục và cảnh báo sớm.",
         "sector": _sector(), "trl": "6", "ip_status": "know_how", "transfer_modes": ["licence"],
         "organisation": department.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert Technology.objects.get(owner=lan).organisation == organisation()


def test_leaving_the_organisation_makes_the_person_unconfirmed(client_as, lan, waiting, officer):
    confirmed = workflow.confirm(waiting, by=officer)
    client = client_as("lan.nguyen@agu.edu.vn")
    response = client.post(reverse("membership_end", args=[confirmed.pk]))
    assert response.status_code == 302
    confirmed = Membership.objects.get(pk=confirmed.pk)
    lan.profile.refresh_from_db()
    assert confirmed.state == "ended" and lan.profile.organisation is None
    with pytest.raises(transfer_workflow.GuardFailed):
        transfer_workflow.submit_technology(listing(lan, organisation()), by=fresh(lan))


def test_nobody_else_ends_a_persons_membership(client_as, waiting):
    client = client_as("researcher@example.org")
    assert client.post(reverse("membership_end", args=[waiting.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        workflow.end(waiting, by=get_user_model().objects.get(email="researcher@example.org"))
    waiting = Membership.objects.get(pk=waiting.pk)
    assert waiting.state == "requested"


# -- conflict checks rest on confirmed memberships -----------------------------------------------


@pytest.fixture
def eligible(open_call, user_by_email, officer):
    researcher = user_by_email("researcher@example.org")  # confirmed at AGU in the demo
    submitted = grants_workflow.submit(complete_draft(open_call, researcher), by=researcher)
    assert submitted.organisation == organisation()
    return grants_workflow.mark_eligible(submitted, by=officer)


def test_a_reviewer_who_merely_asked_to_join_the_host_is_not_blocked(
    eligible, user_by_email, officer
):
    reviewer = user_by_email("reviewer7@example.org")  # confirmed at Can Tho University
    request = workflow.request_membership(reviewer, by=reviewer, organisation=organisation())
    reviewer = fresh(reviewer)
    assert council.conflict_reason(eligible, reviewer) == ""
    assert not takes_part(eligible, reviewer)
    suggestion = next(s for s in council.suggestions(eligible) if s.reviewer.pk == reviewer.pk)
    assert suggestion.blocked == ""

    workflow.confirm(request, by=officer)
    reviewer = fresh(reviewer)
    eligible = type(eligible).objects.get(pk=eligible.pk)
    assert "chủ trì" in council.conflict_reason(eligible, reviewer)
    assert takes_part(eligible, reviewer)
    suggestion = next(s for s in council.suggestions(eligible) if s.reviewer.pk == reviewer.pk)
    assert suggestion.blocked
    with pytest.raises(ValidationError):
        council.seat(eligible, reviewer, "member", by=officer)


def test_an_officer_who_asked_to_join_the_host_still_screens_until_confirmed(
    open_call, user_by_email, officer
):
    researcher = user_by_email("researcher@example.org")
    submitted = grants_workflow.submit(complete_draft(open_call, researcher), by=researcher)
    request = workflow.request_membership(officer, by=officer, organisation=organisation())
    assert grants_workflow.may_fire(submitted, "mark_eligible", fresh(officer))
    second = get_user_model().objects.create_user("officer5", "officer5@example.org", "x")
    second.groups.add(Group.objects.get(name=roles.OFFICER))
    workflow.confirm(request, by=second)
    submitted = type(submitted).objects.get(pk=submitted.pk)
    assert not grants_workflow.may_fire(submitted, "mark_eligible", fresh(officer))


# -- the profile -----------------------------------------------------------------------------------


def test_the_profile_form_cannot_set_an_organisation(client_as, user_by_email):
    client = client_as("researcher2@example.org")
    researcher2 = user_by_email("researcher2@example.org")
    before = researcher2.profile.organisation
    department = organisation("Sở Khoa học và Công nghệ tỉnh An Giang")
    response = client.post(
        reverse("profile"),
        {"full_name": "Lê Thị Ngọc Hân", "title": "ths", "organisation": department.pk},
    )
    assert response.status_code == 302
    researcher2.profile.refresh_from_db()
    assert researcher2.profile.organisation == before != department
    assert not Membership.objects.filter(user=researcher2, organisation=department).exists()


def test_an_unconfirmed_person_posting_an_organisation_to_the_profile_stays_unconfirmed(
    client_as, lan
):
    client = client_as("lan.nguyen@agu.edu.vn")
    client.post(
        reverse("profile"), {"full_name": "Nguyễn Thị Lan", "organisation": organisation().pk}
    )
    lan.profile.refresh_from_db()
    assert lan.profile.organisation is None and not Membership.objects.filter(user=lan).exists()


def test_requesting_on_the_profile_shows_it_waiting(client_as, lan):
    client = client_as("lan.nguyen@agu.edu.vn")
    response = client.post(
        reverse("membership_request"), {"membership-organisation": organisation().pk}
    )
    assert response.status_code == 302
    page = client.get(reverse("profile")).content.decode()
    assert "chưa xác nhận — đang chờ Sở xem xét" in page
    assert Membership.objects.get(user=lan).state == "requested"
    lan.profile.refresh_from_db()
    assert lan.profile.organisation is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "organisation"),
        ({"membership-organisation": "abc"}, "organisation"),
        ({"membership-organisation": "1" * 23}, "organisation"),
        ({"membership-organisation": "999999"}, "organisation"),
        ({"membership-organisation_name": "x" * 256}, "organisation_name"),
        ({"membership-organisation_name": "HTX Mỹ Phú", "membership-tax_code": "12ab"}, "tax_code"),
    ],
)
def test_bad_requests_are_errors_by_the_field(client_as, lan, data, field):
    client = client_as("lan.nguyen@agu.edu.vn")
    response = client.post(reverse("membership_request"), data)
    assert response.status_code == 400
    assert f'id="id_membership-{field}_error"' in response.content.decode()
    assert not Membership.objects.filter(user=lan).exists()


def test_a_business_names_its_tax_code_with_a_new_company(client_as):
    person("giamdoc@htxmyphu.vn", role=roles.BUSINESS)
    client = client_as("giamdoc@htxmyphu.vn")
    response = client.post(
        reverse("membership_request"), {"membership-organisation_name": "HTX Nông nghiệp Mỹ Phú"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_membership-tax_code_error"' in html
    assert 'value="HTX Nông nghiệp Mỹ Phú"' in html  # the text typed is kept


# -- the officer's dashboard, the demo and existing deployments ------------------------------------


def test_the_officer_dashboard_counts_the_requests_and_links_the_queue(client_as):
    html = client_as("officer@example.org").get(reverse("dashboard")).content.decode()
    assert reverse("membership_queue") in html
    assert "Xử lý 1 yêu cầu xác nhận thành viên" in html  # the demo's researcher3
    queue = client_as("officer@example.org").get(reverse("membership_queue")).content.decode()
    assert "researcher3@example.org" in queue


def test_the_demo_reached_its_memberships_through_the_workflow(officer):
    confirmed = Membership.objects.filter(user__email__endswith="@example.org", state="confirmed")
    assert (
        confirmed.count()
        == get_user_model().objects.filter(email__endswith="@example.org").count() - 1
    )
    for membership in confirmed.select_related("user__profile"):
        actions = list(membership.entries.values_list("action", flat=True))
        assert actions == ["request", "confirm"], membership
        assert membership.user.profile.organisation_id == membership.organisation_id
        expected = None if membership.user_id == officer.pk else officer.pk
        assert membership.decided_by_id == expected
    waiting = Membership.objects.get(user__email="researcher3@example.org")
    assert waiting.state == "requested"


def test_existing_profiles_keep_their_organisation_as_a_system_confirmation(lan):
    Profile.objects.filter(user=lan).update(organisation=organisation())
    migration = importlib.import_module("researchers.migrations.0003_membership")
    from django.apps import apps

    migration.confirm_existing_memberships(apps, None)
    membership = Membership.objects.get(user=lan)
    assert (membership.state, membership.decided_by, membership.organisation) == (
        "confirmed", None, organisation(),
    )  # fmt: skip
    assert MembershipEntry.objects.filter(membership=membership, action="confirm").exists()
    migration.confirm_existing_memberships(apps, None)  # run twice: still one
    assert Membership.objects.filter(user=lan).count() == 1
