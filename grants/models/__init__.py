from grants.models.calls import CALL_CODE_RE, CallIndexPage, CallPage, CallStatus, CallTemplate
from grants.models.exports import QueueExport
from grants.models.proposals import (
    FUNDED_STATES,
    Attachment,
    AuditEntry,
    BudgetLine,
    Proposal,
    ProposalState,
    ProposalVersion,
    ReceiptCounter,
    TeamMember,
)
from grants.models.review import (
    AppraisalLine,
    Ballot,
    BudgetAppraisal,
    DocumentCounter,
    PriceQuote,
    ReviewAssignment,
    Rubric,
    RubricCriterion,
)

__all__ = [
    "QueueExport",
    "AppraisalLine",
    "BudgetAppraisal",
    "DocumentCounter",
    "PriceQuote",
    "CALL_CODE_RE",
    "Attachment",
    "AuditEntry",
    "Ballot",
    "BudgetLine",
    "CallIndexPage",
    "CallPage",
    "CallStatus",
    "CallTemplate",
    "FUNDED_STATES",
    "Proposal",
    "ProposalState",
    "ProposalVersion",
    "ReceiptCounter",
    "ReviewAssignment",
    "Rubric",
    "RubricCriterion",
    "TeamMember",
]
