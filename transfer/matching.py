"""Matching needs and technologies: text similarity plus sector and readiness fit, explained.

Text is compared on whole Vietnamese words (`core.words`: segmented by underthesea when the record
is saved, stored on the row as `words`) and on known phrases — two content words side by side in
both texts ("cảnh báo xâm nhập", "nấm bào ngư"). Stop words drop out. A word shared with its
diacritics counts fully; a word shared only in folded form (a text typed without accents, or
"nấm" against "nam") counts less, so an exact match ranks above a folded one. Candidates come
from the same sector and from the texts that share the need's rarest words, so that the work per
need stays bounded. Explanations list only whole words and phrases, as the texts wrote them.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import fold as fold_text
from core.words import has_diacritics, is_content, words_of

fold = lru_cache(maxsize=65536)(fold_text)  # the same words come back on every ranking
WEIGHTS = {"text": 0.75, "sector": 0.15, "trl": 0.10}
FOLDED = 0.6  # a word shared only without its diacritics
PHRASE = 1.0  # the extra weight of a shared phrase


@dataclass
class Terms:
    """The comparable parts of one text: content words as written (lower case), their folded
    forms (folded key → word), and phrases (pairs of content words side by side)."""

    exact: set
    folded: dict
    phrases: set


@lru_cache(maxsize=8192)
def terms(stored_words):
    """The terms of a stored word form (`Technology.words`, `TechnologyNeed.words`); cached by
    the text, so never changed by a caller."""
    words = words_of(stored_words)
    content = [w if is_content(w) else None for w in words]
    exact = {w for w in content if w}
    folded = {}
    for word in exact:
        folded.setdefault(fold(word), word)
    phrases = {(a, b) for a, b in zip(content, content[1:], strict=False) if a and b}
    if stored_words and not has_diacritics(stored_words):
        # Typed without accents, the segmenter cannot find the words: any run of two or three
        # syllables may be one, and counts when it is a whole word of the other text.
        syllables = " ".join(words).split()
        for n in (2, 3):
            for i in range(len(syllables) - n + 1):
                run = " ".join(syllables[i : i + n])
                if "|" not in run and is_content(run):
                    folded.setdefault(run, run)
    return Terms(exact, folded, phrases)


def weight_of(word, idf=None):
    """Rare words weigh more (idf over the candidates, by folded form); words of several
    syllables more than one syllable. A phrase (a pair of words) weighs as its rarer word."""
    if isinstance(word, tuple):
        return max(weight_of(part, idf) for part in word)
    base = idf.get(fold(word), 1.0) if idf else 1.0
    return base * (2.0 if " " in word else 1.0)


def similarity(a, b, idf=None):
    """Cosine-like overlap of two texts' terms. Returns (score, shared phrases, shared words
    as written, shared folded words) — the last two as {folded key: (word in a, word in b)}."""
    shared_phrases = a.phrases & b.phrases
    shared_exact = {fold(w): (w, w) for w in a.exact & b.exact}
    shared_folded = {}
    for key in a.folded.keys() & b.folded.keys() - shared_exact.keys():
        x, y = a.folded[key], b.folded[key]
        # a run of syllables of an accent-free text is shown as the other text's whole word
        x, y = (x if x in a.exact else y), (y if y in b.exact else x)
        # shown with diacritics when either text has them ("cá tra" rather than "ca tra")
        shared_folded[key] = (y if has_diacritics(y) and not has_diacritics(x) else x,
                              x if has_diacritics(x) and not has_diacritics(y) else y)  # fmt: skip

    def mass(t):
        return sum(weight_of(w, idf) for w in t.exact) + PHRASE * sum(
            weight_of(p, idf) for p in t.phrases
        )

    overlap = (
        sum(weight_of(w, idf) for w, _w in shared_exact.values())
        + FOLDED * sum(max(weight_of(x, idf), weight_of(y, idf)) for x, y in shared_folded.values())
        + PHRASE * sum(weight_of(p, idf) for p in shared_phrases)
    )
    size = math.sqrt(mass(a) * mass(b))
    return (min(1.0, overlap / size) if size else 0.0), shared_phrases, shared_exact, shared_folded


def inverse_frequencies(term_sets):
    """log(1 + N / df) of every folded word and phrase over a collection of Terms."""
    counts = {}
    for t in term_sets:
        for key in {fold(w) for w in t.exact} | t.folded.keys():
            counts[key] = counts.get(key, 0) + 1
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


def keywords(shared_phrases, shared_exact, shared_folded, idf=None, own_side=0):
    """Up to three shared whole words or phrases to show: phrases first (without the words they
    are made of), then words shared with their diacritics, then folded ones, the rarest first;
    a folded word is spelled as the record's own text (`own_side` 0) wrote it."""
    chosen, covered = [], set()
    # a phrase is shown when one of its words has several syllables ("cảnh báo xâm nhập"),
    # not for two single syllables that happen to meet ("mặn kênh")
    shown = [p for p in shared_phrases if " " in p[0] or " " in p[1]]
    for phrase in sorted(shown, key=lambda p: (-weight_of(p, idf), p)):
        if set(phrase) - covered:
            chosen.append(" ".join(phrase))
            covered |= set(phrase)
    for pool in (shared_exact, shared_folded):
        for key in sorted(pool, key=lambda k: (-weight_of(pool[k][0], idf), k)):
            word = pool[key][own_side]
            if word not in covered:
                chosen.append(word)
                covered.add(word)
    return chosen[:3]


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
    text, phrases, exact, folded = similarity(need_terms, tech_terms, idf)
    same_sector = need.sector_id == tech.sector_id
    total = (
        WEIGHTS["text"] * text
        + WEIGHTS["sector"] * (1.0 if same_sector else 0.0)
        + WEIGHTS["trl"] * trl_fit(tech.trl, need.desired_trl)
    )
    return total, (phrases, exact, folded), same_sector


def stored_words(record):
    """The record's stored words, segmented now if it has none yet (an unsaved record, or a
    row written in bulk)."""
    if not record.words:
        record.refresh_words()
    return record.words


def technologies_for(need, limit=5, candidates=None):
    """The published technologies that fit a need best, each with a one-line reason."""
    from transfer.models import Technology

    need_terms = terms(stored_words(need))
    if candidates is None:
        candidates = _candidates(
            Technology.objects.filter(state=Technology.State.PUBLISHED), need, need_terms
        )
    tech_terms = [terms(stored_words(tech)) for tech in candidates]
    return _best(need, need_terms, candidates, tech_terms, limit)


def needs_for(technology, limit=5, cap=60):
    """The published needs a technology answers best (the newest `cap` candidates)."""
    from transfer.models import TechnologyNeed

    tech_terms = terms(stored_words(technology))
    needs = TechnologyNeed.objects.filter(state=TechnologyNeed.State.PUBLISHED).select_related(
        "sector", "organisation"
    )
    candidates = list(
        (needs.filter(sector=technology.sector) | _sharing(needs, tech_terms)).order_by(
            "-created_at", "-pk"
        )[:cap]
    )
    need_terms = [terms(stored_words(need)) for need in candidates]
    return _best(technology, tech_terms, candidates, need_terms, limit)


def _best(record, record_terms, candidates, candidate_terms, limit):
    """The candidates ranked against `record` (a need or a technology; the candidates are of the
    other kind), best first, those sharing nothing left out, each explained in one line."""
    from transfer.models import TechnologyNeed

    idf = inverse_frequencies(candidate_terms)
    results = []
    record_is_need = isinstance(record, TechnologyNeed)
    for candidate, these in zip(candidates, candidate_terms, strict=True):
        if record_is_need:
            need, need_terms, tech, tech_terms = record, record_terms, candidate, these
        else:
            need, need_terms, tech, tech_terms = candidate, these, record, record_terms
        total, (phrases, exact, folded), same = score(need_terms, need, tech_terms, tech, idf)
        if not (phrases or exact or folded) and not same:
            continue
        shared = keywords(phrases, exact, folded, idf, own_side=0 if record_is_need else 1)
        reason = explain(shared, same, need.sector.label, tech.trl, need.desired_trl)
        results.append(Match(candidate, total, reason, shared, same))
    results.sort(key=lambda m: (-m.score, m.item.pk))
    return results[:limit]


def _rarest(words, several, limit):
    """Folded forms of `words` of several syllables (or of one), longest first, then
    alphabetical: the same choice in every process (sets are unordered)."""
    chosen = {fold(w) for w in words if (" " in w) == several}
    return sorted(chosen, key=lambda term: (-len(term), term))[:limit]


def _sharing(queryset, record_terms, limit_terms=12):
    """The rows whose folded text holds one of the record's words of several syllables (the
    folded text has a trigram index on PostgreSQL; the words are compared exactly later)."""
    from django.db.models import Q

    chosen = _rarest(record_terms.exact, True, limit_terms)
    if not chosen:
        return queryset.none()
    condition = Q()
    for word in chosen:
        condition |= Q(search_text__contains=word)
    return queryset.filter(condition)


def _candidates(technologies, need, need_terms, cap=400):
    """Texts sharing one of the need's words of several syllables, or of its one-syllable words
    in the same sector: the newest `cap` of them, so that the work per need stays bounded."""
    from django.db.models import Q

    technologies = technologies.select_related("sector").only(
        # `state` too: the state machine reads it when a record is built
        "title", "words", "trl", "state", "sector__name", "sector__name_en", "sector_id",
    )  # fmt: skip
    in_sector = Q()
    for word in _rarest(need_terms.exact, False, 5):
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
