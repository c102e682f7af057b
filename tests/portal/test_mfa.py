import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import AnonymousUser, Group

from core.roles import requires_two_factor
from core.totp import current_code

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"


def sign_in(client, email):
    return client.post("/accounts/login/", {"login": email, "password": "AnGiang@2025"})


@pytest.mark.parametrize("email", ["officer@example.org", "manager@example.org"])
def test_staff_must_give_their_totp_code(client, email):
    response = sign_in(client, email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/dashboard/").status_code == 302  # not signed in yet

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/dashboard/").status_code == 302

    right = client.post("/accounts/2fa/authenticate/", {"code": current_code(SECRET)})
    assert right.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_a_new_officer_without_two_factor_is_sent_to_set_it_up(client, user_by_email):
    person = user_by_email("researcher2@example.org")
    person.groups.add(Group.objects.get(name="officer"))
    assert not is_mfa_enabled(person)
    assert sign_in(client, "researcher2@example.org")["Location"] == "/dashboard/"
    for path in ("/dashboard/", "/people/reviewers/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before showing a new secret.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": "AnGiang@2025"})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    activated = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret.group(1))})
    assert activated.status_code == 302
    assert is_mfa_enabled(person)
    assert client.get("/dashboard/").status_code == 200


def test_researchers_are_not_forced_into_two_factor(client_as):
    assert client_as("researcher@example.org").get("/dashboard/").status_code == 200


def test_the_demo_administrator_has_the_demo_totp_secret(user_by_email):
    admin = user_by_email("admin@example.org")
    totp = Authenticator.objects.get(user=admin, type=Authenticator.Type.TOTP)
    assert totp.wrap().validate_code(current_code(SECRET))


@pytest.mark.parametrize(
    "email, required",
    [
        ("admin@example.org", True),
        ("officer@example.org", True),
        ("manager@example.org", True),
        ("researcher@example.org", False),
        ("business@example.org", False),
        ("reviewer1@example.org", False),
    ],
)
def test_who_must_use_two_factor(user_by_email, email, required):
    assert requires_two_factor(user_by_email(email)) is required


def test_any_account_that_may_open_the_django_admin_must_use_two_factor(user_by_email):
    person = user_by_email("researcher@example.org")
    person.is_staff = True
    assert requires_two_factor(person)
    assert not requires_two_factor(AnonymousUser())


def test_a_superuser_without_two_factor_cannot_reach_the_django_admin(client, user_by_email):
    admin = user_by_email("admin@example.org")
    Authenticator.objects.filter(user=admin).delete()
    assert sign_in(client, "admin@example.org")["Location"] == "/dashboard/"
    for path in ("/django-admin/", "/django-admin/auth/user/", "/dashboard/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_a_superuser_gives_the_totp_code_before_the_django_admin(client):
    asked = client.post(
        "/accounts/login/?next=/django-admin/",
        {"login": "admin@example.org", "password": "AnGiang@2025"},
    )
    assert asked["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/django-admin/").status_code == 302
    assert client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    assert client.get("/django-admin/").status_code == 302
    done = client.post("/accounts/2fa/authenticate/", {"code": current_code(SECRET)})
    assert done["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_only_allauths_own_pages_are_open_before_two_factor(client, user_by_email):
    admin = user_by_email("admin@example.org")
    Authenticator.objects.filter(user=admin).delete()
    client.force_login(admin)
    for path in (
        "/django-admin/auth/group/accounts/2fa/",
        "/django-admin/auth/user/accounts/logout/",
        "/admin/accounts/reauthenticate/",
    ):
        assert client.get(path)["Location"] == "/accounts/2fa/totp/activate/", path
    # allauth's own pages are reached (it asks for the password before showing a secret).
    for prefix in ("", "/en"):
        response = client.get(f"{prefix}/accounts/2fa/totp/activate/")
        assert response["Location"].startswith(f"{prefix}/accounts/reauthenticate/")
