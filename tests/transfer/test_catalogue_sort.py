"""The catalogue's sort menu (issue 13's rough edge): opening the catalogue, then typing words,
gives the best matches first — the menu does not keep "Newest" the visitor never chose."""

import re

import pytest

from tests.transfer.test_catalogue import titles

pytestmark = pytest.mark.django_db


def selected_sort(html):
    menu = html[html.index('name="sort"') :]
    menu = menu[: menu.index("</select>")]
    return re.findall(r'<option value="([^"]*)" selected>', menu)


def test_the_catalogue_without_a_choice_selects_the_best_match_entry(client):
    assert selected_sort(client.get("/technologies/").content.decode()) == [""]


def test_an_explicit_choice_stays_selected(client):
    for sort in ("newest", "trl"):
        html = client.get("/technologies/", {"sort": sort}).content.decode()
        assert selected_sort(html) == [sort]


def test_an_old_relevance_link_and_a_bad_value_select_the_first_entry(client):
    for sort in ("relevance", "zzz"):
        html = client.get("/technologies/", {"sort": sort, "q": "cá"}).content.decode()
        assert selected_sort(html) == [""]


def test_the_form_resubmitted_with_words_ranks_by_relevance_not_date(client):
    """The form as the page sends it (sort=""), with a query: an exact phrase first, even when a
    listing that merely contains its words was published later."""
    auto = titles(client.get("/technologies/", {"q": "cá tra", "sort": ""}))
    relevance = titles(client.get("/technologies/", {"q": "cá tra", "sort": "relevance"}))
    newest = titles(client.get("/technologies/", {"q": "cá tra", "sort": "newest"}))
    assert auto == relevance
    assert sorted(auto) == sorted(newest) and len(auto) >= 2
