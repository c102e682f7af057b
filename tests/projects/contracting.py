"""A contract as an officer prepares it on the contract page, for tests that need a task running."""

import datetime

from django.utils import timezone

from projects import reports
from projects.contracts import prepare_contract, sign_contract
from projects.workflow import add_months


def contract_values(proposal, number="12/2026/HĐ-SKHCN", signed_on=None):
    # Signed the day it is prepared: never before the funding decision the test just took.
    signed = signed_on or timezone.localdate()
    return {
        "number": number,
        "signed_on": signed,
        "starts_on": signed + datetime.timedelta(days=31),
        "ends_on": add_months(signed + datetime.timedelta(days=31), 24)
        - datetime.timedelta(days=1),
        "department_signatory": "Trần Văn Hùng",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "Võ Văn Thắng",
        "host_representative_title": "Hiệu trưởng",
        "principal_investigator": "Nguyễn Văn An",
        "report_every_months": 6,
    }


def one_tranche(proposal, signed_on=None):
    return [
        {
            "due_on": signed_on or timezone.localdate(),
            "amount": proposal.approved_amount,
            "condition": "on_signing",
        }
    ]


def prepare(proposal, officer, *, number="12/2026/HĐ-SKHCN", tranches=None, signed_on=None):
    return prepare_contract(
        proposal,
        by=officer,
        values=contract_values(proposal, number, signed_on),
        tranches=tranches if tranches is not None else one_tranche(proposal, signed_on),
        deliverables=[{"name": "Quy trình kỹ thuật", "quantity_indicator": "01 quy trình"}],
    )


def sign(proposal, officer, **kwargs):
    """Prepare the contract and sign it: the proposal is then in progress."""
    prepare(proposal, officer, **kwargs)
    return sign_contract(proposal, by=officer)


def write_report(report, researcher, *, spent=0):
    """The investigator fills report `report` completely through the page's own step (work and
    indicators per product, the period's spending in each approved category, problems)."""
    from projects import reporting

    report = type(report).objects.select_related("contract__proposal").get(pk=report.pk)
    budget = reporting.approved_budget(report.contract)
    first = next(iter(budget), None)
    return reports.save_report_draft(
        report,
        by=researcher,
        work={
            str(d.pk): {"work": "Đã hoàn thành thí nghiệm đợt 1.", "reached": "80%"}
            for d in report.contract.deliverables.all()
        },
        spending={category: (spent if category == first else 0) for category in budget},
        problems="Không có.",
    )


def after_period(report):
    """A moment (10:00 in An Giang) on the day after the report's period ended: the first day
    it may be submitted (`period_problems`)."""
    day = report.period_end + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def submit_report(report, researcher, **kwargs):
    """Write the report and submit it — now if its period has ended, else as of the day after
    its period (the moment is replayed: no notice is sent then)."""
    from grants import workflow as grants_workflow

    write_report(report, researcher, **kwargs)
    if timezone.localdate() > report.period_end:
        return reports.submit_report(report, by=researcher)
    with grants_workflow.clock(after_period(report)):
        return reports.submit_report(report, by=researcher)


def accept_report(report, researcher, officer, **kwargs):
    submit_report(report, researcher, **kwargs)
    return reports.accept_report(report, by=officer)
