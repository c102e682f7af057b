"""A long council on the timeline (issue 13's rough edge: nine invitations, nine answers and
nine grades made the page ~10,000 px high): runs of three or more steps of the same kind fold
into one line, the steps behind a <details>; a step with a document is never folded."""

import datetime

import pytest
from django.utils import timezone

from grants.timeline import FOLD_AT, Item, Link, Run, folded

START = timezone.make_aware(datetime.datetime(2026, 3, 2, 8, 0))


def steps(*labels, linked=()):
    return [
        Item(
            at=START + datetime.timedelta(minutes=i),
            label=label,
            actor="officer",
            links=(Link(url=f"/doc/{i}/", label="PDF"),) if i in linked else (),
        )  # fmt: skip
        for i, label in enumerate(labels)
    ]


def shape(result):
    return [("run", r.label, len(r.items)) if isinstance(r, Run) else r.label for r in result]


def test_fold_at_three():
    assert FOLD_AT == 3


def test_two_of_a_kind_stay_on_their_own_lines():
    assert shape(folded(steps("seat", "seat", "grade"))) == ["seat", "seat", "grade"]


def test_three_of_a_kind_fold_into_one_run():
    result = folded(steps("seat", "seat", "seat", "grade"))
    assert shape(result) == [("run", "seat", 3), "grade"]
    assert result[0].first.at == START and result[0].last.at == START + datetime.timedelta(
        minutes=2
    )


def test_nine_of_a_kind_and_nine_more_fold_into_two_runs():
    result = folded(steps(*["seat"] * 9, *["grade"] * 9))
    assert shape(result) == [("run", "seat", 9), ("run", "grade", 9)]


def test_a_step_with_a_document_of_its_own_breaks_the_run_and_stays_visible():
    result = folded(steps("seat", "seat", "seat", "seat", "seat", linked=(2,)))
    assert shape(result) == ["seat", "seat", "seat", "seat", "seat"]
    assert result[2].links[0].url == "/doc/2/"
    result = folded(steps("seat", "seat", "seat", "seat", "seat", "seat", "seat", linked=(3,)))
    assert shape(result) == [("run", "seat", 3), "seat", ("run", "seat", 3)]


def test_steps_that_share_one_document_fold_and_show_it_once():
    shared = (Link(url="/acceptance/", label="Acceptance"),)
    items = [Item(at=START, label="seat", actor="", links=shared)] * 4
    (run,) = folded(items)
    assert isinstance(run, Run) and run.links == shared


def test_nothing_is_lost_or_reordered():
    items = steps("a", "b", "b", "b", "b", "c", "c", "a", "a", "a", linked=(6,))
    flat = [i for r in folded(items) for i in (r.items if isinstance(r, Run) else (r,))]
    assert flat == items


@pytest.mark.django_db
def test_the_demos_accepted_project_folds_its_council(client_as):
    """The demo's completed projects had an acceptance council of nine: on the owner's page
    the invitations are one line, and every step is still there behind it."""
    from grants.models import Proposal
    from projects.models import ProjectEntry

    proposal = (
        Proposal.objects.filter(state__in=("completed", "transferred"))
        .filter(pk__in=ProjectEntry.objects.filter(action="acceptance_seat").values("proposal"))
        .order_by("pk")
        .first()
    )
    seats = ProjectEntry.objects.filter(proposal=proposal, action="acceptance_seat").count()
    assert seats >= FOLD_AT
    html = client_as(proposal.owner.email).get(proposal.get_absolute_url()).content.decode()
    assert '<li class="timeline__run" data-run="acceptance">' in html
    assert html.count("<details>") >= 1
    # the summary line, then each invitation behind it
    assert html.count("Mời thành viên hội đồng nghiệm thu") == seats + 1
    # the acceptance page each step links to is shown once beside a run, not once a step
    acceptance = f'href="/proposals/{proposal.pk}/acceptance/"'
    steps_linked = ProjectEntry.objects.filter(proposal=proposal, action__startswith="acceptance")
    assert 0 < html.count(acceptance) < steps_linked.count() - seats
