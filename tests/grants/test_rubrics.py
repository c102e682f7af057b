"""Rubrics are edited by officers in the Wagtail admin: 100 points, frozen once used."""

import pytest
from django.utils import timezone

from grants.models import Ballot, CallPage, Rubric

pytestmark = pytest.mark.django_db


def rubric_form(name, points, tiebreaks=(1,)):
    data = {
        "name": name,
        "criteria-TOTAL_FORMS": str(len(points)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for index, value in enumerate(points):
        data.update(
            {
                f"criteria-{index}-name": f"Tiêu chí {index + 1}",
                f"criteria-{index}-key": "",
                f"criteria-{index}-guidance": "Hướng dẫn chấm",
                f"criteria-{index}-max_points": str(value),
                f"criteria-{index}-ORDER": str(index + 1),
            }
        )
        if index in tiebreaks:
            data[f"criteria-{index}-tiebreak"] = "on"
    return data


def test_the_demo_ships_the_circulars_two_rubrics():
    applied = Rubric.objects.get(is_default=True)
    assert [c.max_points for c in applied.criteria.all()] == [12, 24, 16, 16, 16, 16]
    assert applied.tiebreak_key() == "content"
    trial = Rubric.objects.get(name="Phiếu đánh giá dự án sản xuất thử nghiệm")
    assert [c.max_points for c in trial.criteria.all()] == [8, 20, 12, 12, 16, 16, 16]
    assert CallPage.objects.get(code="AG-TS01", locale__language_code="vi").get_rubric() == trial
    assert CallPage.objects.get(code="AG-NN01", locale__language_code="vi").get_rubric() == applied


def test_officers_cannot_save_a_rubric_that_does_not_add_up_to_100(client_as):
    client = client_as("officer@example.org")
    response = client.post("/admin/snippets/grants/rubric/add/", rubric_form("Lệch", [30, 30, 30]))
    assert response.status_code == 200
    assert "100" in response.content.decode()
    assert not Rubric.objects.filter(name="Lệch").exists()
    response = client.post("/admin/snippets/grants/rubric/add/", rubric_form("Đủ", [40, 30, 30]))
    assert response.status_code == 302
    rubric = Rubric.objects.get(name="Đủ")
    assert rubric.total == 100 and rubric.tiebreak_key() == "tieu-chi-2"


def test_only_one_criterion_breaks_ties(client_as):
    response = client_as("officer@example.org").post(
        "/admin/snippets/grants/rubric/add/", rubric_form("Hai", [50, 50], tiebreaks=(0, 1))
    )
    assert response.status_code == 200 and not Rubric.objects.filter(name="Hai").exists()


def test_a_rubric_with_a_submitted_ballot_cannot_change(client_as, submitted, user_by_email):
    rubric = Rubric.objects.get(is_default=True)
    url = f"/admin/snippets/grants/rubric/edit/{rubric.pk}/"
    client = client_as("officer@example.org")
    # The demo's reviewed proposals already hold submitted ballots on the default rubric.
    assert Ballot.objects.filter(submitted_at__isnull=False).exists()
    data = rubric_form(rubric.name, [20, 20, 20, 20, 20])
    data["is_default"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert [c.max_points for c in Rubric.objects.get(pk=rubric.pk).criteria.all()] == [
        12, 24, 16, 16, 16, 16
    ]  # fmt: skip
    unused = Rubric.objects.get(name="Phiếu đánh giá dự án sản xuất thử nghiệm")
    assert not unused.in_use()
    Ballot.objects.create(
        proposal=submitted, reviewer=user_by_email("reviewer1@example.org"), total=0,
        submitted_at=timezone.now(),
    )  # fmt: skip
    assert Rubric.objects.get(is_default=True).in_use()
