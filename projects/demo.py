"""The demo's funded tasks run on: each contract prepared and signed, reports written and
decided, tranches released, changes asked for — through the steps of `projects` (contracts, reports,
tranches, changes), as people would."""

import datetime

from django.utils import timezone


def run_on(proposal, target, people):
    """Take a freshly funded demo proposal on to `target` (in_progress, completed, terminated)."""
    from grants import workflow as grants_workflow
    from projects.changes import refuse_change, request_change
    from projects.contracts import (
        contract_defaults,
        deliverables_from_dossier,
        prepare_contract,
        sign_contract,
    )
    from projects.reports import return_report, submit_report
    from projects.tranches import release_tranche
    from projects.workflow import add_months

    officer, manager = people["officer"], people["manager"]
    decided = proposal.decided_at
    start = timezone.localdate(decided) + datetime.timedelta(days=20)
    months = proposal.duration_months or 24
    values = {
        "number": f"{proposal.pk:02d}/{start.year}/HĐ-SKHCN",
        "signed_on": start,
        "starts_on": start,
        "ends_on": add_months(start, months) - datetime.timedelta(days=1),
        "department_signatory": "Trần Văn Hùng",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "Võ Văn Thắng",
        "host_representative_title": "Hiệu trưởng",
        "principal_investigator": contract_defaults(proposal)["principal_investigator"],
        "report_every_months": 6,
    }
    half = proposal.approved_amount // 2
    tranches = [
        {"due_on": start, "amount": half, "condition": "on_signing"},
        {
            "due_on": add_months(start, 7),
            "amount": proposal.approved_amount - half,
            "condition": "report_accepted",
            "report_number": 1,
        },
    ]
    deliverables = deliverables_from_dossier(proposal) or [
        {"name": "Báo cáo tổng hợp kết quả nghiên cứu"}
    ]
    with grants_workflow.clock(decided + datetime.timedelta(days=15)):
        prepare_contract(
            proposal, by=officer, values=values, tranches=tranches, deliverables=deliverables
        )
    with grants_workflow.clock(decided + datetime.timedelta(days=20)):
        proposal = sign_contract(proposal, by=officer)
    # The Treasury pays the tranche due on signing a few days later (Circular 04/2015).
    first = proposal.contract.tranches.get(position=1)
    with grants_workflow.clock(decided + datetime.timedelta(days=24)):
        release_tranche(
            first,
            by=officer,
            payment_order_number=f"UNC-{start.year}-{proposal.pk:03d}",
            payment_order_date=start + datetime.timedelta(days=3),
        )
    if target == "terminated":
        # The investigator asks to hand the task over; the manager refuses; report 1 comes back
        # for correction and is never sent again: the manager stops the task.
        contract = proposal.contract
        with grants_workflow.clock(decided + datetime.timedelta(days=100)):
            change = request_change(
                contract,
                by=proposal.owner,
                kind="investigator",
                reason="Chủ nhiệm được cử đi công tác dài hạn ở nước ngoài.",
                new_investigator="Phạm Thị Thu Hà",
            )
        with grants_workflow.clock(decided + datetime.timedelta(days=110)):
            refuse_change(
                change,
                by=manager,
                comment="Người được đề xuất chưa có ý kiến đồng ý của tổ chức chủ trì.",
            )
        report = contract.reports.get(number=1)
        after = report.period_end + datetime.timedelta(days=3)
        with grants_workflow.clock(moment(after)):
            write_report(report, proposal.owner)
            submit_report(report, by=proposal.owner)
        with grants_workflow.clock(moment(after + datetime.timedelta(days=4))):
            return_report(
                report,
                by=officer,
                comment="Bổ sung chứng từ chi của nội dung thuê khoán chuyên môn.",
            )
        with grants_workflow.clock(moment(after + datetime.timedelta(days=40))):
            grants_workflow.terminate(
                proposal, by=manager, comment="Chủ nhiệm chuyển công tác, không tiếp tục."
            )
    elif target == "completed":
        run_to_acceptance(proposal, people, start=start)
        with grants_workflow.clock(decided + datetime.timedelta(days=300)):
            grants_workflow.accept_results(proposal, by=officer)


SEATS = ("chair", "vice_chair", "secretary", "critic", "critic", "member", "member")


def moment(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def write_report(report, owner):
    """The investigator fills a progress report: work per product, the period's spending."""
    from projects import reporting
    from projects.reports import save_report_draft

    contract = report.contract
    budget = reporting.approved_budget(contract)
    first = next(iter(budget), None)
    save_report_draft(
        report,
        by=owner,
        work={
            str(d.pk): {"work": "Hoàn thành nội dung theo kế hoạch kỳ 1.", "reached": "60%"}
            for d in contract.deliverables.all()
        },
        spending={c: (contract.approved_amount // 4 if c == first else 0) for c in budget},
        problems="Không phát sinh vướng mắc.",
    )


def run_to_acceptance(proposal, people, *, start):
    """Report 1 written after its period, accepted and its tranche paid; then the acceptance
    dossier, a council of seven that grades it and the verdict (Circular 11/2014) — every step
    through the workflow, on believable dates after the contract's start."""
    from grants import workflow as grants_workflow
    from projects import acceptance as acceptance_workflow
    from projects import council, grading
    from projects.changes import approve_change, request_change
    from projects.models import ChangeRequest
    from projects.reports import accept_report, submit_report
    from projects.tranches import release_tranche

    officer, owner = people["officer"], proposal.owner
    contract = proposal.contract
    if (
        owner.email == "researcher2@example.org"
        and not ChangeRequest.objects.filter(contract__proposal__owner=owner).exists()
    ):
        # One of the finished tasks changed hands on the way, approved by the manager.
        with grants_workflow.clock(moment(start + datetime.timedelta(days=60))):
            change = request_change(
                contract,
                by=owner,
                kind="investigator",
                reason="Chủ nhiệm nghỉ hưu; thư ký khoa học tiếp tục chủ trì.",
                new_investigator="Lê Thị Hồng Nhung",
            )
        with grants_workflow.clock(moment(start + datetime.timedelta(days=67))):
            approve_change(change, by=people["manager"], comment="Đồng ý.")
    report = contract.reports.get(number=1)
    after = report.period_end + datetime.timedelta(days=3)
    with grants_workflow.clock(moment(after)):
        write_report(report, owner)
        submit_report(report, by=owner)
    with grants_workflow.clock(moment(after + datetime.timedelta(days=5))):
        accept_report(report, by=officer)
    second = contract.tranches.get(position=2)
    with grants_workflow.clock(moment(after + datetime.timedelta(days=9))):
        release_tranche(
            second,
            by=officer,
            payment_order_number=f"UNC-{after.year}-{proposal.pk:03d}-2",
            payment_order_date=after + datetime.timedelta(days=8),
        )
    filed = after + datetime.timedelta(days=20)
    with grants_workflow.clock(moment(filed)):
        acceptance = acceptance_workflow.acceptance_for(contract)
        acceptance_workflow.save_acceptance_draft(
            acceptance,
            by=owner,
            values={
                "final_report": (
                    "Báo cáo tổng hợp kết quả thực hiện nhiệm vụ: đã hoàn thành các nội dung "
                    "đăng ký, sản phẩm đạt chỉ tiêu số lượng và chất lượng của hợp đồng."
                ),
                "results": {
                    str(d.pk): {
                        "quantity": d.quantity_indicator or "Đạt số lượng đăng ký.",
                        "quality": d.quality_indicator or "Đạt yêu cầu chất lượng.",
                        "note": "",
                    }
                    for d in contract.deliverables.all()
                },
                "self_evaluation": "pass",
                "self_evaluation_note": "Nhiệm vụ hoàn thành đúng tiến độ và chỉ tiêu.",
            },
        )
        acceptance = acceptance_workflow.submit_acceptance(acceptance, by=owner)
    with grants_workflow.clock(moment(filed + datetime.timedelta(days=5))):
        council.set_council_size(acceptance, len(SEATS), by=officer)
        # Staff of the host sit as plain members (Circular 11/2014): they take the last seats.
        members = sorted(
            (people[f"reviewer{n}"] for n in range(1, len(SEATS) + 1)),
            key=lambda member: council.is_host_staff(proposal, member),
        )
        seats = [
            council.seat_member(acceptance, member, seat, by=officer)
            for member, seat in zip(members, SEATS, strict=True)
        ]
    with grants_workflow.clock(moment(filed + datetime.timedelta(days=7))):
        seats = [council.declare(seat, by=seat.member, no_conflict=True) for seat in seats]
    with grants_workflow.clock(moment(filed + datetime.timedelta(days=10))):
        council.start_grading(acceptance, by=officer)
    # Two members find the products excellent, the rest a pass: the council's verdict is pass.
    with grants_workflow.clock(moment(filed + datetime.timedelta(days=14))):
        for index, seat in enumerate(seats):
            grade = "excellent" if index < 2 else "pass"
            grading.save_grades(
                seat,
                by=seat.member,
                grades={
                    str(d.pk): {"quantity": grade, "quality": grade}
                    for d in grading.deliverables(acceptance)
                },
                report_grade=grade,
                review="Sản phẩm đúng đăng ký; hồ sơ đầy đủ, số liệu đáng tin cậy.",
                submit=True,
            )
