"""The officers' queue and a researcher's list of proposals, with the queue's exports (CSV,
XLSX in the request or in the background)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core import roles
from core.files import download
from core.text import vnd
from grants import exports, queue, worklist
from grants.access import STAFF
from grants.models import ProposalState, QueueExport
from grants.selectors import proposals_of
from researchers import pickers

# -- lists ----------------------------------------------------------------------------------------


@login_required
def proposal_list(request):
    """Officers and managers get the queue of every dossier; applicants get their own."""
    if roles.has_role(request.user, *STAFF) and request.GET.get("mine") != "1":
        return _queue(request)
    proposals = proposals_of(request.user).only(
        "title", "state", "receipt_number", "revision_deadline", "updated_at",
        "call__code", "call__closes_at",
    )  # fmt: skip
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    return render(request, "grants/my_proposals.html", {"page_obj": page, "now": timezone.now()})


def _filtered(request, *, tell=True):
    form, proposals, state, sort, notes = queue.filtered(request.GET)
    for note in notes if tell else ():
        messages.warning(request, note)
    return form, proposals, state, sort


# What a row of the queue shows, read as plain values: the long texts of the dossier stay in
# the database and no model instances are built for 25 rows.
QUEUE_ROW = {
    "call_code": F("call__code"),
    "applicant": F("owner__profile__full_name"),
    "email": F("owner__email"),
    "organisation_name": F("organisation__name"),
    "organisation_short": F("organisation__short_name"),
    "sector_name": F("sector__name"),
    "sector_name_en": F("sector__name_en"),
}
QUEUE_FIELDS = ("pk", "title", "state", "receipt_number", "requested_amount", "submitted_at")


def _queue_rows(values):
    labels = dict(ProposalState.choices)
    english = get_language() == "en"
    base = reverse("proposal_list")
    untitled = _("(untitled proposal)")
    rows = []
    for row in values:
        submitted = row["submitted_at"]
        row.update(
            url=f"{base}{row['pk']}/",
            title=row["title"] or untitled,
            state_label=labels.get(row["state"], row["state"]),
            applicant=row["applicant"] or row["email"],
            organisation=row["organisation_short"] or row["organisation_name"] or "",
            sector=(row["sector_name_en"] if english and row["sector_name_en"] else row["sector_name"]) or "",
            amount=vnd(row["requested_amount"]),
            submitted=date_format(timezone.localtime(submitted), "SHORT_DATETIME_FORMAT") if submitted else "—",
        )  # fmt: skip
        rows.append(row)
    return rows


QUEUE_PAGE_SIZE = 25


def _queue(request):
    form, proposals, state, sort = _filtered(request)
    counts = dict(proposals.order_by().values_list("state").annotate(n=Count("*")))
    if state:
        proposals = proposals.filter(state=state)
    # A deep page costs what the index costs: the page's numbers are read from the order's
    # index alone (OFFSET over the dossiers' ids), and only its 25 rows are joined to their call,
    # applicant, organisation and sector.
    paginator = Paginator(
        queue.ordered(proposals, sort).values_list("pk", flat=True), QUEUE_PAGE_SIZE
    )
    # The counts per state are known already: spare the database a second COUNT(*).
    paginator.count = counts.get(state, 0) if state else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = {
        row["pk"]: row for row in proposals.filter(pk__in=ids).values(*QUEUE_FIELDS, **QUEUE_ROW)
    }
    page.object_list = [found[pk] for pk in ids if pk in found]
    query = request.GET.copy()
    query.pop("page", None)
    state_links = [
        (value, label, counts.get(value, 0))
        for value, label in ProposalState.choices
        if value != ProposalState.DRAFT
    ]
    return render(
        request,
        "grants/queue.html",
        {
            "form": form,
            "page_obj": page,
            "rows": _queue_rows(page.object_list),
            "extra_query": query.urlencode(),
            "state_links": state_links,
            "state": state,
            "total": sum(counts.values()),
            "export_query": query.urlencode(),
            "selects": _filter_selects(form, request.GET),
            # A filter that did not validate is left out; its message is shown by it too.
            "filter_errors": {name: list(errors) for name, errors in form.errors.items()},
            "organisation_shown": pickers.shown(request.GET.get("organisation", "")),
            "todo": worklist.todo(request.GET.get("todo", "")),
        },
    )


def _filter_selects(form, params):
    """The queue's filter menus as plain (value, label) lists: cheaper than widget templates."""
    fields = form.fields
    menus = [
        ("call", fields["call"], [(c.pk, fields["call"].label_from_instance(c)) for c in fields["call"].queryset.only("code", "title")]),
        ("sector", fields["sector"], [(s.slug, s.label) for s in fields["sector"].queryset]),
        ("todo", fields["todo"], [(key, str(label)) for key, label in fields["todo"].choices]),
        ("sort", fields["sort"], [(key, str(label)) for key, label in fields["sort"].choices]),
    ]  # fmt: skip
    selects = []
    for name, field, options in menus:
        empty = getattr(field, "empty_label", None)
        if empty:
            options = [("", str(empty)), *options]
        current = params.get(name, "")
        selects.append(
            {
                "name": name,
                "label": field.label,
                "errors": list(form.errors.get(name, [])) if form.is_bound else [],
                "options": [(str(value), label, str(value) == current) for value, label in options],
            }
        )
    return selects


@login_required
def proposal_export(request, fmt):
    """The queue as the officer filtered it, as CSV (streamed) or XLSX (grants.exports)."""
    if not roles.has_role(request.user, *STAFF):
        raise PermissionDenied
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        return exports.csv_response(request.GET)
    total = queue.selected(request.GET).count()
    if total <= exports.direct_limit():
        return exports.xlsx_response(request.GET)
    export = exports.request_xlsx(request.user, request.GET, rows_total=total)
    return redirect("proposal_export_status", pk=export.pk)


def _export_of(request, pk):
    if not roles.has_role(request.user, *STAFF):
        raise PermissionDenied
    export = get_object_or_404(QueueExport, pk=pk)
    if export.requested_by_id != request.user.pk:
        raise PermissionDenied
    return export


@login_required
def proposal_export_status(request, pk):
    """A large XLSX export being written by the worker: its progress, then the download."""
    export = _export_of(request, pk)
    if request.GET.get("progress") == "1":  # static/js/export.js follows it
        return JsonResponse(
            {
                "state": export.state,
                "percent": export.percent,
                "rows_done": export.rows_done,
                "rows_total": export.rows_total,
            }  # fmt: skip
        )
    return render(request, "grants/export_status.html", {"export": export})


@login_required
def proposal_export_download(request, pk):
    export = _export_of(request, pk)
    if export.state != QueueExport.State.DONE:
        raise Http404
    return download(export.file, filename=export.filename, content_type=exports.XLSX)
