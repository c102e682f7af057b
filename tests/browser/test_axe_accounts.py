"""axe-core on the account pages (allauth's, in the portal's layout) that the permission matrix
does not reach: the steps of a password reset and an e-mail confirmation, the two-factor pages,
re-authentication, an inactive account. Each is opened as the person who meets it, in
Vietnamese and in English, at 1280 px and at 375 px (a phone), and axe must find no critical and
no serious violation. `test_every_account_page_is_checked_here_or_in_the_matrix` keeps the list
whole when allauth or the settings add a page."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model

from core.totp import current_code
from tests.browser.conftest import sign_in
from tests.browser.test_axe_every_page import _serious
from tests.security.test_permission_matrix import MATRIX, walk

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)

# Patterns under accounts/ that are not pages one lands on, with the reason.
NOT_PAGES = {
    "account_set_password": "redirects to the change form: every account here has a password",
    "account_confirm_login_code": "login by code is off (ACCOUNT_LOGIN_BY_CODE_ENABLED)",
    "mfa_download_recovery_codes": "a text file of the recovery codes",
}


def _reset_key_path(user):
    return (
        f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-"
        f"{default_token_generator.make_token(user)}/"
    )


def _confirmation_path(user):
    EmailAddress.objects.filter(email="lan.hop-thu-moi@example.org").delete()
    address = EmailAddress.objects.create(
        user=user, email="lan.hop-thu-moi@example.org", verified=False, primary=False
    )
    return f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/"


# (pattern name, who, path or a function of the user giving it, the path the page ends on)
PAGES = [
    ("account_reset_password_done", "anon", "/accounts/password/reset/done/", None),
    ("account_email_verification_sent", "anon", "/accounts/confirm-email/", None),
    ("account_inactive", "anon", "/accounts/inactive/", None),
    (
        "account_reset_password_from_key",
        "anon",
        _reset_key_path,
        re.compile(r"/accounts/password/reset/key/[0-9a-z]+-set-password/$"),
    ),
    ("account_reset_password_from_key_done", "anon", "/accounts/password/reset/key/done/", None),
    ("account_confirm_email", "anon", _confirmation_path, None),
    ("account_reauthenticate", "researcher", "/accounts/reauthenticate/", None),
    ("mfa_activate_totp", "researcher", "/accounts/2fa/totp/activate/", None),
    ("mfa_reauthenticate", "officer", "/accounts/2fa/reauthenticate/", None),
    ("mfa_deactivate_totp", "officer", "/accounts/2fa/totp/deactivate/", None),
    ("mfa_generate_recovery_codes", "officer", "/accounts/2fa/recovery-codes/generate/", None),
    ("mfa_view_recovery_codes", "officer", "/accounts/2fa/recovery-codes/", None),
]
# The anonymous pages' links (a reset key, a confirmation key) are for another researcher's
# account: an unconfirmed address would keep the researcher from activating two-factor sign-in.
EMAILS = {
    "anon": "researcher2@example.org",
    "researcher": "researcher@example.org",
    "officer": "officer@example.org",
}


def test_every_account_page_is_checked_here_or_in_the_matrix():
    here = {name for name, *_rest in PAGES} | set(NOT_PAGES) | {"mfa_authenticate"}
    missing = sorted(
        route.name
        for route in walk()
        if route.route.startswith("accounts/") and route.name not in MATRIX
        and route.name not in here
    )  # fmt: skip
    assert missing == [], f"check these account pages here, or say why not: {missing}"


def _check(page, axe, url, ends_on, where):
    response = page.goto(url)
    if "/accounts/reauthenticate/" in page.url and "reauthenticate" not in url:
        # The two-factor settings ask for the password again (allauth's reauthentication).
        page.locator("input[name=password]").fill("AnGiang@2025")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{where}: {response and response.status} at {page.url}"]
    if not re.search(ends_on, page.url):
        return [f"{where}: ended on {page.url}"]
    page.wait_for_load_state("load")
    return [f"{where}: {v}" for v in _serious(axe, page)]


def _officer_signs_in(page, base, axe):
    """The staff sign-in's second step (the TOTP code) is itself a page: check it in both
    languages and widths, then enter the code once (a TOTP code is good for one sign-in)."""
    problems = []
    for prefix in ("", "/en"):
        page.context.clear_cookies()
        page.goto(f"{base}{prefix}/accounts/login/")
        page.locator("input[name=login]").fill(EMAILS["officer"])
        page.locator("input[name=password]").fill("AnGiang@2025")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            where = f"mfa_authenticate{prefix} at {width} px"
            problems += [f"{where}: {v}" for v in _serious(axe, page)]
    page.locator("input[name=code]").fill(current_code(settings.PORTAL_DEMO_TOTP_SECRET))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    return problems


def test_axe_finds_nothing_serious_on_the_account_pages(browser, demo_site):
    base = demo_site.url
    users = get_user_model().objects
    officer = users.get(email=EMAILS["officer"])
    if not Authenticator.objects.filter(user=officer, type=Authenticator.Type.RECOVERY_CODES):
        RecoveryCodes.activate(officer)  # as generating them on the page does
    axe = Axe()
    problems, checked = [], 0
    for who in ("anon", "researcher", "officer"):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            if who == "officer":
                problems += _officer_signs_in(page, base, axe)
                checked += 2 * len(WIDTHS)
            elif who != "anon":
                sign_in(page, base, EMAILS[who], "/dashboard/")
            user = users.get(email=EMAILS[who])
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for name, person, path, ends_on in PAGES:
                    if person != who:
                        continue
                    for prefix in ("", "/en"):
                        target = path(user) if callable(path) else path
                        expected = ends_on or re.compile(re.escape(target) + "$")
                        where = f"{name}{prefix} as {who} at {width} px"
                        checked += 1
                        problems += _check(page, axe, base + prefix + target, expected, where)
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
    assert checked == len(WIDTHS) * 2 * (len(PAGES) + 1)
