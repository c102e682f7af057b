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


def fill(
    proposal, *, title, abstract="", keywords="", budget=DEFAULT_BUDGET, by=None, members=(),
    objectives="", rationale="", content_methods="", expected_products="", application_plan="",
    duration_months=24,
):  # fmt: skip
    """Write every section of a dossier and attach the call's required templates (a section
    left empty gets the salt-tolerant rice dossier's text, which the tests start from)."""
    proposal.title = title
    proposal.keywords = keywords or "lúa chịu mặn, chọn giống, biến đổi khí hậu"
    proposal.abstract = abstract or (
        "Nhiệm vụ chọn tạo và khảo nghiệm giống phù hợp điều kiện xâm nhập mặn của An Giang."
    )
    proposal.rationale = rationale or (
        "Xâm nhập mặn mùa khô ngày càng sâu vào các huyện ven biển; nông dân cần giống và quy "
        "trình canh tác thích ứng để giữ năng suất và thu nhập."
    )
    proposal.objectives = objectives or "Chọn được 02 giống chịu mặn 4‰, năng suất từ 7 tấn/ha."
    proposal.content_methods = content_methods or (
        "Nội dung 1: Lai tạo và chọn lọc. Nội dung 2: Khảo nghiệm tại 3 điểm. "
        "Nội dung 3: Xây dựng mô hình trình diễn 10 ha."
    )
    proposal.expected_products = (
        expected_products or "02 giống lúa; 01 quy trình canh tác; 02 bài báo khoa học."
    )
    proposal.application_plan = application_plan or (
        "Chuyển giao cho Công ty CP Lương thực An Giang và các hợp tác xã."
    )
    proposal.duration_months = duration_months
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

# (call code, owner key, title, final state). The running tasks after the first one stand at the
# different points of execution `projects.demo.STAGES` names (a report or a change waiting, an
# acceptance dossier at each step); their owners lead two tasks at most, as the Circular allows.
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
    ("AG-NNTM25", "researcher2", "Gieo sạ và bón phân bằng thiết bị bay không người lái cho cánh đồng lớn Thoại Sơn", "in_progress"),
    ("AG-NNTM25", "researcher4", "Tưới tiết kiệm nước tự động theo độ ẩm đất cho vườn xoài Ba Màu tại Tịnh Biên", "in_progress"),
    ("AG-CBNS25", "researcher5", "Quy trình sản xuất nước mắm cá cơm Phú Quốc giảm muối, giữ hàm lượng đạm", "in_progress"),
    ("AG-CBNS25", "researcher4", "Chế biến bột chuối xanh giàu tinh bột kháng từ chuối già Nam Mỹ loại 2", "in_progress"),
    ("AG-CBNS25", "researcher5", "Sấy khô cá lóc một nắng đạt chuẩn OCOP bằng nhà sấy năng lượng mặt trời", "in_progress"),
    ("AG-CBNS25", "researcher2", "Bảo quản lúa giống bằng bao kín khí cho hợp tác xã vùng Tứ giác Long Xuyên", "in_progress"),
    # Reviewed and appraised: the funding decision waits for the manager.
    ("AG-NNTM25", "researcher5", "Bón phân đạm theo bảng so màu lá lúa cho cánh đồng lớn Châu Thành", "appraised"),
)  # fmt: skip


# What each dossier of the scenario says: its sector (one of its call's), abstract, objectives,
# keywords, rationale, content and methods, expected products (one deliverable of the contract
# per item), application plan and duration. Every dossier reads as its own proposal.
DETAILS = {
    "Chọn tạo giống lúa thơm chịu mặn AGU-ST1 cho vùng ven biển Kiên Lương": {
        "sector": "rice",
        "abstract": "Lai tạo, chọn lọc và khảo nghiệm giống lúa thơm AGU-ST1 chịu mặn 4‰ cho vùng ven biển Kiên Lương, Hòn Đất, nơi mùa khô nước mặn vào sâu nội đồng.",
        "objectives": "Chọn được 01 giống lúa thơm chịu mặn 4‰, năng suất từ 6,5 tấn/ha, được công nhận sản xuất thử.",
        "keywords": "lúa thơm, chịu mặn, AGU-ST1, Kiên Lương",
        "products": "01 giống lúa thơm AGU-ST1 được công nhận sản xuất thử; 01 quy trình canh tác trên đất nhiễm mặn; 01 bài báo khoa học"},
    "Tuyển chọn dòng lúa thơm chịu mặn 4‰ từ tập đoàn giống địa phương": {
        "sector": "rice",
        "abstract": "Đánh giá 120 mẫu giống lúa địa phương của vùng Tứ giác Long Xuyên bằng chỉ thị phân tử để tìm nguồn gen chịu mặn, phục vụ chọn tạo giống lúa thơm mới.",
        "objectives": "Xác định được 05 dòng lúa mang gen chịu mặn Saltol, chịu mặn 4‰ ở giai đoạn mạ.",
        "keywords": "tập đoàn giống, chỉ thị phân tử, Saltol, nguồn gen",
        "products": "05 dòng lúa thuần chịu mặn 4‰; 01 cơ sở dữ liệu kiểu gen của 120 mẫu giống; 02 bài báo khoa học"},
    "Quy trình nuôi cá tra tuần hoàn tiết kiệm nước quy mô nông hộ tại Châu Phú": {
        "sector": "aquaculture",
        "abstract": "Thiết kế hệ thống lọc sinh học và tuần hoàn nước cho ao nuôi cá tra 0,5–1 ha của nông hộ, giảm lượng nước thay và nước thải ra sông Hậu.",
        "objectives": "Giảm 30% lượng nước thải, hệ số thức ăn không quá 1,5, tỷ lệ sống từ 80%.",
        "keywords": "cá tra, nuôi tuần hoàn, lọc sinh học, nước thải",
        "rationale": "Nuôi cá tra thâm canh thải lượng lớn nước giàu hữu cơ ra sông Hậu; nông hộ cần mô hình tuần hoàn vừa túi tiền.",
        "methods": "Nội dung 1: Thiết kế bể lọc sinh học. Nội dung 2: Nuôi thử nghiệm 3 ao tại Châu Phú. Nội dung 3: Đánh giá hiệu quả kinh tế.",
        "products": "01 quy trình nuôi cá tra tuần hoàn quy mô nông hộ; 01 mô hình trình diễn 1 ha; 01 sổ tay hướng dẫn",
        "application": "Chuyển giao cho các hộ nuôi và Hội Thủy sản huyện Châu Phú."},
    "Chọn lọc đàn cá tra bố mẹ kháng bệnh gan thận mủ": {
        "sector": "aquaculture",
        "abstract": "Chọn lọc gia đình cá tra có sức kháng bệnh gan thận mủ do vi khuẩn Edwardsiella ictaluri qua thử thách cảm nhiễm, tạo đàn bố mẹ cho các trại giống của tỉnh.",
        "objectives": "Tạo đàn 500 cặp cá tra bố mẹ có tỷ lệ sống sau cảm nhiễm cao hơn đàn đối chứng 20%.",
        "keywords": "cá tra bố mẹ, gan thận mủ, chọn lọc gia đình, kháng bệnh",
        "rationale": "Bệnh gan thận mủ gây hao hụt lớn và buộc dùng kháng sinh; đàn bố mẹ kháng bệnh giải quyết từ gốc.",
        "methods": "Nội dung 1: Lập 60 gia đình cá tra. Nội dung 2: Thử thách cảm nhiễm. Nội dung 3: Chọn lọc và nhân đàn bố mẹ.",
        "products": "500 cặp cá tra bố mẹ kháng bệnh; 01 quy trình chọn lọc gia đình; 01 bài báo khoa học",
        "application": "Cung cấp cá bố mẹ cho các trại giống ở Châu Đốc, Châu Phú."},
    "Hệ thống truy xuất nguồn gốc xoài Ba Màu bằng mã QR": {
        "sector": "traceability",
        "abstract": "Xây dựng hệ thống cấp mã QR cho từng lô xoài Ba Màu, gắn với mã vùng trồng và nhật ký canh tác của hợp tác xã ở Tịnh Biên.",
        "objectives": "100% lô xoài của 3 hợp tác xã thí điểm có tem QR truy xuất đến vườn trồng.",
        "keywords": "xoài Ba Màu, truy xuất nguồn gốc, mã QR, mã vùng trồng",
        "rationale": "Nhà nhập khẩu yêu cầu truy xuất đến vườn; xoài Ba Màu hiện chưa có hệ thống dùng chung.",
        "methods": "Nội dung 1: Khảo sát quy trình của hợp tác xã. Nội dung 2: Xây dựng phần mềm. Nội dung 3: Thí điểm tại 3 hợp tác xã.",
        "products": "01 phần mềm truy xuất nguồn gốc; 01 bộ tem QR mẫu; 01 tài liệu hướng dẫn sử dụng",
        "application": "Bàn giao cho Sở Nông nghiệp và Môi trường và các hợp tác xã xoài."},
    "Nền tảng số quản lý vùng trồng lúa đạt chuẩn xuất khẩu": {
        "sector": "digital-transformation",
        "abstract": "Số hóa bản đồ vùng trồng lúa, nhật ký sản xuất và dư lượng thuốc bảo vệ thực vật để doanh nghiệp chứng minh vùng nguyên liệu đạt chuẩn xuất khẩu.",
        "objectives": "Quản lý 5.000 ha vùng trồng lúa với bản đồ số và nhật ký điện tử của từng thửa.",
        "keywords": "vùng trồng, bản đồ số, lúa xuất khẩu, nhật ký điện tử",
        "rationale": "Gạo xuất khẩu sang EU cần hồ sơ vùng trồng; hiện hồ sơ còn viết tay, khó kiểm tra.",
        "methods": "Nội dung 1: Số hóa ranh giới thửa. Nội dung 2: Phát triển nền tảng. Nội dung 3: Vận hành thử tại Thoại Sơn.",
        "products": "01 nền tảng số quản lý vùng trồng; 01 bản đồ số 5.000 ha; 01 quy chế vận hành dữ liệu"},
    "Cảm biến IoT cảnh báo xâm nhập mặn cho ruộng lúa Hòn Đất": {
        "sector": "smart-agriculture",
        "abstract": "Lắp mạng cảm biến đo độ mặn trên kênh nội đồng Hòn Đất, gửi cảnh báo qua Zalo khi độ mặn vượt 2‰ để nông dân và tổ thủy lợi đóng cống kịp thời.",
        "objectives": "Cảnh báo trước ít nhất 6 giờ khi độ mặn vượt 2‰ tại 20 điểm đo.",
        "keywords": "IoT, cảm biến độ mặn, cảnh báo sớm, Hòn Đất",
        "rationale": "Mặn xâm nhập nhanh theo triều; nông dân thường biết muộn khi lúa đã bị hại.",
        "methods": "Nội dung 1: Thiết kế cảm biến. Nội dung 2: Lắp đặt 20 trạm. Nội dung 3: Xây dựng ứng dụng cảnh báo.",
        "products": "20 trạm cảm biến độ mặn; 01 ứng dụng cảnh báo qua Zalo; 01 quy trình vận hành cống theo cảnh báo",
        "application": "Chuyển giao cho Công ty TNHH MTV Khai thác thủy lợi và UBND các xã ven biển."},
    "Bón phân đạm theo bảng so màu lá lúa cho cánh đồng lớn Châu Thành": {
        "sector": "rice",
        "abstract": "Hướng dẫn nông dân 150 ha lúa ở Châu Thành bón đạm theo bảng so màu lá thay cho bón theo lịch, ghi chép lượng phân, sâu bệnh và năng suất từng thửa trong hai vụ.",
        "objectives": "Giảm 20% lượng phân đạm và 15% chi phí phân bón, năng suất bằng hoặc cao hơn ruộng bón theo lịch.",
        "keywords": "bảng so màu lá, phân đạm, bón phân hợp lý, cánh đồng lớn",
        "rationale": "Nông dân bón thừa đạm làm tăng sâu bệnh, đổ ngã và chi phí; khuyến cáo giảm đạm chưa có số liệu tại chỗ.",
        "methods": "Nội dung 1: Chọn 60 hộ và ruộng đối chứng. Nội dung 2: Tập huấn dùng bảng so màu lá. Nội dung 3: Theo dõi, phân tích hiệu quả hai vụ.",
        "products": "01 mô hình 150 ha bón đạm theo bảng so màu lá; 01 quy trình bón phân cho giống OM18 và Đài Thơm 8; 60 nông dân nòng cốt được tập huấn"},
    "Mô hình tưới ướt khô xen kẽ giảm phát thải trên lúa": {
        "sector": "rice",
        "abstract": "Áp dụng tưới ướt khô xen kẽ trên 200 ha lúa, đo phát thải khí mê-tan và lượng nước tưới để làm cơ sở bán tín chỉ các-bon cho hợp tác xã.",
        "objectives": "Giảm 30% nước tưới và 40% phát thải mê-tan, năng suất không giảm so với tưới ngập.",
        "keywords": "tưới ướt khô xen kẽ, phát thải mê-tan, tín chỉ các-bon, lúa",
        "rationale": "Đề án 1 triệu ha lúa chất lượng cao, phát thải thấp cần mô hình đo đếm được tại tỉnh.",
        "methods": "Nội dung 1: Bố trí ruộng đối chứng. Nội dung 2: Đo phát thải bằng buồng kín. Nội dung 3: Tập huấn hợp tác xã.",
        "products": "01 mô hình 200 ha tưới ướt khô xen kẽ; 01 bộ số liệu phát thải 2 vụ; 01 sổ tay cho hợp tác xã"},
    "Ứng dụng ảnh vệ tinh dự báo năng suất lúa vụ Đông Xuân": {
        "sector": "smart-agriculture",
        "abstract": "Dùng ảnh vệ tinh Sentinel-1 và Sentinel-2 kết hợp số liệu thời tiết để dự báo năng suất từng cánh đồng lúa vụ Đông Xuân trước thu hoạch 30 ngày.",
        "objectives": "Dự báo năng suất lúa vụ Đông Xuân với sai số dưới 8%, trước thu hoạch 30 ngày, cho toàn tỉnh.",
        "keywords": "ảnh vệ tinh, viễn thám, dự báo năng suất, Sentinel",
        "rationale": "Doanh nghiệp thu mua và ngành nông nghiệp cần biết sớm sản lượng để lên kế hoạch; điều tra thủ công chậm và tốn kém.",
        "methods": "Nội dung 1: Thu thập ảnh và số liệu mặt đất. Nội dung 2: Xây dựng mô hình dự báo. Nội dung 3: Kiểm chứng tại 30 cánh đồng.",
        "products": "01 mô hình dự báo năng suất lúa; 01 bản đồ năng suất vụ Đông Xuân; 01 phần mềm tra cứu trên web",
        "application": "Chuyển giao cho Sở Nông nghiệp và Môi trường và các doanh nghiệp thu mua lúa."},
    "Máy sấy lúa dùng năng lượng mặt trời cho hợp tác xã": {
        "sector": "smart-agriculture",
        "abstract": "Chế tạo máy sấy lúa kết hợp năng lượng mặt trời và đốt trấu, công suất 8 tấn/mẻ, giảm chi phí sấy cho hợp tác xã.",
        "objectives": "Giảm 35% chi phí nhiên liệu sấy, độ ẩm hạt đồng đều dưới 14%.",
        "keywords": "máy sấy lúa, năng lượng mặt trời, trấu, sau thu hoạch",
        "rationale": "Lúa thu hoạch mùa mưa cần sấy ngay; hợp tác xã đang dùng máy sấy đốt than chi phí cao.",
        "methods": "Nội dung 1: Thiết kế máy. Nội dung 2: Chế tạo mẫu. Nội dung 3: Sấy thử 3 vụ.",
        "products": "01 máy sấy mẫu 8 tấn/mẻ; 01 bộ bản vẽ thiết kế; 01 quy trình vận hành"},
    "Chế phẩm vi sinh xử lý rơm rạ tại ruộng": {
        "sector": "biotechnology",
        "abstract": "Tuyển chọn chủng vi sinh phân hủy nhanh rơm rạ tại ruộng, thay cho đốt đồng, và xây dựng quy trình sản xuất chế phẩm quy mô hợp tác xã.",
        "objectives": "Chế phẩm phân hủy 70% rơm rạ trong 20 ngày; giảm 20% phân đạm ở vụ sau.",
        "keywords": "vi sinh, rơm rạ, phân hủy, giảm phát thải",
        "rationale": "Đốt rơm rạ gây ô nhiễm và mất dinh dưỡng đất; nông dân cần giải pháp nhanh giữa hai vụ.",
        "methods": "Nội dung 1: Phân lập và tuyển chọn chủng. Nội dung 2: Sản xuất chế phẩm. Nội dung 3: Thử nghiệm trên 20 ha.",
        "products": "01 bộ chủng vi sinh phân hủy rơm rạ; 01 quy trình sản xuất chế phẩm; 01 mô hình 20 ha",
        "application": "Chuyển giao cho hợp tác xã và doanh nghiệp phân bón trong tỉnh."},
    "Nhân giống in vitro chuối già Nam Mỹ sạch bệnh": {
        "sector": "biotechnology",
        "abstract": "Hoàn thiện quy trình nhân giống chuối già Nam Mỹ bằng nuôi cấy mô, sạch bệnh héo rũ Panama, cung cấp cây giống cho vùng chuyên canh của tỉnh.",
        "objectives": "Sản xuất 100.000 cây giống sạch bệnh, tỷ lệ sống ngoài vườn từ 95%.",
        "keywords": "nuôi cấy mô, chuối già Nam Mỹ, cây giống sạch bệnh",
        "rationale": "Bệnh héo rũ Panama lây qua cây giống; vùng chuyên canh chuối xuất khẩu cần nguồn giống sạch.",
        "methods": "Nội dung 1: Vi nhân giống. Nội dung 2: Huấn luyện cây con. Nội dung 3: Trồng thử 5 ha.",
        "products": "100.000 cây chuối giống sạch bệnh; 01 quy trình nhân giống in vitro; 01 mô hình 5 ha",
        "application": "Cung cấp cây giống cho các doanh nghiệp trồng chuối xuất khẩu ở Tri Tôn, Tịnh Biên."},
    "Sản xuất thức ăn cá tra từ phụ phẩm chế biến": {
        "sector": "aquaculture",
        "abstract": "Tận dụng đầu, xương cá tra từ nhà máy chế biến làm nguyên liệu thức ăn, giảm giá thành nuôi.",
        "objectives": "Thức ăn rẻ hơn 15% so với thức ăn thương mại, hệ số thức ăn không quá 1,6.",
        "keywords": "cá tra, thức ăn thủy sản, phụ phẩm",
        "rationale": "Phụ phẩm chế biến cá tra đang bán rẻ hoặc thải bỏ trong khi thức ăn chiếm 70% giá thành nuôi.",
        "methods": "Nội dung 1: Phân tích thành phần phụ phẩm. Nội dung 2: Phối trộn công thức. Nội dung 3: Nuôi thử 2 ao.",
        "products": "02 công thức thức ăn cá tra; 01 quy trình chế biến phụ phẩm; 01 báo cáo hiệu quả kinh tế"},
    "Màng bao sinh học kéo dài thời gian bảo quản xoài Cát Hòa Lộc xuất khẩu": {
        "sector": "biotechnology",
        "abstract": "Nghiên cứu màng bao sinh học từ chitosan và tinh bột để kéo dài thời gian bảo quản xoài Cát Hòa Lộc lên 3 tuần, đáp ứng xuất khẩu bằng đường biển.",
        "objectives": "Bảo quản xoài 21 ngày ở 12 °C, hao hụt khối lượng dưới 5%, giữ màu và độ ngọt.",
        "keywords": "xoài Cát Hòa Lộc, màng bao sinh học, bảo quản sau thu hoạch",
        "rationale": "Xuất khẩu xoài bằng đường hàng không đắt gấp bốn lần đường biển; cần kéo dài thời gian bảo quản.",
        "methods": "Nội dung 1: Phối chế màng bao. Nội dung 2: Thử nghiệm bảo quản lạnh. Nội dung 3: Xuất khẩu thử 2 container.",
        "products": "01 công thức màng bao sinh học; 01 quy trình bảo quản xoài xuất khẩu; 01 bài báo khoa học",
        "application": "Chuyển giao cho các công ty xuất khẩu trái cây của tỉnh."},
    "Chế phẩm nấm đối kháng Trichoderma phòng bệnh thối rễ sầu riêng và bưởi": {
        "sector": "biotechnology",
        "abstract": "Phân lập, tuyển chọn chủng Trichoderma bản địa và sản xuất chế phẩm dạng bột phòng bệnh thối rễ trên sầu riêng và bưởi.",
        "objectives": "Chế phẩm giảm 60% tỷ lệ cây bệnh thối rễ, mật độ bào tử từ 10⁸ CFU/g.",
        "keywords": "Trichoderma, thối rễ, sầu riêng, bưởi",
        "rationale": "Bệnh thối rễ do nấm Phytophthora làm chết nhiều vườn sầu riêng; thuốc hóa học để lại dư lượng.",
        "methods": "Nội dung 1: Phân lập chủng bản địa. Nội dung 2: Sản xuất chế phẩm dạng bột. Nội dung 3: Thử nghiệm trên 10 vườn.",
        "products": "01 chủng Trichoderma bản địa; 01 quy trình sản xuất chế phẩm; 01 mô hình phòng bệnh 10 vườn",
        "application": "Chuyển giao cho doanh nghiệp phân bón và nhà vườn ở Tri Tôn."},
    "Gieo sạ và bón phân bằng thiết bị bay không người lái cho cánh đồng lớn Thoại Sơn": {
        "sector": "smart-agriculture",
        "abstract": "Xây dựng quy trình gieo sạ theo hàng và bón phân theo bản đồ dinh dưỡng bằng thiết bị bay không người lái cho cánh đồng lớn ở Thoại Sơn, giảm lượng giống và phân bón.",
        "objectives": "Giảm 30% lượng giống và 20% phân đạm trên 300 ha, năng suất không thấp hơn gieo sạ truyền thống.",
        "keywords": "thiết bị bay không người lái, gieo sạ, bón phân chính xác, cánh đồng lớn",
        "rationale": "Thiếu lao động mùa vụ và chi phí vật tư cao; hợp tác xã cần cơ giới hóa chính xác.",
        "methods": "Nội dung 1: Lập bản đồ dinh dưỡng đất. Nội dung 2: Hiệu chỉnh thiết bị gieo và bón. Nội dung 3: Mô hình 300 ha trong 2 vụ.",
        "products": "01 quy trình gieo sạ bằng thiết bị bay; 01 quy trình bón phân theo bản đồ; 01 mô hình 300 ha; 01 tổ dịch vụ bay được đào tạo",
        "application": "Chuyển giao cho hợp tác xã và Công ty TNHH Lúa gạo Thoại Sơn."},
    "Tưới tiết kiệm nước tự động theo độ ẩm đất cho vườn xoài Ba Màu tại Tịnh Biên": {
        "sector": "smart-agriculture",
        "abstract": "Thiết kế hệ thống tưới nhỏ giọt tự động điều khiển theo cảm biến độ ẩm đất cho vườn xoài Ba Màu trên đất đồi Tịnh Biên, điều khiển qua điện thoại.",
        "objectives": "Tiết kiệm 40% nước tưới và 30% công lao động trên 20 ha xoài, năng suất tăng 10%.",
        "keywords": "tưới nhỏ giọt, cảm biến độ ẩm, xoài Ba Màu, Tịnh Biên",
        "rationale": "Mùa khô vùng đồi Tịnh Biên thiếu nước tưới; nhà vườn tưới theo kinh nghiệm, lãng phí nước và công.",
        "methods": "Nội dung 1: Khảo sát nhu cầu nước của cây. Nội dung 2: Lắp hệ thống tưới và cảm biến. Nội dung 3: Vận hành mô hình 20 ha.",
        "products": "01 hệ thống tưới tự động theo độ ẩm đất; 01 ứng dụng điều khiển trên điện thoại; 01 mô hình 20 ha xoài",
        "application": "Chuyển giao cho Hợp tác xã xoài Ba Màu Tịnh Biên và các nhà vườn."},
    "Quy trình sản xuất nước mắm cá cơm Phú Quốc giảm muối, giữ hàm lượng đạm": {
        "sector": "aquaculture",
        "abstract": "Hoàn thiện quy trình ủ chượp cá cơm với lượng muối thấp hơn, rút ngắn thời gian ủ mà vẫn giữ độ đạm và hương vị đặc trưng của nước mắm Phú Quốc.",
        "objectives": "Nước mắm độ đạm từ 35°N, hàm lượng muối giảm 20%, thời gian ủ rút từ 12 xuống 9 tháng.",
        "keywords": "nước mắm Phú Quốc, cá cơm, giảm muối, chỉ dẫn địa lý",
        "rationale": "Người tiêu dùng trong và ngoài nước chuộng sản phẩm ít muối; nhà thùng cần giữ chỉ dẫn địa lý Phú Quốc.",
        "methods": "Nội dung 1: Thí nghiệm tỷ lệ cá – muối. Nội dung 2: Ủ chượp có kiểm soát nhiệt độ. Nội dung 3: Sản xuất thử 10 thùng.",
        "products": "01 quy trình ủ chượp giảm muối; 10.000 lít nước mắm sản xuất thử; 01 hồ sơ công bố chất lượng sản phẩm",
        "application": "Chuyển giao cho Hội Nước mắm Phú Quốc và các nhà thùng thành viên.",
        "months": 18},
    "Chế biến bột chuối xanh giàu tinh bột kháng từ chuối già Nam Mỹ loại 2": {
        "sector": "fruit",
        "abstract": "Chế biến chuối già Nam Mỹ loại 2 không đạt chuẩn xuất khẩu thành bột chuối xanh giàu tinh bột kháng cho thực phẩm chức năng và bánh, nâng giá trị cho vùng chuyên canh.",
        "objectives": "Bột chuối hàm lượng tinh bột kháng từ 40%, giá thành dưới 60.000 đồng/kg, công suất 200 kg/ngày.",
        "keywords": "bột chuối xanh, tinh bột kháng, chuối già Nam Mỹ, chế biến sâu",
        "rationale": "Khoảng 15% chuối thu hoạch không đạt chuẩn xuất khẩu và bị bán rẻ làm thức ăn gia súc.",
        "methods": "Nội dung 1: Xử lý chống hóa nâu. Nội dung 2: Sấy và nghiền ở nhiệt độ thấp. Nội dung 3: Sản xuất thử 5 tấn bột.",
        "products": "01 quy trình chế biến bột chuối xanh; 5 tấn bột chuối sản xuất thử; 02 sản phẩm bánh từ bột chuối",
        "application": "Chuyển giao cho các doanh nghiệp chế biến và hợp tác xã chuối ở Tri Tôn.",
        "months": 18},
    "Sấy khô cá lóc một nắng đạt chuẩn OCOP bằng nhà sấy năng lượng mặt trời": {
        "sector": "aquaculture",
        "abstract": "Thiết kế nhà sấy năng lượng mặt trời có mái polycarbonate và quạt đối lưu cho cơ sở làm khô cá lóc một nắng, thay phơi ngoài trời, đạt tiêu chuẩn sản phẩm OCOP 4 sao.",
        "objectives": "Rút thời gian sấy còn 8 giờ, không nhiễm bụi và côn trùng, 02 sản phẩm đạt OCOP 4 sao.",
        "keywords": "cá lóc một nắng, nhà sấy năng lượng mặt trời, OCOP, làm khô thủy sản",
        "rationale": "Phơi cá ngoài trời phụ thuộc thời tiết, dễ nhiễm bẩn, khó đạt chứng nhận để vào siêu thị.",
        "methods": "Nội dung 1: Thiết kế nhà sấy. Nội dung 2: Xây dựng 02 nhà sấy mẫu. Nội dung 3: Hoàn thiện hồ sơ OCOP.",
        "products": "02 nhà sấy năng lượng mặt trời 50 m²; 01 quy trình làm khô cá lóc; 02 sản phẩm được chứng nhận OCOP",
        "application": "Nhân rộng cho các cơ sở làm khô cá ở Châu Đốc, An Phú.",
        "months": 18},
    "Bảo quản lúa giống bằng bao kín khí cho hợp tác xã vùng Tứ giác Long Xuyên": {
        "sector": "rice",
        "abstract": "Đánh giá bao kín khí nhiều lớp để bảo quản lúa giống của hợp tác xã qua mùa mưa, giữ tỷ lệ nảy mầm mà không dùng thuốc xông hơi.",
        "objectives": "Tỷ lệ nảy mầm từ 85% sau 6 tháng bảo quản, không phát sinh mọt, chi phí dưới 40.000 đồng/tạ.",
        "keywords": "lúa giống, bao kín khí, bảo quản hạt, hợp tác xã",
        "rationale": "Hợp tác xã tự để giống giữa hai vụ nhưng kho chứa ẩm, hạt giống mất sức nảy mầm và bị mọt.",
        "methods": "Nội dung 1: So sánh 3 loại bao kín khí. Nội dung 2: Bảo quản 50 tấn giống tại 5 hợp tác xã. Nội dung 3: Tập huấn.",
        "products": "01 quy trình bảo quản lúa giống bằng bao kín khí; 50 tấn lúa giống bảo quản thử; 01 tài liệu tập huấn",
        "application": "Chuyển giao cho các hợp tác xã sản xuất giống ở Thoại Sơn, Tri Tôn.",
        "months": 18},
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
    say = stdout.write if stdout is not None else (lambda _line: None)
    officer, manager = people["officer"], people["manager"]
    reviewers = [people[f"reviewer{n}"] for n in range(1, 8)]
    seats = ["chair", "vice_chair", "secretary", "critic", "critic", "member", "member"]
    created = 0
    for code, owner_key, title, target in SCENARIO:
        say(f"  {created + 1:2d}/{len(SCENARIO)} {code:<9} {target:<12} {title}")
        call = CallPage.objects.get(code=code, locale__language_code="vi")
        owner = people[owner_key]
        day = call.opens_at + datetime.timedelta(days=3)
        step = datetime.timedelta(days=4)
        # The draft was started a couple of days before it was first submitted: written then,
        # on the workflow's clock (its creation date follows it).
        with workflow.clock(day - datetime.timedelta(days=2)):
            proposal, _new = draft_for(call, owner)
            details = DETAILS[title]
            proposal.sector = call.sectors.get(slug=details["sector"])
            fill(
                proposal,
                title=title,
                abstract=details["abstract"],
                keywords=details["keywords"],
                objectives=details["objectives"],
                rationale=details.get("rationale", ""),
                content_methods=details.get("methods", ""),
                expected_products=details["products"],
                application_plan=details.get("application", ""),
                duration_months=details.get("months", 24),
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
        if target == "appraised":
            continue
        with workflow.clock(day + 4 * step):
            proposal = workflow.fund(
                proposal, by=manager, approved_amount=proposal.appraised_amount
            )
        # What follows funding (contract, reports, tranches, acceptance) is `projects.demo`'s,
        # at once: a task terminated before the next decision gives its money back to the call.
        if target != "funded" and after_funding is not None:
            after_funding(proposal, target)
    return created
