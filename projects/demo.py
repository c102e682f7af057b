"""The demo's funded tasks run on: each contract prepared and signed, reports written and
decided, tranches released, changes asked for — through `projects.workflow`, as people would."""

import datetime

from django.utils import timezone


def run_on(proposal, target, people):
    """Take a freshly funded demo proposal on to `target` (in_progress, completed, terminated)."""
    from grants import workflow as grants_workflow
    from grants.models import Proposal
    from projects import workflow

    officer, manager = people["officer"], people["manager"]
    decided = proposal.decided_at
    start = timezone.localdate(decided) + datetime.timedelta(days=20)
    months = proposal.duration_months or 24
    values = {
        "number": f"{proposal.pk:02d}/{start.year}/HĐ-SKHCN",
        "signed_on": start,
        "starts_on": start,
        "ends_on": workflow.add_months(start, months) - datetime.timedelta(days=1),
        "department_signatory": "Trần Văn Hùng",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "Võ Văn Thắng",
        "host_representative_title": "Hiệu trưởng",
        "principal_investigator": workflow.contract_defaults(proposal)["principal_investigator"],
        "report_every_months": 6,
    }
    half = proposal.approved_amount // 2
    tranches = [
        {"due_on": start, "amount": half, "condition": "on_signing"},
        {
            "due_on": workflow.add_months(start, 7),
            "amount": proposal.approved_amount - half,
            "condition": "report_accepted",
            "report_number": 1,
        },
    ]
    deliverables = workflow.deliverables_from_dossier(proposal) or [
        {"name": "Báo cáo tổng hợp kết quả nghiên cứu"}
    ]
    with grants_workflow.clock(decided + datetime.timedelta(days=15)):
        workflow.prepare_contract(
            proposal, by=officer, values=values, tranches=tranches, deliverables=deliverables
        )
    with grants_workflow.clock(decided + datetime.timedelta(days=20)):
        proposal = workflow.sign_contract(proposal, by=officer)
    # The Treasury pays the tranche due on signing a few days later (Circular 04/2015).
    first = proposal.contract.tranches.get(position=1)
    with grants_workflow.clock(decided + datetime.timedelta(days=24)):
        workflow.release_tranche(
            first,
            by=officer,
            payment_order_number=f"UNC-{start.year}-{proposal.pk:03d}",
            payment_order_date=start + datetime.timedelta(days=3),
        )
    if target == "terminated":
        with grants_workflow.clock(decided + datetime.timedelta(days=160)):
            grants_workflow.terminate(
                proposal, by=manager, comment="Chủ nhiệm chuyển công tác, không tiếp tục."
            )
    elif target == "completed":
        # The acceptance council is the next issue's: until then its verdict is written here.
        Proposal.objects.filter(pk=proposal.pk).update(acceptance_verdict="pass")
        with grants_workflow.clock(decided + datetime.timedelta(days=260)):
            grants_workflow.accept_results(proposal, by=officer)
