"""Pages of a person's data rights (/accounts/privacy/) and the officers' queue of requests.
Thin: the rules and their messages are in `researchers.privacy`."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from researchers import privacy
from researchers.models import DataRequest


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you ask?"),
        choices=DataRequest.Kind.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Details"),
        help_text=gettext_lazy(
            "For a correction: which data is wrong and what it should be. Data you can change "
            "yourself is on your profile."
        ),
        max_length=privacy.TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[
            ("done", gettext_lazy("Done: the request has been carried out")),
            ("refused", gettext_lazy("Refused, with the reason below")),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=gettext_lazy("Message to the person"),
        max_length=privacy.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _when(moment):
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _add_errors(form, failure):
    for field, errors in failure.errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _page(request, request_form=None, status=200):
    user = request.user
    return render(
        request,
        "researchers/privacy.html",
        {
            "consents": privacy.consent_history(user),
            "data_requests": user.data_requests.prefetch_related("entries"),
            "form": request_form or RequestForm(),
            "request_days": settings.PRIVACY_REQUEST_DAYS,
        },
        status=status,
    )


@never_cache
@login_required
def privacy_page(request):
    """A person's consents with their history, the export, and their requests."""
    return _page(request)


@never_cache
@login_required
@require_POST
def consent_change(request):
    """Give an optional consent, or withdraw any (withdrawing the account asks for deletion)."""
    purpose = request.POST.get("purpose", "")
    action = request.POST.get("action", "")
    if purpose not in privacy.CONSENT_TEXTS or action not in ("give", "withdraw"):
        messages.error(request, _("Choose a purpose and what to do with it."))
        return redirect("privacy")
    if action == "give":
        if purpose == privacy.Purpose.ACCOUNT:
            messages.error(request, _("Your account consent is given when you sign up."))
            return redirect("privacy")
        privacy.give_consent(request.user, purpose)
        messages.success(request, _("Your consent has been recorded."))
        return redirect("privacy")
    try:
        opened = privacy.withdraw_consent(request.user, purpose, request=request)
    except privacy.GuardFailed as failure:
        for errors in failure.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("privacy")
    if opened:
        messages.success(
            request,
            _(
                "Your consent has been withdrawn and your deletion request sent to the "
                "Department, which answers by %(due)s."
            )
            % {"due": _when(opened.due_at)},
        )
    else:
        messages.success(request, _("Your consent has been withdrawn."))
    return redirect("privacy")


@never_cache
@login_required
@require_POST
def request_open(request):
    """Ask the Department to correct or erase personal data."""
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            opened = privacy.open_request(
                request.user, form.cleaned_data["kind"], form.cleaned_data["text"], request=request
            )
        except privacy.GuardFailed as failure:
            _add_errors(form, failure)
        else:
            messages.success(
                request,
                _("Your request has been received. The Department answers by %(due)s.")
                % {"due": _when(opened.due_at)},
            )
            return redirect("privacy")
    return _page(request, form, status=400)


@never_cache
@login_required
def export(request):
    """Everything the portal holds about the signed-in person, as a zip."""
    archive = privacy.export_zip(request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"du-lieu-ca-nhan-{request.user.pk}-{stamp}.zip",
        content_type="application/zip",
    )


def _require_officer(user):
    if not privacy.can_answer(user):
        raise PermissionDenied


@never_cache
@login_required
def request_queue(request):
    """The officers' queue: open requests by deadline, overdue flagged; then the answered."""
    _require_officer(request.user)
    answered = DataRequest.objects.exclude(state=DataRequest.State.OPEN).select_related(
        "user__profile", "answered_by__profile"
    )
    return render(
        request,
        "researchers/privacy_requests.html",
        {
            "open": privacy.open_requests(),
            "answered": answered.order_by("-answered_at")[:50],
            "now": timezone.now(),
        },
    )


@never_cache
@login_required
def request_answer(request, pk):
    """One request, its steps, and the officer's answer."""
    _require_officer(request.user)
    data_request = get_object_or_404(DataRequest.objects.select_related("user__profile"), pk=pk)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                privacy.answer_request(
                    data_request,
                    by=request.user,
                    done=form.cleaned_data["outcome"] == "done",
                    answer=form.cleaned_data["answer"],
                    request=request,
                )
            except privacy.GuardFailed as failure:
                _add_errors(form, failure)
            except privacy.RequestConflict as conflict:
                messages.error(request, str(conflict))
                return redirect("privacy_request_answer", pk=pk)
            else:
                messages.success(request, _("The answer has been recorded and sent."))
                return redirect("privacy_requests")
        status = 400
    return render(
        request,
        "researchers/privacy_request.html",
        {
            "data_request": data_request,
            "entries": data_request.entries.select_related("actor__profile"),
            "form": form,
            "can_answer": privacy.can_answer(request.user, data_request)
            and data_request.state == DataRequest.State.OPEN,
            "now": timezone.now(),
        },
        status=status,
    )
