import re

import pytest
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import Group

from portal.totp import current_code

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
