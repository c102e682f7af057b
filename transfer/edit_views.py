"""The owner's listing forms (new, from a project, edit, files) and the officers' moderation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.files import download
from core.text import shorten
from transfer import forms, workflow
from transfer.catalogue import visible_to
from transfer.models import Technology

# -- owners and moderators ------------------------------------------------------------------------


def _from_project(request):
    """Initial values taken from one of the researcher's own projects (`?from=<proposal id>`)."""
    from grants.access import RESULT_STATES
    from grants.models import Proposal

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
    if not visible_to(technology, request.user):
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
