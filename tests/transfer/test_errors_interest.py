"""Express interest (transfer.catalogue_views.express_interest): a form the server checks, whose errors
come back in the site's summary, by the field, in the reader's language, with the text kept."""

import pytest

from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.django_db


def offered():
    return Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")


def test_the_form_is_left_to_the_server_and_the_site_s_summary(client_as):
    tech = offered()
    page = client_as("business@example.org").get(f"/technologies/{tech.pk}/").content.decode()
    assert 'id="interest" novalidate' in page


@pytest.mark.parametrize("message", ["", "   "])
def test_an_empty_request_is_shown_again_with_the_summary_and_nothing_opened(client_as, message):
    tech = offered()
    response = client_as("business@example.org").post(
        f"/technologies/{tech.pk}/interest/", {"message": message}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and "Có lỗi cần sửa" in page
    assert 'href="#id_message"' in page
    assert "Hãy cho bên sở hữu biết doanh nghiệp cần công nghệ để làm gì." in page
    assert "Tell the owner" not in page and "This field is required" not in page
    assert not TransferDeal.objects.filter(technology=tech, business__email="business@example.org")


def test_in_english_the_summary_is_english(client_as):
    tech = offered()
    response = client_as("business@example.org").post(
        f"/en/technologies/{tech.pk}/interest/", {"message": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Tell the owner what you need the technology for." in page


def test_a_second_request_leads_to_the_open_one_and_says_why(client_as):
    tech = offered()
    client = client_as("business@example.org")
    first = client.post(f"/technologies/{tech.pk}/interest/", {"message": "Lần đầu"})
    assert first.status_code == 302
    again = client.post(f"/technologies/{tech.pk}/interest/", {"message": "Lần hai"}, follow=True)
    deals = TransferDeal.objects.filter(technology=tech, business__email="business@example.org")
    assert deals.count() == 1
    assert again.redirect_chain[-1][0] == deals.get().get_absolute_url()
    assert "Bạn đã có một đề nghị đang mở cho công nghệ này." in again.content.decode()


def test_a_sent_request_still_opens_the_deal(client_as):
    tech = offered()
    response = client_as("business@example.org").post(
        f"/technologies/{tech.pk}/interest/", {"message": "Cần 20.000 cây giống"}
    )
    assert response.status_code == 302
    deal = TransferDeal.objects.get(technology=tech, business__email="business@example.org")
    assert response["Location"] == deal.get_absolute_url()
