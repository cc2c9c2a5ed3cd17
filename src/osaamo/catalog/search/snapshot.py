"""The index's filter values held in memory as bitsets, one snapshot per state of the index.

Filters, facets and orderings work on these sets (see bitsets.py): a facet count is one `&` and one
`bit_count()`, however many documents match. A snapshot is built from the narrow index tables
(`SearchDocument`, `SearchOffering`, organisations) and is used only while the database says nothing
has changed: every search first reads a fingerprint of the index (the count and the largest id of
`SearchChange`, the inactive organisations, and today's date, since "upcoming" depends on it). The
fingerprint is read in the search's own transaction, so a transaction sees its own uncommitted
changes and nobody else does.

Offerings are kept per *slot*: slot k holds every document's k-th upcoming offering (by start date),
aligned on document ids, so "some offering that is online AND free AND starts in May" is
OR over k of (online_k & free_k & may_k), without leaving bitsets.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from osaamo.catalog.search import bitsets
from osaamo.catalog.search.indexing import LANGUAGE_BITS

KEEP_SNAPSHOTS = 3


@dataclass
class Slot:
    """The k-th upcoming offering of every document that has one."""

    present: int = 0
    mode: dict[str, int] = field(default_factory=dict)
    free: int = 0
    paid: int = 0
    month: dict[str, int] = field(default_factory=dict)
    starts: list[tuple[date, int]] = field(default_factory=list)  # ascending start dates
    starts_from: list[int] = field(default_factory=list)  # starts_from[i]: starts on or after starts[i]
    prices: list[tuple[int, int]] = field(default_factory=list)  # ascending price in cents

    days: list[date] = field(default_factory=list)  # the dates of `starts`, for bisecting

    def starting_on_or_after(self, day: date) -> int:
        index = bisect.bisect_left(self.days, day)
        return self.starts_from[index] if index < len(self.starts_from) else 0


@dataclass
class Snapshot:
    key: tuple[Any, ...]
    today: date
    size: int
    public: int  # documents of active providers
    version_of: dict[int, int]
    title_length: dict[int, int]
    ects: dict[int, int]  # tenths → documents
    eqf: dict[int, int]
    isced_code: dict[str, int]
    isced_broad: dict[str, int]
    language: dict[str, int]
    provider: dict[str, int]  # slug of an active organisation → documents it owns or co-provides
    newest: list[int]  # ids, newest publication first
    slots: list[Slot]
    vocabulary: dict[str, int]  # term → documents that have it ("" → every document), for query.parse()

    def isced(self, prefix: str) -> int:
        return bitsets.union(bits for code, bits in self.isced_code.items() if code.startswith(prefix))


_lock = threading.Lock()
_snapshots: dict[tuple[Any, ...], Snapshot] = {}
# Texts of published versions for the hits' highlights (engine.add_highlights), by (database, version
# id). Published texts never change; the cache is emptied with every new snapshot all the same, so
# that nothing outlives a change of the index (a test database rolled back, a version removed).
texts: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
# The documents of each part of a text search (engine._TextMatches), by (database, snapshot, SQL,
# parameters, and the documents read among if any); emptied with every new snapshot too.
matches: OrderedDict[tuple[Any, ...], int] = OrderedDict()


def fingerprint(today: date) -> tuple[Any, ...]:
    """What identifies the index's state as this transaction sees it (see SearchChange)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM catalog_searchchange), (SELECT COALESCE(MAX(id), 0) FROM catalog_searchchange),"
            " (SELECT COUNT(*) FROM accounts_organisation WHERE NOT is_active),"
            " (SELECT COALESCE(SUM(id), 0) FROM accounts_organisation WHERE NOT is_active),"
            " (SELECT COALESCE(MAX(micro_credential_id), 0) FROM catalog_searchdocument)"
        )
        row = cursor.fetchone()
    return (connection.alias, connection.settings_dict.get("NAME"), today, *(int(value) for value in row))


def current(today: date) -> Snapshot:
    """The snapshot of the index as this transaction sees it (built when it is not cached)."""
    key = fingerprint(today)
    snapshot = _snapshots.get(key)
    if snapshot is not None:
        return snapshot
    with _lock:
        snapshot = _snapshots.get(key)
        if snapshot is None:
            snapshot = build(key, today)
            _snapshots[key] = snapshot
            texts.clear()
            matches.clear()
            while len(_snapshots) > KEEP_SNAPSHOTS:
                _snapshots.pop(next(iter(_snapshots)))
    return snapshot


def clear() -> None:
    with _lock:
        _snapshots.clear()
        texts.clear()
        matches.clear()


def _bits(groups: dict[Any, list[int]], size: int) -> dict[Any, int]:
    return {value: bitsets.from_ids(ids, size) for value, ids in groups.items()}


def build(key: tuple[Any, ...], today: date) -> Snapshot:
    size = int(key[-1]) + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, slug, is_active FROM accounts_organisation")
        organisations = {pk: (slug, bool(active)) for pk, slug, active in cursor.fetchall()}
        # A document once per co-provider (None without): one read for both.
        cursor.execute(
            "SELECT d.micro_credential_id, d.version_id, d.provider_id, c.organisation_id, d.title_length,"
            " d.ects_tenths, d.eqf_level, d.isced_code, d.language_mask, d.published_at"
            " FROM catalog_searchdocument d LEFT JOIN catalog_microcredentialversion_co_providers c"
            " ON d.has_co_providers AND c.microcredentialversion_id = d.version_id"
        )
        documents = cursor.fetchall()
        cursor.execute(
            "SELECT document_id, start_date, mode, price_cents FROM catalog_searchoffering"
            " WHERE end_date >= %s ORDER BY document_id, start_date, id",
            [connection.ops.adapt_datefield_value(today)],
        )
        offerings = cursor.fetchall()
        cursor.execute("SELECT term, document_count FROM catalog_searchterm WHERE document_count > 0")
        vocabulary = {term: int(count) for term, count in cursor.fetchall()}

    public: list[int] = []
    version_of: dict[int, int] = {}
    title_length: dict[int, list[int]] = defaultdict(list)
    ects: dict[int, list[int]] = defaultdict(list)
    eqf: dict[int, list[int]] = defaultdict(list)
    isced_code: dict[str, list[int]] = defaultdict(list)
    language: dict[str, list[int]] = defaultdict(list)
    provider: dict[str, list[int]] = defaultdict(list)
    published: list[tuple[Any, int]] = []
    for pk, version_id, provider_id, co_provider, length, tenths, level, isced, mask, published_at in documents:
        slug, active = organisations.get(provider_id, ("", False))
        if not active:
            continue
        if co_provider is not None:
            co_slug, co_active = organisations.get(co_provider, ("", False))
            if co_active:
                provider[co_slug].append(pk)
        if pk in version_of:
            continue  # the same document again, for its next co-provider
        public.append(pk)
        version_of[pk] = version_id
        title_length[length].append(pk)
        if tenths is not None:
            ects[tenths].append(pk)
        if level is not None:
            eqf[level].append(pk)
        if isced:
            isced_code[isced].append(pk)
        for code, bit in LANGUAGE_BITS.items():
            if mask & bit:
                language[code].append(pk)
        provider[slug].append(pk)
        published.append((published_at, pk))

    slot_rows: list[dict[str, Any]] = []
    position: dict[int, int] = defaultdict(int)
    for pk, start, mode, cents in offerings:
        if pk not in version_of:
            continue
        k = position[pk]
        position[pk] = k + 1
        if k == len(slot_rows):
            slot_rows.append({"present": [], "mode": defaultdict(list), "free": [], "paid": [],
                              "month": defaultdict(list), "starts": defaultdict(list), "prices": defaultdict(list)})
        row = slot_rows[k]
        start = start if isinstance(start, date) else date.fromisoformat(str(start))
        row["present"].append(pk)
        row["mode"][mode].append(pk)
        (row["free"] if cents == 0 else row["paid"]).append(pk)
        row["month"][start.strftime("%Y-%m")].append(pk)
        row["starts"][start].append(pk)
        row["prices"][cents].append(pk)
    slots = []
    for row in slot_rows:
        starts = sorted(_bits(row["starts"], size).items())
        suffix, running = [], 0
        for _, bits in reversed(starts):
            running |= bits
            suffix.append(running)
        slots.append(Slot(
            present=bitsets.from_ids(row["present"], size), mode=_bits(row["mode"], size),
            free=bitsets.from_ids(row["free"], size), paid=bitsets.from_ids(row["paid"], size),
            month=_bits(row["month"], size), starts=starts, starts_from=list(reversed(suffix)),
            days=[start for start, _ in starts],
            prices=sorted(_bits(row["prices"], size).items()),
        ))

    isced_bits = _bits(isced_code, size)
    broad: dict[str, int] = defaultdict(int)
    for code, bits in isced_bits.items():
        broad[code[:2]] |= bits
    # Newest first; equal publication times by id, and no time last.
    published.sort(key=lambda item: (item[0] is None, _negated_time(item[0]), item[1]))
    return Snapshot(
        key=key, today=today, size=size, public=bitsets.from_ids(public, size), version_of=version_of,
        title_length=_bits(title_length, size), ects=_bits(ects, size), eqf=_bits(eqf, size),
        isced_code=isced_bits, isced_broad=dict(broad), language=_bits(language, size),
        provider=_bits(provider, size), newest=[pk for _, pk in published], slots=slots,
        vocabulary=vocabulary,
    )


def _negated_time(value: Any) -> Any:
    """A sort key that puts later times first, for datetimes (PostgreSQL) and ISO text (SQLite)."""
    if value is None:
        return 0
    if isinstance(value, str):
        return tuple(-ord(character) for character in value)
    return -value.timestamp()
