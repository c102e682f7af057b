import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
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
MISSING_ALT = "Hãy mô tả nội dung hình ảnh: văn bản thay thế là bắt buộc."


@pytest.fixture
def second_officer(user_by_email):
    person = user_by_email("researcher2@example.org")
    person.groups.add(Group.objects.get(name=roles.OFFICER))
    # Department staff sign in with a second factor (the admin lets them in only then).
    TOTP.activate(person, settings.PORTAL_DEMO_TOTP_SECRET)
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


# -- through the admin's own screens --------------------------------------------------------------


def form_data(html, form_id):
    """What the browser would send for the form `form_id` as it stands (no button pressed)."""
    from bs4 import BeautifulSoup

    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    assert form is not None, f"no form #{form_id}"
    data = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if (
            not name
            or field.get("type") in ("submit", "button", "file")
            or field.has_attr("disabled")
        ):
            continue
        if field.name == "textarea":
            data[name] = field.text
        elif field.name == "select":
            chosen = [
                o.get("value", o.text) for o in field.find_all("option") if o.has_attr("selected")
            ]
            if chosen:
                data[name] = chosen if field.has_attr("multiple") else chosen[0]
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data[name] = field.get("value", "")
    return data


def test_an_officer_submits_news_in_the_admin_and_another_officer_approves_it(
    client_as, user_by_email, second_officer
):
    officer = user_by_email("officer@example.org")
    page = draft_news(officer)
    edit = f"/admin/pages/{page.pk}/edit/"
    writer = client_as("officer@example.org")
    html = writer.get(edit).content.decode()
    assert 'name="action-submit"' in html
    assert 'name="action-publish"' not in html  # an officer cannot publish news herself
    data = form_data(html, "page-edit-form")
    # The body's StreamField is drawn by the admin's JavaScript: an empty one sends its count.
    data.update({"intro": "Tóm tắt đã sửa.", "action-submit": "1", "body-count": "0"})
    response = writer.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state is not None and state.requested_by == officer and not page.live
    assert page.get_latest_revision_as_object().intro == "Tóm tắt đã sửa."
    task_state = state.current_task_state
    approve = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"

    # The submitter is offered nothing and is refused if she tries.
    writer.post(approve, {})
    page.refresh_from_db()
    assert not page.live and page.current_workflow_state is not None

    # Another officer sees it waiting on her admin home and approves it.
    reviewer = client_as("researcher2@example.org")
    home = reviewer.get("/admin/")
    assert home.status_code == 200, home.get("Location")
    home = home.content.decode()
    assert "Bản nháp chờ duyệt" in home
    assert reviewer.post(approve, {}).status_code == 302
    page.refresh_from_db()
    assert page.live and page.intro == "Tóm tắt đã sửa."
    publish = PageLogEntry.objects.get(page=page, action="wagtail.publish")
    assert publish.user == second_officer


def test_a_call_is_published_by_an_officer_from_the_admin(client_as):
    call = CallPage.objects.live().filter(locale__language_code="vi").first()
    html = client_as("officer@example.org").get(f"/admin/pages/{call.pk}/edit/").content.decode()
    assert 'name="action-publish"' in html


def test_a_news_image_without_its_text_alternative_is_refused_in_the_admin(client_as):
    writer = client_as("admin@example.org")
    response = writer.post(
        "/admin/images/add/",
        {"title": "Ruộng", "description": "", "file": png("ruong2.png", size=(40, 30))},
    )
    assert response.status_code == 200  # the form again, with its message
    assert MISSING_ALT in response.content.decode()
    assert not Image.objects.filter(title="Ruộng").exists()


def test_an_approved_page_with_a_later_go_live_date_waits_for_publish_scheduled(
    user_by_email, second_officer
):
    import datetime
    import time

    from django.core.management import call_command
    from django.utils import timezone

    officer = user_by_email("officer@example.org")
    page = draft_news(officer)
    page.go_live_at = go_live = timezone.now() + datetime.timedelta(seconds=3)
    page.save_revision(user=officer)
    state = page.get_workflow().start(page, officer)
    state.current_task_state.task.specific.on_action(
        state.current_task_state, second_officer, "approve"
    )
    page.refresh_from_db()
    assert not page.live  # approved and scheduled: not public before its time
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live
    time.sleep(max(0, (go_live - timezone.now()).total_seconds()) + 0.2)
    call_command("publish_scheduled")  # the cron line, once its time has passed
    page.refresh_from_db()
    assert page.live
