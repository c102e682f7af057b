"""The proposal's timeline (DESIGN.md: every transition and every execution step "shown as a
timeline on the proposal"): its own transitions, and the steps later apps record about it.

grants knows no app built on it, so those apps register a source here from their
`AppConfig.ready()` (projects adds its contract, tranche, report and change trail). A source is
a callable `source(proposal) -> iterable of Item`; it must read with a fixed number of queries
whatever the number of entries, so the proposal page costs the same for 2 steps or 200.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

_sources = []


@dataclass(frozen=True)
class Item:
    """One step in the timeline, whoever recorded it."""

    at: datetime
    label: str  # the step in words, translated
    actor: str  # who did it, by name ("" for the system)
    comment: str = ""
    record: str = ""  # what it was about ("from Submitted", "report 2", the contract number)


def register(source):
    """Add a source of timeline items (idempotent, so `ready()` may run twice in tests)."""
    if source not in _sources:
        _sources.append(source)
    return source


def actor_name(user):
    """The name shown for who acted: the profile's full name, else the e-mail; the system: ""."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)  # selected with the row: no query per entry
    return getattr(profile, "full_name", "") or user.email


def _transitions(proposal):
    entries = proposal.audit_entries.select_related("actor__profile").order_by("at", "pk")
    for entry in entries:
        yield Item(
            at=entry.at,
            label=entry.get_target_display(),
            actor=actor_name(entry.actor),
            comment=entry.comment,
            record=_("from %(state)s") % {"state": entry.get_source_display()},
        )


def entries(proposal):
    """Every step of the proposal, oldest first. At the same instant the steps a transition
    carries (written in its `apply`, as signing the contract is) come before the transition's
    own entry, as they were written; then each source in its order."""
    streams = [*(source(proposal) for source in _sources), _transitions(proposal)]
    ranked = [
        (item.at, rank, index, item)
        for rank, stream in enumerate(streams)
        for index, item in enumerate(stream)
    ]
    return [item for _at, _rank, _index, item in sorted(ranked, key=lambda row: row[:3])]
