"""What every view of the JSON API (/api/v1/) shares: the request's language, ids and query
parameters checked before the database sees them (a 400 or 404 with a JSON body, never a 500)."""

import math
import re
import time

from django.conf import settings
from django.utils import translation
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.throttling import BaseThrottle

from core.fields import valid_id
from core.http import rate_limited


class PortalAPIView:
    """Mixin for API views and viewsets.

    The API is not under a language prefix: it answers in the language of `Accept-Language`
    (or the language cookie), Vietnamese by default. An id in the path that is no id at all
    (`abc`, 23 digits, `٣`) is "not found"."""

    filter_class = None  # a Serializer of the query parameters, if the view takes any

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request, check_path=False)
        translation.activate(language)
        request._request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def get_object(self):
        checked_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field))
        return super().get_object()

    def filters(self):
        """The validated query parameters (a 400 with a message per parameter otherwise)."""
        if self.filter_class is None:
            return {}
        checked = self.filter_class(data=self.request.query_params)
        checked.is_valid(raise_exception=True)
        return checked.validated_data


class TokenScopePermission(BasePermission):
    """A call made with an integration token (`request.auth` has `scopes`; portal.tokens) reaches
    only the views whose `token_scope` the token holds; a view that names none takes no token.
    Calls without a token (a session, a visitor) are left to the view's other permissions."""

    message = _("This token may not be used for this part of the API.")

    def has_permission(self, request, view):
        scopes = getattr(request.auth, "scopes", None)
        if scopes is None:
            return True
        needed = getattr(view, "token_scope", None)
        return needed is not None and needed in scopes


class PublicAPIView(PortalAPIView):
    """Mixin for the public reads: open to visitors (the anonymous rate limit applies), and to
    integration tokens holding the `public` scope — but not to sessions, so that a signed-in
    person reads exactly what a visitor reads. The token class is a setting
    (`PORTAL_TOKEN_AUTHENTICATION`), as DRF's own are, since `core` imports no app."""

    token_scope = "public"

    def get_authenticators(self):
        return [import_string(path)() for path in settings.PORTAL_TOKEN_AUTHENTICATION]

    def get_permissions(self):
        return [AllowAny(), TokenScopePermission()]


class ConditionalGet:
    """Mixin for the public read views: a 200 to GET carries an `ETag` (a digest of its body),
    and a GET whose `If-None-Match` names it answers 304 with no body."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            set_response_etag(response)
            return get_conditional_response(
                request._request, etag=response["ETag"], response=response
            )
        return response


class AnonymousRateLimit(BaseThrottle):
    """Callers who are not signed in (every caller of the public reads, which take no sign-in):
    `settings.PORTAL_RATE_LIMITS["api_anonymous"]` = (requests, seconds) per client address
    (core.http.rate_limited). Over it: 429 `{"detail", "code": "throttled"}` with `Retry-After`,
    the seconds left in the window."""

    scope = "api_anonymous"

    def allow_request(self, request, view):
        if request.user is not None and request.user.is_authenticated:
            return True
        return not rate_limited(request._request, self.scope)

    def wait(self):
        rule = settings.PORTAL_RATE_LIMITS.get(self.scope)
        if not rule:
            return None
        period = rule[1]
        return max(1, math.ceil(period - time.time() % period))


def checked_id(value):
    """The id in an API path, or a 404 (JSON) before any query."""
    number = valid_id(value)
    if number is None:
        raise NotFound()
    return number


class AsciiIntegerField(serializers.IntegerField):
    """DRF's IntegerField reads "٣" and "３" as 3 (Python's int()): digits 0–9 only here."""

    default_error_messages = {"invalid": _("Enter a whole number, in digits 0–9.")}

    def to_internal_value(self, data):
        if not isinstance(data, int) and not re.fullmatch(r"[+-]?[0-9]{1,20}", str(data).strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


# Query parameters as the schema documents them (drf-spectacular's OpenApiParameter takes a raw
# schema as its type): what the filters above accept, so that a generated client never sends a
# value the server refuses.
def text_parameter(max_length):
    """A free text filter: any text without NUL (DRF refuses it), blank meaning no filter."""
    return {"type": "string", "maxLength": max_length, "pattern": "^[^\\x00]*$"}


def slug_parameter(max_length=50):
    return {"type": "string", "maxLength": max_length, "pattern": "^[-a-zA-Z0-9_]*$"}


def integer_parameter(minimum, maximum):
    return {"type": "integer", "minimum": minimum, "maximum": maximum}
