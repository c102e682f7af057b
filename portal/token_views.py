"""The officer's pages for integration tokens (/integrations/tokens/): list, issue, one token
with its history, revoke. Every change goes through portal.tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache

from core.http import client_ip
from core.transitions import GuardFailed
from portal import tokens
from portal.models import IntegrationToken, TokenScope

RECENT_CALLS = 20


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("token", "Name"),
        max_length=tokens.NAME_MAX,
        help_text=gettext_lazy("The system that will use it, e.g. “Provincial public-service system”."),
        error_messages={"required": gettext_lazy("Give the token a name: the system that will use it.")},
    )  # fmt: skip
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it may be used for"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "The token acts as you: it can do no more than your role allows, and only this."
        ),
        error_messages={
            "required": gettext_lazy("Choose at least one thing the token may be used for."),
            "invalid_choice": gettext_lazy("Choose among the scopes listed."),
        },
    )


def _require_officer(user):
    if not tokens.may_manage(user):
        raise PermissionDenied


@login_required
def token_list(request):
    """The Department's tokens, newest first, with when each was last used."""
    _require_officer(request.user)
    page = Paginator(IntegrationToken.objects.select_related("issued_by__profile"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/tokens/list.html", {"tokens": page})


@never_cache
@login_required
def token_issue(request):
    """Issue a token; the answer shows its secret once (never stored, never shown again)."""
    _require_officer(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.issue(
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=request.user,
                ip=client_ip(request),
            )
        except GuardFailed as failure:
            for field, errors in failure.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return render(request, "portal/tokens/issued.html", {"token": token, "secret": secret})
    return render(request, "portal/tokens/issue.html", {"form": form})


@login_required
def token_detail(request, pk):
    """One token: its scopes, who issued and revoked it, and its latest calls."""
    _require_officer(request.user)
    token = get_object_or_404(IntegrationToken.objects.select_related("issued_by__profile"), pk=pk)
    context = {
        "token": token,
        "entries": token.entries.select_related("by__profile"),
        "calls": token.calls.all()[:RECENT_CALLS],
        "calls_count": token.calls.count(),
    }
    return render(request, "portal/tokens/detail.html", context)


@login_required
def token_revoke(request, pk):
    """Asks first (GET), revokes on POST."""
    _require_officer(request.user)
    token = get_object_or_404(IntegrationToken, pk=pk)
    if request.method == "POST":
        try:
            tokens.revoke(token, by=request.user, ip=client_ip(request))
        except GuardFailed as failure:
            messages.error(request, " ".join(failure.errors["__all__"]))
        else:
            messages.success(
                request,
                _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name},
            )
        return redirect("integration_token_detail", pk=token.pk)
    return render(request, "portal/tokens/revoke.html", {"token": token})
