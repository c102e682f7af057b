"""The execution dashboards (officers, researchers, managers) and the proposal's timeline, which
merges the project's trail with the proposal's own transitions (issue 12 → Dashboards)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import timeline
from grants import workflow as grants_workflow
from grants.models import CallPage, Proposal
from projects import selectors
from projects.changes import approve_change, refuse_change, request_change
from projects.contracts import sign_contract
from projects.models import Contract, ProgressReport, ProjectEntry, Tranche
from projects.reports import accept_report, return_report, submit_report
from projects.timeline import label
from projects.tranches import release_tranche
from tests.grants.conftest import in_an_giang
from tests.projects import contracting

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(
    2026, 12, 1
)  # contracting's signing day; the task runs 01/01/2027–31/12/2028


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def manager(user_by_email):
    return user_by_email("manager@example.org")


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def researcher2(user_by_email):
    return user_by_email("researcher2@example.org")


@pytest.fixture
def call():
    return CallPage.objects.get(code="AG-NNTM25", locale__language_code="vi")


@pytest.fixture
def other_call():
    return CallPage.objects.get(code="AG-CNSH24", locale__language_code="vi")


_serial = iter(range(1, 10_000))


def funded(call, owner, *, amount=600_000_000):
    """A proposal as `grants.workflow.fund` leaves it (tests/grants/test_workflow.py walks the
    council and the appraisal to get there; the dashboards need many, so the row is made in
    that state, as test_workflow makes its "other" funded proposal)."""
    n = next(_serial)
    proposal = Proposal(
        call=call, owner=owner, title=f"Nhiệm vụ thử nghiệm số {n}", state="funded",
        requested_amount=amount, approved_amount=amount, duration_months=24,
        decision_number=f"{n}/QĐ-TEST", decided_at=in_an_giang(2026, 11, 20, 9),
        receipt_number=f"TEST-2026-{n:04d}", version=1, submitted_at=in_an_giang(2026, 9, 1),
    )  # fmt: skip
    proposal.save()
    return proposal


def running(call, owner, officer, *, amount=600_000_000, tranches=None):
    """A funded proposal whose contract the officer prepared and signed (→ in_progress)."""
    proposal = funded(call, owner, amount=amount)
    return contracting.sign(
        proposal, officer, number=f"{proposal.pk}/2026/HĐ-TEST", tranches=tranches,
        signed_on=SIGNED,
    )  # fmt: skip


def two_tranches(amount, condition="report_accepted", report_number=1):
    extra = {"report_number": report_number} if condition == "report_accepted" else {}
    return [
        {"due_on": SIGNED, "amount": amount // 2, "condition": "on_signing"},
        {"due_on": datetime.date(2027, 8, 1), "amount": amount - amount // 2,
         "condition": condition, **extra},
    ]  # fmt: skip


def release(tranche, on=datetime.date(2027, 1, 5), at=None):
    """The officer releases the tranche on day `on` (the payment order's date), as of then."""
    at = at or timezone.make_aware(datetime.datetime(on.year, on.month, on.day, 10))
    officer = Contract.objects.get(pk=tranche.contract_id).signed_by
    with grants_workflow.clock(at):
        release_tranche(
            tranche, by=officer, payment_order_number=f"UNC-{tranche.pk}", payment_order_date=on
        )
    tranche.contract.refresh_from_db()


def report(proposal, number):
    return ProgressReport.objects.select_related("contract__proposal").get(
        contract__proposal=proposal, number=number
    )


def accept(report_, researcher, officer):
    """Report N written, submitted and accepted, through the workflow."""
    return contracting.accept_report(report_, researcher, officer, spent=100_000_000)


def html_of(client, url="/dashboard/"):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def panel(html, heading_id):
    """The part of the page from the heading `heading_id` to the next h3 (or the section end)."""
    start = html.index(f'id="{heading_id}"')
    end = min(i for i in (html.find("<h3", start), html.find("</section>", start)) if i > 0)
    return html[start:end]


# -- the links --------------------------------------------------------------------------------------


def test_project_path_mirrors_the_execution_urls():
    assert selectors.project_path(7, "contract") == "/proposals/7/contract/"
    assert selectors.project_path(7, "tranches") == "/proposals/7/tranches/"
    assert selectors.project_path(7, "reports") == "/proposals/7/reports/"
    assert selectors.project_path(7, "changes") == "/proposals/7/changes/"
    assert selectors.project_path(7, "contract.pdf") == "/proposals/7/contract.pdf"


# -- officers: projects by state ----------------------------------------------------------------------


def counts():
    return {row["state"]: row["count"] for row in selectors.projects_by_state()}


def test_projects_by_state_counts_each_state_after_signing(call, researcher, officer, manager):
    before = counts()
    assert set(before) == {"in_progress", "completed", "terminated", "transferred"}
    assert before == {state: Proposal.objects.filter(state=state).count() for state in before}
    funded(call, researcher)  # funded, not signed: not a running project yet
    first = running(call, researcher, officer)
    running(call, researcher, officer)
    assert counts() == before | {"in_progress": before["in_progress"] + 2}
    grants_workflow.terminate(first, by=manager, comment="Chủ nhiệm chuyển công tác.")
    assert counts() == before | {
        "in_progress": before["in_progress"] + 1,
        "terminated": before["terminated"] + 1,
    }


def test_officer_sees_the_counts_linking_to_the_queue_by_state(
    client_as, call, researcher, officer
):
    running(call, researcher, officer)
    html = html_of(client_as("officer@example.org"))
    box = panel(html, "projects-by-state")
    for row in selectors.projects_by_state():
        link = f'href="/proposals/?state={row["state"]}"><span class="stat-number">{row["count"]}<'
        assert link in box, row
    assert "Đang thực hiện" in box and "Đã nghiệm thu" in box and "Đã dừng" in box


# -- officers: reports due and overdue ------------------------------------------------------------------


def due(proposal, number, day):
    ProgressReport.objects.filter(contract__proposal=proposal, number=number).update(due_on=day)


def test_a_report_is_overdue_the_day_after_its_due_date(call, researcher, officer):
    today = datetime.date(2027, 7, 15)
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)
    late, on_time, ahead, far, beyond = (running(call, researcher, officer) for _ in range(5))
    due(late, 1, yesterday)
    due(on_time, 1, today)
    due(ahead, 1, tomorrow)
    due(far, 1, today + datetime.timedelta(days=30))  # the last day of the window
    due(beyond, 1, today + datetime.timedelta(days=31))
    overdue, soon = selectors.reports_due(today=today)
    mine = {late.pk, on_time.pk, ahead.pk, far.pk, beyond.pk}
    late_rows = [(r["proposal_id"], r["days_late"]) for r in overdue if r["proposal_id"] in mine]
    soon_rows = [(r["proposal_id"], r["days_left"]) for r in soon if r["proposal_id"] in mine]
    assert late_rows == [(late.pk, 1)]
    assert soon_rows == [(on_time.pk, 0), (ahead.pk, 1), (far.pk, 30)]
    assert all(r["url"] == f"/proposals/{r['proposal_id']}/reports/" for r in overdue + soon)
    assert report(late, 1).is_overdue(today) and not report(on_time, 1).is_overdue(today)


def test_sent_reports_and_stopped_tasks_are_not_due(call, researcher, officer, manager):
    today = datetime.date(2027, 7, 15)
    sent, stopped = running(call, researcher, officer), running(call, researcher, officer)
    due(sent, 1, today - datetime.timedelta(days=3))
    due(stopped, 1, today - datetime.timedelta(days=3))
    accept(report(sent, 1), researcher, officer)
    grants_workflow.terminate(stopped, by=manager, comment="Không tiếp tục.")
    overdue, soon = selectors.reports_due(today=today)
    listed = {r["proposal_id"] for r in overdue + soon}
    assert sent.pk not in listed and stopped.pk not in listed


def test_officer_dashboard_flags_yesterdays_report_and_lists_todays_as_due(
    client_as, call, researcher, officer
):
    today = timezone.localdate()
    late, on_time = running(call, researcher, officer), running(call, researcher, officer)
    due(late, 1, today - datetime.timedelta(days=1))
    due(on_time, 1, today)
    html = html_of(client_as("officer@example.org"))
    overdue, soon = panel(html, "reports-overdue"), panel(html, "reports-due")
    assert f'href="/proposals/{late.pk}/reports/"' in overdue
    assert f'href="/proposals/{late.pk}/reports/"' not in soon
    assert f'href="/proposals/{on_time.pk}/reports/"' in soon
    assert f'href="/proposals/{on_time.pk}/reports/"' not in overdue
    assert "1 ngày trễ hạn" in overdue and "đến hạn hôm nay" in soon
    assert f"Báo cáo 1, hạn {(today - datetime.timedelta(days=1)):%d/%m/%Y}" in overdue


def test_the_report_lists_stop_at_their_limit_and_say_so(client_as, call, researcher, officer):
    today = timezone.localdate()
    for _ in range(3):
        due(running(call, researcher, officer), 1, today - datetime.timedelta(days=2))
    overdue, _soon = selectors.reports_due(today=today, limit=2)
    assert len(overdue) == 3  # the limit and one more, so the page knows there are more


# -- officers: tranches ready to release ------------------------------------------------------------


def ready(proposal):
    return [
        t["position"] for t in selectors.releasable_tranches() if t["proposal_id"] == proposal.pk
    ]


def test_on_signing_tranche_is_ready_once_signed_and_until_released(call, researcher, officer):
    prepared = funded(call, researcher)
    contracting.prepare(prepared, officer, number="P/2026/HĐ-TEST")
    assert ready(prepared) == []  # prepared, not signed
    signed = running(call, researcher, officer)
    assert ready(signed) == [1]
    release(Tranche.objects.select_related("contract").get(contract__proposal=signed))
    assert ready(signed) == []


def test_after_report_tranche_waits_for_that_report_accepted(call, researcher, officer):
    project = running(
        call, researcher, officer, tranches=two_tranches(600_000_000, report_number=2)
    )
    release(Tranche.objects.select_related("contract").get(contract__proposal=project, position=1))
    assert ready(project) == []
    accept(report(project, 1), researcher, officer)  # report 1 is not the one it waits for
    assert ready(project) == []
    second = report(project, 2)
    contracting.submit_report(second, researcher, spent=1)
    assert ready(project) == []  # submitted, not accepted yet
    accept_report(second, by=officer)
    assert ready(project) == [2]


def test_after_acceptance_tranche_waits_for_a_passing_verdict(call, researcher, officer):
    project = running(
        call, researcher, officer, tranches=two_tranches(600_000_000, "acceptance_passed")
    )
    release(Tranche.objects.select_related("contract").get(contract__proposal=project, position=1))
    assert ready(project) == []
    Proposal.objects.filter(pk=project.pk).update(acceptance_verdict="fail")
    assert ready(project) == []
    Proposal.objects.filter(pk=project.pk).update(acceptance_verdict="pass")
    assert ready(project) == [2]
    completed = grants_workflow.accept_results(project, by=officer)
    assert completed.state == "completed" and ready(project) == [2]  # still to be paid


def test_officer_dashboard_links_ready_tranches_to_their_ledger(
    client_as, call, researcher, officer
):
    project = running(call, researcher, officer, amount=1_500_000_000)
    html = panel(html_of(client_as("officer@example.org")), "tranches-ready")
    assert f'href="/proposals/{project.pk}/tranches/"' in html
    assert "Đợt 1: 1.500.000.000 ₫" in html


# -- officers: committed and released -------------------------------------------------------------------


def test_committed_and_released_per_call_and_year(call, other_call, researcher, officer, manager):
    calls_before = {row["code"]: row for row in selectors.money_by_call()[0]}
    years_before = {row["year"]: row for row in selectors.money_by_year()[0]}
    a = running(call, researcher, officer, amount=800_000_000, tranches=two_tranches(800_000_000))
    b = running(call, researcher, officer, amount=200_000_000)
    c = running(other_call, researcher, officer, amount=500_000_000,
                tranches=two_tranches(500_000_000))  # fmt: skip
    funded(call, researcher, amount=900_000_000)  # no contract yet: nothing committed
    release(Tranche.objects.select_related("contract").get(contract__proposal=a, position=1))
    release(Tranche.objects.select_related("contract").get(contract__proposal=b),
            on=datetime.date(2028, 2, 1))  # fmt: skip
    release(Tranche.objects.select_related("contract").get(contract__proposal=c, position=1))
    grants_workflow.terminate(c, by=manager, comment="Dừng: chủ nhiệm nghỉ việc.")

    by_call, call_total = selectors.money_by_call()
    rows = {row["code"]: row for row in by_call}

    def delta(code, key):
        return rows[code][key] - calls_before.get(code, {}).get(key, 0)

    assert (delta("AG-NNTM25", "committed"), delta("AG-NNTM25", "released")) == (
        1_000_000_000, 600_000_000,
    )  # fmt: skip
    # The terminated task commits only what it was paid: the rest went back to the call.
    assert (delta("AG-CNSH24", "committed"), delta("AG-CNSH24", "released")) == (
        250_000_000, 250_000_000,
    )  # fmt: skip
    assert rows["AG-NNTM25"]["remaining"] == (
        rows["AG-NNTM25"]["committed"] - rows["AG-NNTM25"]["released"]
    )
    assert call_total["committed"] == sum(row["committed"] for row in by_call)

    by_year, year_total = selectors.money_by_year()
    years = {row["year"]: row for row in by_year}

    def year_delta(year, key):
        return years[year][key] - years_before.get(year, {}).get(key, 0)

    assert year_delta(2026, "committed") == 1_250_000_000  # all three signed on 01/12/2026
    assert year_delta(2027, "released") == 400_000_000 + 250_000_000
    assert year_delta(2028, "released") == 200_000_000
    assert year_total["released"] == call_total["released"]
    assert year_total["committed"] == call_total["committed"]


def test_a_release_late_on_new_years_eve_counts_in_an_giangs_year(call, researcher, officer):
    project = running(call, researcher, officer, amount=300_000_000)
    before = {row["year"]: row["released"] for row in selectors.money_by_year()[0]}
    tranche = Tranche.objects.get(contract__proposal=project)
    # 31/12/2026 17:30 UTC is already 01/01/2027 00:30 in An Giang.
    release(
        tranche,
        on=datetime.date(2027, 1, 1),
        at=datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC),
    )
    after = {row["year"]: row["released"] for row in selectors.money_by_year()[0]}
    assert after.get(2027, 0) - before.get(2027, 0) == 300_000_000
    assert after.get(2026, 0) == before.get(2026, 0)


def test_officer_dashboard_shows_the_money_tables_in_dong(client_as, call, researcher, officer):
    running(call, researcher, officer, amount=1_500_000_000)
    html = html_of(client_as("officer@example.org"))
    by_call = panel(html, "money-by-call")
    row = next(r for r in selectors.money_by_call()[0] if r["code"] == "AG-NNTM25")
    assert "AG-NNTM25" in by_call and f"{row['committed']:,} ₫".replace(",", ".") in by_call
    assert '<th scope="col" class="num">Đã cam kết</th>' in by_call
    assert 'id="money-by-year"' in html and '<th scope="row" class="stack-title">2026</th>' in html


# -- researchers ---------------------------------------------------------------------------------------


def mine(user, **kwargs):
    return {row["pk"]: row for row in selectors.projects_of(user, **kwargs)}


def test_researcher_sees_next_report_contract_end_and_extension_window(call, researcher, officer):
    project = running(call, researcher, officer)
    row = mine(researcher, today=datetime.date(2027, 3, 1))[project.pk]
    assert (row["next_report_number"], row["next_report_due"]) == (1, datetime.date(2027, 7, 15))
    assert row["ends_on"] == datetime.date(2028, 12, 31)
    # An extension is asked at least a month before the end: by 30/11/2028.
    assert row["extension_last_day"] == datetime.date(2028, 11, 30)
    assert row["extension_open"] and not row["report_overdue"]
    assert row["contract_pdf"] == f"/proposals/{project.pk}/contract.pdf"
    assert row["changes_url"] == f"/proposals/{project.pk}/changes/"
    accept(report(project, 1), researcher, officer)
    assert mine(researcher, today=datetime.date(2027, 8, 1))[project.pk]["next_report_number"] == 2


def test_the_extension_window_closes_the_day_after_its_last_day(call, researcher, officer):
    project = running(call, researcher, officer)
    assert mine(researcher, today=datetime.date(2028, 11, 30))[project.pk]["extension_open"]
    assert not mine(researcher, today=datetime.date(2028, 12, 1))[project.pk]["extension_open"]


def test_a_granted_or_pending_extension_closes_the_window(call, researcher, officer, user_by_email):
    project = running(call, researcher, officer)
    change = ask(project, researcher, reason="Mất mùa do hạn mặn")
    row = mine(researcher, today=datetime.date(2028, 1, 1))[project.pk]
    assert row["extension_pending"] and not row["extension_open"]
    approve_change(change, by=user_by_email("manager@example.org"))
    row = mine(researcher, today=datetime.date(2028, 1, 1))[project.pk]
    assert row["extension_granted"] and not row["extension_open"]


def test_an_overdue_next_report_is_flagged(call, researcher, officer):
    project = running(call, researcher, officer)
    assert not mine(researcher, today=datetime.date(2027, 7, 15))[project.pk]["report_overdue"]
    assert mine(researcher, today=datetime.date(2027, 7, 16))[project.pk]["report_overdue"]


def test_a_researcher_never_sees_anothers_projects(
    client_as, call, researcher, researcher2, officer
):
    theirs = running(call, researcher2, officer)
    ours = running(call, researcher, officer)
    assert theirs.pk not in mine(researcher) and ours.pk in mine(researcher)
    html = panel(html_of(client_as("researcher@example.org")), "my-projects")
    assert f'id="project-{ours.pk}"' in html and ours.title in html
    assert theirs.title not in html and f"/proposals/{theirs.pk}/" not in html
    assert set(mine(researcher)) == set(
        Proposal.objects.filter(
            owner=researcher,
            state__in=["funded", "in_progress", "completed", "terminated", "transferred"],
        ).values_list("pk", flat=True)
    )


def test_researcher_dashboard_shows_deadlines_and_documents(client_as, call, researcher, officer):
    project = running(call, researcher, officer)
    waiting = funded(call, researcher)
    html = html_of(client_as("researcher@example.org"))
    card = html[html.index(f'id="project-{project.pk}"') :]
    card = card[: card.index("</li>")]
    assert f'href="/proposals/{project.pk}/reports/">Báo cáo 1</a>' in card
    assert "15/07/2027" in card and "31/12/2028" in card
    assert f'href="/proposals/{project.pk}/changes/">đề nghị chậm nhất ngày 30/11/2028</a>' in card
    assert f'href="/proposals/{project.pk}/decision.pdf"' in card
    assert f'href="/proposals/{project.pk}/contract.pdf"' in card
    assert f"Hợp đồng {project.pk}/2026/HĐ-TEST (PDF)" in card
    pending = html[html.index(f'id="project-{waiting.pk}"') :]
    pending = pending[: pending.index("</li>")]
    assert "Sở đang chuẩn bị hợp đồng." in pending
    assert "decision.pdf" in pending and "contract.pdf" not in pending
    # the decision's number in its customary two-digit form, as on the PDF (a one-digit one)
    Proposal.objects.filter(pk=waiting.pk).update(decision_number="7/QĐ-TEST")
    html = html_of(client_as("researcher@example.org"))
    pending = html[html.index(f'id="project-{waiting.pk}"') :]
    assert "Quyết định phê duyệt 07/QĐ-TEST (PDF)" in pending[: pending.index("</li>")]


def test_other_roles_do_not_get_the_researchers_projects(client_as, call, researcher, officer):
    project = running(call, researcher, officer)
    for email in ("business@example.org", "reviewer1@example.org", "researcher2@example.org"):
        html = html_of(client_as(email))
        assert f'id="project-{project.pk}"' not in html, email


# -- managers --------------------------------------------------------------------------------------------


def ask(project, researcher, kind="extension", **fields):
    """The investigator asks for a change through the workflow, as of a day well before the end."""
    defaults = {"reason": "Thời tiết bất thường"}
    if kind == "extension":
        defaults["new_ends_on"] = datetime.date(2029, 6, 30)
    with grants_workflow.clock(in_an_giang(2027, 6, 1, 9)):
        return request_change(
            Contract.objects.get(proposal=project), by=researcher, kind=kind,
            **(defaults | fields),
        )  # fmt: skip


def test_manager_sees_the_change_requests_waiting(client_as, call, researcher, officer, manager):
    project = running(call, researcher, officer)
    waiting = ask(project, researcher)
    decided = ask(project, researcher, kind="investigator", new_investigator="Lê Văn Bình")
    refuse_change(decided, by=manager, comment="Chủ nhiệm hiện tại vẫn đảm nhận được.")
    rows = [row for row in selectors.changes_waiting(manager) if row["proposal_id"] == project.pk]
    assert [row["pk"] for row in rows] == [waiting.pk]
    assert rows[0]["url"] == f"/proposals/{project.pk}/changes/" and not rows[0]["own"]
    html = panel(html_of(client_as("manager@example.org")), "changes-waiting")
    assert f'href="/proposals/{project.pk}/changes/"' in html
    assert "Gia hạn thời gian thực hiện (ngày kết thúc mới 30/06/2029)" in html
    assert "Thay đổi chủ nhiệm" not in html  # the refused one


def test_a_manager_who_prepared_the_contract_is_told_another_decides(
    call, researcher, officer, manager, client_as
):
    project = running(call, researcher, officer)
    ask(project, researcher)
    Contract.objects.filter(proposal=project).update(prepared_by=manager)
    row = next(r for r in selectors.changes_waiting(manager) if r["proposal_id"] == project.pk)
    assert row["own"]
    html = panel(html_of(client_as("manager@example.org")), "changes-waiting")
    assert "một lãnh đạo khác quyết định" in html


def test_only_managers_get_the_change_requests(client_as, call, researcher, officer):
    ask(running(call, researcher, officer), researcher)
    for email in ("officer@example.org", "researcher@example.org", "business@example.org"):
        assert 'id="changes-waiting"' not in html_of(client_as(email)), email
    for email in ("researcher@example.org", "manager@example.org", "business@example.org"):
        assert 'id="panel-projects"' not in html_of(client_as(email)), email


# -- queries stay constant with the data ---------------------------------------------------------------


def queries(client, url="/dashboard/"):
    client.get(url)  # warm the caches (site settings, content types, the session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_officer_dashboard_queries_do_not_grow_with_projects(client_as, call, researcher, officer):
    client = client_as("officer@example.org")
    today = timezone.localdate()
    first = running(call, researcher, officer)
    due(first, 1, today)
    one = queries(client)
    for n in range(9):
        project = running(call, researcher, officer)
        due(project, 1, today + datetime.timedelta(days=n - 4))  # overdue and due soon
    assert queries(client) == one


def test_researcher_dashboard_queries_do_not_grow_with_projects(
    client_as, call, researcher2, officer
):
    client = client_as("researcher2@example.org")
    running(call, researcher2, officer)
    one = queries(client)
    for _ in range(9):
        running(call, researcher2, officer)
    assert queries(client) == one
    assert len(mine(researcher2)) >= 10


def test_manager_dashboard_queries_do_not_grow_with_change_requests(
    client_as, call, researcher, officer
):
    client = client_as("manager@example.org")
    ask(running(call, researcher, officer), researcher)
    one = queries(client)
    for _ in range(9):
        ask(running(call, researcher, officer), researcher)
    assert queries(client) == one


# -- the proposal's timeline ---------------------------------------------------------------------------


def test_project_steps_are_labelled_in_words():
    assert label("sign_contract") == "Đã ký hợp đồng"
    assert label("report_return_report") == "Báo cáo tiến độ bị trả lại để chỉnh sửa"
    assert label("something_new") == "Bước thực hiện (something new)"


def timeline_text(html):
    part = html[html.index('id="timeline"') :]
    part = part[: part.index("</section>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def test_timeline_merges_the_project_trail_with_the_transitions_by_time(
    client_as, researcher, officer
):
    project = Proposal.objects.get(title="Chế phẩm vi sinh xử lý rơm rạ tại ruộng")
    first = report(project, 1)
    contracting.write_report(first, researcher, spent=5)
    signed_at = Contract.objects.get(proposal=project).signed_at
    with grants_workflow.clock(signed_at + datetime.timedelta(days=200)):
        submit_report(first, by=researcher)
    with grants_workflow.clock(signed_at + datetime.timedelta(days=210)):
        return_report(first, by=officer, comment="Bổ sung chứng từ chi")

    items = timeline.entries(project)
    assert [item.at for item in items] == sorted(item.at for item in items)
    # (The demo lists a result of this project in the catalogue: the market's steps are on the
    # path too, at their own dates — tests/grants/test_whole_path.py.)
    labels = [item.label for item in items if item.milestone not in ("listing", "deal")]
    expected = ["Được phê duyệt", "Đã lập hợp đồng", "Đã ký hợp đồng", "Đang thực hiện",
                "Đã cấp kinh phí", "Đã nộp báo cáo tiến độ",
                "Báo cáo tiến độ bị trả lại để chỉnh sửa"]  # fmt: skip
    assert labels[labels.index("Được phê duyệt") :] == expected
    # Signing: the contract's entry and the transition share one instant; the step the
    # transition carries is shown first.
    signing = [item for item in items if item.label in ("Đã ký hợp đồng", "Đang thực hiện")]
    assert signing[0].at == signing[1].at

    text = timeline_text(html_of(client_as("researcher@example.org"), project.get_absolute_url()))
    positions = [text.index(words) for words in expected]
    assert positions == sorted(positions)
    contract_number = Contract.objects.get(proposal=project).number
    assert f"Đã ký hợp đồng ({contract_number})" in text
    assert "Đang thực hiện (từ Được phê duyệt)" in text
    assert "Bổ sung chứng từ chi" in text and "Huỳnh Thanh Tâm" in text


def test_timeline_speaks_the_readers_language(client_as):
    project = Proposal.objects.get(title="Chế phẩm vi sinh xử lý rơm rạ tại ruộng")
    text = timeline_text(
        html_of(client_as("officer@example.org"), f"/en{project.get_absolute_url()}")
    )
    assert "Contract prepared" in text and "Contract signed" in text
    assert "In progress (from Funded)" in text


def test_timeline_stays_text(client_as, call, researcher, officer, manager):
    project = running(call, researcher, officer)
    grants_workflow.terminate(project, by=manager, comment="<script>alert(1)</script>")
    html = html_of(client_as("officer@example.org"), project.get_absolute_url())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_proposal_page_queries_do_not_grow_with_the_trail(client_as, call, researcher, officer):
    short = funded(call, researcher)
    contracting.sign(short, officer, number="S/2026/HĐ-TEST")
    long = funded(call, researcher)
    for _ in range(19):  # each correction of the prepared contract is a step of the trail
        contracting.prepare(long, officer, number="L/2026/HĐ-TEST")
    sign_contract(long, by=officer)
    assert ProjectEntry.objects.filter(proposal=short).count() == 2
    assert ProjectEntry.objects.filter(proposal=long).count() == 20
    client = client_as("officer@example.org")
    assert queries(client, short.get_absolute_url()) == queries(client, long.get_absolute_url())
    html = html_of(client, long.get_absolute_url())
    # the 19 corrections are one folded line (grants.timeline.folded), each step behind it
    assert 'data-run="contract"' in html
    assert timeline_text(html).count("Đã lập hợp đồng") == 19 + 1
