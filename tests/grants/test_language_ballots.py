"""A member who submitted sees only their own ballot until the council closes; the ballot form
reports its errors in the site's own summary (issue 14, language slice)."""

import pytest

from grants import council
from grants.models import Proposal

pytestmark = pytest.mark.django_db

FULL = {
    "overview": 10,
    "content": 20,
    "products": 13,
    "application": 13,
    "feasibility": 13,
    "capacity": 13,
}  # fmt: skip  (82 points)


def vote(assignment, scores=FULL):
    return council.save_ballot(
        assignment, by=assignment.reviewer, scores=scores, comments={}, comment="", submit=True
    )


def test_during_the_review_a_member_who_submitted_sees_only_their_own(under_review):
    seats = list(under_review.assignments.order_by("pk"))
    first = seats[0]
    assert council.visible_ballots(under_review, first.reviewer) == []  # nothing submitted
    for assignment in seats[:-1]:  # all but the last: the council is still voting
        vote(assignment)
    under_review.refresh_from_db()
    assert under_review.state == "under_review"
    mine = council.visible_ballots(under_review, first.reviewer)
    assert [b.reviewer_id for b in mine] == [first.reviewer_id]
    # The last member, before voting, sees nothing at all.
    assert council.visible_ballots(under_review, seats[-1].reviewer) == []
    vote(seats[-1])  # the last ballot closes the review
    closed = Proposal.objects.get(pk=under_review.pk)
    assert closed.state == "reviewed"
    assert len(council.visible_ballots(closed, first.reviewer)) == len(seats)


def test_the_ballot_page_hides_the_others_until_the_close(client_as, under_review):
    seats = list(under_review.assignments.order_by("pk"))
    for assignment in seats[1:-1]:
        vote(assignment)
    first = seats[0]
    client = client_as(first.reviewer.email)
    form = {f"score-{k}": str(v) for k, v in FULL.items()} | {"submit": "1"}
    assert client.post(f"/reviews/{first.pk}/", form).status_code == 302
    page = client.get(f"/reviews/{first.pk}/").content.decode()
    assert "82 điểm" in page  # the member's own ballot, submitted
    assert 'id="other-ballots"' not in page
    vote(seats[-1])
    page = client.get(f"/reviews/{first.pk}/").content.decode()
    assert 'id="other-ballots"' in page and page.count('<td class="num total">82') == len(seats) - 1


def test_a_refused_ballot_shows_the_sites_summary_not_browser_tooltips(client_as, under_review):
    first = under_review.assignments.order_by("pk").first()
    client = client_as(first.reviewer.email)
    page = client.get(f"/reviews/{first.pk}/").content.decode()
    assert "novalidate" in page  # the browser's own (English) tooltips stay out
    form = {f"score-{k}": str(v) for k, v in FULL.items()} | {"submit": "1"}
    too_high = dict(form, **{"score-content": "99"})  # above the criterion's maximum
    response = client.post(f"/reviews/{first.pk}/", too_high)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and "data-autofocus" in page
    assert 'href="#score-content"' in page and 'aria-invalid="true"' in page
    missing = {k: v for k, v in form.items() if k != "score-capacity"}  # missing on submit
    page = client.post(f"/reviews/{first.pk}/", missing).content.decode()
    assert 'href="#score-capacity"' in page and 'href="#score-content"' not in page
    assert "Give a score" not in page  # the messages are Vietnamese
    ballot = council.ballot_for(first)
    assert ballot.submitted_at is None


def test_the_ballot_script_moves_focus_to_the_summary():
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "ballot.js").read_text()
    assert ".error-summary[data-autofocus]" in script and ".focus()" in script
