"""Complete dossiers for the demo, the benchmark and the tests' starting points.

They are built with the same functions the screens use (`dossier.add_attachment`) and moved
with `grants.workflow`, so the demo shows what the portal really produces.
"""

from django.core.files.base import ContentFile
from django.utils.text import slugify

from core.text import fold
from grants import dossier
from grants.dossier import draft_for  # noqa: F401  (the demo starts where "Apply" does)
from grants.models import BudgetLine

DEFAULT_BUDGET = (
    ("labour", "Công lao động của các thành viên thực hiện", 420_000_000),
    ("materials", "Giống, phân bón, vật tư thí nghiệm", 260_000_000),
    ("equipment", "Thiết bị đo mặn cầm tay, cảm biến", 90_000_000),
    ("travel", "Công tác phí khảo sát tại Kiên Lương, An Biên", 60_000_000),
    ("services", "Phân tích mẫu tại phòng thí nghiệm chuẩn", 120_000_000),
    ("other", "Hội thảo, nghiệm thu cơ sở", 50_000_000),
)


def budget_for(total):
    """DEFAULT_BUDGET's shape scaled to about `total`, in whole millions of đồng."""
    base = sum(amount for _c, _d, amount in DEFAULT_BUDGET)
    return tuple(
        (category, description, amount * total // base // 1_000_000 * 1_000_000)
        for category, description, amount in DEFAULT_BUDGET
    )


def fill(proposal, *, title, abstract="", keywords="", budget=DEFAULT_BUDGET, by=None, members=()):
    """Write every section of a dossier and attach the call's required templates."""
    proposal.title = title
    proposal.keywords = keywords or "lúa chịu mặn, chọn giống, biến đổi khí hậu"
    proposal.abstract = abstract or (
        "Nhiệm vụ chọn tạo và khảo nghiệm giống phù hợp điều kiện xâm nhập mặn của An Giang."
    )
    proposal.rationale = (
        "Xâm nhập mặn mùa khô ngày càng sâu vào các huyện ven biển; nông dân cần giống và quy "
        "trình canh tác thích ứng để giữ năng suất và thu nhập."
    )
    proposal.objectives = "Chọn được 02 giống chịu mặn 4‰, năng suất từ 7 tấn/ha."
    proposal.content_methods = (
        "Nội dung 1: Lai tạo và chọn lọc. Nội dung 2: Khảo nghiệm tại 3 điểm. "
        "Nội dung 3: Xây dựng mô hình trình diễn 10 ha."
    )
    proposal.expected_products = "02 giống lúa; 01 quy trình canh tác; 02 bài báo khoa học."
    proposal.application_plan = "Chuyển giao cho Công ty CP Lương thực An Giang và các hợp tác xã."
    proposal.duration_months = 24
    proposal.counterpart_funding = 150_000_000
    proposal.save()
    for position, (category, description, amount) in enumerate(budget):
        BudgetLine.objects.create(
            proposal=proposal,
            category=category,
            description=description,
            amount=amount,
            position=position,
        )
    for position, (full_name, role, organisation_name, *title) in enumerate(members, start=1):
        proposal.team.create(
            full_name=full_name,
            title=title[0] if title else "",
            role=role,
            organisation_name=organisation_name,
            position=position,
        )
    for template in proposal.call.templates.filter(required=True):
        with template.document.file.open("rb") as source:
            extension = template.document.file_extension
            upload = ContentFile(source.read(), name=f"{slugify(fold(template.title))}.{extension}")
        dossier.add_attachment(proposal, upload, by=by or proposal.owner, template=template)
    return proposal


# -- the demo's proposals in every state, moved by the workflow as people would ------------------

GOOD_BALLOT = {
    "overview": 10,
    "content": 20,
    "products": 13,
    "application": 14,
    "feasibility": 13,
    "capacity": 14,
}
WEAK_BALLOT = {
    "overview": 8,
    "content": 14,
    "products": 10,
    "application": 10,
    "feasibility": 9,
    "capacity": 11,
}

# (call code, owner key, title, final state)
SCENARIO = (
    ("AG-NN01", "researcher", "Chọn tạo giống lúa thơm chịu mặn AGU-ST1 cho vùng ven biển Kiên Lương", "draft"),
    ("AG-NN01", "researcher2", "Tuyển chọn dòng lúa thơm chịu mặn 4‰ từ tập đoàn giống địa phương", "submitted"),
    ("AG-TS01", "researcher2", "Quy trình nuôi cá tra tuần hoàn tiết kiệm nước quy mô nông hộ tại Châu Phú", "returned"),
    ("AG-TS01", "researcher", "Chọn lọc đàn cá tra bố mẹ kháng bệnh gan thận mủ", "eligible"),
    ("AG-CDS01", "researcher2", "Hệ thống truy xuất nguồn gốc xoài Ba Màu bằng mã QR", "ineligible"),
    ("AG-CDS01", "researcher", "Nền tảng số quản lý vùng trồng lúa đạt chuẩn xuất khẩu", "withdrawn"),
    ("AG-NNTM25", "researcher", "Cảm biến IoT cảnh báo xâm nhập mặn cho ruộng lúa Hòn Đất", "under_review"),
    ("AG-NNTM25", "researcher2", "Mô hình tưới ướt khô xen kẽ giảm phát thải trên lúa", "reviewed"),
    ("AG-NNTM25", "researcher", "Ứng dụng ảnh vệ tinh dự báo năng suất lúa vụ Đông Xuân", "funded"),
    ("AG-NNTM25", "researcher2", "Máy sấy lúa dùng năng lượng mặt trời cho hợp tác xã", "rejected"),
    ("AG-CNSH24", "researcher", "Chế phẩm vi sinh xử lý rơm rạ tại ruộng", "in_progress"),
    ("AG-CNSH24", "researcher2", "Nhân giống in vitro chuối già Nam Mỹ sạch bệnh", "completed"),
    ("AG-CNSH24", "researcher", "Sản xuất thức ăn cá tra từ phụ phẩm chế biến", "terminated"),
    ("AG-CNSH24", "researcher", "Màng bao sinh học kéo dài thời gian bảo quản xoài Cát Hòa Lộc xuất khẩu", "completed"),
    ("AG-CNSH24", "researcher2", "Chế phẩm nấm đối kháng Trichoderma phòng bệnh thối rễ sầu riêng và bưởi", "completed"),
)  # fmt: skip


# Sector, abstract and keywords of the dossiers that are not about rice (the default text of `fill`).
DETAILS = {
    "Chế phẩm vi sinh xử lý rơm rạ tại ruộng": ("biotechnology", "Tuyển chọn chủng vi sinh phân hủy nhanh rơm rạ tại ruộng, thay cho đốt đồng, và xây dựng quy trình sản xuất chế phẩm quy mô hợp tác xã.", "vi sinh, rơm rạ, phân hủy, giảm phát thải"),
    "Nhân giống in vitro chuối già Nam Mỹ sạch bệnh": ("biotechnology", "Hoàn thiện quy trình nhân giống chuối già Nam Mỹ bằng nuôi cấy mô, sạch bệnh héo rũ Panama, cung cấp cây giống cho vùng chuyên canh của tỉnh.", "nuôi cấy mô, chuối già Nam Mỹ, cây giống sạch bệnh"),
    "Sản xuất thức ăn cá tra từ phụ phẩm chế biến": ("aquaculture", "Tận dụng đầu, xương cá tra từ nhà máy chế biến làm nguyên liệu thức ăn, giảm giá thành nuôi.", "cá tra, thức ăn thủy sản, phụ phẩm"),
    "Màng bao sinh học kéo dài thời gian bảo quản xoài Cát Hòa Lộc xuất khẩu": ("biotechnology", "Nghiên cứu màng bao sinh học từ chitosan và tinh bột để kéo dài thời gian bảo quản xoài Cát Hòa Lộc lên 3 tuần, đáp ứng xuất khẩu bằng đường biển.", "xoài Cát Hòa Lộc, màng bao sinh học, bảo quản sau thu hoạch"),
    "Chế phẩm nấm đối kháng Trichoderma phòng bệnh thối rễ sầu riêng và bưởi": ("biotechnology", "Phân lập, tuyển chọn chủng Trichoderma bản địa và sản xuất chế phẩm dạng bột phòng bệnh thối rễ trên sầu riêng và bưởi.", "Trichoderma, thối rễ, sầu riêng, bưởi"),
}  # fmt: skip


def seed_proposals(*, people, stdout=None, after_funding=None):
    """Create the demo's proposals once, each moved to its state by `grants.workflow`;
    `after_funding(proposal, target)` takes a funded one on (the portal passes `projects.demo`)."""
    import datetime

    from django.utils import timezone

    from grants import appraisal, council, workflow
    from grants.models import CallPage, Proposal

    if Proposal.objects.exists():
        return 0
    officer, manager = people["officer"], people["manager"]
    reviewers = [people[f"reviewer{n}"] for n in range(1, 8)]
    seats = ["chair", "vice_chair", "secretary", "critic", "critic", "member", "member"]
    created = 0
    for code, owner_key, title, target in SCENARIO:
        call = CallPage.objects.get(code=code, locale__language_code="vi")
        owner = people[owner_key]
        day = call.opens_at + datetime.timedelta(days=3)
        step = datetime.timedelta(days=4)
        # The draft was started a couple of days before it was first submitted: written then,
        # on the workflow's clock (its creation date follows it).
        with workflow.clock(day - datetime.timedelta(days=2)):
            proposal, _new = draft_for(call, owner)
            sector_slug, abstract, keywords = DETAILS.get(title, (None, "", ""))
            if sector_slug:
                proposal.sector = call.sectors.get(slug=sector_slug)
            fill(
                proposal,
                title=title,
                abstract=abstract,
                keywords=keywords,
                budget=budget_for(call.max_per_project * min(60 + 3 * created, 96) // 100),
                members=[
                    ("Lê Thị Hồng Nhung", "secretary", "Trường Đại học An Giang", "ThS."),
                    ("Nguyễn Văn Phúc", "member", "Trung tâm Khuyến nông tỉnh An Giang", "KS."),
                ],
            )
        created += 1
        if target == "draft":
            proposal.content_methods = ""  # still being written: the panel shows what is missing
            proposal.save()
            continue
        with workflow.clock(day):
            proposal = workflow.submit(proposal, by=owner, ip="203.162.10.21")
        if target == "withdrawn":
            with workflow.clock(day + step):
                workflow.withdraw(proposal, by=owner, comment="Chuyển sang đợt sau.")
            continue
        if target == "returned":
            with workflow.clock(day + step):
                workflow.return_for_revision(
                    proposal,
                    by=officer,
                    comment="Bổ sung xác nhận của tổ chức chủ trì và báo giá thiết bị.",
                    revision_deadline=timezone.localtime().replace(
                        hour=17, minute=0, second=0, microsecond=0
                    )
                    + datetime.timedelta(days=10),
                )
            continue
        if target == "ineligible":
            with workflow.clock(day + step):
                workflow.mark_ineligible(
                    proposal, by=officer, comment="Tổ chức chủ trì không có chức năng KH&CN."
                )
            continue
        if target == "submitted":
            continue
        with workflow.clock(day + step):
            proposal = workflow.mark_eligible(proposal, by=officer)
        if target == "eligible":
            continue
        # The officer seats the council from the pool (the system blocks reviewers from the
        # applicant's organisation); each member declares, then scores on the call's rubric.
        members = [r for r in reviewers if not council.conflict_reason(proposal, r)]
        # A council still scoring has its deadline ahead; the others met theirs long ago.
        due = timezone.now() + datetime.timedelta(days=7) if target == "under_review" else None
        with workflow.clock(day + step + datetime.timedelta(days=1)):
            for reviewer, seat in zip(members, seats, strict=False):
                assignment = council.seat(
                    proposal, reviewer, seat, by=officer, due_at=due or day + 3 * step
                )
                council.declare(assignment, by=reviewer, no_conflict=True)
        with workflow.clock(day + 2 * step):
            proposal = workflow.start_review(proposal, by=officer)
        base = WEAK_BALLOT if target == "rejected" else GOOD_BALLOT
        keys = [c.key for c in proposal.call.get_rubric().criteria.all()]
        submitting = members[:4] if target == "under_review" else members
        for index, reviewer in enumerate(submitting):
            scores = {key: max(base.get(key, 10) - (index % 3) + 1, 0) for key in keys}
            if target == "reviewed" and index == len(submitting) - 1:
                # One member scored far below the others: the rule leaves the ballot out.
                scores = {key: value // 2 for key, value in scores.items()}
            assignment = proposal.assignments.get(reviewer=reviewer)
            with workflow.clock(day + 3 * step - datetime.timedelta(days=index % 3)):
                council.save_ballot(
                    assignment,
                    by=reviewer,
                    scores=scores,
                    comments={keys[1]: "Phương pháp phù hợp; cần làm rõ quy mô khảo nghiệm."},
                    comment="Nội dung phù hợp định hướng phát triển của tỉnh.",
                    submit=True,
                )
        proposal.refresh_from_db()  # the last ballot closed the review by itself
        if target in ("under_review", "reviewed"):
            continue
        if target == "rejected":
            with workflow.clock(day + 4 * step):
                workflow.reject(
                    proposal,
                    by=manager,
                    comment="Điểm tổng hợp dưới 70; chưa đủ điều kiện tài trợ.",
                )
            continue
        appraisal_day = timezone.localdate(day + 3 * step + datetime.timedelta(days=2))
        lines = {}
        for index, line in enumerate(proposal.budget_lines.all()):
            cut = 50_000_000 if index == 0 else 0
            reason = "Công lao động vượt định mức tại Thông tư 02/2023/TT-BKHCN." if cut else ""
            lines[line.pk] = (line.amount - cut, reason)
        with workflow.clock(day + 3 * step + datetime.timedelta(days=2)):
            appraisal.record(
                proposal,
                by=officer,
                members={
                    "professional": "Huỳnh Thanh Tâm",
                    "finance": "Trần Thị Mỹ Duyên",
                    "fund": "Lê Văn Hiếu",
                    "council": members[0].profile.full_name,
                    "secretary": "Phạm Thu Trang",
                },
                lines=lines,
                quotes=[
                    (
                        "Thiết bị đo mặn cầm tay",
                        "Công ty TNHH Thiết bị Khoa học Cần Thơ",
                        appraisal_day - datetime.timedelta(days=12),
                        45_000_000,
                    )
                ],
                note="Dự toán hợp lý sau khi điều chỉnh khoản công lao động.",
                today=appraisal_day,
            )
        proposal.refresh_from_db()
        with workflow.clock(day + 4 * step):
            proposal = workflow.fund(
                proposal, by=manager, approved_amount=proposal.appraised_amount
            )
        # What follows funding (contract, reports, tranches, acceptance) is `projects.demo`'s,
        # at once: a task terminated before the next decision gives its money back to the call.
        if target != "funded" and after_funding is not None:
            after_funding(proposal, target)
    return created
