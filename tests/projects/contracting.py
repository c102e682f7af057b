"""A contract as an officer prepares it on the contract page, for tests that need a task running."""

import datetime

from django.utils import timezone

from projects import workflow


def contract_values(proposal, number="12/2026/HĐ-SKHCN", signed_on=None):
    # Signed the day it is prepared: never before the funding decision the test just took.
    signed = signed_on or timezone.localdate()
    return {
        "number": number,
        "signed_on": signed,
        "starts_on": signed + datetime.timedelta(days=31),
        "ends_on": workflow.add_months(signed + datetime.timedelta(days=31), 24)
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
    return workflow.prepare_contract(
        proposal,
        by=officer,
        values=contract_values(proposal, number, signed_on),
        tranches=tranches if tranches is not None else one_tranche(proposal, signed_on),
        deliverables=[{"name": "Quy trình kỹ thuật", "quantity_indicator": "01 quy trình"}],
    )


def sign(proposal, officer, **kwargs):
    """Prepare the contract and sign it: the proposal is then in progress."""
    prepare(proposal, officer, **kwargs)
    return workflow.sign_contract(proposal, by=officer)
