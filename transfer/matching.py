"""Matching needs and technologies: text similarity plus sector and readiness fit, explained.

Text is compared on folded syllables (no case, no diacritics) and on pairs of consecutive
syllables, since Vietnamese words are mostly two syllables ("cá tra", "chịu mặn"). A pair shared
by both texts weighs more than a single syllable. Candidates come from the same sector and from
the texts that share the need's rarest pairs, so that the work per need stays bounded.
"""

import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import fold

# Frequent syllables that say nothing about a technology.
STOP = {
    "cua",
    "cho",
    "va",
    "cac",
    "trong",
    "tren",
    "duoc",
    "nhung",
    "mot",
    "voi",
    "tai",
    "den",
    "nam",
    "lam",
    "khi",
    "co",
    "la",
    "de",
    "the",
    "nay",
    "tu",
    "theo",
    "ve",
    "nhu",
    "hon",
    "can",
    "tang",
    "giam",
    "cao",
    "thap",
    "moi",
    "ra",
    "vao",
    "sau",
    "truoc",
    "bang",
    "khong",
    "da",
    "dang",
    "se",
    "rat",
    "nhieu",
    "it",
    "so",
    "nguoi",
    "viec",
    "nha",
    "cong",
    "ty",
    "ho",
    "tro",
    "phu",
    "hop",
    "dung",
    "su",
}
WEIGHTS = {"text": 0.75, "sector": 0.15, "trl": 0.10}


def terms(text, folded=False):
    """Folded syllables (3+ letters, not stop words) and syllable pairs of a text."""
    words = [w.strip(".,;:()“”\"'!?%‰|") for w in (text if folded else fold(text)).split()]
    words = [w for w in words if w]
    singles = {w for w in words if len(w) >= 3 and w not in STOP and not w.isdigit()}
    pairs = {
        f"{a} {b}"
        for a, b in zip(words, words[1:], strict=False)
        if not (a in STOP and b in STOP) and not (a.isdigit() or b.isdigit())
    }
    return singles, pairs


def vietnamese(search_text, limit=1500):
    """The Vietnamese part of a technology's search text (its English version is left out:
    needs are written in Vietnamese), at most `limit` characters."""
    from transfer.models import ENGLISH_MARK

    return search_text.split(ENGLISH_MARK, 1)[0][:limit]


def similarity(a, b, idf=None):
    """Cosine-like overlap of two term sets, pairs counting double and rare terms (high `idf`)
    more than common ones. Returns (score, shared pairs, shared syllables)."""
    weight = (lambda term: idf.get(term, 1.0)) if idf else (lambda term: 1.0)
    singles_a, pairs_a = a
    singles_b, pairs_b = b
    shared_pairs = pairs_a & pairs_b
    shared_singles = singles_a & singles_b

    def mass(singles, pairs):
        return 2 * sum(weight(t) for t in pairs) + sum(weight(t) for t in singles)

    overlap = mass(shared_singles, shared_pairs)
    size = math.sqrt(mass(singles_a, pairs_a) * mass(singles_b, pairs_b))
    return (overlap / size if size else 0.0), shared_pairs, shared_singles


def inverse_frequencies(term_sets):
    """log(1 + N / df) of every term over a collection of (singles, pairs)."""
    counts = {}
    for singles, pairs in term_sets:
        for term in singles | pairs:
            counts[term] = counts.get(term, 0) + 1
    total = len(term_sets) or 1
    return {term: math.log(1 + total / df) for term, df in counts.items()}


@dataclass
class Match:
    item: object
    score: float
    reason: str
    keywords: list
    same_sector: bool


def trl_fit(trl, desired):
    return 1.0 if trl >= desired else max(0.0, 1 - 0.25 * (desired - trl))


def spelling(text):
    """folded syllable or pair → how the text wrote it ("ca" → "cá", "bao quan" → "bảo quản"),
    to show keywords as written. Pairs are kept whole: "màng bao" and "bảo quản" fold alike."""
    words = [word.strip(".,;:()“”\"'!?%‰|") for word in text.lower().split()]
    words = [word for word in words if word]
    mapping = {}
    for word in words:
        mapping.setdefault(fold(word), word)
    for first, second in zip(words, words[1:], strict=False):
        mapping.setdefault(f"{fold(first)} {fold(second)}", f"{first} {second}")
    return mapping


def keywords(shared_pairs, shared_singles, written=None):
    """Up to three shared terms to show, pairs first, spelled as the text wrote them."""
    chosen = sorted(shared_pairs)[:3] or sorted(shared_singles)[:3]
    if written:
        chosen = [written.get(k) or " ".join(written.get(s, s) for s in k.split()) for k in chosen]
    return chosen


def explain(shared, same_sector, sector_label, trl, desired):
    """The one line under a match: shared keywords, sector, readiness against the wish."""
    parts = []
    if shared:
        parts.append(_("shared keywords: %(words)s") % {"words": ", ".join(shared)})
    if same_sector:
        parts.append(_("same sector (%(sector)s)") % {"sector": sector_label})
    if trl >= desired:
        parts.append(_("TRL %(trl)d ≥ %(desired)d wanted") % {"trl": trl, "desired": desired})
    else:
        parts.append(
            _("TRL %(trl)d, below the %(desired)d wanted") % {"trl": trl, "desired": desired}
        )
    return " · ".join(parts)


def score(need_terms, need, tech_terms, tech, idf=None):
    text, pairs, singles = similarity(need_terms, tech_terms, idf)
    same_sector = need.sector_id == tech.sector_id
    total = (
        WEIGHTS["text"] * text
        + WEIGHTS["sector"] * (1.0 if same_sector else 0.0)
        + WEIGHTS["trl"] * trl_fit(tech.trl, need.desired_trl)
    )
    return total, pairs, singles, same_sector


def technologies_for(need, limit=5, candidates=None):
    """The published technologies that fit a need best, each with a one-line reason."""
    from transfer.models import Technology

    need_terms = terms(f"{need.title} {need.problem}")
    written = spelling(f"{need.title} {need.problem}")
    if candidates is None:
        candidates = _candidates(
            Technology.objects.filter(state=Technology.State.PUBLISHED), need, need_terms
        )
    tech_terms = [terms(vietnamese(tech.search_text), folded=True) for tech in candidates]
    return _best(need, need_terms, candidates, tech_terms, written, limit)


def needs_for(technology, limit=5, cap=60):
    """The published needs a technology answers best (the newest `cap` candidates)."""
    from transfer.models import TechnologyNeed

    tech_terms = terms(vietnamese(technology.search_text), folded=True)
    written = spelling(f"{technology.title} {technology.summary}")
    needs = TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED).select_related(
        "sector", "organisation"
    )
    candidates = list(
        (needs.filter(sector=technology.sector) | _sharing(needs, tech_terms)).order_by(
            "-created_at", "-pk"
        )[:cap]
    )
    need_terms = [terms(need.search_text, folded=True) for need in candidates]
    return _best(technology, tech_terms, candidates, need_terms, written, limit)


def _best(record, record_terms, candidates, candidate_terms, written, limit):
    """The candidates ranked against `record` (a need or a technology; the candidates are of the
    other kind), best first, those sharing nothing left out, each explained in one line."""
    from transfer.models import TechnologyNeed

    idf = inverse_frequencies(candidate_terms)
    results = []
    for candidate, these in zip(candidates, candidate_terms, strict=True):
        if isinstance(record, TechnologyNeed):
            need, need_terms, tech, tech_terms = record, record_terms, candidate, these
        else:
            need, need_terms, tech, tech_terms = candidate, these, record, record_terms
        total, pairs, singles, same = score(need_terms, need, tech_terms, tech, idf)
        if not (pairs or singles) and not same:
            continue
        shared = keywords(pairs, singles, written)
        reason = explain(shared, same, need.sector.label, tech.trl, need.desired_trl)
        results.append(Match(candidate, total, reason, shared, same))
    results.sort(key=lambda m: (-m.score, m.item.pk))
    return results[:limit]


def _sharing(queryset, term_sets, limit_terms=12):
    from django.db.models import Q

    _singles, pairs = term_sets
    # Longest first, then alphabetical: the same choice in every process (sets are unordered).
    chosen = sorted(pairs, key=lambda term: (-len(term), term))[:limit_terms]
    if not chosen:
        return queryset.none()
    condition = Q()
    for pair in chosen:
        condition |= Q(search_text__contains=pair)
    return queryset.filter(condition)


def _candidates(technologies, need, need_terms, cap=400):
    """Texts sharing one of the need's syllable pairs, or of its syllables in the same sector:
    the newest `cap` of them, so that the work per need stays bounded."""
    from django.db.models import Q

    singles, _pairs = need_terms
    technologies = technologies.select_related("sector").only(
        # `state` too: the state machine reads it when a record is built
        "title", "search_text", "trl", "state", "sector__name", "sector__name_en", "sector_id",
    )  # fmt: skip
    in_sector = Q()
    for word in sorted(singles, key=lambda term: (-len(term), term))[:5]:
        in_sector |= Q(search_text__contains=word)
    sharing = _sharing(technologies, need_terms).values("pk")
    chosen = technologies.filter(Q(pk__in=sharing) | (Q(sector=need.sector) & in_sector))
    return list(chosen.order_by("-published_at", "-pk")[:cap])


# -- stored rankings ------------------------------------------------------------------------------
# Comparing texts costs tens of milliseconds; pages read the rankings stored below instead. They
# are refreshed in the background when a technology or a need is published (transfer.tasks), and
# all at once by `manage.py refresh_matches`. A record never ranked yet is computed on the spot.

KEPT = 5  # rows kept per list: the pages show three, the digest three


def _store(side, owner, found):
    from transfer.models import Match as Stored

    field = "need" if side == Stored.Side.NEED else "technology"
    other = "technology" if field == "need" else "need"
    Stored.objects.filter(side=side, **{field: owner}).delete()
    Stored.objects.bulk_create(
        Stored(
            side=side, **{field: owner, other: match.item}, rank=rank, score=match.score,
            keywords=match.keywords, same_sector=match.same_sector,
        )
        for rank, match in enumerate(found, start=1)
    )  # fmt: skip
    type(owner).objects.filter(pk=owner.pk).update(matched_at=timezone.now())


def store(owner):
    """Rank and store the list of `owner` — a technology's needs or a need's technologies (empty
    once it is no longer published); returns the ranking."""
    from transfer.models import Match as Stored
    from transfer.models import Technology

    if isinstance(owner, Technology):
        side, rank = Stored.Side.TECHNOLOGY, needs_for
    else:
        side, rank = Stored.Side.NEED, technologies_for
    found = rank(owner, limit=KEPT) if owner.state == "published" else []
    with transaction.atomic():
        _store(side, owner, found)
    return found


def refresh_need(need):
    """A need was published: its own list, and the lists of the technologies it reaches (so that
    it appears on their pages)."""
    for match in store(need):
        store(match.item)


def refresh_technology(technology):
    """A technology was published or changed: its own list, and the lists of the needs it answers."""
    for match in store(technology):
        store(match.item)


def refresh_all():
    """Rank and store every published need's and technology's list; returns the two counts."""
    from transfer.models import Technology, TechnologyNeed

    needs = TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED)
    technologies = Technology.objects.filter(state=Technology.State.PUBLISHED)
    for record in needs.select_related("sector").iterator():
        store(record)
    for record in technologies.select_related("sector").iterator():
        store(record)
    return needs.count(), technologies.count()


def shown_for_technology(technology, limit=3):
    """The needs listed on a technology's page: stored, or computed when never ranked."""
    from transfer.models import Match as Stored
    from transfer.models import TechnologyNeed

    if technology.matched_at is None:
        return needs_for(technology, limit=limit)
    rows = list(
        technology.matches.filter(
            side=Stored.Side.TECHNOLOGY, need__state=TechnologyNeed.State.PUBLISHED
        ).select_related("need__sector")[:limit]
    )
    for row in rows:
        row.technology = technology
    return rows


def shown_for_needs(needs, limit=3):
    """{need pk: its best technologies} for a page of needs, in one query for those ranked."""
    from transfer.models import Match as Stored
    from transfer.models import Technology

    ranked = [need for need in needs if need.matched_at is not None]
    shown = {need.pk: [] for need in ranked}
    rows = (
        Stored.objects.filter(
            side=Stored.Side.NEED, need__in=ranked, technology__state=Technology.State.PUBLISHED
        )
        .select_related("technology", "technology__sector")
        .order_by("need", "rank")
    )
    by_pk = {need.pk: need for need in ranked}
    for row in rows:
        if len(shown[row.need_id]) < limit:
            row.need = by_pk[row.need_id]
            shown[row.need_id].append(row)
    for need in needs:
        if need.matched_at is None:
            shown[need.pk] = technologies_for(need, limit=limit)
    return shown
