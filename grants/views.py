"""Proposal screens. Views check who may see what and hand every state change to the workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.files import download
from core.http import arrival_time, client_ip, rate_limited
from core.text import vnd
from grants import dossier, exports, forms, queue, rules, timeline, workflow, worklist
from grants.documents import receipt_document
from grants.models import Attachment, Proposal, ProposalState, QueueExport
from grants.selectors import proposals_of
from researchers import pickers

STAFF = (roles.OFFICER, roles.MANAGER)


def _proposal_for(request, pk, *, for_update=False):
    """The proposal if the user may see it; 404 when it does not exist, 403 when not theirs."""
    queryset = Proposal.objects.select_related("call", "owner__profile", "organisation", "sector")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    proposal = get_object_or_404(queryset, pk=pk)
    if not rules.can_view(proposal, request.user):
        raise PermissionDenied
    return proposal


def _editable_for(request, pk):
    proposal = _proposal_for(request, pk, for_update=True)
    if not rules.is_owner(proposal, request.user):
        raise PermissionDenied
    return proposal


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
    proposals = queue.ordered(proposals, sort).values(*QUEUE_FIELDS, **QUEUE_ROW)
    paginator = Paginator(proposals, QUEUE_PAGE_SIZE)
    # The counts per state are known already: spare the database a second COUNT(*).
    paginator.count = counts.get(state, 0) if state else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
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
            "organisation_shown": pickers.shown(request.GET.get("organisation", "")),
            "todo": worklist.todo(request.GET.get("todo", "")),
        },
    )


def _filter_selects(form, params):
    """The queue's filter menus as plain (value, label) lists: cheaper than widget templates."""
    fields = form.fields
    menus = [
        ("call", fields["call"], [(c.pk, f"{c.code} · {c.title}") for c in fields["call"].queryset.only("code", "title")]),
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


# -- one proposal ---------------------------------------------------------------------------------


def _return_request(proposal):
    """The officer's instructions while a dossier is back with its owner."""
    if proposal.state != ProposalState.RETURNED:
        return None
    return (
        proposal.audit_entries.filter(transition="return_for_revision")
        .order_by("-at", "-pk")
        .first()
    )


RESULT_STATES = ("in_progress", "completed", "transferred")  # projects whose results may be listed
SIGNED_STATES = ("in_progress", "completed", "terminated", "transferred")  # a contract was signed


def _render_detail(request, proposal, *, action=None, action_form=None, status=200):
    is_owner = rules.is_owner(proposal, request.user)
    # The contract is signed on its own page (projects), which the panel below links to.
    names = [n for n in workflow.available(proposal, request.user) if n != "sign_contract"]
    # Four-eyes: a manager who prepared the dossier sees its decisions disabled, and why.
    decides = set(names).intersection(rules.DECISIONS)
    prepared = rules.prepared_by(proposal, request.user) if decides else []
    actions = []
    for name in names:
        spec = workflow.SPECS[name]
        form = (
            action_form
            if name == action
            else forms.TransitionForm(
                spec=spec,
                prefix=name,
                initial={"approved_amount": proposal.appraised_amount}
                if spec.needs_amount
                else None,
            )
        )
        refused = prepared if name in rules.DECISIONS else []
        actions.append({"name": name, "spec": spec, "form": form, "refused": refused})
    versions = list(proposal.versions.order_by("-number"))
    # Staff read what was received; the owner works on the current text.
    frozen = bool(versions) and not (is_owner and proposal.is_editable)
    data = versions[0].data if frozen else dossier.snapshot(proposal)
    dossier.label(data)
    problems = workflow.submission_problems(proposal) if proposal.is_editable else {}
    from grants import council

    staff = roles.has_role(request.user, *STAFF)
    # Who sits on the council and how they scored stays hidden from anyone taking part.
    sees_council = staff and rules.may_see_ballots(proposal, request.user)
    officer = rules.is_officer(proposal, request.user)
    seats = (
        list(proposal.assignments.select_related("reviewer__profile").order_by("pk"))
        if staff or proposal.state in ("eligible", "under_review", "reviewed")
        else []
    )
    seated = next((a for a in seats if a.reviewer_id == request.user.pk), None)
    context = {
        "council_link": officer and proposal.state in ("eligible", "under_review", "reviewed"),
        "seats": seats if sees_council else [],
        "sees_council": sees_council,
        "ballots": {b.reviewer_id: b for b in council.visible_ballots(proposal, request.user)},
        "my_assignment": seated,
        "is_staff": staff,
        "can_appraise": officer and proposal.state == ProposalState.REVIEWED and proposal.passed,
        "return_request": _return_request(proposal) if is_owner else None,
        # Results in the technology catalogue: listed ones, and a way for the owner to add one.
        "results_listed": [
            t for t in proposal.technologies.all() if t.state == "published" or is_owner or staff
        ]
        if proposal.state in RESULT_STATES
        else [],
        "can_list_result": is_owner and proposal.state in RESULT_STATES,
        # The execution pages, by URL name only (grants does not import projects).
        "contract_to_prepare": roles.has_role(request.user, roles.OFFICER)
        and proposal.state == ProposalState.FUNDED,
        "contract_signed": (is_owner or staff) and proposal.state in SIGNED_STATES,
        "proposal": proposal,
        "is_owner": is_owner,
        "actions": actions,
        "frozen": frozen,
        "d": data,
        "versions": versions,
        "budget": dossier.budget_summary(data["budget"]),
        "timeline": timeline.folded(timeline.path(proposal, request.user)),
        "problems": problems,
        "complete": not problems,
        "can_edit": is_owner and proposal.is_editable,
        "section_status": [
            (key, title, problems.get(key, [])) for key, title, _fields in dossier.SECTIONS
        ],
    }
    return render(request, "grants/proposal_detail.html", context, status=status)


@login_required
def proposal_detail(request, pk):
    proposal = _proposal_for(request, pk)
    return _render_detail(request, proposal)


@login_required
@require_POST
def proposal_transition(request, pk, name):
    proposal = _proposal_for(request, pk)
    if not workflow.may_try(proposal, name, request.user):
        raise PermissionDenied
    spec = workflow.SPECS[name]
    form = forms.TransitionForm(request.POST, spec=spec, prefix=name)
    if not form.is_valid():
        return _render_detail(request, proposal, action=name, action_form=form, status=400)
    given = form.cleaned_data
    try:
        done = workflow.fire_named(
            name, proposal, by=request.user, ip=client_ip(request),
            comment=given.get("comment", "").strip(),
            revision_deadline=given.get("revision_deadline"),
            approved_amount=given.get("approved_amount"),
            arrived_at=arrival_time(request),
        )  # fmt: skip
    except workflow.StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(proposal.get_absolute_url())
    except workflow.GuardFailed as failure:
        for key, errors in failure.errors.items():
            field = key if key in form.fields else None
            for error in errors:
                form.add_error(field, error)
        return _render_detail(request, proposal, action=name, action_form=form, status=400)
    if name == "submit":
        messages.success(
            request,
            _("Your dossier was received. Receipt number: %(number)s.")
            % {"number": done.receipt_number},
        )
    else:
        messages.success(
            request,
            _("Done: the proposal is now “%(state)s”.") % {"state": done.get_state_display()},
        )
    return redirect(done.get_absolute_url())


# -- editing the dossier ----------------------------------------------------------------------------


def _refuse_if_frozen(request, proposal):
    if not proposal.is_editable:
        messages.error(
            request,
            _("This dossier is “%(state)s” and can no longer be edited.")
            % {"state": proposal.get_state_display()},
        )
        return redirect(proposal.get_absolute_url())
    return None


def edit_section(request, pk, section):
    if section not in forms.SECTION_FORMS:
        raise Http404
    autosave = request.headers.get("X-Autosave") == "1"
    with transaction.atomic():
        proposal = _editable_for(request, pk)
        if not proposal.is_editable:
            if autosave:
                return JsonResponse(
                    {"saved": False, "error": _("This dossier can no longer be edited.")},
                    status=409,
                )
            return _refuse_if_frozen(request, proposal)
        form_class = forms.SECTION_FORMS[section]
        form = form_class(request.POST or None, instance=proposal)
        if request.method == "POST" and form.is_valid():
            form.save()
            if autosave:
                return JsonResponse(
                    {"saved": True, "at": timezone.localtime().strftime("%H:%M:%S")}
                )
            messages.success(request, _("Section saved."))
            return redirect(_after_save(request, proposal, section))
    if autosave:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"saved": False, "errors": errors}, status=400)
    return _section_page(request, proposal, section, form=form, status=400 if form.errors else 200)


def _after_save(request, proposal, section):
    keys = [key for key, _title, _fields in dossier.SECTIONS]
    if "next" in request.POST:
        position = keys.index(section)
        if position + 1 < len(keys):
            return reverse("proposal_edit", args=[proposal.pk, keys[position + 1]])
    return reverse("proposal_edit", args=[proposal.pk, section])


def _section_page(request, proposal, section, *, status=200, **context):
    problems = workflow.submission_problems(proposal)
    return render(
        request,
        "grants/proposal_edit.html",
        {
            "proposal": proposal,
            "return_request": _return_request(proposal),
            "section": section,
            "section_title": dossier.SECTION_TITLES[section],
            "sections": dossier.SECTIONS,
            "problems": problems,
            "section_status": [
                (key, title, problems.get(key, [])) for key, title, _f in dossier.SECTIONS
            ],
            **context,
        },
        status=status,
    )


@login_required
def edit_view(request, pk, section):
    """Route /proposals/<id>/edit/<section>/ to the right editor."""
    if section == "team":
        return edit_team(request, pk)
    if section == "budget":
        return edit_budget(request, pk)
    if section == "attachments":
        return edit_attachments(request, pk)
    return edit_section(request, pk, section)


def edit_team(request, pk):
    with transaction.atomic():
        proposal = _editable_for(request, pk)
        refused = _refuse_if_frozen(request, proposal)
        if refused:
            return refused
        formset = forms.TeamFormSet(request.POST or None, instance=proposal, prefix="team")
        if request.method == "POST" and formset.is_valid():
            members = formset.save(commit=False)
            for member in formset.deleted_objects:
                member.delete()
            for position, member in enumerate(members):
                member.position = member.position or position
                member.save()
            messages.success(request, _("Team saved."))
            return redirect(_after_save(request, proposal, "team"))
    return _section_page(
        request, proposal, "team", formset=formset, status=400 if request.method == "POST" else 200
    )


def edit_budget(request, pk):
    """The budget lines as a labelled table. "Add a row" saves what is typed and shows the page
    again with one more empty row (static/js/formset.js adds it in place when JavaScript runs)."""
    with transaction.atomic():
        proposal = _editable_for(request, pk)
        refused = _refuse_if_frozen(request, proposal)
        if refused:
            return refused
        data = request.POST or None
        rows = forms.empty_budget_rows(request.GET.get("rows"))
        formset = forms.budget_formset(extra=rows)(data, instance=proposal, prefix="budget")
        counterpart = forms.CounterpartForm(data, instance=proposal)
        if request.method == "POST" and formset.is_valid() and counterpart.is_valid():
            counterpart.save()
            formset.save()
            Proposal.objects.filter(pk=proposal.pk).update(requested_amount=proposal.budget_total())
            messages.success(request, _("Budget saved."))
            if "add_row" in request.POST:
                empty = sum(1 for form in formset.extra_forms if not form.has_changed())
                page = reverse("proposal_edit", args=[proposal.pk, "budget"])
                return redirect(
                    f"{page}?rows={forms.empty_budget_rows(str(empty + 1))}#budget-lines"
                )
            return redirect(_after_save(request, proposal, "budget"))
    lines = list(proposal.budget_lines.all())
    gaps, excess = dossier.budget_problems(lines, proposal.call.max_per_project)
    return _section_page(
        request,
        proposal,
        "budget",
        formset=formset,
        form=counterpart,
        summary=dossier.budget_summary(lines),
        budget_gaps=gaps,
        budget_excess=excess,
        status=400 if request.method == "POST" else 200,
    )


def edit_attachments(request, pk):
    with transaction.atomic():
        proposal = _editable_for(request, pk)
        refused = _refuse_if_frozen(request, proposal)
        if refused:
            return refused
        form = forms.AttachmentForm(request.POST or None, request.FILES or None, proposal=proposal)
        if request.method == "POST" and form.is_valid():
            dossier.add_attachment(
                proposal,
                form.cleaned_data["file"],
                by=request.user,
                label=form.cleaned_data["label"],
                template=form.cleaned_data["template"],
            )
            messages.success(request, _("File uploaded."))
            return redirect(reverse("proposal_edit", args=[proposal.pk, "attachments"]))
    attachments = proposal.attachments.filter(removed_at__isnull=True).select_related("template")
    uploaded = {a.template_id for a in attachments if a.template_id}
    templates = [(t, t.pk in uploaded) for t in proposal.call.templates.select_related("document")]
    return _section_page(
        request,
        proposal,
        "attachments",
        form=form,
        attachments=attachments,
        templates=templates,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def delete_attachment(request, pk, attachment_id):
    with transaction.atomic():
        proposal = _editable_for(request, pk)
        refused = _refuse_if_frozen(request, proposal)
        if refused:
            return refused
        attachment = get_object_or_404(
            Attachment, pk=attachment_id, proposal=proposal, removed_at__isnull=True
        )
        dossier.remove_attachment(attachment)
    messages.success(request, _("File removed."))
    return redirect(reverse("proposal_edit", args=[proposal.pk, "attachments"]))


@login_required
def download_attachment(request, pk, attachment_id):
    proposal = _proposal_for(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    return download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# -- documents and versions ---------------------------------------------------------------------


@login_required
def receipt(request, pk):
    proposal = _proposal_for(request, pk)
    if not proposal.receipt_number:
        raise Http404
    language = "en" if request.LANGUAGE_CODE == "en" else "vi"  # /en/: the courtesy version
    # The stored receipt (rendered once, by the worker after submit or by the first download).
    response = HttpResponse(
        receipt_document(proposal, language=language), content_type="application/pdf"
    )
    name = "receipt" if language == "en" else "bien-nhan"
    response["Content-Disposition"] = f'inline; filename="{name}-{proposal.receipt_number}.pdf"'
    return response


def verify_receipt(request, code):
    """Public: anyone holding a receipt can check that the Department issued it. Limited per
    client address (PORTAL_RATE_LIMITS["receipt_verify"]) so that codes cannot be enumerated."""
    if rate_limited(request, "receipt_verify"):
        return render(request, "429.html", status=429)
    code = code[:20]
    proposal = (
        Proposal.objects.select_related("call", "organisation")
        .filter(verification_code=code.upper()[:10], receipt_number__isnull=False)
        .first()
        if code.isascii() and code.isalnum()  # no NUL (PostgreSQL refuses it in a query)
        else None
    )
    first = proposal.versions.order_by("number").first() if proposal else None
    return render(
        request,
        "grants/verify.html",
        {"proposal": proposal, "first": first, "code": code},
        status=200 if proposal else 404,
    )


@login_required
def compare_versions(request, pk):
    proposal = _proposal_for(request, pk)
    versions = {v.number: v for v in proposal.versions.all()}
    if len(versions) < 2:
        raise Http404
    numbers = sorted(versions)
    try:
        a = int(request.GET.get("a", numbers[-2]))
        b = int(request.GET.get("b", numbers[-1]))
    except ValueError as error:
        raise Http404 from error
    if a not in versions or b not in versions:
        raise Http404
    changes = dossier.compare(versions[a].data, versions[b].data)
    labels = {
        name: str(Proposal._meta.get_field(name).verbose_name)
        for _k, _t, names in dossier.SECTIONS
        for name in names
    }
    labels.update(team=_("Research team"), budget=_("Budget"), attachments=_("Attachments"))
    for change in changes:
        change["label"] = labels.get(change["key"], change["key"])
    return render(
        request,
        "grants/compare.html",
        {
            "proposal": proposal,
            "a": versions[a],
            "b": versions[b],
            "numbers": numbers,
            "changes": changes,
        },
    )
