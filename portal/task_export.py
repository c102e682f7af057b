"""The province's S&T tasks for the national S&T and innovation platform (Law 93/2025): every
task the Department funded, from the funding decision onwards, with its contract dates,
acceptance, registered results and published technologies. docs/open-data.md describes each
field; `manage.py export_tasks` and the officers' download (`/proposals/export/tasks.<fmt>`)
write the same files.

It lives in `portal` because a task's record spans three apps (grants: the dossier and the
decision; projects: contract, acceptance, registration; transfer: technologies). Rows are read
in chunks (`iterator`) with their one-to-one records joined and their technologies prefetched
per chunk, so memory and the number of queries stay flat however many tasks there are."""

import datetime
import json

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils import timezone, translation

from core import exports
from core.text import document_number
from grants.models import ProposalState
from grants.selectors import funded_tasks
from transfer.models import Technology

FORMAT_NAME = "an-giang-st-tasks"
FORMAT_VERSION = 1
CHUNK = 500

# The columns of the XLSX sheet, in order (docs/open-data.md → XLSX).
COLUMNS = (
    "code", "decision_number", "decision_date", "title", "call_code", "call_title",
    "host_organisation", "principal_investigator", "sector_code", "sector_name_vi",
    "sector_name_en", "approved_amount", "duration_months", "contract_number",
    "contract_signed_on", "contract_start", "contract_end", "acceptance_date",
    "acceptance_verdict", "state", "state_label_vi", "state_label_en", "registration_number",
    "registration_date", "results_summary", "results_products", "technologies",
)  # fmt: skip


def _labels(language):
    with translation.override(language):
        return {value: str(label) for value, label in ProposalState.choices}


def tasks(*, year=None, call=None):
    """The funded tasks, newest decision first: only those whose decision is signed."""
    published = Technology.objects.filter(state=Technology.State.PUBLISHED).order_by("pk")
    queryset = (
        funded_tasks()
        .select_related(
            "contract",
            "contract__acceptance",
            "contract__registration",
        )
        .prefetch_related(
            Prefetch(
                "technologies",
                queryset=published.only("pk", "title", "trl", "state", "source_proposal_id"),
                to_attr="published_technologies",
            )
        )
    )
    if year:
        queryset = queryset.filter(decided_at__year=year)
    if call:
        queryset = queryset.filter(call__code=call.strip().upper())
    return queryset


def _date(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def _one(instance, name):
    """A reverse one-to-one record, or None when there is none."""
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:
        return None


def record(proposal, *, labels_vi, labels_en, base_url):
    """One task as the export describes it (docs/open-data.md → fields)."""
    contract = _one(proposal, "contract")
    acceptance = _one(contract, "acceptance") if contract else None
    registration = _one(contract, "registration") if contract else None
    profile = _one(proposal.owner, "profile")
    investigator = (contract.principal_investigator if contract else "") or (
        profile.full_name if profile else ""
    )
    sector = proposal.sector
    decided = acceptance is not None and acceptance.verdict
    registered = registration is not None and registration.number and registration.registered_on
    return {
        "code": proposal.receipt_number,
        "decision_number": document_number(proposal.decision_number),
        "decision_date": _date(proposal.decided_at),
        "title": proposal.title,
        "call": {"code": proposal.call.code, "title": proposal.call.title},
        "host_organisation": proposal.organisation.name if proposal.organisation else "",
        "principal_investigator": investigator,
        "sector": (
            {"code": sector.slug, "name_vi": sector.name, "name_en": sector.name_en}
            if sector
            else None
        ),
        "approved_amount": proposal.approved_amount,
        "duration_months": proposal.duration_months,
        "contract": (
            {
                "number": contract.number,
                "signed_on": _date(contract.signed_on),
                "start": _date(contract.starts_on),
                "end": _date(contract.ends_on),
            }
            if contract and contract.signed_at
            else None
        ),
        "acceptance": (
            {"date": _date(acceptance.decided_at), "verdict": acceptance.verdict}
            if decided
            else None
        ),
        "state": proposal.state,
        "state_label_vi": labels_vi[proposal.state],
        "state_label_en": labels_en[proposal.state],
        "results": (
            {
                "registration_number": registration.number,
                "registration_date": _date(registration.registered_on),
                "summary": registration.summary,
                "products": registration.products,
            }
            if registered
            else None
        ),
        "technologies": [
            {
                "id": t.pk,
                "title": t.title,
                "trl": t.trl,
                "url": base_url + t.get_absolute_url(),
            }
            for t in proposal.published_technologies
        ],
    }


def records(*, year=None, call=None):
    labels_vi = _labels("vi")
    labels_en = _labels("en")
    base_url = settings.PORTAL_BASE_URL.rstrip("/")
    for proposal in tasks(year=year, call=call).iterator(chunk_size=CHUNK):
        yield record(proposal, labels_vi=labels_vi, labels_en=labels_en, base_url=base_url)


def header(*, year=None, call=None):
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "publisher": "Sở Khoa học và Công nghệ tỉnh An Giang",
        "currency": "VND",
        "filters": {"year": year, "call": call.strip().upper() if call else None},
    }


def json_chunks(*, year=None, call=None):
    """The JSON document in pieces to stream or write: the header's fields, then `tasks` one
    task at a time."""
    head = json.dumps(header(year=year, call=call), ensure_ascii=False, indent=1)
    yield head[:-2] + ',\n "tasks": ['
    first = True
    for item in records(year=year, call=call):
        yield ("\n  " if first else ",\n  ") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n ]\n}\n"


def flat(item):
    """A task's record as one row of the XLSX sheet (the nested parts in their own columns)."""
    contract = item["contract"] or {}
    acceptance = item["acceptance"] or {}
    results = item["results"] or {}
    sector = item["sector"] or {}
    return {
        **{key: item[key] for key in ("code", "decision_number", "decision_date", "title")},
        "call_code": item["call"]["code"],
        "call_title": item["call"]["title"],
        "host_organisation": item["host_organisation"],
        "principal_investigator": item["principal_investigator"],
        "sector_code": sector.get("code"),
        "sector_name_vi": sector.get("name_vi"),
        "sector_name_en": sector.get("name_en"),
        "approved_amount": item["approved_amount"],
        "duration_months": item["duration_months"],
        "contract_number": contract.get("number"),
        "contract_signed_on": contract.get("signed_on"),
        "contract_start": contract.get("start"),
        "contract_end": contract.get("end"),
        "acceptance_date": acceptance.get("date"),
        "acceptance_verdict": acceptance.get("verdict"),
        **{key: item[key] for key in ("state", "state_label_vi", "state_label_en")},
        "registration_number": results.get("registration_number"),
        "registration_date": results.get("registration_date"),
        "results_summary": results.get("summary"),
        "results_products": results.get("products"),
        "technologies": "; ".join(
            f"{t['id']}: {t['title']} ({t['url']})" for t in item["technologies"]
        ),
    }


def write_xlsx(target, *, year=None, call=None):
    """The XLSX workbook (write-only: rows go to disk as they come) into a path or a file:
    sheet `tasks`, one row a task, every text cell escaped against formulas; sheet `about`
    with the header's fields."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("tasks")
    exports.xlsx_append(sheet, list(COLUMNS))
    for item in records(year=year, call=call):
        row = flat(item)
        exports.xlsx_append(sheet, [row[key] for key in COLUMNS])
    about = workbook.create_sheet("about")
    for key, value in header(year=year, call=call).items():
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        exports.xlsx_append(about, [key, value])
    workbook.save(target)
