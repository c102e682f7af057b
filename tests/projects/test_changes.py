"""Change requests of a running task (Circular 04/2015; docs/decisions/0006-project-changes.md):
the principal investigator asks for an extension, a budget reallocation or a new principal
investigator; a manager who prepared none of the dossier or its contract approves or refuses.
Each rule at its boundary, each refusal at the workflow function and through the page."""

import datetime

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core import roles
from grants import workflow as grants_workflow
from grants.models import Proposal
from projects.changes import (
    approve_change,
    change_four_eyes_problems,
    extension_window,
    is_long_task,
    refuse_change,
    request_change,
)
from projects.contracts import prepare_contract, sign_contract
from projects.models import ChangeRequest, Contract, ProgressReport, ProjectEntry
from projects.reporting import approved_budget, reported_spending
from projects.workflow import GuardFailed, StateConflict, add_months
from tests.projects import contracting

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
REASON = "Mưa lũ kéo dài làm chậm vụ thí nghiệm thứ hai."
FOUR_EYES = "Bạn đã tham gia chuẩn bị hồ sơ này"
PREPARED = "Bạn đã soạn hợp đồng"
SIGNED = "Bạn đã ghi nhận hợp đồng"
SCREENED = "Bạn đã kiểm tra tính hợp lệ"


def staff(username, *groups):
    """A member of the Department's staff with TOTP on (the middleware lets them in)."""
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "x")
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    TOTP.activate(user, settings.PORTAL_DEMO_TOTP_SECRET)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def researcher(user_by_email):
    return user_by_email("researcher@example.org")


@pytest.fixture
def officer(user_by_email):
    return user_by_email("officer@example.org")


@pytest.fixture
def manager(user_by_email):
    return user_by_email("manager@example.org")


def at(day, hour=10):
    """A moment on `day` in An Giang."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def start_of_task():
    """The first day of next year: the schedule's months then fall on round dates."""
    return datetime.date(timezone.localdate().year + 1, 1, 1)


def run_task(proposal, *, months=24, preparer, signer):
    """The demo's funded dossier, its contract prepared by `preparer` and signed by `signer`:
    from the first day of next year for `months` months (ending the day before the anniversary),
    a progress report every six months."""
    if months > (proposal.duration_months or 0):
        Proposal.objects.filter(pk=proposal.pk).update(duration_months=months)
        proposal = Proposal.objects.get(pk=proposal.pk)
    starts = start_of_task()
    values = contracting.contract_values(proposal, number="99/2026/HĐ-SKHCN") | {
        "signed_on": timezone.localdate(),
        "starts_on": starts,
        "ends_on": add_months(starts, months) - DAY,
        "principal_investigator": "Nguyễn Văn An",
    }
    prepare_contract(
        proposal, by=preparer, values=values,
        tranches=contracting.one_tranche(proposal, timezone.localdate()),
        deliverables=[{"name": "Quy trình kỹ thuật", "quantity_indicator": "01 quy trình"}],
    )  # fmt: skip
    sign_contract(proposal, by=signer)
    return Contract.objects.select_related("proposal").get(proposal=proposal)


@pytest.fixture
def funded(researcher):
    return Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()


@pytest.fixture
def task(funded, officer):
    """A 24-month task (01/01 → 31/12 a year later) of researcher@example.org."""
    return run_task(funded, preparer=officer, signer=officer)


@pytest.fixture
def long_task(funded, officer):
    """A 25-month task: longer than 24 months."""
    return run_task(funded, months=25, preparer=officer, signer=officer)


def ask(contract, by, *, on=None, **given):
    """The investigator asks, today (the tasks start next year: well before any deadline) or
    as of the day `on`."""
    given.setdefault("reason", REASON)
    if on is None:
        return request_change(contract, by=by, **given)
    with grants_workflow.clock(at(on)):
        return request_change(contract, by=by, **given)


def refused(call, key):
    with pytest.raises(GuardFailed) as failure:
        call()
    assert key in failure.value.errors, failure.value.errors
    return " ".join(failure.value.errors[key])


def extension(contract, researcher, new_ends_on, **kwargs):
    return ask(contract, researcher, kind="extension", new_ends_on=new_ends_on, **kwargs)


def moves(**amounts):
    return {"kind": "reallocation", "reallocation": amounts}


# -- extensions: how long ----------------------------------------------------------------------


def test_a_24_month_task_is_extended_by_six_months_and_not_one_day_more(task, researcher):
    assert not is_long_task(task)
    six = datetime.date(task.ends_on.year + 1, 6, 30)  # 31/12 + 6 months
    assert extension_window(task)["latest"] == six
    message = refused(lambda: extension(task, researcher, six + DAY), "new_ends_on")
    assert "tối đa 6 tháng" in message and six.strftime("%d/%m/%Y") in message
    seven = datetime.date(task.ends_on.year + 1, 7, 31)
    refused(lambda: extension(task, researcher, seven), "new_ends_on")
    assert not task.changes.exists()
    change = extension(task, researcher, six)
    assert change.state == "requested" and change.new_ends_on == six


def test_a_25_month_task_is_extended_by_twelve_months_and_not_thirteen(long_task, researcher):
    assert is_long_task(long_task)
    assert long_task.ends_on == add_months(long_task.starts_on, 25) - DAY
    twelve = add_months(long_task.ends_on + DAY, 12) - DAY
    thirteen = add_months(long_task.ends_on + DAY, 13) - DAY
    message = refused(lambda: extension(long_task, researcher, thirteen), "new_ends_on")
    assert "tối đa 12 tháng" in message
    refused(lambda: extension(long_task, researcher, twelve + DAY), "new_ends_on")
    assert extension(long_task, researcher, twelve).new_ends_on == twelve


def test_a_task_one_day_longer_than_24_months_is_a_long_task(funded, officer):
    contract = run_task(funded, months=25, preparer=officer, signer=officer)
    contract.original_ends_on = add_months(contract.starts_on, 24)  # one day over
    assert is_long_task(contract)
    contract.original_ends_on -= DAY  # exactly 24 months
    assert not is_long_task(contract)


def test_the_new_end_must_be_after_the_current_end(task, researcher):
    message = refused(lambda: extension(task, researcher, task.ends_on), "new_ends_on")
    assert "phải sau ngày kết thúc hiện tại" in message
    refused(lambda: extension(task, researcher, None), "new_ends_on")
    assert extension(task, researcher, task.ends_on + DAY).state == "requested"


# -- extensions: when ---------------------------------------------------------------------------


def test_an_extension_is_asked_exactly_a_month_before_the_end_and_not_a_day_later(task, researcher):
    last_day = datetime.date(task.ends_on.year, 11, 30)  # 31/12 − 1 month
    assert extension_window(task)["ask_by"] == last_day
    new_end = task.ends_on + datetime.timedelta(days=60)
    message = refused(
        lambda: extension(task, researcher, new_end, on=last_day + DAY), "new_ends_on"
    )
    assert "chậm nhất một tháng" in message and last_day.strftime("%d/%m/%Y") in message
    # late at night on the last day is still that day in An Giang
    with grants_workflow.clock(at(last_day, hour=23)):
        change = request_change(
            task, by=researcher, kind="extension", reason=REASON, new_ends_on=new_end
        )
    assert change.state == "requested"


# -- extensions: how many -----------------------------------------------------------------------


def test_a_second_extension_is_refused_pending_or_approved(task, researcher, manager):
    first = extension(task, researcher, task.ends_on + datetime.timedelta(days=90))
    message = refused(lambda: extension(task, researcher, task.ends_on + DAY), "kind")
    assert "đang chờ quyết định" in message
    approve_change(first, by=manager)
    task.refresh_from_db()
    message = refused(lambda: extension(task, researcher, task.ends_on + DAY), "kind")
    assert "đã được gia hạn một lần" in message
    assert task.changes.filter(kind="extension").count() == 1


def test_after_a_refused_extension_another_may_be_asked(task, researcher, manager):
    first = extension(task, researcher, task.ends_on + datetime.timedelta(days=90))
    refuse_change(first, by=manager, comment="Chưa đủ căn cứ.")
    assert extension(task, researcher, task.ends_on + DAY).state == "requested"


def test_an_approved_extension_moves_the_end_keeps_the_original_and_adds_the_reports(
    task, researcher, manager
):
    original = task.ends_on
    assert list(task.reports.values_list("number", flat=True)) == [1, 2, 3]
    new_end = datetime.date(original.year + 1, 6, 30)
    change = extension(task, researcher, new_end)
    approved = approve_change(change, by=manager, comment="Đồng ý gia hạn.")
    assert approved.state == "approved" and approved.decided_by == manager
    task.refresh_from_db()
    assert task.ends_on == new_end and task.original_ends_on == original
    fourth = task.reports.get(number=4)
    assert (fourth.period_start, fourth.period_end) == (
        datetime.date(original.year, 7, 1),
        original,
    )
    assert fourth.due_on == original + datetime.timedelta(days=15)
    assert ProgressReport.objects.filter(contract=task).count() == 4
    # the timeline: asked, then approved, with what changed
    entries = list(
        ProjectEntry.objects.filter(proposal=task.proposal, action__startswith="change_")
        .order_by("at", "pk")
        .values_list("action", "actor", "source", "target")
    )
    assert entries == [
        ("change_request", researcher.pk, "", "requested"),
        ("change_approve", manager.pk, "requested", "approved"),
    ]
    entry = ProjectEntry.objects.get(proposal=task.proposal, action="change_approve")
    assert entry.data["new_ends_on"] == new_end.isoformat()
    assert entry.data["ends_on"] == original.isoformat()
    assert entry.data["reports_added"] == [4]
    assert entry.comment == "Đồng ý gia hạn."


# -- reallocations ------------------------------------------------------------------------------


def test_the_approved_budget_by_category_adds_up_to_the_approved_amount(task):
    budget = approved_budget(task)
    assert sum(budget.values()) == task.approved_amount
    assert list(budget) == ["labour", "materials", "equipment", "travel", "services", "other"]


def test_the_approved_budget_is_scaled_to_a_decision_below_the_appraisal(task):
    appraised = approved_budget(task)
    Contract.objects.filter(pk=task.pk).update(approved_amount=1_000_000_001)
    task = Contract.objects.select_related("proposal").get(pk=task.pk)
    scaled = approved_budget(task)
    assert sum(scaled.values()) == 1_000_000_001
    assert scaled.keys() == appraised.keys()
    assert all(scaled[k] < appraised[k] for k in appraised)


def test_a_reallocation_must_add_up_to_zero(task, researcher):
    message = refused(
        lambda: ask(task, researcher, **moves(labour=-10_000_000, equipment=10_000_001)),
        "reallocation",
    )
    assert "phải bằng 0" in message and "1 ₫" in message
    refused(lambda: ask(task, researcher, **moves(labour=-10_000_000)), "reallocation")
    change = ask(task, researcher, **moves(labour=-10_000_000, equipment=10_000_000, travel=0))
    assert change.reallocation == {"labour": -10_000_000, "equipment": 10_000_000}


def test_a_reallocation_leaving_a_category_below_zero_is_refused(task, researcher):
    budget = approved_budget(task)
    other = budget["other"]
    message = refused(
        lambda: ask(task, researcher, **moves(other=-(other + 1), labour=other + 1)),
        "reallocation-other",
    )
    assert "bị âm" in message
    assert ask(task, researcher, **moves(other=-other, labour=other)).state == "requested"


def test_a_reallocation_below_what_the_reports_spent_is_refused(task, researcher):
    report = task.reports.get(number=1)
    ProgressReport.objects.filter(pk=report.pk).update(
        state="submitted", spending={"travel": 40_000_000}
    )
    travel = approved_budget(task)["travel"]
    assert reported_spending(task) == {"travel": 40_000_000}
    left = travel - 40_000_000
    message = refused(
        lambda: ask(task, researcher, **moves(travel=-(left + 1), labour=left + 1)),
        "reallocation-travel",
    )
    assert "40.000.000 ₫" in message
    assert ask(task, researcher, **moves(travel=-left, labour=left)).state == "requested"


def test_reallocations_move_at_most_a_tenth_of_the_approved_amount_over_the_contract(
    task, researcher, manager
):
    ceiling = task.approved_amount // 10
    refused(
        lambda: ask(task, researcher, **moves(labour=-(ceiling + 1), materials=ceiling + 1)),
        "reallocation",
    )
    first = ask(task, researcher, **moves(labour=-(ceiling - 5), materials=ceiling - 5))
    approve_change(first, by=manager)
    message = refused(lambda: ask(task, researcher, **moves(labour=-6, services=6)), "reallocation")
    assert "10 %" in message
    assert ask(task, researcher, **moves(labour=-5, services=5)).state == "requested"


def test_only_the_budget_categories_can_be_changed(task, researcher):
    # the appraisal's lines go with the dossier's
    Proposal.objects.get(pk=task.proposal_id).budget_lines.filter(category="other").delete()
    assert "other" not in approved_budget(task)
    refused(lambda: ask(task, researcher, **moves(other=5, labour=-5)), "reallocation")
    refused(lambda: ask(task, researcher, **moves(labour="5", travel=-5)), "reallocation-labour")


def test_an_approved_reallocation_changes_the_budget_the_reports_are_measured_against(
    task, researcher, manager
):
    before = approved_budget(task)
    change = ask(task, researcher, **moves(labour=-20_000_000, equipment=20_000_000))
    approve_change(change, by=manager)
    after = approved_budget(task)
    assert after["labour"] == before["labour"] - 20_000_000
    assert after["equipment"] == before["equipment"] + 20_000_000
    assert sum(after.values()) == sum(before.values())
    entry = ProjectEntry.objects.get(proposal=task.proposal, action="change_approve")
    assert entry.data["budget_before"] == before and entry.data["budget_after"] == after


# -- the principal investigator -----------------------------------------------------------------


def test_a_new_principal_investigator_is_named_and_is_someone_else(task, researcher, manager):
    refused(
        lambda: ask(task, researcher, kind="investigator", new_investigator="  "),
        "new_investigator",
    )
    message = refused(
        lambda: ask(task, researcher, kind="investigator", new_investigator="nguyễn  văn AN"),
        "new_investigator",
    )
    assert "đang là chủ nhiệm" in message
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị  Mai")
    approve_change(change, by=manager)
    task.refresh_from_db()
    assert task.principal_investigator == "Lê Thị Mai"


def test_a_reason_and_a_kind_are_required(task, researcher):
    refused(lambda: ask(task, researcher, kind="extension", new_ends_on=task.ends_on + DAY,
                        reason=" "), "reason")  # fmt: skip
    refused(lambda: ask(task, researcher, kind="budget"), "kind")


# -- who asks, who decides ---------------------------------------------------------------------


def test_only_the_principal_investigator_asks(task, officer, manager, user_by_email):
    for user in (officer, manager, user_by_email("researcher2@example.org")):
        with pytest.raises(PermissionDenied):
            ask(task, user, kind="investigator", new_investigator="Lê Thị Mai")
    assert not task.changes.exists()


def test_changes_are_asked_only_while_the_task_runs(task, researcher, manager):
    grants_workflow.terminate(task.proposal, by=manager, comment="Dừng theo đề nghị.")
    with pytest.raises(StateConflict):
        ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")


def test_only_a_manager_decides_and_the_investigator_is_not_one(task, researcher, officer):
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    for user in (officer, researcher):
        with pytest.raises(PermissionDenied):
            approve_change(change, by=user)
        with pytest.raises(PermissionDenied):
            refuse_change(change, by=user, comment="Không.")
    assert ChangeRequest.objects.get(pk=change.pk).state == "requested"


def test_refusing_needs_a_reason_and_a_decided_change_is_not_decided_again(
    task, researcher, manager
):
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    message = refused(lambda: refuse_change(change, by=manager, comment="  "), "comment")
    assert "lý do" in message
    refused_change = refuse_change(change, by=manager, comment="Người thay chưa đủ điều kiện.")
    assert refused_change.state == "refused"
    assert refused_change.decision_reason == "Người thay chưa đủ điều kiện."
    with pytest.raises(StateConflict):
        approve_change(change, by=manager)
    task.refresh_from_db()
    assert task.principal_investigator == "Nguyễn Văn An"
    assert ProjectEntry.objects.filter(proposal=task.proposal, action="change_refuse").count() == 1


def test_a_decision_rechecks_the_rules_under_the_lock(task, researcher, manager):
    """Spending reported between the request and the decision can make a reallocation
    impossible: the manager is then refused and nothing changes."""
    travel = approved_budget(task)["travel"]
    change = ask(task, researcher, **moves(travel=-(travel // 2), labour=travel // 2))
    ProgressReport.objects.filter(contract=task, number=1).update(
        state="submitted", spending={"travel": travel - 1}
    )
    refused(lambda: approve_change(change, by=manager), "reallocation-travel")
    assert ChangeRequest.objects.get(pk=change.pk).state == "requested"


# -- four-eyes ----------------------------------------------------------------------------------


@pytest.fixture
def preparer(db):
    return staff("preparer", roles.OFFICER, roles.MANAGER)


@pytest.fixture
def signer(db):
    return staff("signer", roles.OFFICER, roles.MANAGER)


@pytest.fixture
def dual(officer):
    """officer@example.org, who screened and ran the council of the demo's funded dossier,
    given the manager role too."""
    officer.groups.add(Group.objects.get(name=roles.MANAGER))
    return get_user_model().objects.get(pk=officer.pk)


@pytest.mark.parametrize(("party", "reason"), [
    ("preparer", PREPARED), ("signer", SIGNED), ("dual", SCREENED),
])  # fmt: skip
def test_a_manager_who_prepared_the_contract_or_the_dossier_decides_no_change(
    party, reason, funded, preparer, signer, dual, researcher, manager, client
):
    contract = run_task(funded, preparer=preparer, signer=signer)
    change = ask(contract, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    user = {"preparer": preparer, "signer": signer, "dual": dual}[party]
    reasons = change_four_eyes_problems(contract, user)["four_eyes"]
    assert str(reasons[0]).startswith(FOUR_EYES)
    assert any(reason in r for r in reasons[1:])
    if party != "dual":  # that step and nothing else
        assert len(reasons) == 2

    # the workflow function, both ways
    for decide in (
        lambda: approve_change(change, by=user),
        lambda: refuse_change(change, by=user, comment="Không đồng ý."),
    ):
        message = refused(decide, "four_eyes")
        assert reason in message

    # the page: refused with the reason, the text kept, nothing applied
    client.force_login(user)
    page = client.get(f"/proposals/{funded.pk}/changes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert reason in html and f"/changes/{change.pk}/decide/" not in html
    response = client.post(
        f"/proposals/{funded.pk}/changes/{change.pk}/decide/",
        {"decision": "refuse", "comment": "Ý kiến của tôi"},
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).state == "requested"
    assert not ProjectEntry.objects.filter(
        proposal=funded, action__in=["change_approve", "change_refuse"]
    ).exists()

    # a manager who prepared none of it decides
    assert change_four_eyes_problems(contract, manager) == {}
    client.force_login(manager)
    response = client.post(
        f"/proposals/{funded.pk}/changes/{change.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).state == "approved"


# -- the page -----------------------------------------------------------------------------------


def url(contract):
    return f"/proposals/{contract.proposal_id}/changes/"


def test_the_page_is_for_the_investigator_and_the_staff(task, client_as):
    for email, status in [
        ("researcher@example.org", 200),
        ("officer@example.org", 200),
        ("manager@example.org", 200),
        ("researcher2@example.org", 403),
        ("reviewer1@example.org", 403),
        ("business@example.org", 403),
    ]:
        assert client_as(email).get(url(task)).status_code == status, email
    assert client_as(None).get(url(task)).status_code == 302


def test_no_page_before_the_contract_is_signed(funded, officer, client_as):
    contracting.prepare(funded, officer, number="98/2026/HĐ-SKHCN", signed_on=timezone.localdate())
    assert (
        client_as("researcher@example.org").get(f"/proposals/{funded.pk}/changes/").status_code
        == 404
    )
    assert (
        client_as("researcher2@example.org").get(f"/proposals/{funded.pk}/changes/").status_code
        == 403
    )


def test_the_investigator_asks_on_the_page_and_the_managers_are_told(
    task, client_as, mailoutbox, django_capture_on_commit_callbacks, manager
):
    client = client_as("researcher@example.org")
    page = client.get(url(task)).content.decode()
    assert 'name="kind"' in page and "reallocation-labour" in page
    assert "/decide/" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(task),
            {"kind": "reallocation", "reason": REASON, "reallocation-labour": "-15.000.000",
             "reallocation-equipment": "+15 000 000", "reallocation-travel": ""},
        )  # fmt: skip
    assert response.status_code == 302
    change = task.changes.get()
    assert change.reallocation == {"labour": -15_000_000, "equipment": 15_000_000}
    assert change.requested_by.email == "researcher@example.org"
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert task.proposal.receipt_number in mailoutbox[0].subject
    html = client.get(url(task)).content.decode()
    assert "Đề nghị điều chỉnh" in html and "-15.000.000 ₫" in html and "+15.000.000 ₫" in html


@pytest.mark.parametrize(("label", "data", "field", "text"), [
    ("too long", {"kind": "extension", "new_ends_on": "@seven"}, "id_new_ends_on_error", "tối đa 6 tháng"),
    ("not after", {"kind": "extension", "new_ends_on": "@end"}, "id_new_ends_on_error", "phải sau"),
    ("bad date", {"kind": "extension", "new_ends_on": "31/02/2030"}, "id_new_ends_on_error", "dd/mm/yyyy"),
    ("not zero", {"kind": "reallocation", "reallocation-labour": "-5", "reallocation-travel": "6"},
     "reallocation", "phải bằng 0"),
    ("negative", {"kind": "reallocation", "reallocation-other": "@all_other", "reallocation-labour": "@plus_other"},
     "reallocation-other_error", "bị âm"),
    ("not a number", {"kind": "reallocation", "reallocation-labour": "năm triệu"},
     "reallocation-labour_error", "số đồng nguyên"),
    ("same person", {"kind": "investigator", "new_investigator": "Nguyễn Văn An"},
     "id_new_investigator_error", "đang là chủ nhiệm"),
    ("over a tenth", {"kind": "reallocation", "reallocation-labour": "@minus_tenth",
                      "reallocation-materials": "@plus_tenth"}, "reallocation", "10 %"),
    ("no name", {"kind": "investigator", "new_investigator": "   "},
     "id_new_investigator_error", "Nhập họ tên"),
    ("no kind", {}, "kind", "Chọn loại điều chỉnh"),
])  # fmt: skip
def test_a_refused_request_is_shown_by_the_field_with_the_text_kept(
    label, data, field, text, task, client_as
):
    other = approved_budget(task)["other"]
    fill = {"@seven": datetime.date(task.ends_on.year + 1, 7, 31).isoformat(),
            "@end": task.ends_on.isoformat(), "@all_other": str(-other - 1),
            "@plus_other": str(other + 1),
            "@minus_tenth": str(-(task.approved_amount // 10 + 1)),
            "@plus_tenth": str(task.approved_amount // 10 + 1)}  # fmt: skip
    data = {key: fill.get(value, value) for key, value in data.items()}
    client = client_as("researcher@example.org")
    response = client.post(url(task), {"reason": "Lý do <b>thật</b> dài", **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert text in html
    assert 'class="error-summary"' in html
    assert f'id="{field}"' in html or f'href="#{field}"' in html or field == "kind"
    assert "Lý do &lt;b&gt;thật&lt;/b&gt; dài" in html  # kept, and kept as text
    for value in data.values():
        assert value in html
    assert not task.changes.exists()


def test_an_extension_asked_too_late_on_the_page_is_refused(task, client_as):
    client = client_as("researcher@example.org")
    late = datetime.date(task.ends_on.year, 12, 1)
    with grants_workflow.clock(at(late)):
        response = client.post(
            url(task), {"kind": "extension", "reason": REASON,
                        "new_ends_on": (task.ends_on + DAY).isoformat()},
        )  # fmt: skip
    assert response.status_code == 400
    assert "chậm nhất một tháng" in response.content.decode()
    assert not task.changes.exists()


def test_a_second_extension_on_the_page_is_refused(task, researcher, manager, client_as):
    approve_change(extension(task, researcher, task.ends_on + DAY), by=manager)
    task.refresh_from_db()
    client = client_as("researcher@example.org")
    response = client.post(url(task), {"kind": "extension", "reason": REASON,
                                       "new_ends_on": (task.ends_on + DAY).isoformat()})  # fmt: skip
    assert response.status_code == 400
    assert "đã được gia hạn một lần" in response.content.decode()
    assert task.changes.count() == 1


def test_staff_do_not_ask_for_changes(task, client_as):
    for email in ("officer@example.org", "manager@example.org"):
        response = client_as(email).post(url(task), {"kind": "investigator", "reason": REASON,
                                                     "new_investigator": "Lê Thị Mai"})  # fmt: skip
        assert response.status_code == 403
    assert not task.changes.exists()


def test_a_manager_refuses_on_the_page_with_a_reason_and_the_investigator_is_told(
    task, researcher, client_as, mailoutbox, django_capture_on_commit_callbacks
):
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    client = client_as("manager@example.org")
    page = client.get(url(task)).content.decode()
    assert f"/changes/{change.pk}/decide/" in page
    decide = f"{url(task)}{change.pk}/decide/"
    response = client.post(decide, {"decision": "refuse", "comment": "  "})
    assert response.status_code == 400
    assert "Nêu lý do không chấp thuận" in response.content.decode()
    response = client.post(decide, {"decision": "maybe"})
    assert response.status_code == 400
    assert ChangeRequest.objects.get(pk=change.pk).state == "requested"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide, {"decision": "refuse", "comment": "Chưa có hồ sơ người thay."}
        )
    assert response.status_code == 302
    assert ChangeRequest.objects.get(pk=change.pk).state == "refused"
    assert [m.to for m in mailoutbox] == [[researcher.email]]
    assert "Chưa có hồ sơ người thay." in mailoutbox[0].body
    # decided: the second click is told so and changes nothing
    response = client.post(decide, {"decision": "approve"}, follow=True)
    assert "nên thao tác chưa được thực hiện" in response.content.decode()
    assert ChangeRequest.objects.get(pk=change.pk).state == "refused"
    task.refresh_from_db()
    assert task.principal_investigator == "Nguyễn Văn An"


def test_only_managers_decide_on_the_page(task, researcher, client_as):
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    decide = f"{url(task)}{change.pk}/decide/"
    for email in ("researcher@example.org", "officer@example.org"):
        client = client_as(email)
        assert f"/changes/{change.pk}/decide/" not in client.get(url(task)).content.decode()
        assert client.post(decide, {"decision": "approve"}).status_code == 403
    assert (
        client_as("researcher2@example.org").post(decide, {"decision": "approve"}).status_code
        == 403
    )
    assert client_as("manager@example.org").get(decide).status_code == 405
    assert ChangeRequest.objects.get(pk=change.pk).state == "requested"


def test_a_change_of_another_proposal_is_not_found_here(task, researcher, client_as):
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    other = Proposal.objects.filter(state="in_progress").exclude(pk=task.proposal_id).first()
    response = client_as("manager@example.org").post(
        f"/proposals/{other.pk}/changes/{change.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 404


def test_the_page_shows_the_history_of_the_changes(task, researcher, manager, client_as):
    change = ask(task, researcher, kind="investigator", new_investigator="Lê Thị Mai")
    approve_change(change, by=manager, comment="Đồng ý thay chủ nhiệm.")
    html = client_as("officer@example.org").get(url(task)).content.decode()
    history = html.split('id="history-heading"')[1]
    assert "Đề nghị điều chỉnh (điều chỉnh" in history
    assert "Chấp thuận điều chỉnh" in history and "Đồng ý thay chủ nhiệm." in history
    assert "Lê Thị Mai" in html


def test_a_request_without_a_reason_is_refused_on_the_page(task, client_as):
    response = client_as("researcher@example.org").post(
        url(task), {"kind": "investigator", "reason": " ", "new_investigator": "Lê Thị Mai"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nêu lý do cần điều chỉnh" in html and 'value="Lê Thị Mai"' in html
    assert not task.changes.exists()


def test_a_reallocation_below_the_reported_spending_is_refused_on_the_page(task, client_as):
    ProgressReport.objects.filter(contract=task, number=1).update(
        state="accepted", spending={"travel": 80_000_000}
    )
    travel = approved_budget(task)["travel"]
    move = travel - 80_000_000 + 1
    response = client_as("researcher@example.org").post(
        url(task), {"kind": "reallocation", "reason": REASON, "reallocation-travel": str(-move),
                    "reallocation-labour": str(move)},
    )  # fmt: skip
    assert response.status_code == 400
    assert "80.000.000 ₫" in response.content.decode()
    assert not task.changes.exists()


def test_no_request_once_the_task_has_stopped(task, manager, client_as):
    grants_workflow.terminate(task.proposal, by=manager, comment="Dừng theo đề nghị.")
    client = client_as("researcher@example.org")
    assert 'name="kind"' not in client.get(url(task)).content.decode()
    response = client.post(
        url(task),
        {"kind": "investigator", "reason": REASON, "new_investigator": "Lê Thị Mai"},
        follow=True,
    )
    assert "chỉ đề nghị điều chỉnh khi nhiệm vụ đang thực hiện" in response.content.decode()
    assert not task.changes.exists()


def test_a_decision_the_rules_no_longer_allow_is_refused_on_the_page(task, researcher, client_as):
    travel = approved_budget(task)["travel"]
    change = ask(task, researcher, **moves(travel=-(travel // 2), labour=travel // 2))
    ProgressReport.objects.filter(contract=task, number=1).update(
        state="submitted", spending={"travel": travel - 1}
    )
    response = client_as("manager@example.org").post(
        f"{url(task)}{change.pk}/decide/", {"decision": "approve", "comment": "Đồng ý."}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Các báo cáo đã ghi nhận chi" in html and ">Đồng ý.</textarea>" in html
    assert f'href="#decide-{change.pk}"' in html
    assert ChangeRequest.objects.get(pk=change.pk).state == "requested"
