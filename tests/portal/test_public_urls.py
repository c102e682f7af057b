import pytest

pytestmark = pytest.mark.django_db

PUBLIC_PATHS = [
    "/",
    "/calls/",
    "/calls/ag-nn01/",
    "/calls/ag-cat01/",
    "/calls/ag-nntm25/",
    "/tin-tuc/",
    "/gioi-thieu/",
    "/huong-dan/",
    "/bao-ve-du-lieu-ca-nhan/",
    "/search/?q=lúa",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/technologies/",
    "/needs/",
    "/stats/",
]


@pytest.mark.parametrize("path", PUBLIC_PATHS)
@pytest.mark.parametrize(("prefix", "lang"), [("", "vi"), ("/en", "en")])
def test_public_page_answers_in_both_languages(client, path, prefix, lang):
    response = client.get(prefix + path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert 'id="main"' in html


def test_root_is_vietnamese_even_for_an_english_browser(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="vi">' in html
    assert "Khoa học, công nghệ và đổi mới sáng tạo cho An Giang" in html
    assert ">Đợt gọi</a>" in html  # the main menu's entry


def test_english_home_shows_english_content_and_chrome(client):
    html = client.get("/en/").content.decode()
    assert "Science, technology and innovation for An Giang" in html
    assert "Calls open now" in html
    assert "Technologies ready to transfer" in html


def test_the_home_page_shows_the_newest_technologies(client):
    from transfer.models import Technology

    newest = Technology.objects.filter(state="published").order_by("-published_at", "-pk")
    html = client.get("/").content.decode()
    section = html[html.index('id="technologies-title"') : html.index('id="news-title"')]
    for technology in newest[:3]:
        assert technology.title in section
    assert newest[3].title not in section
    assert 'href="/stats/"' in section and 'href="/needs/"' in section


def test_language_switch_links_to_the_translated_page(client):
    html = client.get("/calls/ag-nn01/").content.decode()
    assert 'href="/en/calls/ag-nn01/"' in html
    html = client.get("/en/calls/ag-nn01/").content.decode()
    assert 'href="/calls/ag-nn01/"' in html


def test_news_page_is_reachable_from_the_index(client):
    html = client.get("/tin-tuc/").content.decode()
    assert "Doanh nghiệp nhỏ và vừa còn chậm đổi mới công nghệ" in html


def test_search_finds_a_call_by_a_word_of_its_summary(client):
    html = client.get("/search/", {"q": "cá tra"}).content.decode()
    assert "Nâng cao chất lượng giống cá tra" in html


def test_search_escapes_what_the_visitor_typed(client):
    html = client.get("/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unknown_page_is_404(client):
    assert client.get("/khong-ton-tai/").status_code == 404


def test_healthz_is_liveness_only(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok", "worker": "ok"},
    }


def test_healthz_reads_no_database_even_with_a_cold_cache(client, django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()  # the site is not remembered yet: the middleware would look it up
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_a_page_still_reads_the_site_with_a_cold_cache(client):
    # The skip is for the probes only: an ordinary page still finds its site (2 queries cold).
    from django.core.cache import cache

    from cms.middleware import SITES_KEY

    cache.clear()
    client.get("/khong-ton-tai/")
    assert cache.get(SITES_KEY)


def test_readyz_still_queries_the_database(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert any("SELECT 1" in q["sql"] for q in queries.captured_queries)
