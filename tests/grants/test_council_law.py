"""Councils that hold up in law (Circular 20/2023/TT-BKHCN, arts. 8–11; docs/decisions/0009).

The quorum is checked again when the review closes, on the members present then (accepted and
voted); a member who accepted leaves a council that has begun scoring only by being replaced;
a council has 7 to 9 seats; the ranking uses the exact aggregate; the zero-criterion reason
names the criteria as the rubric does."""

import importlib
import json
import os
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from core import roles
from grants import council, scoring, workflow
from grants.models import Ballot, CallPage, Proposal, ReviewAssignment
from tests.projects.test_contract_migration import manage, own_database

pytestmark = pytest.mark.django_db

FULL = {
    "overview": 10,
    "content": 20,
    "products": 13,
    "application": 13,
    "feasibility": 13,
    "capacity": 13,
}  # fmt: skip  82 points


def newcomer(name):
    """A reviewer of the pool with no tie to any proposal."""
    user = get_user_model().objects.create(username=name, email=f"{name}@example.org")
    user.groups.add(Group.objects.get(name=roles.REVIEWER))
    return get_user_model().objects.get(pk=user.pk)


def seat_of(proposal, seat_name, index=0):
    return proposal.assignments.filter(seat=seat_name).order_by("pk")[index]


def vote(assignment, scores=FULL):
    """The member submits a ballot through the council's own function (which may close)."""
    return council.save_ballot(
        assignment, by=assignment.reviewer, scores=scores, comments={}, comment="", submit=True
    )


def vote_all_accepted(proposal):
    for assignment in proposal.assignments.filter(status="accepted").order_by("pk"):
        vote(assignment)


def state(proposal):
    return Proposal.objects.get(pk=proposal.pk).state


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# -- unseating once scoring has begun -----------------------------------------------------------


def test_an_accepted_member_cannot_be_unseated_during_the_review(under_review, officer):
    critic = seat_of(under_review, "critic")
    with pytest.raises(ValidationError, match="thay"):
        council.unseat(critic, by=officer)
    assert ReviewAssignment.objects.filter(pk=critic.pk, status="accepted").exists()


def test_the_council_page_refuses_to_unseat_during_the_review(under_review, client_as):
    critic = seat_of(under_review, "critic")
    newcomer("rv-offered")  # the pool has someone to take a seat
    client = client_as("officer@example.org")
    page = client.get(f"/proposals/{under_review.pk}/council/").content.decode()
    assert f'name="assignment" value="{critic.pk}"><button class="link-button"' not in page
    assert 'value="replace"' in page  # what the page offers instead
    response = client.post(
        f"/proposals/{under_review.pk}/council/",
        {"action": "unseat", "assignment": critic.pk},
        follow=True,
    )
    assert any("Hãy thay thành viên" in m for m in messages_of(response))
    assert ReviewAssignment.objects.filter(pk=critic.pk, status="accepted").exists()


def test_an_invited_member_may_still_be_freed_during_the_review(under_review, officer):
    newcomer_seat = council.replace(seat_of(under_review, "member"), newcomer("rv-a"), by=officer)
    council.unseat(newcomer_seat, by=officer)  # never accepted: nothing of the council is lost
    assert not ReviewAssignment.objects.filter(pk=newcomer_seat.pk).exists()


def test_before_scoring_an_accepted_member_may_be_unseated(eligible, officer, reviewers):
    from tests.grants.conftest import seat_council

    seat_council(eligible, reviewers)
    member = seat_of(eligible, "member")
    council.unseat(member, by=officer)
    assert not ReviewAssignment.objects.filter(pk=member.pk).exists()


def test_a_decided_council_keeps_its_seats(under_review, officer):
    vote_all_accepted(under_review)
    assert state(under_review) == "reviewed"
    member = seat_of(under_review, "member")
    with pytest.raises(ValidationError):
        council.unseat(member, by=officer)
    with pytest.raises(ValidationError):
        council.replace(member, newcomer("rv-late"), by=officer)


def test_only_an_officer_unseats_or_replaces(under_review, user_by_email):
    manager = user_by_email("manager@example.org")
    member = seat_of(under_review, "member")
    with pytest.raises(PermissionDenied):
        council.unseat(member, by=manager)
    with pytest.raises(PermissionDenied):
        council.replace(member, newcomer("rv-m"), by=manager)


# -- replacing ----------------------------------------------------------------------------------


def test_a_replacement_keeps_the_seat_and_is_invited(
    under_review, officer, django_capture_on_commit_callbacks
):
    chair = seat_of(under_review, "chair")
    fresh = newcomer("rv-chair")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seat = council.replace(chair, fresh, by=officer)
    assert (seat.seat, seat.status, seat.invited_by) == ("chair", "invited", officer)
    assert not ReviewAssignment.objects.filter(pk=chair.pk).exists()
    assert under_review.assignments.count() == 7  # the seat changed hands, none was lost
    assert mail.outbox[-1].to == ["rv-chair@example.org"]
    assert under_review.receipt_number in mail.outbox[-1].subject


def test_a_replacement_through_the_council_page(under_review, client_as):
    critic = seat_of(under_review, "critic", 1)
    fresh = newcomer("rv-page")
    client = client_as("officer@example.org")
    page = client.get(f"/proposals/{under_review.pk}/council/").content.decode()
    assert f'<option value="{fresh.pk}">' in page
    response = client.post(
        f"/proposals/{under_review.pk}/council/",
        {"action": "replace", "assignment": critic.pk, "reviewer": fresh.pk},
    )
    assert response.status_code == 302
    seat = under_review.assignments.get(reviewer=fresh)
    assert (seat.seat, seat.status) == ("critic", "invited")
    assert not ReviewAssignment.objects.filter(pk=critic.pk).exists()


def test_a_replacement_through_the_page_is_checked_too(under_review, client_as, researcher):
    critic = seat_of(under_review, "critic")
    researcher.groups.add(Group.objects.get(name=roles.REVIEWER))  # the applicant
    client = client_as("officer@example.org")
    response = client.post(
        f"/proposals/{under_review.pk}/council/",
        {"action": "replace", "assignment": critic.pk, "reviewer": researcher.pk},
        follow=True,
    )
    assert "Là người đăng ký hồ sơ này." in messages_of(response)
    assert ReviewAssignment.objects.filter(pk=critic.pk, status="accepted").exists()
    bad = client.post(
        f"/proposals/{under_review.pk}/council/",
        {"action": "replace", "assignment": critic.pk, "reviewer": "abc"},
        follow=True,
    )
    assert any("Hãy chọn một lựa chọn hợp lệ" in m for m in messages_of(bad))


def test_a_replacement_is_never_the_officer_nor_someone_with_a_conflict(
    under_review, officer, researcher, reviewers
):
    member = seat_of(under_review, "member")
    officer.groups.add(Group.objects.get(name=roles.REVIEWER))
    with pytest.raises(ValidationError, match="tự mời mình"):
        council.replace(member, get_user_model().objects.get(pk=officer.pk), by=officer)
    researcher.groups.add(Group.objects.get(name=roles.REVIEWER))
    with pytest.raises(ValidationError, match="người đăng ký"):
        council.replace(member, get_user_model().objects.get(pk=researcher.pk), by=officer)
    with pytest.raises(ValidationError, match="đã có"):  # already on this council
        council.replace(member, seat_of(under_review, "chair").reviewer, by=officer)
    outsider = get_user_model().objects.create_user("plain", "plain@example.org", "x")
    with pytest.raises(ValidationError):  # not in the reviewer pool
        council.replace(member, outsider, by=officer)
    assert ReviewAssignment.objects.filter(pk=member.pk, status="accepted").exists()


def test_a_member_who_voted_keeps_the_seat_but_a_draft_goes_with_it(under_review, officer):
    voter, drafter = under_review.assignments.filter(seat="member").order_by("pk")[:2]
    vote(voter)
    council.save_ballot(
        drafter, by=drafter.reviewer, scores={"content": 12}, comments={}, comment=""
    )
    with pytest.raises(ValidationError, match="giữ"):
        council.replace(voter, newcomer("rv-v"), by=officer)
    council.replace(drafter, newcomer("rv-d"), by=officer)
    assert not Ballot.objects.filter(proposal=under_review, reviewer=drafter.reviewer).exists()


# -- the quorum at the close --------------------------------------------------------------------
# Seven seats, all accepted when the review started. Members replaced during scoring whose
# replacements have not answered (or declined) are not present at the close.


def test_the_officer_closes_with_exactly_two_thirds_present(under_review, officer):
    for assignment in under_review.assignments.filter(seat="member").order_by("pk")[:2]:
        council.replace(assignment, newcomer(f"rv-{assignment.pk}"), by=officer)
    vote_all_accepted(under_review)  # 5 of 7 voted; two newcomers never answered
    assert state(under_review) == "under_review"  # the invited seats keep it open by itself
    done = workflow.complete_review(under_review, by=officer)
    assert done.state == "reviewed" and done.aggregate_score == Decimal("82.00")


def test_the_officer_cannot_close_one_below_two_thirds(under_review, officer):
    members = under_review.assignments.filter(seat="member").order_by("pk")
    for assignment in members:
        council.replace(assignment, newcomer(f"rv-{assignment.pk}"), by=officer)
    secretary = seat_of(under_review, "secretary")
    council.replace(secretary, newcomer("rv-secretary"), by=officer)
    vote_all_accepted(under_review)  # 4 of 7: chair, vice-chair, both critics
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.complete_review(under_review, by=officer)
    assert failure.value.errors["council"] == [
        "Khi kết thúc, chỉ 4/7 thành viên hội đồng tham gia chấm; cần ít nhất 5."
    ]
    assert state(under_review) == "under_review"


def test_the_automatic_close_checks_the_quorum_too(under_review, officer):
    """Replacements who decline leave the seat empty: the last ballot does not close a council
    that lost its quorum, and the officer's button says why."""
    for assignment in under_review.assignments.exclude(seat__in=["chair", "critic"]).order_by("pk")[
        :3
    ]:
        fresh = newcomer(f"rv-{assignment.pk}")
        seat = council.replace(assignment, fresh, by=officer)
        council.declare(seat, by=fresh, no_conflict=False, reason="Bận công tác nước ngoài")
    vote_all_accepted(under_review)  # chair, two critics and one more: 4 of 7
    assert state(under_review) == "under_review"
    with pytest.raises(workflow.GuardFailed):
        workflow.complete_review(under_review, by=officer)


def test_the_automatic_close_at_exactly_two_thirds(under_review, officer):
    for assignment in under_review.assignments.filter(seat="member").order_by("pk"):
        fresh = newcomer(f"rv-{assignment.pk}")
        seat = council.replace(assignment, fresh, by=officer)
        council.declare(seat, by=fresh, no_conflict=False, reason="Bận")
    vote_all_accepted(under_review)  # 5 of 7, with the chair, vice-chair and both critics
    assert state(under_review) == "reviewed"


def test_the_close_needs_the_chair_or_the_vice_chair(under_review, officer):
    council.replace(seat_of(under_review, "chair"), newcomer("rv-c"), by=officer)
    vote_all_accepted(under_review)  # 6 of 7 with the vice-chair: valid
    assert workflow.complete_review(under_review, by=officer).state == "reviewed"


def test_the_close_without_chair_and_vice_chair_is_refused(under_review, officer):
    council.replace(seat_of(under_review, "chair"), newcomer("rv-c"), by=officer)
    council.replace(seat_of(under_review, "vice_chair"), newcomer("rv-vc"), by=officer)
    vote_all_accepted(under_review)  # 5 of 7: enough members, but no one to chair
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.complete_review(under_review, by=officer)
    assert failure.value.errors["council"] == [
        "Khi kết thúc, Chủ tịch hoặc Phó Chủ tịch hội đồng phải có mặt."
    ]


def test_the_close_without_one_critic_is_refused(under_review, officer):
    council.replace(seat_of(under_review, "critic", 1), newcomer("rv-cr"), by=officer)
    vote_all_accepted(under_review)  # 6 of 7, one critic
    with pytest.raises(workflow.GuardFailed) as failure:
        workflow.complete_review(under_review, by=officer)
    assert failure.value.errors["council"] == ["Khi kết thúc, cả hai phản biện phải có mặt."]


def test_the_close_through_the_transition_url_says_why(under_review, officer, client_as):
    council.replace(seat_of(under_review, "critic", 1), newcomer("rv-cr"), by=officer)
    vote_all_accepted(under_review)
    response = client_as("officer@example.org").post(
        f"/proposals/{under_review.pk}/transitions/complete_review/", {"comment": ""}
    )
    assert response.status_code == 400
    assert "cả hai phản biện phải có mặt" in response.content.decode()
    assert state(under_review) == "under_review"


@pytest.mark.parametrize(
    ("seats", "present", "problems"),
    [(7, ["chair", "critic", "critic", "member", "member"], 0),
     (7, ["chair", "critic", "critic", "member"], 1),
     (9, ["vice_chair", "critic", "critic", "member", "member", "member"], 0),
     (9, ["vice_chair", "critic", "critic", "member", "member"], 1),
     (9, ["secretary", "critic", "critic", "member", "member", "member"], 1),
     (9, ["chair", "critic", "member", "member", "member", "member"], 1)],
)  # fmt: skip
def test_the_rule_at_close_at_its_bounds(seats, present, problems):
    assert len(scoring.quorum_problems(seats, present, at_close=True)) == problems


# -- the council's size -------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "valid"), [(6, False), (7, True), (9, True), (10, False)])
def test_the_council_has_seven_to_nine_seats_on_the_model(size, valid):
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    call.min_reviewers = size
    field = CallPage._meta.get_field("min_reviewers")
    if valid:
        field.clean(size, call)
    else:
        with pytest.raises(ValidationError):
            field.clean(size, call)
        with pytest.raises(IntegrityError), transaction.atomic():
            CallPage.objects.filter(pk=call.pk).update(min_reviewers=size)


@pytest.mark.parametrize(("size", "valid"), [(6, False), (7, True), (9, True), (10, False)])
def test_the_cms_call_form_takes_seven_to_nine(size, valid, officer):
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    form_class = CallPage.get_edit_handler().get_form_class()
    form = form_class(
        {"min_reviewers": str(size)}, instance=call, for_user=officer, parent_page=call.get_parent()
    )
    form.is_valid()
    assert ("min_reviewers" not in form.errors) is valid
    assert "7–9" in str(form.fields["min_reviewers"].help_text)


def test_the_demo_calls_have_lawful_councils():
    assert set(CallPage.objects.values_list("min_reviewers", flat=True)) <= {7, 8, 9}


def _migration():
    return importlib.import_module("grants.migrations.0009_council_size")


@pytest.mark.parametrize(
    ("before", "after"), [(3, 7), (6, 7), (7, 7), (8, 8), (9, 9), (10, 9), (15, 9), (None, 7)]
)
def test_the_migration_brings_a_size_to_the_nearest_bound(before, after):
    assert _migration().clamp(before) == after


OLD_CALLS = """
import datetime, json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
apps = MigrationExecutor(connection).loader.project_state(("grants", "0008_contract_to_projects")).apps
CallPage = apps.get_model("grants", "CallPage")
ContentType = apps.get_model("contenttypes", "ContentType")
Locale = apps.get_model("wagtailcore", "Locale")
Revision = apps.get_model("wagtailcore", "Revision")
kind = ContentType.objects.get_or_create(app_label="grants", model="callpage")[0]
moment = datetime.datetime(2025, 9, 1, tzinfo=datetime.timezone.utc)
for n, size in enumerate([3, 6, 7, 9, 10, 15]):
    call = CallPage.objects.create(
        title=f"Đợt {n}", slug=f"dot-{n}", path=f"00019{n:03d}", depth=2, content_type=kind,
        locale=Locale.objects.get_or_create(language_code="vi")[0],
        code=f"AG-{size:02d}", summary="Lúa", opens_at=moment, closes_at=moment,
        total_budget=5_000_000_000, max_per_project=1_000_000_000, min_reviewers=size,
    )
    Revision.objects.create(content_type=kind, base_content_type=kind, object_id=str(call.pk),
                            created_at=moment, content={"min_reviewers": size, "title": call.title})
"""

READ_CALLS = """
import json
from grants.models import CallPage
from wagtail.models import Revision
print(json.dumps({
    "calls": {c.code: c.min_reviewers for c in CallPage.objects.order_by("code")},
    "drafts": sorted(r.content["min_reviewers"] for r in Revision.objects.all()),
}))
"""


def test_the_migration_clamps_existing_calls_and_their_drafts(tmp_path):
    with own_database(tmp_path) as url:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": url}
        manage("migrate", "grants", "0008_contract_to_projects", "-v0", env=env)
        manage("shell", env=env, stdin=OLD_CALLS)
        printed = manage("migrate", "grants", "0009_council_size", "-v1", env=env)
        after = json.loads(manage("shell", env=env, stdin=READ_CALLS).strip().splitlines()[-1])
    assert after == {
        "calls": {"AG-03": 7, "AG-06": 7, "AG-07": 7, "AG-09": 9, "AG-10": 9, "AG-15": 9},
        "drafts": [7, 7, 7, 9, 9, 9],
    }
    assert "Council size of call AG-03: 3 → 7" in printed
    assert "Council size of call AG-15: 15 → 9" in printed
    assert "AG-07" not in printed  # only the calls it changed are named


# -- the exact ranking --------------------------------------------------------------------------


def scored(proposal, totals, *, requested, content=None):
    """Give `proposal` submitted ballots with these totals (and content points), its stored
    rounded aggregate, and the requested amount."""
    users = get_user_model().objects
    for n, total in enumerate(totals):
        reviewer = users.create(username=f"b{proposal.pk}-{n}", email=f"b{proposal.pk}-{n}@x.org")
        points = content[n] if content else 20
        Ballot.objects.create(
            proposal=proposal, reviewer=reviewer, total=total, submitted_at=timezone.now(),
            scores={"content": points, "overview": total - points},
        )  # fmt: skip
    exact = Fraction(sum(totals), len(totals))
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        aggregate_score=rounded, requested_amount=requested, state="reviewed"
    )
    return rounded


@pytest.fixture
def four(open_call, researcher):
    """Four proposals of one call, past their council (the ballots are given by `scored`)."""
    return [
        Proposal.objects.create(
            call=open_call, owner=researcher, title=f"Đề tài {n}", state="reviewed"
        )
        for n in range(4)
    ]


def test_the_ranking_uses_the_exact_mean_not_the_rounded_one(four):
    a, b = four[:2]
    # 1202/15 = 80.1333… and 641/8 = 80.125 both show as 80.13; b asks for less.
    assert scored(a, [80] * 13 + [81] * 2, requested=900_000_000) == Decimal("80.13")
    assert scored(b, [80] * 7 + [81], requested=500_000_000) == Decimal("80.13")
    assert scoring.rank_call(a.call_id) == [a.pk, b.pk]
    assert Proposal.objects.get(pk=a.pk).rank == 1 and Proposal.objects.get(pk=b.pk).rank == 2


def test_an_exact_tie_goes_to_the_smaller_request_then_the_higher_content_mean(four):
    a, b, c, d = four
    scored(a, [80, 80, 81], requested=900_000_000)  # 241/3
    scored(b, [80, 80, 81], requested=700_000_000, content=[20, 20, 20])
    scored(c, [80, 81, 80], requested=700_000_000, content=[20, 20, 21])  # content 61/3
    scored(d, [82, 82, 82], requested=999_000_000)  # best aggregate
    assert scoring.rank_call(a.call_id) == [d.pk, c.pk, b.pk, a.pk]


def test_with_at_most_nine_whole_point_ballots_distinct_means_never_round_alike():
    """Why the exact order rarely shows on a lawful council: two means k/n, k'/n' with n, n' ≤ 9
    differ by at least 1/72 > 0.01, so they never round to the same two decimals."""
    shown = {}
    for n in range(1, 10):
        for k in range(0, 100 * n + 1):
            mean = Fraction(k, n)
            shown.setdefault(round(Decimal(k) / Decimal(n), 2), set()).add(mean)
    assert all(len(means) == 1 for means in shown.values())


# -- criterion names in the reason --------------------------------------------------------------

CRITERIA = [("overview", "Tổng quan tình hình nghiên cứu"), ("content", "Nội dung"),
            ("capacity", "Năng lực của tổ chức chủ trì")]  # fmt: skip


def sheet(pk, **scores):
    scores = {"overview": 5, "content": 80, "capacity": 5, **scores}  # 90 points
    return SimpleNamespace(pk=pk, total=sum(scores.values()), scores=scores)


def test_the_reason_names_the_criteria_in_the_rubrics_order():
    # capacity before overview alphabetically; the rubric puts overview first
    ballots = [sheet(1), sheet(2, overview=0, capacity=0), sheet(3, overview=0, capacity=0)]
    with translation.override("vi"):
        reason = scoring.evaluate(ballots, criteria=CRITERIA).reason
    assert reason.endswith(
        "tiêu chí: Tổng quan tình hình nghiên cứu, Năng lực của tổ chức chủ trì."
    )
    assert "overview" not in reason and "capacity" not in reason


def test_a_key_the_rubric_does_not_know_is_named_by_its_key():
    ballots = [sheet(1, extra=0), sheet(2, extra=0), sheet(3)]
    assert "extra" in scoring.evaluate(ballots, criteria=CRITERIA).reason


def _zero_on_products(under_review, language, name_en=""):
    rubric = under_review.call.get_rubric()
    products = rubric.criteria.get(key="products")
    products.name_en = name_en
    products.save()
    zero = dict(FULL, products=0, overview=12, content=24, capacity=16)  # 91: not an outlier
    with translation.override(language):
        for n, assignment in enumerate(under_review.assignments.order_by("pk")):
            vote(assignment, zero if n < 2 else FULL)  # 2 of 7 > a quarter
    return Proposal.objects.get(pk=under_review.pk)


def _outcome_in(proposal, language):
    with translation.override(language):
        return proposal.get_review_outcome_display()


def test_the_reason_names_the_criterion_in_the_readers_language(under_review):
    # Closed by a Vietnamese reader: stored as a code, read in each reader's language (tidy).
    done = _zero_on_products(under_review, "vi", name_en="Products and quality indicators")
    assert done.state == "reviewed" and done.passed is False
    assert done.review_outcome == "zero:products"
    assert _outcome_in(done, "vi").endswith("tiêu chí: Sản phẩm và chỉ tiêu chất lượng.")
    assert _outcome_in(done, "en").endswith("scored 0 on: Products and quality indicators.")


def test_the_stored_reason_does_not_depend_on_who_closes(under_review):
    done = _zero_on_products(under_review, "en", name_en="Products and quality indicators")
    assert done.review_outcome == "zero:products"
    assert _outcome_in(done, "vi").endswith("tiêu chí: Sản phẩm và chỉ tiêu chất lượng.")


def test_without_an_english_name_the_vietnamese_one_is_used(under_review):
    done = _zero_on_products(under_review, "en")
    assert _outcome_in(done, "en").endswith("scored 0 on: Sản phẩm và chỉ tiêu chất lượng.")


def test_the_minutes_name_the_vice_chair_when_the_chair_was_absent(under_review, officer):
    from grants.documents import minutes_context

    fresh = newcomer("rv-absent-chair")
    seat = council.replace(seat_of(under_review, "chair"), fresh, by=officer)
    council.declare(seat, by=fresh, no_conflict=False, reason="Ốm")
    vote_all_accepted(under_review)  # 6 of 7 with the vice-chair: closes by itself
    done = Proposal.objects.get(pk=under_review.pk)
    assert done.state == "reviewed"
    context = minutes_context(done)
    assert context["chair"].seat == "vice_chair" and context["present"] == 6
