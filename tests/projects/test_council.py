"""The acceptance council (Circular 11/2014): every guard on its own, at the function and through
its page; the quorum at the start and again at the close; the verdict recorded on the
acceptance and on the proposal."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from grants.models import Proposal
from projects import council, grading
from projects.models import AcceptanceGrade, AcceptanceSeat, ProjectEntry
from projects.workflow import GuardFailed, StateConflict, add_months
from tests.projects import council_setup as cs

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def acceptance():
    return cs.submitted_acceptance()


def council_url(acceptance):
    return f"/proposals/{acceptance.contract.proposal_id}/acceptance/council/"


def grade_url(acceptance):
    return council_url(acceptance) + "grade/"


def host_staff_reviewer(acceptance, officer):
    """A council member on the staff of the task's host organisation (a confirmed membership)."""
    from researchers import workflow as researchers_workflow

    member = cs.new_reviewer(f"host{acceptance.pk}")
    organisation = acceptance.contract.proposal.organisation
    membership = researchers_workflow.request_membership(member, by=member, name=organisation.name)
    researchers_workflow.confirm(membership, by=officer, notify=False)
    return type(member).objects.get(pk=member.pk)


# -- the council's size ----------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "ok"), [(6, False), (7, True), (9, True), (10, False)])
def test_the_council_has_seven_to_nine_seats(acceptance, officer, size, ok):
    if ok:
        council.set_council_size(acceptance, size, by=officer)
        acceptance.refresh_from_db()
        assert acceptance.council_size == size
    else:
        with pytest.raises(GuardFailed) as failure:
            council.set_council_size(acceptance, size, by=officer)
        assert "7" in failure.value.errors["council_size"][0]
        acceptance.refresh_from_db()
        assert acceptance.council_size == 9


@pytest.mark.parametrize(("size", "status"), [("6", 400), ("10", 400), ("", 400), ("7", 302)])
def test_the_size_through_the_page(acceptance, client_as, size, status):
    response = client_as("officer@example.org").post(
        council_url(acceptance), {"action": "size", "council_size": size}
    )
    assert response.status_code == status
    acceptance.refresh_from_db()
    assert acceptance.council_size == (7 if status == 302 else 9)
    if status == 400:
        assert "error-summary" in response.content.decode()


def test_only_an_officer_sets_the_size(acceptance, user_by_email, client_as):
    with pytest.raises(PermissionDenied):
        council.set_council_size(acceptance, 7, by=user_by_email("manager@example.org"))
    response = client_as("manager@example.org").post(
        council_url(acceptance), {"action": "size", "council_size": "7"}
    )
    assert response.status_code == 403


def test_the_size_cannot_go_below_the_seats_taken(acceptance, officer):
    cs.seat_council(acceptance, officer, cs.free_reviewers(acceptance, 8), accept=False)
    with pytest.raises(GuardFailed) as failure:
        council.set_council_size(acceptance, 7, by=officer)
    assert "council_size" in failure.value.errors


# -- seating -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seat", ["chair", "vice_chair", "critic", "secretary"])
def test_host_staff_never_take_a_leading_seat(acceptance, officer, seat):
    member = host_staff_reviewer(acceptance, officer)
    with pytest.raises(GuardFailed) as failure:
        council.seat_member(acceptance, member, seat, by=officer)
    assert "chủ trì" in failure.value.errors["seat"][0]
    assert not acceptance.seats.filter(member=member).exists()


def test_host_staff_sit_as_plain_members(acceptance, officer):
    member = host_staff_reviewer(acceptance, officer)
    placed = council.seat_member(acceptance, member, "member", by=officer)
    assert placed.host_staff and placed.seat == "member" and placed.status == "invited"
    entry = ProjectEntry.objects.get(
        proposal=acceptance.contract.proposal, action="acceptance_seat"
    )
    assert entry.data["host_staff"] is True


def test_host_staff_as_chair_through_the_page(acceptance, officer, client_as):
    member = host_staff_reviewer(acceptance, officer)
    client = client_as("officer@example.org")
    refused = client.post(
        council_url(acceptance), {"action": "seat", "member": member.pk, "seat": "chair"}
    )
    assert refused.status_code == 400
    assert "chủ trì" in refused.content.decode()
    accepted = client.post(
        council_url(acceptance), {"action": "seat", "member": member.pk, "seat": "member"}
    )
    assert accepted.status_code == 302
    assert acceptance.seats.get(member=member).host_staff


def test_the_applicant_and_the_team_never_sit(acceptance, officer):
    from grants.models import TeamMember

    proposal = acceptance.contract.proposal
    teammate = cs.new_reviewer("teammate")
    TeamMember.objects.create(
        proposal=proposal, full_name="Đồng Nghiệp", organisation_name="Khác", user=teammate
    )
    with pytest.raises(GuardFailed) as failure:
        council.seat_member(acceptance, teammate, "member", by=officer)
    assert failure.value.errors["member"]
    with pytest.raises(GuardFailed):  # the applicant holds no reviewer role either
        council.seat_member(acceptance, proposal.owner, "member", by=officer)


def test_a_full_council_takes_no_one_more(acceptance, officer):
    members = cs.free_reviewers(acceptance, 8)
    cs.seat_council(acceptance, officer, members[:7], size=7, accept=False)
    with pytest.raises(GuardFailed) as failure:
        council.seat_member(acceptance, members[7], "member", by=officer)
    assert "7" in failure.value.errors["council_size"][0]


def test_one_chair_two_critics(acceptance, officer):
    first, second, third, fourth = cs.free_reviewers(acceptance, 4)
    council.seat_member(acceptance, first, "chair", by=officer)
    with pytest.raises(GuardFailed) as failure:
        council.seat_member(acceptance, second, "chair", by=officer)
    assert "seat" in failure.value.errors
    council.seat_member(acceptance, second, "critic", by=officer)
    council.seat_member(acceptance, third, "critic", by=officer)
    with pytest.raises(GuardFailed):
        council.seat_member(acceptance, fourth, "critic", by=officer)


def test_only_an_officer_taking_no_part_seats(acceptance, officer, user_by_email):
    member = cs.free_reviewers(acceptance, 1)[0]
    with pytest.raises(PermissionDenied):
        council.seat_member(acceptance, member, "member", by=user_by_email("manager@example.org"))
    with pytest.raises(PermissionDenied):
        council.seat_member(acceptance, member, "member", by=member)


def test_the_invited_member_is_told(acceptance, officer, django_capture_on_commit_callbacks):
    member = cs.free_reviewers(acceptance, 1)[0]
    with django_capture_on_commit_callbacks(execute=True):
        council.seat_member(acceptance, member, "chair", by=officer)
    assert mail.outbox and mail.outbox[-1].to == [member.email]
    assert "/acceptance/council/grade/" in mail.outbox[-1].body


def test_suggestions_leave_out_the_seated_and_flag_host_staff(acceptance, officer):
    host = host_staff_reviewer(acceptance, officer)
    seated = cs.free_reviewers(acceptance, 1)[0]
    council.seat_member(acceptance, seated, "chair", by=officer)
    ranked = council.suggestions(acceptance, officer)
    people = {s.reviewer.pk: s for s in ranked}
    assert seated.pk not in people
    assert not people[host.pk].blocked and people[host.pk].host_staff
    assert [bool(s.blocked) for s in ranked] == sorted(bool(s.blocked) for s in ranked)


# -- declarations ------------------------------------------------------------------------------


def test_declaring(acceptance, officer, user_by_email):
    first, second = cs.free_reviewers(acceptance, 2)
    seat = council.seat_member(acceptance, first, "chair", by=officer)
    with pytest.raises(PermissionDenied):
        council.declare(seat, by=second, no_conflict=True)
    with pytest.raises(GuardFailed) as failure:
        council.declare(seat, by=first, no_conflict=False, reason="  ")
    assert "reason" in failure.value.errors
    declined = council.declare(seat, by=first, no_conflict=False, reason="Đi công tác.")
    assert declined.status == "declined"
    with pytest.raises(StateConflict):
        council.declare(seat, by=first, no_conflict=True)


def test_declaring_through_the_page(acceptance, officer, client_as):
    member = cs.free_reviewers(acceptance, 1)[0]
    council.seat_member(acceptance, member, "chair", by=officer)
    client = client_as(member.email)
    page = client.get(grade_url(acceptance))
    assert page.status_code == 200 and "xung đột lợi ích" in page.content.decode().lower()
    refused = client.post(grade_url(acceptance), {"answer": "decline", "reason": ""})
    assert refused.status_code == 400
    assert client.post(grade_url(acceptance), {"answer": "accept"}).status_code == 302
    assert acceptance.seats.get(member=member).status == "accepted"


# -- starting: the quorum --------------------------------------------------------------------------


def test_grading_starts_at_exactly_two_thirds_accepted(acceptance, officer):
    members = cs.free_reviewers(acceptance, 9)
    seats = cs.seat_council(acceptance, officer, members[:6])  # chair … two critics, 1 member
    cs.seat_council(acceptance, officer, members[6:], accept=False, seats=["member"] * 3)
    assert [s.seat for s in seats].count("critic") == 2
    started = council.start_grading(acceptance, by=officer)
    assert started.state == "grading" and started.grading_started_at


def test_grading_does_not_start_one_below_two_thirds(acceptance, officer):
    members = cs.free_reviewers(acceptance, 9)
    cs.seat_council(acceptance, officer, members[:5])
    cs.seat_council(acceptance, officer, members[5:], accept=False, seats=["member"] * 4)
    with pytest.raises(GuardFailed) as failure:
        council.start_grading(acceptance, by=officer)
    assert "5" in failure.value.errors["council"][0] and "6" in failure.value.errors["council"][0]
    acceptance.refresh_from_db()
    assert acceptance.state == "submitted"


def test_grading_needs_both_critics(acceptance, officer):
    members = cs.free_reviewers(acceptance, 9)
    seats = cs.seat_council(acceptance, officer, members, accept=False)
    for seat in seats:
        if seat.seat != "critic" or seat.pk == seats[3].pk:
            council.declare(seat, by=seat.member, no_conflict=True)
    with pytest.raises(GuardFailed) as failure:
        council.start_grading(acceptance, by=officer)
    assert any("phản biện" in p for p in failure.value.errors["council"])


def test_start_through_the_page(acceptance, officer, client_as):
    client = client_as("officer@example.org")
    refused = client.post(council_url(acceptance), {"action": "start"})
    assert refused.status_code == 400
    cs.seat_council(acceptance, officer, cs.free_reviewers(acceptance, 9))
    assert client.post(council_url(acceptance), {"action": "start"}).status_code == 302
    acceptance.refresh_from_db()
    assert acceptance.state == "grading"
    again = client.post(council_url(acceptance), {"action": "start"}, follow=True)
    assert again.status_code == 200  # a conflict: told, nothing applied


# -- unseating and replacing -------------------------------------------------------------------


def test_unseating_before_grading(acceptance, officer):
    seat = cs.seat_council(acceptance, officer, cs.free_reviewers(acceptance, 1))[0]
    council.unseat_member(seat, by=officer)
    assert not AcceptanceSeat.objects.filter(pk=seat.pk).exists()


def test_unseating_after_grading_began_is_refused(officer):
    acceptance, seats = cs.grading(officer)
    with pytest.raises(GuardFailed) as failure:
        council.unseat_member(seats[8], by=officer)
    assert "seat" in failure.value.errors
    assert AcceptanceSeat.objects.filter(pk=seats[8].pk).exists()


def test_unseating_after_grading_began_through_the_page(officer, client_as):
    acceptance, seats = cs.grading(officer)
    response = client_as("officer@example.org").post(
        council_url(acceptance), {"action": "unseat", "seat_id": seats[8].pk}
    )
    assert response.status_code == 400
    assert AcceptanceSeat.objects.filter(pk=seats[8].pk).exists()


def test_replacing_a_member_while_grading(officer):
    acceptance, seats = cs.grading(officer)
    newcomer = cs.new_reviewer("newcomer")
    placed = council.replace_member(seats[3], newcomer, by=officer)
    assert placed.seat == "critic" and placed.status == "invited" and placed.member == newcomer
    assert not AcceptanceSeat.objects.filter(pk=seats[3].pk).exists()
    entry = ProjectEntry.objects.get(
        proposal_id=acceptance.contract.proposal_id, action="acceptance_replace"
    )
    assert entry.data == {"seat": "critic", "left": seats[3].member_id, "member": newcomer.pk}


def test_replacing_through_the_page(officer, client_as):
    acceptance, seats = cs.grading(officer)
    newcomer = cs.new_reviewer("newcomer")
    response = client_as("officer@example.org").post(
        council_url(acceptance),
        {"action": "replace", "seat_id": seats[8].pk, "member": newcomer.pk},
    )
    assert response.status_code == 302
    assert acceptance.seats.filter(member=newcomer, seat="member").exists()


def test_a_member_who_submitted_keeps_the_seat(officer):
    acceptance, seats = cs.grading(officer)
    cs.submit(seats[8], "pass")
    with pytest.raises(GuardFailed):
        council.replace_member(seats[8], cs.new_reviewer("late"), by=officer)


# -- grading -----------------------------------------------------------------------------------


def test_grading_before_the_start_is_refused(acceptance, officer):
    seat = cs.seat_council(acceptance, officer, cs.free_reviewers(acceptance, 1))[0]
    with pytest.raises(StateConflict):
        cs.submit(seat, "pass")
    assert not AcceptanceGrade.objects.filter(seat=seat).exists()


def test_grading_before_the_start_through_the_page(acceptance, officer, client_as):
    seat = cs.seat_council(acceptance, officer, cs.free_reviewers(acceptance, 1))[0]
    data = {"report_grade": "pass", "review": "Tốt.", "submit": "1"}
    response = client_as(seat.member.email).post(grade_url(acceptance), data, follow=True)
    assert response.status_code == 200
    assert "Chỉ chấm điểm khi hội đồng đang đánh giá" in response.content.decode()
    seat.refresh_from_db()
    assert not seat.submitted_at and not seat.review


def test_nobody_grades_with_someone_elses_seat(officer):
    acceptance, seats = cs.grading(officer)
    with pytest.raises(PermissionDenied):
        grading.save_grades(
            seats[0], by=seats[1].member, grades=cs.uniform_grades(acceptance, "pass"),
            report_grade="pass", review="x", submit=True,
        )  # fmt: skip


def test_a_member_who_has_not_accepted_cannot_grade(officer):
    acceptance, seats = cs.grading(officer, n=8)
    invited = council.seat_member(acceptance, cs.new_reviewer("ninth"), "member", by=officer)
    with pytest.raises(PermissionDenied):
        grading.save_grades(
            invited, by=invited.member, grades={}, report_grade="", review="", submit=False
        )


def test_someone_without_a_seat_is_refused_the_grading_page(officer, client_as):
    acceptance, _seats = cs.grading(officer)
    stranger = cs.new_reviewer("stranger")
    client = client_as(stranger.email)
    assert client.get(grade_url(acceptance)).status_code == 403
    assert client.post(grade_url(acceptance), {"submit": "1"}).status_code == 403


def test_submitting_needs_a_written_review(officer):
    acceptance, seats = cs.grading(officer)
    with pytest.raises(GuardFailed) as failure:
        cs.submit(seats[0], "pass", review="   ")
    assert list(failure.value.errors) == ["review"]
    seats[0].refresh_from_db()
    assert not seats[0].submitted_at


def test_submitting_needs_every_grade(officer):
    acceptance, seats = cs.grading(officer)
    grades = cs.uniform_grades(acceptance, "pass")
    first = grading.deliverables(acceptance)[0]
    grades[str(first.pk)]["quality"] = ""
    with pytest.raises(GuardFailed) as failure:
        grading.save_grades(
            seats[0], by=seats[0].member, grades=grades, report_grade="", review="Nhận xét.",
            submit=True,
        )  # fmt: skip
    assert set(failure.value.errors) == {f"grade-{first.pk}-quality", "report_grade"}
    draft = grading.save_grades(
        seats[0], by=seats[0].member, grades=grades, report_grade="", review="", submit=False
    )
    assert not draft.submitted_at and draft.grades.count() == len(grades) * 2 - 1


def test_submit_without_review_through_the_page_keeps_the_text(officer, client_as):
    acceptance, seats = cs.grading(officer)
    first = grading.deliverables(acceptance)[0]
    data = {"submit": "1", "report_grade": "excellent", "review": ""}
    data |= {
        f"grade-{d.pk}-{a}": "pass"
        for d in grading.deliverables(acceptance)
        for a in ("quantity", "quality")
    }
    data[f"grade-{first.pk}-quality"] = "excellent"
    response = client_as(seats[0].member.email).post(grade_url(acceptance), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in html and 'href="#id_review"' in html
    assert f'id="grade-{first.pk}-quality-excellent" checked' in html
    assert 'id="report_grade-excellent" checked' in html


def test_grading_through_the_page(officer, client_as):
    acceptance, seats = cs.grading(officer)
    data = {"submit": "1", "report_grade": "pass", "review": "Đạt yêu cầu; cần bổ sung số liệu."}
    data |= {
        f"grade-{d.pk}-{a}": "pass"
        for d in grading.deliverables(acceptance)
        for a in ("quantity", "quality")
    }
    response = client_as(seats[0].member.email).post(grade_url(acceptance), data)
    assert response.status_code == 302
    seats[0].refresh_from_db()
    assert seats[0].overall == "pass" and seats[0].submitted_at
    assert seats[0].review == "Đạt yêu cầu; cần bổ sung số liệu."
    again = client_as(seats[0].member.email).post(grade_url(acceptance), data | {"review": "x"})
    assert again.status_code == 302
    seats[0].refresh_from_db()
    assert seats[0].review == "Đạt yêu cầu; cần bổ sung số liệu."  # fixed once submitted


def test_the_members_grade_follows_the_verdict_rule(officer):
    acceptance, seats = cs.grading(officer)
    items = grading.deliverables(acceptance)
    grades = {str(d.pk): {"quantity": "excellent", "quality": "excellent"} for d in items}
    grades[str(items[0].pk)]["quantity"] = "fail"  # 2 of 3 quantity criteria pass: below 3/4
    seat = grading.save_grades(
        seats[0], by=seats[0].member, grades=grades, report_grade="excellent",
        review="Thiếu sản phẩm.", submit=True,
    )  # fmt: skip
    assert len(items) == 3 and seat.overall == "fail"


def test_grades_are_blind_until_ones_own_are_in(officer, user_by_email):
    acceptance, seats = cs.grading(officer)
    cs.submit(seats[0], "excellent")
    assert grading.visible_seats(acceptance, seats[1].member) == []
    assert [s.pk for s in grading.visible_seats(acceptance, officer)] == [seats[0].pk]
    assert grading.visible_seats(acceptance, user_by_email("researcher@example.org")) == []
    cs.submit(seats[1], "pass")
    assert {s.pk for s in grading.visible_seats(acceptance, seats[1].member)} == {
        seats[0].pk, seats[1].pk,
    }  # fmt: skip


# -- closing -----------------------------------------------------------------------------------


def test_the_last_submission_closes_the_council_and_records_the_verdict(
    officer, django_capture_on_commit_callbacks
):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:6]:
        cs.submit(seat, "excellent")
    for seat in seats[6:8]:
        cs.submit(seat, "pass")
    acceptance.refresh_from_db()
    assert acceptance.state == "grading"
    with django_capture_on_commit_callbacks(execute=True):
        cs.submit(seats[8], "fail")
    acceptance.refresh_from_db()
    proposal = Proposal.objects.get(pk=acceptance.contract.proposal_id)
    # 6 of 9 excellent (below 3/4) and one fail: pass
    assert (acceptance.state, acceptance.verdict, proposal.acceptance_verdict) == (
        "decided", "pass", "pass",
    )  # fmt: skip
    assert acceptance.decided_at and "6" in acceptance.verdict_reason
    entry = ProjectEntry.objects.get(proposal=proposal, action="acceptance_decided")
    assert entry.actor is None and entry.data["present"] == 9 and entry.data["fail"] == 1
    recipients = {address for message in mail.outbox for address in message.to}
    assert proposal.owner.email in recipients and officer.email in recipients
    with pytest.raises(StateConflict):
        grading.close_council(acceptance, by=officer)
    assert ProjectEntry.objects.filter(proposal=proposal, action="acceptance_decided").count() == 1


def test_officer_closes_at_exactly_two_thirds_present(officer):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:6]:  # chair, vice-chair, secretary, both critics, one member
        cs.submit(seat, "excellent")
    decided = grading.close_council(acceptance, by=officer)
    assert decided.state == "decided" and decided.verdict == "excellent"
    entry = ProjectEntry.objects.get(
        proposal_id=acceptance.contract.proposal_id, action="acceptance_decided"
    )
    assert entry.actor == officer


def test_no_close_one_below_two_thirds_present(officer, client_as):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:5]:
        cs.submit(seat, "excellent")
    with pytest.raises(GuardFailed) as failure:
        grading.close_council(acceptance, by=officer)
    assert "5" in failure.value.errors["council"][0]
    response = client_as("officer@example.org").post(council_url(acceptance), {"action": "close"})
    assert response.status_code == 400
    acceptance.refresh_from_db()
    assert acceptance.state == "grading" and not acceptance.verdict
    assert Proposal.objects.get(pk=acceptance.contract.proposal_id).acceptance_verdict == ""


def test_the_close_checks_the_critics_again(officer):
    acceptance, seats = cs.grading(officer)
    for seat in seats:
        if seat.seat != "critic":
            cs.submit(seat, "pass")
    cs.submit(seats[3], "pass")  # one critic of two
    with pytest.raises(GuardFailed) as failure:
        grading.close_council(acceptance, by=officer)
    assert any("phản biện" in p for p in failure.value.errors["council"])


def test_a_council_that_loses_its_quorum_does_not_close_by_itself(officer):
    acceptance, seats = cs.grading(officer, n=6)
    newcomer = cs.new_reviewer("stand-in")
    stand_in = council.replace_member(seats[5], newcomer, by=officer)
    council.declare(stand_in, by=newcomer, no_conflict=False, reason="Bận.")
    for seat in seats[:5]:  # every member still seated has submitted
        cs.submit(seat, "pass")
    acceptance.refresh_from_db()
    assert acceptance.state == "grading"  # 5 of 9 present: below the quorum, no verdict
    with pytest.raises(GuardFailed):
        grading.close_council(acceptance, by=officer)


def test_only_an_officer_closes(officer, user_by_email):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:6]:
        cs.submit(seat, "pass")
    with pytest.raises(PermissionDenied):
        grading.close_council(acceptance, by=user_by_email("manager@example.org"))
    with pytest.raises(PermissionDenied):
        grading.close_council(acceptance, by=seats[0].member)


def test_a_dossier_six_months_late_to_the_day_is_graded(officer):
    proposal = cs.running_proposal()
    ends = proposal.contract.ends_on
    late = timezone.make_aware(datetime.datetime.combine(add_months(ends, 6), datetime.time(10)))
    acceptance, seats = cs.grading(officer, acceptance=cs.submitted_acceptance(submitted_at=late))
    for seat in seats:
        cs.submit(seat, "excellent")
    acceptance.refresh_from_db()
    assert acceptance.verdict == "excellent"


def test_a_dossier_more_than_six_months_late_fails(officer):
    proposal = cs.running_proposal()
    ends = proposal.contract.ends_on
    late = timezone.make_aware(
        datetime.datetime.combine(
            add_months(ends, 6) + datetime.timedelta(days=1), datetime.time(10)
        )
    )
    acceptance, seats = cs.grading(officer, acceptance=cs.submitted_acceptance(submitted_at=late))
    for seat in seats:
        cs.submit(seat, "excellent")
    acceptance.refresh_from_db()
    assert acceptance.verdict == "fail" and "sáu tháng" in acceptance.verdict_reason
    assert Proposal.objects.get(pk=proposal.pk).acceptance_verdict == "fail"


def test_the_recorded_verdict_lets_the_officer_accept_the_results(officer):
    from grants import workflow as grants_workflow

    acceptance, seats = cs.grading(officer)
    for seat in seats:
        cs.submit(seat, "pass")
    proposal = Proposal.objects.get(pk=acceptance.contract.proposal_id)
    assert grants_workflow.accept_results(proposal, by=officer).state == "completed"


# -- the pages ---------------------------------------------------------------------------------


def test_the_officer_page_shows_seats_problems_and_suggestions(acceptance, officer, client_as):
    cs.seat_council(acceptance, officer, cs.free_reviewers(acceptance, 3))
    html = client_as("officer@example.org").get(council_url(acceptance)).content.decode()
    assert "Gợi ý thành viên" in html
    assert "phản biện" in html  # why grading cannot start yet
    manager = client_as("manager@example.org").get(council_url(acceptance))
    assert (
        manager.status_code == 200 and 'name="action" value="start"' not in manager.content.decode()
    )


def test_the_member_finds_the_seat_on_the_reviews_page(acceptance, officer, client_as):
    member = cs.free_reviewers(acceptance, 1)[0]
    council.seat_member(acceptance, member, "chair", by=officer)
    html = client_as(member.email).get("/reviews/").content.decode()
    assert grade_url(acceptance) in html
    assert acceptance.contract.proposal.title in html
