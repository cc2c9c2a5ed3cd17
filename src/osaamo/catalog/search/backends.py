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

# ruff: noqa: S608
# The SQL text here is composed from constants, column names and integers computed in this module;
# every value that comes from a user (words, terms, codes, dates) is passed as a query parameter.

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

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
    """One statement that returns which documents have which query words where."""

    # Sent before the statement in the same round trip: in autocommit mode they hold for it alone
    # (PostgreSQL runs one multi-statement message as one transaction), in a transaction until its end.
    settings: tuple[str, ...] = ()

    def matches(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]) -> tuple[str, list[str]]:
        """SQL returning rows (label, document ids joined by commas, or NULL): label 0 for the
        documents that have every group somewhere, each request's label for those of them that have
        the request's alternative in its field. One row per label keeps the transfer small."""
        raise NotImplementedError


class PostgresBackend(Backend):
    COLUMNS = {Field.TITLE: "tsv_title", Field.SKILLS: "tsv_skills", Field.OUTCOMES: "tsv_outcomes",
               Field.ALL: "tsv_all"}
    # For a common word the planner prefers reading the whole table to the GIN index, not knowing
    # that `@@` on every row first decompresses a tsvector of several kilobytes (20× slower here);
    # and starting parallel workers costs more than these few-millisecond index scans.
    settings = ("SET LOCAL enable_seqscan = off", "SET LOCAL max_parallel_workers_per_gather = 0")

    @staticmethod
    def _query(alternatives: Sequence[Alternative]) -> str:
        options = [f"'{term}'" for term in _terms(alternatives)]
        options += [f"'{prefix}':*" for prefix in _prefixes(alternatives)]
        return " | ".join(options) or "'_'"  # "_" is never a term: matches nothing

    def matches(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]) -> tuple[str, list[str]]:
        everything = " & ".join(f"({self._query(group.alternatives)})" for group in groups)
        parts = ["SELECT 0, string_agg(document_id::text, ',') FROM catalog_searchtext"
                 " WHERE tsv_all @@ CAST(%s AS tsquery)"]
        params = [everything]
        for label, field, alternative in requests:
            parts.append(
                f"SELECT {int(label)}, string_agg(document_id::text, ',') FROM catalog_searchtext"
                f" WHERE {self.COLUMNS[field]} @@ CAST(%s AS tsquery) AND tsv_all @@ CAST(%s AS tsquery)"
            )
            params += [self._query([alternative]), everything]
        return " UNION ALL ".join(parts), params


class SqliteBackend(Backend):
    COLUMNS = {Field.TITLE: "title_terms", Field.SKILLS: "skill_terms", Field.OUTCOMES: "outcome_terms"}

    @staticmethod
    def _query(alternatives: Sequence[Alternative]) -> str:
        options = [f'"{term}"' for term in _terms(alternatives)]
        options += [f'"{prefix}"*' for prefix in _prefixes(alternatives)]
        return "(" + (" OR ".join(options) or '"_"') + ")"  # "_" is never a term: matches nothing

    def matches(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]) -> tuple[str, list[str]]:
        everything = " AND ".join(self._query(group.alternatives) for group in groups)
        parts = ["SELECT 0, group_concat(rowid) FROM catalog_searchfts WHERE catalog_searchfts MATCH %s"]
        params = [everything]
        for label, field, alternative in requests:
            wanted = self._query([alternative])
            if field != Field.ALL:
                wanted = f"{{{self.COLUMNS[field]}}} : {wanted}"
            # Titles and skill labels are short: the word alone is a small set and cheaper to find
            # than the whole query (the engine intersects).
            match = wanted if field in (Field.TITLE, Field.SKILLS) else f"({wanted}) AND {everything}"
            parts.append(f"SELECT {int(label)}, group_concat(rowid) FROM catalog_searchfts WHERE catalog_searchfts MATCH %s")
            params.append(match)
        return " UNION ALL ".join(parts), params


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise UnsupportedDatabase(f"Catalog search supports PostgreSQL and SQLite, not {connection.vendor}.")
