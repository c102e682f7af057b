"""The programme in numbers: /stats/, /api/v1/stats/ and the open data of calls and funded
tasks. Expected figures are derived from the demo's own scenario, not from the code under test."""

import datetime

import pytest
from django.utils import timezone

from core.text import group_thousands
from grants.demo import SCENARIO
from grants.models import Proposal
from portal import demo_data
from portal.stats import figures
from tests.samples import copies, pdf
from transfer import workflow
from transfer.models import Technology, TransferDeal

pytestmark = pytest.mark.django_db

FUNDED_IN_DEMO = {"funded", "in_progress", "completed", "transferred", "terminated"}
# The demo's completed deal (portal.demo_data.DEALS), signed this year or the last.
DEMO_TRANSFERS = [deal for deal in demo_data.DEALS if deal["state"] == "completed"]
ROLES = [None, "researcher@example.org", "business@example.org", "reviewer1@example.org",
         "officer@example.org", "manager@example.org"]  # fmt: skip


def test_the_figures_add_up_to_the_demo_scenario():
    numbers = figures()
    submitted = [row for row in SCENARIO if row[3] != "draft"]
    funded = [row for row in SCENARIO if row[3] in FUNDED_IN_DEMO]
    assert numbers["proposals"]["received"] == len(submitted)
    assert numbers["proposals"]["funded"] == len(funded)
    assert sum(r["received"] for r in numbers["proposals"]["by_year"]) == len(submitted)
    assert sum(r["funded"] for r in numbers["proposals"]["by_sector"]) == len(funded)
    approved = [
        p.approved_amount for p in Proposal.objects.filter(title__in=[r[2] for r in funded])
    ]
    assert len(approved) == len(funded) and all(approved)
    assert numbers["proposals"]["approved_amount"] == sum(approved)
    assert numbers["technologies"]["published"] == 31
    assert len(DEMO_TRANSFERS) == 1
    value = DEMO_TRANSFERS[0]["value"]
    year = TransferDeal.objects.get(state="completed").signed_on.year
    assert numbers["transfers"] == {
        "completed": 1,
        "value": value,
        "by_year": [{"year": year, "completed": 1, "value": value}],
    }


def _complete_a_transfer(client_as):
    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    business, officer = (
        users.get(email="business@example.org"),
        users.get(email="officer@example.org"),
    )

    deal = workflow.request_deal(tech, by=business, message="Cần 20.000 cây giống")
    deal = workflow.accept(deal, by=tech.owner)
    # requested before it was signed (a signing date cannot precede the request)
    TransferDeal.objects.filter(pk=deal.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2026, 1, 2))
    )
    deal = workflow.record_terms(
        deal, by=business, mode="licence", value=300_000_000, payment="lump_sum", term_months=24,
        signed_on=datetime.date(2026, 11, 20),
        agreement=pdf("hd.pdf"),
    )  # fmt: skip
    workflow.complete(deal, by=officer)
    return deal


def test_a_completed_transfer_is_counted_with_its_value(client_as):
    demo = TransferDeal.objects.get(state="completed")  # the demo's, signed within 45 days
    _complete_a_transfer(client_as)
    transfers = figures()["transfers"]
    by_year = {demo.signed_on.year: [1, demo.value]}
    by_year.setdefault(2026, [0, 0])
    by_year[2026] = [by_year[2026][0] + 1, by_year[2026][1] + 300_000_000]
    assert transfers == {
        "completed": 2,
        "value": demo.value + 300_000_000,
        "by_year": [
            {"year": year, "completed": n, "value": value}
            for year, (n, value) in sorted(by_year.items())
        ],
    }
    html = client_as(None).get("/stats/").content.decode()
    assert f"{group_thousands(demo.value + 300_000_000)} ₫" in html


@pytest.mark.parametrize("email", ROLES)
def test_the_dashboard_is_public(client_as, email):
    response = client_as(email).get("/stats/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chương trình qua các con số" in html and "Thủy sản (cá tra, tôm)" in html
    assert client_as(email).get("/api/v1/stats/").status_code == 200


def test_the_dashboard_names_nobody(client):
    html = client.get("/stats/").content.decode()
    for name in ("Trần Văn Minh", "business@example.org", "Nhân giống in vitro chuối"):
        assert name not in html


def test_the_dashboard_in_english(client):
    from django.utils import translation

    try:
        html = client.get("/en/stats/").content.decode()
    finally:
        translation.activate("vi")
    assert "The programme in numbers" in html and "Aquaculture (pangasius, shrimp)" in html


def test_queries_do_not_grow_with_the_data(client, django_assert_max_num_queries):
    client.get("/stats/")
    with django_assert_max_num_queries(20) as before:
        client.get("/stats/")
    copies(Technology.objects.filter(state="published").first(), 10)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/stats/")


def test_the_api_gives_the_same_figures(client):
    data = client.get("/api/v1/stats/").json()
    expected = figures()
    for key in ("calls", "proposals", "technologies", "needs", "transfers"):
        assert data[key] == expected[key]
    assert client.post("/api/v1/stats/", {}).status_code == 405


# -- open data: calls and funded tasks ---------------------------------------------------------------


def test_calls_are_open_data_filtered_by_status_and_language(client):
    now = timezone.now()
    everything = client.get("/api/v1/calls/").json()["results"]
    assert everything and all(c["code"] and c["url"].startswith("http") for c in everything)
    open_calls = client.get("/api/v1/calls/", {"status": "open"}).json()["results"]
    assert open_calls and {c["status"] for c in open_calls} == {"open"}
    assert all(datetime.datetime.fromisoformat(c["closes_at"]) > now for c in open_calls)
    closed = client.get("/api/v1/calls/", {"status": "closed"}).json()["results"]
    assert {c["code"] for c in closed}.isdisjoint({c["code"] for c in open_calls})
    english = client.get("/api/v1/calls/", {"lang": "en"}).json()["results"]
    assert {c["code"] for c in english} == {c["code"] for c in everything}
    assert {c["title"] for c in english}.isdisjoint({c["title"] for c in everything})
    rice = client.get("/api/v1/calls/", {"sector": "rice"}).json()["results"]
    assert rice and all("rice" in c["sectors"] for c in rice)


def test_funded_projects_are_the_decided_ones_only(client):
    rows = client.get("/api/v1/funded-projects/").json()["results"]
    funded_titles = {r[2] for r in SCENARIO if r[3] in FUNDED_IN_DEMO}
    assert {r["title"] for r in rows} == funded_titles
    assert all(r["decision_number"].endswith("/QĐ-SKHCN") and r["approved_amount"] for r in rows)
    # Nothing of a dossier's content, and no rejected or undecided dossier.
    assert "abstract" not in rows[0] and "budget" not in rows[0]
    biotech = client.get(
        "/api/v1/funded-projects/", {"sector": "biotechnology", "state": "completed"}
    ).json()
    # The demo's three completed biotechnology tasks, one of them since transferred.
    assert biotech["count"] == 2 and {r["state"] for r in biotech["results"]} == {"completed"}
    transferred = client.get(
        "/api/v1/funded-projects/", {"sector": "biotechnology", "state": "transferred"}
    ).json()
    assert transferred["count"] == 1
    nothing = client.get("/api/v1/funded-projects/", {"year": "1999"}).json()
    assert nothing["count"] == 0
    rejected = Proposal.objects.get(state="rejected")
    assert client.get(f"/api/v1/funded-projects/{rejected.pk}/").status_code == 404


def test_the_schema_documents_the_open_data(client):
    deals = TransferDeal.objects.count()
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/calls/", "/api/v1/funded-projects/", "/api/v1/stats/"):
        assert path in schema
    assert (
        TransferDeal.objects.count() == deals == len(demo_data.DEALS)
    )  # (the build touched no data)
