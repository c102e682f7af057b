"""What the pages of the investigator's written documents share — a progress report
(`projects.report_views`) and the acceptance dossier (`projects.acceptance_views`): the draft
saved from the form or by the page's autosave, files attached and taken back, and a file served
privately. Each view passes its own workflow step and how to show its page again; the rules stay
in the steps (`projects.reports`, `projects.acceptance`)."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.files import download
from core.transitions import GuardFailed
from projects.workflow import StateConflict


def save_draft(request, save, *, page, rerender, typed):
    """Save the draft with `save()`. Returns (response, saved): `response` is what the view
    answers — JSON for the autosave (409 on a conflict, 400 with the errors by field), else the
    page again with the errors (400, the text kept) or a redirect to `page` with the conflict's
    message — or None when a form's save succeeded and the view goes on (`saved` is then the
    step's result)."""
    autosave = request.headers.get("X-Autosave") == "1"
    try:
        saved = save()
    except StateConflict as conflict:
        if autosave:
            return JsonResponse({"saved": False, "error": str(conflict)}, status=409), None
        messages.error(request, str(conflict))
        return redirect(page), None
    except GuardFailed as failure:
        if autosave:
            return JsonResponse({"saved": False, "errors": failure.errors}, status=400), None
        return rerender(typed=typed, errors=failure.errors, status=400), None
    if autosave:
        at = timezone.localtime().strftime("%H:%M:%S")
        return JsonResponse({"saved": True, "at": at}), saved
    return None, saved


def upload(request, add, *, page, rerender, done):
    """Attach the posted file with `add(upload, label)`; the errors of the upload form are shown
    by its fields (`upload-label`, `upload-file`), the label kept."""
    label = request.POST.get("label", "")
    try:
        add(request.FILES.get("file"), label)
    except StateConflict as conflict:
        messages.error(request, str(conflict))
        return redirect(page)
    except GuardFailed as failure:
        form = {"label": label, "errors": failure.errors}
        errors = {f"upload-{key}": msgs for key, msgs in failure.errors.items()}
        return rerender(errors=errors, upload=form, status=400)
    messages.success(request, done)
    return redirect(page + "#attachments")


def remove(request, take_back, *, page):
    """Take a file back with `take_back()` while the document is still the investigator's."""
    try:
        take_back()
    except StateConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("File removed."))
    return redirect(page + "#attachments")


def listed(attachments, url):
    """The attachments as `templates/projects/_attachments.html` lists them, each with the
    `download_url` that `url(attachment)` gives."""
    attachments = list(attachments)
    for attachment in attachments:
        attachment.download_url = url(attachment)
    return attachments


def private_file(attachment):
    """A checked file as a download, under its original name and type, never sniffed."""
    return download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )
