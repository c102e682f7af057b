"""Seating a selection council in one form, all or nothing, and the next candidates after a
decline (issue 14, language slice)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from grants import council

pytestmark = pytest.mark.django_db

SEATS = ["chair", "vice_chair", "secretary", "critic", "critic", "member", "member"]


def choices(reviewers, seats=SEATS):
    return list(zip(reviewers, seats, strict=False))


def form(reviewers, seats=SEATS, **extra):
    data = {"action": "council", "choose": [r.pk for r in reviewers], **extra}
    data.update({f"seat-{r.pk}": s for r, s in zip(reviewers, seats, strict=False)})
    return data


def test_seat_many_seats_a_whole_council_in_one_step(
    eligible, officer, reviewers, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seated = council.seat_many(eligible, choices(reviewers), by=officer)
    assert len(seated) == 7 == eligible.assignments.filter(status="invited").count()
    assert sorted(eligible.assignments.values_list("seat", flat=True)) == sorted(SEATS)
    assert len(mail.outbox) == 7  # one invitation each


def test_seat_many_is_all_or_nothing(eligible, officer, reviewers):
    two_chairs = ["chair", "chair", *SEATS[2:]]
    with pytest.raises(ValidationError) as refused:
        council.seat_many(eligible, choices(reviewers, two_chairs), by=officer)
    assert list(refused.value.message_dict) == [f"seat-{reviewers[1].pk}"]  # by the field
    assert eligible.assignments.count() == 0  # the first chair was not kept either


def test_a_full_council_needs_its_chair_and_critics(eligible, officer, reviewers):
    no_critic = ["chair", "vice_chair", "secretary", "member", "member", "member", "member"]
    with pytest.raises(ValidationError) as refused:
        council.seat_many(eligible, choices(reviewers, no_critic), by=officer)
    assert "__all__" in refused.value.message_dict
    assert eligible.assignments.count() == 0
    # Part of a council (six of seven) may be seated without its critics yet.
    council.seat_many(eligible, choices(reviewers[:6], no_critic), by=officer)
    assert eligible.assignments.count() == 6


def test_no_more_than_the_councils_seats(eligible, officer, reviewers):
    council.seat_many(eligible, choices(reviewers[:6]), by=officer)  # six of seven
    with pytest.raises(ValidationError) as refused:  # two more: one above
        council.seat_many(
            eligible, choices(reviewers[6:] + reviewers[:1], ["member"] * 2), by=officer
        )
    assert "__all__" in refused.value.message_dict
    council.seat_many(eligible, [(reviewers[6], "member")], by=officer)  # exactly at
    assert eligible.assignments.count() == 7


def test_only_an_officer_seats_and_never_an_empty_choice(eligible, officer, reviewers, researcher):
    with pytest.raises(PermissionDenied):
        council.seat_many(eligible, choices(reviewers), by=researcher)
    with pytest.raises(ValidationError):
        council.seat_many(eligible, [], by=officer)
    assert eligible.assignments.count() == 0


def test_the_page_seats_the_ticked_members_with_one_submit(client_as, eligible, reviewers):
    client = client_as("officer@example.org")
    page = client.get(f"/proposals/{eligible.pk}/council/").content.decode()
    assert page.count('name="choose"') >= 7 and 'value="council"' in page
    response = client.post(
        f"/proposals/{eligible.pk}/council/", form(reviewers, due_at="2026-12-20")
    )
    assert response.status_code == 302
    assert eligible.assignments.count() == 7
    assert {a.due_at.date().isoformat() for a in eligible.assignments.all()} == {"2026-12-20"}


def test_the_page_refuses_by_the_field_and_keeps_the_choices(client_as, eligible, reviewers):
    client = client_as("officer@example.org")
    two_chairs = ["chair", "chair", *SEATS[2:]]
    response = client.post(f"/proposals/{eligible.pk}/council/", form(reviewers, two_chairs))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and f'href="#seat-{reviewers[1].pk}"' in page
    assert f'id="seat-{reviewers[1].pk}_error"' in page
    assert page.count("checked") >= 7  # what was ticked stays ticked
    assert eligible.assignments.count() == 0


def test_a_researcher_cannot_post_the_council_form(client_as, eligible, reviewers):
    response = client_as("researcher@example.org").post(
        f"/proposals/{eligible.pk}/council/", form(reviewers)
    )
    assert response.status_code == 403
    assert eligible.assignments.count() == 0


def test_after_a_decline_the_page_offers_the_next_candidates(
    client_as, eligible, officer, reviewers
):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core import roles

    council.seat_many(eligible, choices(reviewers), by=officer)
    critic = eligible.assignments.get(reviewer=reviewers[3])
    council.declare(critic, by=reviewers[3], no_conflict=False, reason="Đang công tác nước ngoài")
    newcomer = get_user_model().objects.create_user(
        username="chuyengia8", email="chuyengia8@example.org", password="x"
    )
    newcomer.groups.add(Group.objects.get(name=roles.REVIEWER))
    page = client_as("officer@example.org").get(f"/proposals/{eligible.pk}/council/")
    text = page.content.decode()
    assert "Ứng viên tiếp theo" in text
    assert f'name="choose" value="{newcomer.pk}"' in text
    # The seat the member declined is the one proposed to the next candidate.
    assert '<option value="critic" selected>' in text.split(f'name="seat-{newcomer.pk}"')[1][:600]
    council.seat_many(eligible, [(newcomer, "critic")], by=officer)
    assert eligible.assignments.exclude(status="declined").count() == 7
