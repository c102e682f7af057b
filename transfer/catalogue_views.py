"""The public catalogue, a technology's page, and expressing interest in it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.http import client_ip
from core.security import json_ld
from core.text import vnd
from researchers import pickers
from transfer import forms, matching, workflow
from transfer.catalogue import catalogue, catalogue_sectors, visible_to
from transfer.models import IPStatus, Technology, TransferMode


def technology_list(request):
    sectors = catalogue_sectors()
    filters, technologies, sort = catalogue(request.GET, sectors)
    for note in filters.notes:
        messages.warning(request, note)
    technologies = technologies.only(
        "title", "summary", "title_en", "summary_en", "trl", "ip_status", "transfer_modes", "price", "published_at", "state",
        "sector", "organisation__name", "organisation__short_name",
    ).select_related("organisation")  # fmt: skip
    page = Paginator(technologies, 20).get_page(request.GET.get("page"))
    sector_of = {sector.pk: sector for sector in sectors}
    for technology in page.object_list:
        technology.sector = sector_of[technology.sector_id]
    query = request.GET.copy()
    query.pop("page", None)
    selected = {
        key: request.GET.get(key, "")
        for key in ("q", "sector", "trl_min", "ip", "mode", "organisation", "price_max")
    }
    choices = {
        "sector": [(s.slug, s.label) for s in sectors],
        "trl_min": [(str(n), f"TRL {n}") for n in range(1, 10)],
        "ip": IPStatus.choices,
        "mode": TransferMode.choices,
        "price_max": [
            (str(step), _("up to %(amount)s") % {"amount": vnd(step)}) for step in forms.PRICE_STEPS
        ],
    }
    # A filter that did not validate is left out; its message is shown by it (and above).
    errors = {name: list(messages_) for name, messages_ in filters.form.errors.items()}
    menus = [
        (name, label, empty, [(value, text, value == selected[name]) for value, text in choices[name]],
         errors.get(name, []))
        for name, label, empty in (
            ("sector", _("Sector"), _("All sectors")),
            ("trl_min", _("Readiness at least"), _("Any TRL")),
            ("ip", _("Intellectual property"), _("Any")),
            ("mode", _("Transfer mode"), _("Any")),
            ("price_max", _("Budget"), _("Any price")),
        )
    ]  # fmt: skip
    # The menu shows what the visitor chose; unchosen (or "relevance", or a value that did not
    # validate) is the first entry, so a search typed next is sorted by relevance.
    chosen = sort if request.GET.get("sort") == sort and sort != "relevance" else ""
    sorts = [(value, text, value == chosen) for value, text in filters.SORTS]
    return render(
        request,
        "transfer/technology_list.html",
        {"page_obj": page, "extra_query": query.urlencode(), "selected": selected,
         "menus": menus, "sorts": sorts, "filter_errors": errors,
         "organisation_shown": pickers.shown(request.GET.get("organisation", ""))},
    )  # fmt: skip


def technology_detail(request, pk, *, interest_form=None, status=200):
    """The listing's page; `interest_form` is a business's "express interest" form sent back with
    its errors (express_interest re-shows the page with the text kept, status 400)."""
    technology = get_object_or_404(
        Technology.objects.select_related("sector", "organisation").annotate(
            source_receipt=F("source_proposal__receipt_number")
        ),
        pk=pk,
    )
    if not visible_to(technology, request.user):
        raise Http404
    related = (
        Technology.objects.filter(state=Technology.State.PUBLISHED, sector=technology.sector)
        .exclude(pk=technology.pk)
        .only("title", "title_en", "trl", "state")
        .order_by("-published_at")[:4]
    )
    open_deal = None
    if request.user.is_authenticated:
        open_deal = (
            technology.deals.filter(business=request.user)
            .exclude(state__in=["declined", "cancelled"])
            .order_by("-pk")
            .first()
        )
    files = list(technology.files.all())
    url = request.build_absolute_uri(technology.get_absolute_url())
    structured = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": technology.local_title,
        "description": technology.local_summary,
        "category": technology.sector.name,
        "url": url,
        "brand": {"@type": "Organization", "name": technology.organisation.name},
    }
    if files and files[0].kind == files[0].Kind.IMAGE:
        structured["image"] = request.build_absolute_uri(files[0].get_absolute_url())
    if technology.price:
        structured["offers"] = {
            "@type": "Offer",
            "price": technology.price,
            "priceCurrency": "VND",
            "availability": "https://schema.org/InStock",
        }
    return render(
        request,
        "transfer/technology_detail.html",
        {
            "matching_needs": matching.shown_for_technology(technology, limit=3)
            if technology.state == Technology.State.PUBLISHED
            else [],
            "technology": technology,
            "is_owner": technology.owner_id == request.user.pk,
            "history": technology.entries.select_related("actor__profile")
            if technology.owner_id == request.user.pk or roles.has_role(request.user, roles.OFFICER)
            else None,
            "images": [f for f in files if f.kind == f.Kind.IMAGE],
            "documents": [f for f in files if f.kind == f.Kind.DOCUMENT],
            "related": related,
            "interest_form": interest_form or forms.InterestForm(),
            "open_deal": open_deal,
            "can_ask": request.user.is_authenticated
            and roles.has_role(request.user, roles.BUSINESS)
            and technology.owner_id != request.user.pk
            and technology.state == Technology.State.PUBLISHED,
            "structured_data": json_ld(structured),
            "canonical": url,
        },
        status=status,
    )


@login_required
@require_POST
def express_interest(request, pk):
    technology = get_object_or_404(Technology, pk=pk)
    workflow.check_may_request(technology, request.user)  # 403 before looking at the form
    form = forms.InterestForm(request.POST)
    if not form.is_valid():
        # The page again, with the site's error summary and the text kept (not a redirect).
        return technology_detail(request, pk, interest_form=form, status=400)
    try:
        deal = workflow.request_deal(
            technology, by=request.user, message=form.cleaned_data["message"],
            ip=client_ip(request),
        )  # fmt: skip
    except workflow.GuardFailed as failure:
        already = (
            technology.deals.filter(business=request.user)
            .exclude(state__in=["declined", "cancelled"])
            .order_by("-pk")
            .first()
        )
        if already is not None:  # a second click: the request they already have is the way on
            for errors in failure.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(already.get_absolute_url())
        for name, errors in failure.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
        return technology_detail(request, pk, interest_form=form, status=400)
    messages.success(request, _("Your request was sent to the owner."))
    return redirect(deal.get_absolute_url())
