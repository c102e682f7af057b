"""Model permissions behind each role, kept in code so every database gets the same set."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from cms.moderation import ensure_page_moderation
from core import roles
from grants.models import CallIndexPage

# Officers run the CMS: pages, documents, images, sectors, site settings.
OFFICER_MODEL_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "change_document"),
    ("wagtaildocs", "document", "choose_document"),
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "change_image"),
    ("wagtailimages", "image", "choose_image"),
    ("cms", "sector", "add_sector"),
    ("cms", "sector", "change_sector"),
    ("cms", "sitesettings", "change_sitesettings"),
    ("grants", "rubric", "add_rubric"),
    ("grants", "rubric", "change_rubric"),
    ("grants", "rubric", "view_rubric"),
]
# On the whole tree officers write and lock pages, but publish only through moderation
# (cms.moderation: another officer approves); calls they publish directly (DESIGN.md: officers
# publish calls), so publish_page hangs on each call index instead of the root.
OFFICER_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
OFFICER_CALL_PAGE_PERMISSIONS = ["publish_page"]


def sync_role_permissions(**kwargs):
    """Create the role groups if missing and give officers their CMS permissions (post_migrate)."""
    # post_migrate reaches `portal` first, before Django has created the other apps'
    # permissions in a fresh database: create them all now, or officers would get none.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
    )

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    officer = Group.objects.get(name=roles.OFFICER)

    for app_label, model, codename in OFFICER_MODEL_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        ).first()
        if permission is None:
            continue
        if app_label in {"wagtaildocs", "wagtailimages"}:
            root_collection = Collection.get_first_root_node()
            if root_collection is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=officer, collection=root_collection, permission=permission
                )
        else:
            officer.permissions.add(permission)

    root_page = Page.get_first_root_node()
    if root_page is None:
        return
    page_type = ContentType.objects.get_for_model(Page)
    page_permissions = Permission.objects.filter(content_type=page_type)
    for codename in OFFICER_PAGE_PERMISSIONS:
        permission = page_permissions.filter(codename=codename).first()
        if permission is not None:
            GroupPagePermission.objects.get_or_create(
                group=officer, page=root_page, permission=permission
            )
    # Databases synced before moderation gave officers publish_page on the root: take it back.
    GroupPagePermission.objects.filter(
        group=officer, page=root_page, permission__codename__in=OFFICER_CALL_PAGE_PERMISSIONS
    ).delete()
    for call_index in CallIndexPage.objects.all():
        for codename in OFFICER_CALL_PAGE_PERMISSIONS:
            permission = page_permissions.filter(codename=codename).first()
            if permission is not None:
                GroupPagePermission.objects.get_or_create(
                    group=officer, page=call_index, permission=permission
                )
    ensure_page_moderation([officer])
