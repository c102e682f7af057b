"""The moderation workflow of the site's pages: draft → review → publish (Wagtail workflows).

Every page sits under Wagtail's root, so one workflow assigned there covers the home page,
standard pages, the news index and news articles. Who may publish without review is decided
by page permissions (portal.permissions): officers publish calls directly, nothing else.
"""

from django.db import connection, transaction

WORKFLOW_NAME = "Duyệt trang và tin bài"
TASK_NAME = "Một cán bộ khác duyệt"


@transaction.atomic
def ensure_page_moderation(approver_groups):
    """Create (or bring up to date) the four-eyes workflow and assign it to the root page.

    Idempotent: runs after every migrate and at the start and end of the demo seed. Replaces
    whatever workflow the root page had (Wagtail's own migrations may have given it
    "Moderators approval", which names a group the portal does not use).
    """
    from wagtail.models import Page, Workflow, WorkflowPage, WorkflowTask

    from cms.models import FourEyesApprovalTask

    # A migration run back to before cms 0002 (tests of older migrations) has no task table.
    if FourEyesApprovalTask._meta.db_table not in connection.introspection.table_names():
        return None
    root = Page.get_first_root_node()
    if root is None:
        return None
    task = FourEyesApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = FourEyesApprovalTask.objects.create(name=TASK_NAME)
    if not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.set(approver_groups)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    return workflow


def publish_approved(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish what the workflow approved, as the approver.

    The approver holds no publish_page on news (nor do officers anywhere but calls): their
    approval, checked by the task (cms.models.FourEyesApprovalTask), is what lets it go live.
    """
    revision = workflow_state.content_object.get_latest_revision()
    revision.publish(user=user, skip_permission_checks=True)
