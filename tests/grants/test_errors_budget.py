"""The budget section (grants.dossier_views.edit_budget, grants/_budget_editor.html): an excess over the
call's cap is reported as an excess, apart from what is missing; every input of the table is
labelled the way the error summary names it; "Add a row" works without JavaScript."""

import re
from html.parser import HTMLParser

import pytest

from grants import dossier, workflow
from grants.models import BudgetLine
from tests.grants.conftest import draft, open_call, researcher  # noqa: F401

pytestmark = pytest.mark.django_db

EXCESS = "Vượt trần"
STILL_MISSING = "Mục này còn thiếu:"


def budget_url(proposal, query=""):
    return f"/proposals/{proposal.pk}/edit/budget/{query}"


def set_total(proposal, total):
    """One line of `total` ₫ (the demo's lines replaced)."""
    proposal.budget_lines.all().delete()
    BudgetLine.objects.create(
        proposal=proposal, category="equipment", description="Thiết bị", amount=total
    )


# -- the rule, at its boundary ----------------------------------------------------------------------


@pytest.mark.parametrize(("above_cap", "over"), [(-1, None), (0, None), (1, 1)])
def test_an_excess_is_counted_from_one_dong_over_the_cap(draft, above_cap, over):  # noqa: F811
    cap = draft.call.max_per_project
    set_total(draft, cap + above_cap)
    gaps, excess = dossier.budget_problems(list(draft.budget_lines.all()), cap)
    assert gaps == []
    assert (excess.over if excess else None) == over


def test_an_excess_says_by_how_much_with_both_amounts(draft):  # noqa: F811
    cap = draft.call.max_per_project
    set_total(draft, cap + 1_500_000)
    _gaps, excess = dossier.budget_problems(list(draft.budget_lines.all()), cap)
    assert str(excess).startswith("Vượt trần 1.500.000 ₫")
    assert f"{cap + 1_500_000:,}".replace(",", ".") in excess
    assert f"{cap:,}".replace(",", ".") in excess


def test_an_over_cap_budget_still_keeps_the_dossier_from_being_submitted(draft, researcher):  # noqa: F811
    set_total(draft, draft.call.max_per_project + 1)
    with pytest.raises(workflow.GuardFailed) as refused:
        workflow.submit(draft, by=researcher)
    assert any(EXCESS in str(message) for message in refused.value.errors["budget"])


# -- the page -------------------------------------------------------------------------------------


def test_the_budget_page_reports_an_excess_as_an_excess_not_as_missing(draft, client_as):  # noqa: F811
    set_total(draft, draft.call.max_per_project + 1)
    page = client_as("researcher@example.org").get(budget_url(draft)).content.decode()
    notice = re.search(
        r'<div class="notice notice--error" id="budget-excess">(.*?)</div>', page, re.S
    )
    assert notice and EXCESS in notice.group(1) and "1 ₫" in notice.group(1)
    assert STILL_MISSING not in page  # nothing is missing: the budget is only too large


def test_at_the_cap_the_page_shows_no_excess(draft, client_as):  # noqa: F811
    set_total(draft, draft.call.max_per_project)
    page = client_as("researcher@example.org").get(budget_url(draft)).content.decode()
    assert EXCESS not in page and "budget-excess" not in page


def test_a_missing_budget_is_still_missing(draft, client_as):  # noqa: F811
    draft.budget_lines.all().delete()
    page = client_as("researcher@example.org").get(budget_url(draft)).content.decode()
    assert STILL_MISSING in page and EXCESS not in page


def test_the_detail_checklist_lists_the_excess_under_the_budget(draft, client_as):  # noqa: F811
    set_total(draft, draft.call.max_per_project + 1)
    page = client_as("researcher@example.org").get(f"/proposals/{draft.pk}/").content.decode()
    assert EXCESS in page


# -- a labelled table ----------------------------------------------------------------------------


class Controls(HTMLParser):
    """The form controls of the budget table, the labels' `for`, and the column headers."""

    def __init__(self):
        super().__init__()
        self.controls, self.labels, self.col_headers = [], {}, 0
        self._label_for = None
        self._text = []
        self.in_table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "budget-table" in (attrs.get("class") or ""):
            self.in_table = True
        if not self.in_table:
            return
        if tag == "th" and attrs.get("scope") == "col":
            self.col_headers += 1
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs["id"])
        if tag == "label":
            self._label_for, self._text = attrs.get("for"), []

    def handle_data(self, data):
        if self._label_for:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "label" and self._label_for:
            self.labels[self._label_for] = " ".join("".join(self._text).split())
            self._label_for = None
        if tag == "table":
            self.in_table = False


def test_every_input_of_the_budget_table_has_a_label_naming_its_line_and_column(draft, client_as):  # noqa: F811
    page = client_as("researcher@example.org").get(budget_url(draft)).content.decode()
    parsed = Controls()
    parsed.feed(page)
    assert parsed.col_headers == 5
    assert parsed.controls, "no inputs found"
    assert all(control in parsed.labels for control in parsed.controls)
    assert parsed.labels["id_budget-0-category"] == "Dòng 1 – Nhóm chi"
    assert parsed.labels["id_budget-0-amount"] == "Dòng 1 – Số tiền (đồng)"
    assert "---------" not in page and "Chọn nhóm chi" in page


def test_the_error_summary_names_a_field_as_its_label_does(draft, client_as):  # noqa: F811
    client = client_as("researcher@example.org")
    lines = list(draft.budget_lines.all())
    data = management(len(lines) + 1, len(lines))
    for index, line in enumerate(lines):
        data |= row(index, line.category, line.description, line.amount, pk=line.pk)
    data |= row(len(lines), "materials", "Phân bón", "-5")
    response = client.post(budget_url(draft), data)
    assert response.status_code == 400
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert f'href="#id_budget-{len(lines)}-amount"' in summary
    assert f"Dòng {len(lines) + 1} – Số tiền (đồng):" in summary
    assert 'value="Phân bón"' in page  # the text is kept


# -- "Add a row" without JavaScript --------------------------------------------------------------


def management(total, initial):
    return {
        "budget-TOTAL_FORMS": str(total),
        "budget-INITIAL_FORMS": str(initial),
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "100",
        "counterpart_funding": "0",
    }


def row(index, category, description, amount, pk=None):
    prefix = f"budget-{index}-"
    data = {prefix + "category": category, prefix + "description": description}
    data[prefix + "amount"] = str(amount)
    if pk:
        data[prefix + "id"] = str(pk)
    return data


def empty_rows(page):
    total = int(re.search(r'name="budget-TOTAL_FORMS" value="(\d+)"', page).group(1))
    initial = int(re.search(r'name="budget-INITIAL_FORMS" value="(\d+)"', page).group(1))
    return total - initial


def test_add_a_row_saves_and_shows_one_more_empty_row(draft, client_as):  # noqa: F811
    client = client_as("researcher@example.org")
    draft.budget_lines.all().delete()
    assert empty_rows(client.get(budget_url(draft)).content.decode()) == 1
    data = management(1, 0) | row(0, "labour", "Công lao động", "10.000.000") | {"add_row": ""}
    response = client.post(budget_url(draft), data)
    assert response.status_code == 302
    assert response["Location"].endswith("?rows=1#budget-lines")  # the filled row was saved
    assert draft.budget_lines.get().amount == 10_000_000
    page = client.get(budget_url(draft, "?rows=1")).content.decode()
    assert empty_rows(page) == 1
    # Asked again with the empty row left empty: two empty rows.
    data = management(2, 1) | row(0, "labour", "Công lao động", "10.000.000")
    data["budget-0-id"] = str(draft.budget_lines.get().pk)
    data |= {"budget-1-category": "", "budget-1-description": "", "budget-1-amount": ""}
    response = client.post(budget_url(draft), data | {"add_row": ""})
    assert response["Location"].endswith("?rows=2#budget-lines")
    assert empty_rows(client.get(response["Location"]).content.decode()) == 2


@pytest.mark.parametrize(
    ("asked", "shown"), [("0", 1), ("1", 1), ("10", 10), ("11", 10), ("abc", 1), ("٣", 1)]
)
def test_the_number_of_empty_rows_stays_within_bounds(draft, client_as, asked, shown):  # noqa: F811
    page = client_as("researcher@example.org").get(budget_url(draft, f"?rows={asked}"))
    assert empty_rows(page.content.decode()) == shown
