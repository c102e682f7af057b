"""The XSS corpus: every free text that another person later sees, filled with payloads for HTML
text, attributes, script blocks and JSON-LD, then read back on every page, PDF, e-mail, export and
API output that shows it. Each payload must arrive as the literal text the person typed, and
nowhere as markup.

The records are made as people make them: the dossier through its section forms and formsets,
listings and needs through their pages, everything else through the workflow functions.
"""

import csv
import datetime
import io
import json
import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.forms.models import model_to_dict
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cms.models import Sector
from core.security import json_ld
from grants import council, demo, forms, workflow
from grants.models import Ballot, CallPage
from tests.grants.conftest import seat_council
from transfer import workflow as transfer_workflow
from transfer.models import Technology, TechnologyNeed, TransferDeal

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "attribute-break": '"><svg onload=alert(1)>',
    "script-break": "</script><script>alert(1)</script>",
    "single-quote": "' onmouseover='alert(1)",
    "javascript-url": "javascript:alert(1)",
    "template": "{{7*7}}",
    "img-onerror": "<img src=x onerror=alert(1)>",
}
MARKUP = set("<>\"'&")


def long(payload):
    """The payload inside a text long enough for fields that want a few sentences."""
    return f"{payload} giảm 30% chi phí và tăng năng suất cho nông hộ ở An Giang."


# -- what "inert" means -----------------------------------------------------------------------------


def assert_inert(html, payload, *, shown=True):
    """No markup from `payload` in `html`, and (if `shown`) the payload as the page's text."""
    soup = BeautifulSoup(html, "html.parser")
    if MARKUP & set(payload):
        # Quotes stay quotes inside JSON-LD (as in json_script): harmless in a script element
        # whose <, > and & are escaped, as checked below.
        outside = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
        assert payload not in outside, "the payload arrived unescaped"
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            assert not (name.startswith("on") and "alert" in value), (tag.name, name, value)
            if name in {"href", "src", "action", "formaction", "data", "xlink:href"}:
                assert not value.strip().lower().startswith("javascript:"), (tag.name, value)
    assert not soup.find_all("svg", attrs={"onload": True})
    assert not soup.find_all("img", attrs={"onerror": True})
    for script in soup.find_all("script"):
        if script.get("src"):
            continue
        if script.get("type") == "application/ld+json":
            json.loads(script.string)  # still valid JSON
            assert "<" not in script.string and ">" not in script.string
        else:
            assert "alert(1)" not in (script.string or ""), "the payload runs as a script"
    if shown:
        assert payload in soup.get_text(), "the payload should be shown as the text typed"


def pdf_text(content):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", "", text)


def assert_in_pdf(response, payload):
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # WeasyPrint drew the characters: it was given text, not markup to interpret.
    assert re.sub(r"\s+", "", payload) in pdf_text(response.content)


def assert_mail_is_text(payload, expected_at_least=1):
    sent = [m for m in mail.outbox if payload in m.subject + m.body]
    assert len(sent) >= expected_at_least, [m.subject for m in mail.outbox]
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_inert(content, payload, shown=False)


def page(client, path, payload, *, shown=True, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    assert response["Content-Type"].startswith("text/html"), path
    assert_inert(response.content.decode(), payload, shown=shown)
    return response


def api(client, path, payload):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/json"
    assert payload in json.dumps(response.json(), ensure_ascii=False), path
    return response.json()


# -- the helper itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_json_ld_keeps_any_text_inside_its_string(payload):
    element = str(json_ld({"name": payload, "description": f"<!-- {payload} -->"}))
    assert element.startswith('<script type="application/ld+json">')
    assert element.endswith("</script>") and element.count("</script") == 1
    inner = element[len('<script type="application/ld+json">') : -len("</script>")]
    assert "<" not in inner and ">" not in inner
    assert json.loads(inner) == {"name": payload, "description": f"<!-- {payload} -->"}


# -- a dossier: its owner, officers, the council, the manager ---------------------------------------


def through_form(form_class, proposal, **changes):
    data = model_to_dict(proposal, fields=form_class._meta.fields)
    data = {key: "" if value is None else value for key, value in data.items()}
    data.update(changes)
    form = form_class(data, instance=proposal)
    assert form.is_valid(), form.errors
    return form.save()


def formset_data(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def poisoned_dossier(call, owner, payload):
    proposal, _created = demo.draft_for(call, owner)
    proposal = demo.fill(proposal, title="placeholder", budget=())
    proposal = through_form(
        forms.GeneralForm, proposal, title=payload, keywords=payload, abstract=payload
    )
    proposal = through_form(forms.RationaleForm, proposal, rationale=payload, objectives=payload)
    proposal = through_form(forms.ContentForm, proposal, content_methods=payload)
    proposal = through_form(
        forms.ProductsForm, proposal, expected_products=payload, application_plan=payload
    )
    team = forms.TeamFormSet(
        formset_data(
            "team",
            [
                {"full_name": payload, "title": "TS.", "role": "member",
                 "organisation_name": payload, "email": "", "months": "12"},
                {"full_name": f"Nguyễn {payload}", "title": payload[:60], "role": "member",
                 "organisation_name": "Trường Đại học An Giang", "email": "", "months": "6"},
            ],
        ),
        instance=proposal,
        prefix="team",
    )  # fmt: skip
    assert team.is_valid(), team.errors
    team.save()
    budget = forms.BudgetFormSet(
        formset_data(
            "budget",
            [
                {"category": "labour", "description": payload, "amount": "600.000.000"},
                {"category": "materials", "description": f"Vật tư {payload}", "amount": "300.000.000"},
            ],
        ),
        instance=proposal,
        prefix="budget",
    )  # fmt: skip
    assert budget.is_valid(), budget.errors
    budget.save()
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def fresh_call(db):
    demo_call = CallPage.objects.get(code="AG-NN01", locale__language_code="vi")
    call = CallPage(
        title="Đợt thử nghiệm an toàn",
        slug="ag-xss01",
        locale=demo_call.locale,
        code="AG-XSS01",
        summary=demo_call.summary,
        opens_at=demo_call.opens_at,
        closes_at=demo_call.closes_at,
        total_budget=demo_call.total_budget,
        max_per_project=demo_call.max_per_project,
        min_reviewers=7,
    )
    call.sectors = list(demo_call.sectors.all())
    call.templates = [
        type(t)(title=t.title, document=t.document, required=t.required)
        for t in demo_call.templates.all()
    ]
    demo_call.get_parent().add_child(instance=call)
    return call


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_dossier_stays_text_everywhere_it_is_shown(
    payload, fresh_call, client_as, user_by_email, django_capture_on_commit_callbacks
):
    sent = django_capture_on_commit_callbacks  # e-mail goes out once the transaction commits
    researcher = user_by_email("researcher@example.org")
    officer = user_by_email("officer@example.org")
    reviewers = [user_by_email(f"reviewer{n}@example.org") for n in range(1, 8)]
    proposal = poisoned_dossier(fresh_call, researcher, payload)
    assert proposal.title == payload and proposal.team.filter(organisation_name=payload).exists()

    owner = client_as("researcher@example.org")
    page(owner, f"/proposals/{proposal.pk}/", payload)
    page(owner, f"/proposals/{proposal.pk}/edit/general/", payload, shown=False)
    page(owner, f"/proposals/{proposal.pk}/edit/team/", payload, shown=False)
    page(owner, f"/proposals/{proposal.pk}/edit/budget/", payload, shown=False)

    mail.outbox = []
    with sent(execute=True):
        proposal = workflow.submit(proposal, by=researcher, ip="10.0.0.5")
    assert_mail_is_text(payload)
    assert_in_pdf(owner.get(f"/proposals/{proposal.pk}/receipt.pdf"), payload)

    # The officer's note when sending it back is shown to the applicant.
    mail.outbox = []
    with sent(execute=True):
        proposal = workflow.return_for_revision(
            proposal, by=officer, comment=payload,
            revision_deadline=timezone.now() + datetime.timedelta(days=14),
        )  # fmt: skip
    assert_mail_is_text(payload)
    page(owner, f"/proposals/{proposal.pk}/", payload)
    page(owner, "/dashboard/", payload)
    proposal = workflow.submit(proposal, by=researcher, ip="10.0.0.5")
    page(owner, f"/proposals/{proposal.pk}/versions/", payload)
    proposal = workflow.mark_eligible(proposal, by=officer, comment=payload)

    staff = client_as("officer@example.org")
    page(staff, "/proposals/", payload)
    page(staff, f"/proposals/{proposal.pk}/", payload)
    page(staff, "/dashboard/", payload, shown=False)
    exported = staff.get("/proposals/export.csv")
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert any(payload in cell for row in rows for cell in row)
    workbook = load_workbook(io.BytesIO(staff.get("/proposals/export.xlsx").content))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if c]
    assert any(payload in str(c) for c in cells)

    # The council scores it; every member writes the payload in their comments.
    seat_council(proposal, reviewers)
    page(staff, f"/proposals/{proposal.pk}/council/", payload)
    proposal = workflow.start_review(proposal, by=officer)
    criteria = {c.key: c.max_points for c in proposal.call.get_rubric().criteria.all()}
    reviewer_client = client_as("reviewer1@example.org")
    assignment = proposal.assignments.get(reviewer=reviewers[0])
    page(reviewer_client, f"/reviews/{assignment.pk}/", payload)
    for reviewer in reviewers:
        assignment = proposal.assignments.get(reviewer=reviewer)
        council.save_ballot(
            assignment, by=reviewer, submit=True, comment=payload,
            scores=criteria,
            comments=dict.fromkeys(criteria, payload),
        )  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.state == "reviewed"
    assert Ballot.objects.filter(proposal=proposal, comment=payload).count() == 7

    staff = client_as("officer@example.org")
    page(staff, f"/proposals/{proposal.pk}/council/", payload)
    page(staff, f"/proposals/{proposal.pk}/appraisal/", payload)
    page(staff, f"/proposals/calls/{fresh_call.pk}/results/", payload)
    results = load_workbook(
        io.BytesIO(staff.get(f"/proposals/calls/{fresh_call.pk}/results/?format=xlsx").content)
    )
    assert payload in [c for row in results.active.iter_rows(values_only=True) for c in row]
    assert_in_pdf(staff.get(f"/proposals/{proposal.pk}/minutes.pdf"), payload)

    # The manager's reason for a rejection reaches the applicant as text.
    mail.outbox = []
    with sent(execute=True):
        proposal = workflow.reject(
            proposal, by=user_by_email("manager@example.org"), comment=payload
        )
    assert_mail_is_text(payload)
    owner = client_as("researcher@example.org")
    page(owner, f"/proposals/{proposal.pk}/", payload)
    assert_in_pdf(owner.get(f"/proposals/{proposal.pk}/decision.pdf"), payload)
    listing = api(owner, "/api/v1/proposals/", payload)
    mine = [p for p in listing["results"] if p.get("id", p.get("pk")) == proposal.pk]
    assert mine and mine[0]["title"] == payload


# -- a listing: its owner, the moderating officer, every visitor --------------------------------------


def listing_data(payload, **changes):
    data = {
        "title": payload, "summary": long(payload), "description": payload,
        "title_en": payload, "summary_en": long(payload),
        "sector": Sector.objects.get(slug="smart-agriculture").pk, "trl": "7",
        "ip_status": "utility", "transfer_modes": ["licence"], "price": "25.000.000",
        "confidential": payload, "nda_terms": payload, "submit": "1",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_a_listing_stays_text_for_the_officer_and_every_visitor(
    payload, client, client_as, user_by_email, django_capture_on_commit_callbacks
):
    mail.outbox = []
    owner = client_as("researcher@example.org")
    response = owner.post("/technologies/new/", listing_data(payload))
    assert response.status_code == 302
    tech = Technology.objects.get(title=payload)
    assert tech.state == "pending" and tech.summary_en == long(payload)
    page(owner, f"/technologies/{tech.pk}/edit/", payload, shown=False)

    officer = client_as("officer@example.org")
    page(officer, "/technologies/moderation/", payload)
    page(officer, f"/technologies/{tech.pk}/", payload)  # a pending listing, as moderated
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            "/technologies/moderation/",
            {"technology": tech.pk, "action": "send_back", "comment": payload},
        )
    tech.refresh_from_db()
    assert tech.state == "draft"
    assert_mail_is_text(payload)
    owner = client_as("researcher@example.org")
    page(owner, f"/technologies/{tech.pk}/", payload)  # the officer's note, in the history
    transfer_workflow.submit_technology(tech, by=tech.owner)
    transfer_workflow.publish_technology(
        tech, by=user_by_email("officer@example.org"),
        checklist=[key for key, _label in transfer_workflow.PUBLISH_CHECKLIST],
    )  # fmt: skip

    client.logout()
    for path in (f"/technologies/{tech.pk}/", f"/en/technologies/{tech.pk}/"):
        response = page(client, path, payload)
        blocks = BeautifulSoup(response.content.decode(), "html.parser").find_all(
            "script", type="application/ld+json"
        )
        assert len(blocks) == 1
        data = json.loads(blocks[0].string)
        assert data["name"] == payload and data["description"] == long(payload)
    page(client, "/technologies/", payload)
    page(client, "/technologies/?q=" + "chịu", payload, shown=False)
    page(client, "/en/technologies/", payload)
    page(client, "/", payload, shown=False)
    listed = api(client, "/api/v1/technologies/", payload)
    assert any(item["title"] == payload for item in listed["results"])


# -- a need, a deal, and their messages ---------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_needs_and_deal_messages_stay_text_for_the_other_party(
    payload, client, client_as, user_by_email, django_capture_on_commit_callbacks
):
    business = client_as("business@example.org")
    response = business.post(
        "/needs/",
        {"title": payload, "problem": payload, "sector": Sector.objects.first().pk,
         "budget_min": "", "budget_max": "", "desired_trl": "5", "deadline": ""},
    )  # fmt: skip
    assert response.status_code == 302
    need = TechnologyNeed.objects.get(title=payload)
    assert need.state == TechnologyNeed.State.PUBLISHED
    client.logout()
    page(client, "/needs/", payload)
    page(client, f"/needs/{need.pk}/", payload)
    api(client, "/api/v1/needs/", payload)

    tech = Technology.objects.get(title="Nhân giống chuối già Nam Mỹ sạch bệnh bằng nuôi cấy mô")
    owner = tech.owner
    mail.outbox = []
    business = client_as("business@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        asked = business.post(f"/technologies/{tech.pk}/interest/", {"message": payload})
    assert asked.status_code == 302
    deal = TransferDeal.objects.get(technology=tech, business__email="business@example.org")
    assert deal.message == payload
    assert_mail_is_text(payload)
    deal = transfer_workflow.accept(deal, by=owner, comment=payload)
    for email in (owner.email, "business@example.org", "officer@example.org"):
        viewer = client_as(email)
        page(viewer, f"/deals/{deal.pk}/", payload)
        page(viewer, "/deals/", payload, shown=False)
    page(client_as(owner.email), "/dashboard/", payload, shown=False)
