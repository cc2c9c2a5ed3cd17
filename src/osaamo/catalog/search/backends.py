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

    # Sent before the statement in the same round trip: in autocommit mode they hold for it alone
    # (PostgreSQL runs one multi-statement message as one transaction), in a transaction until its end.
    settings: tuple[str, ...] = ()

    def parts(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]
              ) -> list[tuple[int, str, list[str]]]:
        """(label, SQL, parameters) per label: the SQL is the select list and the rest of a query giving
        one value, the document ids joined by commas (or NULL) — label 0 for the documents that have every
        group somewhere, each request's label for those that have the request's alternative in its field
        (possibly without the rest of the query: the engine intersects). A part's result depends on its
        SQL and parameters and the index alone, so the engine may keep it while the index is unchanged."""
        raise NotImplementedError

    def matches(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]) -> tuple[str, list[str]]:
        """The parts as one statement of rows (label, ids): one row per label keeps the transfer small."""
        return union(self.parts(groups, requests))


def union(parts: Sequence[tuple[int, str, list[str]]]) -> tuple[str, list[str]]:
    return (" UNION ALL ".join(f"SELECT {int(label)}, {sql}" for label, sql, _params in parts),
            [param for _label, _sql, params in parts for param in params])


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

    def parts(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]
              ) -> list[tuple[int, str, list[str]]]:
        # Each part is one condition on one GIN index: a second tsvector condition would be checked row by
        # row on the table, decompressing a tsvector per candidate (20-50 ms for a common word); the engine
        # intersects a field's documents with those of the whole query instead (`_text_matches`). Both
        # conditions on tsv_all are one tsquery.
        everything = " & ".join(f"({self._query(group.alternatives)})" for group in groups)
        select = "string_agg(document_id::text, ',') FROM catalog_searchtext WHERE {column} @@ CAST(%s AS tsquery)"
        parts = [(0, select.format(column="tsv_all"), [everything])]
        for label, field, alternative in requests:
            wanted = self._query([alternative])
            parts.append((label, select.format(column=self.COLUMNS[field]),
                          [f"({wanted}) & {everything}" if field == Field.ALL else wanted]))
        return parts


class SqliteBackend(Backend):
    COLUMNS = {Field.TITLE: "title_terms", Field.SKILLS: "skill_terms", Field.OUTCOMES: "outcome_terms"}

    @staticmethod
    def _query(alternatives: Sequence[Alternative]) -> str:
        options = [f'"{term}"' for term in _terms(alternatives)]
        options += [f'"{prefix}"*' for prefix in _prefixes(alternatives)]
        return "(" + (" OR ".join(options) or '"_"') + ")"  # "_" is never a term: matches nothing

    def parts(self, groups: Sequence[Group], requests: Sequence[tuple[int, Field, Alternative]]
              ) -> list[tuple[int, str, list[str]]]:
        everything = " AND ".join(self._query(group.alternatives) for group in groups)
        select = "group_concat(rowid) FROM catalog_searchfts WHERE catalog_searchfts MATCH %s"
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


def current_backend() -> Backend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise UnsupportedDatabase(f"Catalog search supports PostgreSQL and SQLite, not {connection.vendor}.")
