import io

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.apps import apps
from django.core.management import call_command

from grants.models import CallPage, CallStatus

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = [
    "admin@example.org",
    "officer@example.org",
    "manager@example.org",
    "researcher@example.org",
    "researcher2@example.org",
    "business@example.org",
] + [f"reviewer{i}@example.org" for i in range(1, 8)]


def count_everything():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {
            "auth",
            "researchers",
            "cms",
            "grants",
            "wagtailcore",
            "wagtaildocs",
            "account",
            "mfa",
            "portal",
        }
        and model._meta.model_name
        not in {"revision", "pagelogentry", "modellogentry", "referenceindex"}
    }


def test_seed_demo_is_idempotent():
    before = count_everything()
    call_command("seed_demo", stdout=io.StringIO())
    assert count_everything() == before


def test_demo_accounts_sign_in_with_the_demo_password(user_by_email):
    for email in DEMO_ACCOUNTS:
        user = user_by_email(email)
        assert user.check_password("AnGiang@2025"), email
        assert EmailAddress.objects.get(user=user, email=email).verified


def test_demo_staff_have_totp_and_others_do_not(user_by_email):
    assert is_mfa_enabled(user_by_email("officer@example.org"))
    assert is_mfa_enabled(user_by_email("manager@example.org"))
    assert not is_mfa_enabled(user_by_email("researcher@example.org"))


def test_demo_has_open_upcoming_and_closed_calls_in_both_languages():
    statuses = {call.status() for call in CallPage.objects.filter(locale__language_code="vi")}
    assert statuses == {CallStatus.OPEN, CallStatus.UPCOMING, CallStatus.CLOSED}
    vi = CallPage.objects.filter(locale__language_code="vi").count()
    assert CallPage.objects.filter(locale__language_code="en").count() == vi >= 5


def test_seed_prints_the_accounts_and_the_totp_secret():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "officer@example.org" in out.getvalue()
    assert "JBSWY3DPEHPK3PXP" in out.getvalue()
