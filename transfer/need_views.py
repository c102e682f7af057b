"""Businesses' needs: the list (with their best matches), a need's page, closing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from transfer import forms, matching, workflow
from transfer.catalogue import catalogue_sectors
from transfer.filters import NeedFilter


def need_list(request):
    """Published business needs (optionally of one sector), each with the technologies that fit
    it best; businesses post theirs below."""
    from transfer.models import TechnologyNeed

    sectors = catalogue_sectors()
    # By sector and words (the site search's "all needs" link), as /api/v1/needs/ filters.
    filters = NeedFilter(
        request.GET,
        TechnologyNeed.objects.select_related("sector", "organisation"),
        sectors=sectors,
    )
    for note in filters.notes:
        messages.warning(request, note)
    sector, needs = filters.sector_chosen, filters.qs
    page = Paginator(needs, 10).get_page(request.GET.get("page"))
    shown = matching.shown_for_needs(list(page), limit=3)
    rows = [{"need": need, "matches": shown[need.pk]} for need in page]
    form = None
    if request.user.is_authenticated and roles.has_role(request.user, roles.BUSINESS):
        form = forms.NeedForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            from django.db import transaction

            need = form.save(commit=False)
            need.business = request.user
            from researchers.models import confirmed_organisation

            need.organisation = confirmed_organisation(request.user)
            try:
                with transaction.atomic():  # published (or kept as a draft), or not saved at all
                    need.save()
                    if "draft" not in request.POST:
                        workflow.publish_need(need, by=request.user)
            except workflow.GuardFailed as failure:
                for key, errors in failure.errors.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
            else:
                if "draft" in request.POST:
                    messages.success(
                        request,
                        _("Your need is saved as a draft; publish it from its page when ready."),
                    )
                else:
                    messages.success(
                        request,
                        _("Your need is published; matching technologies are shown below it."),
                    )
                return redirect("need_detail", pk=need.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "transfer/need_list.html",
        {"page_obj": page, "rows": rows, "form": form, "sectors": sectors, "sector": sector,
         "extra_query": f"sector={sector.slug}" if sector else ""},
    )  # fmt: skip


def _may_close(need, user):
    return user.is_authenticated and (
        need.business_id == user.pk or roles.has_role(user, roles.OFFICER)
    )


def need_detail(request, pk):
    """One need, shareable, with the technologies that fit it; its business or an officer may
    close it."""
    from transfer.models import TechnologyNeed

    need = get_object_or_404(TechnologyNeed.objects.select_related("sector", "organisation"), pk=pk)
    if need.state != TechnologyNeed.State.PUBLISHED and not _may_close(need, request.user):
        raise Http404
    return render(
        request,
        "transfer/need_detail.html",
        {
            "need": need,
            "matches": matching.shown_for_needs([need], limit=5)[need.pk]
            if need.state == TechnologyNeed.State.PUBLISHED
            else [],
            "can_close": _may_close(need, request.user)
            and need.state in (TechnologyNeed.State.PUBLISHED, TechnologyNeed.State.DRAFT),
            "can_publish": request.user.is_authenticated
            and need.business_id == request.user.pk
            and need.state == TechnologyNeed.State.DRAFT,
            "history": need.entries.select_related("actor__profile")
            if _may_close(need, request.user)
            else None,
        },
    )


@login_required
@require_POST
def need_close(request, pk):
    from transfer.models import TechnologyNeed

    need = get_object_or_404(TechnologyNeed, pk=pk)
    try:
        workflow.close_need(need, by=request.user)
    except workflow.StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect("need_detail", pk=need.pk)
    messages.success(request, _("The need is closed and no longer shown."))
    return redirect("need_list")
