"""The acceptance minutes exist from the verdict on: the close signs and stores them (in the
demo's replay too), a download serves the stored file, and before a verdict the URL answers 404
to those who will read them (the document does not exist yet) and 403 to everyone else."""

import pytest
from django.utils import timezone

from core.models import SignedDocument
from grants import workflow as grants_workflow
from projects import grading
from projects.models import ProjectEntry
from tests.projects import council_setup as cs

pytestmark = pytest.mark.django_db

KIND = "acceptance_minutes"


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


def minutes_url(acceptance):
    return f"/proposals/{acceptance.contract.proposal_id}/acceptance/minutes.pdf"


def stored(acceptance):
    return SignedDocument.objects.filter(kind=KIND, key=str(acceptance.pk))


def test_the_dossier_of_the_council_tests_is_submitted_through_the_workflow(officer):
    acceptance = cs.submitted_acceptance()
    assert acceptance.state == "submitted" and acceptance.submitted_at is not None
    entry = ProjectEntry.objects.get(
        proposal_id=acceptance.contract.proposal_id, action="acceptance_submit"
    )
    assert entry.actor_id == acceptance.contract.proposal.owner_id


def test_a_replayed_close_signs_the_minutes_before_anyone_downloads_them(
    officer, django_capture_on_commit_callbacks
):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:8]:
        cs.submit(seat, "pass")
    assert not stored(acceptance).exists()  # no verdict, no document
    # As the demo replays history: no notice is sent, the verdict is still recorded.
    with grants_workflow.clock(timezone.now()), django_capture_on_commit_callbacks(execute=True):
        cs.submit(seats[8], "pass")
    acceptance.refresh_from_db()
    assert acceptance.state == "decided" and acceptance.verdict == "pass"
    document = stored(acceptance).get()
    assert document.dated == timezone.localdate(acceptance.decided_at)


def test_an_officer_closing_the_council_signs_the_minutes(
    officer, django_capture_on_commit_callbacks
):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:7]:  # two members absent: 7 of 9 present is a quorum
        cs.submit(seat, "excellent")
    with django_capture_on_commit_callbacks(execute=True):
        grading.close_council(acceptance, by=officer)
    assert stored(acceptance).count() == 1


def test_a_download_serves_the_stored_signed_file(
    officer, client_as, django_capture_on_commit_callbacks
):
    acceptance, seats = cs.grading(officer)
    for seat in seats[:8]:
        cs.submit(seat, "pass")
    with django_capture_on_commit_callbacks(execute=True):
        cs.submit(seats[8], "pass")
    signed = stored(acceptance).get().read()
    for email in ("researcher@example.org", "officer@example.org", seats[0].member.email):
        response = client_as(email).get(minutes_url(acceptance))
        assert response.status_code == 200 and response.content == signed, email
    assert stored(acceptance).count() == 1


def test_while_the_council_grades_the_minutes_do_not_exist_yet(officer, client_as):
    """404 for those who will read the minutes once the verdict is recorded (the document does
    not exist yet, it is not forbidden to them); 403 for those who never may."""
    acceptance, seats = cs.grading(officer)
    cs.submit(seats[0], "pass")
    url = minutes_url(acceptance)
    for email in (
        "researcher@example.org",
        "officer@example.org",
        "manager@example.org",
        seats[0].member.email,
        seats[1].member.email,
    ):
        assert client_as(email).get(url).status_code == 404, email
    assert client_as("researcher2@example.org").get(url).status_code == 403
    assert client_as(cs.new_reviewer("outsider").email).get(url).status_code == 403
    assert client_as(None).get(url).status_code == 302
    assert not stored(acceptance).exists()


def test_a_draft_dossier_has_no_minutes_and_strangers_are_refused(client_as):
    from projects import acceptance as acceptance_steps

    proposal = cs.running_proposal()
    acceptance = acceptance_steps.acceptance_for(proposal.contract)
    assert acceptance.state == "draft"
    url = minutes_url(acceptance)
    assert client_as("researcher@example.org").get(url).status_code == 404
    assert client_as("officer@example.org").get(url).status_code == 404
    assert client_as("researcher2@example.org").get(url).status_code == 403
