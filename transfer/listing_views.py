"""The owner's own steps outside the edit forms: withdraw a listing from the catalogue
(→ archived), send an archived listing again for moderation (archived → pending), publish a need
saved as a draft. An officer may archive any listing too (the moderation page does it for pending
ones)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from transfer import workflow
from transfer.models import Technology, TechnologyNeed


def _archive(technology, user, comment):
    workflow.archive_technology(technology, by=user, comment=comment)
    return _("The listing is withdrawn from the catalogue.")


def _resubmit(technology, user, comment):
    if technology.owner_id != user.pk:
        raise PermissionDenied
    if technology.state != Technology.State.ARCHIVED:
        raise workflow.GuardFailed(
            {"state": [_("Only an archived listing is sent again this way.")]}
        )
    workflow.submit_technology(technology, by=user)
    return _("Sent to the Department for moderation.")


STEPS = {"archive": _archive, "resubmit": _resubmit}


@login_required
@require_POST
def technology_move(request, pk, action):
    technology = get_object_or_404(Technology, pk=pk)
    step = STEPS.get(action)
    if step is None:
        raise PermissionDenied
    try:
        done = step(technology, request.user, request.POST.get("comment", ""))
    except (workflow.GuardFailed, workflow.StateConflict) as failure:
        errors = getattr(failure, "errors", None)
        if errors:
            for field_errors in errors.values():
                for error in field_errors:
                    messages.error(request, error)
        else:
            messages.error(request, str(failure))
    else:
        messages.success(request, done)
    return redirect(technology.get_absolute_url())


@login_required
@require_POST
def need_publish(request, pk):
    need = get_object_or_404(TechnologyNeed, pk=pk)
    if need.business_id != request.user.pk:
        raise PermissionDenied
    try:
        workflow.publish_need(need, by=request.user)
    except (workflow.GuardFailed, workflow.StateConflict) as failure:
        for field_errors in getattr(failure, "errors", {"": [str(failure)]}).values():
            for error in field_errors:
                messages.error(request, error)
    else:
        messages.success(
            request, _("Your need is published; matching technologies are shown below it.")
        )
    return redirect("need_detail", pk=need.pk)
