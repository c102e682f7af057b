"""The API router: /api/v1/ (docs/design.md → URLs) and its OpenAPI schema. Its self-hosted docs are
a page of the portal in both languages (`api_docs`, in portal/urls.py's i18n patterns)."""

from django.db import DatabaseError
from django.shortcuts import render
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core import roles
from core.rest import (
    PortalAPIView,
    PublicAPIView,
    integer_parameter,
    slug_parameter,
    text_parameter,
)
from grants import status_feed
from grants.api import DossierStatusSerializer, ProposalViewSet
from grants.models import Proposal
from grants.open_data import CallViewSet, FundedProjectViewSet
from portal import tokens  # noqa: F401 - registers the bearer scheme of the schema
from portal.models import TokenScope
from portal.stats import FIRST_YEAR as STATS_FIRST_YEAR
from portal.stats import LAST_YEAR as STATS_LAST_YEAR
from portal.stats import StatsFilter, cached_figures
from transfer.api import NeedViewSet, TechnologyViewSet


class DossierStatusFilter(serializers.Serializer):
    receipt = serializers.CharField(max_length=40, required=False)
    call = serializers.CharField(max_length=40, required=False, allow_blank=True)
    updated_since = serializers.DateTimeField(
        required=False,
        error_messages={
            "invalid": _(
                "Give a date and time in ISO 8601, e.g. 2026-03-01T08:00:00+07:00 "
                "(no time zone means Asia/Ho_Chi_Minh)."
            )
        },
    )


@extend_schema(
    parameters=[
        OpenApiParameter("receipt", text_parameter(40), description="A receipt number"),
        OpenApiParameter("call", text_parameter(40), description="A call code, e.g. AG-NN01"),
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description=(
                "Only dossiers whose state changed at or after this moment (ISO 8601); "
                "pass the last `status_changed_at` you read to follow the changes."
            ),
        ),
    ]
)
class DossierStatusView(PortalAPIView, generics.ListAPIView):
    """Received dossiers (never drafts): state with its Vietnamese and English labels, date of
    receipt, expected decision date and the history of state changes (grants.status_feed).

    Department staff (a session, or an integration token with the `dossier_status` scope, which
    acts as the officer who issued it) see every dossier; an applicant sees their own. Ordered by
    `status_changed_at`, then by dossier, and paginated."""

    serializer_class = DossierStatusSerializer
    filter_class = DossierStatusFilter
    token_scope = TokenScope.DOSSIER_STATUS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        user = self.request.user
        if roles.has_role(user, *roles.STAFF_ROLES):
            owner = None
        elif roles.has_role(user, roles.RESEARCHER):
            owner = user
        else:
            raise PermissionDenied(_("Only applicants and Department staff follow dossiers."))
        given = self.filters()
        return status_feed.received_dossiers(
            owner=owner,
            updated_since=given.get("updated_since"),
            call=given.get("call"),
            receipt=given.get("receipt"),
        )


class StatsSerializer(serializers.Serializer):
    """See portal.stats.figures: totals and per-call / per-year / per-sector / per-TRL rows,
    money in whole VND, rates in per cent (null when there is nothing to divide by)."""

    generated_at = serializers.DateTimeField()
    filters = serializers.DictField()
    calls = serializers.DictField()
    proposals = serializers.DictField()
    rates = serializers.DictField()
    technologies = serializers.DictField()
    needs = serializers.DictField()
    transfers = serializers.DictField()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "year",
            integer_parameter(STATS_FIRST_YEAR, STATS_LAST_YEAR),
            description=(
                "Only calls opening, dossiers received, technologies published and deals "
                "signed in this year"
            ),
        ),
        OpenApiParameter(
            "sector", slug_parameter(), description="Only this sector (a slug, e.g. rice)"
        ),
    ]
)
class StatsView(PublicAPIView, generics.GenericAPIView):
    """The programme in numbers, as on /stats/ (public), optionally for one year and/or one
    sector. An unknown sector or a year out of range is a 400 with a message per parameter.
    Cached until a state change commits (or for 5 minutes)."""

    serializer_class = StatsSerializer

    def get(self, request):
        given = StatsFilter(request.query_params)
        if not given.is_valid():
            raise serializers.ValidationError(
                {name: [str(m) for m in messages] for name, messages in given.errors.items()}
            )
        return Response(cached_figures(*given.choices()))


def portal_endpoints_only(endpoints, **kwargs):
    """The schema documents /api/v1/, not Wagtail's internal admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


# The one shape of every error answer (portal/errors.py): a translated `detail` for people and a
# machine-readable `code` (DRF's names: not_found, permission_denied, not_authenticated, throttled,
# parse_error, …). A 400 from a check of the request's data says it by field instead.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What happened, in the caller's language."},
        "code": {"type": "string", "description": "Machine-readable: not_found, throttled, …"},
    },
    "required": ["detail", "code"],
}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Messages by query parameter or field (the request's data did not pass).",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
ERROR_DESCRIPTIONS = {
    "400": "The request's parameters or data were refused.",
    "401": "Not signed in.",
    "403": "Not signed in, or the signed-in user may not do this.",
    "404": "No such object, or an invalid page.",
    "429": "Too many requests: wait the `Retry-After` seconds.",
}


# The public reads that answer 304 (core.rest.ConditionalGet), by their operationId's first word.
CONDITIONAL = {"calls", "funded", "technologies", "needs"}
ETAG = {"schema": {"type": "string"}, "description": "A digest of the body, for If-None-Match."}
LAST_MODIFIED = {
    "schema": {"type": "string"},
    "description": "The newest change among the rows shown (an HTTP date), for If-Modified-Since.",
}


def conditional_get(operation, responses):
    operation.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": "If-None-Match",
            "schema": {"type": "string"},
            "description": "The ETag of an earlier answer: 304 if nothing changed since.",
        }
    )
    operation["parameters"].append(
        {
            "in": "header",
            "name": "If-Modified-Since",
            "schema": {"type": "string"},
            "description": (
                "The Last-Modified of an earlier answer: 304 if no row shown changed since "
                "(ignored when If-None-Match is sent)."
            ),
        }
    )
    headers = responses["200"].setdefault("headers", {})
    headers["ETag"] = ETAG
    headers["Last-Modified"] = LAST_MODIFIED
    responses["304"] = {
        "description": "Not modified since that ETag or date.",
        "headers": {"ETag": ETAG, "Last-Modified": LAST_MODIFIED},
    }


# The operations whose `sector` filter takes only the sectors there are (transfer.filters,
# portal.stats.StatsFilter).
SECTOR_FILTERED = ("technologies_", "needs_", "stats_")


def sector_slugs():
    """The sector slugs there are (none when the schema is written without a database, as
    `manage.py spectacular` may be)."""
    from cms.models import Sector

    try:
        return list(Sector.objects.order_by("slug").values_list("slug", flat=True))
    except DatabaseError:
        return []


def document_errors(result, generator, request, public):
    """Every operation documents the errors it may answer (400, 401, 403, 404, 429), each in
    the shape the portal gives them (`Error`; a 400 may give `FieldErrors`)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    error = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_DESCRIPTIONS.items():
                shape = error
                if status == "400":
                    given = responses.get("400", {}).get("content", {})
                    shapes = [error, {"$ref": "#/components/schemas/FieldErrors"}]
                    shapes += [c["schema"] for c in given.values() if c.get("schema")]
                    shape = {"anyOf": shapes}
                answer = {
                    "description": description,
                    "content": {"application/json": {"schema": shape}},
                }
                if status == "429":
                    answer["headers"] = {
                        "Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "Seconds to wait before the next request.",
                        }
                    }
                responses[status] = answer
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "sector" and operation["operationId"].startswith(
                    SECTOR_FILTERED
                ):
                    # The catalogue's and needs' filters take only the sectors there are.
                    slugs = sector_slugs()
                    if slugs:
                        parameter["schema"]["enum"] = ["", *slugs]
            if operation["operationId"].split("_")[0] in CONDITIONAL:
                conditional_get(operation, responses)
            if "409" in responses:  # a state that changed meanwhile (grants.workflow.StateConflict)
                responses["409"]["content"] = {"application/json": {"schema": error}}
    return result


class PortalSwaggerView(SpectacularSwaggerView):
    """drf-spectacular's Swagger UI page rendered as a page of the portal, with Django's request
    and the base layout's context (site settings, the signed-in person, language links)."""

    def get(self, request, *args, **kwargs):
        served = super().get(request, *args, **kwargs)
        context = dict(served.data)
        # Its `settings` (Swagger UI's) would hide the layout's `settings` (Wagtail's site settings).
        context["swagger_settings"] = context.pop("settings")
        response = render(request._request, self.template_name, context)
        response["Cross-Origin-Opener-Policy"] = served["Cross-Origin-Opener-Policy"]
        return response


# The reference page (templates/drf_spectacular/swagger_ui.html), routed in both languages.
api_docs = PortalSwaggerView.as_view(url_name="api-schema")

router = DefaultRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("calls", CallViewSet, basename="call")
router.register("funded-projects", FundedProjectViewSet, basename="funded-project")
router.register("technologies", TechnologyViewSet, basename="technology")
router.register("needs", NeedViewSet, basename="need")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/dossier-status/", DossierStatusView.as_view(), name="dossier-status"),
    path("v1/stats/", StatsView.as_view(), name="api-stats"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
