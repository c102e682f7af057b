"""The officers' download of the tasks export for the national platform (portal.task_export),
the same files as `manage.py export_tasks`."""

import tempfile

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import roles
from grants.models import CallPage
from portal import task_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportFilter(forms.Form):
    year = forms.IntegerField(
        label=_("Year of the decision"), min_value=1900, max_value=2100, required=False
    )
    call = forms.CharField(label=_("Call code"), max_length=20, required=False)

    def clean_call(self):
        code = self.cleaned_data["call"].strip().upper()
        if code and not CallPage.objects.filter(code=code).exists():
            raise forms.ValidationError(gettext("No call has this code."))
        return code


@login_required
def tasks_download(request, fmt):
    """The funded tasks as JSON or XLSX (docs/open-data.md), for officers and managers."""
    if not roles.has_role(request.user, roles.OFFICER, roles.MANAGER):
        raise PermissionDenied
    if fmt not in ("json", "xlsx"):
        raise Http404
    form = ExportFilter(request.GET)
    if not form.is_valid():
        lines = [
            f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        ]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")
    filters = {"year": form.cleaned_data["year"], "call": form.cleaned_data["call"] or None}
    name = f"nhiem-vu-khcn-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    if fmt == "json":
        response = StreamingHttpResponse(
            task_export.json_chunks(**filters), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # Write-only openpyxl spools rows to disk; the file is then streamed from there.
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    task_export.write_xlsx(target, **filters)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX)
