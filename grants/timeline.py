"""The proposal's whole path on one timeline (DESIGN.md: every transition and every execution
step "shown as a timeline on the proposal"; issue 13: call, receipt, council score, decision,
contract, reports, tranches, acceptance, registration, listings, deals, transferred — each with
its document).

grants knows no app built on it, so those apps register here from their `AppConfig.ready()`:
- a *source*, `source(proposal, viewer) -> iterable of Item`: the steps they recorded (projects:
  contract, tranches, reports, changes, acceptance, registration; transfer: listings, deals);
- *documents*, `documents(proposal, viewer) -> {transition name: [Link]}`: the links they add to
  one of grants' own transitions (the acceptance page on `accept_results`, the deal on
  `mark_transferred`).
Each must read with a fixed number of queries whatever the number of entries, so the proposal
page costs the same for 2 steps or 200.

A link is shown only to a reader the linked page would let in: `Viewer` says who is reading,
`None` (no reader: the public, a report) gets no links at all.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from core import roles
from core.text import document_number
from grants import rules

_sources = []
_documents = []

STAFF = (roles.OFFICER, roles.MANAGER)


@dataclass(frozen=True)
class Link:
    """A document of a step: its address and what it is ("Receipt (PDF)")."""

    url: str
    label: str


@dataclass(frozen=True)
class Item:
    """One step in the timeline, whoever recorded it."""

    at: datetime
    label: str  # the step in words, translated
    actor: str  # who did it, by name ("" for the system)
    comment: str = ""
    record: str = ""  # what it was about ("from Submitted", "report 2", the contract number)
    links: tuple = ()  # the step's documents (Link), those this reader may open
    detail: str = ""  # a figure of the step for this reader ("aggregate score 82.50")
    milestone: str = ""  # which stage of the path (call, receipt, score, decision, contract …)


@dataclass(frozen=True)
class Run:
    """Steps of the same kind one after another (nine members invited to a council, each of
    them answering, each submitting grades): one line on the page, the steps behind it."""

    items: tuple

    @property
    def label(self):
        return self.items[0].label

    @property
    def milestone(self):
        return self.items[0].milestone

    @property
    def links(self):
        return self.items[0].links

    @property
    def first(self):
        return self.items[0]

    @property
    def last(self):
        return self.items[-1]


FOLD_AT = 3  # a run of this many steps of one kind, or more, is folded


def folded(items):
    """`items` with each run of `FOLD_AT` or more consecutive steps of the same label and the
    same documents (the acceptance page on each council step) folded into a `Run`, its
    documents shown once beside it; a step with a document of its own (a report, a PDF) ends the
    run and stays on its own line, so no document is ever one click further away."""
    out, run = [], []

    def flush():
        if len(run) >= FOLD_AT:
            out.append(Run(items=tuple(run)))
        else:
            out.extend(run)
        run.clear()

    for item in items:
        if run and (item.label, item.links) != (run[0].label, run[0].links):
            flush()
        run.append(item)
    flush()
    return out


@dataclass(frozen=True)
class Viewer:
    """Who reads the timeline, decided once per page: what each document's own page asks."""

    user: object
    is_owner: bool = False  # the applicant and principal investigator
    staff: bool = False  # an officer or a manager of the Department
    officer: bool = False
    sees_council: bool = False  # staff who take no part (grants.rules.may_see_ballots)

    @property
    def follows_execution(self):
        """The execution pages (contract, tranches, reports, registration): owner and staff."""
        return self.is_owner or self.staff


def viewer(proposal, user):
    """The reader `user` of `proposal`'s page (who may see the proposal at all)."""
    if user is None or not user.is_authenticated:
        return None
    staff = roles.has_role(user, *STAFF)
    return Viewer(
        user=user,
        is_owner=rules.is_owner(proposal, user),
        staff=staff,
        officer=roles.has_role(user, roles.OFFICER),
        sees_council=staff and rules.may_see_ballots(proposal, user),
    )


def register(source):
    """Add a source of timeline items (idempotent, so `ready()` may run twice in tests)."""
    if source not in _sources:
        _sources.append(source)
    return source


def register_documents(provider):
    """Add a provider of links for grants' own transitions (idempotent)."""
    if provider not in _documents:
        _documents.append(provider)
    return provider


def url_or_none(name, *args):
    """The address of the URL `name`, or None while no app defines it (a page of a slice that
    has not arrived yet is simply not linked)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def link(name, *args, label):
    """A Link to the URL `name`, or None when it cannot be reversed."""
    url = url_or_none(name, *args)
    return Link(url=url, label=str(label)) if url else None


def links(*candidates):
    return tuple(candidate for candidate in candidates if candidate is not None)


def actor_name(user):
    """The name shown for who acted: the profile's full name, else the e-mail; the system: ""."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)  # selected with the row: no query per entry
    return getattr(profile, "full_name", "") or user.email


# -- grants' own steps --------------------------------------------------------------------------

MILESTONES = {
    "submit": "receipt",
    "complete_review": "score",
    "fund": "decision",
    "reject": "decision",
    "sign_contract": "contract",
    "accept_results": "acceptance",
    "terminate": "acceptance",
    "mark_transferred": "transferred",
}


def _call(proposal, reader):
    """The call the proposal answered, from its opening (the call page is public)."""
    call = proposal.call.localized  # the English call page under /en/, where there is one
    url = call.url if reader is not None else None
    return Item(
        at=call.opens_at,
        label=_("Call for proposals opened"),
        actor="",
        record=call.code,
        links=(Link(url=url, label=call.title),) if url else (),
        milestone="call",
    )


def _own_documents(proposal, reader):
    """The documents grants issues, each for the readers its view lets in."""
    if reader is None:
        return {}
    found = {}
    if proposal.receipt_number:  # the receipt: anyone who may see the proposal
        found["submit"] = links(
            link("proposal_receipt", proposal.pk, label=_("Receipt (PDF)"))
        )  # fmt: skip
    if proposal.aggregate_score is not None and reader.sees_council:
        found["complete_review"] = links(
            link("proposal_minutes", proposal.pk, label=_("Council minutes (PDF)"))
        )
    if proposal.decision_number and (reader.is_owner or reader.staff):
        decision = links(
            link(
                "proposal_decision", proposal.pk,
                label=_("Decision %(number)s (PDF)")
                % {"number": document_number(proposal.decision_number)},
            )
        )  # fmt: skip
        found["fund"] = found["reject"] = decision
    return found


def _transitions(proposal, reader):
    documents = _own_documents(proposal, reader)
    if reader is not None:
        for provider in _documents:
            for name, extra in provider(proposal, reader).items():
                documents[name] = (*documents.get(name, ()), *extra)
    score = (
        _("aggregate score %(score)s") % {"score": proposal.aggregate_score}
        if reader is not None and reader.sees_council and proposal.aggregate_score is not None
        else ""
    )
    entries = proposal.audit_entries.select_related("actor__profile").order_by("at", "pk")
    for entry in entries:
        yield Item(
            at=entry.at,
            label=entry.get_target_display(),
            actor=actor_name(entry.actor),
            comment=entry.comment,
            record=_("from %(state)s") % {"state": entry.get_source_display()},
            links=tuple(documents.get(entry.transition, ())),
            detail=score if entry.transition == "complete_review" else "",
            milestone=MILESTONES.get(entry.transition, ""),
        )


def entries(proposal, user=None):
    """Every step of the proposal, oldest first, with the documents `user` may open (none
    without a user). At the same instant the steps a transition carries (written in its
    `apply`, as signing the contract is) come before the transition's own entry, as they were
    written; then each source in its order."""
    return _entries(proposal, viewer(proposal, user))


def _entries(proposal, reader):
    streams = [
        *(source(proposal, reader) for source in _sources),
        _transitions(proposal, reader),
    ]
    ranked = [
        (item.at, rank, index, item)
        for rank, stream in enumerate(streams)
        for index, item in enumerate(stream)
    ]
    return [item for _at, _rank, _index, item in sorted(ranked, key=lambda row: row[:3])]


def path(proposal, user=None):
    """The proposal's whole path for its page: the call's opening and the draft's creation,
    then every step (`entries`), oldest first."""
    reader = viewer(proposal, user)
    head = sorted(
        [
            _call(proposal, reader),
            Item(at=proposal.created_at, label=_("Draft created"), actor="", milestone="draft"),
        ],
        key=lambda item: item.at,
    )
    return [*head, *_entries(proposal, reader)]
