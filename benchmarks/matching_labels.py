"""A small labelled set to measure matching: each demo need and the demo technologies that a
Department officer would put in front of that business (written by hand from the demo data)."""

LABELS = {
    "Cần giải pháp giảm chi phí thức ăn nuôi cá tra": {
        "Thức ăn cá tra từ phụ phẩm chế biến thủy sản",
    },
    "Tìm hệ thống cảnh báo ô-xy cho ao nuôi": {
        "Cảm biến đo ô-xy hòa tan và cảnh báo qua điện thoại cho ao nuôi",
    },
    "Giống lúa thơm chịu mặn cho vùng ven biển": {"Giống lúa thơm chịu mặn AGU-ST1"},
    "Xử lý rơm rạ thay cho đốt đồng": {
        "Chế phẩm vi sinh phân hủy nhanh rơm rạ tại ruộng",
        "Sản xuất nấm bào ngư trên giá thể rơm rạ",
    },
    "Kéo dài thời gian bảo quản xoài xuất khẩu": {
        "Quy trình bảo quản xoài Cát Hòa Lộc bằng màng bao sinh học",
    },
    "Sấy trái cây giữ màu tự nhiên": {"Dây chuyền sấy lạnh trái cây giữ màu và vitamin"},
    "Truy xuất nguồn gốc cho lô gạo xuất khẩu": {
        "Nền tảng truy xuất nguồn gốc nông sản bằng mã QR",
        "Nhật ký đồng ruộng điện tử cho hợp tác xã lúa",
        "Quy trình sản xuất gạo hữu cơ đạt chuẩn xuất khẩu EU",
    },
    "Cảnh báo xâm nhập mặn cho vùng trồng lúa": {
        "Hệ thống cảnh báo xâm nhập mặn bằng cảm biến IoT",
    },
    "Phần mềm quản lý hợp tác xã": {
        "Phần mềm quản lý hợp tác xã nông nghiệp",
        "Nhật ký đồng ruộng điện tử cho hợp tác xã lúa",
    },
    "Chế phẩm sinh học phòng bệnh cho vườn sầu riêng": {
        "Chế phẩm Trichoderma phòng bệnh thối rễ cây ăn trái",
    },
}


def evaluate():
    """Hit@1, precision@5 and recall@5 of `technologies_for` on the labelled needs."""
    from transfer import matching
    from transfer.models import TechnologyNeed

    hits = precision = recall = 0.0
    rows = []
    for title, relevant in LABELS.items():
        need = TechnologyNeed.objects.get(title=title)
        top = [m.item.title for m in matching.technologies_for(need, limit=5)]
        found = len(relevant & set(top))
        hits += 1 if top and top[0] in relevant else 0
        precision += found / 5
        recall += found / len(relevant)
        rows.append((title, top[:1], found, len(relevant)))
    n = len(LABELS)
    return {"hit@1": hits / n, "precision@5": precision / n, "recall@5": recall / n, "rows": rows}
