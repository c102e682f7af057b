"""Private files on S3-compatible storage (issue 17), against a real S3 server (moto, started by
tests/object_storage.py on 127.0.0.1): uploads and receipts land in the private bucket, come back
only through the permission-checked views, and no page shows an address of the object."""

import io
import re
from pathlib import Path

import pytest
import requests
from django.conf import settings
from pypdf import PdfReader

from core.models import SignedDocument
from tests.object_storage import leaks, s3, s3_server  # noqa: F401 (fixtures)
from tests.samples import PDF, pdf

pytestmark = pytest.mark.django_db


def upload(client, proposal, label="Báo giá thiết bị đo mặn"):
    url = f"/proposals/{proposal.pk}/edit/attachments/"
    response = client.post(url, {"label": label, "file": pdf("bao-gia.pdf")})
    assert response.status_code == 302, response.content.decode()[:500]
    return proposal.attachments.get(label=label)


def test_an_uploaded_attachment_is_a_private_object_only_its_owner_downloads(
    s3,  # noqa: F811 (first: the draft's own files go to the buckets too)
    client_as,
    draft,
):
    owner = client_as("researcher@example.org")
    attachment = upload(owner, draft)

    stored = s3.private_objects()
    assert stored[attachment.file.name] == PDF
    assert attachment.file.name not in s3.public_objects()
    download = f"/proposals/{draft.pk}/attachments/{attachment.pk}/"
    response = owner.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    for page in (f"/proposals/{draft.pk}/", f"/proposals/{draft.pk}/edit/attachments/"):
        html = owner.get(page).content.decode()
        assert download in html and not leaks(html, s3)

    other = client_as("researcher2@example.org")
    response = other.get(download)
    assert response.status_code in (403, 404)
    assert not leaks(response.content, s3) and "Location" not in response
    other.logout()
    response = other.get(download)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not leaks(response.content, s3)

    # Straight at the S3 server, without the portal's signature: refused.
    anonymous = requests.get(f"{s3.endpoint}/{s3.private_bucket}/{attachment.file.name}", timeout=5)
    assert anonymous.status_code == 403
    assert PDF not in anonymous.content


def test_the_receipt_made_on_submit_is_a_private_object_served_the_same_twice(
    s3,  # noqa: F811
    client_as,
    draft,
    django_capture_on_commit_callbacks,
):
    client = client_as("researcher@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/proposals/{draft.pk}/transitions/submit/").status_code == 302
    draft.refresh_from_db()
    stored = SignedDocument.objects.get(kind="receipt", key=f"{draft.pk}/1")
    in_bucket = s3.private_objects()[stored.file.name]

    first = client.get(f"/proposals/{draft.pk}/receipt.pdf")
    second = client.get(f"/proposals/{draft.pk}/receipt.pdf")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == in_bucket
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(in_bucket)).pages)
    assert draft.receipt_number in text and "GIẤY BIÊN NHẬN HỒ SƠ" in text
    assert (
        client_as("researcher2@example.org").get(f"/proposals/{draft.pk}/receipt.pdf").status_code
        == 403
    )
    anonymous = requests.get(f"{s3.endpoint}/{s3.private_bucket}/{stored.file.name}", timeout=5)
    assert anonymous.status_code == 403


def test_a_signed_url_of_a_private_object_if_ever_made_lives_five_minutes(
    s3,  # noqa: F811
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    private = storages["private"]
    name = private.save("signed/test/probe.pdf", ContentFile(PDF))
    url = private.url(name)
    assert "X-Amz-Expires=300" in url
    assert requests.get(url, timeout=5).content == PDF  # signed: the server hands it over
    assert requests.get(url.split("?")[0], timeout=5).status_code == 403


def test_no_template_shows_the_address_of_a_private_file():
    """Private files are linked by the views that check who asks (docs/decisions); the storage's
    own URL of one (a signed S3 address) would skip that check, so no template may print it."""
    private_fields = {"file", "agreement"}
    pattern = re.compile(r"\.({})\.url\b".format("|".join(private_fields)))
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


def test_the_proposals_api_shows_no_address_of_the_private_bucket(
    s3,  # noqa: F811
    client_as,
    draft,
):
    owner = client_as("researcher@example.org")
    upload(owner, draft)
    response = owner.get("/api/v1/proposals/")
    assert response.status_code == 200 and str(draft.pk) in response.content.decode()
    assert not leaks(response.content, s3)
