"""The public catalogue in the JSON API: published technologies and needs, no sign-in."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.viewsets import ReadOnlyModelViewSet

from core.fields import MAX_ID, AsciiIntegerField
from core.filters import ListFilterBackend
from core.rest import ConditionalGet, PublicAPIView
from transfer.filters import NeedFilter, TechnologyFilter
from transfer.models import Technology, TechnologyFile, TechnologyNeed


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


class TechnologyViewSet(ConditionalGet, PublicAPIView, ReadOnlyModelViewSet):
    """Published technologies, filtered as on /technologies/ (transfer.filters.TechnologyFilter;
    a filter that does not validate is a 400 with its message)."""

    serializer_class = TechnologySerializer
    filter_backends = [ListFilterBackend]
    filterset_class = TechnologyFilter

    def get_queryset(self):
        return (
            Technology.objects.filter(state=Technology.State.PUBLISHED)
            .select_related("sector", "organisation", "source_proposal")
            .prefetch_related("files")
            .order_by("-published_at", "-pk")
        )

    def filter_queryset(self, queryset):
        owner = self.request.query_params.get("organisation")
        if owner and self.action == "list":
            # The page's picker also takes a name; the API documents an id, and checks it.
            try:
                OWNER_ID.clean(owner)
            except DjangoValidationError as error:
                raise ValidationError({"organisation": error.messages}) from None
        return super().filter_queryset(queryset)


class NeedViewSet(ConditionalGet, PublicAPIView, ReadOnlyModelViewSet):
    """Published business needs, filtered as on /needs/ (sector, words)."""

    serializer_class = NeedSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = NeedFilter

    def get_queryset(self):
        return (
            TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
            .select_related("sector", "organisation")
            .order_by("-created_at", "-pk")
        )
