"""The owner withdraws a listing from the catalogue and sends an archived one again for
moderation from the listing's page (transfer/listing_views.py); an officer may withdraw any."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from transfer import workflow
from transfer.models import CatalogueEntry, Technology

pytestmark = pytest.mark.django_db

CHECKLIST = [key for key, _label in workflow.PUBLISH_CHECKLIST]


@pytest.fixture
def published(user_by_email):
    """A listing of the demo's catalogue, published (owner: its researcher)."""
    return Technology.objects.filter(state="published").order_by("pk").first()


def move(client, technology, action):
    return client.post(reverse("technology_move", args=[technology.pk, action]), follow=True)


def state_of(technology):
    return Technology.objects.get(pk=technology.pk).state


def test_the_owner_withdraws_it_and_sends_it_again_from_its_page(client, published):
    owner = published.owner
    client.force_login(owner)
    page = client.get(published.get_absolute_url()).content.decode()
    assert reverse("technology_move", args=[published.pk, "archive"]) in page
    assert reverse("technology_move", args=[published.pk, "resubmit"]) not in page
    response = move(client, published, "archive")
    assert state_of(published) == "archived"
    assert "Đã rút thông tin công nghệ khỏi danh mục." in response.content.decode()
    page = client.get(published.get_absolute_url()).content.decode()
    assert reverse("technology_move", args=[published.pk, "resubmit"]) in page
    assert reverse("technology_move", args=[published.pk, "archive"]) not in page
    move(client, published, "resubmit")
    assert state_of(published) == "pending"
    steps = list(
        CatalogueEntry.objects.filter(technology=published)
        .order_by("-pk")
        .values_list("action", "source", "target", "actor__email")[:2]
    )
    assert steps == [
        ("submit", "archived", "pending", owner.email),
        ("archive", "published", "archived", owner.email),
    ]


def test_a_listing_not_archived_is_not_sent_again(client, published):
    client.force_login(published.owner)
    response = move(client, published, "resubmit")
    assert state_of(published) == "published"
    assert "Chỉ thông tin công nghệ đã lưu trữ mới được gửi lại" in response.content.decode()


def test_an_officer_may_withdraw_it_but_not_send_it_again(client, published, user_by_email):
    officer = user_by_email("officer@example.org")
    client.force_login(officer)
    assert move(client, published, "archive").status_code == 200
    assert state_of(published) == "archived"
    assert move(client, published, "resubmit").status_code == 403
    assert state_of(published) == "archived"


@pytest.mark.parametrize("who", ["a business", "another researcher"])
def test_nobody_else_moves_it(client, published, user_by_email, who):
    if who == "a business":
        other = user_by_email("business@example.org")
    else:
        emails = {"researcher@example.org", "researcher2@example.org"} - {published.owner.email}
        other = user_by_email(sorted(emails)[0])
    assert other != published.owner
    client.force_login(other)
    assert move(client, published, "archive").status_code == 403
    assert state_of(published) == "published"
    workflow.archive_technology(published, by=published.owner)
    assert move(client, published, "resubmit").status_code == 403
    assert state_of(published) == "archived"
    # The same refusal at the workflow function.
    with pytest.raises(PermissionDenied):
        workflow.submit_technology(Technology.objects.get(pk=published.pk), by=other)


def test_an_unknown_step_is_refused(client, published):
    client.force_login(published.owner)
    assert move(client, published, "publish").status_code == 403
    assert state_of(published) == "published"


NEED = {"title": "Cần quy trình ủ phân hữu cơ từ vỏ sầu riêng",
        "problem": "Vườn sầu riêng thải nhiều vỏ; cần quy trình ủ thành phân hữu cơ dùng lại cho vườn.",
        "budget_min": "100.000.000", "budget_max": "300.000.000", "desired_trl": "5"}  # fmt: skip


def test_a_business_keeps_a_need_as_a_draft_and_publishes_it_later(client_as, user_by_email):
    from cms.models import Sector
    from transfer.models import TechnologyNeed

    business = client_as("business@example.org")
    data = {**NEED, "sector": Sector.objects.get(slug="fruit").pk, "draft": "1"}
    assert business.post("/needs/", data).status_code == 302
    need = TechnologyNeed.objects.get(title=NEED["title"])
    assert need.state == "draft" and need.entries.count() == 0
    page = business.get(reverse("need_detail", args=[need.pk])).content.decode()
    assert reverse("need_publish", args=[need.pk]) in page
    assert reverse("need_close", args=[need.pk]) in page  # a draft may be dropped too
    assert NEED["title"] not in business.get("/needs/").content.decode()  # not listed yet
    # Nobody else sees a draft; the officer sees it (they may close it) but may not publish it.
    assert client_as("researcher@example.org").get(need.get_absolute_url()).status_code == 404
    officer = client_as("officer@example.org")
    assert (
        reverse("need_publish", args=[need.pk])
        not in officer.get(need.get_absolute_url()).content.decode()
    )
    assert officer.post(reverse("need_publish", args=[need.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        workflow.publish_need(need, by=user_by_email("officer@example.org"))
    assert TechnologyNeed.objects.get(pk=need.pk).state == "draft"
    business = client_as("business@example.org")  # client_as signs the one test client in again
    business.post(reverse("need_publish", args=[need.pk]))
    need.refresh_from_db()
    assert need.state == "published"
    assert list(need.entries.values_list("action", "source", "target")) == [
        ("publish", "draft", "published")
    ]
    again = business.post(reverse("need_publish", args=[need.pk]), follow=True)
    assert again.status_code == 200 and TechnologyNeed.objects.get(pk=need.pk).state == "published"
