"""Selection results are public (DOMAIN.md step 8: the approval decision's host organisation,
principal investigator, budget and duration, published within 15 days, online at least 60):
a call's page lists its funded tasks from the moment a funding decision is signed, and
/funded/ keeps them for good. Before a decision nothing; rejected and withdrawn never."""

import pytest
from django.utils import timezone

from core.text import document_number, vnd
from grants import workflow
from grants.models import FUNDED_STATES, CallPage, Proposal
from tests.grants.test_decisions import appraise, reviewed  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

RESULTS_VI = "Kết quả tuyển chọn"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def shown(text, proposal):
    """The row of a task as the page prints it: its title, host, investigator, amount, months,
    decision number and the day it was published."""
    published = timezone.localtime(proposal.decided_at).strftime("%d/%m/%Y")
    return all(
        part in text
        for part in (
            proposal.title,
            proposal.organisation.name,
            proposal.owner.profile.full_name,
            vnd(proposal.approved_amount),
            f"{proposal.duration_months} tháng",
            document_number(proposal.decision_number),
            published,
        )
    )


def test_a_decided_call_lists_its_funded_tasks_in_both_languages(client):
    call = CallPage.objects.get(code="AG-CNSH24", locale__language_code="vi")
    funded = Proposal.objects.filter(call=call, state__in=FUNDED_STATES)
    assert funded.count() == 5
    text = page(client, call.url)
    assert RESULTS_VI in text
    for proposal in funded:
        assert shown(text, proposal), proposal.title
    first = min(p.decided_at for p in funded)
    assert f'Công bố ngày <time datetime="{timezone.localdate(first).isoformat()}">' in text
    english = CallPage.objects.get(code="AG-CNSH24", locale__language_code="en")
    text = page(client, english.url)
    assert "Selection results" in text and "5 tasks funded. Published on" in text
    for proposal in funded:
        assert proposal.title in text and proposal.organisation.name in text


def test_a_rejected_proposal_of_the_same_call_and_undecided_ones_are_never_listed(client):
    call = CallPage.objects.get(code="AG-NNTM25", locale__language_code="vi")
    text = page(client, call.url)
    listing = page(client, "/funded/")
    for proposal in Proposal.objects.filter(call=call):
        listed = proposal.state in FUNDED_STATES
        assert (proposal.title in text) is listed, proposal.state
        assert (proposal.title in listing) is listed, proposal.state
    assert Proposal.objects.filter(call=call, state="rejected").exists()
    # under review; reviewed; reviewed and appraised, its decision waiting for the manager
    assert Proposal.objects.filter(call=call, state__in=["under_review", "reviewed"]).count() == 3


def test_a_call_without_a_decision_shows_no_results(client):
    call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    assert not Proposal.objects.filter(call=call).exclude(decision_number="").exists()
    assert RESULTS_VI not in page(client, call.url)


def test_results_appear_the_moment_the_funding_decision_is_signed(
    reviewed,  # noqa: F811 (the fixture of tests/grants/test_decisions.py)
    officer,
    manager,
    client,
):
    call = reviewed.call
    assert RESULTS_VI not in page(client, call.url)
    assert reviewed.title not in page(client, "/funded/")
    assert client.get("/api/v1/funded-projects/", {"call": call.code}).json()["count"] == 0
    appraise(reviewed, officer)
    reviewed.refresh_from_db()
    funded = workflow.fund(reviewed, by=manager, approved_amount=850_000_000)
    funded = Proposal.objects.select_related("organisation", "owner__profile").get(pk=funded.pk)
    text = page(client, call.url)
    assert RESULTS_VI in text and shown(text, funded)
    assert "1 nhiệm vụ được phê duyệt" in text
    assert shown(page(client, "/funded/"), funded)
    assert shown(page(client, f"/funded/?call={call.code}"), funded)
    api = client.get("/api/v1/funded-projects/", {"call": call.code}).json()
    assert [row["receipt_number"] for row in api["results"]] == [funded.receipt_number]
    # The dossier's content and scores stay private.
    assert funded.abstract not in text and str(funded.aggregate_score) not in text


def test_a_rejection_is_a_signed_decision_yet_never_published(
    reviewed,  # noqa: F811
    manager,
    client,
):
    rejected = workflow.reject(reviewed, by=manager, comment="Không phù hợp ưu tiên của tỉnh")
    assert rejected.decision_number
    assert RESULTS_VI not in page(client, rejected.call.url)
    assert rejected.title not in page(client, "/funded/")


def test_funded_list_keeps_every_funded_task_and_filters_by_call_sector_and_year(client):
    everything = Proposal.objects.filter(state__in=FUNDED_STATES).exclude(decision_number="")
    text = page(client, "/funded/")
    assert all(p.title in text for p in everything)
    # Ended early, still a funded task: it stays on the list.
    assert everything.filter(state="terminated").exists()
    by_call = page(client, "/funded/?call=AG-CBNS25")
    for p in everything:
        assert (p.title in by_call) is (p.call.code == "AG-CBNS25")
    year = timezone.localdate(everything.order_by("decided_at").first().decided_at).year
    by_year = page(client, f"/funded/?year={year}")
    for p in everything:
        assert (p.title in by_year) is (timezone.localdate(p.decided_at).year == year)
    by_sector = page(client, "/funded/?sector=biotechnology")
    for p in everything.select_related("sector"):
        assert (p.title in by_sector) is (p.sector.slug == "biotechnology")
    english = page(client, "/en/funded/")
    assert "Funded tasks" in english and "24 months" in english


def test_a_filter_value_not_on_offer_is_told_by_its_field_and_the_list_stays_whole(client):
    text = page(client, "/funded/?year=20x6&call=NO-SUCH")
    assert text.count("Hãy chọn một giá trị có trong danh sách.") == 4  # summary and by the field
    assert 'id="id_year_error"' in text and 'id="id_call_error"' in text
    everything = Proposal.objects.filter(state__in=FUNDED_STATES).exclude(decision_number="")
    assert all(p.title in text for p in everything)
