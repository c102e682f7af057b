"""The deal pages of its two parties and the Department: the list, a deal, its steps and its
signed agreement."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import roles
from core.files import download
from core.http import client_ip
from transfer import disclosure, forms, workflow
from transfer.models import TransferDeal

# -- deals ------------------------------------------------------------------------------------------


def _deal_for(request, pk):
    deal = get_object_or_404(
        TransferDeal.objects.select_related(
            "technology__owner__profile__organisation", "technology__sector",
            "business__profile__organisation",
        ),
        pk=pk,
    )  # fmt: skip
    user = request.user
    if user.pk not in (deal.business_id, deal.technology.owner_id) and not roles.has_role(
        user, roles.OFFICER
    ):
        raise PermissionDenied
    return deal


@login_required
def deal_list(request):
    user = request.user
    deals = TransferDeal.objects.select_related("technology", "business__profile").order_by(
        "-updated_at"
    )
    if not roles.has_role(user, roles.OFFICER):
        deals = deals.filter(Q(business=user) | Q(technology__owner=user))
    state = request.GET.get("state", "")
    if state in TransferDeal.State.values:
        deals = deals.filter(state=state)
    page = Paginator(deals, 25).get_page(request.GET.get("page"))
    for deal in page:
        deal.business_hidden = disclosure.business_hidden_from(deal, user)
    context = {"page_obj": page, "state": state, "states": TransferDeal.State.choices}
    if roles.has_role(user, roles.OFFICER):
        context.update(_deal_figures())
    return render(request, "transfer/deal_list.html", context)


def _deal_figures():
    """For officers: deals by state with their value, by sector and year, registrations due."""
    import datetime

    from django.db.models import Count, Sum
    from django.db.models.functions import ExtractYear
    from django.utils import timezone

    labels = dict(TransferDeal.State.choices)
    by_state = [
        {"state": labels[row["state"]], "n": row["n"], "value": row["value"] or 0}
        for row in TransferDeal.objects.values("state")
        .annotate(n=Count("pk"), value=Sum("value"))
        .order_by("state")
    ]
    by_sector = list(
        TransferDeal.objects.filter(state__in=["agreed", "completed"], signed_on__isnull=False)
        .annotate(year=ExtractYear("signed_on"))
        .values("technology__sector__name", "year")
        .annotate(n=Count("pk"), value=Sum("value"))
        .order_by("-year", "technology__sector__name")
    )
    today = timezone.localdate()
    due = [
        deal
        for deal in TransferDeal.objects.filter(
            state__in=["agreed", "completed"],
            technology__source_proposal__isnull=False,
            signed_on__gte=today - datetime.timedelta(days=120),
        ).select_related("technology")
        if deal.registration_deadline
        and deal.registration_deadline <= today + datetime.timedelta(days=30)
    ]
    due.sort(key=lambda deal: deal.registration_deadline)
    return {"by_state": by_state, "by_sector": by_sector, "registrations_due": due, "today": today}


@login_required
def deal_detail(request, pk):
    deal = _deal_for(request, pk)
    return _render_deal(request, deal)


DEAL_WAITING = {
    "requested": gettext_lazy("The owner has been told of the request and answers here."),
    "negotiating": gettext_lazy("The owner and the business are agreeing the terms."),
    "agreed": gettext_lazy(
        "The terms are agreed and the agreement is signed. The Department confirms the "
        "delivery; both parties are told when it does."
    ),
    "completed": gettext_lazy("The transfer is complete. Nothing more is needed here."),
    "declined": gettext_lazy("The owner declined this request. The deal is closed."),
    "cancelled": gettext_lazy("This deal was cancelled. It is closed."),
}


def _deal_waiting(deal):
    """What happens next, for a reader who has no step to take on the deal."""
    return str(DEAL_WAITING.get(deal.state, ""))


def _render_deal(request, deal, terms_form=None, status=200):
    from researchers import privacy

    user = request.user
    is_owner = deal.technology.owner_id == user.pk
    is_business = deal.business_id == user.pk
    is_officer = roles.has_role(user, roles.OFFICER)
    opened = deal.state in ("negotiating", "agreed", "completed")
    hidden = disclosure.business_hidden_from(deal, user)
    entries = list(deal.entries.select_related("actor__profile"))
    for entry in entries:
        entry.anonymous = hidden and entry.actor_id == deal.business_id
    parties = is_owner or is_business
    has_action = (deal.state in ("requested", "negotiating") and parties) or (
        deal.state == "agreed" and is_officer
    )
    return render(
        request,
        "transfer/deal_detail.html",
        {
            "deal": deal,
            "has_action": has_action,
            "waiting": "" if has_action else _deal_waiting(deal),
            "is_owner": is_owner,
            "is_business": is_business,
            "is_officer": is_officer,
            "show_contacts": opened,
            # The owner's own details reach the business only with their consent (Law 91/2025).
            "show_owner_contacts": opened
            and (is_owner or privacy.has_consent(deal.technology.owner, privacy.Purpose.CONTACT)),
            "show_confidential": is_owner
            or is_officer
            or (is_business and opened and deal.nda_accepted_at),
            "terms_form": terms_form
            or forms.TermsForm(
                initial={"mode": (deal.technology.transfer_modes or [""])[0], "term_months": 12}
            ),
            "business_hidden": hidden,
            "entries": entries,
        },
        status=status,
    )


@login_required
@require_POST
def deal_action(request, pk, action):
    deal = _deal_for(request, pk)
    user = request.user
    ip = client_ip(request)
    try:
        if action == "accept":
            workflow.accept(deal, by=user, ip=ip)
        elif action == "decline":
            workflow.decline(deal, by=user, ip=ip, comment=request.POST.get("comment", ""))
        elif action == "cancel":
            workflow.cancel(deal, by=user, ip=ip, comment=request.POST.get("comment", ""))
        elif action == "accept_nda":
            workflow.accept_nda(deal, by=user)
        elif action == "complete":
            workflow.complete(deal, by=user, ip=ip)
        elif action == "record_terms":
            if not workflow.is_party(deal, user):
                raise PermissionDenied  # officers read deals; only the parties record terms
            form = forms.TermsForm(request.POST, request.FILES)
            if not form.is_valid():
                return _render_deal(request, deal, terms_form=form, status=400)
            try:
                workflow.record_terms(deal, by=user, ip=ip, **form.cleaned_data)
            except workflow.GuardFailed as failure:
                for key, errors in failure.errors.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
                return _render_deal(request, deal, terms_form=form, status=400)
        else:
            raise PermissionDenied
    except workflow.StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(deal.get_absolute_url())
    messages.success(request, _("Done."))
    return redirect(reverse("deal_detail", args=[deal.pk]))


@login_required
def deal_agreement(request, pk):
    """The signed agreement: for the two parties and officers only."""

    deal = _deal_for(request, pk)
    if not deal.agreement:
        raise Http404
    return download(
        deal.agreement,
        filename=deal.agreement_name or "agreement",
        content_type=deal.agreement_type or "application/octet-stream",
    )
