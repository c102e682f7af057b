"""The officer's webhook pages (/integrations/webhooks/, portal.webhook_views): register, refuse a
bad address by its field, edit, pause, delete, the deliveries with their answers, a test event
received by a real receiver on 127.0.0.1. Who may open them is the permission matrix's."""

import datetime
import html
import json

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core import webhooks
from core.models import WebhookDelivery, WebhookEndpoint
from tests import webhook_receiver

pytestmark = pytest.mark.django_db

receiver = webhook_receiver.receiver  # the fixture: a real receiver on 127.0.0.1

OFFICER = "officer@example.org"
LIST = "/integrations/webhooks/"


@pytest.fixture
def officer_client(client_as):
    return client_as(OFFICER)


def register(client, url, events=("dossier.received",), active=True):
    data = {"url": url, "events": list(events)}
    if active:
        data["active"] = "on"
    return client.post(f"{LIST}add/", data)


def test_an_officer_registers_an_endpoint_and_sees_its_secret(officer_client, receiver):
    response = register(officer_client, receiver.url, ["dossier.received", "deal.completed"])
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST}{endpoint.pk}/"
    assert endpoint.url == receiver.url and endpoint.active
    assert endpoint.events == ["deal.completed", "dossier.received"]
    assert endpoint.created_by.email == OFFICER
    detail = officer_client.get(response["Location"])
    assert "no-store" in detail["Cache-Control"]  # the secret is kept by no cache
    page = detail.content.decode()
    assert f'value="{endpoint.secret}"' in page
    assert "Đã đăng ký điểm nhận" in page  # the message, in Vietnamese
    assert "Tiếp nhận hồ sơ" in page and "Hoàn tất giao dịch chuyển giao" in page
    listing = officer_client.get(LIST).content.decode()
    assert receiver.url in listing and endpoint.secret not in listing


@pytest.mark.parametrize(
    "url",
    ["ftp://lgsp.example.vn/hooks", "javascript:alert(1)", "lgsp.example.vn/hooks", ""],
)
def test_a_bad_address_is_refused_by_its_field_and_the_text_kept(officer_client, url):
    response = register(officer_client, url)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_url_error"' in page
    assert (
        "Nhập địa chỉ bắt đầu bằng http:// hoặc https://." in page
        or "Trường này là bắt buộc." in page
    )
    assert f'value="{html.escape(url)}"' in page or not url
    assert not WebhookEndpoint.objects.exists()


def test_no_event_chosen_is_refused_by_its_field(officer_client, receiver):
    response = officer_client.post(f"{LIST}add/", {"url": receiver.url, "active": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chọn ít nhất một sự kiện." in page and 'id="id_events_error"' in page
    assert not WebhookEndpoint.objects.exists()


def test_a_private_address_is_refused_when_the_setting_says_so(officer_client, settings, receiver):
    settings.WEBHOOK_REFUSE_PRIVATE_ADDRESSES = True
    response = register(officer_client, receiver.url)
    assert response.status_code == 400
    assert "Địa chỉ này thuộc mạng riêng hoặc mạng nội bộ" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_pages_work_in_english(officer_client, receiver):
    register(officer_client, "https://lgsp.example.vn/hooks")
    endpoint = WebhookEndpoint.objects.get()
    page = officer_client.get(f"/en{LIST}{endpoint.pk}/").content.decode()
    assert "Signing secret" in page and "Send a test event" in page
    form = officer_client.get(f"/en{LIST}add/").content.decode()
    assert "Address (URL)" in form and "Funding decision signed" in form


def test_an_officer_changes_the_events_pauses_and_deletes(officer_client, receiver):
    register(officer_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    secret = endpoint.secret
    form = officer_client.get(f"{LIST}{endpoint.pk}/edit/").content.decode()
    assert 'name="url"' not in form  # a new address is a new endpoint
    response = officer_client.post(
        f"{LIST}{endpoint.pk}/edit/", {"events": ["proposal.state_changed", "decision.signed"]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.events == ["decision.signed", "proposal.state_changed"]
    assert not endpoint.active and endpoint.secret == secret
    refused = officer_client.post(f"{LIST}{endpoint.pk}/edit/", {"active": "on"})
    assert refused.status_code == 400 and "Chọn ít nhất một sự kiện." in refused.content.decode()
    endpoint.refresh_from_db()
    assert not endpoint.active  # nothing saved half-way
    confirm = officer_client.get(f"{LIST}{endpoint.pk}/delete/")
    assert confirm.status_code == 200 and WebhookEndpoint.objects.exists()
    gone = officer_client.post(f"{LIST}{endpoint.pk}/delete/")
    assert gone.status_code == 302 and gone["Location"] == LIST
    assert not WebhookEndpoint.objects.exists()


def test_a_test_event_reaches_the_receiver_and_its_answer_is_listed(
    officer_client, receiver, django_capture_on_commit_callbacks
):
    register(officer_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(f"{LIST}{endpoint.pk}/test/")
    assert response.status_code == 302
    (got,) = receiver.requests
    assert got.headers["X-Portal-Event"] == "ping"
    assert webhooks.verify(
        endpoint.secret, got.headers["X-Portal-Timestamp"], got.body,
        got.headers["X-Portal-Signature"],
    )  # fmt: skip
    assert json.loads(got.body)["data"]["endpoint"] == endpoint.pk
    page = officer_client.get(response["Location"]).content.decode()
    delivery = WebhookDelivery.objects.get()
    row = page[page.index(f'id="delivery-{delivery.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Đã gửi thành công" in row and "<strong>200</strong>" in row and "ok" in row


def test_a_failed_answer_is_shown_as_text(
    officer_client, receiver, django_capture_on_commit_callbacks
):
    register(officer_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    receiver.answer(500)
    receiver.reply = b"<script>alert('x')</script> down"
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(f"{LIST}{endpoint.pk}/test/")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.response_status == 500  # a test: tried once
    page = officer_client.get(f"{LIST}{endpoint.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; down" in page
    row = page[page.index(f'id="delivery-{delivery.pk}"') :]
    assert "Gửi thất bại" in row[: row.index("</tr>")]


def test_the_officers_dashboard_links_to_the_webhooks(officer_client, client_as):
    assert f'href="{LIST}"' in officer_client.get("/dashboard/").content.decode()
    researcher = client_as("researcher@example.org")
    assert f'href="{LIST}"' not in researcher.get("/dashboard/").content.decode()
    assert researcher.get(LIST).status_code == 403


def test_a_failed_event_shows_its_next_attempt_and_then_its_delivery(
    officer_client, receiver, django_capture_on_commit_callbacks
):
    register(officer_client, receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit("dossier.received", {"receipt_number": "AG-NN01-2026-0099"})
    delivery = WebhookDelivery.objects.get()
    page = officer_client.get(f"{LIST}{endpoint.pk}/").content.decode()
    row = page[page.index(f'id="delivery-{delivery.pk}"') :]
    row = row[: row.index("</tr>")]
    retry_at = timezone.localtime(delivery.last_attempt_at + datetime.timedelta(minutes=1))
    assert "Đang chờ gửi" in row and "<strong>500</strong>" in row
    assert date_format(retry_at, "H:i d/m/Y") in row  # the next attempt, a minute later
    webhooks.deliver_due(now=delivery.next_attempt_at)
    page = officer_client.get(f"{LIST}{endpoint.pk}/").content.decode()
    row = page[page.index(f'id="delivery-{delivery.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Đã gửi thành công" in row and "<strong>200</strong>" in row
    assert [r.headers["X-Portal-Event"] for r in receiver.requests] == ["dossier.received"] * 2
