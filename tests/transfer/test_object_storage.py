"""A listing's files on S3-compatible storage (issue 17): private objects that the catalogue's
pages and API link through the portal's views, which serve them only while the listing is
public (moto, started by tests/object_storage.py on 127.0.0.1)."""

import pytest
import requests

from tests.object_storage import leaks, s3, s3_server  # noqa: F401 (fixtures)
from tests.samples import png
from tests.transfer.test_files import _officer, add, tech  # noqa: F401 (fixture)
from transfer import workflow
from transfer.models import Technology

pytestmark = pytest.mark.django_db


def test_a_listing_picture_is_a_private_object_served_by_the_view_while_published(
    s3,  # noqa: F811
    client_as,
    tech,  # noqa: F811
):
    owner = client_as("researcher2@example.org")
    picture = png()
    assert add(owner, tech, "image", picture).status_code == 302
    item = tech.files.get()
    picture.seek(0)
    original = picture.read()
    assert s3.private_objects()[item.file.name] == original
    visitor = client_as(None)
    assert visitor.get(item.get_absolute_url()).status_code == 404  # a draft's file

    workflow.submit_technology(tech, by=tech.owner)
    workflow.publish_technology(
        Technology.objects.get(pk=tech.pk), by=_officer(),
        checklist=[k for k, _ in workflow.PUBLISH_CHECKLIST],
    )  # fmt: skip
    page = visitor.get(f"/technologies/{tech.pk}/")
    assert item.get_absolute_url() in page.content.decode() and not leaks(page.content, s3)
    api = visitor.get("/api/v1/technologies/")
    files = [f for t in api.json()["results"] if t["id"] == tech.pk for f in t["files"]]
    assert [f["url"] for f in files] == [f"http://testserver{item.get_absolute_url()}"]
    assert not leaks(api.content, s3)
    served = visitor.get(item.get_absolute_url())
    assert served.status_code == 200 and b"".join(served.streaming_content) == original
    bare = requests.get(f"{s3.endpoint}/{s3.private_bucket}/{item.file.name}", timeout=5)
    assert bare.status_code == 403
