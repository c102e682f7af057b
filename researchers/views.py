from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import client_ip
from researchers import workflow
from researchers.forms import MembershipDecisionForm, MembershipRequestForm, ProfileForm
from researchers.models import Membership, Profile

State = Membership.State


def _memberships_of(user):
    """What the profile page says of the person's organisation: confirmed, waiting, refused."""
    mine = list(
        Membership.objects.filter(user=user).select_related("organisation", "decided_by__profile")
    )
    confirmed = next((m for m in mine if m.state == State.CONFIRMED), None)
    waiting = next((m for m in mine if m.state == State.REQUESTED), None)
    latest = mine[-1] if mine else None
    return {
        "confirmed": confirmed,
        "waiting": waiting,
        "refused": latest if latest and latest.state == State.REFUSED else None,
    }


def _profile_page(request, *, form=None, membership_form=None, status=200):
    instance = Profile.for_user(request.user)
    context = {
        "form": form or ProfileForm(instance=instance),
        "membership_form": membership_form or MembershipRequestForm(prefix="membership"),
        **_memberships_of(request.user),
    }
    return render(request, "researchers/profile.html", context, status=status)


@login_required
def profile(request):
    """A person keeps their own profile: name, degree, ORCID, expertise. Their organisation is
    asked for separately (`membership_request`) and counts once an officer confirms it."""
    instance = Profile.for_user(request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return _profile_page(request, form=form)


@login_required
@require_POST
def membership_request(request):
    """ "Request membership of an organisation": an existing one or a new one, for an officer."""
    form = MembershipRequestForm(request.POST, prefix="membership")
    if form.is_valid():
        data = form.cleaned_data
        try:
            membership = workflow.request_membership(
                request.user, by=request.user, organisation=data["organisation"],
                name=data["organisation_name"], tax_code=data["tax_code"], ip=client_ip(request),
            )  # fmt: skip
        except workflow.GuardFailed as failure:
            for key, errors in failure.errors.items():
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Your request to join %(name)s was sent to the Department.")
                % {"name": membership.organisation_label},
            )
            return redirect("profile")
    return _profile_page(request, membership_form=form, status=400)


@login_required
@require_POST
def membership_end(request, pk):
    """The person withdraws a waiting request or leaves their organisation."""
    membership = get_object_or_404(Membership, pk=pk)
    if membership.user_id != request.user.pk and not workflow.is_officer(request.user):
        raise PermissionDenied
    try:
        workflow.end(membership, by=request.user, ip=client_ip(request))
    except workflow.StateConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, _("Done: you are no longer recorded at %(name)s.") % {
            "name": membership.organisation_label
        })  # fmt: skip
    if membership.user_id == request.user.pk:
        return redirect("profile")
    return redirect("membership_queue")


def _require_officer(user):
    if not workflow.is_officer(user):
        raise PermissionDenied


@login_required
def membership_queue(request):
    """Officers' queue of membership requests, oldest first."""
    _require_officer(request.user)
    page = Paginator(workflow.pending(), 25).get_page(request.GET.get("page"))
    return render(request, "researchers/membership_queue.html", {"page_obj": page})


@login_required
def membership_decide(request, pk):
    """An officer confirms or refuses one request (a note is required to refuse); whoever
    decided first wins, the other officer is told."""
    _require_officer(request.user)
    membership = get_object_or_404(
        Membership.objects.select_related("user__profile__organisation", "organisation"), pk=pk
    )
    if not workflow.may_decide(request.user, membership):
        raise PermissionDenied
    form = MembershipDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = workflow.confirm if form.cleaned_data["decision"] == "confirm" else workflow.refuse
        try:
            done = decide(
                membership, by=request.user, ip=client_ip(request),
                note=form.cleaned_data["note"],
            )  # fmt: skip
        except workflow.StateConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("membership_queue")
        except workflow.GuardFailed as failure:
            for key, errors in failure.errors.items():
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        else:
            messages.success(
                request,
                _("Done: the membership of %(person)s at %(name)s is “%(state)s”.")
                % {
                    "person": Profile.for_user(done.user).display_name,
                    "name": done.organisation_label,
                    "state": done.get_state_display(),
                },
            )
            return redirect("membership_queue")
    status = 400 if form.errors else 200
    if membership.state != State.REQUESTED and request.method == "GET":
        messages.info(
            request,
            _("This membership is now “%(state)s”.") % {"state": membership.get_state_display()},
        )
    context = {
        "membership": membership,
        "form": form,
        "history": membership.entries.select_related("actor__profile"),
        "current": Profile.for_user(membership.user).organisation,
    }
    return render(request, "researchers/membership_decide.html", context, status=status)
