"""/stats/ and /api/v1/stats/ by call, year and sector: figures equal to the database's own
counts, charts drawn to their own scale with a text alternative and a data table, filters with
their boundaries, and a cache that forgets as soon as a state change or an edit commits."""

import datetime
import re
import statistics

import pytest
from django.db.models import Q
from django.utils import timezone

from cms.models import Sector
from core import figures_version
from grants.models import FUNDED_STATES, CallPage, Proposal
from portal import charts
from portal.stats import LAST_YEAR, figures
from tests.grants.conftest import submitted_by_new_applicant

pytestmark = pytest.mark.django_db

RECEIVED = Q(submitted_at__isnull=False)


def _api(client, **params):
    response = client.get("/api/v1/stats/", params)
    assert response.status_code == 200, response.content
    return response.json()


def _chart(html, chart_id):
    """(bar widths, value labels) of one SVG chart of the page, in drawing order."""
    start = html.index(f'id="{chart_id}-caption"')
    svg = html[start : html.index("</svg>", start)]
    widths = [float(w) for w in re.findall(r'<rect class="chart-bar"[^>]* width="([0-9.]+)"', svg)]
    return widths, svg


def test_each_call_row_is_the_databases_own_count(client):
    by_call = {row["code"]: row for row in _api(client)["calls"]["by_call"]}
    calls = CallPage.objects.live().filter(locale__language_code="vi")
    assert set(by_call) == set(calls.values_list("code", flat=True))
    assert (
        sum(row["received"] for row in by_call.values())
        == Proposal.objects.filter(RECEIVED).count()
    )
    for call in calls:
        mine = Proposal.objects.filter(RECEIVED, call=call)
        funded = mine.filter(state__in=FUNDED_STATES)
        assert by_call[call.code] == {
            "code": call.code,
            "title": call.title,
            "title_en": by_call[call.code]["title_en"],
            "budget": call.total_budget or 0,
            "received": mine.count(),
            "funded": funded.count(),
            "approved_amount": sum(p.approved_amount or 0 for p in funded),
        }
    english = CallPage.objects.live().filter(locale__language_code="en")
    for call in english:
        assert by_call[call.code]["title_en"] == call.title
        assert by_call[call.code]["title_en"] != by_call[call.code]["title"]


def test_rates_and_median_wait_follow_the_rows():
    numbers = figures()
    received = Proposal.objects.filter(RECEIVED)
    ended = received.filter(state__in=("completed", "transferred", "terminated")).count()
    accepted = received.filter(state__in=("completed", "transferred")).count()
    transferred = received.filter(state="transferred").count()
    assert ended and accepted and transferred  # the demo has each
    assert numbers["rates"] == {
        "ended": ended,
        "completed": accepted,
        "completion_rate": round(100 * accepted / ended, 1),
        "transferred": transferred,
        "transfer_rate": round(100 * transferred / accepted, 1),
    }
    waits = [
        (p.decided_at - p.submitted_at).total_seconds() / 86400
        for p in received.filter(decided_at__isnull=False)
    ]
    assert len(waits) >= 2
    assert numbers["proposals"]["decided"] == len(waits)
    assert numbers["proposals"]["median_days_to_decision"] == round(statistics.median(waits), 1)


def test_a_median_of_an_even_and_an_odd_number_of_waits():
    decided = list(Proposal.objects.filter(RECEIVED, decided_at__isnull=False).order_by("pk"))
    # Decide the waits exactly: 10, 20, 40, 80 … days, then drop the last one for an odd count.
    for index, proposal in enumerate(decided):
        Proposal.objects.filter(pk=proposal.pk).update(
            decided_at=proposal.submitted_at + datetime.timedelta(days=10 * 2**index)
        )
    waits = [10 * 2**i for i in range(len(decided))]
    assert figures()["proposals"]["median_days_to_decision"] == statistics.median(waits)
    Proposal.objects.filter(pk=decided[-1].pk).update(decided_at=None)
    assert figures()["proposals"]["median_days_to_decision"] == statistics.median(waits[:-1])
    Proposal.objects.filter(RECEIVED).update(decided_at=None)
    numbers = figures()["proposals"]
    assert numbers["median_days_to_decision"] is None and numbers["decided"] == 0


def test_the_year_filter_counts_by_the_local_date_of_receipt(client):
    zone = timezone.get_default_timezone()
    first, second = Proposal.objects.filter(RECEIVED).order_by("pk")[:2]
    last_moment = datetime.datetime(2019, 12, 31, 23, 59, 59, tzinfo=zone)
    Proposal.objects.filter(pk=first.pk).update(submitted_at=last_moment)
    Proposal.objects.filter(pk=second.pk).update(
        submitted_at=last_moment + datetime.timedelta(seconds=1)
    )
    for year, expected in ((2019, first), (2020, second)):
        numbers = _api(client, year=year)
        assert numbers["filters"] == {"year": year, "sector": None}
        assert numbers["proposals"]["received"] == 1
        assert numbers["proposals"]["by_year"] == [
            {"year": year, "received": 1, "funded": int(expected.state in FUNDED_STATES),
             "approved_amount": expected.approved_amount if expected.state in FUNDED_STATES else 0}
        ]  # fmt: skip
    html = client.get("/stats/", {"year": 2019}).content.decode()
    assert "Số liệu năm 2019." in html


def test_the_sector_filter_keeps_that_sector_only(client):
    sector = Sector.objects.get(slug="rice")
    numbers = _api(client, sector="rice")
    mine = Proposal.objects.filter(RECEIVED, sector=sector)
    assert mine.exists()
    assert numbers["proposals"]["received"] == mine.count()
    assert [row["sector"]["slug"] for row in numbers["proposals"]["by_sector"]] == ["rice"]
    assert (
        numbers["calls"]["total"]
        == CallPage.objects.live().filter(locale__language_code="vi", sectors=sector).count()
    )
    html = client.get("/stats/", {"sector": "rice"}).content.decode()
    assert f"Số liệu lĩnh vực {sector.name}, mọi năm." in html


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"year": "1999"}, "year", "Nhập năm từ 2000 trở đi."),
        ({"year": str(LAST_YEAR + 1)}, "year", f"Nhập năm không quá {LAST_YEAR}."),
        ({"year": "20x5"}, "year", "Nhập năm gồm bốn chữ số, ví dụ 2025."),
        ({"year": "٢٠٢٥"}, "year", "Nhập năm gồm bốn chữ số, ví dụ 2025."),
        ({"sector": "no-such-sector"}, "sector", "Không có lĩnh vực này: hãy chọn một lĩnh vực trong danh sách."),
    ],
)  # fmt: skip
def test_a_filter_that_does_not_pass_is_explained(client, given, field, message):
    response = client.get("/api/v1/stats/", given)
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    page = client.get("/stats/", given)
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    assert "Bộ lọc chưa được áp dụng" in html
    if field == "year":  # the text typed is kept in the field
        assert f'name="year" value="{given["year"]}"' in html


@pytest.mark.parametrize("year", ["2000", str(LAST_YEAR)])
def test_the_first_and_last_years_are_accepted(client, year):
    assert client.get("/api/v1/stats/", {"year": year}).status_code == 200
    assert client.get("/stats/", {"year": year}).status_code == 200


def test_each_bar_is_drawn_to_its_own_charts_largest_value(client):
    html = client.get("/stats/").content.decode()
    rows = figures()["proposals"]["by_sector"]
    widths, svg = _chart(html, "chart-sector-proposals")
    largest = max(row["received"] for row in rows)
    assert widths == [round(charts.BAR_AREA * row["received"] / largest, 2) for row in rows]
    assert max(widths) == charts.BAR_AREA and min(widths) < charts.BAR_AREA
    # The funding chart has its own scale: its largest bar is full width too.
    funding, _ = _chart(html, "chart-sector-funding")
    assert max(funding) == charts.BAR_AREA


def test_a_chart_has_a_title_a_description_and_its_data_as_a_table(client):
    html = client.get("/stats/").content.decode()
    rows = figures()["proposals"]["by_sector"]
    top = max(rows, key=lambda row: row["received"])
    _, svg = _chart(html, "chart-sector-proposals")
    assert (
        'role="img" aria-labelledby="chart-sector-proposals-title chart-sector-proposals-desc"'
        in svg
    )
    assert '<title id="chart-sector-proposals-title">Hồ sơ tiếp nhận theo lĩnh vực</title>' in svg
    assert (
        f"Biểu đồ thanh ngang gồm {len(rows)} thanh. Lớn nhất: {top['sector']['name']}, "
        f"{top['received']}." in svg
    )
    table = html[html.index("</svg>", html.index('id="chart-sector-proposals-caption"')) :]
    table = table[: table.index("</table>")]
    assert "<summary>Xem số liệu</summary>" in table
    for row in rows:
        assert (
            f'<th scope="row">{row["sector"]["name"]}</th><td class="num">{row["received"]}</td>'
            in table
        )


def test_a_chart_with_nothing_to_draw_says_so(client):
    html = client.get("/stats/", {"year": 2001}).content.decode()
    start = html.index('id="chart-sector-proposals-caption"')
    figure = html[start : html.index("</figure>", start)]
    assert "<svg" not in figure and "Chưa có số liệu cho lựa chọn này." in figure


def test_a_sector_name_is_text_in_the_chart_and_the_table(client):
    sector = Proposal.objects.filter(RECEIVED).exclude(sector=None).first().sector
    sector.name = '<script>alert("x")</script>'
    sector.save()
    html = client.get("/stats/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_figures_are_cached_until_a_state_change_commits(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    before = _api(client)
    with django_assert_max_num_queries(0):
        assert _api(client) == before  # from the cache: not one query
    version = figures_version.current()
    with django_capture_on_commit_callbacks(execute=True):
        submitted_by_new_applicant("stats-new", "Một hồ sơ mới cho số liệu")
    assert figures_version.current() == version + 1
    after = _api(client)
    assert after["proposals"]["received"] == before["proposals"]["received"] + 1
    html = client.get("/stats/").content.decode()
    assert f'<span class="stat-number">{after["proposals"]["received"]}</span>' in html


def test_a_call_edited_in_the_cms_is_counted_at_once(client, django_capture_on_commit_callbacks):
    call = CallPage.objects.live().filter(locale__language_code="vi").order_by("pk").first()
    before = {row["code"]: row for row in _api(client)["calls"]["by_call"]}[call.code]
    call.total_budget = (call.total_budget or 0) + 1_000_000
    with django_capture_on_commit_callbacks(execute=True):
        call.save_revision().publish()
    after = {row["code"]: row for row in _api(client)["calls"]["by_call"]}[call.code]
    assert after["budget"] == before["budget"] + 1_000_000


def test_without_a_bump_the_cache_answers_the_old_figures(client):
    """The cache is what answers (the test above would pass without one otherwise)."""
    before = _api(client)
    Proposal.objects.filter(pk=Proposal.objects.filter(RECEIVED).order_by("pk").first().pk).update(
        submitted_at=None
    )  # a raw write: no transition, no bump
    assert _api(client)["proposals"]["received"] == before["proposals"]["received"]
    figures_version.bump()
    assert _api(client)["proposals"]["received"] == before["proposals"]["received"] - 1
