import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants.models import CallPage, CallStatus

ICT = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def ict(*args):
    return datetime.datetime(*args, tzinfo=ICT)


def make_call(**overrides):
    fields = {
        "title": "Thử nghiệm",
        "code": "AG-TEST",
        "summary": "Tóm tắt",
        "opens_at": ict(2026, 11, 1, 7, 30),
        "closes_at": ict(2026, 11, 30, 17, 0),
        "total_budget": 5_000_000_000,
        "max_per_project": 1_000_000_000,
    }
    fields.update(overrides)
    return CallPage(**fields)


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (ict(2026, 11, 1, 7, 29, 59), CallStatus.UPCOMING),
        (ict(2026, 11, 1, 7, 30), CallStatus.OPEN),
        (ict(2026, 11, 30, 16, 59, 59), CallStatus.OPEN),
        (ict(2026, 11, 30, 17, 0), CallStatus.CLOSED),
        # 09:59:59 UTC is 16:59:59 in An Giang: still open.
        (datetime.datetime(2026, 11, 30, 9, 59, 59, tzinfo=datetime.UTC), CallStatus.OPEN),
        (datetime.datetime(2026, 11, 30, 10, 0, 0, tzinfo=datetime.UTC), CallStatus.CLOSED),
        # 31 Oct 23:30 UTC is already 1 Nov 06:30 in An Giang, but before opening time.
        (datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC), CallStatus.UPCOMING),
    ],
)
def test_call_status_around_opening_and_deadline(now, status):
    assert make_call().status(now) == status


def test_days_left_counts_calendar_days_in_an_giang():
    call = make_call()
    # 29 Nov 18:00 UTC is 30 Nov 01:00 in An Giang: the deadline is today there.
    assert call.days_left(datetime.datetime(2026, 11, 29, 18, 0, tzinfo=datetime.UTC)) == 0
    assert call.days_left(datetime.datetime(2026, 11, 29, 16, 0, tzinfo=datetime.UTC)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_at": ict(2026, 10, 1, 0, 0)}, "closes_at"),
        ({"max_per_project": 6_000_000_000}, "max_per_project"),
        ({"code": "ag test"}, "code"),
        ({"code": "AG-NN01"}, "code"),
    ],
)
def test_call_validation(overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        make_call(**overrides).clean()
    assert field in excinfo.value.message_dict


@pytest.mark.django_db
def test_the_english_translation_may_share_the_code():
    english = CallPage.objects.get(code="AG-NN01", locale__language_code="en")
    english.clean()


@pytest.mark.django_db
def test_call_page_shows_deadline_in_an_giang_time_and_money_in_vnd(client):
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    html = client.get("/calls/ag-nn01/").content.decode()
    local = timezone.localtime(call.closes_at)
    assert f"17:00, {local:%d/%m/%Y}" in html
    assert "1.500.000.000 ₫" in html
    assert "6.000.000.000 ₫" in html
    assert "Mẫu 02: Thuyết minh nhiệm vụ khoa học và công nghệ" in html
    assert 'href="/calls/ag-nn01/apply/"' in html


@pytest.mark.django_db
def test_closed_and_upcoming_calls_have_no_apply_button(client):
    assert "/apply/" not in client.get("/calls/ag-nntm25/").content.decode()
    assert "/apply/" not in client.get("/calls/ag-cat01/").content.decode()


@pytest.mark.django_db
def test_call_list_groups_by_status_and_filters_by_sector(client):
    html = client.get("/calls/").content.decode()
    assert html.index('id="section-open"') < html.index('id="section-upcoming"')
    filtered = client.get("/calls/", {"sector": "fruit"}).content.decode()
    assert "Bảo quản sau thu hoạch xoài Ba Màu" in filtered
    assert "Chọn tạo giống lúa thơm chịu mặn" not in filtered


@pytest.mark.django_db
class TestApply:
    def test_anonymous_visitor_is_sent_to_login_and_back(self, client):
        response = client.get("/calls/ag-nn01/apply/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/calls/ag-nn01/apply/"

    def test_researcher_gets_one_draft_per_call_whichever_language(self, client_as):
        from grants.models import Proposal

        call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
        client = client_as("researcher@example.org")
        response = client.get("/calls/ag-nn01/apply/")
        Proposal.objects.filter(call=call, owner__email="researcher@example.org").delete()
        response = client.get("/calls/ag-nn01/apply/")
        draft = Proposal.objects.get(call=call, owner__email="researcher@example.org")
        assert response["Location"] == f"/proposals/{draft.pk}/edit/general/"
        assert draft.state == "draft" and draft.organisation.short_name
        assert draft.team.get().role == "principal"  # the applicant, from their profile
        again = client.get("/en/calls/ag-nn01/apply/")
        assert again["Location"] == f"/en/proposals/{draft.pk}/edit/general/"
        assert (
            Proposal.objects.filter(call=call, owner__email="researcher@example.org").count() == 1
        )

    def test_business_account_cannot_apply(self, client_as):
        response = client_as("business@example.org").get("/calls/ag-nn01/apply/", follow=True)
        assert response.redirect_chain[-1][0] == "/calls/ag-nn01/"
        assert response.status_code == 200

    def test_closed_call_refuses_applications(self, client_as):
        response = client_as("researcher@example.org").get("/calls/ag-nntm25/apply/", follow=True)
        assert response.redirect_chain[-1][0] == "/calls/ag-nntm25/"
