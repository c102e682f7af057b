"""Found by the whole-arc journey: the notice of the acceptance council's verdict goes to the
investigator and the officers, and its link must open for each of them (it pointed at the
council's page, which only the Department's staff may open: a 403 for the investigator)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from tests.projects import council_setup as cs

pytestmark = pytest.mark.django_db

INVESTIGATOR = "researcher@example.org"
OFFICER = "officer@example.org"


def link_path(message):
    return urlsplit(re.search(r"https?://\S+", message.body).group(0)).path


def test_the_verdict_notice_links_each_reader_to_a_page_they_may_open(
    user_by_email, client_as, django_capture_on_commit_callbacks
):
    acceptance, seats = cs.grading(user_by_email(OFFICER), n=7, size=7)
    for seat in seats[:-1]:
        cs.submit(seat, "pass")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cs.submit(seats[-1], "pass")  # the last grades close the council
    acceptance.refresh_from_db()
    assert acceptance.state == "decided" and acceptance.verdict == "pass"
    pk = acceptance.contract.proposal_id

    [notice] = [m for m in mail.outbox if INVESTIGATOR in m.to]
    assert OFFICER in notice.to
    assert link_path(notice) == f"/proposals/{pk}/acceptance/"
    investigator_page = client_as(INVESTIGATOR).get(link_path(notice))
    assert investigator_page.status_code == 200
    assert "Đạt" in investigator_page.content.decode()
    # The officer reaches the same page, where the results are accepted.
    officer_page = client_as(OFFICER).get(link_path(notice))
    assert officer_page.status_code == 200
    assert f"/proposals/{pk}/acceptance/accept/" in officer_page.content.decode()
    # The council's own page stays the staff's.
    assert client_as(INVESTIGATOR).get(f"/proposals/{pk}/acceptance/council/").status_code == 403


def test_the_invitation_and_the_opening_of_grading_still_link_the_member_page(
    user_by_email, django_capture_on_commit_callbacks
):
    officer = user_by_email(OFFICER)
    acceptance = cs.submitted_acceptance()
    [member] = cs.free_reviewers(acceptance, 1)
    with django_capture_on_commit_callbacks(execute=True):
        cs.seat_council(acceptance, officer, [member], accept=False)
    grade_page = f"/proposals/{acceptance.contract.proposal_id}/acceptance/council/grade/"
    assert mail.outbox[-1].to == [member.email]
    assert link_path(mail.outbox[-1]) == grade_page
