"""The contract of a funded task (Circular 05/2014's model contract): prepared by an officer from
the decision, checked at every boundary, signed (funded → in progress, reports scheduled), and
issued as a PDF in Vietnamese with an English courtesy translation."""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from grants.models import Proposal
from projects.changes import approve_change, request_change
from projects.contracts import (
    contract_defaults,
    deliverables_from_dossier,
    prepare_contract,
    sign_contract,
)
from projects.models import Contract, ProgressReport, ProjectEntry
from projects.workflow import GuardFailed, StateConflict, add_months
from tests.projects import contracting

pytestmark = pytest.mark.django_db

NUMBER = "27/2026/HĐ-SKHCN"


def pdf_pages(content):
    return PdfReader(io.BytesIO(content)).pages


def pdf_text(content):
    return "".join(page.extract_text() for page in pdf_pages(content))


@pytest.fixture
def funded(db):
    """The demo's funded proposal (researcher@example.org's): 24 months, 1.460.000.000 ₫."""
    proposal = Proposal.objects.filter(state="funded").order_by("pk").first()
    assert proposal.duration_months == 24 and proposal.approved_amount > 0
    return proposal


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
def reviewer(user_by_email):
    return user_by_email("reviewer1@example.org")


def decided(proposal):
    return timezone.localdate(proposal.decided_at)


def values_for(proposal, **overrides):
    signed = decided(proposal) + datetime.timedelta(days=10)
    values = {
        "number": NUMBER,
        "signed_on": signed,
        "starts_on": signed,
        # The last day of the approved 24 months: three six-monthly reports fit before it.
        "ends_on": add_months(signed, 24) - datetime.timedelta(days=1),
        "department_signatory": "Trần Văn Hùng",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "Võ Văn Thắng",
        "host_representative_title": "Hiệu trưởng",
        "principal_investigator": "Trần Văn Minh",
        "report_every_months": 6,
    }
    return values | overrides


def halves(proposal, signed=None, report_number=1):
    signed = signed or decided(proposal) + datetime.timedelta(days=10)
    half = proposal.approved_amount // 2
    return [
        {"due_on": signed, "amount": half, "condition": "on_signing"},
        {
            "due_on": add_months(signed, 7),
            "amount": proposal.approved_amount - half,
            "condition": "report_accepted",
            "report_number": report_number,
        },
    ]


PRODUCTS = [
    {"name": "Giống lúa chịu mặn", "quantity_indicator": "02 giống", "quality_indicator": "Năng suất ≥ 6 tấn/ha"},
    {"name": "Quy trình canh tác", "quantity_indicator": "01 quy trình", "quality_indicator": ""},
]  # fmt: skip


def prepare(proposal, by, *, values=None, tranches=None, deliverables=None):
    return prepare_contract(
        proposal,
        by=by,
        values=values if values is not None else values_for(proposal),
        tranches=tranches if tranches is not None else halves(proposal),
        deliverables=deliverables if deliverables is not None else PRODUCTS,
    )


def refused(proposal, by, **kwargs):
    """The guard's messages, by field; nothing was saved."""
    with pytest.raises(GuardFailed) as failure:
        prepare(proposal, by, **kwargs)
    assert not Contract.objects.filter(proposal=proposal).exists()
    return failure.value.errors


# -- the guards of prepare_contract, at their boundaries --------------------------------------


def test_a_contract_within_every_rule_is_saved_with_its_rows(funded, officer):
    contract = prepare(funded, officer)
    assert contract.number == NUMBER and contract.approved_amount == funded.approved_amount
    assert [t.amount for t in contract.tranches.all()] == [
        funded.approved_amount // 2,
        funded.approved_amount - funded.approved_amount // 2,
    ]
    assert [d.name for d in contract.deliverables.all()] == [p["name"] for p in PRODUCTS]
    assert ProjectEntry.objects.filter(proposal=funded, action="prepare_contract").count() == 1
    assert Proposal.objects.get(pk=funded.pk).state == "funded"


def test_the_end_date_may_be_exactly_the_approved_months_after_the_start_not_a_day_more(
    funded, officer
):
    starts = decided(funded) + datetime.timedelta(days=10)
    last = add_months(starts, 24)
    errors = refused(
        funded, officer, values=values_for(funded, ends_on=last + datetime.timedelta(days=1))
    )
    assert list(errors) == ["ends_on"]
    assert prepare(funded, officer, values=values_for(funded, ends_on=last)).ends_on == last


def test_the_end_date_must_follow_the_start(funded, officer):
    starts = decided(funded) + datetime.timedelta(days=10)
    errors = refused(funded, officer, values=values_for(funded, ends_on=starts))
    assert "ends_on" in errors


def test_signing_on_the_day_of_the_decision_is_allowed_the_day_before_is_not(funded, officer):
    day = decided(funded)
    before = day - datetime.timedelta(days=1)
    ends = add_months(day, 24) - datetime.timedelta(days=1)
    errors = refused(
        funded, officer, values=values_for(funded, signed_on=before, starts_on=day, ends_on=ends),
        tranches=halves(funded, signed=day),
    )  # fmt: skip
    assert list(errors) == ["signed_on"]
    contract = prepare(
        funded, officer, values=values_for(funded, signed_on=day, starts_on=day, ends_on=ends),
        tranches=halves(funded, signed=day),
    )  # fmt: skip
    assert contract.signed_on == day


def test_the_task_cannot_start_before_signing(funded, officer):
    signed = decided(funded) + datetime.timedelta(days=10)
    errors = refused(
        funded, officer, values=values_for(funded, starts_on=signed - datetime.timedelta(days=1))
    )
    assert list(errors) == ["starts_on"]


@pytest.mark.parametrize("delta", [-1, 1])
def test_tranches_one_dong_short_or_over_the_approved_amount_are_refused(funded, officer, delta):
    tranches = halves(funded)
    tranches[1]["amount"] += delta
    errors = refused(funded, officer, tranches=tranches)
    assert list(errors) == ["tranches"]
    total = f"{funded.approved_amount + delta:,}".replace(",", ".")
    assert total in str(errors["tranches"][0])


@pytest.mark.parametrize("amount", [0, -1, -500_000_000])
def test_zero_and_negative_tranche_amounts_are_refused_by_the_row(funded, officer, amount):
    tranches = halves(funded)
    tranches[0]["amount"] = amount
    assert list(refused(funded, officer, tranches=tranches)) == ["tranches-0-amount"]


def test_a_tranche_of_one_dong_is_an_amount(funded, officer):
    signed = decided(funded) + datetime.timedelta(days=10)
    tranches = [
        {"due_on": signed, "amount": 1, "condition": "on_signing"},
        {"due_on": signed, "amount": funded.approved_amount - 1, "condition": "acceptance_passed"},
    ]
    assert prepare(funded, officer, tranches=tranches).tranches.first().amount == 1


def test_a_tranche_cannot_be_due_before_signing(funded, officer):
    tranches = halves(funded)
    tranches[0]["due_on"] -= datetime.timedelta(days=1)
    assert list(refused(funded, officer, tranches=tranches)) == ["tranches-0-due_on"]


def test_a_tranche_after_a_report_beyond_the_schedule_is_refused(funded, officer):
    # 24 months ending the day before the 24th month: reports after months 6, 12 and 18; the
    # last stretch is covered by the acceptance dossier (report_periods).
    errors = refused(funded, officer, tranches=halves(funded, report_number=4))
    assert list(errors) == ["tranches-1-report_number"]
    assert "3" in str(errors["tranches-1-report_number"][0])
    assert prepare(funded, officer, tranches=halves(funded, report_number=3))


@pytest.mark.parametrize("number", [None, 0])
def test_a_tranche_after_a_report_names_the_report(funded, officer, number):
    tranches = halves(funded, report_number=number)
    assert list(refused(funded, officer, tranches=tranches)) == ["tranches-1-report_number"]


def test_a_tranche_needs_a_known_condition(funded, officer):
    tranches = halves(funded)
    tranches[0]["condition"] = "whenever"
    assert list(refused(funded, officer, tranches=tranches)) == ["tranches-0-condition"]


def test_without_tranches_or_products_nothing_is_saved(funded, officer):
    assert list(refused(funded, officer, tranches=[])) == ["tranches"]
    blank = [{"name": "  ", "quantity_indicator": "01"}]
    assert list(refused(funded, officer, deliverables=blank)) == ["deliverables"]


def test_missing_parties_are_reported_by_the_field(funded, officer):
    values = values_for(
        funded, department_signatory="", host_representative="   ", principal_investigator=""
    )
    assert sorted(refused(funded, officer, values=values)) == [
        "department_signatory",
        "host_representative",
        "principal_investigator",
    ]


def test_the_number_is_needed_and_unique(funded, officer):
    assert list(refused(funded, officer, values=values_for(funded, number=" "))) == ["number"]
    taken = Contract.objects.exclude(number="").order_by("pk").first().number
    assert list(refused(funded, officer, values=values_for(funded, number=taken))) == ["number"]
    prepare(funded, officer)
    assert prepare(funded, officer).number == NUMBER  # its own number, saved again


@pytest.mark.parametrize(("every", "ok"), [(0, False), (1, True), (12, True), (13, False)])
def test_reports_are_due_every_one_to_twelve_months(funded, officer, every, ok):
    values = values_for(funded, report_every_months=every)
    tranches = [
        {"due_on": values["signed_on"], "amount": funded.approved_amount, "condition": "on_signing"}
    ]
    if ok:
        assert (
            prepare(funded, officer, values=values, tranches=tranches).report_every_months == every
        )
    else:
        assert list(refused(funded, officer, values=values, tranches=tranches)) == [
            "report_every_months"
        ]


@pytest.mark.parametrize("who", ["researcher", "reviewer", "manager"])
def test_only_an_officer_prepares_the_contract(funded, who, request):
    with pytest.raises(PermissionDenied):
        prepare(funded, request.getfixturevalue(who))
    assert not Contract.objects.filter(proposal=funded).exists()


@pytest.mark.parametrize("state", ["in_progress", "reviewed"])
def test_a_proposal_that_is_not_funded_gets_no_new_contract(state, officer):
    proposal = Proposal.objects.filter(state=state).order_by("pk").first()
    before = list(Contract.objects.filter(proposal=proposal).values())
    with pytest.raises(StateConflict):
        prepare(proposal, officer, values={}, tranches=[], deliverables=[])
    assert list(Contract.objects.filter(proposal=proposal).values()) == before


# -- the page -----------------------------------------------------------------------------------


def contract_url(proposal):
    return reverse("project_contract", args=[proposal.pk])


def post_data(proposal, **overrides):
    """The form as an officer fills it: dates as the picker sends them, amounts with dots."""
    values = values_for(proposal)
    half = proposal.approved_amount // 2
    data = {
        "number": NUMBER,
        "signed_on": values["signed_on"].isoformat(),
        "starts_on": values["starts_on"].isoformat(),
        "ends_on": values["ends_on"].isoformat(),
        "department_signatory": "Trần Văn Hùng",
        "department_signatory_title": "Giám đốc Sở Khoa học và Công nghệ",
        "host_representative": "Võ Văn Thắng",
        "host_representative_title": "Hiệu trưởng",
        "principal_investigator": "Trần Văn Minh",
        "report_every_months": "6",
        "tranches-TOTAL_FORMS": "3",
        "tranches-INITIAL_FORMS": "0",
        "tranches-0-due_on": values["signed_on"].strftime("%d/%m/%Y"),
        "tranches-0-amount": f"{half:,}".replace(",", "."),
        "tranches-0-condition": "on_signing",
        "tranches-0-report_number": "",
        "tranches-1-due_on": add_months(values["signed_on"], 7).isoformat(),
        "tranches-1-amount": str(proposal.approved_amount - half),
        "tranches-1-condition": "report_accepted",
        "tranches-1-report_number": "1",
        # A blank row as the page offers it: left out.
        "tranches-2-due_on": "",
        "tranches-2-amount": "",
        "tranches-2-condition": "on_signing",
        "tranches-2-report_number": "",
        "deliverables-TOTAL_FORMS": "2",
        "deliverables-INITIAL_FORMS": "0",
        "deliverables-0-name": "Giống lúa chịu mặn",
        "deliverables-0-quantity_indicator": "02 giống",
        "deliverables-0-quality_indicator": "Năng suất ≥ 6 tấn/ha",
        "deliverables-1-name": "",
        "deliverables-1-quantity_indicator": "",
        "deliverables-1-quality_indicator": "",
    }
    return data | overrides


def test_the_form_starts_from_the_decision_and_the_dossier(client_as, funded):
    response = client_as("officer@example.org").get(contract_url(funded))
    assert response.status_code == 200
    html = response.content.decode()
    investigator = contract_defaults(funded)["principal_investigator"]
    assert investigator and f'value="{investigator}"' in html
    for row in deliverables_from_dossier(funded):
        assert f'value="{row["name"]}"' in html
    assert f"{funded.approved_amount:,} ₫".replace(",", ".") in html  # the approved amount
    assert 'name="add" value="tranche"' in html and 'name="add" value="deliverable"' in html
    assert reverse("project_contract_sign", args=[funded.pk]) not in html  # nothing to sign yet


def test_the_officer_saves_the_contract_typed_with_dots_and_blank_rows(client_as, funded):
    response = client_as("officer@example.org").post(contract_url(funded), post_data(funded))
    assert response.status_code == 302 and response["Location"] == contract_url(funded)
    contract = Contract.objects.get(proposal=funded)
    assert contract.tranches.count() == 2 and contract.deliverables.count() == 1
    assert contract.tranches.first().amount == funded.approved_amount // 2
    assert contract.tranches.last().report_number == 1
    page = client_as("officer@example.org").get(contract_url(funded)).content.decode()
    assert reverse("project_contract_sign", args=[funded.pk]) in page


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("signed_on", "31/02/2026"),
        ("ends_on", "mai"),
        ("tranches-0-amount", "1,5 tỷ"),
        ("tranches-0-amount", "1.46.000"),
        ("tranches-1-report_number", "một"),
        ("report_every_months", "6.5"),
    ],
)
def test_bad_input_is_refused_by_the_field_with_the_text_kept(client_as, funded, field, typed):
    client = client_as("officer@example.org")
    data = post_data(funded, **{field: typed}, number="Số <b>27</b>")
    response = client.post(contract_url(funded), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#{field}"' in html  # the error summary points at the input
    assert re.search(rf'id="{re.escape(field)}_error"', html)
    assert f'value="{typed}"' in html
    assert 'value="Số &lt;b&gt;27&lt;/b&gt;"' in html  # what was typed, as text
    assert not Contract.objects.filter(proposal=funded).exists()


def test_the_guards_answer_beside_the_row_they_are_about(client_as, funded):
    """A blank first row is left out: the workflow's `tranches-0` is the form's second row."""
    client = client_as("officer@example.org")
    data = post_data(funded)
    moved = {
        "tranches-0-due_on": "", "tranches-0-amount": "", "tranches-0-condition": "on_signing",
        "tranches-0-report_number": "",
        "tranches-1-due_on": data["tranches-0-due_on"], "tranches-1-amount": "0",
        "tranches-1-condition": "on_signing", "tranches-1-report_number": "",
        "tranches-2-due_on": data["tranches-1-due_on"], "tranches-2-amount": data["tranches-1-amount"],
        "tranches-2-condition": "report_accepted", "tranches-2-report_number": "9",
    }  # fmt: skip
    response = client.post(contract_url(funded), data | moved)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="tranches-1-amount_error"' in html and 'id="tranches-2-report_number_error"' in html
    assert 'id="tranches-0-amount_error"' not in html
    assert 'value="9"' in html
    assert not Contract.objects.filter(proposal=funded).exists()


def test_the_guards_of_the_contract_answer_by_the_field_through_the_page(client_as, funded):
    client = client_as("officer@example.org")
    day_before = decided(funded) - datetime.timedelta(days=1)
    data = post_data(
        funded, signed_on=day_before.isoformat(), host_representative="", number="",
        **{"tranches-1-amount": str(funded.approved_amount - funded.approved_amount // 2 - 1)},
    )  # fmt: skip
    response = client.post(contract_url(funded), data)
    assert response.status_code == 400
    html = response.content.decode()
    for key in ("signed_on", "host_representative", "number", "tranches"):
        assert f'href="#{key}"' in html, key
    with translation.override("vi"):
        assert "Nhập số hợp đồng." in html
    assert f'value="{day_before.isoformat()}"' in html
    assert not Contract.objects.filter(proposal=funded).exists()


def test_add_a_row_without_javascript_keeps_what_was_typed(client_as, funded):
    client = client_as("officer@example.org")
    data = post_data(funded, add="tranche", number="27/2026")
    response = client.post(contract_url(funded), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="tranches-TOTAL_FORMS" value="4"' in html
    assert 'id="tranches-3-amount"' in html and 'value="27/2026"' in html
    response = client.post(contract_url(funded), post_data(funded, add="deliverable"))
    assert 'id="deliverables-2-name"' in response.content.decode()
    tampered = post_data(funded, add="tranche", **{"tranches-TOTAL_FORMS": "nhiều"})
    assert client.post(contract_url(funded), tampered).status_code == 200
    assert not Contract.objects.filter(proposal=funded).exists()


@pytest.mark.parametrize(
    "email", ["researcher@example.org", "reviewer1@example.org", "manager@example.org"]
)
def test_only_an_officer_opens_or_posts_the_form(client_as, funded, email):
    client = client_as(email)
    assert client.get(contract_url(funded)).status_code == 403
    assert client.post(contract_url(funded), post_data(funded)).status_code == 403
    sign = reverse("project_contract_sign", args=[funded.pk])
    assert client.post(sign).status_code == 403
    assert not Contract.objects.filter(proposal=funded).exists()


def test_a_proposal_not_yet_funded_has_no_contract_to_prepare(client_as):
    reviewed = Proposal.objects.filter(state="reviewed").order_by("pk").first()
    client = client_as("officer@example.org")
    response = client.get(contract_url(reviewed))
    assert response.status_code == 302 and response["Location"] == reviewed.get_absolute_url()
    response = client.post(contract_url(reviewed), {})
    assert response.status_code == 302
    assert not Contract.objects.filter(proposal=reviewed).exists()


# -- signing ------------------------------------------------------------------------------------


def test_signing_moves_to_in_progress_and_schedules_the_reports(client_as, funded):
    client = client_as("officer@example.org")
    client.post(contract_url(funded), post_data(funded))
    response = client.post(reverse("project_contract_sign", args=[funded.pk]))
    assert response.status_code == 302 and response["Location"] == funded.get_absolute_url()
    funded.refresh_from_db()
    assert funded.state == "in_progress"
    contract = Contract.objects.get(proposal=funded)
    assert contract.is_signed
    signed = values_for(funded)["signed_on"]
    assert [(r.number, r.period_end, r.due_on) for r in ProgressReport.objects.filter(contract=contract)] == [
        (n, add_months(signed, 6 * n) - datetime.timedelta(days=1),
         add_months(signed, 6 * n) + datetime.timedelta(days=14))
        for n in (1, 2, 3)
    ]  # fmt: skip
    assert set(ProjectEntry.objects.filter(proposal=funded).values_list("action", flat=True)) == {
        "prepare_contract",
        "sign_contract",
    }
    assert funded.audit_entries.filter(transition="sign_contract").count() == 1


def test_signing_before_the_contract_is_prepared_is_refused_with_a_message(client_as, funded):
    response = client_as("officer@example.org").post(
        reverse("project_contract_sign", args=[funded.pk])
    )
    assert response.status_code == 400
    assert 'id="contract-sign-error"' not in response.content.decode()  # no contract yet
    assert 'href="#contract"' in response.content.decode()
    assert Proposal.objects.get(pk=funded.pk).state == "funded"


def test_only_an_officer_signs(funded, officer, manager, researcher):
    prepare(funded, officer)
    for who in (manager, researcher):
        with pytest.raises(PermissionDenied):
            sign_contract(funded, by=who)
    assert Proposal.objects.get(pk=funded.pk).state == "funded"


def test_once_signed_the_page_is_read_only_for_the_parties(client_as, funded, officer):
    contracting.sign(funded, officer, number=NUMBER, signed_on=decided(funded))
    url = contract_url(funded)
    for email in ("officer@example.org", "manager@example.org", "researcher@example.org"):
        response = client_as(email).get(url)
        assert response.status_code == 200, email
        html = response.content.decode()
        assert NUMBER in html and f'action="{url}"' not in html
        assert reverse("project_contract_pdf", args=[funded.pk]) in html
    for email in ("researcher2@example.org", "reviewer1@example.org", "business@example.org"):
        assert client_as(email).get(url).status_code == 403, email
    before = list(Contract.objects.filter(proposal=funded).values())
    response = client_as("officer@example.org").post(url, post_data(funded, number="99/2026"))
    assert response.status_code == 302
    assert client_as("manager@example.org").post(url, post_data(funded)).status_code == 403
    assert list(Contract.objects.filter(proposal=funded).values()) == before
    with pytest.raises(StateConflict):
        prepare(funded, officer)


def test_the_proposal_page_links_to_the_contract_instead_of_the_sign_button(
    client_as, funded, officer
):
    transition = reverse("proposal_transition", args=[funded.pk, "sign_contract"])
    html = client_as("officer@example.org").get(funded.get_absolute_url()).content.decode()
    assert contract_url(funded) in html and transition not in html
    owner = client_as("researcher@example.org").get(funded.get_absolute_url()).content.decode()
    assert contract_url(funded) not in owner
    contracting.sign(funded, officer, number=NUMBER, signed_on=decided(funded))
    for email in ("researcher@example.org", "manager@example.org"):
        html = client_as(email).get(funded.get_absolute_url()).content.decode()
        assert reverse("project_contract_pdf", args=[funded.pk]) in html, email


# -- the PDF ------------------------------------------------------------------------------------


@pytest.fixture
def signed(funded, officer):
    prepare(funded, officer)
    sign_contract(funded, by=officer)
    return Contract.objects.get(proposal=funded)


def test_the_contract_pdf_in_vietnamese(signed):
    from projects.documents import contract_pdf

    content = contract_pdf(signed)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    flat = " ".join(text.split())
    for name in ("Trần Văn Hùng", "Võ Văn Thắng", "Trần Văn Minh", NUMBER, "Giống lúa chịu mặn"):
        assert name in flat, name
    half = signed.approved_amount // 2
    for amount in (signed.approved_amount, half, signed.approved_amount - half):
        assert f"{amount:,} ₫".replace(",", ".") in flat
    for day in (signed.signed_on, signed.ends_on, signed.tranches.last().due_on):
        assert day.strftime("%d/%m/%Y") in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat and "Độc lập - Tự do - Hạnh phúc" in flat
    assert "HỢP ĐỒNG THỰC HIỆN NHIỆM VỤ KHOA HỌC VÀ CÔNG NGHỆ" in flat
    for article in range(1, 9):
        assert f"Điều {article}." in flat
    assert "Đại diện Bên A".upper() in flat and "Đại diện Bên B".upper() in flat
    assert len(pdf_pages(content)) == 3
    assert contract_pdf(signed) != b""  # renders again from the same record


def test_the_english_courtesy_translation(signed):
    from projects.documents import contract_pdf

    content = contract_pdf(signed, language="en")
    flat = " ".join(pdf_text(content).split())
    assert "Courtesy translation" in flat and "Article 8." in flat
    assert f"{signed.approved_amount:,} ₫" in flat  # 1,460,000,000 ₫ as English readers group
    assert signed.signed_on.strftime("%d/%m/%Y") in flat and NUMBER in flat
    assert "Party A" in flat and "Trần Văn Minh" in flat
    assert len(pdf_pages(content)) == 3


def test_the_pdf_urls_in_both_languages_for_the_parties_only(client_as, signed):
    url = reverse("project_contract_pdf", args=[signed.proposal_id])
    with translation.override("en"):
        english = reverse("project_contract_pdf", args=[signed.proposal_id])
    assert english.startswith("/en/") and url == f"/proposals/{signed.proposal_id}/contract.pdf"
    for email in ("researcher@example.org", "officer@example.org", "manager@example.org"):
        response = client_as(email).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert "Điều 1." in pdf_text(response.content)
    english_text = pdf_text(client_as("researcher@example.org").get(english).content)
    assert "Courtesy translation" in english_text
    for email in ("researcher2@example.org", "reviewer1@example.org", "business@example.org"):
        assert client_as(email).get(url).status_code == 403, email


def test_no_pdf_before_signing(client_as, funded, officer):
    prepare(funded, officer)
    url = reverse("project_contract_pdf", args=[funded.pk])
    assert client_as("officer@example.org").get(url).status_code == 404
    assert client_as("researcher2@example.org").get(url).status_code == 403


# -- amounts as people type them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1.460.000.000", 1_460_000_000),
        ("1,460,000,000", 1_460_000_000),  # as the English page shows it
        ("1 460 000 000 ₫", 1_460_000_000),
        ("1460000000 đồng", 1_460_000_000),
        ("730.000.000 VND", 730_000_000),
        ("0", 0),
        ("-1", -1),  # read, and refused by the workflow with its message
        ("", None),
    ],
)
def test_amounts_are_read_as_vietnamese_write_them(typed, amount):
    from projects.contract_forms import AmountField

    assert AmountField().clean(typed) == amount


@pytest.mark.parametrize(
    "typed", ["1.46.000", "1,5", "1.500,000", "1_000", "１２３", "1e9", "1,5 tỷ", "10" * 9]
)
def test_what_is_not_a_whole_number_of_dong_is_refused(typed):
    from django.core.exceptions import ValidationError

    from projects.contract_forms import AmountField

    with pytest.raises(ValidationError):
        AmountField().clean(typed)


def test_the_english_page_shows_amounts_that_save_again(client_as, funded, officer):
    prepare(funded, officer)
    client = client_as("officer@example.org")
    with translation.override("en"):
        url = contract_url(funded)
    html = client.get(url).content.decode()
    half = f"{funded.approved_amount // 2:,}"
    assert f'value="{half}"' in html
    data = post_data(funded, **{"tranches-0-amount": half})
    assert client.post(url, data).status_code == 302
    assert (
        Contract.objects.get(proposal=funded).tranches.first().amount == funded.approved_amount // 2
    )


def test_the_contract_downloaded_is_signed_by_the_department_and_always_the_same(signed, client_as):
    """The contract PDF is signed once (PAdES), registered, and verifies at /verify/; the
    English courtesy translation is a signed document of its own."""
    from core import signing
    from core.models import SignedDocument

    client = client_as("researcher@example.org")
    first = client.get(f"/proposals/{signed.proposal_id}/contract.pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    verdict = signing.verify_pdf(first.content)
    assert verdict.status == "valid" and verdict.department and verdict.whole_file
    document = signing.registered(verdict)
    assert (document.kind, document.number, document.dated) == (
        "contract", NUMBER, signed.signed_on,
    )  # fmt: skip
    assert client.get(f"/proposals/{signed.proposal_id}/contract.pdf").content == first.content
    english = client.get(f"/en/proposals/{signed.proposal_id}/contract.pdf").content
    assert english != first.content and signing.verify_pdf(english).status == "valid"
    assert SignedDocument.objects.filter(kind="contract").count() == 2
    page = client.post("/verify/", {"file": io.BytesIO(first.content)})
    assert NUMBER in page.content.decode()


def test_an_approved_change_makes_a_new_signed_edition(signed, client_as, user_by_email):
    from core import signing

    client = client_as("researcher@example.org")
    original = client.get(f"/proposals/{signed.proposal_id}/contract.pdf").content
    change = request_change(
        signed,
        by=user_by_email("researcher@example.org"),
        kind="investigator",
        reason="Chủ nhiệm đi học tập dài hạn ở nước ngoài.",
        new_investigator="Lê Thị Hồng Nhung",
    )
    approve_change(change, by=user_by_email("manager@example.org"))
    edition = client.get(f"/proposals/{signed.proposal_id}/contract.pdf").content
    assert edition != original
    assert "Lê Thị Hồng Nhung" in pdf_text(edition)
    assert signing.verify_pdf(edition).status == "valid"
    assert signing.verify_pdf(original).status == "valid"  # the first edition still verifies


def test_the_products_of_the_dossier_become_deliverables_by_line_or_semicolon(funded):
    funded.expected_products = "02 giống lúa; 01 quy trình canh tác;\n- 02 bài báo khoa học.\n\n"
    assert [row["name"] for row in deliverables_from_dossier(funded)] == [
        "02 giống lúa", "01 quy trình canh tác", "02 bài báo khoa học",
    ]  # fmt: skip
    funded.expected_products = ""
    assert deliverables_from_dossier(funded) == []


def test_an_officer_on_the_team_may_not_prepare_its_contract(funded, officer, client_as):
    """Four-eyes at the contract too: an officer who takes part in the task (here on its team)
    is refused at the workflow and on the page; nothing is saved."""
    from grants.models import TeamMember

    TeamMember.objects.create(
        proposal=funded, full_name="Nguyễn Văn Cán Bộ", organisation_name="Sở KH&CN", user=officer
    )
    with pytest.raises(PermissionDenied):
        prepare(funded, officer)
    response = client_as("officer@example.org").post(contract_url(funded), post_data(funded))
    assert response.status_code == 403
    assert not Contract.objects.filter(proposal=funded).exists()
