"""The organisation pickers (researchers/pickers.py) of the officers' queue and the catalogue:
a name typed with or without diacritics, a name chosen from the suggestions, or an id; the
suggestions as one types; and pages that stay the same size with thousands of organisations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Proposal, ProposalState
from researchers import pickers
from researchers.models import Organisation
from transfer.models import Technology

pytestmark = pytest.mark.django_db

AGU = "Trường Đại học An Giang, Đại học Quốc gia TP. Hồ Chí Minh"
CTU = "Trường Đại học Cần Thơ"


def many_organisations(count, stem="Hợp tác xã Thử nghiệm"):
    Organisation.objects.bulk_create(
        Organisation(
            name=f"{stem} {n:04}", kind="other", search_name=f"hop tac xa thu nghiem {n:04}"
        )
        for n in range(count)
    )


def names(found):
    return [row["name"] for row in found]


# -- suggestions --------------------------------------------------------------------------------


def test_suggestions_fold_diacritics_and_find_short_names_and_tax_codes():
    assert AGU in names(pickers.suggestions("dai hoc an giang"))
    assert AGU in names(pickers.suggestions("ĐH An Giang"))
    assert names(pickers.suggestions("1600765432")) == ["Công ty Cổ phần Thủy sản Châu Đốc"]


def test_suggestions_start_with_the_names_that_begin_with_what_was_typed():
    Organisation.objects.create(name="Viện Nghiên cứu Trường Đại học Mới", kind="institute")
    found = names(pickers.suggestions("truong dai hoc"))
    begins = [n for n in found if n.startswith("Trường")]
    assert (
        found[: len(begins)] == begins
        and "Viện Nghiên cứu Trường Đại học Mới" in found[len(begins) :]
    )


@pytest.mark.parametrize(
    "typed, count", [("a", 0), ("  x ", 0), ("ab", None), ("hop tac xa thu", 10)]
)
def test_suggestions_need_two_letters_and_stop_at_ten(typed, count):
    many_organisations(pickers.SUGGESTIONS + 1)
    found = pickers.suggestions(typed)
    if count is None:
        assert len(found) <= pickers.SUGGESTIONS
    else:
        assert len(found) == count


def test_the_catalogues_suggestions_leave_out_the_department():
    assert "Sở Khoa học và Công nghệ tỉnh An Giang" in names(pickers.suggestions("so khoa hoc"))
    assert pickers.suggestions("so khoa hoc", owners_only=True) == []


def test_the_suggestions_answer_json_to_anyone(client):
    response = client.get("/organisations/suggest/", {"q": "can tho"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert CTU in names(response.json()["results"])
    assert client.get("/organisations/suggest/", {"q": "%_" * 500}).json() == {"results": []}
    assert client.post("/organisations/suggest/").status_code == 405


# -- narrowing a list ---------------------------------------------------------------------------


def hosts(value):
    return set(
        pickers.narrowed(Proposal.objects.exclude(organisation=None), value).values_list(
            "organisation__name", flat=True
        )
    )


def test_a_name_chosen_among_the_suggestions_picks_that_organisation_only():
    branch = Organisation.objects.create(name=f"{AGU} (phân hiệu Châu Đốc)", kind="university")
    moved = Proposal.objects.filter(organisation__name=AGU).order_by("pk")[:1]
    Proposal.objects.filter(pk__in=list(moved.values_list("pk", flat=True))).update(
        organisation=branch
    )
    assert hosts(AGU) == {AGU}
    assert hosts("dai hoc an giang") == {AGU, branch.name}


def test_a_typed_part_of_a_name_finds_every_organisation_containing_it():
    assert hosts("dai hoc") >= {AGU} and all("Đại học" in name for name in hosts("dai hoc"))


def test_an_id_picks_its_organisation_and_a_bad_id_nothing():
    agu = Organisation.objects.get(name=AGU)
    assert hosts(str(agu.pk)) == {AGU}
    assert hosts("0") == set() and hosts("9" * 30) == set()
    assert pickers.shown(str(agu.pk)) == AGU and pickers.shown("0") == ""
    assert pickers.shown("  ĐH   An Giang ") == "ĐH An Giang"


def test_nothing_typed_narrows_nothing():
    every = Proposal.objects.exclude(organisation=None)
    assert pickers.narrowed(every, "   ").count() == every.count()


# -- the pages ----------------------------------------------------------------------------------


def test_the_queue_filters_by_an_organisations_name_or_id(client_as):
    client = client_as("officer@example.org")
    agu = Organisation.objects.get(name=AGU)
    hosted = Proposal.objects.filter(organisation=agu).exclude(state=ProposalState.DRAFT).count()
    assert hosted
    for value in ("dai hoc an giang", AGU, str(agu.pk)):
        response = client.get("/proposals/", {"organisation": value})
        assert response.context["page_obj"].paginator.count == hosted, value
    shown = client.get("/proposals/", {"organisation": str(agu.pk)}).content.decode()
    assert f'value="{AGU}"' in shown  # the field shows the name, not the id


def test_the_catalogue_filters_by_an_owners_name(client):
    owner = Technology.objects.filter(state="published").values_list(
        "organisation__name", flat=True
    )[0]
    count = Technology.objects.filter(state="published", organisation__name=owner).count()
    response = client.get("/technologies/", {"organisation": owner})
    assert response.context["page_obj"].paginator.count == count


@pytest.mark.parametrize(
    "url, email",
    [
        ("/proposals/", "officer@example.org"),
        ("/technologies/", None),
        ("/profile/", "researcher@example.org"),  # the membership request's picker
    ],
)
def test_thousands_of_organisations_change_neither_the_page_nor_its_queries(client_as, url, email):
    client = client_as(email)

    def measured():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return html, len(queries.captured_queries)

    before, queries_before = measured()
    many_organisations(3000)
    after, queries_after = measured()
    assert queries_after == queries_before
    assert "Hợp tác xã Thử nghiệm" not in after
    assert abs(len(after) - len(before)) < 200  # the same page, give or take a count


# -- the membership request: a picker that must name one organisation -----------------------------


def pick(value):
    return pickers.OrganisationPickField().clean(value)


@pytest.mark.parametrize(
    "typed",
    [
        AGU,  # as the suggestions give it
        "truong dai hoc an giang, dai hoc quoc gia tp. ho chi minh",  # folded, lower case
        "  Trường   Đại học An Giang,  Đại học Quốc gia TP. Hồ Chí Minh ",  # spaces squeezed
    ],
)
def test_the_membership_picker_takes_a_name_with_or_without_diacritics(typed):
    assert pick(typed).name == AGU


def test_the_membership_picker_takes_a_number_a_short_name_or_a_tax_code():
    agu = Organisation.objects.get(name=AGU)
    assert pick(str(agu.pk)) == agu
    assert agu.short_name and pick(agu.short_name.lower()) == agu
    fish = Organisation.objects.get(name="Công ty Cổ phần Thủy sản Châu Đốc")
    assert pick(fish.tax_code) == fish
    assert pick("") is None and pick("   ") is None


@pytest.mark.parametrize(
    "typed, code",
    [
        ("dai hoc", "unknown"),  # part of several names: not one organisation
        ("Trường Đại học An Giang X", "unknown"),  # one letter more than a real name
        ("999999", "invalid"),
        ("1" * 23, "invalid"),
    ],
)
def test_the_membership_picker_refuses_what_names_no_single_organisation(typed, code):
    from django import forms

    with pytest.raises(forms.ValidationError) as refused:
        pick(typed)
    assert refused.value.code == code


def test_two_organisations_with_one_folded_name_must_be_chosen_among_the_suggestions(client_as):
    from django import forms

    Organisation.objects.create(name="HTX Mỹ Phú", kind="business")
    Organisation.objects.create(name="HTX My Phu", kind="business")
    assert pick("HTX Mỹ Phú").name == "HTX Mỹ Phú"  # the exact name, as suggested
    with pytest.raises(forms.ValidationError) as refused:
        pick("htx my phú")
    assert refused.value.code == "ambiguous"
    response = client_as("researcher@example.org").post(
        "/people/memberships/request/", {"membership-organisation": "htx my phú"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_membership-organisation_error"' in html
    assert 'value="htx my phú"' in html  # the text typed is kept
