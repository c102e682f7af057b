"""The queue's XLSX export (grants/exports.py): made in the request up to EXPORT_DIRECT_ROWS
rows, by the task worker beyond, with its progress on a page of its own and the file kept for
the officer who asked for it; CSV always streamed."""

import io

import pytest
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from grants import exports
from grants.models import Proposal, ProposalState, QueueExport

pytestmark = pytest.mark.django_db


def queue_size(query=""):
    return exports.queue.selected(QueryDict(query)).count()


def read_rows(content):
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


@pytest.fixture
def limit_at(settings):
    def set_to(rows):
        settings.EXPORT_DIRECT_ROWS = rows

    return set_to


def test_exactly_at_the_limit_the_spreadsheet_comes_at_once(client_as, limit_at):
    client = client_as("officer@example.org")
    limit_at(queue_size())
    response = client.get(reverse("proposal_export", args=["xlsx"]))
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX
    assert len(read_rows(response.content)) == queue_size() + 1  # with its header
    assert not QueueExport.objects.exists()


def test_one_row_above_the_limit_the_worker_writes_it_and_the_page_shows_it(
    client_as, limit_at, django_capture_on_commit_callbacks
):
    client = client_as("officer@example.org")
    total = queue_size("sort=receipt")
    limit_at(total - 1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("proposal_export", args=["xlsx"]), {"sort": "receipt"})
    export = QueueExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal_export_status", args=[export.pk])
    assert export.state == QueueExport.State.DONE and export.rows_total == total
    page = client.get(response["Location"]).content.decode()
    assert reverse("proposal_export_download", args=[export.pk]) in page
    assert "js/export.js" not in page  # done: nothing more to follow
    download = client.get(reverse("proposal_export_download", args=[export.pk]))
    rows = read_rows(b"".join(download.streaming_content))
    assert len(rows) == total + 1
    received = Proposal.objects.exclude(state=ProposalState.DRAFT).order_by("receipt_number", "-pk")
    assert [row[0] or "" for row in rows[1:]] == [p.receipt_number or "" for p in received]


def test_while_the_worker_writes_the_page_shows_progress_and_refreshes(client_as, user_by_email):
    officer = user_by_email("officer@example.org")
    export = QueueExport.objects.create(requested_by=officer, rows_total=4000, rows_done=1000,
                                        state=QueueExport.State.RUNNING, filename="ho-so.xlsx")  # fmt: skip
    page = client_as("officer@example.org").get(reverse("proposal_export_status", args=[export.pk]))
    html = page.content.decode()
    assert "js/export.js" in html and 'value="25"' in html
    assert "1000" in html and "4000" in html
    download = reverse("proposal_export_download", args=[export.pk])
    assert download not in html
    assert client_as("officer@example.org").get(download).status_code == 404
    progress = client_as("officer@example.org").get(
        reverse("proposal_export_status", args=[export.pk]), {"progress": "1"}
    )
    assert progress.json() == {
        "state": "running",
        "percent": 25,
        "rows_done": 1000,
        "rows_total": 4000,
    }


def test_a_task_delivered_twice_writes_once(user_by_email):
    export = exports.request_xlsx(
        user_by_email("officer@example.org"), QueryDict("state=submitted"), rows_total=1
    )
    assert exports.build_xlsx.call(export.pk) == "done"
    name = QueueExport.objects.get(pk=export.pk).file.name
    assert exports.build_xlsx.call(export.pk) == QueueExport.State.DONE
    assert QueueExport.objects.get(pk=export.pk).file.name == name


def test_an_export_is_its_officers_alone(client_as, user_by_email):
    export = exports.request_xlsx(user_by_email("officer@example.org"), QueryDict(""), rows_total=1)
    exports.build_xlsx.call(export.pk)
    for email in ("manager@example.org", "researcher@example.org"):
        client = client_as(email)
        assert client.get(reverse("proposal_export_status", args=[export.pk])).status_code == 403
        assert client.get(reverse("proposal_export_download", args=[export.pk])).status_code == 403


def test_the_csv_is_streamed_whatever_the_size(client_as, limit_at):
    limit_at(0)
    response = client_as("officer@example.org").get(reverse("proposal_export", args=["csv"]))
    assert response.streaming
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == queue_size() + 1
