"""Every state of every machine is reachable in the browser by the role DESIGN.md gives it.

For each transition of each state machine, the test takes a record of the seeded demo in the
transition's source state, opens the page its role works on, and looks for the form (and the
button) that fires it, enabled. It also checks that another signed-in party of the same record
is not offered that form ("a user sees and can fire only the transitions the table gives their
role"). Finally every state of every machine must be the target of at least one such screen,
or the state a creating form starts a record in. Steps the system takes on its own
(`mark_transferred`, after a deal completes or the results are accepted) are named as such.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django_fsm import FSMField

pytestmark = pytest.mark.django_db


def person(email):
    return lambda record: get_user_model().objects.get(email=email)


OFFICER, MANAGER = person("officer@example.org"), person("manager@example.org")
BUSINESS, ADMIN = person("business@example.org"), person("admin@example.org")
OWNER = lambda record: record.owner  # noqa: E731
INVESTIGATOR = lambda record: record.contract.proposal.owner  # noqa: E731
TECH_OWNER = lambda record: record.technology.owner  # noqa: E731
DEAL_BUSINESS = lambda record: record.business  # noqa: E731
MEMBER = lambda record: record.user  # noqa: E731


@dataclass
class Step:
    machine: str  # model label
    name: str  # transition
    source: str
    who: Callable
    page: Callable  # record -> path of the page the role works on
    action: Callable  # record -> path the form posts to
    choice: tuple = ()  # (field, value) the button or a hidden input carries
    other: Callable | None = None  # another party of the record, who must not see the form
    find: dict = field(default_factory=dict)  # extra filters to pick the demo record
    prepare: Callable | None = None  # brings the demo record to the point the button shows
    also: tuple = ()  # (machine, state) the step reaches besides its own target


def detail(p):
    return reverse("proposal_detail", args=[p.pk])


def transition(name):
    return lambda p: reverse("proposal_transition", args=[p.pk, name])


def report_page(r):
    return reverse("project_report", args=[r.contract.proposal_id, r.number])


def report_decide(r):
    return reverse("project_report_decide", args=[r.contract.proposal_id, r.number])


def changes(c):
    return reverse("project_changes", args=[c.contract.proposal_id])


def change_decide(c):
    return reverse("project_change_decide", args=[c.contract.proposal_id, c.pk])


def acceptance(name):
    return lambda a: reverse(name, args=[a.contract.proposal_id])


def deal_action(name):
    return lambda d: reverse("deal_action", args=[d.pk, name])


def deal_page(d):
    return reverse("deal_detail", args=[d.pk])


def close_the_council(record):
    """The demo's council still grading: the members who have not graded do so (through the
    workflow), the officer closes it; the verdict is now waiting for `accept_results`."""
    from projects import grading
    from projects.models import AcceptanceSeat
    from tests.projects.council_setup import submit

    for seat in AcceptanceSeat.objects.filter(
        acceptance=record, status=AcceptanceSeat.Status.ACCEPTED, submitted_at__isnull=True
    ):
        submit(seat, "pass")
    record.refresh_from_db()
    if record.state == "grading":  # the last grade closes it unless someone is still invited
        grading.close_council(record, by=OFFICER(record))


def prepare_the_contract(record):
    """The officer records the contract (through the workflow); signing is the next form."""
    from tests.projects.contracting import prepare

    prepare(record, OFFICER(record))


P, R, C, A = (
    "grants.Proposal",
    "projects.ProgressReport",
    "projects.ChangeRequest",
    "projects.Acceptance",
)
T, N, D = "transfer.Technology", "transfer.TechnologyNeed", "transfer.TransferDeal"
M, Q = "researchers.Membership", "researchers.DataRequest"

# fmt: off
STEPS = [
    Step(P, "submit", "returned", OWNER, detail, transition("submit"), other=OFFICER),
    Step(P, "withdraw", "draft", OWNER, detail, transition("withdraw"), other=OFFICER),
    Step(P, "withdraw", "submitted", OWNER, detail, transition("withdraw"), other=OFFICER),
    Step(P, "withdraw", "returned", OWNER, detail, transition("withdraw"), other=OFFICER),
    Step(P, "withdraw", "eligible", OWNER, detail, transition("withdraw"), other=OFFICER),
    Step(P, "return_for_revision", "submitted", OFFICER, detail, transition("return_for_revision"), other=OWNER),
    Step(P, "mark_eligible", "submitted", OFFICER, detail, transition("mark_eligible"), other=OWNER),
    Step(P, "mark_ineligible", "submitted", OFFICER, detail, transition("mark_ineligible"), other=OWNER),
    Step(P, "start_review", "eligible", OFFICER, detail, transition("start_review"), other=OWNER),
    Step(P, "complete_review", "under_review", OFFICER, detail, transition("complete_review"), other=OWNER),
    Step(P, "fund", "reviewed", MANAGER, detail, transition("fund"), other=OWNER),
    Step(P, "reject", "reviewed", MANAGER, detail, transition("reject"), other=OWNER),
    Step(P, "terminate", "in_progress", MANAGER, detail, transition("terminate"), other=OWNER),
    Step(P, "sign_contract", "funded", OFFICER, lambda p: reverse("project_contract", args=[p.pk]),
         lambda p: reverse("project_contract_sign", args=[p.pk]), other=OWNER,
         prepare=prepare_the_contract),
    Step(R, "submit", "draft", INVESTIGATOR, report_page, report_page, ("action", "submit"), other=OFFICER,
         find={"contract__proposal__state": "in_progress"}),
    Step(R, "accept", "submitted", OFFICER, report_page, report_decide, ("decision", "accept"), other=INVESTIGATOR),
    Step(R, "return_report", "submitted", OFFICER, report_page, report_decide, ("decision", "return"),
         other=INVESTIGATOR),
    Step(C, "approve", "requested", MANAGER, changes, change_decide, ("decision", "approve"), other=INVESTIGATOR),
    Step(C, "refuse", "requested", MANAGER, changes, change_decide, ("decision", "refuse"), other=INVESTIGATOR),
    Step(A, "submit", "draft", INVESTIGATOR, acceptance("project_acceptance"),
         acceptance("project_acceptance_submit"), other=OFFICER),
    Step(A, "submit", "returned", INVESTIGATOR, acceptance("project_acceptance"),
         acceptance("project_acceptance_submit"), other=OFFICER),
    Step(A, "return_dossier", "submitted", OFFICER, acceptance("project_acceptance"),
         acceptance("project_acceptance_return"), other=INVESTIGATOR),
    Step(A, "start_grading", "submitted", OFFICER, acceptance("project_acceptance_council"),
         acceptance("project_acceptance_council"), ("action", "start")),
    Step(A, "decide", "grading", OFFICER, acceptance("project_acceptance_council"),
         acceptance("project_acceptance_council"), ("action", "close")),
    # After the verdict: the officer accepts the results (the proposal's `accept_results`).
    Step(A, "accept_results", "grading", OFFICER, acceptance("project_acceptance"),
         acceptance("project_acceptance_accept"), other=INVESTIGATOR, prepare=close_the_council,
         also=((P, "completed"),)),
    Step(T, "submit", "draft", OWNER, lambda t: reverse("technology_edit", args=[t.pk]),
         lambda t: reverse("technology_edit", args=[t.pk]), ("submit", ""), other=BUSINESS),
    Step(T, "submit", "archived", OWNER, lambda t: reverse("technology_detail", args=[t.pk]),
         lambda t: reverse("technology_move", args=[t.pk, "resubmit"]), other=OFFICER),
    Step(T, "archive", "published", OWNER, lambda t: reverse("technology_detail", args=[t.pk]),
         lambda t: reverse("technology_move", args=[t.pk, "archive"]), other=BUSINESS),
    Step(T, "archive", "draft", OWNER, lambda t: reverse("technology_detail", args=[t.pk]),
         lambda t: reverse("technology_move", args=[t.pk, "archive"]), other=BUSINESS),
    Step(T, "revise", "published", OWNER, lambda t: reverse("technology_edit", args=[t.pk]),
         lambda t: reverse("technology_edit", args=[t.pk]), ("save", ""), other=BUSINESS),
    Step(T, "publish", "pending", OFFICER, lambda t: reverse("technology_moderation"),
         lambda t: reverse("technology_moderation"), ("action", "publish"), other=BUSINESS),
    Step(T, "send_back", "pending", OFFICER, lambda t: reverse("technology_moderation"),
         lambda t: reverse("technology_moderation"), ("action", "send_back"), other=BUSINESS),
    Step(T, "archive", "pending", OFFICER, lambda t: reverse("technology_moderation"),
         lambda t: reverse("technology_moderation"), ("action", "archive"), other=BUSINESS),
    Step(N, "publish", "draft", DEAL_BUSINESS, lambda n: reverse("need_detail", args=[n.pk]),
         lambda n: reverse("need_publish", args=[n.pk]), other=OFFICER),
    Step(N, "close", "draft", DEAL_BUSINESS, lambda n: reverse("need_detail", args=[n.pk]),
         lambda n: reverse("need_close", args=[n.pk])),
    # An officer may close a need too (moderation); a researcher reads it without the form.
    Step(N, "close", "published", DEAL_BUSINESS, lambda n: reverse("need_detail", args=[n.pk]),
         lambda n: reverse("need_close", args=[n.pk]), other=person("researcher@example.org")),
    Step(D, "accept", "requested", TECH_OWNER, deal_page, deal_action("accept"), other=DEAL_BUSINESS),
    Step(D, "decline", "requested", TECH_OWNER, deal_page, deal_action("decline"), other=DEAL_BUSINESS),
    Step(D, "cancel", "requested", DEAL_BUSINESS, deal_page, deal_action("cancel"), other=OFFICER),
    Step(D, "cancel", "negotiating", TECH_OWNER, deal_page, deal_action("cancel"), other=OFFICER),
    Step(D, "record_terms", "negotiating", TECH_OWNER, deal_page, deal_action("record_terms"), other=OFFICER),
    # Completing a deal on a completed task's result moves the task on to `transferred`.
    Step(D, "complete", "agreed", OFFICER, deal_page, deal_action("complete"), other=DEAL_BUSINESS,
         also=((P, "transferred"),)),
    # One form records either answer (a choice in the form): confirm or refuse.
    Step(M, "confirm", "requested", OFFICER, lambda m: reverse("membership_decide", args=[m.pk]),
         lambda m: reverse("membership_decide", args=[m.pk]), other=MEMBER),
    Step(M, "refuse", "requested", OFFICER, lambda m: reverse("membership_decide", args=[m.pk]),
         lambda m: reverse("membership_decide", args=[m.pk]), other=MEMBER),
    Step(M, "end", "confirmed", MEMBER, lambda m: reverse("profile"),
         lambda m: reverse("membership_end", args=[m.pk])),
    Step(M, "end", "requested", MEMBER, lambda m: reverse("profile"),
         lambda m: reverse("membership_end", args=[m.pk])),
    Step(Q, "complete", "open", ADMIN, lambda q: reverse("privacy_request_answer", args=[q.pk]),
         lambda q: reverse("privacy_request_answer", args=[q.pk]), other=MEMBER),
    Step(Q, "refuse", "open", ADMIN, lambda q: reverse("privacy_request_answer", args=[q.pk]),
         lambda q: reverse("privacy_request_answer", args=[q.pk]), other=MEMBER),
]
# fmt: on

# The state a creating form starts a record in (the form is found the same way).
CREATED = {
    P: "draft",  # the call page's "Apply" (tests/browser/test_proposal_journey.py)
    R: "draft",  # written at signing, one per report period
    C: "requested",  # the investigator's form on /changes/
    A: "draft",  # opened by the investigator's first visit to /acceptance/
    T: "draft",  # /technologies/new/
    N: ("draft", "published"),  # the business's form: "Publish the need" or "Save as a draft"
    D: "requested",  # "Express interest" on a published technology
    M: "requested",  # the profile's membership request
    Q: "open",  # the privacy page's request
}


def machines():
    for model in apps.get_models():
        for f in model._meta.fields:
            if isinstance(f, FSMField):
                yield model, f


def pick(step):
    model = apps.get_model(step.machine)
    return model.objects.filter(state=step.source, **step.find).order_by("pk").first()


def forms_posting(html, page):
    """(effective action, {name: value} the button and the form's hidden inputs carry, disabled)."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        hidden = {
            i.get("name"): i.get("value", "")
            for i in form.find_all("input", type="hidden")
            if i.get("name")
        }
        buttons = form.find_all("button") + form.find_all("input", type="submit")
        for b in buttons:
            if (b.get("type") or "submit") != "submit":
                continue
            carried = dict(hidden)
            if b.get("name"):
                carried[b["name"]] = b.get("value", "")
            action = b.get("formaction") or form.get("action") or page
            found.append((action, carried, b.has_attr("disabled")))
    return found


def offered(client, step, record):
    page = step.page(record)
    response = client.get(page)
    assert response.status_code == 200, (step.machine, step.name, page, response.status_code)
    wanted = step.action(record)
    for action, carried, disabled in forms_posting(response.content.decode(), page):
        if action != wanted:
            continue
        if step.choice and carried.get(step.choice[0]) != step.choice[1]:
            continue
        return not disabled
    return False


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "step", STEPS, ids=[f"{s.machine.split('.')[1]}:{s.source}:{s.name}" for s in STEPS]
)
def test_the_role_finds_the_form_and_no_other_party_does(step):
    record = pick(step)
    assert record is not None, f"the demo has no {step.machine} in {step.source}"
    if step.prepare:
        step.prepare(record)
        record.refresh_from_db()
    assert offered(signed_in(step.who(record)), step, record), (
        f"{step.who(record).email} finds no form for {step.name} on {step.page(record)}"
    )
    if step.other:
        other = step.other(record)
        client = signed_in(other)
        response = client.get(step.page(record))
        if response.status_code == 200:
            assert not offered(client, step, record), f"{other.email} is offered {step.name}"
        else:  # the other party may not even open that page
            assert response.status_code in (403, 404)


def test_every_state_of_every_machine_has_a_way_in():
    reached = set()
    for s in STEPS:
        model = apps.get_model(s.machine)
        f = next(f for f in model._meta.fields if isinstance(f, FSMField))
        for t in f.get_all_transitions(model):
            if t.name == s.name and t.source == s.source:
                reached.add((s.machine, t.target))
        reached |= set(s.also)
    for model, f in machines():
        label = model._meta.label
        created = CREATED[label]
        reached |= {
            (label, state) for state in ([created] if isinstance(created, str) else created)
        }
        missing = {value for value, _ in f.choices if (label, value) not in reached}
        assert not missing, f"{label}: no screen reaches {sorted(missing)}"
