"""The officer's webhook pages under /integrations/webhooks/: the endpoints, each one's recent
deliveries, a test event. The rules (who, which addresses, which events) are core.webhooks'."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import webhooks
from core.http import client_ip
from core.models import WebhookEndpoint
from core.transitions import GuardFailed

RECENT = 50  # deliveries shown on an endpoint's page


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address (URL)"),
        max_length=500,
        help_text=gettext_lazy(
            "Where the portal POSTs each event, e.g. https://lgsp.example.vn/hooks/portal"
        ),
        widget=forms.URLInput(attrs={"autocomplete": "url", "spellcheck": "false"}),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEndpoint.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one event.")},
    )
    active = forms.BooleanField(
        label=gettext_lazy("Active: send events to this address"), required=False, initial=True
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a new address is a new endpoint, with a secret of its own
            del self.fields["url"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        problem = webhooks.address_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


def _officer(request):
    if not webhooks.may_manage(request.user):
        raise PermissionDenied(_("Only the Department's officers manage webhooks."))


def _save(request, form, endpoint=None):
    """Run the core step; its refusals land by the field they concern."""
    data = form.cleaned_data
    try:
        if endpoint is None:
            return webhooks.register(
                by=request.user, url=data["url"], events=data["events"], active=data["active"],
                ip=client_ip(request),
            )  # fmt: skip
        return webhooks.change(
            endpoint, by=request.user, events=data["events"], active=data["active"],
            ip=client_ip(request),
        )  # fmt: skip
    except GuardFailed as refusal:
        for key, errors in refusal.errors.items():
            for error in errors:
                form.add_error(key if key in form.fields else None, error)
        return None


@login_required
def endpoint_list(request):
    _officer(request)
    endpoints = WebhookEndpoint.objects.select_related("created_by__profile")
    return render(request, "portal/webhooks/list.html", {"endpoints": endpoints})


@login_required
def endpoint_add(request):
    _officer(request)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        endpoint = _save(request, form)
        if endpoint is not None:
            messages.success(
                request,
                _("The endpoint is registered. Give its secret to the receiver's administrator."),
            )
            return redirect("webhook_detail", endpoint.pk)
    status = 400 if form.errors else 200
    return render(request, "portal/webhooks/form.html", {"form": form}, status=status)


@login_required
def endpoint_detail(request, pk):
    _officer(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    deliveries = endpoint.deliveries.order_by("-created_at", "-pk")[:RECENT]
    return render(
        request,
        "portal/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "deliveries": deliveries,
            "recent": RECENT,
            "history": webhooks.history(endpoint),
        },
    )


@login_required
def endpoint_edit(request, pk):
    _officer(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = EndpointForm(
        request.POST or None,
        editing=True,
        initial={"events": endpoint.events, "active": endpoint.active},
    )
    if request.method == "POST" and form.is_valid() and _save(request, form, endpoint):
        messages.success(request, _("The endpoint is saved."))
        return redirect("webhook_detail", endpoint.pk)
    status = 400 if form.errors else 200
    return render(
        request, "portal/webhooks/form.html", {"form": form, "endpoint": endpoint}, status=status
    )


@login_required
def endpoint_delete(request, pk):
    _officer(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method == "POST":
        webhooks.remove(endpoint, by=request.user, ip=client_ip(request))
        messages.success(request, _("The endpoint is deleted; nothing more is sent to it."))
        return redirect("webhook_list")
    return render(request, "portal/webhooks/delete.html", {"endpoint": endpoint})


@login_required
@require_POST
def endpoint_test(request, pk):
    _officer(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhooks.send_test(endpoint, by=request.user)
    messages.success(
        request, _("A test event was sent. Its result is at the top of the deliveries below.")
    )
    return redirect("webhook_detail", endpoint.pk)


@login_required
@require_POST
def endpoint_rotate(request, pk):
    _officer(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhooks.rotate_secret(endpoint, by=request.user, ip=client_ip(request))
    messages.success(
        request,
        _(
            "The endpoint has a new secret: every request from now on is signed with it. Give it "
            "to the receiver's administrator now."
        ),
    )
    return redirect("webhook_detail", endpoint.pk)
