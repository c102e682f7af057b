"""What the browser journey (tests/browser/test_execution_journey.py) found outside the browser:
the signed contract PDF names its file, "Đ" of the contract number included, the RFC 6266 way."""

from django.urls import reverse

from grants.models import Proposal


def test_the_signed_contract_pdf_names_its_file_with_the_number_in_utf8(client_as):
    proposal = Proposal.objects.get(state="in_progress", owner__email="researcher@example.org")
    number = proposal.contract.number
    assert not number.isascii()  # the demo's numbers carry "HĐ"
    response = client_as("researcher@example.org").get(
        reverse("project_contract_pdf", args=[proposal.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    header = response["Content-Disposition"]
    # Not Django's RFC 2047 fallback (=?utf-8?q?inline...?=), which browsers do not read.
    assert header.startswith("inline; filename*=utf-8''hop-dong-"), header
    assert "%C4%90" in header and header.endswith(".pdf"), header
