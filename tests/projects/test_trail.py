"""The project's trail keeps a long label's first 40 characters instead of failing the step
(PostgreSQL refuses a longer value; SQLite would have stored it whole)."""

import pytest

from grants.models import Proposal
from projects.workflow import trail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("length", "kept"), [(39, 39), (40, 40), (41, 40)])
def test_a_record_label_is_kept_up_to_its_column(length, kept):
    proposal = Proposal.objects.filter(state="in_progress").first()
    entry = trail(proposal, "acceptance_replace", by=None, record="ư" * length)
    entry.refresh_from_db()
    assert entry.record == "ư" * kept
