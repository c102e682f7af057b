"""The receipt is rendered once per submitted version and stored (issue 16): the e-mail attaches
the stored file and every download serves the very same bytes, in Vietnamese and in English."""

import datetime
import io

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from core.models import SignedDocument
from grants import workflow
from grants.tasks import notify_transition

pytestmark = pytest.mark.django_db


def text_of(data):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_submit_stores_the_receipt_once_and_mail_and_downloads_are_the_same_bytes(
    client_as, draft, django_capture_on_commit_callbacks
):
    client = client_as("researcher@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/proposals/{draft.pk}/transitions/submit/")
    draft.refresh_from_db()
    stored = SignedDocument.objects.get(kind="receipt", key=f"{draft.pk}/1")
    assert stored.number == draft.receipt_number
    attached = next(m for m in mail.outbox if m.to == ["researcher@example.org"]).attachments[0]
    first = client.get(f"/proposals/{draft.pk}/receipt.pdf")
    second = client.get(f"/proposals/{draft.pk}/receipt.pdf")
    assert first.status_code == second.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first.content == second.content == attached[1] == stored.read()
    text = text_of(first.content)
    assert draft.receipt_number in text and "GIẤY BIÊN NHẬN HỒ SƠ" in text
    assert SignedDocument.objects.filter(key__startswith=f"{draft.pk}/").count() == 1


def test_first_download_before_the_worker_ran_stores_it_and_the_mail_reuses_it(
    client_as, draft, researcher
):
    done = workflow.submit(draft, by=researcher)  # the on-commit task has not run
    assert not SignedDocument.objects.filter(kind="receipt").exists()
    client = client_as("researcher@example.org")
    first = client.get(f"/proposals/{done.pk}/receipt.pdf").content
    assert done.receipt_number in text_of(first)
    mail.outbox.clear()
    entry = done.audit_entries.get(transition="submit")
    notify_transition.call(entry.pk)
    attached = next(m for m in mail.outbox if m.to == ["researcher@example.org"]).attachments[0]
    assert attached[1] == first == client.get(f"/proposals/{done.pk}/receipt.pdf").content
    assert SignedDocument.objects.filter(kind="receipt").count() == 1


def test_english_courtesy_receipt_is_stored_apart_and_stable(client_as, submitted):
    client = client_as("researcher@example.org")
    first = client.get(f"/en/proposals/{submitted.pk}/receipt.pdf")
    assert first.status_code == 200
    assert first["Content-Disposition"].startswith('inline; filename="receipt-')
    text = text_of(first.content)
    assert "RECEIPT OF APPLICATION" in text and submitted.receipt_number in text
    assert client.get(f"/en/proposals/{submitted.pk}/receipt.pdf").content == first.content
    vietnamese = client.get(f"/proposals/{submitted.pk}/receipt.pdf").content
    assert vietnamese != first.content and "GIẤY BIÊN NHẬN HỒ SƠ" in text_of(vietnamese)
    kinds = SignedDocument.objects.filter(key=f"{submitted.pk}/1").values_list("kind", flat=True)
    assert sorted(kinds) == ["receipt", "receipt_en"]


def test_a_resubmitted_version_gets_its_own_stored_receipt(
    client_as, submitted, officer, researcher
):
    client = client_as("researcher@example.org")
    v1 = client.get(f"/proposals/{submitted.pk}/receipt.pdf").content
    returned = workflow.return_for_revision(
        submitted,
        by=officer,
        comment="Bổ sung dự toán",
        revision_deadline=timezone.now() + datetime.timedelta(days=7),
    )
    again = workflow.submit(returned, by=researcher)
    v2 = client.get(f"/proposals/{again.pk}/receipt.pdf").content
    assert v2 != v1 and again.receipt_number in text_of(v2)
    assert SignedDocument.objects.filter(kind="receipt", key=f"{again.pk}/2").exists()
    assert client.get(f"/proposals/{again.pk}/receipt.pdf").content == v2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_downloads_at_once_store_one_receipt_and_serve_the_same_bytes(seeded):
    from grants.documents import receipt_document
    from grants.models import Proposal
    from tests.concurrency import run_together
    from tests.grants.conftest import submitted_by_new_applicant

    done = submitted_by_new_applicant("applicant-r", "Biên nhận tải cùng lúc")
    results = run_together(
        *[lambda: receipt_document(Proposal.objects.get(pk=done.pk)) for _ in range(4)]
    )
    assert [kind for kind, _value in results] == ["ok"] * 4, results
    served = {value for _kind, value in results}
    stored = SignedDocument.objects.get(kind="receipt", key=f"{done.pk}/1")
    assert served == {stored.read()}
    assert done.receipt_number in text_of(stored.read())
    folder = stored.file.storage.path(stored.file.name).rsplit("/", 1)[0]
    import os

    assert [n for n in os.listdir(folder) if n.startswith(stored.sha256)] == [
        stored.file.name.rsplit("/", 1)[1]
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_first_render_under_way_makes_the_others_wait_and_render_nothing(seeded):
    # The worker's e-mail and the researcher's download ask for the same new receipt at once:
    # one renders, the others wait on its lock and serve the stored bytes (one render's CPU).
    import threading
    import time

    from core.signing import stored_document
    from tests.concurrency import run_together

    renders = []
    lock = threading.Lock()

    def render():
        with lock:
            renders.append(threading.get_ident())
        time.sleep(0.3)  # long enough for every other thread to arrive while this one renders
        return b"%PDF-1.7 one render " + str(len(renders)).encode()

    def ask():
        return stored_document(
            kind="receipt",
            key="lock-test/1",
            number="01/BN",
            dated=timezone.localdate(),
            subject="Biên nhận",
            path="/proposals/0/receipt.pdf",
            render=render,
        )

    results = run_together(*[ask for _ in range(4)])
    assert [kind for kind, _value in results] == ["ok"] * 4, results
    assert len(renders) == 1
    assert {value for _kind, value in results} == {b"%PDF-1.7 one render 1"}
    assert SignedDocument.objects.filter(kind="receipt", key="lock-test/1").count() == 1


def test_a_render_that_lost_to_another_deletes_its_own_file_and_serves_the_winners():
    # Without the database's lock (SQLite) two first renders can both store: the row's unique
    # constraint keeps the first, the second deletes its file. Here the other request finishes
    # while this one renders (a nested call, so no thread is needed on either database).
    from core.signing import stored_document

    def ask(render):
        return stored_document(
            kind="receipt", key="race/1", number="02/BN", dated=timezone.localdate(),
            subject="Biên nhận", path="/proposals/0/receipt.pdf", render=render,
        )  # fmt: skip

    def render_while_another_stores():
        ask(lambda: b"%PDF-1.7 the winner")
        return b"%PDF-1.7 the loser"

    assert ask(render_while_another_stores) == b"%PDF-1.7 the winner"
    stored = SignedDocument.objects.get(kind="receipt", key="race/1")
    assert stored.read() == b"%PDF-1.7 the winner"
    import hashlib
    import os

    folder = os.path.dirname(stored.file.storage.path(stored.file.name))
    loser = hashlib.sha256(b"%PDF-1.7 the loser").hexdigest()
    assert not [name for name in os.listdir(folder) if name.startswith(loser)]
