"""/verify/ (public): upload a PDF, learn whether the Department signed it and which document of
the portal it is (core.signing). Nothing uploaded is kept."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import files, signing
from core.http import rate_limited

KINDS = {
    "decision": _("Decision"),
    "contract": pgettext_lazy("signed document", "Contract"),
    "acceptance_minutes": _("Minutes of the acceptance council"),
}


def _checked_bytes(uploaded):
    """The upload's bytes once core.files passed it as a PDF. Bytes after its end (refused
    everywhere else) are what a change after signing looks like: then the PDF before them is
    checked, and the whole file goes on to the verification, which names the change."""
    try:
        files.check(uploaded, accept=("pdf",))
    except ValidationError as error:
        # "hidden": bytes after the end; "bad": so many that the end is out of sight
        if error.code not in ("hidden", "bad"):
            raise
        uploaded.seek(0)
        data = uploaded.read()
        end = data.rfind(b"%%EOF") + 5
        if end < 5 or not data[end:].strip(b" \t\r\n\x00\x0c"):
            raise  # nothing after the end: the PDF itself is what was refused
        files.check(SimpleUploadedFile("signed.pdf", data[:end]), accept=("pdf",))
        return data
    uploaded.seek(0)
    return uploaded.read()


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("Signed PDF file"),
        help_text=_(
            "A decision or contract downloaded from the portal, as PDF, at most %(mb)d MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={"required": _("Choose the PDF file to verify.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "mb": files.max_upload_bytes() // (1024 * 1024)
        }

    def clean_file(self):
        return _checked_bytes(self.cleaned_data["file"])


def document_verify(request):
    """Anyone may verify a file; each upload counts against the client address's limit
    (PORTAL_RATE_LIMITS["document_verify"])."""
    verdict = document = None
    status = 200
    if request.method == "POST":
        if rate_limited(request, "document_verify"):
            return render(request, "429.html", status=429)
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            verdict = signing.verify_pdf(form.cleaned_data["file"])
            document = signing.registered(verdict)
            form = VerifyForm()  # a file field cannot keep its file: the form starts again
        else:
            status = 400
    else:
        form = VerifyForm()
    return render(
        request,
        "portal/verify.html",
        {
            "form": form,
            "verdict": verdict,
            "document": document,
            "kind": KINDS.get(document.kind, document.kind) if document else "",
        },
        status=status,
    )
