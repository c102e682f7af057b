"""The floor every page stands on (issue 16): the Wagtail user bar only on CMS pages for people
who may edit them; the site and its settings from the cache; the signed-in user's profile,
roles and two-factor state loaded with the user in one query — and still read afresh on every
request, so that a revoked role or a removed authenticator counts at once."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.middleware import SITES_KEY
from cms.models import SiteSettings
from core.roles import ALL_ROLES, OFFICER, roles_of
from researchers.backends import signed_in_user

pytestmark = pytest.mark.django_db

USERBAR = "<wagtail-userbar"


def queries_of(client, url):
    client.get(url)  # the first request fills the site cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.urls("benchmarks.urls")
@pytest.mark.parametrize(
    "email", ["officer@example.org", "manager@example.org", "researcher@example.org",
              "business@example.org", "reviewer1@example.org"],
)  # fmt: skip
def test_the_floor_asks_the_database_for_the_session_and_the_user_only(client_as, email):
    sql = queries_of(client_as(email), "/bench/floor/")
    assert len(sql) == 2, sql
    assert "django_session" in sql[0]
    assert '"auth_user"' in sql[1] and "researchers_profile" in sql[1]


@pytest.mark.urls("benchmarks.urls")
def test_a_visitor_on_the_floor_asks_the_database_nothing(client):
    assert queries_of(client, "/bench/floor-public/") == []


def test_editors_get_the_user_bar_on_cms_pages_only(client_as):
    client = client_as("officer@example.org")  # the officers publish calls and news in Wagtail
    assert USERBAR in client.get("/").content.decode()
    assert USERBAR in client.get("/calls/").content.decode()
    for url in ("/dashboard/", "/proposals/"):
        assert USERBAR not in client.get(url).content.decode(), url


@pytest.mark.parametrize(
    "email", [None, "researcher@example.org", "business@example.org", "manager@example.org"]
)
def test_people_who_cannot_edit_never_get_the_user_bar(client_as, email):
    client = client_as(email)
    for url in ("/", "/calls/", "/technologies/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert USERBAR not in response.content.decode(), url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_is_read_with_the_user(user_by_email, role):
    person = user_by_email("researcher2@example.org")
    person.groups.set([Group.objects.get(name=role)])
    name = person.profile.full_name
    with CaptureQueriesContext(connection) as queries:
        loaded = signed_in_user(person.pk)
        assert roles_of(loaded) == {role}
        assert loaded.profile.full_name == name
    assert len(queries.captured_queries) == 1


def test_no_role_is_no_role(user_by_email):
    person = user_by_email("researcher2@example.org")
    person.groups.clear()
    assert roles_of(signed_in_user(person.pk)) == frozenset()


def test_a_revoked_role_counts_from_the_next_request(client_as, user_by_email):
    client = client_as("officer@example.org")
    assert (
        client.get(reverse("membership_queue")).status_code == 200
    )  # the officers' membership queue
    officer = user_by_email("officer@example.org")
    officer.groups.remove(Group.objects.get(name=OFFICER))
    response = client.get(reverse("membership_queue"))
    assert response.status_code == 403
    assert OFFICER not in roles_of(response.wsgi_request.user)


def test_removing_the_authenticator_sends_staff_back_to_two_factor_at_once(
    client_as, user_by_email
):
    client = client_as("officer@example.org")
    assert client.get("/dashboard/").status_code == 200
    Authenticator.objects.filter(user=user_by_email("officer@example.org")).delete()
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_a_deactivated_account_is_signed_out_at_once(client_as, user_by_email):
    client = client_as("researcher@example.org")
    assert client.get("/dashboard/").status_code == 200
    person = user_by_email("researcher@example.org")
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert not client.get("/dashboard/").wsgi_request.user.is_authenticated


def test_a_change_to_the_site_settings_shows_on_the_next_page(client):
    assert "Sở Khoa học" in client.get("/").content.decode()
    assert cache.get(SITES_KEY)
    site_settings = SiteSettings.objects.get()
    site_settings.department_name = "Sở Thử nghiệm Đổi mới"
    site_settings.save()
    assert cache.get(SITES_KEY) is None
    assert "Sở Thử nghiệm Đổi mới" in client.get("/").content.decode()


def test_each_host_has_its_own_site(client):
    client.get("/", HTTP_HOST="testserver")
    client.get("/", HTTP_HOST="localhost")
    remembered = cache.get(SITES_KEY)
    assert {key.split("|")[0] for key in remembered} == {"testserver", "localhost"}
    response = Client().get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
