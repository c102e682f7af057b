"""The acceptance dossier (Circular 11/2014): the investigator writes it (autosaved, with files)
and submits it; an officer who takes no part returns it with the reason; after the council's
verdict an officer records the acceptance (pass / excellent) or a manager terminates a failed
task with its refund obligation, in the same transaction as `grants.workflow.terminate`."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from grants import workflow as grants_workflow
from grants.models import AuditEntry, Proposal
from projects import acceptance as steps
from projects import termination
from projects.models import (
    Acceptance,
    AcceptanceAttachment,
    AcceptanceSeat,
    Contract,
    ProgressReport,
    ProjectEntry,
)
from projects.reports import return_report
from projects.tranches import release_tranche
from tests.projects import contracting
from tests.projects.accepting import complete_values, decide, fill, submit
from tests.samples import pdf

pytestmark = pytest.mark.django_db

INVESTIGATOR = "researcher@example.org"
OTHER = "researcher2@example.org"
OFFICER = "officer@example.org"
MANAGER = "manager@example.org"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def researcher(user_by_email):
    return user_by_email(INVESTIGATOR)


@pytest.fixture
def other(user_by_email):
    return user_by_email(OTHER)


@pytest.fixture
def officer(user_by_email):
    return user_by_email(OFFICER)


@pytest.fixture
def manager(user_by_email):
    return user_by_email(MANAGER)


@pytest.fixture
def funded(researcher):
    proposal = Proposal.objects.filter(owner=researcher, state="funded").order_by("pk").first()
    if (proposal.duration_months or 0) < 24:
        Proposal.objects.filter(pk=proposal.pk).update(duration_months=24)
    return Proposal.objects.get(pk=proposal.pk)


@pytest.fixture
def task(funded, officer):
    """researcher@'s funded demo dossier, its contract signed today: the task starts in a
    month, so none of its three progress reports has a period that ended yet."""
    contracting.sign(funded, officer, number="77/2026/HĐ-NT")
    return Contract.objects.select_related("proposal").get(proposal=funded)


@pytest.fixture
def acceptance(task):
    return steps.acceptance_for(task)


@pytest.fixture
def submitted(acceptance, researcher):
    return submit(acceptance, researcher)


def fresh(acceptance):
    return Acceptance.objects.select_related("contract__proposal").get(pk=acceptance.pk)


def page(proposal, name="project_acceptance"):
    return reverse(name, args=[proposal.pk if hasattr(proposal, "pk") else proposal])


def posted(values):
    """The dossier as the page's form posts it."""
    data = {
        "final_report": values["final_report"],
        "self_evaluation": values["self_evaluation"],
        "self_evaluation_note": values["self_evaluation_note"],
    }
    for pk, entry in values["results"].items():
        for part, text in entry.items():
            data[f"{part}-{pk}"] = text
    return data


def release_all(task, officer):
    """The Treasury pays the contract's one tranche (the whole approved amount)."""
    tranche = task.tranches.get(position=1)
    release_tranche(
        tranche, by=officer, payment_order_number="UNC-NT-1",
        payment_order_date=timezone.localdate(),
    )  # fmt: skip
    return Contract.objects.get(pk=task.pk)


# -- acceptance_for -------------------------------------------------------------------------------


def test_acceptance_for_opens_one_draft_for_a_signed_running_task(task):
    first = steps.acceptance_for(task)
    assert first.state == "draft" and first.contract_id == task.pk
    assert steps.acceptance_for(task).pk == first.pk
    assert Acceptance.objects.filter(contract=task).count() == 1


def test_acceptance_for_refuses_a_contract_not_signed(funded, officer):
    contract = contracting.prepare(funded, officer, number="78/2026/HĐ-NT")
    with pytest.raises(steps.StateConflict):
        steps.acceptance_for(contract)
    assert not Acceptance.objects.filter(contract=contract).exists()


def test_acceptance_for_opens_none_on_a_terminated_task_but_keeps_an_existing_one(task, manager):
    grants_workflow.terminate(task.proposal, by=manager, comment="Chủ nhiệm nghỉ việc.")
    with pytest.raises(steps.StateConflict):
        steps.acceptance_for(task)
    kept = Acceptance.objects.create(contract=task)
    assert steps.acceptance_for(task).pk == kept.pk


# -- the draft ------------------------------------------------------------------------------------


def test_the_investigator_saves_a_partial_draft_and_unknown_products_are_dropped(
    acceptance, researcher
):
    saved = steps.save_acceptance_draft(
        acceptance,
        by=researcher,
        values={"final_report": "  Bản thảo.  ", "results": {"999999": {"quantity": "x"}}},
    )
    assert saved.final_report == "Bản thảo." and saved.results == {}
    assert saved.state == "draft"
    assert not ProjectEntry.objects.filter(
        proposal_id=acceptance.contract.proposal_id, action__startswith="acceptance_"
    ).exists()


@pytest.mark.parametrize("who", [OTHER, OFFICER, MANAGER])
def test_only_the_investigator_writes_the_draft(acceptance, user_by_email, who):
    with pytest.raises(PermissionDenied):
        fill(acceptance, user_by_email(who))
    assert fresh(acceptance).final_report == ""


@pytest.mark.parametrize(
    ("key", "limit"),
    [("final_report", steps.FINAL_REPORT_LIMIT), ("self_evaluation_note", steps.NOTE_LIMIT)],
)
def test_texts_at_their_limit_are_kept_and_one_character_more_is_refused(
    acceptance, researcher, key, limit
):
    fill(acceptance, researcher, **{key: "a" * limit})
    assert len(getattr(fresh(acceptance), key)) == limit
    with pytest.raises(steps.GuardFailed) as refused:
        fill(acceptance, researcher, **{key: "b" * (limit + 1)})
    assert list(refused.value.errors) == [key]
    assert getattr(fresh(acceptance), key) == "a" * limit  # nothing was saved


def test_a_product_result_one_character_too_long_is_refused_by_its_field(acceptance, researcher):
    values = complete_values(acceptance)
    pk = next(iter(values["results"]))
    values["results"][pk]["quality"] = "q" * steps.TEXT_LIMIT
    steps.save_acceptance_draft(acceptance, by=researcher, values=values)
    values["results"][pk]["quality"] = "q" * (steps.TEXT_LIMIT + 1)
    with pytest.raises(steps.GuardFailed) as refused:
        steps.save_acceptance_draft(acceptance, by=researcher, values=values)
    assert list(refused.value.errors) == [f"quality-{pk}"]


def test_a_grade_that_is_not_the_circulars_is_refused(acceptance, researcher):
    with pytest.raises(steps.GuardFailed) as refused:
        fill(acceptance, researcher, self_evaluation="good")
    assert list(refused.value.errors) == ["self_evaluation"]


def test_a_submitted_dossier_is_no_longer_a_draft(submitted, researcher):
    with pytest.raises(steps.StateConflict):
        fill(submitted, researcher, final_report="Sửa sau khi nộp.")
    assert fresh(submitted).final_report != "Sửa sau khi nộp."


# -- submitting: every guard on its own ------------------------------------------------------------


def test_a_complete_dossier_is_submitted_with_its_trail_and_the_officers_told(
    acceptance, researcher, django_capture_on_commit_callbacks
):
    fill(acceptance, researcher)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = steps.submit_acceptance(acceptance, by=researcher, ip="203.162.4.1")
    assert done.state == "submitted" and done.submitted_at is not None
    entry = ProjectEntry.objects.get(
        proposal=acceptance.contract.proposal, action="acceptance_submit"
    )
    assert (entry.source, entry.target, entry.actor, entry.ip) == (
        "draft", "submitted", researcher, "203.162.4.1",
    )  # fmt: skip
    assert entry.data["self_evaluation"] == "pass"
    assert len(mail.outbox) == 1 and OFFICER in mail.outbox[0].to
    assert "Hồ sơ đánh giá nghiệm thu" in mail.outbox[0].subject


def _blank_result(acceptance, part):
    values = complete_values(acceptance)
    pk = next(iter(values["results"]))
    values["results"][pk][part] = "  "
    return {"results": values["results"]}, f"{part}-{pk}"


@pytest.mark.parametrize(
    "missing",
    ["final_report", "quantity", "quality", "self_evaluation", "self_evaluation_note"],
)
def test_each_missing_part_alone_keeps_the_dossier_back(acceptance, researcher, missing):
    if missing in ("quantity", "quality"):
        changes, key = _blank_result(acceptance, missing)
    else:
        changes, key = {missing: ""}, missing
    fill(acceptance, researcher, **changes)
    with pytest.raises(steps.GuardFailed) as refused:
        steps.submit_acceptance(acceptance, by=researcher)
    assert list(refused.value.errors) == [key]
    assert fresh(acceptance).state == "draft"
    assert not ProjectEntry.objects.filter(
        proposal_id=acceptance.contract.proposal_id, action="acceptance_submit"
    ).exists()


def test_the_note_of_a_product_is_optional(acceptance, researcher):
    values = complete_values(acceptance)
    for entry in values["results"].values():
        entry["note"] = ""
    assert submit(acceptance, researcher, results=values["results"]).state == "submitted"


def _report(task, number=1):
    return ProgressReport.objects.get(contract=task, number=number)


def test_a_report_waiting_for_the_department_keeps_the_dossier_back(task, acceptance, researcher):
    contracting.submit_report(_report(task), researcher)
    fill(acceptance, researcher)
    with pytest.raises(steps.GuardFailed) as refused:
        steps.submit_acceptance(acceptance, by=researcher)
    assert list(refused.value.errors) == ["reports"]
    assert "Báo cáo tiến độ 1" in refused.value.errors["reports"][0]


def test_a_returned_report_keeps_the_dossier_back(task, acceptance, researcher, officer):
    report = contracting.submit_report(_report(task), researcher)
    return_report(report, by=officer, comment="Bổ sung chứng từ.")
    fill(acceptance, researcher)
    with pytest.raises(steps.GuardFailed) as refused:
        steps.submit_acceptance(acceptance, by=researcher)
    assert list(refused.value.errors) == ["reports"]


def test_an_accepted_report_lets_the_dossier_go(task, acceptance, researcher, officer):
    report = _report(task)
    ProgressReport.objects.filter(pk=report.pk).update(period_end=timezone.localdate() - DAY)
    contracting.accept_report(report, researcher, officer)
    assert submit(acceptance, researcher).state == "submitted"


@pytest.mark.parametrize(("ended", "refused"), [(-DAY, True), (datetime.timedelta(0), False)])
def test_a_draft_report_counts_once_its_period_has_ended(
    task, acceptance, researcher, ended, refused
):
    """Its period ended yesterday: it should have been reported. It ends today: the dossier
    covers it (the task delivers early)."""
    report = _report(task)
    ProgressReport.objects.filter(pk=report.pk).update(period_end=timezone.localdate() + ended)
    fill(acceptance, researcher)
    if refused:
        with pytest.raises(steps.GuardFailed) as failure:
            steps.submit_acceptance(acceptance, by=researcher)
        assert list(failure.value.errors) == ["reports"]
    else:
        assert steps.submit_acceptance(acceptance, by=researcher).state == "submitted"


def test_a_task_no_longer_in_progress_is_not_submitted(acceptance, researcher, manager):
    fill(acceptance, researcher)
    grants_workflow.terminate(acceptance.contract.proposal, by=manager, comment="Dừng.")
    with pytest.raises(steps.GuardFailed) as refused:
        steps.submit_acceptance(acceptance, by=researcher)
    assert list(refused.value.errors) == ["state"]


@pytest.mark.parametrize("who", [OTHER, OFFICER, MANAGER])
def test_only_the_investigator_submits(acceptance, researcher, user_by_email, who):
    fill(acceptance, researcher)
    with pytest.raises(PermissionDenied):
        steps.submit_acceptance(acceptance, by=user_by_email(who))
    assert fresh(acceptance).state == "draft"


# -- returning and resubmitting -------------------------------------------------------------------


def test_the_officer_returns_it_and_the_investigator_corrects_and_resubmits(
    submitted, researcher, officer, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        returned = steps.return_acceptance(submitted, by=officer, reason="Thiếu biên bản đo.")
    assert returned.state == "returned" and returned.return_reason == "Thiếu biên bản đo."
    assert [m.to for m in mail.outbox] == [[INVESTIGATOR]]
    assert "Thiếu biên bản đo." in mail.outbox[0].body
    entry = ProjectEntry.objects.get(
        proposal_id=submitted.contract.proposal_id, action="acceptance_return_dossier"
    )
    assert (entry.source, entry.target, entry.comment) == (
        "submitted", "returned", "Thiếu biên bản đo.",
    )  # fmt: skip
    again = submit(returned, researcher, final_report="Đã bổ sung biên bản đo.")
    assert again.state == "submitted" and again.return_reason == ""
    assert fresh(again).final_report == "Đã bổ sung biên bản đo."


def test_returning_needs_the_reason(submitted, officer):
    with pytest.raises(steps.GuardFailed) as refused:
        steps.return_acceptance(submitted, by=officer, reason="   ")
    assert list(refused.value.errors) == ["reason"]
    assert fresh(submitted).state == "submitted"


@pytest.mark.parametrize("who", [INVESTIGATOR, OTHER, MANAGER])
def test_only_an_officer_returns(submitted, user_by_email, who):
    with pytest.raises(PermissionDenied):
        steps.return_acceptance(submitted, by=user_by_email(who), reason="Thiếu.")


def test_an_officer_who_takes_part_does_not_return(submitted, officer, client_as):
    proposal = submitted.contract.proposal
    proposal.team.create(full_name="Huỳnh Thanh Tâm", organisation_name="Sở", user=officer)
    with pytest.raises(PermissionDenied):
        steps.return_acceptance(submitted, by=officer, reason="Thiếu.")
    response = client_as(OFFICER).post(page(proposal, "project_acceptance_return"), {"reason": "x"})
    assert response.status_code == 403
    assert fresh(submitted).state == "submitted"


def test_a_dossier_of_a_task_no_longer_running_is_not_returned(submitted, officer, manager):
    grants_workflow.terminate(submitted.contract.proposal, by=manager, comment="Dừng.")
    with pytest.raises(steps.GuardFailed) as refused:
        steps.return_acceptance(submitted, by=officer, reason="Thiếu.")
    assert list(refused.value.errors) == ["state"]
    assert fresh(submitted).state == "submitted"


def test_a_draft_is_not_returned(acceptance, officer):
    with pytest.raises(steps.StateConflict):
        steps.return_acceptance(acceptance, by=officer, reason="Thiếu.")


# -- accepting the results ------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", ["pass", "excellent"])
def test_accept_results_after_a_passing_verdict_completes_the_task(submitted, officer, verdict):
    decided = decide(submitted, verdict)
    done = grants_workflow.accept_results(decided.contract.proposal, by=officer)
    assert done.state == "completed"


@pytest.mark.parametrize("verdict", ["fail", ""])
def test_accept_results_is_refused_on_fail_or_no_verdict(submitted, officer, verdict, client_as):
    proposal = (decide(submitted, verdict) if verdict else submitted).contract.proposal
    with pytest.raises(grants_workflow.GuardFailed) as refused:
        grants_workflow.accept_results(proposal, by=officer)
    assert list(refused.value.errors) == ["verdict"]
    response = client_as(OFFICER).post(page(proposal, "project_acceptance_accept"))
    assert response.status_code == 400
    assert refused.value.errors["verdict"][0] in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == "in_progress"


def test_the_officer_accepts_through_the_page(submitted, client_as):
    proposal = decide(submitted, "pass").contract.proposal
    client = client_as(OFFICER)
    shown = client.get(page(proposal)).content.decode()
    assert "Nghiệm thu kết quả" in shown and 'id="refund_amount"' not in shown
    response = client.post(page(proposal, "project_acceptance_accept"))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).state == "completed"
    assert AuditEntry.objects.filter(proposal=proposal, transition="accept_results").exists()


@pytest.mark.parametrize("who", [INVESTIGATOR, OTHER, MANAGER])
def test_only_an_officer_accepts_through_the_page(submitted, client_as, who):
    proposal = decide(submitted, "pass").contract.proposal
    response = client_as(who).post(page(proposal, "project_acceptance_accept"))
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).state == "in_progress"


# -- terminating with the refund ------------------------------------------------------------------


@pytest.fixture
def failed(submitted, officer):
    release_all(submitted.contract, officer)
    return decide(submitted, "fail")


def _terminate(acceptance, by, **given):
    params = {
        "reason": "Kết quả không đạt theo kết luận của hội đồng nghiệm thu.",
        "refund_amount": acceptance.contract.released_amount,
        "refund_note": "Hoàn trả vào tài khoản của Sở trong 30 ngày.",
    } | given
    return termination.terminate_after_failure(acceptance, by=by, **params)


@pytest.mark.parametrize("below", [0, 1])
def test_a_refund_up_to_exactly_what_was_released_terminates_the_task(failed, manager, below):
    released = Contract.objects.get(pk=failed.contract_id).released_amount
    assert released > 0
    done = _terminate(failed, manager, refund_amount=released - below, ip="10.1.1.1")
    assert done.state == "terminated"
    kept = fresh(failed)
    assert kept.refund_amount == released - below
    assert kept.refund_note == "Hoàn trả vào tài khoản của Sở trong 30 ngày."
    audit = AuditEntry.objects.get(proposal=done, transition="terminate")
    assert audit.data["refund_amount"] == released - below and audit.actor == manager
    entry = ProjectEntry.objects.get(proposal=done, action="acceptance_refund")
    assert entry.data == {
        "refund_amount": released - below, "released_amount": released, "verdict": "fail",
    }  # fmt: skip


def test_a_refund_above_what_was_released_is_refused_and_nothing_happens(failed, manager):
    released = Contract.objects.get(pk=failed.contract_id).released_amount
    with pytest.raises(steps.GuardFailed) as refused:
        _terminate(failed, manager, refund_amount=released + 1)
    assert list(refused.value.errors) == ["refund_amount"]
    assert Proposal.objects.get(pk=failed.contract.proposal_id).state == "in_progress"
    assert fresh(failed).refund_amount is None
    assert not AuditEntry.objects.filter(proposal_id=failed.contract.proposal_id,
                                         transition="terminate").exists()  # fmt: skip


def test_a_refund_typed_with_dots_is_read_as_whole_dong(failed, manager):
    _terminate(failed, manager, refund_amount="1.500.000")
    assert fresh(failed).refund_amount == 1_500_000


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ({"reason": " "}, "comment"),
        ({"refund_amount": ""}, "refund_amount"),
        ({"refund_amount": "-5"}, "refund_amount"),
        ({"refund_amount": "nhiều"}, "refund_amount"),
        ({"refund_note": ""}, "refund_note"),
    ],
)
def test_each_part_of_the_termination_is_required(failed, manager, given, key):
    with pytest.raises(steps.GuardFailed) as refused:
        _terminate(failed, manager, **given)
    assert list(refused.value.errors) == [key]


@pytest.mark.parametrize("verdict", ["pass", "excellent"])
def test_a_task_that_passed_is_not_terminated_with_a_refund(submitted, manager, verdict):
    decided = decide(submitted, verdict)
    with pytest.raises(steps.GuardFailed) as refused:
        _terminate(decided, manager, refund_amount=0)
    assert list(refused.value.errors) == ["verdict"]


def test_a_dossier_without_verdict_is_not_terminated_with_a_refund(submitted, manager):
    with pytest.raises(steps.GuardFailed) as refused:
        _terminate(submitted, manager, refund_amount=0)
    assert list(refused.value.errors) == ["verdict"]


@pytest.mark.parametrize("who", [INVESTIGATOR, OTHER, OFFICER])
def test_only_a_manager_terminates(failed, user_by_email, who, client_as):
    with pytest.raises(PermissionDenied):
        _terminate(failed, user_by_email(who))
    response = client_as(who).post(
        page(failed.contract.proposal_id, "project_acceptance_terminate"),
        {"comment": "Dừng.", "refund_amount": "0", "refund_note": "Không."},
    )
    assert response.status_code == 403
    assert Proposal.objects.get(pk=failed.contract.proposal_id).state == "in_progress"


def test_the_generic_terminate_points_to_the_acceptance_page_after_a_fail(failed, manager):
    with pytest.raises(grants_workflow.GuardFailed) as refused:
        grants_workflow.terminate(failed.contract.proposal, by=manager, comment="Dừng.")
    assert list(refused.value.errors) == ["verdict"]


def test_the_generic_terminate_of_a_running_task_still_works(task, manager):
    done = grants_workflow.terminate(task.proposal, by=manager, comment="Chủ nhiệm nghỉ việc.")
    assert done.state == "terminated"


def test_the_manager_terminates_through_the_page_and_an_excess_keeps_the_text(failed, client_as):
    proposal = failed.contract.proposal
    released = Contract.objects.get(pk=failed.contract_id).released_amount
    client = client_as(MANAGER)
    assert 'id="refund_amount"' in client.get(page(proposal)).content.decode()
    typed = {"comment": "Không đạt yêu cầu.", "refund_note": "Hoàn trả trong 30 ngày."}
    response = client.post(
        page(proposal, "project_acceptance_terminate"),
        typed | {"refund_amount": str(released + 1)},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Số tiền hoàn trả không được vượt quá" in body
    assert "Không đạt yêu cầu." in body and "Hoàn trả trong 30 ngày." in body
    assert f'value="{released + 1}"' in body
    response = client.post(
        page(proposal, "project_acceptance_terminate"), typed | {"refund_amount": str(released)}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).state == "terminated"
    assert fresh(failed).refund_amount == released
    assert "Hoàn trả trong 30 ngày." in client.get(page(proposal)).content.decode()


# -- the page -------------------------------------------------------------------------------------


def test_the_investigator_sees_the_form_and_others_are_refused(acceptance, client_as):
    proposal = acceptance.contract.proposal
    mine = client_as(INVESTIGATOR).get(page(proposal))
    assert mine.status_code == 200
    body = mine.content.decode()
    assert 'id="final_report"' in body and "data-autosave" in body
    assert "Nộp hồ sơ đánh giá nghiệm thu" in body
    assert client_as(OTHER).get(page(proposal)).status_code == 403
    assert client_as("reviewer5@example.org").get(page(proposal)).status_code == 403


@pytest.mark.parametrize("who", [OFFICER, MANAGER])
def test_staff_read_the_dossier_only_once_it_was_submitted(acceptance, researcher, client_as, who):
    proposal = acceptance.contract.proposal
    fill(acceptance, researcher, final_report="Nội dung nháp riêng của chủ nhiệm.")
    draft = client_as(who).get(page(proposal)).content.decode()
    assert "Nội dung nháp riêng" not in draft and 'id="final_report"' not in draft
    assert "Chủ nhiệm nhiệm vụ chưa nộp hồ sơ" in draft
    steps.submit_acceptance(acceptance, by=researcher)
    shown = client_as(who).get(page(proposal)).content.decode()
    assert "Nội dung nháp riêng của chủ nhiệm." in shown and 'id="final_report"' not in shown
    assert ('id="reason"' in shown) == (who == OFFICER)  # the return form: officers only


def test_a_seated_council_member_reads_the_dossier(submitted, user_by_email, client_as):
    proposal = submitted.contract.proposal
    member = user_by_email("reviewer5@example.org")
    seat = AcceptanceSeat.objects.create(acceptance=submitted, member=member, status="invited")
    assert client_as("reviewer5@example.org").get(page(proposal)).status_code == 403
    AcceptanceSeat.objects.filter(pk=seat.pk).update(status="accepted")
    response = client_as("reviewer5@example.org").get(page(proposal))
    assert response.status_code == 200
    assert submitted.final_report in response.content.decode()


def test_no_page_before_the_contract_is_signed(funded, client_as):
    assert client_as(INVESTIGATOR).get(page(funded)).status_code == 404
    assert client_as(OTHER).get(page(funded)).status_code == 403


def test_the_page_saves_the_draft_and_autosaves(acceptance, client_as):
    proposal = acceptance.contract.proposal
    client = client_as(INVESTIGATOR)
    data = posted(complete_values(acceptance))
    response = client.post(page(proposal), data)
    assert response.status_code == 302
    assert fresh(acceptance).final_report == data["final_report"]
    response = client.post(page(proposal), data | {"final_report": "Tự lưu."}, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 200 and response.json()["saved"] is True
    assert fresh(acceptance).final_report == "Tự lưu."
    too_long = data | {"final_report": "x" * (steps.FINAL_REPORT_LIMIT + 1)}
    response = client.post(page(proposal), too_long, HTTP_X_AUTOSAVE="1")
    assert response.status_code == 400 and "final_report" in response.json()["errors"]
    assert fresh(acceptance).final_report == "Tự lưu."


@pytest.mark.parametrize("who", [OTHER, OFFICER])
def test_a_post_from_anyone_else_is_refused(acceptance, client_as, who):
    proposal = acceptance.contract.proposal
    response = client_as(who).post(page(proposal), {"final_report": "Chen ngang."})
    assert response.status_code == 403
    assert fresh(acceptance).final_report == ""


def test_submitting_through_the_page_shows_what_is_missing_by_the_field_and_keeps_the_text(
    acceptance, client_as
):
    proposal = acceptance.contract.proposal
    data = posted(complete_values(acceptance)) | {"self_evaluation": "", "final_report": "Đã làm."}
    response = client_as(INVESTIGATOR).post(page(proposal, "project_acceptance_submit"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#self_evaluation"' in body and 'id="self_evaluation_error"' in body
    assert "Hãy chọn kết quả tự đánh giá" in body
    assert ">Đã làm.</textarea>" in body
    assert fresh(acceptance).state == "draft" and fresh(acceptance).final_report == "Đã làm."


def test_submitting_through_the_page(acceptance, client_as):
    proposal = acceptance.contract.proposal
    response = client_as(INVESTIGATOR).post(
        page(proposal, "project_acceptance_submit"), posted(complete_values(acceptance))
    )
    assert response.status_code == 302
    assert fresh(acceptance).state == "submitted"
    body = client_as(INVESTIGATOR).get(page(proposal)).content.decode()
    assert 'id="final_report"' not in body and "Đã nộp" in body


def test_a_stranger_cannot_submit_through_the_page(acceptance, researcher, client_as):
    fill(acceptance, researcher)
    response = client_as(OTHER).post(
        page(acceptance.contract.proposal, "project_acceptance_submit"),
        posted(complete_values(acceptance)),
    )
    assert response.status_code == 403
    assert fresh(acceptance).state == "draft"


def test_returning_through_the_page_needs_the_reason_and_keeps_nothing_lost(submitted, client_as):
    proposal = submitted.contract.proposal
    client = client_as(OFFICER)
    response = client.post(page(proposal, "project_acceptance_return"), {"reason": " "})
    assert response.status_code == 400
    assert "Hãy ghi những nội dung hồ sơ cần chỉnh sửa." in response.content.decode()
    response = client.post(
        page(proposal, "project_acceptance_return"), {"reason": "Thiếu số liệu."}
    )
    assert response.status_code == 302 and fresh(submitted).state == "returned"
    body = client_as(INVESTIGATOR).get(page(proposal)).content.decode()
    assert "Thiếu số liệu." in body and 'id="final_report"' in body


@pytest.mark.parametrize("who", [INVESTIGATOR, MANAGER])
def test_returning_through_the_page_is_for_officers(submitted, client_as, who):
    response = client_as(who).post(
        page(submitted.contract.proposal, "project_acceptance_return"), {"reason": "Thiếu."}
    )
    assert response.status_code == 403
    assert fresh(submitted).state == "submitted"


# -- files ----------------------------------------------------------------------------------------


def test_files_are_attached_read_and_removed_while_the_dossier_is_a_draft(
    acceptance, researcher, client_as
):
    proposal = acceptance.contract.proposal
    client = client_as(INVESTIGATOR)
    response = client.post(
        page(proposal),
        {"action": "upload", "label": "Biên bản đo đạc", "file": pdf("bien-ban.pdf")},
    )
    assert response.status_code == 302
    attachment = AcceptanceAttachment.objects.get(acceptance=acceptance)
    url = reverse("project_acceptance_attachment", args=[proposal.pk, attachment.pk])
    assert client.get(url).status_code == 200
    assert client_as(OFFICER).get(url).status_code == 403  # a draft's files are the investigator's
    response = client_as(INVESTIGATOR).post(
        page(proposal), {"action": "remove", "attachment": str(attachment.pk)}
    )
    assert response.status_code == 302
    assert not AcceptanceAttachment.objects.filter(pk=attachment.pk).exists()


def test_an_upload_without_label_or_file_is_refused_by_the_field(acceptance, client_as):
    response = client_as(INVESTIGATOR).post(
        page(acceptance.contract.proposal), {"action": "upload", "label": ""}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="upload-label_error"' in body and 'id="upload-file_error"' in body


def test_files_of_a_submitted_dossier_are_read_by_staff_and_no_longer_changed(
    acceptance, researcher, client_as
):
    attachment = steps.add_acceptance_attachment(
        acceptance, pdf("ket-qua.pdf"), by=researcher, label="Kết quả thử nghiệm"
    )
    submit(acceptance, researcher)
    url = reverse(
        "project_acceptance_attachment", args=[acceptance.contract.proposal_id, attachment.pk]
    )
    assert client_as(OFFICER).get(url).status_code == 200
    assert client_as(OTHER).get(url).status_code == 403
    with pytest.raises(steps.StateConflict):
        steps.add_acceptance_attachment(fresh(acceptance), pdf(), by=researcher, label="Thêm")
    with pytest.raises(steps.StateConflict):
        steps.remove_acceptance_attachment(attachment, by=researcher)


def test_only_the_investigator_attaches(acceptance, other):
    with pytest.raises(PermissionDenied):
        steps.add_acceptance_attachment(acceptance, pdf(), by=other, label="Của người khác")


# -- the way there ----------------------------------------------------------------------------------


def test_the_contract_and_reports_pages_link_to_the_acceptance(task, client_as):
    client = client_as(INVESTIGATOR)
    link = f'href="{page(task.proposal)}"'
    assert link in client.get(reverse("project_contract", args=[task.proposal_id])).content.decode()
    assert link in client.get(reverse("project_reports", args=[task.proposal_id])).content.decode()
