import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from researchers.models import Organisation, Profile

pytestmark = pytest.mark.django_db


def test_a_business_needs_a_valid_tax_code():
    company = Organisation(name="HTX Nông nghiệp Mỹ Phú", kind=Organisation.Kind.BUSINESS)
    with pytest.raises(ValidationError) as excinfo:
        company.full_clean()
    assert "tax_code" in excinfo.value.message_dict
    company.tax_code = "16001234"
    with pytest.raises(ValidationError):
        company.full_clean()
    company.tax_code = "1600123456-001"
    company.full_clean()


def test_tax_codes_are_unique_but_many_organisations_have_none():
    Organisation.objects.create(name="Viện A", kind="institute")
    Organisation.objects.create(name="Viện B", kind="institute")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            name="Công ty trùng MST", kind="business", tax_code="1601234567"
        )


def test_profile_display_name_carries_the_academic_title(user_by_email):
    profile = Profile.for_user(user_by_email("reviewer1@example.org"))
    assert profile.display_name == "PGS.TS. Nguyễn Văn Thành"


def test_expertise_keywords_are_trimmed_lowercased_and_deduplicated(user_by_email):
    profile = Profile.for_user(user_by_email("researcher2@example.org"))
    profile.expertise = " Lúa thơm , OM5451, lúa thơm,, Viễn thám "
    profile.save()
    assert profile.expertise == "lúa thơm, om5451, viễn thám"
    assert profile.expertise_keywords() == ["lúa thơm", "om5451", "viễn thám"]
