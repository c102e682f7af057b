"""The acceptance dossier as the investigator fills it, and — until the council slice's own
function replaces it at merge — the council's verdict written straight onto the records (a TEST
helper only: app code never writes a verdict this way)."""

from django.utils import timezone

from grants.models import Proposal
from projects import acceptance as steps
from projects.models import Acceptance


def complete_values(acceptance):
    """Every part of the dossier, as the page posts it."""
    return {
        "final_report": "Nhiệm vụ đã lai tạo 12 dòng lúa chịu mặn và xây dựng quy trình canh tác.",
        "results": {
            str(d.pk): {
                "quantity": "Đạt 01 quy trình, đúng chỉ tiêu.",
                "quality": "Được Hội đồng khoa học cơ sở thông qua.",
                "note": "",
            }
            for d in acceptance.contract.deliverables.all()
        },
        "self_evaluation": "pass",
        "self_evaluation_note": "Các sản phẩm đạt đủ số lượng và chất lượng đã đăng ký.",
    }


def fill(acceptance, researcher, **changes):
    """The investigator saves the whole dossier (`changes` replace parts of it)."""
    return steps.save_acceptance_draft(
        acceptance, by=researcher, values=complete_values(acceptance) | changes
    )


def submit(acceptance, researcher, **changes):
    fill(acceptance, researcher, **changes)
    return steps.submit_acceptance(acceptance, by=researcher)


def decide(acceptance, verdict):
    """The council's verdict, as the council slice records it: the acceptance `decided` with
    its verdict, and the proposal's `acceptance_verdict`."""
    Acceptance.objects.filter(pk=acceptance.pk).update(
        state="decided", verdict=verdict, decided_at=timezone.now()
    )
    Proposal.objects.filter(pk=acceptance.contract.proposal_id).update(acceptance_verdict=verdict)
    return Acceptance.objects.select_related("contract__proposal").get(pk=acceptance.pk)
