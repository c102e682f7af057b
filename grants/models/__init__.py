from grants.models.calls import CALL_CODE_RE, CallIndexPage, CallPage, CallStatus, CallTemplate
from grants.models.proposals import (
    Attachment,
    AuditEntry,
    BudgetLine,
    Proposal,
    ProposalState,
    ProposalVersion,
    ReceiptCounter,
    TeamMember,
)
from grants.models.review import Ballot, Contract, ReviewAssignment, Rubric, RubricCriterion

__all__ = [
    "CALL_CODE_RE",
    "Attachment",
    "AuditEntry",
    "Ballot",
    "BudgetLine",
    "CallIndexPage",
    "CallPage",
    "CallStatus",
    "CallTemplate",
    "Contract",
    "Proposal",
    "ProposalState",
    "ProposalVersion",
    "ReceiptCounter",
    "ReviewAssignment",
    "Rubric",
    "RubricCriterion",
    "TeamMember",
]
