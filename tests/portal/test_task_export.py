"""The export of the province's tasks for the national S&T platform (Law 93/2025;
docs/open-data.md): `manage.py export_tasks` and the officers' download write the same JSON and
XLSX. The files are read back (json.load, openpyxl) and compared with the seeded demo."""

import io
import json

import openpyxl
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.text import document_number
from grants.models import FUNDED_STATES, Proposal
from portal.task_export import COLUMNS
from projects import registration
from transfer import workflow as transfer_workflow
from transfer.models import Technology

pytestmark = pytest.mark.django_db

CHECKLIST = [key for key, _label in transfer_workflow.PUBLISH_CHECKLIST]


def export(tmp_path, *options, fmt="json"):
    path = tmp_path / f"tasks.{fmt}"
    call_command(
        "export_tasks", "--format", fmt, "--output", str(path), *options, stderr=io.StringIO()
    )
    if fmt == "json":
        with open(path, encoding="utf-8") as source:
            return json.load(source)
    return openpyxl.load_workbook(path)


def decided():
    return Proposal.objects.filter(state__in=FUNDED_STATES).exclude(decision_number="")


def officer_outside(name="export-officer"):
    """An officer who took no part in any dossier (registration is recorded by such a one)."""
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "x")
    user.groups.add(Group.objects.get(name="officer"))
    TOTP.activate(user, settings.PORTAL_DEMO_TOTP_SECRET)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def completed():
    return Proposal.objects.get(title="Nhân giống in vitro chuối già Nam Mỹ sạch bệnh")


def test_json_lists_every_decided_task_with_its_fields_from_the_database(tmp_path):
    document = export(tmp_path)
    assert document["format"] == "an-giang-st-tasks" and document["version"] == 1
    assert document["filters"] == {"year": None, "call": None}
    by_code = {task["code"]: task for task in document["tasks"]}
    expected = decided()
    assert len(document["tasks"]) == expected.count() >= 10
    for p in expected.select_related("call", "organisation", "sector", "owner__profile"):
        task = by_code[p.receipt_number]
        assert task["title"] == p.title
        assert task["decision_number"] == document_number(p.decision_number)
        assert task["decision_date"] == timezone.localdate(p.decided_at).isoformat()
        assert task["call"] == {"code": p.call.code, "title": p.call.title}
        assert task["host_organisation"] == p.organisation.name
        assert task["sector"]["code"] == p.sector.slug
        assert task["approved_amount"] == p.approved_amount > 0
        assert task["duration_months"] == p.duration_months
        assert task["state"] == p.state
        contract = getattr(p, "contract", None)
        if contract is not None and contract.signed_at:
            assert task["contract"] == {
                "number": contract.number,
                "signed_on": contract.signed_on.isoformat(),
                "start": contract.starts_on.isoformat(),
                "end": contract.ends_on.isoformat(),
            }
            assert task["principal_investigator"] == contract.principal_investigator
        else:
            assert task["contract"] is None
            assert task["principal_investigator"] == p.owner.profile.full_name
    # Newest decision first.
    dates = [task["decision_date"] for task in document["tasks"]]
    assert dates == sorted(dates, reverse=True)


def test_only_decided_tasks_never_dossiers_before_or_without_funding(tmp_path):
    codes = {task["code"] for task in export(tmp_path)["tasks"]}
    for state in (
        "submitted",
        "eligible",
        "under_review",
        "reviewed",
        "rejected",
        "withdrawn",
        "ineligible",
    ):
        for p in Proposal.objects.filter(state=state):
            assert p.receipt_number not in codes, state
    labels = {
        task["state"]: (task["state_label_vi"], task["state_label_en"])
        for task in export(tmp_path)["tasks"]
    }
    assert labels["in_progress"] == ("Đang thực hiện", "In progress")
    assert labels["completed"] == ("Đã nghiệm thu", "Completed")


def test_acceptance_results_and_published_technologies_of_a_completed_task(tmp_path, completed):
    contract = completed.contract
    filed = registration.file_registration(
        contract,
        by=completed.owner,
        summary="Quy trình nuôi cấy mô chuối",
        products="- 10.000 cây giống",
    )
    registration.record_registration(
        filed, by=officer_outside(), number="77/2026/ĐKKQ", registered_on=timezone.localdate()
    )
    draft = Technology.objects.create(
        title="Bản nháp chưa công bố", sector=completed.sector, trl=4, transfer_modes=["licence"],
        summary="Chuối giống nuôi cấy mô cho vùng Tri Tôn, Tịnh Biên: cây sạch bệnh, đồng đều.",
        owner=completed.owner, organisation=completed.organisation, source_proposal=completed,
    )  # fmt: skip
    task = next(t for t in export(tmp_path)["tasks"] if t["code"] == completed.receipt_number)
    assert task["acceptance"] == {
        "date": timezone.localdate(contract.acceptance.decided_at).isoformat(),
        "verdict": contract.acceptance.verdict,
    }
    assert task["results"] == {
        "registration_number": "77/2026/ĐKKQ",
        "registration_date": timezone.localdate().isoformat(),
        "summary": "Quy trình nuôi cấy mô chuối",
        "products": "- 10.000 cây giống",
    }
    published = completed.technologies.filter(state="published")
    assert [t["id"] for t in task["technologies"]] == sorted(published.values_list("pk", flat=True))
    assert published.exists() and draft.pk not in [t["id"] for t in task["technologies"]]
    assert task["technologies"][0]["url"].endswith(
        f"/technologies/{task['technologies'][0]['id']}/"
    )
    # A technology appears once an officer publishes it.
    transfer_workflow.submit_technology(draft, by=draft.owner)
    transfer_workflow.publish_technology(
        Technology.objects.get(pk=draft.pk), by=officer_outside("moderator"), checklist=CHECKLIST
    )
    task = next(t for t in export(tmp_path)["tasks"] if t["code"] == completed.receipt_number)
    assert draft.pk in [t["id"] for t in task["technologies"]]


def test_year_and_call_filters(tmp_path):
    by_call = export(tmp_path, "--call", "ag-cnsh24")
    assert by_call["filters"]["call"] == "AG-CNSH24"
    assert {t["call"]["code"] for t in by_call["tasks"]} == {"AG-CNSH24"}
    assert len(by_call["tasks"]) == decided().filter(call__code="AG-CNSH24").count() == 5
    year = timezone.localdate(decided().order_by("decided_at").first().decided_at).year
    by_year = export(tmp_path, "--year", str(year))
    assert by_year["tasks"] and all(
        t["decision_date"].startswith(str(year)) for t in by_year["tasks"]
    )
    assert len(by_year["tasks"]) == decided().filter(decided_at__year=year).count()
    assert export(tmp_path, "--year", "1999")["tasks"] == []
    with pytest.raises(CommandError, match="No call"):
        export(tmp_path, "--call", "NO-SUCH")
    with pytest.raises(CommandError, match="--output"):
        call_command("export_tasks", "--format", "xlsx")


def test_xlsx_has_the_documented_columns_the_same_rows_and_escapes_formulas(tmp_path, completed):
    Proposal.objects.filter(pk=completed.pk).update(title='=HYPERLINK("http://evil.example","x")')
    document = export(tmp_path)
    workbook = export(tmp_path, fmt="xlsx")
    sheet = workbook["tasks"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) - 1 == len(document["tasks"])
    cells = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    for task in document["tasks"]:
        row = cells[task["code"]]
        assert row["approved_amount"] == task["approved_amount"]
        assert row["decision_date"] == task["decision_date"]
        assert row["state_label_vi"] == task["state_label_vi"]
        assert row["contract_start"] == (task["contract"] or {}).get("start")
    evil = cells[completed.receipt_number]["title"]
    assert evil == "'" + '=HYPERLINK("http://evil.example","x")'
    # The JSON keeps the title as it is: only spreadsheets run formulas.
    assert next(t for t in document["tasks"] if t["code"] == completed.receipt_number)[
        "title"
    ].startswith("=")
    about = dict(workbook["about"].iter_rows(values_only=True))
    assert about["format"] == "an-giang-st-tasks"


def _queries(client, query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("task_export", args=["json"]) + query)
        body = b"".join(response.streaming_content)
    return len(captured), json.loads(body)


def test_the_download_reads_in_a_fixed_number_of_queries(client_as):
    client = client_as("officer@example.org")
    _queries(client, "?year=1999")  # the session, the site and its settings cached once
    few, small = _queries(client, "?call=AG-NNTM25")
    many, large = _queries(client, "?call=AG-CNSH24")
    assert 0 < len(small["tasks"]) < len(large["tasks"])
    assert few == many


def test_officers_and_managers_download_the_same_files_others_may_not(client_as, tmp_path):
    for email in ("officer@example.org", "manager@example.org"):
        client = client_as(email)
        response = client.get(reverse("task_export", args=["json"]), {"call": "AG-CNSH24"})
        assert response.status_code == 200 and response["Content-Type"].startswith(
            "application/json"
        )
        assert "attachment" in response["Content-Disposition"]
        tasks = json.loads(b"".join(response.streaming_content))["tasks"]
        assert [t["code"] for t in tasks] == [
            t["code"] for t in export(tmp_path, "--call", "AG-CNSH24")["tasks"]
        ]
        response = client.get(reverse("task_export", args=["xlsx"]))
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert workbook["tasks"].max_row == decided().count() + 1
    for email in ("researcher@example.org", "business@example.org", "reviewer1@example.org"):
        assert client_as(email).get(reverse("task_export", args=["json"])).status_code == 403
    anonymous = client_as(None).get(reverse("task_export", args=["json"]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_bad_filters_are_refused_with_a_message_by_the_field(client_as):
    client = client_as("officer@example.org")
    response = client.get(
        reverse("task_export", args=["json"]), {"year": "20x5", "call": "NO-SUCH"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Năm của quyết định" in text and "Không có đợt gọi nào có mã này." in text
    assert client.get(reverse("task_export", args=["csv"])).status_code == 404


def test_the_queue_links_to_the_export(client_as):
    page = client_as("officer@example.org").get(reverse("proposal_list")).content.decode()
    assert (
        reverse("task_export", args=["json"]) in page
        and reverse("task_export", args=["xlsx"]) in page
    )
