"""The proposals in the JSON API. Transitions go through grants.workflow like the pages do."""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as APIPermissionDenied
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from core import roles
from core.filters import ListFilterBackend
from core.rest import PortalAPIView, checked_id
from grants import rules, status_feed, workflow
from grants.filters import ProposalFilter
from grants.models import Proposal, ProposalState


class ProposalSerializer(serializers.ModelSerializer):
    call = serializers.CharField(source="call.code", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    applicant = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name", default="", read_only=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "call",
            "title",
            "state",
            "state_label",
            "receipt_number",
            "applicant",
            "organisation",
            "requested_amount",
            "approved_amount",
            "aggregate_score",
            "submitted_at",
            "revision_deadline",
            "version",
            "updated_at",
            "available_transitions",
        ]
        read_only_fields = fields

    def get_applicant(self, proposal) -> str:
        profile = getattr(proposal.owner, "profile", None)
        return getattr(profile, "full_name", "") or proposal.owner.email

    def get_available_transitions(self, proposal) -> list[str]:
        user = self.context["request"].user
        names = workflow.available(proposal, user)
        if set(names).intersection(rules.DECISIONS) and rules.prepared_by(proposal, user):
            names = [name for name in names if name not in rules.DECISIONS]  # four-eyes
        return names


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    revision_deadline = serializers.DateTimeField(required=False, allow_null=True)
    approved_amount = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ProposalViewSet(PortalAPIView, ReadOnlyModelViewSet):
    """Researchers see their own proposals; officers and managers every submitted one.

    Filters (grants.filters.ProposalFilter): `state`, `call` (call code), `q` (receipt number,
    title, applicant; diacritics optional). An integration token needs the `workflow` scope.
    """

    token_scope = "workflow"

    serializer_class = ProposalSerializer
    filter_backends = [ListFilterBackend]
    filterset_class = ProposalFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema generator
            return Proposal.objects.none()
        user = self.request.user
        proposals = Proposal.objects.select_related("call", "owner__profile", "organisation")
        if roles.has_role(user, roles.OFFICER, roles.MANAGER):
            proposals = proposals.filter(version__gt=0) | proposals.filter(owner=user)
        else:
            proposals = proposals.filter(owner=user)
        return proposals.order_by("-updated_at", "-pk")

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: ProposalSerializer,
            400: inline_serializer("GuardErrors", {"errors": serializers.DictField()}),
            409: inline_serializer("Conflict", {"detail": serializers.CharField()}),
        },
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request, pk=None, name=None):
        """Fire one of the proposal's workflow transitions (submit, screen, decide, …) as the
        signed-in user; refused unless their role and the proposal's state allow it."""
        proposal = get_object_or_404(Proposal.objects.select_related("call"), pk=checked_id(pk))
        if not rules.can_view(proposal, request.user):
            raise PermissionDenied
        if not workflow.may_try(proposal, name, request.user):
            raise APIPermissionDenied(_("You may not perform this action on this proposal."))
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        try:
            done = workflow.fire_from_request(name, proposal, request, given)
        except workflow.StateConflict as conflict:
            return Response(
                {"detail": str(conflict), "code": "conflict"}, status=status.HTTP_409_CONFLICT
            )
        except workflow.GuardFailed as failure:
            return Response({"errors": failure.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(done).data)


# One state change of a dossier: no comment, no name (those stay on the portal).
StateChanges = inline_serializer(
    "StateChange",
    many=True,
    fields={
        "transition": serializers.CharField(help_text="The step fired, e.g. mark_eligible"),
        "from": serializers.ChoiceField(choices=ProposalState.choices),
        "to": serializers.ChoiceField(choices=ProposalState.choices),
        "at": serializers.DateTimeField(),
    },
)


class DossierStatusSerializer(serializers.ModelSerializer):
    """A received dossier as the provincial public-service system follows it
    (grants.status_feed: dates, labels and history)."""

    call = serializers.CharField(source="call.code", read_only=True)
    state_label = serializers.CharField(
        source="get_state_display", read_only=True, help_text="In the caller's language."
    )
    state_label_vi = serializers.SerializerMethodField()
    state_label_en = serializers.SerializerMethodField()
    received_at = serializers.SerializerMethodField()
    expected_decision_date = serializers.SerializerMethodField()
    decided_on = serializers.SerializerMethodField()
    status_changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    history = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "receipt_number", "call", "received_at", "state", "state_label", "state_label_vi",
            "state_label_en", "expected_decision_date", "decided_on", "status_changed_at",
            "updated_at", "history",
        ]  # fmt: skip
        read_only_fields = fields

    def _label(self, proposal, language):
        with translation.override(language):
            return str(ProposalState(proposal.state).label)

    def get_state_label_vi(self, proposal) -> str:
        return self._label(proposal, "vi")

    def get_state_label_en(self, proposal) -> str:
        return self._label(proposal, "en")

    def get_received_at(self, proposal) -> datetime.datetime:
        moment = status_feed.received_at(proposal)
        return serializers.DateTimeField().to_representation(moment) if moment else None

    def get_expected_decision_date(self, proposal) -> datetime.date | None:
        day = status_feed.expected_decision_date(proposal)
        return day.isoformat() if day else None

    def get_decided_on(self, proposal) -> datetime.date | None:
        if not proposal.decided_at:
            return None
        return timezone.localdate(proposal.decided_at).isoformat()

    @extend_schema_field(StateChanges)
    def get_history(self, proposal):
        moment = serializers.DateTimeField()
        return [
            {"transition": entry.transition, "from": entry.source, "to": entry.target,
             "at": moment.to_representation(entry.at)}
            for entry in getattr(proposal, "history", ())
        ]  # fmt: skip
