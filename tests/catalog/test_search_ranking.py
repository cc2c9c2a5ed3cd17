"""The ways a search reads the index give the same results as reading everything.

A relevance search reads the long fields (learning outcomes, and the whole text of a word with
several alternatives) only for the results that can still reach the page asked for, or together
with the rest when the words' documents are few. Both must order exactly as the search that reads
every field of every result. The catalog here is made so that words fall in
titles, outcomes and descriptions in every mix, with titles of different lengths.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection, transaction

from osaamo.catalog.search import bitsets, engine
from osaamo.catalog.search.backends import PostgresBackend
from osaamo.catalog.search.engine import SearchQuery, search
from osaamo.catalog.search.indexing import reindex_all
from tests.catalog.test_search import publish, texts

WORDS = ["energy", "solar", "wind", "storage", "battery", "network", "modelling", "safety", "climate", "water"]
QUERIES = ["energy", "solar", "storage", "battery network", "energy storage", "wind safety", "climate water energy",
           "enrgy", "baterry", "netwrok modelling", "sol", "stor"]
WINDOWS = [(0, 1), (0, 3), (2, 3), (0, 10), (5, 5)]


def _phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(low, high)))


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    # A rolled-back test leaves its snapshot in memory, and the next test's index may have the same
    # fingerprint (SQLite gives rolled-back ids again): these tests count what a search reads.
    engine.snapshot.clear()


@pytest.fixture
def mixed(helsinki: Any, helsinki_admin: Any) -> SimpleNamespace:
    rng = random.Random(20261129)
    for number in range(36):
        title, body = _phrase(rng, 1, 4), _phrase(rng, 2, 5)
        outcomes = [{"text": texts(_phrase(rng, 1, 3), _phrase(rng, 1, 3), _phrase(rng, 1, 3)), "skills": []}
                    for _ in range(rng.randint(1, 2))]
        publish(helsinki, helsinki_admin, f"MIX-{number}", title=texts(title, title, title),
                description=texts(body, body, body), learning_outcomes=outcomes)
    return SimpleNamespace(size=36)


def _hits(text: str, offset: int, limit: int, **options: Any) -> tuple[int, list[tuple[int, int]]]:
    found = search(SearchQuery(text=text, offset=offset, limit=limit, facets=False, **options), highlight=False)
    return found.total, [(hit.micro_credential_id, hit.score) for hit in found.hits]


def _everything_read(monkeypatch: Any) -> None:
    monkeypatch.setattr(engine, "FEW_DOCUMENTS", -1)  # the long fields in a statement of their own
    monkeypatch.setattr(engine, "BOUNDED_WINDOW", 0)  # every window reads them whole


@pytest.fixture
def many(monkeypatch: Any) -> None:
    """As if the catalog were large: no query's documents count as few."""
    monkeypatch.setattr(engine, "FEW_DOCUMENTS", -1)


def test_a_page_read_by_candidates_is_the_page_of_the_whole_ranking(mixed: Any, many: None, monkeypatch: Any) -> None:
    candidates: list[tuple[int, int]] = []
    among = engine._TextMatches.among

    def spy(self: Any, documents: int) -> dict[int, int]:
        candidates.append((documents.bit_count(), self.matched.bit_count()))
        return among(self, documents)

    monkeypatch.setattr(engine._TextMatches, "among", spy)
    bounded = {(text, window): _hits(text, *window) for text in QUERIES for window in WINDOWS}
    typing = {(text, window): _hits(text, *window, typing=True) for text in QUERIES for window in WINDOWS[:2]}
    if engine.current_backend().reads_within:
        assert any(read < matched for read, matched in candidates)  # results left out: the page did not need them
    else:
        assert candidates == []  # SQLite reads every field at once: among the documents with every word
    engine.snapshot.clear()
    _everything_read(monkeypatch)
    assert bounded == {(text, window): _hits(text, *window) for text in QUERIES for window in WINDOWS}
    assert typing == {(text, window): _hits(text, *window, typing=True) for text in QUERIES for window in WINDOWS[:2]}
    assert any(hits for _total, hits in bounded.values())


def test_few_documents_read_with_their_long_fields_at_once_rank_the_same(mixed: Any, monkeypatch: Any) -> None:
    searches: list[tuple[bool, list[int]]] = []  # (few, statements) per search that read the index
    estimate, fetch = engine._estimate, engine._fetch

    def estimated(parsed: Any, snap: Any) -> int:
        documents = estimate(parsed, snap)
        searches.append((documents <= engine.FEW_DOCUMENTS, []))
        return documents

    monkeypatch.setattr(engine, "_estimate", estimated)
    monkeypatch.setattr(engine, "_fetch", lambda parts, snap, **options: searches[-1][1].append(len(parts)) or fetch(
        parts, snap, **options))
    at_once = {(text, window): _hits(text, *window) for text in QUERIES for window in WINDOWS}
    few = [statements for is_few, statements in searches if is_few and statements]
    assert few and all(len(statements) == 1 for statements in few)  # words and long fields in one statement
    engine.snapshot.clear()
    _everything_read(monkeypatch)
    assert at_once == {(text, window): _hits(text, *window) for text in QUERIES for window in WINDOWS}


def test_other_orders_and_long_windows_read_everything(mixed: Any, many: None, monkeypatch: Any) -> None:
    calls: list[int] = []
    monkeypatch.setattr(engine._TextMatches, "among", lambda self, documents: calls.append(documents) or {})
    for sort in (engine.Sort.START, engine.Sort.NEWEST, engine.Sort.ECTS):
        assert search(SearchQuery(text="energy", sort=sort, limit=5)).hits
    assert search(SearchQuery(text="energy", offset=engine.BOUNDED_WINDOW, limit=5)).total
    assert calls == []


@pytest.mark.parametrize("bitmap", [True, False])
def test_reading_among_candidates_either_way_gives_the_same(
    mixed: Any, many: None, monkeypatch: Any, bitmap: bool
) -> None:
    if connection.vendor == "postgresql":
        monkeypatch.setattr(PostgresBackend, "WITHIN_BITMAP", 0 if bitmap else 10**9)
    bounded = {text: _hits(text, 0, 3) for text in QUERIES}
    engine.snapshot.clear()
    _everything_read(monkeypatch)
    assert bounded == {text: _hits(text, 0, 3) for text in QUERIES}


def test_the_planner_settings_end_with_the_search(mixed: Any, many: None, postgres_only: None, monkeypatch: Any
                                                  ) -> None:
    monkeypatch.setattr(PostgresBackend, "WITHIN_BITMAP", 0)

    def setting(name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SHOW {name}")
            return str(cursor.fetchone()[0])

    names = ("enable_seqscan", "enable_indexscan", "max_parallel_workers_per_gather")
    with transaction.atomic():
        before = [setting(name) for name in names]
        assert _hits("battery network", 0, 3)[0]
        assert [setting(name) for name in names] == before
    assert before[:2] == ["on", "on"]


def test_the_search_indexes_have_no_pending_list(mixed: Any, postgres_only: None) -> None:
    def options() -> dict[str, list[str]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname LIKE 'searchtext_tsv_%%'")
            return dict(cursor.fetchall())

    def pending() -> list[int]:  # pages waiting in each index's pending list (moved into the index now)
        with connection.cursor() as cursor:
            cursor.execute("SELECT gin_clean_pending_list(oid) FROM pg_class WHERE relname LIKE 'searchtext_tsv_%%'")
            return [row[0] for row in cursor.fetchall()]

    assert sorted(options()) == ["searchtext_tsv_all", "searchtext_tsv_outcomes", "searchtext_tsv_skills",
                                 "searchtext_tsv_title"]
    assert all(value == ["fastupdate=off"] for value in options().values())
    assert pending() == [0, 0, 0, 0]  # 36 micro-credentials published: nothing waits
    reindex_all()  # fills the indexes through their pending lists, then empties and turns them off
    assert all(value == ["fastupdate=off"] for value in options().values())
    assert pending() == [0, 0, 0, 0]


def test_sets_read_as_words_of_64_bits() -> None:
    ids = [0, 1, 63, 64, 127, 128, 191, 200]
    words: dict[int, int] = {}
    for pk in ids:
        words[pk >> 6] = words.get(pk >> 6, 0) | 1 << (pk & 63)
    signed = [(word, bits - (1 << 64) if bits >= 1 << 63 else bits) for word, bits in words.items()]  # as SQL has them
    assert bitsets.from_words(signed, 201) == bitsets.from_ids(ids, 201)
    assert list(bitsets.iter_ids(bitsets.from_words(signed, 150))) == [0, 1, 63, 64, 127, 128]  # beyond the size: left out
    assert bitsets.from_words([(99, -1)], 64) == 0  # a word past the end
