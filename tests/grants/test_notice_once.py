"""A transition's e-mails go out once although its task may run twice (issue 17: a worker
SIGKILLed mid-task has its task requeued by requeue_stale_tasks and run by another worker): a
second run after a committed one sends nothing; a run that failed before its commit (here the
mail server refused the connection) left no mark, and the next run sends; two runs at the same
instant on PostgreSQL send one e-mail between them."""

import pytest
from django.core import mail

from grants.models import TransitionNotice
from grants.tasks import notify_transition

pytestmark = pytest.mark.django_db


def owner_mails(address="researcher@example.org"):
    return [m for m in mail.outbox if m.to == [address]]


def test_a_second_run_of_a_sent_notice_sends_nothing(submitted):
    entry = submitted.audit_entries.get(transition="submit")
    mail.outbox.clear()
    TransitionNotice.objects.filter(entry=entry).delete()  # as if the on-commit run never happened
    assert notify_transition.call(entry.pk) >= 1
    assert len(owner_mails()) == 1
    assert owner_mails()[0].attachments[0][0] == f"bien-nhan-{submitted.receipt_number}.pdf"
    assert notify_transition.call(entry.pk) == 0
    assert len(owner_mails()) == 1
    assert TransitionNotice.objects.filter(entry=entry).count() == 1


def test_a_run_the_mail_server_refused_leaves_no_mark_and_the_next_run_sends(settings, submitted):
    entry = submitted.audit_entries.get(transition="submit")
    TransitionNotice.objects.filter(entry=entry).delete()
    mail.outbox.clear()
    # A real SMTP connection to a loopback port nobody listens on (this suite's range).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 7399, 2
    with pytest.raises(OSError):
        notify_transition.call(entry.pk)
    assert not TransitionNotice.objects.filter(entry=entry).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notify_transition.call(entry.pk) >= 1
    assert len(owner_mails()) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_one_mail(seeded):
    from tests.concurrency import run_together
    from tests.grants.conftest import submitted_by_new_applicant

    # The on-commit task of this submit is run again by the threads below.
    done = submitted_by_new_applicant("applicant-n", "Thông báo gửi một lần")
    entry = done.audit_entries.get(transition="submit")
    TransitionNotice.objects.filter(entry=entry).delete()
    mail.outbox.clear()
    results = run_together(*[lambda: notify_transition.call(entry.pk) for _ in range(3)])
    assert [kind for kind, _value in results] == ["ok"] * 3, results
    assert sorted(value for _kind, value in results)[:2] == [0, 0]
    assert len(owner_mails("applicant-n@example.org")) == 1
    assert TransitionNotice.objects.filter(entry=entry).count() == 1
