"""Catalog search: `search(SearchQuery) -> SearchResults`, the same on PostgreSQL and SQLite.

A search is three steps:

1. **Words** (`query.py`): the text becomes groups of index terms, with typo and prefix tolerance,
   read against the vocabulary the snapshot holds in memory.
2. **Text** (`backends.py`): one statement to the database's full-text index (PostgreSQL tsvector
   + GIN, SQLite FTS5) returns the documents that have every word, and for each word the ones
   that have it in the title or in an ESCO skill label. The long fields (learning outcomes, and
   the whole text of a word with several alternatives) are read in a second statement, for a
   relevance page only among the results that can still reach it (`_Search.classes`), or with
   the rest when the vocabulary says the words' documents are few. Each part's documents are kept
   while the index is unchanged.
3. **Everything else** on the in-memory snapshot of the index (`snapshot.py`): filters, facet
   counts, ranking and ordering are operations on sets of document ids held as bitsets, so their
   cost does not grow with the number of matches, and they are the same Python on both databases.

Ranking (relevance): a document must match every query word. Each word scores its rarity points ×
the best place it was found × how it was found:

    title 10  >  ESCO skill labels 5  >  learning outcomes 3  >  description and the rest 1
    (+1 when a word in the title or a skill label is also in a learning outcome)
    the word's own forms 100  >  a prefix of an unfinished word 80  >  a typo correction 60

and a document whose title contains every query word gets a bonus that grows as the title gets
shorter (the query "tietoturva" puts "Tietoturva" before "Tietoturva ja riskienhallinta").
Ties go to the shorter title, then to the older micro-credential (smaller id).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.catalog.models import LearningOutcome, MicroCredentialVersion
from osaamo.catalog.search import bitsets, snapshot
from osaamo.catalog.search.analysis import DEFAULT_ANALYZER, LANGUAGES, Analyzer, word_spans
from osaamo.catalog.search.backends import Field, current_backend, union
from osaamo.catalog.search.facets import ECTS_RANGES, FacetName
from osaamo.catalog.search.query import Alternative, Group, ParsedQuery, parse
from osaamo.catalog.search.snapshot import Slot, Snapshot
from osaamo.translation import current_language, translated, translated_language

FIELD_WEIGHTS: tuple[tuple[Field, int], ...] = (
    (Field.TITLE, 10), (Field.SKILLS, 5), (Field.OUTCOMES, 3), (Field.ALL, 1),
)
OUTCOME_SUPPORT = 1  # weight added when a word in the title or a skill label is also in an outcome
TITLE_BONUS = 500
MAX_LIMIT = 100
MAX_OFFSET = 100_000
SNIPPET_LENGTH = 180


class Sort(StrEnum):
    RELEVANCE = "relevance"
    START = "start"
    PRICE = "price"
    ECTS = "ects"
    NEWEST = "newest"

    @property
    def label(self) -> Any:
        return SORT_LABELS[self]


SORT_LABELS = {
    Sort.RELEVANCE: _("Best match"),
    Sort.START: _("Starts soonest"),
    Sort.PRICE: _("Lowest price"),
    Sort.ECTS: _("Smallest scope (ECTS)"),
    Sort.NEWEST: _("Newest"),
}


@dataclass(frozen=True)
class SearchQuery:
    """What to search for. Every filter given must hold; offering filters for one and the same offering."""

    text: str = ""
    ects_min: Decimal | None = None
    ects_max: Decimal | None = None
    eqf_levels: tuple[int, ...] = ()
    isced: str = ""  # a broad, narrow or detailed ISCED-F code: that field and everything under it
    language: str = ""  # of the specification or of one of its offerings
    mode: str = ""  # an upcoming offering in this mode
    provider: str = ""  # slug: the owner or a co-provider
    price: str = ""  # "free" or "paid": an upcoming offering at that price for individuals
    starts_after: date | None = None  # an upcoming offering starting on or after this day
    start_month: str = ""  # "YYYY-MM": an upcoming offering starting that month
    skills: tuple[str, ...] = ()  # ESCO URIs: aligned to at least one of them
    typing: bool = False  # the text is being typed (search as you type): the last word is also a prefix
    sort: Sort = Sort.RELEVANCE
    offset: int = 0
    limit: int = 20
    facets: bool = True
    today: date | None = None  # the clock, for tests


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool = False


@dataclass
class Hit:
    version_id: int
    micro_credential_id: int
    score: int
    title: list[Segment] = field(default_factory=list)
    snippet: list[Segment] = field(default_factory=list)


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    parsed: ParsedQuery

    @property
    def version_ids(self) -> list[int]:
        return [hit.version_id for hit in self.hits]


def _month_bounds(month: str) -> tuple[date, date] | None:
    try:
        year, number = (int(part) for part in month.split("-", 1))
        start = date(year, number, 1)
    except (TypeError, ValueError):
        return None
    return start, (start + timedelta(days=32)).replace(day=1)


def _tenths(value: Decimal, *, upper: bool) -> int:
    scaled = value * 10
    return math.floor(scaled) if upper else math.ceil(scaled)


class _Plan:
    """One search over one snapshot."""

    def __init__(self, query: SearchQuery, parsed: ParsedQuery, snap: Snapshot) -> None:
        self.query = query
        self.parsed = parsed
        self.snap = snap
        self.filters: dict[str, int] = {}  # facet name (or "offering") → documents that pass
        self.offering: dict[str, Any] = {}  # offering facet → the condition's value
        self._collect_filters()

    # --- filters ----------------------------------------------------------------------------------

    def _collect_filters(self) -> None:
        query, snap = self.query, self.snap
        if query.ects_min is not None or query.ects_max is not None:
            low = _tenths(query.ects_min, upper=False) if query.ects_min is not None else None
            high = _tenths(query.ects_max, upper=True) if query.ects_max is not None else None
            self.filters[FacetName.ECTS] = bitsets.union(
                bits for tenths, bits in snap.ects.items()
                if (low is None or tenths >= low) and (high is None or tenths <= high)
            )
        if query.eqf_levels:
            self.filters[FacetName.EQF_LEVEL] = bitsets.union(snap.eqf.get(int(level), 0) for level in query.eqf_levels)
        if query.isced:
            code = query.isced.strip()
            self.filters[FacetName.ISCED] = snap.isced(code) if code.isdigit() and len(code) <= 4 else 0
        if query.language:
            self.filters[FacetName.LANGUAGE] = snap.language.get(query.language.strip(), 0)
        if query.provider:
            self.filters[FacetName.PROVIDER] = snap.provider.get(query.provider.strip(), 0)
        if query.mode:
            self.offering[FacetName.MODE] = query.mode
        if query.price:
            self.offering[FacetName.PRICE] = query.price
        if query.start_month:
            self.offering[FacetName.START_MONTH] = _month_bounds(query.start_month)
        if query.starts_after:
            self.offering["starts_after"] = query.starts_after
        if self.offering:
            self.filters["offering"] = self.offering_documents()

    def _slot_condition(self, slot: Slot, name: str, value: Any) -> int:
        if name == FacetName.MODE:
            return slot.mode.get(value, 0)
        if name == FacetName.PRICE:
            return slot.free if value == "free" else slot.paid if value == "paid" else 0
        if name == FacetName.START_MONTH:
            if value is None:
                return 0
            return slot.starting_on_or_after(value[0]) & ~slot.starting_on_or_after(value[1])
        if name == "starts_after":
            return slot.starting_on_or_after(value)
        raise ValueError(name)

    def slot_matches(self, slot: Slot, *, without: str = "") -> int:
        """The documents whose offering in this slot meets every offering condition (but `without`)."""
        bits = slot.present
        for name, value in self.offering.items():
            if name != without:
                bits &= self._slot_condition(slot, name, value)
        return bits

    def offering_documents(self, *, without: str = "", extra: tuple[str, Any] | None = None) -> int:
        """Documents with one upcoming offering that meets every offering condition (and `extra`)."""
        result = 0
        for slot in self.snap.slots:
            bits = self.slot_matches(slot, without=without)
            if extra is not None:
                bits &= self._slot_condition(slot, *extra)
            result |= bits
        return result

    def passing(self, base: int, *, without: str = "", version_level_only: bool = False) -> int:
        for name, bits in self.filters.items():
            if name != without and not (version_level_only and name == "offering"):
                base &= bits
        return base

    # --- facets -----------------------------------------------------------------------------------

    def facets(self, matched: int) -> dict[str, dict[str, int]]:
        snap = self.snap
        facets: dict[str, dict[str, int]] = {}

        def counted(name: str, values: dict[Any, int], key: Any = str) -> None:
            base = self.passing(matched, without=name)
            counts = {}
            for value, bits in values.items():
                count = (base & bits).bit_count()
                if count:
                    counts[key(value)] = count
            facets[name] = counts

        ranges = {item.key: bitsets.union(bits for tenths, bits in snap.ects.items()
                                          if (item.low is None or tenths >= item.low * 10)
                                          and (item.high is None or tenths <= item.high * 10))
                  for item in ECTS_RANGES}
        counted(FacetName.ECTS, ranges)
        counted(FacetName.EQF_LEVEL, snap.eqf)
        counted(FacetName.ISCED, snap.isced_broad)
        counted(FacetName.LANGUAGE, snap.language)
        counted(FacetName.PROVIDER, snap.provider)

        base = self.passing(matched, version_level_only=True)
        modes = sorted({mode for slot in snap.slots for mode in slot.mode})
        months = sorted({month for slot in snap.slots for month in slot.month})
        for name, values in ((FacetName.MODE, modes), (FacetName.PRICE, ["free", "paid"]),
                             (FacetName.START_MONTH, months)):
            counts = {}
            for value in values:
                condition = _month_bounds(value) if name == FacetName.START_MONTH else value
                count = (base & self.offering_documents(without=name, extra=(name, condition))).bit_count()
                if count:
                    counts[value] = count
            facets[name] = counts
        return facets

    # --- ordering ---------------------------------------------------------------------------------

    def relevance_classes(self, results: int, sets: dict[int, int], labels: dict[tuple[int, int, Field], int]
                          ) -> list[tuple[int, int, int]]:
        """[(score, title length, documents)] best first: every result is in exactly one."""
        groups = self.parsed.groups
        snap = self.snap
        if not groups:
            return [(0, length, results & bits) for length, bits in sorted(snap.title_length.items())
                    if results & bits]
        combos: list[tuple[int, int, bool]] = [(0, results, True)]
        for g, group in enumerate(groups):
            places = self._places(g, group, results, sets, labels)
            next_combos = []
            for score, bits, in_title in combos:
                for product, place_bits, place_is_title in places:
                    part = bits & place_bits
                    if part:
                        next_combos.append((score + group.points * product, part, in_title and place_is_title))
            combos = next_combos
        count = len(groups)
        bonus = sum(group.points for group in groups) * TITLE_BONUS * count
        classes: list[tuple[int, int, int]] = []
        for score, bits, in_title in combos:
            for length, length_bits in snap.title_length.items():
                part = bits & length_bits
                if part:
                    extra = bonus // max(length, count) if in_title else 0
                    classes.append((score + extra, length, part))
        classes.sort(key=lambda item: (-item[0], item[1]))
        return classes

    @staticmethod
    def _places(g: int, group: Group, results: int, sets: dict[int, int],
                labels: dict[tuple[int, int, Field], int]) -> list[tuple[int, int, bool]]:
        """[(weight × quality, documents, in the title)] for one word: each result in its best place.

        A word found in the title or a skill label and also in a learning outcome scores one point
        of weight more: the outcomes confirm what the micro-credential is about.
        """
        pairs = sorted(
            ((weight * alternative.quality, a, kind) for kind, weight in FIELD_WEIGHTS
             for a, alternative in enumerate(group.alternatives)),
            key=lambda pair: -pair[0],
        )
        in_outcomes = bitsets.union(
            sets.get(labels[(g, a, Field.OUTCOMES)], 0) for a in range(len(group.alternatives))
            if (g, a, Field.OUTCOMES) in labels
        )
        places: list[tuple[int, int, bool]] = []
        left = results
        for product, a, kind in pairs[:-1]:
            label = labels.get((g, a, kind))
            bits = left & sets.get(label, 0) if label is not None else 0
            if not bits:
                continue
            left &= ~bits
            quality = group.alternatives[a].quality
            if kind in (Field.TITLE, Field.SKILLS):
                supported = bits & in_outcomes
                if supported:
                    places.append((product + OUTCOME_SUPPORT * quality, supported, kind == Field.TITLE))
                bits &= ~in_outcomes
            if bits:
                places.append((product, bits, kind == Field.TITLE))
        if left:  # it matched the word somewhere: the last place left
            places.append((pairs[-1][0], left, False))
        return places

    def ordered(self, results: int, classes: list[tuple[int, int, int]]) -> Iterator[tuple[int, int]]:
        """(document id, score) of the results in the order asked for."""
        sort = self.query.sort
        if sort == Sort.RELEVANCE and not self.parsed.groups:
            sort = Sort.NEWEST
        if sort == Sort.NEWEST:
            data = bitsets.to_bytes(results)
            scores = _ScoreOf(classes)
            for pk in self.snap.newest:
                if bitsets.contains(data, pk):
                    yield pk, scores(pk)
            return
        if sort == Sort.RELEVANCE:
            yield from _by_classes(results, classes)
            return
        taken = 0
        for bucket in self._buckets(results):
            part = bucket & results & ~taken
            if part:
                yield from _by_classes(part, classes)
                taken |= part
        yield from _by_classes(results & ~taken, classes)  # no value: last

    def _buckets(self, results: int) -> Iterator[int]:
        snap = self.snap
        if self.query.sort == Sort.ECTS:
            for _, bits in sorted(snap.ects.items()):
                yield bits
            return
        slots = [(slot, self.slot_matches(slot) & results) for slot in snap.slots]
        values: list[Any]
        by_slot: list[tuple[dict[Any, int], int]]
        if self.query.sort == Sort.START:
            values = sorted({start for slot, _ in slots for start, _ in slot.starts})
            by_slot = [(dict(slot.starts), bits) for slot, bits in slots]
        else:
            values = sorted({cents for slot, _ in slots for cents, _ in slot.prices})
            by_slot = [(dict(slot.prices), bits) for slot, bits in slots]
        for value in values:
            yield bitsets.union(per_value.get(value, 0) & bits for per_value, bits in by_slot)


class _ScoreOf:
    def __init__(self, classes: list[tuple[int, int, int]]) -> None:
        self.classes = classes

    def __call__(self, pk: int) -> int:
        for score, _length, bits in self.classes:
            if bits >> pk & 1:
                return score
        return 0


def _key_at(classes: list[tuple[int, int, int]], position: int) -> tuple[int, int]:
    """(score, title length) of the result at `position` (1-based) in the classes' order (the last one's
    if there are fewer): with the id, what orders results of equal score."""
    seen = 0
    for score, length, bits in classes:
        seen += bits.bit_count()
        if seen >= position:
            return score, length
    return (classes[-1][0], classes[-1][1]) if classes else (0, 0)


def _by_classes(bits: int, classes: list[tuple[int, int, int]]) -> Iterator[tuple[int, int]]:
    for score, _length, class_bits in classes:
        part = bits & class_bits
        if part:
            for pk in bitsets.iter_ids(part):
                yield pk, score


def _empty_facets() -> dict[str, dict[str, int]]:
    return {name: {} for name in FacetName.ALL}


# Learning outcomes, and the whole text of words with several alternatives, are long: for a common
# word they hold thousands of documents. They only move documents within the ranking, so for the
# first page of a relevance search they are read for the few documents that can still reach it.
DEFERRED_FIELDS = (Field.OUTCOMES, Field.ALL)
BOUNDED_WINDOW = 200  # positions up to which a relevance search reads the deferred fields by candidates
BOUNDED_CANDIDATES = 2_000  # more candidates than this: the deferred fields are read whole


@dataclass
class _Part:
    label: int
    key: tuple[Any, ...]
    sql: str
    params: list[Any]


FEW_DOCUMENTS = 500


def _estimate(parsed: ParsedQuery, snap: Snapshot) -> int:
    """At most how many documents have every word (by the vocabulary's counts; a prefix: any number)."""
    return min((snap.size if group.prefixes else sum(snap.vocabulary.get(term, 0) for term in group.terms)
                for group in parsed.groups), default=0)


def _fetch(parts: Sequence[_Part], snap: Snapshot, *, within: int | None = None) -> dict[int, int]:
    """{label: documents} of the parts in one statement; `within`: only among these documents."""
    backend = current_backend()
    ids = list(bitsets.iter_ids(within)) if within is not None else None
    shaped = [(part.label, *(backend.within(part.sql, part.params, ids) if ids is not None
                             else (part.sql, part.params))) for part in parts]
    text, values = union(shaped)
    settings = [*backend.settings]
    if ids is not None and len(ids) > backend.WITHIN_BITMAP:
        settings += backend.within_settings
    with connection.cursor() as cursor:
        cursor.execute("".join(f"{setting}; " for setting in settings) + text
                       + "".join(f"; {reset}" for reset in backend.resets), values)
        while cursor.description is None and cursor.nextset():
            pass  # past the settings' results
        rows = cursor.fetchall()
    by_label: dict[int, list[tuple[int, int]]] = {}
    for label, word, bits in rows:
        by_label.setdefault(int(label), []).append((int(word), int(bits)))
    # A document indexed after the snapshot was read is not public yet: left out (beyond its size).
    return {label: bitsets.from_words(words, snap.size) for label, words in by_label.items()}


def _keep(parts: Sequence[_Part], found: dict[int, int]) -> None:
    with _cache_lock:
        for part in parts:
            snapshot.matches[part.key] = found.get(part.label, 0)
        while len(snapshot.matches) > KEEP_MATCHES:
            snapshot.matches.popitem(last=False)


class _TextMatches:
    """Which documents have the query's words, and where.

    `matched`: the documents with every word. `sets`: {label: documents} of the parts read so far,
    within `matched`; `labels`: {(word, alternative, field): label}; `deferred`: the parts of long
    fields not read yet (see DEFERRED_FIELDS), read whole by `complete()` or for some documents by
    `among()`.
    """

    def __init__(self, parsed: ParsedQuery, snap: Snapshot) -> None:
        self.snap = snap
        requests: list[tuple[int, Field, Alternative]] = []
        self.labels: dict[tuple[int, int, Field], int] = {}
        for g, group in enumerate(parsed.groups):
            kinds = [Field.TITLE, Field.SKILLS, Field.OUTCOMES] + ([Field.ALL] if len(group.alternatives) > 1 else [])
            for a, alternative in enumerate(group.alternatives):
                for kind in kinds:
                    self.labels[(g, a, kind)] = len(requests) + 1
                    requests.append((len(requests) + 1, kind, alternative))
        # Few documents with every word: the long fields are read among them in the same statement (as
        # always where the database cannot read them among candidates; see Backend.reads_within).
        backend = current_backend()
        few = _estimate(parsed, snap) <= FEW_DOCUMENTS
        deferred_labels = {label for label, kind, _ in requests if kind in DEFERRED_FIELDS
                           and backend.reads_within and not few}
        # Each part's documents are kept with the snapshot (the index unchanged): the words people search
        # for repeat, and a common word's documents are the costly part of a search.
        cache = snapshot.matches
        database = (connection.alias, connection.settings_dict.get("NAME"), snap.key)
        parts = [_Part(label, (*database, sql, *params), sql, params)
                 for label, sql, params in backend.parts(parsed.groups, requests, few=few)]
        missing = [part for part in parts if part.key not in cache and part.label not in deferred_labels]
        if missing:
            _keep(missing, _fetch(missing, snap))
        self.deferred = [part for part in parts if part.key not in cache]
        known = {part.label: cache.get(part.key, 0) for part in parts if part.key in cache}
        self.matched = known.pop(0, 0)
        # A backend may return a field's documents without the rest of the query (PostgreSQL does): only
        # those with every word count.
        self.sets = {label: found & self.matched for label, found in known.items()}

    def complete(self) -> None:
        """Read the deferred parts whole (and keep them)."""
        if self.deferred:
            found = _fetch(self.deferred, self.snap)
            _keep(self.deferred, found)
            self.sets.update({part.label: found.get(part.label, 0) & self.matched for part in self.deferred})
            self.deferred = []

    def among(self, documents: int) -> dict[int, int]:
        """The sets with the deferred parts read for `documents` only (kept too: a search repeats)."""
        parts = [_Part(part.label, (*part.key, documents), part.sql, part.params) for part in self.deferred]
        missing = [part for part in parts if part.key not in snapshot.matches]
        if missing and documents:
            _keep(missing, _fetch(missing, self.snap, within=documents))
        return self.sets | {part.label: snapshot.matches.get(part.key, 0) & documents for part in parts}

    def bounds(self, results: int) -> tuple[dict[int, int], dict[int, int]]:
        """The sets with every deferred part as if no result had it, and as if every result had it."""
        return (self.sets | {part.label: 0 for part in self.deferred},
                self.sets | {part.label: results for part in self.deferred})


def _skilled(uris: Sequence[str], snap: Snapshot) -> int:
    uris = list(dict.fromkeys(uris))[:100]
    placeholders = ", ".join(["%s"] * len(uris))
    statement = (
        "SELECT DISTINCT d.micro_credential_id FROM catalog_searchdocument d"  # noqa: S608  (placeholders only)
        " JOIN catalog_learningoutcome lo ON lo.version_id = d.version_id"
        " JOIN catalog_learningoutcome_skills ls ON ls.learningoutcome_id = lo.id"
        f" JOIN framework_escoskill es ON es.id = ls.escoskill_id WHERE es.uri IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, uris)
        return bitsets.from_ids((pk for (pk,) in cursor.fetchall() if pk < snap.size), snap.size)


class _Search:
    """A search read once: the words, the snapshot, the matches and the ranking classes."""

    def __init__(self, query: SearchQuery, *, analyzer: Analyzer = DEFAULT_ANALYZER) -> None:
        self.query = query
        self.snap = snapshot.current(query.today or timezone.localdate())
        self.parsed = parse(query.text, self.snap.vocabulary, analyzer=analyzer, typing=query.typing)
        self.empty = self.parsed.matches_nothing
        if self.empty:
            return
        self.plan = _Plan(query, self.parsed, self.snap)
        self.matched = self.snap.public
        self.text: _TextMatches | None = None
        if self.parsed.groups:
            self.text = _TextMatches(self.parsed, self.snap)
            self.matched &= self.text.matched
        if query.skills:
            self.matched &= _skilled(query.skills, self.snap)
        self.results = self.plan.passing(self.matched)
        self._classes: list[tuple[int, int, int]] | None = None  # every result's, once known

    @property
    def total(self) -> int:
        return 0 if self.empty else self.results.bit_count()

    def classes(self, wanted: int) -> list[tuple[int, int, int]]:
        """Ranking classes right for the first `wanted` positions of the order (see _Plan.ordered).

        When a relevance search needs only its first positions and long fields are not read yet,
        each result is scored twice: as if it had none of their words, and as if it had all of them
        (a score only grows with what a document has). A result whose higher score (or, equal, its
        longer title) still orders it after the lower score of the `wanted`-th result cannot reach the
        first `wanted`; the long fields are read only for the rest, and the classes of those are exact.
        """
        if self._classes is not None:
            return self._classes
        text, plan = self.text, self.plan
        if text is None or not text.deferred:
            self._classes = plan.relevance_classes(self.results, text.sets if text else {},
                                                   text.labels if text else {})
            return self._classes
        if self.query.sort == Sort.RELEVANCE and wanted <= BOUNDED_WINDOW:
            low, high = text.bounds(self.results)
            least, longest = _key_at(plan.relevance_classes(self.results, low, text.labels), wanted)
            candidates = bitsets.union(
                bits for score, length, bits in plan.relevance_classes(self.results, high, text.labels)
                if score > least or (score == least and length <= longest)
            )
            if candidates.bit_count() <= BOUNDED_CANDIDATES:
                return plan.relevance_classes(candidates, text.among(candidates), text.labels)
        text.complete()
        self._classes = plan.relevance_classes(self.results, text.sets, text.labels)
        return self._classes

    def hits(self, offset: int, limit: int) -> list[Hit]:
        limit = max(0, min(int(limit), MAX_LIMIT))
        offset = max(0, min(int(offset), MAX_OFFSET))
        hits: list[Hit] = []
        if self.empty or not limit:
            return hits
        for position, (pk, score) in enumerate(self.plan.ordered(self.results, self.classes(offset + limit))):
            if position >= offset + limit:
                break
            if position >= offset:
                hits.append(Hit(version_id=self.snap.version_of[pk], micro_credential_id=pk, score=score))
        return hits

    def facets(self) -> dict[str, dict[str, int]]:
        return _empty_facets() if self.empty else self.plan.facets(self.matched)


def search(query: SearchQuery, *, analyzer: Analyzer = DEFAULT_ANALYZER, highlight: bool = True,
           language: str | None = None) -> SearchResults:
    """Search the published catalog. Never raises on any text: what cannot be read is left out."""
    prepared = _Search(query, analyzer=analyzer)
    found = SearchResults(query=query, total=prepared.total, hits=prepared.hits(query.offset, query.limit),
                          facets=prepared.facets() if query.facets else {}, parsed=prepared.parsed)
    if highlight and found.hits:
        add_highlights(found, language=language, analyzer=analyzer)
    return found


# --- highlighting ---------------------------------------------------------------------------------

def highlight(text: str, lang: str, parsed: ParsedQuery, *, analyzer: Analyzer = DEFAULT_ANALYZER) -> list[Segment]:
    """`text` cut into segments, the words that match the query marked.

    A word matches when its own forms (surface, lemma, stem) are query terms, when it starts with a
    prefix being typed, or when it contains a query term of four letters or more (a compound:
    "tietoturvariskien" for "riski"). Only words that start like a term are analysed, so a long
    text costs little.
    """
    terms, prefixes = parsed.highlight_terms()
    if not terms and not prefixes:
        return [Segment(text)] if text else []
    lang = lang if lang in LANGUAGES else "en"
    heads = {term[:3] for term in terms}
    inner = [term for term in terms if len(term) >= 4]
    segments: list[Segment] = []
    position = 0
    for start, end, word in word_spans(text):
        if start < position:
            continue
        matched = (word in terms or (prefixes and word.startswith(prefixes))
                   or any(term in word for term in inner))
        if not matched and word[:3] in heads:
            matched = any(form in terms for form in analyzer.query_word_terms_in(word, lang))
        if matched:
            if start > position:
                segments.append(Segment(text[position:start]))
            segments.append(Segment(text[start:end], match=True))
            position = end
    if position < len(text):
        segments.append(Segment(text[position:]))
    return segments


def _snippet(segments: list[Segment]) -> list[Segment]:
    """At most SNIPPET_LENGTH characters around the first match."""
    length = sum(len(segment.text) for segment in segments)
    if length <= SNIPPET_LENGTH:
        return segments
    first = next((i for i, segment in enumerate(segments) if segment.match), 0)
    before = sum(len(segment.text) for segment in segments[:first])
    start = max(0, before - SNIPPET_LENGTH // 3)
    result: list[Segment] = []
    offset = 0
    for segment in segments:
        end = offset + len(segment.text)
        if end > start and offset < start + SNIPPET_LENGTH:
            result.append(replace(segment, text=segment.text[max(0, start - offset): start + SNIPPET_LENGTH - offset]))
        offset = end
    if start > 0 and result:
        result[0] = replace(result[0], text="…" + result[0].text.lstrip())
    if start + SNIPPET_LENGTH < length and result:
        result[-1] = replace(result[-1], text=result[-1].text.rstrip() + "…")
    return result


def _might_match(text: str, parsed: ParsedQuery) -> bool:
    """A quick look before `highlight()`: does the text contain any query term at all?

    A word's lemma and stem are (nearly always) its own beginning, so a text without any term as a
    substring has no matching word either, except for irregular forms ("analyses" → "analysis").
    """
    terms, prefixes = parsed.highlight_terms()
    folded = text.casefold()
    return any(term in folded for term in terms) or any(prefix in folded for prefix in prefixes)


def highlight_version(hit: Hit, title: dict[str, str], candidates: Sequence[dict[str, str]], parsed: ParsedQuery,
                      *, language: str | None = None, analyzer: Analyzer = DEFAULT_ANALYZER) -> None:
    """Fill the hit's title, and its snippet from the first of `candidates` (texts) with a match."""
    language = language or current_language()
    hit.title = highlight(translated(title, language), translated_language(title, language), parsed,
                          analyzer=analyzer)
    fallback = ""
    for value in candidates:
        text = translated(value, language)
        if not text:
            continue
        fallback = fallback or text
        if _might_match(text, parsed):
            segments = highlight(text, translated_language(value, language), parsed, analyzer=analyzer)
            if any(segment.match for segment in segments):
                hit.snippet = _snippet(segments)
                return
    hit.snippet = _snippet([Segment(fallback)]) if fallback else []


KEEP_TEXTS = 20_000
KEEP_MATCHES = 2_000  # parts of searches kept (a bitset of the catalog each, 6 kB for 50,000)
_cache_lock = threading.Lock()
Texts = tuple[dict[str, str], dict[str, str], list[dict[str, str]]]  # title, description, learning outcomes


def _version_texts(ids: Sequence[int]) -> dict[int, Texts]:
    """The texts a hit shows, read once per process and version (for all that are new at once)."""
    database = (connection.alias, connection.settings_dict.get("NAME"))
    cache = snapshot.texts
    missing = [pk for pk in ids if (*database, pk) not in cache]
    if missing:
        loaded: dict[int, Texts] = {
            pk: (title, description, []) for pk, title, description in
            MicroCredentialVersion.objects.filter(pk__in=missing).values_list("pk", "title", "description")
        }
        for version_id, text in (LearningOutcome.objects.filter(version_id__in=missing)
                                 .order_by("version_id", "position", "id").values_list("version_id", "text")):
            loaded[version_id][2].append(text)
        with _cache_lock:
            for pk, texts in loaded.items():
                cache[(*database, pk)] = texts
            while len(cache) > KEEP_TEXTS:
                cache.popitem(last=False)
    found = {pk: cache.get((*database, pk)) for pk in ids}
    return {pk: texts for pk, texts in found.items() if texts is not None}


def add_highlights(results: SearchResults, *, language: str | None = None,
                   analyzer: Analyzer = DEFAULT_ANALYZER) -> None:
    """Fill each hit's title and snippet (the first learning outcome or description that matches)."""
    texts = _version_texts(results.version_ids)
    for hit in results.hits:
        title, description, outcomes = texts.get(hit.version_id, ({}, {}, []))
        highlight_version(hit, title, [*outcomes, description], results.parsed, language=language, analyzer=analyzer)


# --- the same search as a QuerySet (Django's Paginator, the API's pagination) ----------------------

class SearchResultQuerySet(QuerySet[MicroCredentialVersion]):
    """The versions a search finds, in its order: `count()` is the total, a slice loads one window.

    The search runs once per queryset (its words, matches and ranking are kept for every slice).
    Made for counting, slicing and iterating (Paginator, ninja's pagination); further filters and
    orderings are not combined with the search.
    """

    _search_query: SearchQuery | None = None
    _prepared: _Search | None = None

    def _clone(self) -> SearchResultQuerySet:
        clone: SearchResultQuerySet = super()._clone()  # type: ignore[misc]
        clone._search_query = self._search_query
        return clone

    @property
    def search(self) -> _Search:
        assert self._search_query is not None
        if self._prepared is None:
            self._prepared = _Search(self._search_query)
        return self._prepared

    @property
    def facets(self) -> dict[str, dict[str, int]]:
        return self.search.facets()

    @property
    def parsed(self) -> ParsedQuery:
        return self.search.parsed

    def _window(self, offset: int, limit: int) -> list[MicroCredentialVersion]:
        hits = self.search.hits(offset, limit)
        ids = [hit.version_id for hit in hits]
        plain: QuerySet[MicroCredentialVersion] = _plain_copy(self)
        by_id = {version.pk: version for version in plain.filter(pk__in=ids)} if ids else {}
        found = []
        parsed = self.search.parsed
        for hit in hits:
            version = by_id.get(hit.version_id)
            if version is not None:
                if parsed.groups:  # highlighted title and description, from what is loaded
                    highlight_version(hit, version.title, [version.description], parsed)
                version.search_hit = hit  # type: ignore[attr-defined]
                found.append(version)
        return found

    def count(self) -> int:
        if self._search_query is None:
            return super().count()
        return self.search.total

    def __getitem__(self, key: Any) -> Any:
        if self._search_query is None:
            return super().__getitem__(key)
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise ValueError("SearchResultQuerySet takes slices without a step.")
            start = key.start or 0
            stop = key.stop if key.stop is not None else self.count()
            return self._window(start, stop - start) if stop > start else []
        found = self._window(int(key), 1)
        if not found:
            raise IndexError(key)
        return found[0]

    def __iter__(self) -> Iterator[Any]:
        if self._search_query is None:
            yield from super().__iter__()
            return
        total = self.count()
        for offset in range(0, total, MAX_LIMIT):
            yield from self._window(offset, MAX_LIMIT)

    def __len__(self) -> int:
        return self.count() if self._search_query is not None else super().__len__()

    def __bool__(self) -> bool:
        return self.count() > 0 if self._search_query is not None else super().__bool__()


def query_from_filters(filters: Any, **changes: Any) -> SearchQuery:
    """The SearchQuery of the catalog's filters (selectors.CatalogFilters: the pages and the API)."""
    try:
        sort = Sort(getattr(filters, "sort", "") or Sort.RELEVANCE)
    except ValueError:
        sort = Sort.RELEVANCE
    query = SearchQuery(
        text=filters.q or "", ects_min=filters.ects_min, ects_max=filters.ects_max,
        eqf_levels=tuple(filters.eqf_level or ()), isced=filters.isced or "", language=filters.language or "",
        mode=filters.mode or "", provider=filters.provider or "", price=filters.price or "",
        starts_after=filters.starts_after, start_month=getattr(filters, "start_month", "") or "", sort=sort,
    )
    return replace(query, **changes)


def search_queryset(
    query: SearchQuery, base: QuerySet[MicroCredentialVersion] | None = None,
) -> SearchResultQuerySet:
    """The versions `search()` finds, in its order, loaded from `base` (its select/prefetch_related kept)."""
    base = base if base is not None else MicroCredentialVersion.objects.all()
    queryset: SearchResultQuerySet = _plain_copy(base, SearchResultQuerySet)
    queryset._search_query = replace(query, facets=False)
    return queryset


def _plain_copy(queryset: Any, kind: Any = QuerySet) -> Any:
    """A queryset of `kind` with the same query, database and prefetches as `queryset`."""
    copy = kind(model=queryset.model, query=queryset.query.chain(), using=queryset.db,
                hints=getattr(queryset, "_hints", {}))
    copy._prefetch_related_lookups = queryset._prefetch_related_lookups
    return copy


__all__ = [
    "Hit",
    "SearchQuery",
    "SearchResultQuerySet",
    "SearchResults",
    "Segment",
    "Sort",
    "add_highlights",
    "highlight",
    "highlight_version",
    "query_from_filters",
    "search",
    "search_queryset",
]
