"""Exports of the officers' queue. CSV is streamed row by row, so its first byte leaves at once
whatever the size. A spreadsheet is a zip, written whole before it can be sent: up to
`EXPORT_DIRECT_ROWS` rows it is made in the request; beyond, the task worker makes it
(`build_xlsx`) while the officer watches its progress, and it is kept for download."""

import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from core import exports
from grants import queue
from grants.models import QueueExport

COLUMNS = (
    ("receipt_number", gettext_lazy("Receipt number")),
    ("title", gettext_lazy("Title")),
    ("state", gettext_lazy("State")),
    ("call", gettext_lazy("Call")),
    ("applicant", gettext_lazy("Applicant")),
    ("organisation", gettext_lazy("Host organisation")),
    ("sector", gettext_lazy("Sector")),
    ("requested_amount", gettext_lazy("Requested amount (VND)")),
    ("aggregate_score", gettext_lazy("Score")),
    ("submitted_at", gettext_lazy("Submitted at")),
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 1000  # rows between two progress writes of a background export


def direct_limit():
    return getattr(settings, "EXPORT_DIRECT_ROWS", 5000)


def proposals_of(params):
    return queue.selected(params).select_related("call", "owner__profile", "organisation", "sector")


def header():
    return [str(label) for _key, label in COLUMNS]


def rows(proposals):
    for p in proposals.iterator(chunk_size=1000):
        submitted = (
            timezone.localtime(p.submitted_at).strftime("%d/%m/%Y %H:%M") if p.submitted_at else ""
        )
        yield [
            p.receipt_number or "",
            p.title,
            p.get_state_display(),
            p.call.code,
            getattr(getattr(p.owner, "profile", None), "full_name", "") or p.owner.email,
            p.organisation.name if p.organisation else "",
            p.sector.name if p.sector else "",
            p.requested_amount,
            float(p.aggregate_score) if p.aggregate_score is not None else "",
            submitted,
        ]


def filename(extension):
    return f"ho-so-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def csv_response(params):
    response = StreamingHttpResponse(
        exports.csv_lines(header(), rows(proposals_of(params))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    return response


def write_xlsx(proposals, target, progress=None):
    """The spreadsheet of `proposals` into the file `target`; `progress(n)` every few rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Proposals")[:31])
    exports.xlsx_append(sheet, header())
    for done, row in enumerate(rows(proposals), start=1):
        exports.xlsx_append(sheet, row)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    workbook.save(target)


def xlsx_response(params):
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename("xlsx")}"'
    write_xlsx(proposals_of(params), response)
    return response


def request_xlsx(user, params, *, rows_total):
    """A background export of the queue as the officer sees it now; built after the commit."""
    export = QueueExport.objects.create(
        requested_by=user,
        query=params.urlencode(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
        filename=filename("xlsx"),
    )
    transaction.on_commit(lambda: build_xlsx.enqueue(export.pk))
    return export


@task()
def build_xlsx(export_id):
    from django.http import QueryDict

    export = QueueExport.objects.get(pk=export_id)
    if export.state != QueueExport.State.QUEUED:
        return export.state  # a worker took it already (a task delivered twice)
    taken = QueueExport.objects.filter(pk=export_id, state=QueueExport.State.QUEUED).update(
        state=QueueExport.State.RUNNING
    )
    if not taken:
        return "taken"
    try:
        with translation.override(export.language), tempfile.TemporaryFile() as scratch:
            proposals = proposals_of(QueryDict(export.query))

            def progress(done):
                QueueExport.objects.filter(pk=export_id).update(rows_done=done)

            write_xlsx(proposals, scratch, progress)
            scratch.seek(0)
            export.file.save(export.filename, File(scratch), save=False)
    except Exception:
        QueueExport.objects.filter(pk=export_id).update(
            state=QueueExport.State.FAILED, finished_at=timezone.now()
        )
        raise
    QueueExport.objects.filter(pk=export_id).update(
        state=QueueExport.State.DONE,
        file=export.file.name,
        rows_done=export.rows_total,
        finished_at=timezone.now(),
    )
    return "done"
