"""The An Giang demo: organisations, people, sectors, pages, calls and news (DESIGN.md → Demo data).

Dates of calls are relative to the day the demo is first seeded, so that some calls are open,
one is upcoming and some are closed whenever someone tries the portal.
"""

SECTORS = [
    # slug, Vietnamese, English, description
    (
        "rice",
        "Lúa gạo",
        "Rice",
        "Giống lúa thơm, lúa đặc sản, lúa chịu mặn và chuỗi giá trị lúa gạo.",
    ),
    (
        "aquaculture",
        "Thủy sản (cá tra, tôm)",
        "Aquaculture (pangasius, shrimp)",
        "Giống cá tra, tôm, nuôi tuần hoàn, phòng bệnh và chế biến thủy sản.",
    ),
    (
        "fruit",
        "Cây ăn trái",
        "Fruit",
        "Xoài Ba Màu, bơ Núi Cấm, bảo quản sau thu hoạch và xuất khẩu.",
    ),
    (
        "smart-agriculture",
        "Nông nghiệp thông minh",
        "Smart agriculture",
        "Cảm biến, IoT, viễn thám và cơ giới hóa trong sản xuất nông nghiệp.",
    ),
    (
        "traceability",
        "Truy xuất nguồn gốc",
        "Traceability",
        "Mã vùng trồng, nhật ký điện tử, tem truy xuất cho nông sản chủ lực.",
    ),
    (
        "digital-transformation",
        "Chuyển đổi số",
        "Digital transformation",
        "Dịch vụ công trực tuyến, dữ liệu mở, nền tảng số cho doanh nghiệp.",
    ),
    (
        "biotechnology",
        "Công nghệ sinh học",
        "Biotechnology",
        "Chế phẩm sinh học, vi sinh vật có ích, dược liệu.",
    ),
    (
        "tourism",
        "Du lịch và dịch vụ",
        "Tourism and services",
        "Du lịch sinh thái, văn hóa vùng Bảy Núi và biển đảo Phú Quốc.",
    ),
]

ORGANISATIONS = [
    # key, kind, name, short name, tax code, province, website
    (
        "dost",
        "agency",
        "Sở Khoa học và Công nghệ tỉnh An Giang",
        "Sở KH&CN An Giang",
        "",
        "An Giang",
        "https://sokhcn.angiang.gov.vn",
    ),
    (
        "agu",
        "university",
        "Trường Đại học An Giang, Đại học Quốc gia TP. Hồ Chí Minh",
        "ĐH An Giang",
        "",
        "An Giang",
        "https://www.agu.edu.vn",
    ),
    (
        "clrri",
        "institute",
        "Viện Lúa Đồng bằng sông Cửu Long",
        "Viện Lúa ĐBSCL",
        "",
        "Cần Thơ",
        "https://clrri.org",
    ),
    (
        "ctu",
        "university",
        "Trường Đại học Cần Thơ",
        "ĐH Cần Thơ",
        "",
        "Cần Thơ",
        "https://www.ctu.edu.vn",
    ),
    (
        "kgu",
        "university",
        "Trường Đại học Kiên Giang",
        "ĐH Kiên Giang",
        "",
        "An Giang",
        "https://vnkgu.edu.vn",
    ),
    (
        "rice_co",
        "business",
        "Công ty TNHH Lúa gạo Thoại Sơn",
        "Lúa gạo Thoại Sơn",
        "1601234567",
        "An Giang",
        "",
    ),
    (
        "fish_co",
        "business",
        "Công ty Cổ phần Thủy sản Châu Đốc",
        "Thủy sản Châu Đốc",
        "1600765432",
        "An Giang",
        "",
    ),
]

# email, full name, title, organisation key, roles, position, expertise, ORCID
PEOPLE = [
    ("admin@example.org", "Quản trị hệ thống", "", "dost", [], "Quản trị hệ thống", "", ""),
    (
        "officer@example.org",
        "Huỳnh Thanh Tâm",
        "ths",
        "dost",
        ["officer"],
        "Chuyên viên Phòng Quản lý khoa học",
        "quản lý nhiệm vụ khoa học",
        "",
    ),
    (
        "manager@example.org",
        "Võ Minh Quang",
        "ts",
        "dost",
        ["manager"],
        "Phó Giám đốc Sở",
        "chính sách khoa học công nghệ",
        "",
    ),
    (
        "researcher@example.org",
        "Trần Văn Minh",
        "ts",
        "agu",
        ["researcher"],
        "Giảng viên Khoa Nông nghiệp và Tài nguyên thiên nhiên",
        "lúa chịu mặn, chọn tạo giống lúa, nông nghiệp thông minh, viễn thám",
        "0000-0002-1825-0097",
    ),
    (
        "researcher2@example.org",
        "Lê Thị Ngọc Hân",
        "ths",
        "clrri",
        ["researcher"],
        "Nghiên cứu viên Bộ môn Di truyền giống",
        "giống lúa thơm, OM5451, canh tác bền vững, phân tích chất lượng gạo",
        "",
    ),
    (
        "business@example.org",
        "Phạm Quốc Bảo",
        "",
        "fish_co",
        ["business"],
        "Giám đốc kỹ thuật",
        "nuôi cá tra, chế biến thủy sản",
        "",
    ),
    (
        "reviewer1@example.org",
        "Nguyễn Văn Thành",
        "pgs_ts",
        "ctu",
        ["reviewer"],
        "Giảng viên cao cấp",
        "di truyền chọn giống lúa, lúa chịu mặn, công nghệ sinh học",
        "",
    ),
    (
        "reviewer2@example.org",
        "Trương Thị Mỹ Linh",
        "ts",
        "ctu",
        ["reviewer"],
        "Giảng viên",
        "nuôi trồng thủy sản, bệnh cá tra, tôm",
        "",
    ),
    (
        "reviewer3@example.org",
        "Đặng Hoàng Phúc",
        "ts",
        "kgu",
        ["reviewer"],
        "Trưởng khoa Công nghệ thông tin",
        "chuyển đổi số, truy xuất nguồn gốc, IoT",
        "",
    ),
    (
        "reviewer4@example.org",
        "Lâm Thị Kim Phượng",
        "pgs_ts",
        "ctu",
        ["reviewer"],
        "Giảng viên cao cấp",
        "bảo quản sau thu hoạch, cây ăn trái, xoài",
        "",
    ),
    (
        "reviewer5@example.org",
        "Phan Văn Lộc",
        "ts",
        "clrri",
        ["reviewer"],
        "Trưởng bộ môn",
        "canh tác lúa, cơ giới hóa, nông nghiệp thông minh",
        "",
    ),
    (
        "reviewer6@example.org",
        "Ngô Thị Bích Trâm",
        "ts",
        "kgu",
        ["reviewer"],
        "Giảng viên",
        "kinh tế nông nghiệp, chuỗi giá trị, thị trường",
        "",
    ),
    (
        "reviewer7@example.org",
        "Châu Minh Khôi",
        "ts",
        "ctu",
        ["reviewer"],
        "Giảng viên",
        "công nghệ sinh học, vi sinh vật, chế phẩm sinh học",
        "",
    ),
    (
        "researcher3@example.org",
        "Đặng Thị Thu Trang",
        "ths",
        "agu",
        ["researcher"],
        "Giảng viên Khoa Công nghệ thông tin",
        "chuyển đổi số, truy xuất nguồn gốc, internet vạn vật",
        "",
    ),
    (
        "researcher4@example.org",
        "Nguyễn Thị Kim Ngân",
        "ts",
        "agu",
        ["researcher"],
        "Trưởng bộ môn Công nghệ thực phẩm",
        "chế biến và bảo quản nông sản, công nghệ sau thu hoạch, tưới tiết kiệm nước",
        "",
    ),
    (
        "researcher5@example.org",
        "Võ Thanh Tùng",
        "ths",
        "kgu",
        ["researcher"],
        "Giảng viên Khoa Nông nghiệp và Thủy sản",
        "chế biến thủy sản, nước mắm Phú Quốc, sấy năng lượng mặt trời",
        "",
    ),
]

# Demo people whose membership of their organisation (above) is still waiting for an officer:
# the officers' queue of membership requests shows them (researchers.workflow).
PENDING_MEMBERSHIPS = {"researcher3@example.org"}

# (person, organisation asked for, refuse / withdraw, note): the other ends of a membership.
MEMBERSHIP_CHANGES = [
    ("reviewer6@example.org", "ctu", "refuse",
     "Trường chưa xác nhận chị công tác tại đơn vị; vui lòng gửi quyết định tiếp nhận."),
    ("reviewer7@example.org", "agu", "withdraw", "Tôi gửi nhầm đơn vị."),
]  # fmt: skip

# (person, what to correct, (carried out?, the officer's answer) or None while it waits).
DATA_REQUESTS = [
    ("reviewer5@example.org", "Học vị của tôi là tiến sĩ (bảo vệ năm 2024), không phải thạc sĩ.",
     (True, "Đã cập nhật học vị theo bằng tiến sĩ ông gửi kèm.")),
    ("reviewer4@example.org", "Đề nghị sửa họ tên của tôi trong biên bản hội đồng năm 2025.",
     (False, "Biên bản đã ký là hồ sơ lưu trữ, không sửa được; Sở gửi ông văn bản đính chính kèm theo.")),
    ("reviewer3@example.org", "Số điện thoại đúng của tôi là 0296 3841 234.", None),
]  # fmt: skip

TEMPLATES = [
    (
        "Mẫu 01: Đơn đăng ký chủ trì nhiệm vụ",
        "mau-01-don-dang-ky.docx",
        [
            "Kính gửi: Sở Khoa học và Công nghệ tỉnh An Giang.",
            "Tên nhiệm vụ: ........................................................",
            "Tổ chức chủ trì: .....................................................",
            "Chủ nhiệm nhiệm vụ: ..................................................",
            "Hồ sơ gồm: thuyết minh, dự toán kinh phí, lý lịch khoa học, văn bản cam kết.",
        ],
    ),
    (
        "Mẫu 02: Thuyết minh nhiệm vụ khoa học và công nghệ",
        "mau-02-thuyet-minh.docx",
        [
            "1. Tên nhiệm vụ. 2. Tính cấp thiết. 3. Mục tiêu. 4. Nội dung và phương pháp.",
            "5. Sản phẩm dự kiến và chỉ tiêu đánh giá. 6. Phương án ứng dụng, chuyển giao.",
            "7. Thời gian thực hiện. 8. Nhân lực. 9. Dự toán kinh phí.",
        ],
    ),
    (
        "Mẫu 03: Dự toán kinh phí",
        "mau-03-du-toan.docx",
        [
            "Khoản 1: Chi công lao động. Khoản 2: Nguyên vật liệu. Khoản 3: Thiết bị.",
            "Khoản 4: Công tác phí. Khoản 5: Dịch vụ thuê ngoài. Khoản 6: Chi khác.",
            "Tổng kinh phí đề nghị ngân sách và kinh phí đối ứng được ghi riêng.",
        ],
    ),
    (
        "Mẫu 04: Lý lịch khoa học của chủ nhiệm nhiệm vụ",
        "mau-04-ly-lich.docx",
        [
            "Họ và tên, học hàm, học vị, cơ quan công tác, mã ORCID.",
            "Các công trình đã công bố và nhiệm vụ đã chủ trì trong 5 năm gần nhất.",
        ],
    ),
]

ELIGIBILITY = (
    "<p>Tổ chức khoa học và công nghệ, trường đại học, viện nghiên cứu và doanh nghiệp có tư "
    "cách pháp nhân, có chức năng hoạt động phù hợp; chủ nhiệm nhiệm vụ có trình độ đại học "
    "trở lên, không đang chủ trì quá hai nhiệm vụ cấp tỉnh và không vi phạm quy định về quản lý "
    "nhiệm vụ khoa học và công nghệ (Luật Khoa học, Công nghệ và Đổi mới sáng tạo số "
    "93/2025/QH15; Thông tư 20/2023/TT-BKHCN).</p>"
)

# code, title, English title, sectors, opens (days from seeding), closes (days), total, cap,
# summary, English summary
CALLS = [
    (
        "AG-NN01",
        "Chọn tạo giống lúa thơm chịu mặn thích ứng biến đổi khí hậu",
        "Breeding salt-tolerant fragrant rice adapted to climate change",
        ["rice", "biotechnology"],
        -20,
        25,
        6_000_000_000,
        1_500_000_000,
        "Đặt hàng nhiệm vụ chọn tạo và khảo nghiệm giống lúa thơm chịu mặn 4‰, năng suất từ 7 "
        "tấn/ha, phù hợp vùng ven biển An Giang; ưu tiên liên kết với doanh nghiệp tiêu thụ.",
        "Commissioned work on breeding and testing fragrant rice tolerant to 4‰ salinity, "
        "yielding 7 t/ha or more, for An Giang's coastal areas; partnerships with buyers preferred.",
    ),
    (
        "AG-TS01",
        "Nâng cao chất lượng giống cá tra và quy trình nuôi tuần hoàn tiết kiệm nước",
        "Better pangasius broodstock and water-saving recirculating farming",
        ["aquaculture", "biotechnology"],
        -10,
        40,
        8_000_000_000,
        2_000_000_000,
        "Tuyển chọn đàn cá tra bố mẹ tăng trưởng nhanh, kháng bệnh gan thận mủ, và hoàn thiện quy "
        "trình nuôi tuần hoàn giảm 30% lượng nước thải cho các vùng nuôi ở Châu Phú, Long Xuyên.",
        "Selecting fast-growing pangasius broodstock resistant to bacillary necrosis and refining "
        "recirculating farming that cuts waste water by 30% in Châu Phú and Long Xuyên.",
    ),
    (
        "AG-CDS01",
        "Chuyển đổi số và truy xuất nguồn gốc nông sản chủ lực của tỉnh",
        "Digital transformation and traceability for the province's key farm products",
        ["digital-transformation", "traceability", "smart-agriculture"],
        -25,
        12,
        5_000_000_000,
        1_200_000_000,
        "Xây dựng nền tảng truy xuất nguồn gốc dùng chung cho lúa gạo, cá tra, xoài và bơ, kết "
        "nối mã vùng trồng, nhật ký sản xuất điện tử và tem QR cho hợp tác xã.",
        "A shared traceability platform for rice, pangasius, mango and avocado that links "
        "growing-area codes, electronic farm diaries and QR labels for cooperatives.",
    ),
    (
        "AG-CAT01",
        "Bảo quản sau thu hoạch xoài Ba Màu và bơ Núi Cấm phục vụ xuất khẩu",
        "Post-harvest storage of Ba Màu mango and Núi Cấm avocado for export",
        ["fruit"],
        15,
        60,
        4_000_000_000,
        1_000_000_000,
        "Nghiên cứu quy trình xử lý, bảo quản và đóng gói kéo dài thời gian bảo quản xoài và bơ "
        "tối thiểu 28 ngày, đáp ứng yêu cầu kiểm dịch của thị trường xuất khẩu.",
        "Handling, storage and packing that keep mango and avocado for at least 28 days and meet "
        "the quarantine rules of export markets.",
    ),
    (
        "AG-NNTM25",
        "Ứng dụng nông nghiệp thông minh vùng Tứ giác Long Xuyên năm 2025",
        "Smart agriculture in the Long Xuyên Quadrangle, 2025",
        ["smart-agriculture", "rice"],
        -260,
        -200,
        7_000_000_000,
        1_800_000_000,
        "Ứng dụng cảm biến độ mặn, trạm quan trắc tự động và bản đồ viễn thám để khuyến cáo lịch "
        "thời vụ, tưới tiêu cho vùng lúa Tứ giác Long Xuyên.",
        "Salinity sensors, automatic monitoring stations and remote-sensing maps to advise "
        "planting calendars and irrigation for the Long Xuyên Quadrangle rice area.",
    ),
    (
        "AG-CBNS25",
        "Chế biến sâu và bảo quản nông sản, thủy sản chủ lực năm 2025",
        "Deep processing and storage of the province's key farm and fishery products, 2025",
        ["fruit", "aquaculture", "rice"],
        -570,
        -510,
        6_000_000_000,
        1_200_000_000,
        "Hoàn thiện quy trình chế biến sâu, bảo quản và đóng gói trái cây, thủy sản và lúa gạo "
        "của tỉnh để nâng giá trị sản phẩm OCOP và giảm tổn thất sau thu hoạch.",
        "Deep processing, storage and packing of the province's fruit, fish and rice, to raise "
        "the value of OCOP products and cut post-harvest losses.",
    ),
    (
        "AG-CNSH24",
        "Chế phẩm sinh học phòng bệnh cho cá tra và tôm năm 2024",
        "Biological products against pangasius and shrimp diseases, 2024",
        ["aquaculture", "biotechnology"],
        -640,
        -580,
        3_500_000_000,
        900_000_000,
        "Phát triển chế phẩm nấm men và vi khuẩn có ích ức chế tác nhân gây bệnh trên cá tra và "
        "tôm nuôi, thay thế một phần kháng sinh.",
        "Yeast and beneficial-bacteria products that suppress pathogens in farmed pangasius and "
        "shrimp, partly replacing antibiotics.",
    ),
]

CALL_BODY = (
    "<h3>Mục tiêu</h3><p>Nhiệm vụ nhằm tạo ra kết quả có khả năng ứng dụng ngay tại tỉnh, "
    "gắn với nhu cầu của doanh nghiệp và hợp tác xã, thực hiện Nghị quyết 57-NQ/TW về đột phá "
    "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.</p>"
    "<h3>Yêu cầu đối với sản phẩm</h3><ul><li>Sản phẩm cụ thể, đo lường được, có địa chỉ ứng "
    "dụng.</li><li>Phương án chuyển giao kết quả cho doanh nghiệp trong tỉnh.</li>"
    "<li>Thời gian thực hiện không quá 24 tháng.</li></ul>"
    "<h3>Hồ sơ</h3><p>Hồ sơ nộp trực tuyến trên Cổng trước thời hạn; hồ sơ nộp sau thời hạn "
    "không được xem xét.</p>"
)

NEWS = [
    (
        3,
        "An Giang đưa 1.151 dịch vụ công trực tuyến lên Cổng dịch vụ công quốc gia",
        "Province syncs all 1,151 online public services with the national portal",
        "Trong tổng số 2.143 thủ tục hành chính, toàn bộ 1.151 dịch vụ công trực tuyến của tỉnh "
        "đã được đồng bộ với Cổng dịch vụ công quốc gia; 12/14 cơ quan cấp tỉnh vận hành chính "
        "quyền điện tử.",
        "Of 2,143 administrative procedures, all 1,151 online services are now synchronised with "
        "the national public service portal; 12 of 14 provincial agencies run e-government.",
        ["digital-transformation"],
    ),
    (
        9,
        "Triển khai Nghị quyết 57-NQ/TW: An Giang đặt hàng nhiệm vụ khoa học gắn với doanh nghiệp",
        "Resolution 57: An Giang commissions research tied to businesses",
        "Sở Khoa học và Công nghệ công bố các đợt gọi đề xuất năm 2026 tập trung vào lúa gạo, "
        "thủy sản, cây ăn trái và chuyển đổi số, ưu tiên nhiệm vụ có doanh nghiệp tham gia đối ứng.",
        "The Department opens its 2026 calls on rice, aquaculture, fruit and digital "
        "transformation, favouring projects co-funded by businesses.",
        ["rice", "aquaculture", "digital-transformation"],
    ),
    (
        16,
        "Kết nối trường, viện với doanh nghiệp: chìa khóa đưa kết quả nghiên cứu vào sản xuất",
        "Linking universities and institutes with businesses",
        "Hội thảo tại Long Xuyên quy tụ Trường Đại học An Giang, Viện Lúa Đồng bằng sông Cửu Long "
        "và hơn 40 doanh nghiệp bàn cách thương mại hóa giống lúa, chế phẩm sinh học và thiết bị "
        "nông nghiệp thông minh.",
        "A workshop in Long Xuyên brought An Giang University, the Cuu Long Delta Rice Research "
        "Institute and over 40 companies together on commercialising research.",
        ["rice", "smart-agriculture"],
    ),
    (
        24,
        "Doanh nghiệp nhỏ và vừa còn chậm đổi mới công nghệ",
        "SMEs remain slow to adopt new technology",
        "Khảo sát cho thấy phần lớn doanh nghiệp nhỏ và vừa trong tỉnh chưa có bộ phận nghiên cứu "
        "phát triển; Sở sẽ hỗ trợ tư vấn, kết nối cung cầu công nghệ và phiếu hỗ trợ đổi mới.",
        "A survey shows most of the province's SMEs have no R&D unit; the Department will offer "
        "advice, technology matchmaking and innovation vouchers.",
        [],
    ),
]

CALL_BODY_EN = (
    "<h3>Objectives</h3><p>Projects should deliver results that can be used in the province "
    "straight away, answer the needs of businesses and cooperatives, and carry out Resolution "
    "57-NQ/TW on breakthroughs in science, technology, innovation and digital "
    "transformation.</p>"
    "<h3>Expected products</h3><ul><li>Concrete, measurable products with a named user.</li>"
    "<li>A plan to transfer the results to businesses in the province.</li>"
    "<li>At most 24 months of work.</li></ul>"
    "<h3>Dossier</h3><p>Dossiers are submitted online on this portal before the deadline; late "
    "dossiers are not considered.</p>"
)

ELIGIBILITY_EN = (
    "<p>Science and technology organisations, universities, research institutes and "
    "businesses with legal personality and a relevant field of activity; the principal "
    "investigator holds at least a university degree, leads no more than two provincial "
    "projects at the time and has no breach of the rules on S&amp;T projects (Law on Science, "
    "Technology and Innovation 93/2025/QH15; Circular 20/2023/TT-BKHCN).</p>"
)

# Scoring sheets (Circular 20/2023/TT-BKHCN):
# (name, is_default, [(key, criterion, criterion in English, guidance, max, tiebreak)]).
RUBRICS = [
    (
        "Phiếu đánh giá nhiệm vụ nghiên cứu ứng dụng",
        True,
        [
            ("overview", "Tổng quan tình hình nghiên cứu, luận giải sự cần thiết", "State of research and why the project is needed",
             "Nắm được tình hình trong và ngoài nước; nêu rõ vấn đề địa phương cần giải quyết.", 12, False),
            ("content", "Nội dung, nhân lực và phương pháp nghiên cứu", "Content, team and research methods",
             "Nội dung đầy đủ, logic; phương pháp phù hợp, hiện đại; nhân lực đủ năng lực.", 24, True),
            ("products", "Sản phẩm và chỉ tiêu chất lượng", "Products and quality indicators",
             "Sản phẩm cụ thể, có chỉ tiêu đo được, tương xứng với kinh phí.", 16, False),
            ("application", "Khả năng ứng dụng và chuyển giao", "Prospects of use and transfer",
             "Có địa chỉ ứng dụng, đơn vị tiếp nhận; phương án chuyển giao khả thi.", 16, False),
            ("feasibility", "Tính khả thi của kế hoạch và dự toán kinh phí", "Feasibility of the plan and the budget",
             "Tiến độ hợp lý; dự toán đúng định mức, có báo giá.", 16, False),
            ("capacity", "Năng lực của tổ chức chủ trì và chủ nhiệm nhiệm vụ", "Capacity of the host and the principal investigator",
             "Kinh nghiệm, cơ sở vật chất, kết quả các nhiệm vụ đã chủ trì.", 16, False),
        ],
    ),
    (
        "Phiếu đánh giá dự án sản xuất thử nghiệm",
        False,
        [
            ("overview", "Tổng quan công nghệ và thị trường", "The technology and its market",
             "Nguồn gốc, mức độ hoàn thiện của công nghệ; nhu cầu thị trường.", 8, False),
            ("content", "Nội dung và phương án triển khai", "Content and deployment plan",
             "Quy mô sản xuất thử phù hợp; các bước hoàn thiện công nghệ rõ ràng.", 20, True),
            ("novelty", "Tính mới và khả thi của công nghệ", "Novelty and feasibility of the technology",
             "Công nghệ có tính mới, ổn định ở quy mô sản xuất.", 12, False),
            ("impact", "Hiệu quả kinh tế – xã hội", "Economic and social benefits",
             "Lợi ích kinh tế, môi trường, việc làm cho địa phương.", 12, False),
            ("products", "Sản phẩm dự kiến", "Expected products", "Sản phẩm, sản lượng và tiêu chuẩn chất lượng.", 16, False),
            ("finance", "Phương án tài chính", "Financial plan",
             "Kinh phí đối ứng, phương án thu hồi vốn, dự toán hợp lý.", 16, False),
            ("capacity", "Năng lực tổ chức chủ trì", "Capacity of the host organisation",
             "Nhà xưởng, thiết bị, nhân lực và kinh nghiệm sản xuất kinh doanh.", 16, False),
        ],
    ),
]  # fmt: skip

# The catalogue: (sector, title, what it solves, TRL, IP status, modes, price or None, org, owner)
TECHNOLOGIES = [
    ("rice", "Giống lúa thơm chịu mặn AGU-ST1", "Giống lúa thơm chịu mặn 4‰, năng suất 6,5–7 tấn/ha, thời gian sinh trưởng 95–100 ngày; phù hợp vùng ven biển Kiên Lương, An Biên, Hòn Đất.", 8, "plant_variety", ["licence", "assignment"], 800_000_000, "agu", "researcher@example.org"),
    ("rice", "Quy trình canh tác lúa giảm phát thải bằng tưới ướt khô xen kẽ", "Giảm 30% lượng nước tưới và 40% phát thải khí mê-tan mà không giảm năng suất; có sổ tay hướng dẫn cho hợp tác xã.", 8, "know_how", ["consulting", "licence"], 150_000_000, "clrri", "researcher2@example.org"),
    ("rice", "Chế phẩm vi sinh phân hủy nhanh rơm rạ tại ruộng", "Phân hủy rơm rạ trong 15–20 ngày, thay cho đốt đồng; giảm 20% phân đạm ở vụ sau.", 7, "patent_pending", ["licence", "capital"], 400_000_000, "agu", "researcher@example.org"),
    ("rice", "Máy sấy lúa tĩnh vỉ ngang dùng năng lượng mặt trời kết hợp trấu", "Sấy 8 tấn/mẻ, độ ẩm đồng đều, giảm 35% chi phí nhiên liệu so với sấy đốt than đá.", 7, "utility", ["licence", "assignment"], 650_000_000, "ctu", "researcher@example.org"),
    ("rice", "Bộ kít phát hiện nhanh bệnh đạo ôn trên lúa", "Phát hiện nấm đạo ôn ngay tại ruộng trong 30 phút, giúp phun thuốc đúng lúc và giảm số lần phun.", 6, "patent_pending", ["licence"], None, "clrri", "researcher2@example.org"),
    ("rice", "Quy trình sản xuất gạo hữu cơ đạt chuẩn xuất khẩu EU", "Chuỗi quy trình từ làm đất đến bảo quản sau thu hoạch, đã áp dụng cho 120 ha tại Thoại Sơn.", 9, "know_how", ["consulting"], 200_000_000, "clrri", "researcher2@example.org"),
    ("aquaculture", "Đàn cá tra bố mẹ tăng trưởng nhanh thế hệ G4", "Cá tra bố mẹ chọn lọc tăng trưởng nhanh hơn 12% mỗi thế hệ, tỷ lệ sống cá bột cao.", 8, "know_how", ["licence", "assignment"], 1_200_000_000, "ctu", "researcher@example.org"),
    ("aquaculture", "Hệ thống nuôi cá tra tuần hoàn tiết kiệm nước", "Bể lọc sinh học và tuần hoàn nước giảm 30% nước thải, phù hợp ao 1–2 ha ở Châu Phú, Long Xuyên.", 7, "utility", ["licence", "consulting"], 900_000_000, "agu", "researcher@example.org"),
    ("aquaculture", "Vắc-xin phòng bệnh gan thận mủ trên cá tra dạng ngâm", "Tạo miễn dịch cho cá giống qua ngâm, tỷ lệ bảo hộ trên 70%, giảm dùng kháng sinh.", 6, "patent_pending", ["licence", "capital"], None, "ctu", "researcher@example.org"),
    ("aquaculture", "Quy trình nuôi tôm càng xanh luân canh trên ruộng lúa", "Mô hình lúa – tôm càng xanh cho lợi nhuận tăng 40% so với độc canh lúa, ít thuốc bảo vệ thực vật.", 8, "know_how", ["consulting"], 120_000_000, "kgu", "researcher@example.org"),
    ("aquaculture", "Thức ăn cá tra từ phụ phẩm chế biến thủy sản", "Tận dụng đầu, xương cá làm thức ăn, giảm 15% giá thành thức ăn mà cá tăng trưởng tương đương.", 6, "know_how", ["licence", "capital"], 500_000_000, "agu", "researcher@example.org"),
    ("aquaculture", "Cảm biến đo ô-xy hòa tan và cảnh báo qua điện thoại cho ao nuôi", "Đo ô-xy, nhiệt độ, pH liên tục; nhắn tin khi ô-xy xuống thấp để bật quạt nước kịp thời.", 7, "utility", ["licence"], 35_000_000, "kgu", "researcher@example.org"),
    ("fruit", "Quy trình bảo quản xoài Cát Hòa Lộc bằng màng bao sinh học", "Kéo dài thời gian bảo quản xoài lên 21 ngày ở 12°C, giữ màu và độ ngọt, đáp ứng xuất khẩu đường biển.", 7, "patent_pending", ["licence", "consulting"], 300_000_000, "agu", "researcher@example.org"),
    ("fruit", "Xử lý ra hoa xoài Ba Màu trái vụ", "Điều khiển ra hoa đồng loạt, thu hoạch vào tháng giá cao; tỷ lệ đậu trái tăng 25%.", 8, "know_how", ["consulting"], 80_000_000, "agu", "researcher@example.org"),
    ("fruit", "Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô", "Cây giống đồng đều, sạch bệnh héo rũ Panama, tỷ lệ sống trên 95% khi ra vườn.", 8, "know_how", ["licence", "consulting"], 350_000_000, "clrri", "researcher2@example.org"),
    ("fruit", "Quy trình canh tác bơ sáp trên đất đồi Tri Tôn", "Chọn giống, tưới nhỏ giọt và tỉa cành cho bơ trên đất dốc, năng suất 12 tấn/ha từ năm thứ tư.", 6, "know_how", ["consulting"], None, "agu", "researcher@example.org"),
    ("fruit", "Dây chuyền sấy lạnh trái cây giữ màu và vitamin", "Sấy xoài, mít, chuối ở 35°C giữ 80% vitamin C; sản phẩm không dùng chất bảo quản.", 7, "utility", ["licence", "assignment"], 1_500_000_000, "ctu", "researcher@example.org"),
    ("smart-agriculture", "Hệ thống cảnh báo xâm nhập mặn bằng cảm biến IoT", "Mạng cảm biến đo độ mặn kênh nội đồng, cảnh báo qua Zalo khi vượt 2‰ để đóng cống kịp thời.", 7, "utility", ["licence", "consulting"], 250_000_000, "agu", "researcher@example.org"),
    ("smart-agriculture", "Ứng dụng ảnh vệ tinh dự báo năng suất lúa", "Dự báo năng suất từng cánh đồng trước thu hoạch 30 ngày với sai số dưới 8%, hỗ trợ điều hành thu mua.", 6, "copyright", ["licence"], 400_000_000, "agu", "researcher@example.org"),
    ("smart-agriculture", "Máy bay không người lái gieo sạ và bón phân chính xác", "Gieo sạ 20 ha/ngày theo bản đồ, giảm 30% lượng giống và phân bón.", 7, "know_how", ["consulting", "licence"], None, "kgu", "researcher@example.org"),
    ("smart-agriculture", "Tưới nhỏ giọt tự động điều khiển từ xa cho vườn cây ăn trái", "Bộ điều khiển tưới theo độ ẩm đất, vận hành bằng điện thoại, tiết kiệm 40% nước.", 8, "utility", ["licence"], 45_000_000, "ctu", "researcher@example.org"),
    ("traceability", "Nền tảng truy xuất nguồn gốc nông sản bằng mã QR", "Gắn mã QR cho từng lô hàng, ghi nhật ký canh tác điện tử, đáp ứng yêu cầu nhà nhập khẩu.", 8, "copyright", ["licence", "consulting"], 180_000_000, "kgu", "researcher@example.org"),
    ("traceability", "Nhật ký đồng ruộng điện tử cho hợp tác xã lúa", "Ghi chép vật tư, lịch phun, thu hoạch trên điện thoại; xuất báo cáo cho chứng nhận VietGAP.", 8, "copyright", ["licence"], 60_000_000, "agu", "researcher@example.org"),
    ("traceability", "Truy xuất nguồn gốc cá tra từ ao nuôi đến nhà máy", "Liên kết dữ liệu con giống, thức ăn, thuốc thú y của từng ao với lô cá phi lê xuất khẩu.", 7, "copyright", ["licence", "consulting"], 300_000_000, "ctu", "researcher@example.org"),
    ("digital-transformation", "Phần mềm quản lý hợp tác xã nông nghiệp", "Quản lý thành viên, vật tư, công nợ và bán hàng cho hợp tác xã, chạy trên điện thoại.", 8, "copyright", ["licence"], 50_000_000, "kgu", "researcher@example.org"),
    ("digital-transformation", "Sàn giao dịch nông sản trực tuyến cho nông hộ", "Kết nối nông hộ với thương lái và siêu thị, niêm yết giá minh bạch, thanh toán điện tử.", 6, "copyright", ["licence", "capital"], None, "agu", "researcher@example.org"),
    ("digital-transformation", "Trợ lý ảo tư vấn kỹ thuật canh tác bằng tiếng Việt", "Trả lời câu hỏi về sâu bệnh, phân bón qua Zalo, dựa trên quy trình của Sở Nông nghiệp và Môi trường.", 5, "copyright", ["licence"], None, "ctu", "researcher@example.org"),
    ("biotechnology", "Chế phẩm Trichoderma phòng bệnh thối rễ cây ăn trái", "Chế phẩm nấm đối kháng dạng bột, giảm 60% bệnh thối rễ trên sầu riêng và bưởi.", 8, "patent", ["licence", "assignment"], 250_000_000, "clrri", "researcher2@example.org"),
    ("biotechnology", "Phân bón hữu cơ vi sinh từ bùn đáy ao cá tra", "Xử lý bùn ao thành phân bón hữu cơ, giảm ô nhiễm và chi phí phân bón cho vườn cây.", 7, "patent_pending", ["licence", "capital"], 400_000_000, "agu", "researcher@example.org"),
    ("biotechnology", "Sản xuất nấm bào ngư trên giá thể rơm rạ", "Quy trình trồng nấm trên rơm, cho thu nhập thêm 15 triệu đồng/tấn rơm.", 9, "know_how", ["consulting"], 30_000_000, "kgu", "researcher@example.org"),
    ("tourism", "Ứng dụng thuyết minh du lịch đa ngôn ngữ cho Phú Quốc và Châu Đốc", "Thuyết minh điểm đến bằng 5 ngôn ngữ qua mã QR, kèm bản đồ và gợi ý hành trình.", 7, "copyright", ["licence"], 90_000_000, "kgu", "researcher@example.org"),
]  # fmt: skip

# Business needs: (sector, title, problem, budget from, budget to, lowest TRL)
NEEDS = [
    ("aquaculture", "Cần giải pháp giảm chi phí thức ăn nuôi cá tra", "Trang trại 20 ha ở Châu Phú muốn giảm giá thành thức ăn 10% mà không giảm tăng trưởng của cá.", 200_000_000, 800_000_000, 6),
    ("aquaculture", "Tìm hệ thống cảnh báo ô-xy cho ao nuôi", "Nhiều ao cá chết do thiếu ô-xy ban đêm; cần thiết bị đo và báo động giá vừa phải.", 20_000_000, 100_000_000, 7),
    ("rice", "Giống lúa thơm chịu mặn cho vùng ven biển", "Hợp tác xã 300 ha ở Kiên Lương cần giống lúa thơm chịu mặn, năng suất ổn định mùa khô.", 300_000_000, 1_000_000_000, 7),
    ("rice", "Xử lý rơm rạ thay cho đốt đồng", "Doanh nghiệp lúa gạo cần giải pháp xử lý rơm rạ nhanh để giảm phát thải và đạt chứng nhận xanh.", 100_000_000, 500_000_000, 6),
    ("fruit", "Kéo dài thời gian bảo quản xoài xuất khẩu", "Công ty xuất khẩu cần bảo quản xoài 3 tuần bằng đường biển, giữ màu và độ ngọt.", 200_000_000, 600_000_000, 6),
    ("fruit", "Sấy trái cây giữ màu tự nhiên", "Cơ sở chế biến muốn sấy xoài, chuối không dùng chất bảo quản, công suất 500 kg/ngày.", 500_000_000, 2_000_000_000, 6),
    ("traceability", "Truy xuất nguồn gốc cho lô gạo xuất khẩu", "Nhà nhập khẩu châu Âu yêu cầu truy xuất đến từng cánh đồng; cần phần mềm dễ dùng cho nông dân.", 100_000_000, 400_000_000, 7),
    ("smart-agriculture", "Cảnh báo xâm nhập mặn cho vùng trồng lúa", "Cần cảnh báo sớm độ mặn kênh nội đồng để chủ động đóng cống, lấy nước.", 100_000_000, 300_000_000, 6),
    ("digital-transformation", "Phần mềm quản lý hợp tác xã", "Hợp tác xã 150 thành viên cần quản lý vật tư, công nợ và bán hàng trên điện thoại.", 30_000_000, 100_000_000, 7),
    ("biotechnology", "Chế phẩm sinh học phòng bệnh cho vườn sầu riêng", "Nhà vườn ở Tri Tôn cần chế phẩm phòng thối rễ thay thuốc hóa học.", 50_000_000, 300_000_000, 7),
]  # fmt: skip

# Technologies that are results of the demo's funded projects: technology title → proposal title.
TECHNOLOGY_SOURCES = {
    "Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô": "Nhân giống in vitro chuối già Nam Mỹ sạch bệnh",
    "Chế phẩm vi sinh phân hủy nhanh rơm rạ tại ruộng": "Chế phẩm vi sinh xử lý rơm rạ tại ruộng",
    "Quy trình bảo quản xoài Cát Hòa Lộc bằng màng bao sinh học": "Màng bao sinh học kéo dài thời gian bảo quản xoài Cát Hòa Lộc xuất khẩu",
    "Chế phẩm Trichoderma phòng bệnh thối rễ cây ăn trái": "Chế phẩm nấm đối kháng Trichoderma phòng bệnh thối rễ sầu riêng và bưởi",
}

# English versions of the demo listings (shown under /en/): Vietnamese title → (title, summary).
TECHNOLOGIES_EN = {
    "Giống lúa thơm chịu mặn AGU-ST1": ("AGU-ST1 salt-tolerant fragrant rice variety", "Fragrant rice tolerating 4‰ salinity, 6.5–7 t/ha, 95–100 days; suited to the coastal fields of Kiên Lương, An Biên and Hòn Đất."),
    "Quy trình canh tác lúa giảm phát thải bằng tưới ướt khô xen kẽ": ("Low-emission rice farming with alternate wetting and drying", "30% less irrigation water and 40% less methane without loss of yield; with a handbook for cooperatives."),
    "Chế phẩm vi sinh phân hủy nhanh rơm rạ tại ruộng": ("Microbial product that breaks down rice straw in the field", "Decomposes straw in 15–20 days instead of burning it; 20% less nitrogen fertiliser in the next crop."),
    "Máy sấy lúa tĩnh vỉ ngang dùng năng lượng mặt trời kết hợp trấu": ("Flat-bed paddy dryer running on solar heat and rice husk", "Dries 8 tonnes per batch evenly, with 35% lower fuel cost than coal-fired drying."),
    "Bộ kít phát hiện nhanh bệnh đạo ôn trên lúa": ("Rapid field test kit for rice blast", "Detects the blast fungus in the field within 30 minutes, so farmers spray on time and less often."),
    "Quy trình sản xuất gạo hữu cơ đạt chuẩn xuất khẩu EU": ("Organic rice production meeting EU export standards", "The whole chain from land preparation to post-harvest storage, applied on 120 ha in Thoại Sơn."),
    "Đàn cá tra bố mẹ tăng trưởng nhanh thế hệ G4": ("Fast-growing G4 pangasius broodstock", "Selected broodstock growing 12% faster per generation, with high fry survival."),
    "Hệ thống nuôi cá tra tuần hoàn tiết kiệm nước": ("Water-saving recirculating pangasius farming", "Biofilters and recirculation cut wastewater by 30%; fits 1–2 ha ponds in Châu Phú and Long Xuyên."),
    "Vắc-xin phòng bệnh gan thận mủ trên cá tra dạng ngâm": ("Immersion vaccine against bacillary necrosis in pangasius", "Immunises fingerlings by immersion with over 70% protection, reducing antibiotic use."),
    "Quy trình nuôi tôm càng xanh luân canh trên ruộng lúa": ("Giant freshwater prawn in rotation with rice", "The rice–prawn model earns 40% more than rice alone, with fewer pesticides."),
    "Thức ăn cá tra từ phụ phẩm chế biến thủy sản": ("Pangasius feed from seafood processing by-products", "Uses fish heads and bones as feed: 15% cheaper with the same growth."),
    "Cảm biến đo ô-xy hòa tan và cảnh báo qua điện thoại cho ao nuôi": ("Dissolved-oxygen sensor with phone alerts for fish ponds", "Measures oxygen, temperature and pH around the clock and texts the farmer when oxygen drops, to start the aerators in time."),
    "Quy trình bảo quản xoài Cát Hòa Lộc bằng màng bao sinh học": ("Biological coating that keeps Cát Hòa Lộc mangoes longer", "Extends storage to 21 days at 12 °C, keeping colour and sweetness for sea-freight export."),
    "Xử lý ra hoa xoài Ba Màu trái vụ": ("Off-season flowering of Ba Màu mangoes", "Induces even flowering so the harvest falls in the high-price months; 25% more fruit set."),
    "Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô": ("Disease-free Cavendish banana plantlets by tissue culture", "Uniform plantlets free of Panama wilt, with over 95% survival in the field."),
    "Quy trình canh tác bơ sáp trên đất đồi Tri Tôn": ("Growing avocado on the hillsides of Tri Tôn", "Variety choice, drip irrigation and pruning for avocado on slopes: 12 t/ha from the fourth year."),
    "Dây chuyền sấy lạnh trái cây giữ màu và vitamin": ("Low-temperature fruit drying line that keeps colour and vitamins", "Dries mango, jackfruit and banana at 35 °C, keeping 80% of vitamin C, with no preservatives."),
    "Hệ thống cảnh báo xâm nhập mặn bằng cảm biến IoT": ("IoT salinity intrusion warning system", "Sensors in field canals alert by Zalo when salinity passes 2‰, so sluice gates close in time."),
    "Ứng dụng ảnh vệ tinh dự báo năng suất lúa": ("Rice yield forecasting from satellite images", "Forecasts each field's yield 30 days before harvest within 8%, to plan purchasing."),
    "Máy bay không người lái gieo sạ và bón phân chính xác": ("Drones for precision sowing and fertilising", "Sows 20 ha a day following a field map, with 30% less seed and fertiliser."),
    "Tưới nhỏ giọt tự động điều khiển từ xa cho vườn cây ăn trái": ("Remote-controlled automatic drip irrigation for orchards", "Irrigates by soil moisture and is run from a phone, saving 40% of water."),
    "Nền tảng truy xuất nguồn gốc nông sản bằng mã QR": ("QR-code traceability platform for farm produce", "A QR code for every lot and an electronic farm diary that importers accept."),
    "Nhật ký đồng ruộng điện tử cho hợp tác xã lúa": ("Electronic field diary for rice cooperatives", "Records inputs, spraying and harvest on a phone and exports the reports VietGAP certification needs."),
    "Truy xuất nguồn gốc cá tra từ ao nuôi đến nhà máy": ("Pangasius traceability from pond to factory", "Links each pond's fry, feed and veterinary records to the fillet lots exported."),
    "Phần mềm quản lý hợp tác xã nông nghiệp": ("Management software for farming cooperatives", "Members, inputs, debts and sales of a cooperative, on a phone."),
    "Sàn giao dịch nông sản trực tuyến cho nông hộ": ("Online produce marketplace for smallholders", "Connects farmers with traders and supermarkets, with open prices and electronic payment."),
    "Trợ lý ảo tư vấn kỹ thuật canh tác bằng tiếng Việt": ("Vietnamese-speaking farming advice assistant", "Answers questions on pests and fertilisers over Zalo, following the provincial Department of Agriculture and Environment's guidance."),
    "Chế phẩm Trichoderma phòng bệnh thối rễ cây ăn trái": ("Trichoderma product against root rot in fruit trees", "An antagonistic fungus powder that cuts root rot in durian and pomelo by 60%."),
    "Phân bón hữu cơ vi sinh từ bùn đáy ao cá tra": ("Organic fertiliser from pangasius pond sludge", "Turns pond sludge into organic fertiliser, reducing pollution and orchards' fertiliser costs."),
    "Sản xuất nấm bào ngư trên giá thể rơm rạ": ("Oyster mushrooms grown on rice straw", "Growing mushrooms on straw earns an extra 15 million đồng per tonne of straw."),
    "Ứng dụng thuyết minh du lịch đa ngôn ngữ cho Phú Quốc và Châu Đốc": ("Multilingual tour guide app for Phú Quốc and Châu Đốc", "Destination commentary in five languages by QR code, with maps and suggested routes."),
}  # fmt: skip

# Listings in the catalogue's other states: (row as in TECHNOLOGIES, state, days ago, note).
OTHER_LISTINGS = [
    (("rice", "Quy trình sản xuất giống lúa cấp xác nhận cho hợp tác xã", "Hợp tác xã tự sản xuất hạt giống lúa cấp xác nhận, giảm 25% chi phí giống, đạt tiêu chuẩn QCVN 01-54.", 7, "know_how", ["consulting"], 90_000_000, "clrri", "researcher2@example.org"),
     "draft", 12, "Bổ sung kết quả kiểm định hạt giống và nêu rõ quy mô hợp tác xã đã áp dụng."),
    (("fruit", "Bao trái xoài bằng túi giấy hai lớp chống ruồi đục trái", "Túi bao hai lớp giảm 90% trái bị ruồi đục, vỏ xoài sáng màu, không cần phun thuốc giai đoạn nuôi trái.", 8, "utility", ["licence"], 40_000_000, "agu", "researcher@example.org"),
     "pending", 2, ""),
    (("rice", "Máy gặt đập liên hợp mini cho ruộng nhỏ", "Máy gặt cỡ nhỏ cho ruộng dưới 0,5 ha và đất lún, năng suất 1 ha/ngày.", 7, "utility", ["licence", "assignment"], 350_000_000, "ctu", "researcher@example.org"),
     "archived", 150, "Mẫu máy đã ngừng sản xuất; nhóm đang hoàn thiện thế hệ mới."),
    (("digital-transformation", "Bản đồ số vùng trồng sầu riêng phục vụ cấp mã số", "Số hóa ranh giới và nhật ký vườn sầu riêng để cấp mã số vùng trồng xuất khẩu.", 5, "copyright", ["licence"], None, "kgu", "researcher@example.org"),
     "draft", 1, ""),
]  # fmt: skip

# Needs the business closed once it found a solution, and one it has not published yet.
CLOSED_NEEDS = {"Sấy trái cây giữ màu tự nhiên"}
DRAFT_NEEDS = [
    ("aquaculture", "Xử lý nước thải ao nuôi cá tra trước khi xả ra sông", "Trang trại 15 ha cần hệ thống xử lý nước thải đạt quy chuẩn trước khi xả ra sông Hậu.", 300_000_000, 1_200_000_000, 6),
]  # fmt: skip

# Deals of the demo business, one in every state (transfer.demo.play_deal). The completed one is
# on a funded project's result: its proposal ends `transferred`, with its 90-day registration.
DEALS = [
    {"technology": "Cảm biến đo ô-xy hòa tan và cảnh báo qua điện thoại cho ao nuôi", "state": "requested", "days_ago": 3,
     "message": "Công ty cần lắp cho 12 ao nuôi ở Châu Phú; xin báo giá và thời gian lắp đặt."},
    {"technology": "Thức ăn cá tra từ phụ phẩm chế biến thủy sản", "state": "negotiating", "days_ago": 12,
     "message": "Nhà máy có sẵn phụ phẩm đầu, xương cá; cần quy trình phối trộn cho 20 tấn thức ăn/ngày.",
     "accept_note": "Nhóm sẵn sàng trao đổi; xin mời xem phần thông số sau khi chấp nhận cam kết bảo mật."},
    {"technology": "Truy xuất nguồn gốc cá tra từ ao nuôi đến nhà máy", "state": "agreed", "days_ago": 20,
     "message": "Nhà nhập khẩu yêu cầu truy xuất từ ao đến lô phi lê; cần triển khai cho 40 ao.",
     "mode": "licence", "value": 280_000_000, "payment": "instalments", "term_months": 24},
    {"technology": "Quy trình bảo quản xoài Cát Hòa Lộc bằng màng bao sinh học", "state": "completed", "days_ago": 45, "pace": 4,
     "message": "Công ty xuất khẩu 300 tấn xoài/năm bằng đường biển; cần quy trình bảo quản 3 tuần.",
     "mode": "licence", "value": 300_000_000, "payment": "lump_sum", "term_months": 36,
     "note": "Đã bàn giao quy trình và tập huấn cho 8 cán bộ kỹ thuật của công ty."},
    {"technology": "Vắc-xin phòng bệnh gan thận mủ trên cá tra dạng ngâm", "state": "declined", "days_ago": 30,
     "message": "Cần vắc-xin cho 2 triệu cá giống mỗi năm.",
     "note": "Vắc-xin đang chờ cấp phép lưu hành; nhóm chưa thể chuyển giao lúc này."},
    {"technology": "Đàn cá tra bố mẹ tăng trưởng nhanh thế hệ G4", "state": "cancelled", "days_ago": 25,
     "message": "Quan tâm 200 cặp cá bố mẹ cho trại giống của công ty.",
     "note": "Công ty tạm hoãn đầu tư trại giống trong năm nay."},
]  # fmt: skip
