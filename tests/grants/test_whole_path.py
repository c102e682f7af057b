"""The proposal's whole path on one timeline (issue 13): call, receipt, council score, decision,
contract, reports, tranches, acceptance, registration, listings, deals, transferred — in time
order, each with its document for the readers its own page lets in, in a fixed number of
queries whatever the length of the path."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants import timeline
from grants.models import Proposal
from projects import registration
from projects.models import ProgressReport, Tranche
from projects.reports import accept_report, return_report
from projects.tranches import release_tranche
from tests.projects import contracting
from tests.samples import pdf
from transfer import workflow as transfer_workflow
from transfer.models import Technology

pytestmark = pytest.mark.django_db

CHECKLIST = [key for key, _label in transfer_workflow.PUBLISH_CHECKLIST]
LISTING = "Màng bao chitosan cho xoài xuất khẩu (từ nhiệm vụ)"
VALUE = 450_000_000


@pytest.fixture
def business(user_by_email):
    return user_by_email("business@example.org")


def steps(html):
    """[(milestone, text, [hrefs])] of the timeline's items, in the page's order (the steps
    of a folded run each count, as the reader sees them once the run is opened)."""
    part = html[html.index('id="timeline"') :]
    part = part[: part.index("</section>")]
    found = []
    for stage, body in re.findall(r'<li(?: data-milestone="([a-z]+)")?>(.*?)</li>', part, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
        found.append((stage, text, re.findall(r'href="([^"]+)"', body)))
    return found


def page(client, proposal):
    response = client.get(proposal.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def first(found, stage, containing=""):
    """The index of the first item of `stage` (whose text contains `containing`)."""
    return next(i for i, (s, text, _links) in enumerate(found) if s == stage and containing in text)


def hrefs(found, stage, containing=""):
    return found[first(found, stage, containing)][2]


def to_market(proposal, researcher, officer, business):
    """After its acceptance: the results registered, listed and bought by a business — the
    officer confirms the delivery and the proposal is `transferred`."""
    contract = proposal.contract
    filed = registration.file_registration(
        contract, by=researcher, summary="Tóm tắt kết quả.", products="- Quy trình màng bao"
    )
    registration.record_registration(
        filed, by=officer, number="31/2026/ĐKKQ", registered_on=timezone.localdate()
    )
    technology = Technology.objects.create(
        title=LISTING,
        summary="Kéo dài thời gian bảo quản xoài thêm 12 ngày.",
        sector=proposal.sector or Technology.objects.first().sector,
        trl=7,
        transfer_modes=["licence"],
        owner=researcher,
        organisation=researcher.profile.organisation,
        source_proposal=proposal,
    )
    technology = transfer_workflow.submit_technology(technology, by=researcher)
    transfer_workflow.publish_technology(technology, by=officer, checklist=CHECKLIST)
    deal = transfer_workflow.request_deal(
        Technology.objects.get(pk=technology.pk), by=business, message="Cần cho 30 ha xoài."
    )
    transfer_workflow.accept(deal, by=researcher)
    transfer_workflow.record_terms(
        deal, by=business, mode="licence", value=VALUE, payment="lump_sum", term_months=12,
        signed_on=timezone.localdate(), agreement=pdf("hop-dong-chuyen-giao.pdf"),
    )  # fmt: skip
    transfer_workflow.complete(deal, by=officer)
    proposal.refresh_from_db()
    assert proposal.state == "transferred"
    return deal


@pytest.fixture
def transferred(officer, business):
    """A demo task the acceptance council passed (the demo's own transferred one aside)."""
    proposal = Proposal.objects.filter(state="completed").order_by("pk").first()
    deal = to_market(proposal, proposal.owner, officer, business)
    return proposal, deal


# -- the whole path, in order, with its documents --------------------------------------------------


def test_the_owner_sees_the_whole_path_in_order_with_its_documents(transferred, client_as):
    proposal, deal = transferred
    found = steps(page(client_as(proposal.owner.email), proposal))
    order = [
        first(found, "call"),
        first(found, "draft"),
        first(found, "receipt"),
        first(found, "score"),
        first(found, "decision"),
        first(found, "contract", proposal.contract.number),
        first(found, "tranche"),
        first(found, "acceptance"),
        first(found, "registration"),
        first(found, "listing", LISTING),
        first(found, "deal"),
        first(found, "transferred"),
    ]
    assert order == sorted(order)
    pk = proposal.pk
    assert proposal.call.url in hrefs(found, "call")
    assert reverse("proposal_receipt", args=[pk]) in hrefs(found, "receipt")
    assert reverse("proposal_decision", args=[pk]) in hrefs(found, "decision")
    assert reverse("project_contract_pdf", args=[pk]) in hrefs(found, "contract", "Đã ký")
    assert reverse("project_tranches", args=[pk]) in hrefs(found, "tranche")
    # Accepted, the results are registered next; the certificate once recorded.
    # (the dossier and the council's steps come first; the transition to completed carries it)
    accepted = hrefs(found, "acceptance", "Đã nghiệm thu (từ")
    assert reverse("project_registration", args=[pk]) in accepted
    assert reverse("project_acceptance_minutes", args=[pk]) in accepted
    assert reverse("project_registration", args=[pk]) in hrefs(found, "registration")
    assert reverse("project_registration_pdf", args=[pk]) in hrefs(
        found, "registration", "Đã đăng ký"
    )
    technology = deal.technology
    assert reverse("technology_detail", args=[technology.pk]) in hrefs(found, "listing", LISTING)
    # The owner of the listing is a party of the deal: its page, its agreement, its value.
    assert hrefs(found, "deal") == [
        reverse("deal_detail", args=[deal.pk]), reverse("deal_agreement", args=[deal.pk]),
    ]  # fmt: skip
    assert reverse("deal_detail", args=[deal.pk]) in hrefs(found, "transferred")
    deal_text = found[first(found, "deal")][1]
    assert "450.000.000" in deal_text and LISTING in deal_text
    # The council's ballots are not the applicant's: no minutes, no aggregate.
    assert reverse("proposal_minutes", args=[pk]) not in str(found)
    assert "điểm trung bình" not in found[first(found, "score")][1]


def test_the_timeline_items_are_in_time_order(transferred):
    proposal, _deal = transferred
    items = timeline.path(proposal, proposal.owner)
    assert [item.at for item in items] == sorted(item.at for item in items)
    assert items[0].milestone == "call"


def test_reports_link_to_their_own_page(researcher, officer, client_as):
    running = Proposal.objects.filter(owner=researcher, state="in_progress").order_by("pk")[0]
    report = ProgressReport.objects.get(contract__proposal=running, number=1)
    contracting.submit_report(report, researcher, spent=5)
    accept_report(report, by=officer)
    found = steps(page(client_as("researcher@example.org"), running))
    report_page = reverse("project_report", args=[running.pk, 1])
    assert report_page in hrefs(found, "report", "Đã nộp")
    assert report_page in hrefs(found, "report", "chấp nhận")
    assert first(found, "contract") < first(found, "report")


# -- who sees what ---------------------------------------------------------------------------------


def test_an_officer_sees_the_council_and_the_deal(transferred, client_as):
    proposal, deal = transferred
    found = steps(page(client_as("officer@example.org"), proposal))
    assert reverse("proposal_minutes", args=[proposal.pk]) in hrefs(found, "score")
    assert f"điểm trung bình {proposal.aggregate_score}" in found[first(found, "score")][1]
    assert reverse("deal_detail", args=[deal.pk]) in hrefs(found, "deal")
    assert "450.000.000" in found[first(found, "deal")][1]


def test_a_manager_sees_the_council_but_not_the_private_deal(transferred, client_as):
    proposal, deal = transferred
    html = page(client_as("manager@example.org"), proposal)
    found = steps(html)
    assert reverse("proposal_minutes", args=[proposal.pk]) in hrefs(found, "score")
    assert reverse("project_contract_pdf", args=[proposal.pk]) in hrefs(found, "contract", "Đã ký")
    # The deal's page is for its parties and the officers: that it happened, nothing more.
    deal_text = found[first(found, "deal")][1]
    assert hrefs(found, "deal") == [] and hrefs(found, "transferred") == []
    assert "450.000.000" not in deal_text and LISTING not in deal_text
    assert reverse("deal_detail", args=[deal.pk]) not in html
    assert reverse("deal_agreement", args=[deal.pk]) not in html


def test_a_council_member_sees_no_private_document(transferred, client):
    """A member of the selection council may still read the dossier they scored: only the
    receipt and the public pages are linked for them."""
    proposal, deal = transferred
    member = proposal.assignments.filter(status="accepted").first().reviewer
    client.force_login(member)
    html = page(client, proposal)
    found = steps(html)
    pk = proposal.pk
    private = [
        reverse("proposal_decision", args=[pk]),
        reverse("proposal_minutes", args=[pk]),
        reverse("project_contract_pdf", args=[pk]),
        reverse("project_tranches", args=[pk]),
        reverse("project_registration", args=[pk]),
        reverse("deal_detail", args=[deal.pk]),
        reverse("deal_agreement", args=[deal.pk]),
    ]
    assert [url for url in private if url in html] == []
    assert reverse("proposal_receipt", args=[pk]) in hrefs(found, "receipt")
    assert reverse("technology_detail", args=[deal.technology_id]) in hrefs(
        found, "listing", LISTING
    )
    assert "điểm trung bình" not in html and "450.000.000" not in html


@pytest.mark.parametrize("who", ["another researcher", "business@example.org"])
def test_others_do_not_see_the_page(transferred, client_as, who):
    proposal, _deal = transferred
    if who == "another researcher":
        others = {"researcher@example.org", "researcher2@example.org"} - {proposal.owner.email}
        who = others.pop()
    assert client_as(who).get(proposal.get_absolute_url()).status_code == 403


def test_visitors_are_sent_to_sign_in(transferred, client):
    proposal, _deal = transferred
    assert client.get(proposal.get_absolute_url()).status_code == 302


def test_without_a_reader_no_document_is_linked(transferred):
    proposal, _deal = transferred
    items = timeline.path(proposal)
    assert [item for item in items if item.links] == []
    assert all(item.detail == "" for item in items)
    deal_item = next(item for item in items if item.milestone == "deal")
    assert deal_item.record == ""


def test_a_page_not_defined_yet_is_not_linked():
    assert timeline.url_or_none("no_such_page", 1) is None
    assert timeline.link("no_such_page", 1, label="x") is None
    assert timeline.url_or_none("project_registration", 7) == "/proposals/7/registration/"


# -- constant queries ------------------------------------------------------------------------------


def statements(client, url):
    """The SQL of one warm request of `url` (site settings, content types, the session cached
    by a first one)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def queries(client, url):
    return len(statements(client, url))


def test_the_page_costs_the_same_for_a_short_and_a_long_path(
    researcher, officer, client_as, django_assert_max_num_queries
):
    """The demo's running task as it is (a few steps), then with many more: its first report
    submitted, returned, submitted again and accepted, the tranche waiting for it released, and
    three of its results listed. The page reads no more for the long path than the short one."""
    running = Proposal.objects.filter(owner=researcher, state="in_progress").order_by("pk")[0]
    client = client_as("officer@example.org")
    few = queries(client, running.get_absolute_url())
    before = len(steps(page(client, running)))
    report = ProgressReport.objects.get(contract__proposal=running, number=1)
    contracting.submit_report(report, researcher, spent=1)
    return_report(report, by=officer, comment="Bổ sung chứng từ.")
    contracting.submit_report(report, researcher, spent=1)
    accept_report(report, by=officer)
    waiting = Tranche.objects.get(contract__proposal=running, condition="report_accepted")
    release_tranche(
        waiting, by=officer, payment_order_number="UNC-TEST-2",
        payment_order_date=timezone.localdate(),
    )  # fmt: skip
    for index in range(3):
        technology = Technology.objects.create(
            title=f"Kết quả {index} của nhiệm vụ", sector=Technology.objects.first().sector,
            summary="Chế phẩm vi sinh phân hủy rơm rạ ngay tại ruộng trong 3 tuần.",
            trl=6, transfer_modes=["licence"], owner=researcher,
            organisation=researcher.profile.organisation, source_proposal=running,
        )  # fmt: skip
        technology = transfer_workflow.submit_technology(technology, by=researcher)
        transfer_workflow.publish_technology(technology, by=officer, checklist=CHECKLIST)
    assert len(steps(page(client, running))) == before + 8
    with django_assert_max_num_queries(few):
        assert client.get(running.get_absolute_url()).status_code == 200


# -- the market's steps are read only for a task the Department funded ----------------------------


def market_queries(client, url):
    """The statements of the page that read the catalogue or its deals."""
    return [
        sql
        for sql in statements(client, url)
        if "transfer_technology" in sql or "transfer_transferdeal" in sql
    ]


@pytest.mark.parametrize("state", ["submitted", "reviewed"])
def test_a_dossier_before_funding_asks_nothing_of_the_catalogue(state, client_as):
    """The night a call closes, every dossier page is one of a submitted proposal: its
    timeline reads no listing and no deal (a result is listed only from a funded task).
    `reviewed` is the state just before the decision to fund."""
    proposal = Proposal.objects.filter(state=state).order_by("pk").first()
    for who in (proposal.owner.email, "officer@example.org"):
        assert market_queries(client_as(who), proposal.get_absolute_url()) == []


def test_a_funded_task_shows_its_listing_on_its_timeline(officer, client_as):
    """`funded`, the first state a result may name its task in: the listing is read and shown."""
    proposal = Proposal.objects.filter(state="funded").order_by("pk").first()
    technology = Technology.objects.create(
        title=LISTING, sector=Technology.objects.first().sector,
        summary="Kéo dài thời gian bảo quản xoài thêm 12 ngày.", trl=6,
        transfer_modes=["licence"], owner=proposal.owner,
        organisation=proposal.owner.profile.organisation, source_proposal=proposal,
    )  # fmt: skip
    technology = transfer_workflow.submit_technology(technology, by=proposal.owner)
    transfer_workflow.publish_technology(technology, by=officer, checklist=CHECKLIST)
    client = client_as(proposal.owner.email)
    assert market_queries(client, proposal.get_absolute_url()) != []
    found = steps(page(client, proposal))
    assert reverse("technology_detail", args=[technology.pk]) in hrefs(found, "listing", LISTING)
