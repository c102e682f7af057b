"""A council member's work beyond the selection councils, on their /reviews/ page.

grants knows no app built on it, so an app whose councils the same members sit on (projects:
the acceptance councils) registers a source here from its `AppConfig.ready()`, as for
`grants.timeline`. A source is a callable `source(user) -> iterable of Item`, reading with a
fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

_sources = []


@dataclass(frozen=True)
class Item:
    title: str  # what the member works on (the task's title)
    detail: str  # where it stands in words ("Acceptance council · Chair")
    step: str  # what the member does next, in words
    url: str
    waiting: bool  # the member has something to do now
    due_at: datetime | None = None


def register(source):
    """Add a source of assignments (idempotent, so `ready()` may run twice in tests)."""
    if source not in _sources:
        _sources.append(source)
    return source


def for_user(user):
    """Every registered assignment of `user`, the ones waiting for them first."""
    items = [item for source in _sources for item in source(user)]
    return sorted(items, key=lambda item: (not item.waiting, item.due_at is None, item.due_at or 0))
