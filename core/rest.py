"""What every view of the JSON API (/api/v1/) shares: the request's language, ids and query
parameters checked before the database sees them (a 400 or 404 with a JSON body, never a 500)."""

import csv
import io
import json
import math
import re
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.utils import translation
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
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


def csv_cell(value):
    """One cell: lists joined by "; ", objects as JSON, and text a spreadsheet would run as a
    formula (= + - @ tab CR first) prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, list):
        return csv_cell("; ".join(str(csv_cell(item)) for item in value))
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    text = str(value)
    if text[:1] in FORMULA_STARTS:
        text = "'" + text
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CSVRenderer(BaseRenderer):
    """The public lists as CSV (`?format=csv`): UTF-8 with a byte order mark, so that Excel reads
    the Vietnamese right, one row per result of the page the JSON would give (same filters and
    pagination; `next`/`previous` as `Link` headers), cells escaped by `csv_cell`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "results" in data:
            response = (renderer_context or {}).get("response")
            if response is not None:
                links = [f'<{data["next"]}>; rel="next"'] if data.get("next") else []
                if data.get("previous"):
                    links.append(f'<{data["previous"]}>; rel="prev"')
                if links:
                    response["Link"] = ", ".join(links)
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        columns = []
        for row in rows:
            for name in row:
                if name not in columns:
                    columns.append(name)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(name)) for name in columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


class ConditionalGet:
    """Mixin for the public read views: a 200 to GET carries an `ETag` (a digest of its body) and
    a `Last-Modified` (a detail: its row's `modified_field`; a list: the newest `modified_field`
    of the whole table, so that a row leaving the list moves it too). A GET whose
    `If-None-Match` names the ETag answers 304 with no body; without `If-None-Match`, one whose
    `If-Modified-Since` is at or after `Last-Modified` answers 304 too (RFC 9110: the ETag wins
    when both are sent)."""

    modified_field = "updated_at"
    renderer_classes = [JSONRenderer, CSVRenderer]

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        self.rows_shown = rows if rows is not None else None
        return rows

    def get_object(self):
        shown = super().get_object()
        self.rows_shown = [shown]
        return shown

    def list_changed_at(self):
        """A list's date: the newest change of any row of the table, whatever its state. A row
        that leaves the list (unpublished, archived, moved out of a filter) changed, and so moves
        it; so do rows of the other pages, which shift. One aggregate query. (A row deleted
        outright moves nothing: the ETag, a digest of the body, still tells.)"""
        return self.changed_rows().aggregate(newest=Max(self.modified_field))["newest"]

    def changed_rows(self):
        """The rows whose changes date a list: every row that is, was or may come into it."""
        return self.get_queryset().model._default_manager.all()

    def row_changed_at(self, row):
        return getattr(row, self.modified_field, None)

    def last_modified(self):
        """As a POSIX timestamp (whole seconds, as HTTP dates are), or None when there is none:
        a detail's own last change; a list's `list_changed_at()`."""
        if self.modified_field is None:
            return None
        if getattr(self, "action", None) == "list":
            moments = [self.list_changed_at()]
        else:
            rows = getattr(self, "rows_shown", None) or []
            moments = [self.row_changed_at(row) for row in rows]
        moments = [moment for moment in moments if moment is not None]
        return int(max(moments).timestamp()) if moments else None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(response.accepted_renderer, CSVRenderer):
            # An error is one shape whatever was asked for: `{"detail", "code"}` in JSON.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            set_response_etag(response)
            last_modified = self.last_modified()
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
            return get_conditional_response(
                request._request,
                etag=response["ETag"],
                last_modified=last_modified,
                response=response,
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
