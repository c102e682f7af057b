"""The few seconds' cache of public pages for anonymous visitors (core.page_cache, issue 16):
what it answers without a query, and every condition that keeps a page out of it."""

import datetime
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.page_cache import HEADER
from grants.models import CallPage

pytestmark = pytest.mark.django_db

SEARCH = "/technologies/?q=l%C3%BAa"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.PORTAL_PUBLIC_PAGE_CACHE_SECONDS = 15


def visitor(**cookies):
    client = Client(HTTP_HOST="127.0.0.1")
    for name, value in cookies.items():
        client.cookies[name] = value
    return client


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def test_an_anonymous_search_is_stored_then_answered_without_a_query():
    first, _ = get(visitor(), SEARCH)
    assert first.status_code == 200 and first[HEADER] == "stored"
    again, queries = get(visitor(), SEARCH)
    assert again[HEADER] == "hit" and queries == 0
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    # The security headers are still those of every answer (the middlewares before the cache).
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["X-Request-ID"] != first["X-Request-ID"]


def test_off_when_the_setting_is_zero(settings):
    settings.PORTAL_PUBLIC_PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response, queries = get(visitor(), SEARCH)
        assert HEADER not in response and queries > 0


def test_each_query_string_host_and_language_has_its_own_page():
    assert get(visitor(), SEARCH)[0][HEADER] == "stored"
    assert get(visitor(), "/technologies/?q=c%C3%A1")[0][HEADER] == "stored"
    english, _ = get(visitor(), "/en" + SEARCH)
    assert english[HEADER] == "stored"
    assert '<html lang="en"' in english.content.decode()
    vietnamese, _ = get(visitor(), SEARCH)
    assert vietnamese[HEADER] == "hit" and '<html lang="vi"' in vietnamese.content.decode()
    other_host = Client(HTTP_HOST="localhost")
    assert other_host.get(SEARCH)[HEADER] == "stored"


def test_the_language_cookie_and_the_csrf_cookie_share_the_page():
    get(visitor(), SEARCH)
    cookies = {settings.CSRF_COOKIE_NAME: "x" * 32, settings.LANGUAGE_COOKIE_NAME: "en"}
    response, queries = get(visitor(**cookies), SEARCH)
    assert response[HEADER] == "hit" and queries == 0
    assert '<html lang="vi"' in response.content.decode()  # the path decides the language


@pytest.mark.parametrize("cookie", [settings.SESSION_COOKIE_NAME, "messages", "anything_else"])
def test_a_visitor_with_a_session_or_another_cookie_is_never_served_from_the_cache(cookie):
    get(visitor(), SEARCH)
    response, queries = get(visitor(**{cookie: "abc"}), SEARCH)
    assert HEADER not in response and queries > 0


def test_a_signed_in_person_is_never_served_nor_stored(client_as):
    officer = client_as("officer@example.org")
    mine = officer.get(SEARCH)
    assert HEADER not in mine
    assert "private" in mine["Cache-Control"]
    assert get(visitor(), SEARCH)[0][HEADER] == "stored"  # nothing was stored for the officer
    assert HEADER not in officer.get(SEARCH)  # nor is the visitors' page shown to her


def test_authorization_and_conditional_requests_go_to_the_view():
    get(visitor(), SEARCH)
    for headers in (
        {"HTTP_AUTHORIZATION": "Bearer x"},
        {"HTTP_IF_NONE_MATCH": '"abc"'},
        {"HTTP_IF_MODIFIED_SINCE": "Wed, 02 Dec 2026 00:00:00 GMT"},
    ):
        response, queries = get(visitor(), SEARCH, **headers)
        assert HEADER not in response and queries > 0, headers


def test_only_get_is_answered_from_the_cache():
    get(visitor(), SEARCH)
    assert HEADER not in visitor().head(SEARCH)
    assert HEADER not in Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1").post(SEARCH)


@pytest.mark.parametrize(
    "url", ["/api/v1/technologies/", "/accounts/login/", "/verify/", "/proposals/", "/healthz",
            "/sitemap.xml", "/en/api/docs/", "/no-such-page/"],
)  # fmt: skip
def test_pages_outside_the_cache_are_never_stored(url):
    for _ in range(2):
        response = visitor().get(url)
        assert HEADER not in response, (url, response.status_code)


@pytest.mark.urls("tests.core.page_cache_urls")
def test_a_page_that_sets_a_cookie_is_never_stored():
    # A public form's CSRF token sets the cookie (again, for a visitor who has one): shared,
    # one visitor's token would fail for the next.
    first = visitor().get("/form-page/")
    assert first.status_code == 200 and settings.CSRF_COOKIE_NAME in first.cookies
    assert HEADER not in first
    token = first.cookies[settings.CSRF_COOKIE_NAME].value
    again = visitor(**{settings.CSRF_COOKIE_NAME: token}).get("/form-page/")
    assert settings.CSRF_COOKIE_NAME in again.cookies and HEADER not in again


@pytest.mark.urls("tests.core.page_cache_urls")
@pytest.mark.parametrize("url", ["/never-cached/", "/private/"])
def test_a_page_its_view_marks_private_or_no_store_is_never_stored(url):
    for _ in range(2):
        response = visitor().get(url)
        assert response.status_code == 200 and not response.cookies
        assert HEADER not in response


def test_the_cache_lasts_its_timeout(settings):
    settings.PORTAL_PUBLIC_PAGE_CACHE_SECONDS = 1
    assert get(visitor(), SEARCH)[0][HEADER] == "stored"
    assert get(visitor(), SEARCH)[0][HEADER] == "hit"
    time.sleep(1.1)
    assert get(visitor(), SEARCH)[0][HEADER] == "stored"


def _call_closing_in(seconds):
    call = CallPage.objects.live().filter(closes_at__gt=timezone.now()).first()
    call.closes_at = timezone.now() + datetime.timedelta(seconds=seconds)
    call.save(update_fields=["closes_at"])
    return call


def test_a_call_page_is_kept_no_longer_than_its_deadline():
    call = _call_closing_in(2.5)
    first = visitor().get(call.url)
    assert first[HEADER] == "stored"
    assert visitor().get(call.url)[HEADER] == "hit"
    while timezone.now() < call.closes_at:
        time.sleep(0.1)
    after = visitor().get(call.url)
    assert after[HEADER] == "stored"  # the open page was gone at the deadline
    assert CallPage.objects.get(pk=call.pk).status() == "closed"


def test_a_call_page_less_than_a_second_from_its_deadline_is_not_stored():
    call = _call_closing_in(0.9)
    assert HEADER not in visitor().get(call.url)


def test_next_change_is_the_opening_then_midnight_or_the_deadline():
    call = CallPage.objects.live().first()
    now = timezone.make_aware(datetime.datetime(2026, 12, 3, 22, 0))
    call.opens_at = now + datetime.timedelta(hours=1)
    call.closes_at = now + datetime.timedelta(days=3)
    assert call.next_change(now) == call.opens_at
    assert call.next_change(call.opens_at) == timezone.make_aware(datetime.datetime(2026, 12, 4))
    call.closes_at = now + datetime.timedelta(hours=1, minutes=30)
    assert call.next_change(call.opens_at) == call.closes_at
    assert call.next_change(call.closes_at) is None
