"""Public, read-only open data of the grants side: calls and funded tasks (/api/v1/calls/,
/api/v1/funded-projects/). Nothing here needs a sign-in or shows a dossier's content."""

from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.viewsets import ReadOnlyModelViewSet

from core.rest import (
    AsciiIntegerField,
    ConditionalGet,
    PublicAPIView,
    integer_parameter,
    slug_parameter,
    text_parameter,
)
from grants.models import FUNDED_STATES as FUNDED
from grants.models import CallPage, CallStatus, Proposal
from grants.selectors import funded_tasks

# The years a funding decision can carry (the Department's records start long after 1900).
FIRST_YEAR, LAST_YEAR = 1900, 2100


class CallFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=CallStatus.values, required=False)
    sector = serializers.SlugField(max_length=50, required=False, allow_blank=True)
    lang = serializers.ChoiceField(choices=["vi", "en"], required=False)


class FundedProjectFilter(serializers.Serializer):
    year = AsciiIntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)
    sector = serializers.SlugField(max_length=50, required=False, allow_blank=True)
    call = serializers.CharField(max_length=40, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=list(FUNDED), required=False)


class CallSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = CallPage
        fields = ["id", "code", "title", "summary", "status", "opens_at", "closes_at",
                  "total_budget", "max_per_project", "sectors", "url"]  # fmt: skip
        read_only_fields = fields

    def get_status(self, call) -> str:
        return call.status(self.context["now"])

    def get_url(self, call) -> str:
        return self.context["request"].build_absolute_uri(call.url)


class FundedProjectSerializer(serializers.ModelSerializer):
    call = serializers.CharField(source="call.code", read_only=True)
    sector = serializers.CharField(
        source="sector.slug", default=None, allow_null=True, read_only=True
    )
    organisation = serializers.CharField(source="organisation.name", default="", read_only=True)
    principal_investigator = serializers.CharField(
        source="owner.profile.full_name", default="", read_only=True
    )

    class Meta:
        model = Proposal
        fields = ["id", "receipt_number", "title", "call", "sector", "organisation",
                  "principal_investigator", "duration_months", "approved_amount",
                  "decision_number", "decided_at", "state"]  # fmt: skip
        read_only_fields = fields


class PublicReadOnly(ConditionalGet, PublicAPIView, ReadOnlyModelViewSet):
    """Open data: visitors, and integration tokens with the `public` scope."""


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CallStatus.values, description="Open, upcoming or closed"),
            OpenApiParameter("sector", slug_parameter(), description="A sector slug, e.g. rice"),
            OpenApiParameter("lang", str, enum=["vi", "en"], description="Language of titles (default vi)"),
        ]
    )
)  # fmt: skip
class CallViewSet(PublicReadOnly):
    """Published calls for proposals, most recently closing first."""

    serializer_class = CallSerializer
    filter_class = CallFilter
    modified_field = "last_published_at"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": self.now}

    @cached_property
    def now(self):
        return timezone.now()

    def row_changed_at(self, call):
        """A call's answer changes when it is published again and when it opens or closes
        (its `status` follows the clock): the latest of these that has come."""
        moments = [call.last_published_at, call.opens_at, call.closes_at]
        return max((m for m in moments if m is not None and m <= self.now), default=None)

    def list_changed_at(self):
        """The latest publication of any call, unpublication or deletion (the pages' log), and
        opening or closing that has come: `?status=open` changes with the clock alone."""
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Max, Q
        from wagtail.models import PageLogEntry

        now = self.now
        calls = CallPage.objects.aggregate(
            published=Max("last_published_at"),
            opened=Max("opens_at", filter=Q(opens_at__lte=now)),
            closed=Max("closes_at", filter=Q(closes_at__lte=now)),
        )
        logged = PageLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(CallPage)
        ).aggregate(newest=Max("timestamp"))["newest"]
        moments = [*calls.values(), logged]
        return max((m for m in moments if m is not None and m <= now), default=None)

    def get_queryset(self):
        params = self.filters()
        language = "en" if params.get("lang") == "en" else settings.LANGUAGE_CODE
        calls = (
            CallPage.objects.live()
            .filter(locale__language_code=language)
            .prefetch_related("sectors")
            .order_by("-closes_at", "pk")
        )
        now = timezone.now()
        wanted = params.get("status")
        if wanted == CallStatus.OPEN:
            calls = calls.filter(opens_at__lte=now, closes_at__gt=now)
        elif wanted == CallStatus.UPCOMING:
            calls = calls.filter(opens_at__gt=now)
        elif wanted == CallStatus.CLOSED:
            calls = calls.filter(closes_at__lte=now)
        if params.get("sector"):
            calls = calls.filter(sectors__slug=params["sector"])
        return calls


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", integer_parameter(FIRST_YEAR, LAST_YEAR), description="Year of the funding decision"),
            OpenApiParameter("sector", slug_parameter(), description="A sector slug, e.g. rice"),
            OpenApiParameter("call", text_parameter(40), description="A call code, e.g. AG-NN01"),
            OpenApiParameter("state", str, enum=list(FUNDED), description="Where the task is now"),
        ]
    )
)  # fmt: skip
class FundedProjectViewSet(PublicReadOnly):
    """Tasks the Department decided to fund (including those ended early), newest decision
    first: what was funded, for whom, with how much, by which decision."""

    serializer_class = FundedProjectSerializer
    filter_class = FundedProjectFilter

    def changed_rows(self):
        # Decided dossiers only (a decision is never undone): drafts' autosaves do not date it.
        return Proposal.objects.filter(decided_at__isnull=False)

    def get_queryset(self):
        params = self.filters()
        projects = funded_tasks()
        if params.get("year"):
            projects = projects.filter(decided_at__year=params["year"])
        if params.get("sector"):
            projects = projects.filter(sector__slug=params["sector"])
        if params.get("call"):
            projects = projects.filter(call__code=params["call"].strip().upper())
        if params.get("state"):
            projects = projects.filter(state=params["state"])
        return projects
