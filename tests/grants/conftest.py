import datetime

import pytest
from django.utils import timezone

from grants import demo, workflow
from grants.models import CallPage, ReviewAssignment


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def researcher2(user_by_email):
    return user_by_email("researcher2@example.org")


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def manager(user_by_email):
    return user_by_email("manager@example.org")


@pytest.fixture
def open_call(db):
    return CallPage.objects.get(code="AG-NN01", locale__language_code="vi")


@pytest.fixture
def draft(open_call, researcher):
    proposal, _created = demo.draft_for(open_call, researcher)
    return demo.fill(proposal, title="Chọn tạo giống lúa thơm chịu mặn ST-AG1")


@pytest.fixture
def submitted(draft, researcher):
    return workflow.submit(draft, by=researcher, ip="10.0.0.5")


@pytest.fixture
def eligible(submitted, officer):
    return workflow.mark_eligible(submitted, by=officer)


def seat_council(proposal, reviewers, *, accepted=None):
    """Seat reviewers: chair, vice-chair, secretary, two critics, then members."""
    seats = ["chair", "vice_chair", "secretary", "critic", "critic"]
    accepted = len(reviewers) if accepted is None else accepted
    for index, reviewer in enumerate(reviewers):
        ReviewAssignment.objects.create(
            proposal=proposal,
            reviewer=reviewer,
            seat=seats[index] if index < len(seats) else "member",
            status="accepted" if index < accepted else "invited",
            declared_at=timezone.now() if index < accepted else None,
        )


@pytest.fixture
def reviewers(user_by_email):
    return [user_by_email(f"reviewer{n}@example.org") for n in range(1, 8)]


@pytest.fixture
def under_review(eligible, officer, reviewers):
    seat_council(eligible, reviewers)
    return workflow.start_review(eligible, by=officer)


def in_an_giang(year, month, day, hour=0, minute=0):
    return timezone.make_aware(
        datetime.datetime(year, month, day, hour, minute),
        timezone=datetime.timezone(datetime.timedelta(hours=7)),
    )
