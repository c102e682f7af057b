import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Locale

from core import roles
from core.http import safe_next
from grants.models import Proposal
from grants.selectors import open_calls, proposals_of
from portal import next_steps
from projects import selectors as execution
from researchers.models import Profile


@login_required
def dashboard(request):
    """Each role's next steps, one panel per role the user holds."""
    user_roles = roles.roles_of(request.user)
    today = timezone.localdate()
    context = {
        "profile": Profile.for_user(request.user),
        "panels": [role for role in roles.ALL_ROLES if role in user_roles],
    }
    if user_roles & {roles.RESEARCHER, roles.OFFICER, roles.MANAGER}:
        context["open_calls"] = list(open_calls(locale=Locale.get_active()))
        context["selected_call"] = request.GET.get("call", "")
    if roles.RESEARCHER in user_roles:
        context["my_proposals"] = next_steps.researcher_steps(proposals_of(request.user))
        context["my_projects"] = execution.projects_of(request.user, today=today)
        context["projects_limit"] = execution.LIST_LIMIT
    if roles.REVIEWER in user_roles:
        context["review_work"] = next_steps.reviewer_work(request.user)
    if roles.BUSINESS in user_roles:
        from transfer.models import TechnologyNeed, TransferDeal

        context["my_deals"] = list(
            TransferDeal.objects.filter(business=request.user)
            .select_related("technology")
            .order_by("-updated_at")[:5]
        )
        from transfer import matching

        needs = list(
            TechnologyNeed.objects.filter(business=request.user)
            .select_related("sector")
            .order_by("-created_at")[:5]
        )
        published = [need for need in needs if need.state == TechnologyNeed.State.PUBLISHED]
        best = matching.shown_for_needs(published, limit=2)
        context["my_needs"] = [(need, best.get(need.pk, [])) for need in needs]
    if roles.RESEARCHER in user_roles:
        from transfer.disclosure import business_hidden_from
        from transfer.models import TransferDeal

        context["interest_in_mine"] = list(
            TransferDeal.objects.filter(technology__owner=request.user)
            .select_related("technology", "business__profile__organisation")
            .order_by("-updated_at")[:5]
        )
        for deal in context["interest_in_mine"]:
            deal.business_hidden = business_hidden_from(deal, request.user)
    if user_roles & {roles.OFFICER, roles.MANAGER}:
        context["state_counts"] = dict(
            Proposal.objects.order_by().values_list("state").annotate(n=Count("pk"))
        )
    if roles.OFFICER in user_roles:
        from transfer.models import Technology

        context["listings_to_moderate"] = Technology.objects.filter(
            state=Technology.State.PENDING
        ).count()
        from researchers.workflow import pending

        context["membership_requests"] = pending().count()
        context["officer_work"] = next_steps.officer_work(cached=True)
        overdue, due_soon = execution.reports_due(today=today)
        (by_call, call_total), (by_year, year_total) = execution.money()
        context["execution"] = {
            "by_state": execution.projects_by_state(context["state_counts"]),
            "overdue": overdue,
            "due_soon": due_soon,
            "due_within": execution.DUE_WITHIN_DAYS,
            "limit": execution.LIST_LIMIT,
            "tranches": execution.releasable_tranches(),
            "inspections": execution.inspections_overdue(today=today),
            "by_call": by_call,
            "call_total": call_total,
            "by_year": by_year,
            "year_total": year_total,
        }
    if roles.MANAGER in user_roles:
        context["changes_waiting"] = execution.changes_waiting(request.user)
        context["funding_decisions"] = next_steps.funding_decisions()
        context["terminations_waiting"] = next_steps.terminations_waiting()
        context["list_limit"] = execution.LIST_LIMIT
    return render(request, "portal/dashboard.html", context)


def _require_officer(user):
    if not (user.is_superuser or roles.has_role(user, roles.OFFICER)):
        raise PermissionDenied


@login_required
def reviewers(request):
    """Officers appoint council members (the `reviewer` role) from registered researchers."""
    _require_officer(request.user)
    user_model = get_user_model()
    query = request.GET.get("q", "").strip()[:100]
    people = (
        user_model.objects.filter(is_active=True)
        .select_related("profile", "profile__organisation")
        .prefetch_related("groups")
        .order_by("profile__full_name", "email")
    )
    if query:
        people = people.filter(
            Q(email__icontains=query)
            | Q(profile__full_name__icontains=query)
            | Q(profile__expertise__icontains=query)
            | Q(profile__organisation__name__icontains=query)
        )
    else:
        people = people.filter(groups__name__in=[roles.REVIEWER, roles.RESEARCHER]).distinct()
    page = Paginator(people, 25).get_page(request.GET.get("page"))
    for person in page:
        person.is_reviewer = any(g.name == roles.REVIEWER for g in person.groups.all())
    return render(request, "portal/reviewers.html", {"people": page, "query": query})


@login_required
@require_POST
def change_reviewer_role(request, user_id):
    _require_officer(request.user)
    person = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    name = getattr(getattr(person, "profile", None), "display_name", person.email)
    if request.POST.get("action") == "revoke":
        roles.revoke_role(person, roles.REVIEWER, by=request.user)
        messages.success(request, _("%(name)s is no longer a council member.") % {"name": name})
    else:
        try:
            roles.grant_role(person, roles.REVIEWER, by=request.user)
        except PermissionDenied as refusal:  # oneself: no one appoints themselves
            messages.error(request, str(refusal))
            return redirect("reviewers")
        messages.success(request, _("%(name)s is now a council member.") % {"name": name})
    return redirect(safe_next(request, request.POST.get("next"), "reviewers"))


@never_cache
def healthz(request):
    """Liveness: the process answers. No database, so a slow database never restarts workers."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request):
    """Readiness for the load balancer: each dependency answers (docs/operations.md → Health
    checks). 503 names the failing check; the error's class only, never its text."""
    from portal.observability import readiness_checks

    checks = readiness_checks()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def stats(request):
    """The public dashboard: the programme in numbers (DESIGN.md → /stats/), optionally for one
    year and/or sector. A filter that does not pass is explained, and the page shows everything
    (status 400); the figures are portal.stats.cached_figures, as /api/v1/stats/ answers them."""
    from portal.charts import stats_charts
    from portal.stats import StatsFilter, cached_figures

    given = StatsFilter(request.GET or None)
    year = sector = None
    status = 200
    if given.is_bound and given.is_valid():
        year, sector = given.cleaned_data["year"], given.cleaned_data["sector"]
    elif given.is_bound:
        status = 400
    numbers = cached_figures(year, sector.slug if sector else None)
    return render(
        request,
        "portal/stats.html",
        {
            "numbers": numbers,
            "filter_form": given,
            "year": year,
            "sector": sector,
            "charts": stats_charts(numbers, translation.get_language()),
            "as_of": datetime.datetime.fromisoformat(numbers["generated_at"]),
        },
        status=status,
    )
