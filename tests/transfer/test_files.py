"""Pictures and documents of a listing: checked by content, public with the listing only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.samples import PDF, pdf, png
from transfer import workflow
from transfer.models import Technology, TechnologyFile, TransferDeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech():
    # Owned by researcher2, still a draft: changes need no new moderation.
    technology = Technology.objects.get(
        title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô"
    )
    Technology.objects.filter(pk=technology.pk).update(state="draft")
    technology.refresh_from_db()
    return technology


def add(client, tech, kind, upload, caption="Vườn chuối giống sau 6 tháng"):
    return client.post(
        f"/technologies/{tech.pk}/files/", {"kind": kind, "caption": caption, "file": upload}
    )


def test_the_owner_adds_a_picture_and_a_brochure_that_visitors_then_see(client_as, tech):
    owner = client_as("researcher2@example.org")
    assert add(owner, tech, "image", png()).status_code == 302
    brochure = pdf("gioi-thieu.pdf")
    assert (
        add(owner, tech, "document", brochure, caption="Tờ giới thiệu công nghệ").status_code == 302
    )
    document, image = TechnologyFile.objects.filter(technology=tech).order_by("kind")
    assert (
        document.kind == "document" and image.kind == "image" and image.content_type == "image/png"
    )
    workflow.submit_technology(tech, by=tech.owner)
    workflow.publish_technology(
        Technology.objects.get(pk=tech.pk), by=_officer(),
        checklist=[k for k, _ in workflow.PUBLISH_CHECKLIST],
    )  # fmt: skip
    visitor = client_as(None)
    html = visitor.get(f"/technologies/{tech.pk}/").content.decode()
    assert f'<img src="{image.get_absolute_url()}" alt="Vườn chuối giống sau 6 tháng"' in html
    assert "Tờ giới thiệu công nghệ" in html and 'property="og:image"' in html
    response = visitor.get(image.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    response = visitor.get(document.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment")
    # Archived: the files go with the listing.
    workflow.archive_technology(Technology.objects.get(pk=tech.pk), by=tech.owner)
    assert visitor.get(image.get_absolute_url()).status_code == 404
    assert client_as("researcher2@example.org").get(image.get_absolute_url()).status_code == 200


def _officer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(email="officer@example.org")


@pytest.mark.parametrize(
    "kind, upload, message",
    [
        ("image", SimpleUploadedFile("anh.png", b"MZ\x90\x00 not an image", "image/png"),
         "Chỉ nhận ảnh PNG và JPEG"),
        ("image", SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
         "Ảnh bị hỏng"),
        ("image", SimpleUploadedFile("anh.pdf", PDF, "application/pdf"), "Chỉ nhận ảnh PNG và JPEG"),
        ("document", png("bao-cao.png"), "Chỉ nhận tệp PDF, Word (.docx) và Excel (.xlsx)"),
    ],
)  # fmt: skip
def test_files_are_checked_by_content_and_the_caption_is_kept(
    client_as, tech, kind, upload, message
):
    response = add(
        client_as("researcher2@example.org"), tech, kind, upload, caption="Chú thích giữ lại"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_file_error"' in html and message in html
    assert 'value="Chú thích giữ lại"' in html
    assert not TechnologyFile.objects.filter(technology=tech).exists()


def test_a_listing_holds_a_bounded_number_of_pictures(client_as, tech):
    owner = client_as("researcher2@example.org")
    for n in range(TechnologyFile.LIMITS["image"]):
        assert add(owner, tech, "image", png(f"anh-{n}.png")).status_code == 302
    response = add(owner, tech, "image", png("mot-anh-nua.png"))
    assert response.status_code == 400 and 'id="id_file_error"' in response.content.decode()
    assert tech.files.count() == TechnologyFile.LIMITS["image"]


def test_only_the_owner_adds_or_removes_files(client_as, tech):
    assert add(client_as("researcher2@example.org"), tech, "image", png()).status_code == 302
    item = tech.files.get()
    for email in ("researcher@example.org", "business@example.org", "officer@example.org"):
        client = client_as(email)
        assert add(client, tech, "image", png()).status_code == 403
        assert client.post(f"/technologies/{tech.pk}/files/{item.pk}/remove/").status_code == 403
    assert client_as(None).post(f"/technologies/{tech.pk}/files/").status_code == 302  # to login
    owner = client_as("researcher2@example.org")
    assert owner.post(f"/technologies/{tech.pk}/files/{item.pk}/remove/").status_code == 302
    assert not tech.files.exists()


def test_a_new_picture_on_a_published_listing_is_moderated_again(client_as):
    tech = Technology.objects.get(title="Giống lúa thơm chịu mặn AGU-ST1")
    assert tech.state == "published"
    assert add(client_as("researcher@example.org"), tech, "image", png()).status_code == 302
    tech.refresh_from_db()
    assert tech.state == "pending" and tech.files.count() == 1


@pytest.mark.parametrize(
    "email, status",
    [
        (None, 404),
        ("researcher2@example.org", 200),  # the owner
        ("officer@example.org", 200),
        ("business@example.org", 200),  # in a deal on it
        ("researcher@example.org", 404),
        ("reviewer1@example.org", 404),
        ("manager@example.org", 404),
    ],
)
def test_the_files_of_a_listing_under_moderation_matrix(client_as, tech, email, status):
    assert add(client_as("researcher2@example.org"), tech, "image", png()).status_code == 302
    item = tech.files.get()
    workflow.submit_technology(tech, by=tech.owner)
    from django.contrib.auth import get_user_model

    business = get_user_model().objects.get(email="business@example.org")
    TransferDeal.objects.create(technology=tech, business=business, message="Cần cây giống")
    assert client_as(email).get(item.get_absolute_url()).status_code == status


def test_the_api_lists_a_listings_files(client_as, tech):
    owner = client_as("researcher2@example.org")
    add(owner, tech, "image", png())
    workflow.submit_technology(tech, by=tech.owner)
    workflow.publish_technology(
        Technology.objects.get(pk=tech.pk), by=_officer(),
        checklist=[k for k, _ in workflow.PUBLISH_CHECKLIST],
    )  # fmt: skip
    data = client_as(None).get(f"/api/v1/technologies/{tech.pk}/").json()
    assert [f["kind"] for f in data["files"]] == ["image"]
    assert data["files"][0]["url"].endswith(tech.files.get().get_absolute_url())
