"""Background work of the ground: webhook deliveries (core.webhooks), run by the task worker
(django_tasks_db in production; immediately after the commit in dev and tests)."""

from django_tasks import task


@task()
def deliver_webhook(delivery_id, test=False):
    """One attempt at a delivery; a failure schedules the next one (core.webhooks.attempt)."""
    from core import webhooks

    delivery = webhooks.attempt(delivery_id, test=test)
    return None if delivery is None else delivery.status
