import datetime

import pytest
from django.utils import timezone

from grants import demo, workflow
from grants.models import CallPage, CallTemplate, ReviewAssignment


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
    """A fresh open call shaped like AG-NN01, with none of the demo's proposals in it."""
    demo_call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    call = CallPage(
        title="Đợt thử nghiệm: giống lúa chịu mặn",
        slug="ag-test01",
        locale=demo_call.locale,
        code="AG-TEST01",
        summary=demo_call.summary,
        opens_at=demo_call.opens_at,
        closes_at=demo_call.closes_at,
        total_budget=demo_call.total_budget,
        max_per_project=demo_call.max_per_project,
        min_reviewers=7,
    )
    call.sectors = list(demo_call.sectors.all())
    call.templates = [
        CallTemplate(title=t.title, document=t.document, required=t.required)
        for t in demo_call.templates.all()
    ]
    demo_call.get_parent().add_child(instance=call)
    return call


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


def submitted_by_new_applicant(username, title, *, call_code="AG-TS01"):
    """A new applicant's dossier on a seeded call, filled and submitted through the workflow
    (for tests on a committed database: the on-commit tasks run as they would in production)."""
    from django.contrib.auth import get_user_model

    call = CallPage.objects.get(code=call_code, locale__language_code="vi")
    owner = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    proposal, _ = demo.draft_for(call, owner)
    demo.fill(
        proposal,
        title=title,
        budget=demo.budget_for(10**9),
        members=[("Đặng Văn Hậu", "principal", "Trường Đại học Kiên Giang", "TS.")],
    )
    return workflow.submit(proposal, by=owner)
