from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from grants.models import CallPage


def open_calls(*, locale=None, now=None):
    """Live calls accepting proposals now, closing soonest first."""
    now = now or timezone.now()
    calls = CallPage.objects.live().filter(opens_at__lte=now, closes_at__gt=now)
    if locale is not None:
        calls = calls.filter(locale=locale)
    return calls.order_by("closes_at").prefetch_related("sectors")


def call_titles(codes=None):
    """{call code: its title in the language being read}: the English page's title under /en/
    where the call has one, the Vietnamese title otherwise (a call's translations share its
    code). One query."""
    from django.conf import settings
    from django.utils import translation

    calls = CallPage.objects.all()
    if codes is not None:
        calls = calls.filter(code__in=set(codes))
    language = translation.get_language() or settings.LANGUAGE_CODE
    titles, own = {}, {}
    for code, title, lang in calls.values_list("code", "title", "locale__language_code"):
        if lang == settings.LANGUAGE_CODE:
            titles.setdefault(code, title)
        if lang == language:
            own[code] = title
    return {**titles, **own}


def proposals_of(user):
    """An applicant's dossiers, those waiting for them first (returned, drafts, a contract to
    sign, a task to report on, a result to list), then those waiting for the Department (the
    check, the council, the decision), the closed ones last (the dashboard shows the first few)."""
    from grants.models import Proposal
    from grants.models.proposals import FINAL_STATES

    order = ("returned", "draft", "funded", "in_progress", "completed")
    waiting = Case(
        *(When(state=state, then=Value(rank)) for rank, state in enumerate(order)),
        When(state__in=FINAL_STATES, then=Value(len(order) + 1)),
        default=Value(len(order)),  # submitted, eligible, under review, reviewed
        output_field=IntegerField(),
    )
    return (
        Proposal.objects.filter(owner=user)
        .select_related("call")
        .alias(waiting=waiting)
        .order_by("waiting", "-updated_at", "-pk")
    )


def funded_tasks():
    """The tasks the Department decided to fund (ended early ones too), each with its funding
    decision signed — a number and a date —, newest decision first: the public selection
    results (the approval decision's host, principal investigator, budget and duration are
    published within 15 days and stay online; here they stay for good). Rejected, withdrawn
    and undecided dossiers are never among them."""
    from django.db.models import Q

    from grants.models import FUNDED_STATES, Proposal

    return (
        Proposal.objects.filter(state__in=FUNDED_STATES)
        .exclude(Q(decision_number="") | Q(decided_at__isnull=True))
        .select_related("call", "sector", "organisation", "owner__profile")
        .order_by("-decided_at", "-pk")
    )


def return_request(proposal):
    """The officer's instructions while a dossier is back with its owner."""
    if proposal.state != "returned":
        return None
    return (
        proposal.audit_entries.filter(transition="return_for_revision")
        .order_by("-at", "-pk")
        .first()
    )
