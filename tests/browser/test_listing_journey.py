"""A researcher lists a finished project's result with a photograph, an officer publishes it
after the checklist, and a visitor finds it — in real Chromium."""

import re

import pytest

from grants.models import Proposal
from tests.browser.conftest import sign_in
from tests.samples import png
from transfer.models import Technology

pytestmark = pytest.mark.browser
TITLE = "Màng bao chitosan giữ xoài tươi 3 tuần khi xuất khẩu đường biển"


def test_a_result_is_listed_with_a_photo_moderated_and_found(page, demo_site, screenshot, tmp_path):
    base = demo_site.url
    project = Proposal.objects.get(
        title="Màng bao sinh học kéo dài thời gian bảo quản xoài Cát Hòa Lộc xuất khẩu"
    )
    sign_in(page, base, project.owner.email, f"/proposals/{project.pk}/")
    page.get_by_role("link", name="Đăng kết quả để doanh nghiệp tiếp cận").click()
    page.wait_for_url(re.compile(rf"/technologies/new/\?from={project.pk}$"))
    assert page.get_by_label("Tiêu đề").input_value() == project.title  # started from the project
    page.get_by_label("Tiêu đề").fill(TITLE)
    page.get_by_label("Mức độ sẵn sàng công nghệ (TRL)").fill("7")
    page.get_by_label("Li-xăng không độc quyền").check()
    page.get_by_label("Giá tham khảo (đồng)").fill("150.000.000")
    page.get_by_role("button", name="Gửi Sở duyệt").click()
    page.wait_for_url(re.compile(r"/technologies/\d+/$"))
    technology = Technology.objects.get(title=TITLE)
    assert technology.state == "pending" and technology.source_proposal_id == project.pk

    page.goto(f"{base}/technologies/{technology.pk}/edit/")
    photo = tmp_path / "xoai-sau-21-ngay.png"
    photo.write_bytes(png(size=(320, 240)).read())
    page.get_by_label("Hình ảnh", exact=True).check()
    page.get_by_label("Chú thích").fill("Xoài Cát Hòa Lộc sau 21 ngày bảo quản ở 12°C")
    page.locator("#id_file").set_input_files(str(photo))
    page.get_by_role("button", name="Thêm tệp").click()
    page.wait_for_load_state()
    assert "Đã thêm tệp." in page.content()
    screenshot(page, "listing-with-photo")

    sign_in(page, base, "officer@example.org", "/technologies/moderation/", staff=True)
    listing = page.locator("section.panel", has_text=TITLE)
    for box in listing.get_by_role("checkbox").all():
        box.check()
    listing.get_by_role("button", name="Công bố").click()
    page.wait_for_load_state()
    assert Technology.objects.get(pk=technology.pk).state == "published"

    page.context.clear_cookies()
    page.goto(f"{base}/technologies/?q=mang+bao+chitosan")
    page.get_by_role("link", name=TITLE).click()
    picture = page.get_by_role("img", name="Xoài Cát Hòa Lộc sau 21 ngày bảo quản ở 12°C")
    image = picture.element_handle()
    # Served through the listing's checked view and decoded by the browser (lazy: wait for it).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image, timeout=10000)
    assert page.evaluate("img => img.naturalWidth", image) == 320
    screenshot(page, "published-with-photo")
