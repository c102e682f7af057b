"""Blindness and conflicts rest on the records, not on the roles people hold (DESIGN.md).

Nobody sees the council's members, ballots, minutes or results row of a proposal they take part
in, whatever other role they hold; no one appoints themselves a council member or seats
themselves on a council; someone who takes part in a proposal is never seated on it."""

import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook
from pypdf import PdfReader

from core import roles
from core.models import RoleChange
from grants import council, rules
from grants.models import CallPage, Proposal, ReviewAssignment

pytestmark = pytest.mark.django_db

# The demo's reviewed dossier of researcher2, and another dossier of the same call.
THEIRS = "Mô hình tưới ướt khô xen kẽ giảm phát thải trên lúa"
OTHERS = "Ứng dụng ảnh vệ tinh dự báo năng suất lúa vụ Đông Xuân"


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def give(user, *names):
    user.groups.add(*Group.objects.filter(name__in=names))
    if {roles.OFFICER, roles.MANAGER} & set(names):
        TOTP.activate(user, settings.PORTAL_DEMO_TOTP_SECRET)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def applicant_staff(user_by_email):
    """researcher2, the applicant of THEIRS, who is also made an officer and a manager."""
    return give(user_by_email("researcher2@example.org"), roles.OFFICER, roles.MANAGER)


@pytest.fixture
def theirs():
    return Proposal.objects.get(title=THEIRS)


@pytest.fixture
def others():
    return Proposal.objects.get(title=OTHERS)


def council_names(proposal):
    names = [
        a.reviewer.profile.full_name
        for a in proposal.assignments.select_related("reviewer__profile")
    ]
    assert len(names) >= 5
    return names


# -- the rule ---------------------------------------------------------------------------------------


def test_may_see_ballots_is_refused_to_whoever_takes_part_whatever_their_roles(
    applicant_staff, theirs, others, user_by_email
):
    officer = user_by_email("officer@example.org")
    assert rules.may_see_ballots(theirs, officer)
    assert not rules.may_see_ballots(theirs, applicant_staff)
    assert council.visible_ballots(theirs, applicant_staff) == []
    assert len(council.visible_ballots(theirs, officer)) == theirs.ballots.count() > 0
    # a dossier they do not take part in stays open to their staff role
    assert rules.may_see_ballots(others, applicant_staff)
    # a team member who is an officer: as blind as the applicant
    others.team.create(full_name="Cán bộ Sở", organisation_name="Sở KH&CN", user=officer)
    others = Proposal.objects.get(pk=others.pk)
    assert not rules.may_see_ballots(others, officer)
    assert council.visible_ballots(others, officer) == []


# -- everywhere it shows ---------------------------------------------------------------------------


def test_an_applicant_with_staff_roles_sees_no_council_on_their_own_dossier_page(
    applicant_staff, theirs, client, user_by_email
):
    names = council_names(theirs)
    client.force_login(user_by_email("officer@example.org"))
    html = client.get(f"/proposals/{theirs.pk}/").content.decode()
    assert all(name in html for name in names)  # the page shows them to the Department
    assert f"/proposals/{theirs.pk}/minutes.pdf" in html
    client.force_login(applicant_staff)
    response = client.get(f"/proposals/{theirs.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert not any(name in html for name in names)
    assert f"/proposals/{theirs.pk}/minutes.pdf" not in html
    for ballot in theirs.ballots.all():
        assert f"<strong>{ballot.total}</strong>" not in html
    # the API and the dashboard name no council member either
    api = client.get(f"/api/v1/proposals/{theirs.pk}/")
    assert api.status_code == 200
    assert not any(name in api.content.decode() for name in names)
    dashboard = client.get("/dashboard/").content.decode()
    assert not any(name in dashboard for name in names)


def test_an_applicant_with_staff_roles_is_refused_the_minutes_of_their_dossier(
    applicant_staff, theirs, others, client, user_by_email
):
    client.force_login(applicant_staff)
    refused = client.get(f"/proposals/{theirs.pk}/minutes.pdf")
    assert refused.status_code == 403
    assert client.get(f"/proposals/{others.pk}/minutes.pdf").status_code == 200
    # the session's minutes name the council of every dossier in the call: refused whole
    assert client.get(f"/proposals/calls/{theirs.call_id}/minutes.pdf").status_code == 403
    client.force_login(user_by_email("officer@example.org"))
    minutes = client.get(f"/proposals/{theirs.pk}/minutes.pdf")
    assert minutes.status_code == 200
    text = pdf_text(minutes.content)
    assert council_names(theirs)[0] in text
    assert client.get(f"/proposals/calls/{theirs.call_id}/minutes.pdf").status_code == 200


def test_the_call_results_hide_the_row_of_a_dossier_one_takes_part_in(
    applicant_staff, theirs, others, client, user_by_email
):
    call = CallPage.objects.get(pk=theirs.call_id)
    client.force_login(user_by_email("manager@example.org"))
    html = client.get(f"/proposals/calls/{call.pk}/results/").content.decode()
    assert THEIRS in html and OTHERS in html
    client.force_login(applicant_staff)
    page = client.get(f"/proposals/calls/{call.pk}/results/")
    html = page.content.decode()
    assert page.status_code == 200
    assert THEIRS not in html and theirs.receipt_number not in html
    assert OTHERS in html
    assert "không được hiển thị vì bạn tham gia" in html
    assert f"/proposals/calls/{call.pk}/minutes.pdf" not in html
    sheet = load_workbook(
        io.BytesIO(client.get(f"/proposals/calls/{call.pk}/results/?format=xlsx").content)
    ).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert OTHERS in titles and THEIRS not in titles


def test_the_version_comparison_names_no_council_member(applicant_staff, theirs, client):
    client.force_login(applicant_staff)
    response = client.get(f"/proposals/{theirs.pk}/versions/?a=1&b=1")
    assert response.status_code in (200, 404)  # 404 when the dossier has a single version
    assert not any(name in response.content.decode() for name in council_names(theirs))


# -- no self-appointment ----------------------------------------------------------------------------


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


def test_no_one_grants_themselves_the_reviewer_role(officer, user_by_email):
    admin = user_by_email("admin@example.org")
    for user in (officer, admin):
        assert not roles.can_grant(user, roles.REVIEWER, user)
        before = RoleChange.objects.count()
        with pytest.raises(PermissionDenied, match="tự bổ nhiệm"):
            roles.grant_role(user, roles.REVIEWER, by=user)
        assert RoleChange.objects.count() == before
        assert not roles.has_role(get_user_model().objects.get(pk=user.pk), roles.REVIEWER)
    # appointing someone else is what officers do
    other = user_by_email("researcher2@example.org")
    assert roles.can_grant(officer, roles.REVIEWER, other)
    roles.grant_role(other, roles.REVIEWER, by=officer)
    assert roles.has_role(get_user_model().objects.get(pk=other.pk), roles.REVIEWER)


def test_the_appointment_page_refuses_oneself_with_a_message(officer, client, user_by_email):
    client.force_login(officer)
    listing = client.get("/people/reviewers/", {"q": "officer@example.org"}).content.decode()
    assert "Một chuyên viên khác phải bổ nhiệm bạn." in listing
    assert f'action="/people/reviewers/{officer.pk}/"' in listing
    refused = client.post(f"/people/reviewers/{officer.pk}/", {"action": "grant"}, follow=True)
    assert "Không ai được tự bổ nhiệm mình vào hội đồng" in refused.content.decode()
    assert not officer.groups.filter(name=roles.REVIEWER).exists()
    other = user_by_email("researcher2@example.org")
    client.post(f"/people/reviewers/{other.pk}/", {"action": "grant"})
    assert other.groups.filter(name=roles.REVIEWER).exists()


@pytest.fixture
def officer_reviewer(officer, user_by_email):
    """The officer, appointed a council member by the administrator."""
    roles.grant_role(officer, roles.REVIEWER, by=user_by_email("admin@example.org"))
    return get_user_model().objects.get(pk=officer.pk)


def test_an_officer_does_not_seat_himself(eligible, officer_reviewer, user_by_email):
    with pytest.raises(ValidationError, match="tự mời mình"):
        council.seat(eligible, officer_reviewer, "member", by=officer_reviewer)
    assert not eligible.assignments.exists()
    mine = next(s for s in council.suggestions(eligible, by=officer_reviewer) if
                s.reviewer == officer_reviewer)  # fmt: skip
    assert "tự mời mình" in mine.blocked
    # another officer may seat him
    colleague = give(
        get_user_model().objects.create_user("officer2", "officer2@example.org", "x"),
        roles.OFFICER,
    )
    seated = council.seat(eligible, officer_reviewer, "member", by=colleague)
    assert seated.invited_by == colleague


def test_the_council_page_refuses_seating_oneself_with_a_message(
    eligible, officer_reviewer, client
):
    client.force_login(officer_reviewer)
    page = client.get(f"/proposals/{eligible.pk}/council/").content.decode()
    assert "tự mời mình" in page
    response = client.post(
        f"/proposals/{eligible.pk}/council/",
        {"action": "seat", "reviewer": officer_reviewer.pk, "seat": "member"},
        follow=True,
    )
    assert "tự mời mình" in response.content.decode()
    assert not ReviewAssignment.objects.filter(proposal=eligible).exists()


def test_someone_who_takes_part_is_never_seated(eligible, researcher, officer, client):
    applicant = give(researcher, roles.REVIEWER)
    with pytest.raises(ValidationError):
        council.seat(eligible, applicant, "member", by=officer)
    client.force_login(officer)
    response = client.post(
        f"/proposals/{eligible.pk}/council/",
        {"action": "seat", "reviewer": applicant.pk, "seat": "member"},
        follow=True,
    )
    assert "Là người đăng ký hồ sơ này." in response.content.decode()
    assert not ReviewAssignment.objects.filter(proposal=eligible).exists()


def test_a_seated_member_who_joins_the_team_can_no_longer_score_or_read_the_ballots(
    under_review, reviewers, client
):
    member = reviewers[0]
    assignment = under_review.assignments.get(reviewer=member)
    client.force_login(member)
    assert client.get(f"/reviews/{assignment.pk}/").status_code == 200
    under_review.team.create(
        full_name="Nguyễn Văn Thành", organisation_name="ĐH Cần Thơ", user=member
    )
    assignment = ReviewAssignment.objects.get(pk=assignment.pk)
    with pytest.raises(PermissionDenied, match="không được chấm điểm"):
        council.save_ballot(assignment, by=member, scores={}, comments={}, comment="")
    assert client.get(f"/reviews/{assignment.pk}/").status_code == 403
    assert not under_review.ballots.filter(reviewer=member, submitted_at__isnull=False).exists()
