"""The portal's error answers: 400, 403, 404, 429 and 500 (portal/urls.py's `handler…`, and
`CSRF_FAILURE_VIEW`).

A person who trips gets a page in the portal's layout and language that says what happened and
where to go next (home, their dashboard, sign in, the page they came from), with the right status.
Under /api/ the same errors answer JSON in the shape DRF gives its own errors,
`{"detail": …, "code": …}` (`api_exception_handler` adds the code to DRF's answers too).

The 500 page is rendered without the request's context processors (no database, no session, no
site settings): whatever failed in the view may fail again there.
"""

from http import HTTPStatus

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from rest_framework.views import exception_handler as drf_exception_handler

# What the JSON says for each status (`code` as DRF names its own errors).
_API_ERRORS = {
    400: ("parse_error", lambda: _("The request could not be understood.")),
    403: ("permission_denied", lambda: _("You do not have permission to perform this action.")),
    404: ("not_found", lambda: _("Not found.")),
    429: ("throttled", lambda: _("Too many requests. Please wait a few minutes and try again.")),
    500: ("server_error", lambda: _("Something went wrong on our side. Please try again later.")),
}


def _is_api(request):
    return request.path_info.startswith("/api/")


def _api_error(request, status):
    """The API speaks the language of `Accept-Language` (or the cookie), as core.rest does."""
    code, detail = _API_ERRORS[status]
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        return JsonResponse({"detail": detail(), "code": code}, status=status)


def _back_url(request):
    """The page the person came from, when it is a page of this site (never an outside link)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _reason(exception):
    """The refusal's own words when they were written for people (a translatable message, as the
    workflow functions raise: "Only an officer records the budget appraisal."); never Django's
    internal texts ("No Proposal matches the given query.")."""
    message = exception.args[0] if exception is not None and exception.args else None
    return str(message) if isinstance(message, Promise) else ""


def _page(request, status, *, exception=None, reason=""):
    context = {
        "status": status,
        "reason": reason or _reason(exception),
        "back_url": _back_url(request),
        "path": request.get_full_path(),
        "request_id": getattr(request, "request_id", ""),
    }
    return render(request, f"{status}.html", context, status=status)


def bad_request(request, exception=None):
    if _is_api(request):
        return _api_error(request, 400)
    return _page(request, 400, exception=exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return _api_error(request, 403)
    return _page(request, 403, exception=exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _api_error(request, 404)
    return _page(request, 404)


def too_many_requests(request, exception=None):
    """allauth's rate limits (`{ROOT_URLCONF}.handler429`) and the portal's own
    (`core.http.rate_limited`) answer this."""
    if _is_api(request):
        return _api_error(request, 429)
    return _page(request, 429)


def server_error(request):
    if _is_api(request):
        return _api_error(request, 500)
    template = loader.get_template("500.html")
    # No request: no context processor runs (they read the database and the session).
    content = template.render(
        {"back_url": _back_url(request), "request_id": getattr(request, "request_id", "")}
    )
    return HttpResponse(content, status=500, content_type="text/html; charset=utf-8")


def csrf_failure(request, reason=""):
    """A form sent after its page expired (or with cookies off): the 403 page, explaining it,
    instead of Django's English "CSRF verification failed"."""
    if _is_api(request):
        return _api_error(request, 403)
    return _page(
        request,
        403,
        reason=_(
            "The form had expired, or your browser did not send the portal's cookie. Go back, "
            "reload the page and send the form again."
        ),
    )


def api_exception_handler(exc, context):
    """DRF's handler, with the error's code beside its detail (`{"detail": …, "code": …}`) as
    the portal's own JSON errors give it. Validation errors keep DRF's messages by field."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None)
            or HTTPStatus(response.status_code).phrase.lower().replace(" ", "_"),
        }
    return response
