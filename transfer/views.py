"""The public catalogue, a technology's page, and the deal pages of its parties."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Replace
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cms.models import Sector
from core import roles
from core.fields import ignored_filters
from core.files import download
from core.http import client_ip
from core.security import json_ld
from core.text import fold, shorten, vnd
from core.words import has_diacritics, query_syllables, search_filter, whole_folded
from researchers.models import Organisation
from transfer import disclosure, forms, matching, workflow
from transfer.models import IPStatus, Technology, TransferDeal, TransferMode


def catalogue(params, sectors=None):
    """Published technologies filtered by the GET parameters; returns (form, queryset, sort).

    `sectors`: all sectors when the caller has them already (the page shows them as a menu)."""
    form = forms.CatalogueFilter(
        params, sectors=Sector.objects.all() if sectors is None else sectors
    )
    technologies = Technology.objects.filter(state=Technology.State.PUBLISHED)
    data, form.ignored = ignored_filters(form)  # a filter that does not validate is left out
    typed = query_syllables(data.get("q") or "")[:8]
    words = [fold(word) for word in typed]
    if typed:
        # Every syllable as its whole self in the Vietnamese words (" nấm " is not " nam ").
        technologies = technologies.annotate(
            syllables=Replace("words", Value("_"), Value(" "), output_field=TextField())
        )
    for word, folded in zip(typed, words, strict=True):
        # The folded text (with the English version; trigram index on PostgreSQL) finds
        # "lúa gạo" for "lua gao"; a syllable typed with diacritics must be found with them.
        technologies = technologies.filter(**whole_folded("search_text", folded))
        if has_diacritics(word):
            technologies = technologies.filter(syllables__contains=f" {word} ")
    if data.get("sector"):
        technologies = technologies.filter(sector=data["sector"])
    if data.get("trl_min"):
        technologies = technologies.filter(trl__gte=data["trl_min"])
    if data.get("ip"):
        technologies = technologies.filter(ip_status=data["ip"])
    if data.get("mode"):
        technologies = technologies.filter(transfer_modes__icontains=f'"{data["mode"]}"')
    if data.get("organisation"):
        technologies = technologies.filter(organisation_id=data["organisation"])
    if data.get("price_max"):
        # A budget: listings with an indicative price within it (negotiable ones have none).
        technologies = technologies.filter(price__lte=data["price_max"])
    sort = data.get("sort") or ("relevance" if words else "newest")
    if sort == "trl":
        technologies = technologies.order_by("-trl", "-published_at", "-pk")
    elif sort == "relevance" and words:
        phrase = " ".join(words)
        technologies = technologies.annotate(
            relevance=Case(
                # as typed, diacritics and all, first; then the folded phrase
                When(syllables__contains=f" {' '.join(typed)} ", then=Value(4)),
                When(search_text__startswith=phrase, then=Value(3)),
                When(search_text__contains=phrase, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("-relevance", "-published_at", "-pk")
    else:
        technologies = technologies.order_by("-published_at", "-pk")
    return form, technologies, sort


MENU_KEYS = ("catalogue:sectors", "catalogue:organisations")


def forget_menus(**_kwargs):
    """A sector or organisation changed: the catalogue's menus are read again (signal receiver)."""
    cache.delete_many(MENU_KEYS)


def _menus():
    """All sectors and organisations, for the catalogue's filters and cards. They change a few
    times a year, so they are cached (and forgotten on every change, see `forget_menus`) instead
    of being queried, or joined, on every page of the catalogue."""
    sectors = cache.get_or_set(MENU_KEYS[0], lambda: list(Sector.objects.all()), 3600)
    organisations = cache.get_or_set(
        MENU_KEYS[1],
        lambda: list(Organisation.objects.order_by("name").only("kind", "name", "short_name")),
        3600,
    )
    return sectors, organisations


def technology_list(request):
    sectors, organisations = _menus()
    form, technologies, sort = catalogue(request.GET, sectors)
    for note in form.ignored:
        messages.warning(request, note)
    technologies = technologies.only(
        "title", "summary", "title_en", "summary_en", "trl", "ip_status", "transfer_modes", "price", "published_at", "state",
        "sector", "organisation",
    )  # fmt: skip
    page = Paginator(technologies, 20).get_page(request.GET.get("page"))
    sector_of = {sector.pk: sector for sector in sectors}
    organisation_of = {organisation.pk: organisation for organisation in organisations}
    for technology in page.object_list:
        technology.sector = sector_of[technology.sector_id]
        technology.organisation = organisation_of[technology.organisation_id]
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
        # Owners a visitor can pick: every organisation but the Department itself.
        "organisation": [(str(o.pk), o.name) for o in organisations if o.kind != "agency"],
        "price_max": [
            (str(step), _("up to %(amount)s") % {"amount": vnd(step)}) for step in forms.PRICE_STEPS
        ],
    }
    menus = [
        (name, label, empty, [(value, text, value == selected[name]) for value, text in choices[name]])
        for name, label, empty in (
            ("sector", _("Sector"), _("All sectors")),
            ("trl_min", _("Readiness at least"), _("Any TRL")),
            ("ip", _("Intellectual property"), _("Any")),
            ("mode", _("Transfer mode"), _("Any")),
            ("organisation", _("Owner"), _("All organisations")),
            ("price_max", _("Budget"), _("Any price")),
        )
    ]  # fmt: skip
    # The menu shows what the visitor chose; unchosen (or "relevance", or a value that did not
    # validate) is the first entry, so a search typed next is sorted by relevance.
    chosen = sort if request.GET.get("sort") == sort and sort != "relevance" else ""
    sorts = [(value, text, value == chosen) for value, text in form.SORTS]
    return render(
        request,
        "transfer/technology_list.html",
        {"page_obj": page, "extra_query": query.urlencode(), "selected": selected,
         "menus": menus, "sorts": sorts},
    )  # fmt: skip


def _visible(technology, user):
    """Published listings are public; the others are seen by the owner, officers, and the
    businesses already in a deal on it (a listing under re-moderation stays readable to them)."""
    if technology.state == Technology.State.PUBLISHED:
        return True
    return user.is_authenticated and (
        technology.owner_id == user.pk
        or roles.has_role(user, roles.OFFICER)
        or technology.deals.filter(business=user).exists()
    )


def technology_detail(request, pk, *, interest_form=None, status=200):
    """The listing's page; `interest_form` is a business's "express interest" form sent back with
    its errors (express_interest re-shows the page with the text kept, status 400)."""
    technology = get_object_or_404(
        Technology.objects.select_related("sector", "organisation").annotate(
            source_receipt=F("source_proposal__receipt_number")
        ),
        pk=pk,
    )
    if not _visible(technology, request.user):
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


# -- owners and moderators ------------------------------------------------------------------------


def _from_project(request):
    """Initial values taken from one of the researcher's own projects (`?from=<proposal id>`)."""
    from grants.models import Proposal
    from grants.views import RESULT_STATES

    try:
        pk = int(request.GET.get("from", ""))
    except ValueError:
        return {}
    project = Proposal.objects.filter(pk=pk, owner=request.user, state__in=RESULT_STATES).first()
    if project is None:
        return {}
    return {
        "title": project.title,
        "summary": shorten(project.abstract, 1500),
        "sector": project.sector_id,
        "source_proposal": project.pk,
    }


@login_required
def technology_new(request):
    """A researcher lists a technology (optionally the result of one of their projects)."""
    if not roles.has_role(request.user, roles.RESEARCHER):
        raise PermissionDenied
    from researchers.models import confirmed_organisation

    # DESIGN.md: an unconfirmed member cannot own a listing; the owner organisation is the
    # confirmed membership's, never chosen in the form.
    organisation = confirmed_organisation(request.user)
    if organisation is None:
        messages.error(request, workflow.UNCONFIRMED_OWNER)
        return redirect("profile")
    form = forms.TechnologyForm(
        request.POST or None, owner=request.user, initial=_from_project(request)
    )
    if request.method == "POST" and form.is_valid():
        technology = form.save(commit=False)
        technology.owner = request.user
        technology.organisation = organisation
        technology.save()
        if "submit" in request.POST:
            _try(request, workflow.submit_technology, technology,
                 _("Sent to the Department for moderation."))  # fmt: skip
        return redirect(technology.get_absolute_url())
    return render(
        request, "transfer/technology_form.html", {"form": form}, status=400 if form.errors else 200
    )


EDITABLE = (Technology.State.DRAFT, Technology.State.PENDING, Technology.State.PUBLISHED)


@login_required
def technology_edit(request, pk):
    """The owner corrects a listing. A published one goes back to moderation with the change."""
    technology = get_object_or_404(Technology, pk=pk)
    if technology.owner_id != request.user.pk:
        raise PermissionDenied
    if technology.state not in EDITABLE:
        messages.error(
            request, _("An archived listing cannot be changed; send it again for moderation first.")
        )
        return redirect(technology.get_absolute_url())
    was_draft = technology.state == Technology.State.DRAFT
    form = forms.TechnologyForm(request.POST or None, instance=technology, owner=request.user)
    if request.method == "POST" and form.is_valid():
        if not _changed(request, technology, form.save):
            return redirect(technology.get_absolute_url())
        if was_draft and "submit" in request.POST:
            _try(request, workflow.submit_technology, technology,
                 _("Sent to the Department for moderation."))  # fmt: skip
        else:
            messages.success(request, _("Changes saved."))
        return redirect(technology.get_absolute_url())
    return _edit_page(request, technology, form=form)


def _edit_page(request, technology, *, form=None, file_form=None):
    form = form or forms.TechnologyForm(instance=technology, owner=request.user)
    file_form = file_form or forms.TechnologyFileForm(technology=technology)
    return render(
        request,
        "transfer/technology_form.html",
        {
            "form": form,
            "technology": technology,
            "was_published": technology.state == Technology.State.PUBLISHED,
            "files": technology.files.all(),
            "file_form": file_form,
        },
        status=400 if form.errors or file_form.errors else 200,
    )


def _owned_editable(request, pk):
    technology = get_object_or_404(Technology, pk=pk)
    if technology.owner_id != request.user.pk:
        raise PermissionDenied
    return technology


def _changed(request, technology, change):
    """Apply a change to a listing; a published one returns to moderation in the same
    transaction. Returns False (with the reason shown) when the change was refused."""
    from django.db import transaction

    if technology.state not in EDITABLE:
        messages.error(
            request, _("An archived listing cannot be changed; send it again for moderation first.")
        )
        return False
    try:
        with transaction.atomic():
            change()
            if technology.state == Technology.State.PUBLISHED:
                workflow.revise_technology(technology, by=request.user)
                messages.info(
                    request,
                    _(
                        "The Department checks the change before the listing reappears in the catalogue."
                    ),
                )
    except (workflow.GuardFailed, workflow.StateConflict) as failure:
        _report(request, failure)
        return False
    return True


@login_required
@require_POST
def technology_file_add(request, pk):
    """The owner adds a picture or a document to a listing (checked by content)."""
    from transfer.models import TechnologyFile

    technology = _owned_editable(request, pk)
    form = forms.TechnologyFileForm(request.POST, request.FILES, technology=technology)
    if not form.is_valid():
        return _edit_page(request, technology, file_form=form)

    def add():
        item = TechnologyFile(
            technology=technology,
            kind=form.cleaned_data["kind"],
            caption=form.cleaned_data["caption"],
        )
        item.take(form.cleaned_data["file"], form.cleaned_data["checked"])
        item.save()

    if _changed(request, technology, add):
        messages.success(request, _("File added."))
    return redirect("technology_edit", pk=technology.pk)


@login_required
@require_POST
def technology_file_remove(request, pk, file_pk):
    technology = _owned_editable(request, pk)
    item = get_object_or_404(technology.files, pk=file_pk)

    def remove():
        item.file.delete(save=False)
        item.delete()

    if _changed(request, technology, remove):
        messages.success(request, _("File removed."))
    return redirect("technology_edit", pk=technology.pk)


def technology_file(request, pk, file_pk):
    """A picture or document of a listing, for whoever may see the listing."""

    technology = get_object_or_404(Technology, pk=pk)
    if not _visible(technology, request.user):
        raise Http404
    item = get_object_or_404(technology.files, pk=file_pk)
    response = download(
        item.file,
        filename=item.original_name,
        content_type=item.content_type,
        as_attachment=item.kind == item.Kind.DOCUMENT,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _report(request, failure):
    if isinstance(failure, workflow.GuardFailed):
        for errors in failure.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.error(request, str(failure))


def _try(request, step, technology, success):
    try:
        step(technology, by=request.user)
    except (workflow.GuardFailed, workflow.StateConflict) as failure:
        _report(request, failure)
    else:
        messages.success(request, success)


@login_required
def moderation(request):
    """Officers publish what owners sent, after the checklist, or send it back."""
    if not roles.has_role(request.user, roles.OFFICER):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = forms.ModerationForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[field].label}: {error}")
            status = 400
        else:
            return _moderate(request, **form.cleaned_data)
    pending = Technology.objects.filter(state=Technology.State.PENDING).select_related(
        "sector", "organisation", "owner__profile"
    )
    return render(
        request,
        "transfer/moderation.html",
        {"pending": pending, "checklist": workflow.PUBLISH_CHECKLIST},
        status=status,
    )


def _moderate(request, *, technology, action, checklist, comment):
    """Apply a validated moderation decision through the workflow."""
    try:
        if action == "publish":
            workflow.publish_technology(technology, by=request.user, checklist=checklist)
            messages.success(request, _("Published in the catalogue."))
        elif action == "send_back":
            workflow.send_back_technology(technology, by=request.user, comment=comment)
            messages.info(request, _("Sent back to the owner."))
        elif action == "archive":
            workflow.archive_technology(technology, by=request.user, comment=comment)
            messages.info(request, _("Archived."))
    except workflow.GuardFailed as failure:
        for error in failure.errors.get("checklist", []):
            messages.error(request, _("Not checked: %(item)s") % {"item": error})
        for error in failure.errors.get("comment", []):
            messages.error(request, error)
    except workflow.StateConflict as conflict:
        messages.error(request, str(conflict))
    return redirect("technology_moderation")


def need_list(request):
    """Published business needs (optionally of one sector), each with the technologies that fit
    it best; businesses post theirs below."""
    from transfer.models import TechnologyNeed

    sectors, _organisations = _menus()
    sector = next((s for s in sectors if s.slug == request.GET.get("sector")), None)
    needs = (
        TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
        .select_related("sector", "organisation")
        .order_by("-created_at", "-pk")
    )
    if sector:
        needs = needs.filter(sector=sector)
    typed = query_syllables(request.GET.get("q", ""))[:8]
    if typed:  # the site search's "all needs" link
        needs = search_filter(needs, typed).order_by("-relevance", "-created_at", "-pk")
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
