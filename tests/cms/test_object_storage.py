"""Public media on S3-compatible storage (issue 17): an image uploaded in Wagtail's admin is an
object in the public bucket, which browsers read straight from the S3 server (moto, started by
tests/object_storage.py on 127.0.0.1) without any signature."""

import pytest
import requests
from wagtail.images import get_image_model

from tests.object_storage import s3, s3_server  # noqa: F401 (fixtures)
from tests.samples import png

pytestmark = pytest.mark.django_db


def test_an_image_uploaded_in_the_cms_is_a_public_object_of_the_media_bucket(
    s3,  # noqa: F811
    client_as,
):
    admin = client_as("admin@example.org")
    upload = png("ruong-lua-chiu-man.png", size=(320, 200))
    response = admin.post(
        "/admin/images/add/",
        {
            "title": "Ruộng lúa chịu mặn",
            "description": "Ruộng lúa xanh trên đất nhiễm mặn",
            "file": upload,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    image = get_image_model().objects.get(title="Ruộng lúa chịu mặn")

    upload.seek(0)
    original = upload.read()
    assert s3.public_objects()[image.file.name] == original
    assert image.file.name not in s3.private_objects()
    url = image.file.url
    assert url.startswith(f"{s3.endpoint}/{s3.public}/") and "X-Amz" not in url
    fetched = requests.get(url, timeout=5)  # as a browser would, with no credentials
    assert fetched.status_code == 200 and fetched.content == original

    rendition = image.get_rendition("fill-160x100")
    assert rendition.file.name in s3.public_objects()
    assert requests.get(rendition.url, timeout=5).status_code == 200
