"""Two first renders of one document at once on object storage (issue 17, found by `make
cluster-test`): S3 has no create-if-absent, so both requests can find the digest's name free and
write the same object; the one whose row loses must not delete it, or the winner's row names a
missing object and every later download of the receipt fails. Against a real S3 server (moto)."""

import datetime
import threading

import pytest

from core.models import SignedDocument
from core.signing import stored_document
from tests.concurrency import run_together
from tests.object_storage import s3, s3_server  # noqa: F401 (fixtures)
from tests.samples import PDF

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_loser_of_two_first_renders_keeps_the_object_they_both_wrote(
    s3,  # noqa: F811
    monkeypatch,
):
    storage = SignedDocument._meta.get_field("file").storage
    both_named = threading.Barrier(2)
    write = storage._save

    def save_after_both_chose_the_name(name, content):
        # Each request has asked the S3 server whether the name is free (it was, for both).
        both_named.wait(timeout=10)
        return write(name, content)

    monkeypatch.setattr(storage, "_save", save_after_both_chose_the_name)

    def first_render():
        return stored_document(
            kind="receipt", key="990001/1", number="AG-NN01-2026-9999",
            dated=datetime.date(2026, 12, 3), subject="Biên nhận", path="/proposals/990001/",
            render=lambda: PDF,
        )  # fmt: skip

    results = run_together(first_render, first_render)
    assert results == [("ok", PDF), ("ok", PDF)]
    document = SignedDocument.objects.get(kind="receipt", key="990001/1")
    assert s3.private_objects().get(document.file.name) == PDF
    assert document.read() == PDF
