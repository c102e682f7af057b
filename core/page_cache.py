"""A few seconds' shared cache of the public pages anonymous visitors read (issue 16).

The night a call closes, the call page and the catalogue are read by hundreds of visitors while
researchers submit: each page rendered once every `PORTAL_PUBLIC_PAGE_CACHE_SECONDS` (production:
15 s, docs/operations.md → Caching) instead of once per visitor leaves the cores to the submits.

What is cached, and for whom — every condition is needed, none is enough alone:
- a GET of a page in the portal's languages (not the API, the admin, the accounts, the
  dossiers, reviews, dashboards, integrations, people pages, the verification form), without
  an `Authorization` header or a conditional header (the view answers a 304 more cheaply);
- from a visitor whose only cookies are the CSRF token's and the language's: no session (so
  no one signed in, no messages waiting), no other cookie a page could depend on;
- a 200 answer that sets no cookie (a page that used the CSRF token sets it again, so a form's
  token is never shared), is not `private`, `no-store`, `no-cache` or `max-age=0`, varies on
  nothing but the language and the cookies.

The key is the host, the language of the path and the full path with its query. A page whose
content changes at a known instant (a call opening or closing) is kept at most until then
(`keep_until`). Other changes are seen within the timeout; signed-in people (editors, officers)
always see the live page. The middleware sits before the session's, so a hit reads no session,
no user and no database row; the middlewares before it (request id, metrics, security headers,
CSP) still run on every answer.
"""

import hashlib
import math

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.cache import cc_delim_re

# Paths (after the language prefix) never cached: not pages, private, or counted per request.
NEVER = (
    "/api/",
    "/admin/",
    "/django-admin/",
    "/documents/",
    "/accounts/",
    "/dashboard/",
    "/proposals/",
    "/reviews/",
    "/people/",
    "/integrations/",
    "/verify/",
    "/organisations/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/sitemap.xml",
    "/robots.txt",
)
VARY_ALLOWED = {"accept-language", "cookie", "accept-encoding"}
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
HEADER = "X-Page-Cache"  # "hit" or "stored", for operators and tests


def keep_until(request, moment):
    """Keep this request's cached page no later than `moment` (when what it says turns false)."""
    if moment is None:
        return
    current = getattr(request, "page_cache_until", None)
    if current is None or moment < current:
        request.page_cache_until = moment


def _timeout():
    return int(getattr(settings, "PORTAL_PUBLIC_PAGE_CACHE_SECONDS", 0) or 0)


def _language_and_path(path):
    language = translation.get_language_from_path(path)
    if language:
        return language, path[len(language) + 1 :]
    return settings.LANGUAGE_CODE, path


def _allowed_cookies():
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}


def _key(request):
    language, path = _language_and_path(request.path)
    if path.startswith(NEVER):
        return None
    address = f"{request.get_host()}|{language}|{request.get_full_path()}"
    return "portal:page:" + hashlib.sha256(address.encode()).hexdigest()


def _eligible(request):
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and not any(header in request.META for header in CONDITIONAL)
        and set(request.COOKIES) <= _allowed_cookies()
    )


def _storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    control = {d.strip().lower() for d in cc_delim_re.split(response.get("Cache-Control", ""))}
    if control & {"private", "no-store", "no-cache", "max-age=0"}:
        return False
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    return vary <= VARY_ALLOWED


def _seconds(request, timeout):
    until = getattr(request, "page_cache_until", None)
    if until is None:
        return timeout
    return min(timeout, math.floor((until - timezone.now()).total_seconds()))


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = _timeout()
        key = _key(request) if timeout > 0 and _eligible(request) else None
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None:
            return self._answer(stored)
        response = self.get_response(request)
        seconds = _seconds(request, timeout) if _storable(request, response) else 0
        if seconds > 0:
            headers = [(name, value) for name, value in response.items()]
            cache.set(key, (response.status_code, response.content, headers), seconds)
            response[HEADER] = "stored"
        return response

    @staticmethod
    def _answer(stored):
        from django.http import HttpResponse

        status, content, headers = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HEADER] = "hit"
        return response
