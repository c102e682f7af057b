"""Two first renders of one document at once on object storage (issue 17, found by `make
cluster-test`): S3 has no create-if-absent, so both requests can find the digest's name free and
write the same object; the one whose row loses must not delete it, or the winner's row names a
missing object and every later download of the receipt fails. The first render now holds a lock
on PostgreSQL, so the second request waits and serves the stored object. Against a real S3
server (moto)."""

import datetime
import time

import pytest

from core.models import SignedDocument
from core.signing import stored_document
from tests.concurrency import run_together
from tests.object_storage import s3, s3_server  # noqa: F401 (fixtures)
from tests.samples import PDF

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_first_renders_at_once_on_s3_render_once_and_store_one_object(
    s3,  # noqa: F811
):
    # Before the render lock, both requests found the digest's name free and wrote the same
    # object, and the one whose row lost deleted it. Now the second waits for the first.
    renders = []

    def render():
        renders.append(1)
        time.sleep(0.3)  # the other request arrives while this one renders
        return PDF

    def first_render():
        return stored_document(
            kind="receipt", key="990001/1", number="AG-NN01-2026-9999",
            dated=datetime.date(2026, 12, 3), subject="Biên nhận", path="/proposals/990001/",
            render=render,
        )  # fmt: skip

    results = run_together(first_render, first_render)
    assert results == [("ok", PDF), ("ok", PDF)]
    assert len(renders) == 1
    document = SignedDocument.objects.get(kind="receipt", key="990001/1")
    assert s3.private_objects().get(document.file.name) == PDF
    assert [name for name in s3.private_objects() if document.sha256 in name] == [
        document.file.name
    ]  # one object: the second request wrote none
    assert document.read() == PDF
