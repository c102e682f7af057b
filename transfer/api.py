"""The public catalogue in the JSON API: published technologies and needs, no sign-in."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.viewsets import ReadOnlyModelViewSet

from core.fields import MAX_ID, AsciiIntegerField
from core.rest import (
    ConditionalGet,
    PublicAPIView,
    integer_parameter,
    slug_parameter,
    text_parameter,
)
from transfer.catalogue import catalogue
from transfer.models import IPStatus, Technology, TechnologyFile, TechnologyNeed, TransferMode


class TechnologyFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = TechnologyFile
        fields = ["kind", "caption", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, item) -> str:
        return self.context["request"].build_absolute_uri(item.get_absolute_url())


class TechnologySerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.slug", read_only=True)
    organisation = serializers.CharField(source="organisation.name", read_only=True)
    source_proposal = serializers.CharField(
        source="source_proposal.receipt_number", default=None, allow_null=True, read_only=True
    )
    url = serializers.SerializerMethodField()
    files = TechnologyFileSerializer(many=True, read_only=True)

    class Meta:
        model = Technology
        fields = [
            "id", "title", "summary", "title_en", "summary_en", "sector", "trl", "ip_status", "transfer_modes", "price",
            "organisation", "source_proposal", "published_at", "url", "files",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, technology) -> str:
        return self.context["request"].build_absolute_uri(technology.get_absolute_url())


class NeedSerializer(serializers.ModelSerializer):
    sector = serializers.CharField(source="sector.slug", read_only=True)
    organisation = serializers.CharField(source="organisation.name", default="", read_only=True)

    class Meta:
        model = TechnologyNeed
        fields = [
            "id", "title", "problem", "sector", "budget_min", "budget_max", "desired_trl",
            "deadline", "organisation",
        ]  # fmt: skip
        read_only_fields = fields


OWNER_ID = AsciiIntegerField(min_value=1, max_value=MAX_ID, required=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q", text_parameter(100), description="Words to find, with or without diacritics"
            ),
            OpenApiParameter("sector", slug_parameter(), description="A sector slug, e.g. rice"),
            OpenApiParameter(
                "trl_min", integer_parameter(1, 9), description="Lowest readiness level (1–9)"
            ),
            OpenApiParameter(
                "ip", str, enum=IPStatus.values, description="An IP status, e.g. patent"
            ),
            OpenApiParameter(
                "mode", str, enum=TransferMode.values, description="A transfer mode, e.g. licence"
            ),
            OpenApiParameter(
                "organisation",
                integer_parameter(1, MAX_ID),
                description="An owner organisation's id",
            ),
            OpenApiParameter(
                "price_max",
                integer_parameter(1, MAX_ID),
                description="Budget in VND: priced at most this",
            ),
            OpenApiParameter(
                "sort",
                str,
                enum=["relevance", "newest", "trl"],
                description="relevance, newest or trl",
            ),
        ]
    )
)
class TechnologyViewSet(ConditionalGet, PublicAPIView, ReadOnlyModelViewSet):
    """Published technologies, filtered as on /technologies/."""

    serializer_class = TechnologySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Technology.objects.none()
        form, technologies, _sort = catalogue(self.request.query_params)
        owner = self.request.query_params.get("organisation")
        if owner and self.action == "list":
            # The page's picker also takes a name; the API documents an id, and checks it.
            try:
                OWNER_ID.clean(owner)
            except DjangoValidationError as error:
                raise ValidationError({"organisation": error.messages}) from None
        if form.errors and self.action == "list":
            # The page ignores a bad filter with a message; the API says so with a 400.
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return technologies.select_related(
            "sector", "organisation", "source_proposal"
        ).prefetch_related("files")


class NeedViewSet(ConditionalGet, PublicAPIView, ReadOnlyModelViewSet):
    """Published business needs."""

    serializer_class = NeedSerializer
    queryset = (
        TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
        .select_related("sector", "organisation")
        .order_by("-created_at", "-pk")
    )
