"""Writing the dossier: each section's form (with autosave), the team, the budget and the
attachments. Only the owner, and only while the dossier is editable."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.files import download
from grants import dossier, forms, workflow
from grants.access import editable_for, proposal_for
from grants.models import Attachment, Proposal
from grants.selectors import return_request

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
        proposal = editable_for(request, pk)
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
            "return_request": return_request(proposal),
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
        proposal = editable_for(request, pk)
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
        proposal = editable_for(request, pk)
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
        proposal = editable_for(request, pk)
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
        proposal = editable_for(request, pk)
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
    proposal = proposal_for(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, proposal=proposal)
    return download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
