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
    elif target == "in_progress" and proposal.title in STAGES:
        STAGE_STEPS[STAGES[proposal.title]](proposal, people)


SEATS = ("chair", "vice_chair", "secretary", "critic", "critic", "member", "member")


def moment(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def write_report(report, owner, *, share=None):
    """The investigator fills a progress report: work per product, the period's spending (a
    quarter of the task's money in its first category, or `share` of every category)."""
    from projects import reporting
    from projects.reports import save_report_draft

    contract = report.contract
    budget = reporting.approved_budget(contract)
    first = next(iter(budget), None)
    if share is not None:
        spending = {c: amount * share[0] // share[1] for c, amount in budget.items()}
    else:
        spending = {c: (contract.approved_amount // 4 if c == first else 0) for c in budget}
    save_report_draft(
        report,
        by=owner,
        work={
            str(d.pk): {"work": "Hoàn thành nội dung theo kế hoạch kỳ 1.", "reached": "60%"}
            for d in contract.deliverables.all()
        },
        spending=spending,
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


# -- the running tasks, each standing where someone has work to do today ------------------------

# How the running tasks of the scenario (`grants.demo.SCENARIO`) stand today. A running task not
# named here (researcher@'s, which the tests start from) has only its first tranche paid.
STAGES = {
    "Gieo sạ và bón phân bằng thiết bị bay không người lái cho cánh đồng lớn Thoại Sơn": "report_submitted",
    "Tưới tiết kiệm nước tự động theo độ ẩm đất cho vườn xoài Ba Màu tại Tịnh Biên": "change_requested",
    "Quy trình sản xuất nước mắm cá cơm Phú Quốc giảm muối, giữ hàm lượng đạm": "acceptance_draft",
    "Chế biến bột chuối xanh giàu tinh bột kháng từ chuối già Nam Mỹ loại 2": "acceptance_submitted",
    "Sấy khô cá lóc một nắng đạt chuẩn OCOP bằng nhà sấy năng lượng mặt trời": "acceptance_returned",
    "Bảo quản lúa giống bằng bao kín khí cho hợp tác xã vùng Tứ giác Long Xuyên": "acceptance_grading",
}  # fmt: skip

# The members of the grading council who have not graded yet (the others have).
STILL_TO_GRADE = ("reviewer1@example.org", "reviewer7@example.org")


def days_ago(days, hour=9):
    """A moment `days` before today, in An Giang's calendar."""
    return moment(timezone.localdate() - datetime.timedelta(days=days), hour)


def accept_reports(proposal, people):
    """Every report whose period has ended (a few days ago at least) written and submitted five
    days after its period, accepted six days later; the second tranche paid after report 1."""
    from grants import workflow as grants_workflow
    from projects import reports, tranches

    officer, owner = people["officer"], proposal.owner
    contract = proposal.contract
    today = timezone.localdate()
    for report in contract.reports.filter(period_end__lt=today - datetime.timedelta(days=12)):
        after = report.period_end + datetime.timedelta(days=5)
        with grants_workflow.clock(moment(after)):
            write_report(report, owner, share=(1, 3))
            reports.submit_report(report, by=owner)
        accepted = after + datetime.timedelta(days=6)
        with grants_workflow.clock(moment(accepted)):
            reports.accept_report(report, by=officer)
        if report.number == 1:
            second = contract.tranches.get(position=2)
            with grants_workflow.clock(moment(accepted + datetime.timedelta(days=4))):
                tranches.release_tranche(
                    second,
                    by=officer,
                    payment_order_number=f"UNC-{accepted.year}-{proposal.pk:03d}-2",
                    payment_order_date=accepted + datetime.timedelta(days=3),
                )


def report_waiting(proposal, people):
    """Report 1 sent after its period, waiting for the officer's decision."""
    from grants import workflow as grants_workflow
    from projects import reports

    owner = proposal.owner
    report = proposal.contract.reports.get(number=1)
    day = min(
        report.period_end + datetime.timedelta(days=12),
        timezone.localdate() - datetime.timedelta(days=2),
    )
    with grants_workflow.clock(moment(day)):
        write_report(report, owner, share=(1, 3))
        reports.submit_report(report, by=owner)


def change_waiting(proposal, people):
    """Report 1 accepted; then the investigator asks to move money between categories, which
    waits for a manager."""
    from grants import workflow as grants_workflow
    from projects import changes

    accept_reports(proposal, people)
    with grants_workflow.clock(days_ago(3)):
        changes.request_change(
            proposal.contract,
            by=proposal.owner,
            kind="reallocation",
            reason=(
                "Giá cảm biến độ ẩm đất tăng so với báo giá khi lập dự toán; chuyến khảo sát được "
                "ghép với đợt tập huấn nên công tác phí còn dư."
            ),
            reallocation={"travel": -30_000_000, "equipment": 30_000_000},
        )


def dossier_values(contract, *, complete=True):
    """The acceptance dossier as the investigator writes it; `complete=False` is still a draft
    (the products' results half written, no self-evaluation yet)."""
    deliverables = list(contract.deliverables.order_by("position", "pk"))
    written = deliverables if complete else deliverables[:1]
    return {
        "final_report": (
            "Báo cáo tổng hợp kết quả thực hiện nhiệm vụ: đã hoàn thành các nội dung đăng ký; "
            "sản phẩm đã được kiểm nghiệm và đưa vào sản xuất thử tại đơn vị tiếp nhận."
        ),
        "results": {
            str(d.pk): {
                "quantity": d.quantity_indicator or "Đạt số lượng đăng ký trong hợp đồng.",
                "quality": d.quality_indicator or "Đạt các chỉ tiêu chất lượng đăng ký.",
                "note": "",
            }
            for d in written
        },
        "self_evaluation": "pass" if complete else "",
        "self_evaluation_note": (
            "Nhiệm vụ hoàn thành đúng tiến độ, sản phẩm đạt chỉ tiêu của hợp đồng."
            if complete
            else ""
        ),
    }


def acceptance_filed(proposal, people, *, days):
    """The reports accepted, then the acceptance dossier written and submitted `days` ago."""
    from grants import workflow as grants_workflow
    from projects import acceptance as acceptance_workflow

    accept_reports(proposal, people)
    with grants_workflow.clock(days_ago(days)):
        acceptance = acceptance_workflow.acceptance_for(proposal.contract)
        acceptance_workflow.save_acceptance_draft(
            acceptance, by=proposal.owner, values=dossier_values(proposal.contract)
        )
        return acceptance_workflow.submit_acceptance(acceptance, by=proposal.owner)


def acceptance_draft(proposal, people):
    """The investigator has begun the acceptance dossier and not sent it yet."""
    from grants import workflow as grants_workflow
    from projects import acceptance as acceptance_workflow

    accept_reports(proposal, people)
    with grants_workflow.clock(days_ago(6)):
        acceptance = acceptance_workflow.acceptance_for(proposal.contract)
        acceptance_workflow.save_acceptance_draft(
            acceptance,
            by=proposal.owner,
            values=dossier_values(proposal.contract, complete=False),
        )


def acceptance_submitted(proposal, people):
    """The dossier was sent three days ago: the officer is to form its council."""
    acceptance_filed(proposal, people, days=3)


def acceptance_returned(proposal, people):
    """The officer sent the dossier back with what it must add."""
    from grants import workflow as grants_workflow
    from projects import acceptance as acceptance_workflow

    acceptance = acceptance_filed(proposal, people, days=14)
    with grants_workflow.clock(days_ago(9)):
        acceptance_workflow.return_acceptance(
            acceptance,
            by=people["officer"],
            reason=(
                "Bổ sung phiếu kết quả thử nghiệm sản phẩm do phòng thí nghiệm được công nhận "
                "(VILAS) cấp và giấy chứng nhận OCOP của hai sản phẩm đã kê khai."
            ),
        )


def acceptance_grading(proposal, people):
    """A council of seven seated and grading: five members have graded, two (among them
    reviewer1@) still have to, before the deadline."""
    from grants import workflow as grants_workflow
    from projects import council, grading

    officer = people["officer"]
    acceptance = acceptance_filed(proposal, people, days=24)
    due = days_ago(-5, hour=17)
    with grants_workflow.clock(days_ago(20)):
        council.set_council_size(acceptance, len(SEATS), by=officer)
        members = sorted(
            (people[f"reviewer{n}"] for n in range(1, len(SEATS) + 1)),
            key=lambda member: council.is_host_staff(proposal, member),
        )
        seats = [
            council.seat_member(acceptance, member, seat, by=officer, due_at=due)
            for member, seat in zip(members, SEATS, strict=True)
        ]
    with grants_workflow.clock(days_ago(18)):
        seats = [council.declare(seat, by=seat.member, no_conflict=True) for seat in seats]
    with grants_workflow.clock(days_ago(15)):
        council.start_grading(acceptance, by=officer)
    graders = [seat for seat in seats if seat.member.email not in STILL_TO_GRADE]
    for index, seat in enumerate(graders):
        with grants_workflow.clock(days_ago(12 - index)):
            grading.save_grades(
                seat,
                by=seat.member,
                grades={
                    str(d.pk): {"quantity": "pass", "quality": "pass"}
                    for d in grading.deliverables(acceptance)
                },
                report_grade="pass",
                review="Sản phẩm đạt chỉ tiêu đăng ký; đề nghị bổ sung số liệu bảo quản tháng thứ 6.",
                submit=True,
            )


STAGE_STEPS = {
    "report_submitted": report_waiting,
    "change_requested": change_waiting,
    "acceptance_draft": acceptance_draft,
    "acceptance_submitted": acceptance_submitted,
    "acceptance_returned": acceptance_returned,
    "acceptance_grading": acceptance_grading,
}
