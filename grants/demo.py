"""Complete dossiers for the demo, the benchmark and the tests' starting points.

They are built with the same functions the screens use (`dossier.add_attachment`) and moved
with `grants.workflow`, so the demo shows what the portal really produces.
"""

from django.core.files.base import ContentFile

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


def fill(proposal, *, title, abstract="", budget=DEFAULT_BUDGET, by=None, members=()):
    """Write every section of a dossier and attach the call's required templates."""
    proposal.title = title
    proposal.keywords = "lúa chịu mặn, chọn giống, biến đổi khí hậu"
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
    for position, (full_name, role, organisation_name) in enumerate(members, start=1):
        proposal.team.create(
            full_name=full_name,
            role=role,
            organisation_name=organisation_name,
            position=position,
        )
    for template in proposal.call.templates.filter(required=True):
        with template.document.file.open("rb") as source:
            upload = ContentFile(source.read(), name=f"{template.document.filename}")
        dossier.add_attachment(proposal, upload, by=by or proposal.owner, template=template)
    return proposal
