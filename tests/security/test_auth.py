"""Authentication as an attacker probes it: the admins' own login forms, the client address
behind the reverse proxy, the per-account lockout, open redirects and the receipt check."""

import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.utils.http import urlencode

from core.http import client_ip, rate_limited, safe_next
from core.totp import current_code
from grants.models import AuditEntry, Proposal, ProposalState

pytestmark = pytest.mark.django_db

PASSWORD = "AnGiang@2025"
SECRET = "JBSWY3DPEHPK3PXP"
PROXY = "10.0.0.1"  # REMOTE_ADDR of every request that comes through our reverse proxy
LOGIN_LIMITS = {  # production's (base settings)
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "100/h/key",
}
EVIL_TARGETS = ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]


@pytest.fixture
def clock(monkeypatch):
    """time.time() under the test's control: the rate limits, the cache's expiry and TOTP codes
    all read it, so moving it forward is the same as waiting."""
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds):
        now[0] += seconds

    return advance


def signed_in(client):
    return "_auth_user_id" in client.session


def sign_in(client, email, password=PASSWORD, next=None, **extra):
    url = "/accounts/login/" + (f"?{urlencode({'next': next})}" if next else "")
    return client.post(url, {"login": email, "password": password}, **extra)


# -- the Django admin signs in through allauth only ------------------------------------------


def test_a_password_posted_to_the_django_admin_login_does_not_sign_in(client):
    response = client.post(
        "/django-admin/login/?next=/django-admin/",
        {"username": "admin", "password": PASSWORD, "next": "/django-admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fdjango-admin%2F"
    assert not signed_in(client)
    assert client.get("/django-admin/")["Location"].startswith("/django-admin/login/")


def test_the_django_admin_sends_visitors_to_allauth_and_back(client):
    to_admin_login = client.get("/django-admin/auth/user/")
    assert to_admin_login["Location"] == "/django-admin/login/?next=/django-admin/auth/user/"
    to_allauth = client.get(to_admin_login["Location"])
    assert to_allauth["Location"] == "/accounts/login/?next=%2Fdjango-admin%2Fauth%2Fuser%2F"
    page = client.get(to_allauth["Location"])
    assert page.status_code == 200 and b'name="login"' in page.content


def test_a_superuser_signs_in_to_the_django_admin_with_password_and_totp(client):
    asked = sign_in(client, "admin@example.org", next="/django-admin/")
    assert asked["Location"] == "/accounts/2fa/authenticate/"
    assert not signed_in(client)
    assert client.get("/django-admin/").status_code == 302
    done = client.post("/accounts/2fa/authenticate/", {"code": current_code(SECRET)})
    assert done["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_the_django_admin_login_keeps_next_on_the_site(client, target):
    response = client.get("/django-admin/login/", {"next": target})
    assert response["Location"] == "/accounts/login/?next=%2Fdjango-admin%2F"


def test_a_signed_in_person_who_may_not_use_the_django_admin_is_refused_not_looped(client_as):
    client = client_as("researcher@example.org")
    assert client.get("/django-admin/login/?next=/django-admin/").status_code == 403


def test_an_administrator_already_signed_in_goes_on_to_the_admin(client_as):
    client = client_as("admin@example.org")
    response = client.get("/django-admin/login/", {"next": "/django-admin/auth/user/"})
    assert response["Location"] == "/django-admin/auth/user/"


def test_the_django_admin_logout_signs_out_through_allauth(client_as):
    client = client_as("admin@example.org")
    response = client.post("/django-admin/logout/")
    assert response.status_code == 307 and response["Location"] == "/accounts/logout/"
    assert signed_in(client)
    client.post(response["Location"])
    assert not signed_in(client)


def test_wagtail_admin_login_does_not_sign_an_officer_in_with_a_password_only(client):
    response = client.post("/admin/login/", {"username": "officer", "password": PASSWORD})
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_wagtail_admin_login_keeps_next_on_the_site(client, target):
    response = client.get("/admin/login/", {"next": target})
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_the_wagtail_admin_sends_visitors_to_allauth_and_others_away_without_a_loop(
    client, client_as
):
    to_login = client.get("/admin/pages/")
    assert to_login["Location"] == "/admin/login/?next=/admin/pages/"
    assert client.get(to_login["Location"])["Location"] == (
        "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    )
    researcher = client_as("researcher@example.org")
    to_login = researcher.get("/admin/")
    assert to_login["Location"] == "/admin/login/?next=/admin/"
    assert researcher.get(to_login["Location"]).status_code == 403


def test_wagtail_admin_login_sends_a_signed_in_officer_on(client_as):
    response = client_as("officer@example.org").get("/admin/login/", {"next": "/admin/pages/"})
    assert response["Location"] == "/admin/pages/"
    assert client_as("researcher@example.org").get("/admin/login/").status_code == 403


def test_the_admin_sign_in_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS
    for attempt in range(5):
        refused = sign_in(client, "admin@example.org", "wrong-password")
        assert refused.status_code == 200, attempt
    response = sign_in(client, "admin@example.org", next="/django-admin/")
    assert response.status_code == 200
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert not signed_in(client)


def test_allauths_own_429_is_the_translated_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    sign_in(client, "researcher@example.org", "wrong")
    refused = sign_in(client, "researcher@example.org")
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert not signed_in(client)


# -- the per-account lockout ------------------------------------------------------------------


def test_the_fifth_failed_sign_in_is_still_checked(client, settings):
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS
    for _attempt in range(4):
        assert "không đúng" in sign_in(client, "officer@example.org", "wrong").content.decode()
    # The fifth attempt is still weighed: with the right password it goes on to the code.
    assert sign_in(client, "officer@example.org")["Location"] == "/accounts/2fa/authenticate/"


def test_the_sixth_is_refused_with_a_vietnamese_message_even_with_the_right_password(
    client, settings
):
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS
    for _attempt in range(5):
        assert sign_in(client, "officer@example.org", "wrong").status_code == 200
    sixth = sign_in(client, "officer@example.org")
    assert sixth.status_code == 200
    text = sixth.content.decode()
    assert "Đăng nhập sai quá nhiều lần. Vui lòng đợi vài phút rồi thử lại." in text
    assert "Too many failed login attempts" not in text
    assert not signed_in(client)


def test_a_stranger_cannot_lock_a_staff_member_out_beyond_the_window(client, settings, clock):
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _attempt in range(5):
        sign_in(client, "officer@example.org", "guess", **stranger)
    # Refused attempts during the lock do not extend it.
    clock(200)
    assert (
        "Đăng nhập sai"
        in sign_in(client, "officer@example.org", "guess", **stranger).content.decode()
    )
    officer = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    clock(101)  # 301 s after the fifth failure: the 5-minute window has passed
    asked = sign_in(client, "officer@example.org", **officer)
    assert asked["Location"] == "/accounts/2fa/authenticate/"
    done = client.post("/accounts/2fa/authenticate/", {"code": current_code(SECRET)}, **officer)
    assert done.status_code == 302
    assert client.get("/dashboard/", **officer).status_code == 200


def test_a_stranger_still_guessing_never_locks_the_staff_member_out(client, settings):
    """The failures count per account and address: the officer, elsewhere, signs in at once
    while the stranger is locked out."""
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    for _attempt in range(7):
        sign_in(client, "officer@example.org", "guess", **stranger)
    locked = sign_in(client, "officer@example.org", **stranger)  # even the right password
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    officer = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    asked = sign_in(Client(), "officer@example.org", **officer)
    assert asked["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.parametrize("failures, refused", [(7, False), (8, True)])
def test_failures_spread_over_addresses_meet_the_account_ceiling(
    client, settings, failures, refused
):
    """Below each address's limit, from many addresses: at the account's ceiling (8 here, 100
    an hour in production) the account pauses whoever asks; one failure fewer, it does not."""
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS | {"login_failed_account": "8/h/key"}
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(failures):
        address = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"198.51.100.{attempt // 3}"}
        answer = sign_in(client, "researcher@example.org", "guess", **address)
        assert "không đúng" in answer.content.decode()  # each one still weighed
    elsewhere = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.77"}
    answer = sign_in(Client(), "researcher@example.org", **elsewhere)
    if refused:
        assert "Đăng nhập sai quá nhiều lần" in answer.content.decode()
    else:
        assert answer.status_code == 302


# -- the client address behind the reverse proxy ---------------------------------------------


def request_with(remote="192.0.2.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, None, "192.0.2.9"),
        (0, "203.0.113.5", "192.0.2.9"),  # no proxy trusted: the header is anyone's to write
        (1, None, "192.0.2.9"),
        (1, "", "192.0.2.9"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a spoofed entry on the left is ignored
        (1, "6.6.6.6,7.7.7.7,203.0.113.5", "203.0.113.5"),
        (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: all written by ours
        (3, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (1, "6.6.6.6, 2001:db8::7", "2001:db8::7"),
        (1, "6.6.6.6, not-an-address", "192.0.2.9"),  # garbage never reaches the audit trail
    ],
)
def test_client_ip_is_the_nth_address_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_with(forwarded=forwarded)) == expected


def test_client_ip_without_any_address_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with(remote="", forwarded="")) is None


def test_allauth_trusts_as_many_proxies_as_the_portal(settings):
    env = {
        **os.environ,
        "TRUSTED_PROXY_COUNT": "2",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
    }
    code = (
        "from django.conf import settings; "
        "print(settings.TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["2", "2"]


def test_behind_the_proxy_one_persons_failures_do_not_lock_out_everyone(client, settings):
    settings.ACCOUNT_RATE_LIMITS = LOGIN_LIMITS
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        # The attacker rotates a forged left-most address; the proxy's entry stays theirs.
        forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"1.1.1.{n}, 198.51.100.66"}
        assert sign_in(client, f"nobody{n}@example.org", "guess", **forged).status_code == 200
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.1.1.99, 198.51.100.66"}
    eleventh = sign_in(client, "researcher@example.org", **forged)
    assert "Đăng nhập sai quá nhiều lần" in eleventh.content.decode()
    assert not signed_in(client)
    someone_else = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert sign_in(client, "researcher@example.org", **someone_else)["Location"] == "/dashboard/"


def test_the_audit_trail_records_the_client_behind_the_proxy(client_as, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proposal = Proposal.objects.filter(state=ProposalState.SUBMITTED).first()
    response = client_as("officer@example.org").post(
        f"/proposals/{proposal.pk}/transitions/mark_eligible/",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.30",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(proposal=proposal, transition="mark_eligible")
    assert entry.ip == "203.0.113.30"


# -- open redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_safe_next_refuses_other_sites(target):
    request = RequestFactory().get("/")
    assert safe_next(request, target, "reviewers") == "/people/reviewers/"


def test_safe_next_keeps_a_path_on_the_site_and_refuses_http_on_https():
    request = RequestFactory().get("/")
    assert safe_next(request, "/people/reviewers/?q=an&page=2", "dashboard") == (
        "/people/reviewers/?q=an&page=2"
    )
    assert safe_next(request, "http://testserver/dashboard/", "reviewers") == (
        "http://testserver/dashboard/"
    )
    secure = RequestFactory().get("/", secure=True)
    assert safe_next(secure, "http://testserver/dashboard/", "reviewers") == "/people/reviewers/"
    assert safe_next(secure, "", "reviewers") == "/people/reviewers/"


@pytest.fixture
def appointing(client_as, user_by_email):
    """The officer on the reviewers page, about to appoint researcher2."""
    person = user_by_email("researcher2@example.org")
    return client_as("officer@example.org"), f"/people/reviewers/{person.pk}/", person


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_appointing_a_reviewer_never_redirects_off_the_site(appointing, target):
    client, url, person = appointing
    response = client.post(url, {"action": "grant", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/people/reviewers/"
    assert person.groups.filter(name="reviewer").exists()


def test_appointing_a_reviewer_returns_to_the_same_page_of_the_list(appointing):
    client, url, _person = appointing
    response = client.post(url, {"action": "grant", "next": "/people/reviewers/?q=Hoa&page=2"})
    assert response["Location"] == "/people/reviewers/?q=Hoa&page=2"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_signing_in_never_redirects_off_the_site(client, target):
    response = sign_in(client, "researcher@example.org", next=target)
    assert response["Location"] == "/dashboard/"


# -- the receipt verification page is rate-limited --------------------------------------------


@pytest.fixture
def receipt(db):
    return Proposal.objects.exclude(receipt_number=None).first()


def test_rate_limited_allows_n_then_refuses_until_the_window_passes(settings, clock):
    settings.PORTAL_RATE_LIMITS = {"receipt_verify": (3, 60)}
    request = request_with()
    assert [rate_limited(request, "receipt_verify") for _ in range(4)] == [
        False,
        False,
        False,
        True,
    ]
    assert not rate_limited(request_with(remote="192.0.2.10"), "receipt_verify")
    assert not rate_limited(request, "another_scope")
    ipv6 = [request_with(remote=f"2001:db8:1:2::{n}") for n in range(1, 5)]
    assert [rate_limited(r, "receipt_verify") for r in ipv6] == [False, False, False, True]
    clock(60)
    assert not rate_limited(request, "receipt_verify")


def test_the_receipt_check_answers_429_after_n_lookups(client, settings, receipt, clock):
    receipt_code = receipt.verification_code
    settings.PORTAL_RATE_LIMITS = {"receipt_verify": (3, 60)}
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.66"}
    assert client.get("/proposals/verify/ZZZZZZZZZZ/", **guesser).status_code == 404
    assert client.get("/proposals/verify/YYYYYYYYYY/", **guesser).status_code == 404
    assert client.get(f"/proposals/verify/{receipt_code}/", **guesser).status_code == 200
    refused = client.get(f"/proposals/verify/{receipt_code}/", **guesser)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Quá nhiều yêu cầu" in text and "Vui lòng đợi vài phút rồi thử lại" in text
    assert receipt.receipt_number not in text
    # Other people behind the same proxy still check their receipts; the guesser after a minute.
    other = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.40"}
    assert client.get(f"/proposals/verify/{receipt_code}/", **other).status_code == 200
    clock(60)
    assert client.get(f"/proposals/verify/{receipt_code}/", **guesser).status_code == 200


def test_the_receipt_check_429_page_is_english_under_en(client, settings, receipt):
    settings.PORTAL_RATE_LIMITS = {"receipt_verify": (0, 60)}
    refused = client.get(f"/en/proposals/verify/{receipt.verification_code}/")
    assert refused.status_code == 429 and b"Too many requests" in refused.content


def test_a_new_officer_is_still_sent_to_set_up_two_factor_from_the_admins(client_as, user_by_email):
    person = user_by_email("researcher2@example.org")
    person.groups.add(Group.objects.get(name="officer"))
    client = client_as("researcher2@example.org")
    for path in ("/admin/", "/admin/login/", "/django-admin/"):
        response = client.get(path)
        assert response["Location"] == "/accounts/2fa/totp/activate/", path
