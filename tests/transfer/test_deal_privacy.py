"""The business stays "a business" to a technology's owner until the owner accepts to talk
(DESIGN.md: contact details are visible to both from `negotiating`): on the deal's page, in its
history, in the deal lists and in the e-mail; a deal declined before that stays anonymous."""

import pytest
from django.core import mail

from grants.models import Proposal
from transfer import disclosure, workflow
from transfer.models import Technology

pytestmark = pytest.mark.django_db

CHECKLIST = [key for key, _label in workflow.PUBLISH_CHECKLIST]


@pytest.fixture
def technology(user_by_email):
    proposal = Proposal.objects.get(title="Nhân giống in vitro chuối già Nam Mỹ sạch bệnh")
    technology = Technology.objects.create(
        title="Quy trình nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô",
        summary="Cây giống đồng đều, sạch bệnh héo rũ Panama, tỷ lệ sống trên 95% khi ra vườn.",
        sector=proposal.sector,
        trl=7,
        ip_status="know_how",
        transfer_modes=["licence", "consulting"],
        price=350_000_000,
        owner=proposal.owner,
        organisation=proposal.organisation,
        source_proposal=proposal,
    )
    technology = workflow.submit_technology(technology, by=technology.owner)
    return workflow.publish_technology(
        technology, by=user_by_email("officer@example.org"), checklist=CHECKLIST
    )


@pytest.fixture
def business(user_by_email):
    return user_by_email("business@example.org")


def identity(business):
    """What would tell the owner who the business is."""
    return [business.profile.organisation.name, business.profile.full_name, business.email]


@pytest.fixture
def requested(technology, business, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        deal = workflow.request_deal(
            technology, by=business, message="Chúng tôi cần cây giống cho 20 ha ở Châu Phú."
        )
    return deal


def test_the_request_email_to_the_owner_does_not_name_the_business(requested, business):
    (message,) = [m for m in mail.outbox if requested.technology.owner.email in m.to]
    text = message.subject + message.body
    assert "Một doanh nghiệp quan tâm" in text
    assert "Tên và thông tin liên hệ của doanh nghiệp sẽ được chia sẻ" in text
    for clue in identity(business):
        assert clue not in text
    assert not message.reply_to and not message.cc


def test_before_accepting_the_owner_sees_a_business_on_the_page_history_and_lists(
    requested, business, client, user_by_email
):
    owner = requested.technology.owner
    assert disclosure.business_hidden_from(requested, owner)
    assert not disclosure.business_hidden_from(requested, business)
    assert not disclosure.business_hidden_from(requested, user_by_email("officer@example.org"))
    client.force_login(owner)
    page = client.get(f"/deals/{requested.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Một doanh nghiệp (tên được chia sẻ khi ông/bà đồng ý trao đổi)" in html
    assert "Doanh nghiệp đề nghị chuyển giao" in html  # the history is there
    assert "một doanh nghiệp" in html  # ... with the business as "a business"
    for clue in identity(business):
        assert clue not in html
    for listing in (client.get("/deals/"), client.get("/dashboard/")):
        assert listing.status_code == 200
        for clue in identity(business):
            assert clue not in listing.content.decode()


def test_the_business_and_the_department_see_the_name(requested, business, client_as):
    name = business.profile.organisation.name
    assert name in client_as("business@example.org").get(f"/deals/{requested.pk}/").content.decode()
    officer = client_as("officer@example.org")
    assert name in officer.get(f"/deals/{requested.pk}/").content.decode()


def test_a_deal_declined_without_talking_stays_anonymous(requested, business, client):
    owner = requested.technology.owner
    declined = workflow.decline(requested, by=owner, comment="Chưa sẵn sàng chuyển giao")
    assert declined.state == "declined"
    client.force_login(owner)
    html = client.get(f"/deals/{requested.pk}/").content.decode()
    for clue in identity(business):
        assert clue not in html


def test_once_the_owner_accepts_the_business_is_named_and_stays_named(requested, business, client):
    owner = requested.technology.owner
    accepted = workflow.accept(requested, by=owner)
    assert not disclosure.business_hidden_from(accepted, owner)
    client.force_login(owner)
    html = client.get(f"/deals/{requested.pk}/").content.decode()
    for clue in identity(business):
        assert clue in html
    assert business.profile.organisation.name in client.get("/deals/").content.decode()
    # cancelled while negotiating: the owner had been told already
    cancelled = workflow.cancel(accepted, by=business, comment="Đã chọn nhà cung cấp khác")
    assert not disclosure.business_hidden_from(cancelled, owner)
    html = client.get(f"/deals/{requested.pk}/").content.decode()
    assert business.profile.organisation.name in html
