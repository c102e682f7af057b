"""The public catalogue and the deal pages."""

import json
import re

import pytest

from grants.models import Proposal
from portal import demo_data
from tests.samples import PDF, copies, pdf
from transfer import workflow
from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.django_db
agreement = pdf


def titles(response):
    return re.findall(
        r'<h2 class="card-title"[^>]*><a href="/technologies/\d+/">([^<]+)</a>',
        response.content.decode(),
    )


def test_search_works_with_and_without_diacritics(client):
    with_marks = titles(client.get("/technologies/", {"q": "lúa thơm"}))
    without = titles(client.get("/technologies/", {"q": "lua thom"}))
    assert with_marks == without and "Giống lúa thơm chịu mặn AGU-ST1" in without
    assert "Giống lúa thơm chịu mặn AGU-ST1" in titles(
        client.get("/technologies/", {"q": "LUA THOM"})
    )


def test_filters_combine_and_are_shareable_links(client):
    response = client.get(
        "/technologies/", {"sector": "aquaculture", "trl_min": "7", "mode": "licence"}
    )
    found = titles(response)
    assert found
    for tech in Technology.objects.filter(title__in=found):
        assert (
            tech.sector.slug == "aquaculture" and tech.trl >= 7 and "licence" in tech.transfer_modes
        )
    expected = Technology.objects.filter(
        state="published",
        sector__slug="aquaculture",
        trl__gte=7,
        transfer_modes__icontains='"licence"',
    ).count()
    assert f"{expected} công nghệ" in response.content.decode()


def test_empty_results_and_pages_beyond_the_end(client):
    empty = client.get("/technologies/", {"q": "không có công nghệ nào như thế"})
    assert empty.status_code == 200 and titles(empty) == []
    assert "Không có công nghệ nào phù hợp" in empty.content.decode()
    beyond = client.get("/technologies/", {"page": "999"})
    assert beyond.status_code == 200 and titles(beyond)  # the last page
    assert (
        client.get("/technologies/", {"page": "abc", "trl_min": "x", "sort": "drop"}).status_code
        == 200
    )


@pytest.mark.parametrize("q", ["' OR 1=1 --", "%%", "_", "<script>alert(1)</script>", "a" * 500])
def test_hostile_queries_are_harmless(client, q):
    response = client.get("/technologies/", {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    if q in ("' OR 1=1 --", "%%", "_"):  # taken literally, not as SQL or LIKE patterns
        assert titles(response) == []


def test_sort_by_trl_and_newest(client):
    by_trl = [
        Technology.objects.get(title=t).trl
        for t in titles(client.get("/technologies/", {"sort": "trl"}))
    ]
    assert by_trl == sorted(by_trl, reverse=True)
    newest = titles(client.get("/technologies/"))
    assert (
        newest[0]
        == Technology.objects.filter(state="published").order_by("-published_at").first().title
    )


def test_the_page_a_business_acts_on(client):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    html = client.get(f"/technologies/{tech.pk}/").content.decode()
    assert 'property="og:title"' in html and "TRL 8/9" in html and "800.000.000 ₫" in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.+?)</script>', html).group(1)
    )
    assert data["@type"] == "Product" and data["offers"]["priceCurrency"] == "VND"
    assert tech.confidential not in html  # the know-how stays inside a deal
    assert "Đăng nhập" in html  # visitors are invited to sign in to express interest


def test_unpublished_technologies_are_hidden_from_the_public(client, client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    workflow.archive_technology(tech, by=tech.owner)
    assert client.get(f"/technologies/{tech.pk}/").status_code == 404
    assert client_as("researcher@example.org").get(f"/technologies/{tech.pk}/").status_code == 200
    assert tech.title not in titles(client.get("/technologies/", {"q": "AGU-ST1"}))


@pytest.fixture
def deal(client_as):
    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    client = client_as("business@example.org")
    response = client.post(
        f"/technologies/{tech.pk}/interest/", {"message": "Cần 20.000 cây giống"}
    )
    assert response.status_code == 302
    # requested well before the signing dates the tests record (it cannot be signed earlier)
    import datetime

    from django.utils import timezone

    TransferDeal.objects.filter(technology=tech).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    return TransferDeal.objects.get(technology=tech)


@pytest.mark.parametrize(
    "email, status",
    [
        (None, 302),
        ("business@example.org", 200),
        ("researcher2@example.org", 200),  # the owner
        ("officer@example.org", 200),
        ("researcher@example.org", 403),
        ("reviewer1@example.org", 403),
        ("manager@example.org", 403),
    ],
)
def test_deal_page_matrix(client_as, deal, email, status):
    assert client_as(email).get(f"/deals/{deal.pk}/").status_code == status


def test_contacts_and_know_how_open_step_by_step(client_as, deal):
    business_page = client_as("business@example.org").get(f"/deals/{deal.pk}/").content.decode()
    assert "researcher2@example.org" not in business_page
    # (client_as signs the one test client in as someone else each time)
    assert client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/").status_code == 302
    client = client_as("business@example.org")
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "researcher2@example.org" in page and deal.technology.confidential not in page
    client.post(f"/deals/{deal.pk}/accept_nda/")
    assert deal.technology.confidential in client.get(f"/deals/{deal.pk}/").content.decode()


def test_forged_deal_actions_are_refused(client_as, deal):
    assert client_as("business@example.org").post(f"/deals/{deal.pk}/accept/").status_code == 403
    assert client_as("officer@example.org").post(f"/deals/{deal.pk}/accept/").status_code == 403
    assert client_as("researcher@example.org").post(f"/deals/{deal.pk}/cancel/").status_code == 403
    assert (
        client_as("business@example.org").post(f"/deals/{deal.pk}/drop_table/").status_code == 403
    )
    assert TransferDeal.objects.get(pk=deal.pk).state == "requested"


def test_terms_errors_stay_next_to_the_fields(client_as, deal):
    client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/")
    response = client_as("business@example.org").post(
        f"/deals/{deal.pk}/record_terms/",
        {
            "mode": "capital",
            "value": "-1",
            "payment": "lump_sum",
            "term_months": "12",
            "signed_on": "2026-01-05",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_value_error"' in html
    assert TransferDeal.objects.get(pk=deal.pk).state == "negotiating"


def test_the_officer_completes_and_the_proposal_is_transferred(client_as, deal):
    client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/")
    client_as("business@example.org").post(
        f"/deals/{deal.pk}/record_terms/",
        {"mode": "licence", "value": "300.000.000", "payment": "instalments", "term_months": "36",
         "signed_on": "2026-11-20", "agreement": agreement()},
    )  # fmt: skip
    assert TransferDeal.objects.get(pk=deal.pk).state == "agreed"
    client_as("officer@example.org").post(f"/deals/{deal.pk}/complete/")
    proposal = Proposal.objects.get(pk=deal.technology.source_proposal_id)
    assert proposal.state == "transferred"
    html = client_as("officer@example.org").get(f"/proposals/{proposal.pk}/").content.decode()
    assert "Đã chuyển giao" in html


def test_officers_see_deals_by_state_sector_year_and_registrations_due(client_as, deal):
    import datetime

    client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/")
    signed = datetime.date.today() - datetime.timedelta(days=75)
    client_as("business@example.org").post(
        f"/deals/{deal.pk}/record_terms/",
        {"mode": "licence", "value": "300.000.000", "payment": "lump_sum", "term_months": "12",
         "signed_on": signed.isoformat(), "agreement": agreement()},
    )  # fmt: skip
    html = client_as("officer@example.org").get("/deals/").content.decode()
    assert "300.000.000 ₫" in html and str(signed.year) in html
    due = (signed + datetime.timedelta(days=90)).strftime("%d/%m/%Y")
    assert due in html  # 15 days left to register this state-funded transfer
    theirs = client_as("business@example.org").get("/deals/").content.decode()
    assert due not in theirs.split("<table")[0]  # the figures are the officers'


@pytest.mark.parametrize(
    "email, status",
    [
        (None, 302),
        ("business@example.org", 200),
        ("researcher@example.org", 200),
        ("officer@example.org", 200),
    ],
)
def test_deal_list_matrix(client_as, deal, email, status):
    response = client_as(email).get("/deals/")
    assert response.status_code == status
    if email == "researcher@example.org":  # not a party to the seeded deal
        assert deal.technology.title not in response.content.decode()


def test_catalogue_queries_do_not_grow_with_the_page(client, django_assert_max_num_queries):
    from transfer.models import Technology

    client.get("/technologies/?sector=rice")
    with django_assert_max_num_queries(12) as few:
        client.get("/technologies/?sector=rice&trl_min=1")
    copies(Technology.objects.filter(state="published", sector__slug="rice").first(), 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/technologies/?sector=rice&trl_min=1")


def test_a_researcher_lists_a_technology_and_an_officer_publishes_it(client_as):
    from cms.models import Sector

    client = client_as("researcher@example.org")
    assert client.get("/technologies/new/").status_code == 200
    data = {
        "title": "Bẫy đèn năng lượng mặt trời bắt rầy nâu",
        "summary": "Bẫy đèn tự động bật ban đêm, dự báo mật độ rầy nâu để phun thuốc đúng lúc, giảm 2 lần phun mỗi vụ.",
        "sector": Sector.objects.get(slug="smart-agriculture").pk, "trl": "7", "ip_status": "utility",
        "transfer_modes": ["licence"], "price": "25.000.000", "submit": "1",
    }  # fmt: skip
    response = client.post("/technologies/new/", data)
    tech = Technology.objects.get(title="Bẫy đèn năng lượng mặt trời bắt rầy nâu")
    assert response.status_code == 302 and tech.state == "pending" and tech.price == 25_000_000
    assert client_as("business@example.org").get("/technologies/new/").status_code == 403
    officer = client_as("officer@example.org")
    assert tech.title in officer.get("/technologies/moderation/").content.decode()
    officer.post(
        "/technologies/moderation/",
        {"technology": tech.pk, "action": "publish", "checklist": ["owner"]},
    )
    assert Technology.objects.get(pk=tech.pk).state == "pending"  # the checklist was not complete
    officer.post(
        "/technologies/moderation/",
        {
            "technology": tech.pk,
            "action": "publish",
            "checklist": [k for k, _ in workflow.PUBLISH_CHECKLIST],
        },
    )
    assert Technology.objects.get(pk=tech.pk).state == "published"
    assert client_as("researcher@example.org").get("/technologies/moderation/").status_code == 403


def test_the_signed_agreement_is_checked_and_only_for_the_parties(client_as, deal):
    client_as("researcher2@example.org").post(f"/deals/{deal.pk}/accept/")
    terms = {"mode": "licence", "value": "300.000.000", "payment": "lump_sum", "term_months": "12",
             "signed_on": "2026-11-20"}  # fmt: skip
    disguised = agreement("hop-dong.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    response = client_as("business@example.org").post(
        f"/deals/{deal.pk}/record_terms/", {**terms, "agreement": disguised}
    )
    assert response.status_code == 400 and 'id="id_agreement_error"' in response.content.decode()
    client_as("business@example.org").post(
        f"/deals/{deal.pk}/record_terms/", {**terms, "agreement": agreement()}
    )
    assert TransferDeal.objects.get(pk=deal.pk).state == "agreed"
    url = f"/deals/{deal.pk}/agreement/"
    for email, status in [("business@example.org", 200), ("researcher2@example.org", 200),
                          ("officer@example.org", 200), ("researcher@example.org", 403),
                          ("manager@example.org", 403), (None, 302)]:  # fmt: skip
        response = client_as(email).get(url)
        assert response.status_code == status, email
        if status == 200:
            assert b"".join(response.streaming_content) == PDF


def test_the_public_api_lists_the_catalogue_and_the_needs(client):
    data = client.get("/api/v1/technologies/", {"q": "lua thom"}).json()
    assert [t["title"] for t in data["results"]] == ["Giống lúa thơm chịu mặn AGU-ST1"]
    assert data["results"][0]["url"].endswith(f"/technologies/{data['results'][0]['id']}/")
    assert "confidential" not in data["results"][0]
    fish = client.get("/api/v1/technologies/", {"sector": "aquaculture", "trl_min": 8}).json()
    assert fish["count"] and all(
        t["sector"] == "aquaculture" and t["trl"] >= 8 for t in fish["results"]
    )
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    workflow.archive_technology(tech, by=tech.owner)
    assert client.get(f"/api/v1/technologies/{tech.pk}/").status_code == 404
    needs = client.get("/api/v1/needs/").json()
    published_needs = len(demo_data.NEEDS) - len(demo_data.CLOSED_NEEDS)  # not closed, not drafts
    assert needs["count"] == published_needs and needs["results"][0]["sector"]
    assert "/api/v1/technologies/" in client.get("/api/schema/").content.decode()


def test_a_project_result_names_the_task_it_came_from(client):
    tech = Technology.objects.exclude(source_proposal=None).select_related("source_proposal")[0]
    html = client.get(f"/technologies/{tech.pk}/").content.decode()
    receipt = tech.source_proposal.receipt_number
    assert receipt and f"Kết quả của nhiệm vụ KH&CN cấp tỉnh {receipt}" in html


def test_a_new_sector_reaches_the_filters_and_a_new_organisation_the_suggestions_at_once(client):
    from cms.models import Sector
    from researchers.models import Organisation

    client.get("/technologies/")  # the sectors are now cached
    Organisation.objects.create(name="Hợp tác xã Nông nghiệp Tân Tiến", kind="institute")
    Sector.objects.create(slug="duoc-lieu", name="Dược liệu", name_en="Medicinal herbs")
    html = client.get("/technologies/").content.decode()
    assert "Dược liệu" in html
    found = client.get("/organisations/suggest/", {"q": "tan tien", "owners": "1"}).json()
    assert [o["name"] for o in found["results"]] == ["Hợp tác xã Nông nghiệp Tân Tiến"]
    # The Department itself owns no technology: it is not offered as an owner.
    department = client.get("/organisations/suggest/", {"q": "so khoa hoc", "owners": "1"})
    assert department.json()["results"] == []
    assert client.get("/organisations/suggest/", {"q": "so khoa hoc"}).json()["results"]


# -- owners edit their listings ----------------------------------------------------------------------


def _form_data(tech, **changes):
    data = {"title": tech.title, "summary": tech.summary, "description": tech.description,
            "sector": tech.sector_id, "trl": str(tech.trl), "ip_status": tech.ip_status,
            "transfer_modes": tech.transfer_modes, "price": str(tech.price or ""),
            "confidential": tech.confidential, "nda_terms": tech.nda_terms, "save": "1"}  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "email, status",
    [
        (None, 302),
        ("researcher@example.org", 200),  # the owner
        ("researcher2@example.org", 403),
        ("business@example.org", 403),
        ("officer@example.org", 403),  # officers moderate; they do not rewrite listings
        ("manager@example.org", 403),
        ("reviewer1@example.org", 403),
    ],
)
def test_edit_page_matrix(client_as, email, status):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    assert tech.owner.email == "researcher@example.org"
    assert client_as(email).get(f"/technologies/{tech.pk}/edit/").status_code == status


def test_editing_a_published_listing_sends_it_back_to_moderation(client, client_as, deal):
    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    owner = client_as(tech.owner.email)
    page = owner.get(f"/technologies/{tech.pk}/").content.decode()
    assert f'href="/technologies/{tech.pk}/edit/"' in page
    # Bad input: the message sits next to the field, the text typed is kept, nothing is saved.
    response = owner.post(
        f"/technologies/{tech.pk}/edit/", _form_data(tech, title="Tên mới", trl="12")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_trl_error"' in html and 'value="Tên mới"' in html
    tech.refresh_from_db()
    assert tech.title != "Tên mới" and tech.state == "published"
    response = owner.post(
        f"/technologies/{tech.pk}/edit/",
        _form_data(tech, title="Cây chuối giống nuôi cấy mô sạch bệnh"),
    )
    assert response.status_code == 302
    tech.refresh_from_db()
    assert tech.title == "Cây chuối giống nuôi cấy mô sạch bệnh" and tech.state == "pending"
    assert client_as(None).get(f"/technologies/{tech.pk}/").status_code == 404
    # The business in a deal on it still reads it; officers find it in moderation.
    assert client_as("business@example.org").get(f"/technologies/{tech.pk}/").status_code == 200
    assert (
        tech.title
        in client_as("officer@example.org").get("/technologies/moderation/").content.decode()
    )


def test_a_failed_return_to_moderation_saves_nothing(client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    # Valid for the form, refused by the workflow's guard (the summary must say what it solves).
    response = client_as("researcher@example.org").post(
        f"/technologies/{tech.pk}/edit/", _form_data(tech, summary="Ngắn quá.", title="Đổi tên")
    )
    assert response.status_code == 302
    tech.refresh_from_db()
    assert tech.title == "Giống lúa thơm chịu mặn AGU-ST1" and tech.state == "published"


def test_an_archived_listing_cannot_be_edited(client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    workflow.archive_technology(tech, by=tech.owner)
    client = client_as("researcher@example.org")
    response = client.post(f"/technologies/{tech.pk}/edit/", _form_data(tech, title="Đổi tên"))
    assert response.status_code == 302
    assert Technology.objects.get(pk=tech.pk).title == "Giống lúa thơm chịu mặn AGU-ST1"


def test_a_listing_starts_from_a_finished_project(client_as):
    project = Proposal.objects.get(
        title="Màng bao sinh học kéo dài thời gian bảo quản xoài Cát Hòa Lộc xuất khẩu"
    )
    owner = client_as(project.owner.email)
    page = owner.get(f"/proposals/{project.pk}/").content.decode()
    assert f'href="/technologies/new/?from={project.pk}"' in page
    assert "Quy trình bảo quản xoài Cát Hòa Lộc bằng màng bao sinh học" in page  # listed already
    form = owner.get(f"/technologies/new/?from={project.pk}").content.decode()
    assert f'value="{project.title}"' in form
    assert f'<option value="{project.pk}" selected>' in form
    # Someone else's project gives nothing away.
    other = client_as("researcher2@example.org").get(f"/technologies/new/?from={project.pk}")
    assert project.title not in other.content.decode()


def test_the_english_site_shows_english_listings_and_marks_the_vietnamese_ones(client):
    from django.utils import translation

    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    try:
        html = client.get(f"/en/technologies/{tech.pk}/").content.decode()
        assert '<h1 lang="en">AGU-ST1 salt-tolerant fragrant rice variety</h1>' in html
        assert 'content="AGU-ST1 salt-tolerant fragrant rice variety"' in html  # Open Graph
        # A listing without an English version is shown in Vietnamese, marked as such.
        Technology.objects.filter(pk=tech.pk).update(title_en="", summary_en="")
        html = client.get(f"/en/technologies/{tech.pk}/").content.decode()
        assert '<h1 lang="vi">Giống lúa thơm chịu mặn AGU-ST1</h1>' in html
        # English words find the English version; the Vietnamese site keeps Vietnamese titles.
        found = client.get("/en/technologies/", {"q": "oyster mushrooms"}).content.decode()
        assert "Oyster mushrooms grown on rice straw" in found
    finally:
        translation.activate("vi")
    listing = client.get("/technologies/", {"q": "oyster mushrooms"}).content.decode()
    assert "Sản xuất nấm bào ngư trên giá thể rơm rạ" in listing


def test_an_officer_sends_a_listing_back_with_a_note(client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    workflow.revise_technology(tech, by=tech.owner)
    officer = client_as("officer@example.org")
    page = officer.post(
        "/technologies/moderation/",
        {"technology": tech.pk, "action": "send_back", "comment": ""},
        follow=True,
    ).content.decode()
    assert "Hãy nêu rõ chủ sở hữu cần sửa gì." in page
    assert Technology.objects.get(pk=tech.pk).state == "pending"
    officer.post(
        "/technologies/moderation/",
        {"technology": tech.pk, "action": "send_back", "comment": "Bổ sung kết quả khảo nghiệm."},
    )
    assert Technology.objects.get(pk=tech.pk).state == "draft"
    owner_view = client_as("researcher@example.org").get(f"/technologies/{tech.pk}/")
    assert "Bổ sung kết quả khảo nghiệm." in owner_view.content.decode()


def test_a_small_business_filters_by_its_budget(client):
    within = titles(client.get("/technologies/", {"price_max": "50000000"}))
    priced = Technology.objects.filter(state="published", price__lte=50_000_000)
    assert within and sorted(within) == sorted(t.title for t in priced)
    assert "Sản xuất nấm bào ngư trên giá thể rơm rạ" in within  # 30.000.000 ₫
    assert "Bộ kít phát hiện nhanh bệnh đạo ôn trên lúa" not in within  # negotiable: no price
    html = client.get("/technologies/", {"price_max": "50000000", "sector": "biotechnology"})
    assert titles(html) == ["Sản xuất nấm bào ngư trên giá thể rơm rạ"]
    assert '<option value="50000000" selected>đến 50.000.000 ₫</option>' in html.content.decode()
    api = client.get("/api/v1/technologies/", {"price_max": "50000000"}).json()
    assert api["count"] == len(within)
