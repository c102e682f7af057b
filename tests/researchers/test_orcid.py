import pytest
from django.core.exceptions import ValidationError

from researchers.forms import ProfileForm
from researchers.models import Profile
from researchers.validators import normalise_orcid, orcid_check_digit, validate_orcid


@pytest.mark.parametrize(
    "orcid",
    ["0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X"],
)
def test_valid_orcids_pass(orcid):
    validate_orcid(orcid)


def test_check_digit_is_iso_7064_mod_11_2():
    assert orcid_check_digit("000000021825009") == "7"
    assert orcid_check_digit("000000021694233") == "X"


@pytest.mark.parametrize(
    ("orcid", "code"),
    [
        ("0000-0002-1825-0096", "orcid_checksum"),
        ("0000-0002-1694-2330", "orcid_checksum"),
        ("0000-0002-1825-009", "orcid_format"),
        ("0000 0002 1825 0097", "orcid_format"),
        ("abcd-0002-1825-0097", "orcid_format"),
        ("", "orcid_format"),
    ],
)
def test_invalid_orcids_are_refused_with_the_right_reason(orcid, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_orcid(orcid)
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    "raw",
    ["https://orcid.org/0000-0002-1825-0097", "0000000218250097", " 0000-0002-1825-0097 "],
)
def test_common_ways_of_writing_an_orcid_are_normalised(raw):
    assert normalise_orcid(raw) == "0000-0002-1825-0097"


@pytest.mark.django_db
def test_profile_form_shows_checksum_error_next_to_the_field_and_keeps_the_text(user_by_email):
    profile = Profile.for_user(user_by_email("researcher2@example.org"))
    form = ProfileForm(
        data={"full_name": "Lê Thị Ngọc Hân", "orcid": "0000-0002-1825-0098", "title": "ths"},
        instance=profile,
    )
    assert not form.is_valid()
    assert "orcid" in form.errors
    assert form["orcid"].value() == "0000-0002-1825-0098"
    profile.refresh_from_db()
    assert profile.orcid == ""


@pytest.mark.django_db
def test_profile_form_accepts_the_orcid_url(user_by_email):
    profile = Profile.for_user(user_by_email("researcher2@example.org"))
    form = ProfileForm(
        data={"full_name": "Lê Thị Ngọc Hân", "orcid": "https://orcid.org/0000-0002-1694-233x"},
        instance=profile,
    )
    assert form.is_valid(), form.errors
    assert form.save().orcid == "0000-0002-1694-233X"
