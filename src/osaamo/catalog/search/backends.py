"""The only database-specific part of search: how "these documents have these terms" is asked.

Both backends match exactly the terms that `analysis.py` produced, with no further processing by
the database: PostgreSQL compares `tsquery` lexemes given in quotes (no parser, no dictionary) with
`tsvector`s built by `array_to_tsvector`, through GIN indexes; SQLite gives FTS5 quoted strings,
which its `ascii` tokenizer keeps whole. A field is a tsvector column on PostgreSQL and an FTS5
column filter (`{title_terms} : …`) on SQLite.
A prefix is `'word':*` on PostgreSQL and `"word"*` on SQLite: both match every indexed term that
starts with it. Everything else (filters, facets, scores, ordering) is
computed in Python from the answers (engine.py), the same for both.
"""

# The SQL text here is composed from constants, column names and integers computed in this module;
# every value that comes from a user (words, terms, codes, dates) is passed as a query parameter.

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from django.db import connection

from osaamo.catalog.search.query import Alternative, Group

# Terms come from analysis.words() and are letters and digits only; anything else (which would need
# quoting in a tsquery or an FTS5 query) is dropped rather than escaped.
_SAFE_TERM = re.compile(r"^[^\W_]+$")


def _terms(alternatives: Sequence[Alternative]) -> list[str]:
    return [term for alternative in alternatives for term in alternative.terms if _SAFE_TERM.match(term)]


def _prefixes(alternatives: Sequence[Alternative]) -> list[str]:
    return [prefix for alternative in alternatives for prefix in alternative.prefixes if _SAFE_TERM.match(prefix)]


class Field(StrEnum):
    TITLE = "title"
    SKILLS = "skills"
    OUTCOMES = "outcomes"
    ALL = "all"


class UnsupportedDatabase(RuntimeError):
    pass


class Backend:
    """Which documents have which query words where, as parts of one statement."""

    # Sent before the statement in the same round trip (`within_settings` too for a part `within()`),
    # and `resets` after it: in autocommit mode the settings hold for the statement alone (PostgreSQL
    # runs one multi-statement message as one transaction); in a transaction the resets end them.
    settings: tuple[str, ...] = ()
    within_settings: tuple[str, ...] = ()  # for more than WITHIN_BITMAP documents
    WITHIN_BITMAP = 0
    resets: tuple[str, ...] = ()

    def parts(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]], *,
              few: bool = False) -> list[tuple[int, str, list[str]]]:
        """(label, SQL, parameters) per label: the SQL is the select list and the rest of a query giving
        the documents as rows (word, bits): the ids divided by 64, and a 64-bit integer with bit id % 64
        set for each document — label 0 for the documents that have every group somewhere, each
        request's label for those that have the request's alternative in its field (possibly without
        the rest of the query: the engine intersects; `few`, the query's documents are few: the long
        fields' parts only among them). A part's result depends on its SQL and parameters and the index
        alone, so the engine may keep it while the index is unchanged."""
        raise NotImplementedError

    # Whether `within()` is cheaper than the whole part (else the engine reads every part at once).
    reads_within = True

    def within(self, sql: str, params: list[Any], ids: Sequence[int]) -> tuple[str, list[Any]]:
        """A part of `parts()` that gives only those of its documents that are among `ids`."""
        raise NotImplementedError


def union(parts: Sequence[tuple[int, str, list[Any]]]) -> tuple[str, list[Any]]:
    """The parts as one statement of rows (label, word, bits): a 64th of the ids' count at most, which
    keeps the transfer and the reading small (bitsets.from_words)."""
    return (" UNION ALL ".join(f"SELECT {int(label)}, {sql} GROUP BY 2" for label, sql, _params in parts),
            [param for _label, _sql, params in parts for param in params])


class PostgresBackend(Backend):
    COLUMNS = {Field.TITLE: "tsv_title", Field.SKILLS: "tsv_skills", Field.OUTCOMES: "tsv_outcomes",
               Field.ALL: "tsv_all"}
    # For a common word the planner prefers reading the whole table to the GIN index, not knowing
    # that `@@` on every row first decompresses a tsvector of several kilobytes (20× slower here);
    # and starting parallel workers costs more than these few-millisecond index scans.
    settings = ("SET LOCAL enable_seqscan = off", "SET LOCAL max_parallel_workers_per_gather = 0")
    # Among a few hundred documents: the GIN index and the primary key each give a bitmap, and only
    # documents in both are read. An index scan of the ids instead decompresses each one's tsvector,
    # which is cheaper only for a few.
    within_settings = ("SET LOCAL enable_indexscan = off",)
    WITHIN_BITMAP = 150
    resets = ("RESET enable_seqscan", "RESET max_parallel_workers_per_gather", "RESET enable_indexscan")
    SELECT = ("document_id >> 6, bit_or(1::int8 << (document_id & 63)::int4) FROM catalog_searchtext"
              " WHERE {column} @@ CAST(%s AS tsquery)")
    AMONG_ALL = " AND tsv_all @@ CAST(%s AS tsquery)"

    @staticmethod
    def _query(alternatives: Sequence[Alternative]) -> str:
        options = [f"'{term}'" for term in _terms(alternatives)]
        options += [f"'{prefix}':*" for prefix in _prefixes(alternatives)]
        return " | ".join(options) or "'_'"  # "_" is never a term: matches nothing

    def parts(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]], *,
              few: bool = False) -> list[tuple[int, str, list[str]]]:
        # Each part is one condition on one GIN index: for a common word, a second tsvector condition may
        # be checked row by row, decompressing a tsvector per candidate (20-50 ms); the engine intersects
        # a field's documents with those of the whole query instead (`_TextMatches`). Both conditions on
        # tsv_all are one tsquery. When the query's documents are few, the planner ANDs the bitmaps of
        # two GIN indexes, and the learning outcomes are read only among them (under 1 ms).
        everything = " & ".join(f"({self._query(group.alternatives)})" for group in groups)
        select = self.SELECT
        parts = [(0, select.format(column="tsv_all"), [everything])]
        for label, field, alternative in requests:
            wanted = self._query([alternative])
            if field == Field.ALL:
                parts.append((label, select.format(column="tsv_all"), [f"({wanted}) & {everything}"]))
            elif field == Field.OUTCOMES and few:
                parts.append((label, select.format(column=self.COLUMNS[field]) + self.AMONG_ALL, [wanted, everything]))
            else:
                parts.append((label, select.format(column=self.COLUMNS[field]), [wanted]))
        return parts

    def within(self, sql: str, params: list[Any], ids: Sequence[int]) -> tuple[str, list[Any]]:
        return f"{sql} AND document_id = ANY(%s)", [*params, list(ids)]


class SqliteBackend(Backend):
    COLUMNS = {Field.TITLE: "title_terms", Field.SKILLS: "skill_terms", Field.OUTCOMES: "outcome_terms"}
    # Each document once: the sum of its bits is their OR (bit 63 is the sign: it cannot overflow).
    SELECT = "rowid >> 6, sum(1 << (rowid & 63)) FROM catalog_searchfts WHERE catalog_searchfts MATCH %s"

    @staticmethod
    def _query(alternatives: Sequence[Alternative]) -> str:
        options = [f'"{term}"' for term in _terms(alternatives)]
        options += [f'"{prefix}"*' for prefix in _prefixes(alternatives)]
        return "(" + (" OR ".join(options) or '"_"') + ")"  # "_" is never a term: matches nothing

    def parts(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]], *,
              few: bool = False) -> list[tuple[int, str, list[str]]]:
        everything = " AND ".join(self._query(group.alternatives) for group in groups)
        select = self.SELECT
        parts = [(0, select, [everything])]
        for label, field, alternative in requests:
            wanted = self._query([alternative])
            if field != Field.ALL:
                wanted = f"{{{self.COLUMNS[field]}}} : {wanted}"
            # Titles and skill labels are short: the word alone is a small set and cheaper to find
            # than the whole query (the engine intersects).
            match = wanted if field in (Field.TITLE, Field.SKILLS) else f"({wanted}) AND {everything}"
            parts.append((label, select, [match]))
        return parts

    # FTS5 answers "rowid IN (…)" with one run of the MATCH per id (100 ms for 300 ids on 50,000
    # documents), while its long-field parts already hold only documents with every word: read whole.
    reads_within = False


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise UnsupportedDatabase(f"Catalog search supports PostgreSQL and SQLite, not {connection.vendor}.")
