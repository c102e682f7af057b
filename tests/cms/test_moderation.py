import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from wagtail.images.forms import get_image_form
from wagtail.images.models import Image
from wagtail.models import PageLogEntry

from cms.models import NewsIndexPage, NewsPage
from core import roles
from grants.models import CallPage
from tests.samples import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_officer(user_by_email):
    person = user_by_email("researcher2@example.org")
    person.groups.add(Group.objects.get(name=roles.OFFICER))
    return person


def draft_news(officer):
    index = NewsIndexPage.objects.filter(locale__language_code="vi").first()
    page = NewsPage(
        title="Bản nháp chờ duyệt", slug="ban-nhap-cho-duyet", intro="Tóm tắt.", live=False
    )
    index.add_child(instance=page)
    page.save_revision(user=officer)
    assert not page.live
    return page


def test_officers_publish_calls_directly_but_news_only_through_review(user_by_email):
    officer = user_by_email("officer@example.org")
    news = NewsPage.objects.live().first()
    call = CallPage.objects.live().first()
    assert not news.permissions_for_user(officer).can_publish()
    assert news.permissions_for_user(officer).can_edit()
    assert call.permissions_for_user(officer).can_publish()


def test_the_submitter_cannot_approve_another_officer_can(user_by_email, second_officer):
    officer = user_by_email("officer@example.org")
    page = draft_news(officer)
    workflow = page.get_workflow()
    assert workflow is not None
    state = workflow.start(page, officer)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(page, officer) == []
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, officer, "approve")
    assert [a[0] for a in task.get_actions(page, second_officer)][:2] == ["reject", "approve"]
    task.on_action(task_state, second_officer, "approve")
    page.refresh_from_db()
    assert page.live
    actions = set(PageLogEntry.objects.filter(page=page).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= actions


def test_a_rejected_page_stays_unpublished(client, user_by_email, second_officer):
    officer = user_by_email("officer@example.org")
    page = draft_news(officer)
    assert client.get(page.url).status_code == 404
    state = page.get_workflow().start(page, officer)
    state.current_task_state.task.specific.on_action(
        state.current_task_state, second_officer, "reject"
    )
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url).status_code == 404
    assert PageLogEntry.objects.filter(page=page, action="wagtail.workflow.reject").exists()


@pytest.mark.parametrize(
    ("description", "valid"), [("", False), ("  ", False), ("Ruộng lúa", True)]
)
def test_an_image_needs_its_text_alternative(user_by_email, description, valid):
    form_class = get_image_form(Image)
    form = form_class(
        {"title": "Ruộng", "description": description},
        {"file": png("ruong.png", size=(40, 30))},
        user=user_by_email("admin@example.org"),
    )
    assert form.is_valid() is valid
    if not valid:
        assert "description" in form.errors
