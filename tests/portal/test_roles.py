import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from core import roles
from core.models import RoleChange

pytestmark = pytest.mark.django_db


def test_the_design_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize(
    ("granter", "role", "allowed"),
    [
        ("officer@example.org", roles.REVIEWER, True),
        ("officer@example.org", roles.OFFICER, False),
        ("officer@example.org", roles.MANAGER, False),
        ("manager@example.org", roles.REVIEWER, False),
        ("researcher@example.org", roles.REVIEWER, False),
        ("admin@example.org", roles.OFFICER, True),
        ("admin@example.org", roles.MANAGER, True),
        ("admin@example.org", "wizard", False),
    ],
)
def test_who_may_grant_which_role(user_by_email, granter, role, allowed):
    assert roles.can_grant(user_by_email(granter), role) is allowed


def test_an_officer_appoints_a_reviewer_and_the_change_is_recorded(user_by_email):
    officer = user_by_email("officer@example.org")
    researcher = user_by_email("researcher2@example.org")
    roles.grant_role(researcher, roles.REVIEWER, by=officer)
    assert roles.has_role(get_user_model().objects.get(pk=researcher.pk), roles.REVIEWER)
    change = RoleChange.objects.get(user=researcher, role=roles.REVIEWER)
    assert (change.action, change.changed_by) == (RoleChange.Action.GRANT, officer)


def test_an_officer_cannot_create_staff(user_by_email):
    officer = user_by_email("officer@example.org")
    researcher = user_by_email("researcher2@example.org")
    with pytest.raises(PermissionDenied):
        roles.grant_role(researcher, roles.OFFICER, by=officer)
    assert not researcher.groups.filter(name=roles.OFFICER).exists()
    assert not RoleChange.objects.filter(user=researcher, role=roles.OFFICER).exists()


def test_signup_can_only_choose_self_service_roles(user_by_email):
    user = user_by_email("researcher2@example.org")
    with pytest.raises(PermissionDenied):
        roles.assign_signup_role(user, roles.MANAGER)


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 302),
        ("researcher@example.org", 403),
        ("business@example.org", 403),
        ("reviewer1@example.org", 403),
        ("manager@example.org", 403),
        ("officer@example.org", 200),
        ("admin@example.org", 200),
    ],
)
def test_reviewer_appointment_page_permissions(client_as, email, status):
    response = client_as(email).get("/people/reviewers/")
    assert response.status_code == status


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 302),
        ("researcher@example.org", 403),
        ("business@example.org", 403),
        ("reviewer1@example.org", 403),
        ("manager@example.org", 403),
    ],
)
def test_only_officers_can_post_an_appointment(client_as, user_by_email, email, status):
    target = user_by_email("researcher2@example.org")
    response = client_as(email).post(f"/people/reviewers/{target.pk}/", {"action": "grant"})
    assert response.status_code == status
    assert not target.groups.filter(name=roles.REVIEWER).exists()


def test_officer_appoints_and_removes_a_council_member_from_the_page(client_as, user_by_email):
    client = client_as("officer@example.org")
    target = user_by_email("researcher2@example.org")
    page = client.get("/people/reviewers/", {"q": "Ngọc Hân"})
    assert "Lê Thị Ngọc Hân" in page.content.decode()
    client.post(f"/people/reviewers/{target.pk}/", {"action": "grant"})
    assert target.groups.filter(name=roles.REVIEWER).exists()
    client.post(f"/people/reviewers/{target.pk}/", {"action": "revoke"})
    assert not target.groups.filter(name=roles.REVIEWER).exists()
    assert list(
        RoleChange.objects.filter(user=target).values_list("action", flat=True).order_by("pk")
    ) == ["grant", "revoke"]


def test_officers_get_cms_access_and_researchers_do_not(user_by_email):
    assert user_by_email("officer@example.org").has_perm("wagtailadmin.access_admin")
    assert not user_by_email("researcher@example.org").has_perm("wagtailadmin.access_admin")
    assert not user_by_email("officer@example.org").has_perm("auth.change_user")


@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/core/rolechange/",
        "/django-admin/researchers/organisation/",
        "/django-admin/researchers/profile/",
        "/django-admin/auth/user/",
        "/django-admin/transfer/technology/",
        "/django-admin/transfer/technologyneed/",
        "/django-admin/transfer/transferdeal/",
    ],
)
@pytest.mark.parametrize(
    ("email", "status"),
    [
        (None, 302),
        ("officer@example.org", 302),
        ("researcher@example.org", 302),
        ("admin@example.org", 200),
    ],
)
def test_django_admin_is_for_superusers_only(client_as, path, email, status):
    assert client_as(email).get(path).status_code == status


@pytest.mark.django_db
def test_officers_get_their_cms_permissions_in_a_fresh_database():
    """post_migrate reaches `portal` before the other apps' permissions exist."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupCollectionPermission

    officer = Group.objects.get(name="officer")
    codenames = set(officer.permissions.values_list("codename", flat=True))
    assert {"access_admin", "change_sector", "change_sitesettings", "change_rubric"} <= codenames
    in_collections = GroupCollectionPermission.objects.filter(group=officer)
    assert {"add_document", "add_image"} <= set(
        in_collections.values_list("permission__codename", flat=True)
    )
