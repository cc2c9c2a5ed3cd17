"""Reading a search text: words → groups of index terms, with typo and prefix tolerance.

Every query word becomes one *group*; a document must match every group (AND), and a group
matches when the document has any of its terms (OR). A group holds up to three *alternatives*
of decreasing quality, which ranking tells apart:

- the word's own terms (surface, lemma and stem in fi, sv and en) that exist in the index;
- for the last word, while it is being typed, every term that starts with it (prefix, 3+ letters);
- when the word is not in the index at all (or only in a handful of documents while a one-letter
  different word is in many), the index terms one edit away (Damerau–Levenshtein distance 1:
  a letter missing, extra, wrong or two letters swapped) and their own terms.

The vocabulary is `SearchTerm` as the index's snapshot holds it in memory (snapshot.py), the same
on every database, so the groups, and hence the results, are the same on PostgreSQL and SQLite.
A word of ten letters has some 650 strings one edit away: looked up in memory, not in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from osaamo.catalog.search.analysis import ALL_STOP_WORDS, DEFAULT_ANALYZER, MAX_TERM_LENGTH, Analyzer, words

MAX_QUERY_CHARACTERS = 200
MAX_GROUPS = 8
MIN_PREFIX_LENGTH = 3
MIN_FUZZY_LENGTH = 4
MAX_FUZZY_NEIGHBOURS = 3
# A known word is still read as a typo when it is this rare and a neighbour is this much commoner.
RARE_WORD_DOCUMENTS = 2
COMMONER_NEIGHBOUR_FACTOR = 50

QUALITY_EXACT = 100
QUALITY_PREFIX = 80
QUALITY_FUZZY = 60

# Letters a typo may introduce: the Latin alphabet of Finnish, Swedish and English.
TYPO_ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöü"


@dataclass(frozen=True)
class Alternative:
    quality: int
    terms: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    word: str
    alternatives: tuple[Alternative, ...]
    points: int  # rarity weight of the word: 100 × ln(1 + N / documents with it)
    read_as: tuple[str, ...] = ()  # the index words a typo was read as

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(term for alternative in self.alternatives for term in alternative.terms)

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(prefix for alternative in self.alternatives for prefix in alternative.prefixes)


@dataclass
class ParsedQuery:
    text: str
    groups: list[Group] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # stop words and words beyond the limit
    unmatched: list[str] = field(default_factory=list)  # words that match nothing in the index

    @property
    def has_text(self) -> bool:
        return bool(self.groups) or bool(self.unmatched)

    @property
    def matches_nothing(self) -> bool:
        """A word matches no indexed term at all, so no document can match every word."""
        return bool(self.unmatched)

    @property
    def corrections(self) -> dict[str, tuple[str, ...]]:
        return {group.word: group.read_as for group in self.groups if group.read_as}

    def highlight_terms(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """(terms, prefixes) that mark a word of a shown text as a match."""
        terms = frozenset(term for group in self.groups for term in group.terms)
        prefixes = tuple(prefix for group in self.groups for prefix in group.prefixes)
        return terms, prefixes


def edits1(word: str) -> set[str]:
    """Every string one edit from `word` (deletion, adjacent transposition, substitution, insertion)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    transposes = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + letter + right[1:] for left, right in splits if right for letter in TYPO_ALPHABET}
    inserts = {left + letter + right for left, right in splits for letter in TYPO_ALPHABET}
    candidates = deletes | transposes | replaces | inserts
    candidates.discard(word)
    return {candidate for candidate in candidates if len(candidate) >= MIN_FUZZY_LENGTH - 1}


def _points(documents: int, total: int) -> int:
    return max(1, round(100 * math.log(1 + max(total, 1) / max(documents, 1))))


def _query_words(text: str) -> tuple[list[str], list[str], bool]:
    """(content words, ignored words, whether the last word is still being typed)."""
    text = (text or "")[:MAX_QUERY_CHARACTERS]
    found = list(dict.fromkeys(words(text, keep_long=True)))
    content = [word for word in found if word not in ALL_STOP_WORDS] or found
    ignored = [word for word in found if word not in content]
    if len(content) > MAX_GROUPS:
        ignored.extend(content[MAX_GROUPS:])
        content = content[:MAX_GROUPS]
    typing = bool(content) and not text[-1].isspace() and words(text, keep_long=True)[-1:] == content[-1:]
    return content, ignored, typing


def parse(text: str, vocabulary: Mapping[str, int], *, analyzer: Analyzer = DEFAULT_ANALYZER,
          typing: bool = False) -> ParsedQuery:
    """Read `text` against the index's vocabulary ({term: number of documents}, "" for all documents).

    The last word is also read as a prefix when it is not an indexed word itself (someone stopped
    typing mid-word: "tietotu"), or always when `typing` says the text is still being typed.
    """
    parsed = ParsedQuery(text=text)
    content, parsed.ignored, unfinished = _query_words(text)
    if not content:
        return parsed
    forms = {word: analyzer.query_word_terms(word) if len(word) <= MAX_TERM_LENGTH else () for word in content}
    counts = vocabulary
    total = counts.get("", 0)

    fuzzy_words = []
    for word in content:
        if len(word) > MAX_TERM_LENGTH:
            continue  # never indexed: unmatched below
        known = [counts[term] for term in forms[word] if term in counts]
        if len(word) >= MIN_FUZZY_LENGTH and not word.isdigit() and (not known or max(known) <= RARE_WORD_DOCUMENTS):
            fuzzy_words.append(word)
    neighbours = _neighbours(fuzzy_words, counts)
    neighbour_forms = {
        neighbour: analyzer.query_word_terms(neighbour) for found in neighbours.values() for neighbour, _ in found
    }

    for position, word in enumerate(content):
        alternatives: list[Alternative] = []
        own = tuple(term for term in forms[word] if term in counts)
        documents = max((counts[term] for term in own), default=0)
        if own:
            alternatives.append(Alternative(QUALITY_EXACT, terms=own))
        is_last = position == len(content) - 1
        if is_last and unfinished and (typing or not own) and MIN_PREFIX_LENGTH <= len(word) <= MAX_TERM_LENGTH:
            alternatives.append(Alternative(QUALITY_PREFIX, prefixes=(word,)))
            if not own:
                documents = max(documents, max(1, total // 20))
        read_as: tuple[str, ...] = ()
        found = neighbours.get(word, [])
        if found and (not own or max(n for _, n in found) >= COMMONER_NEIGHBOUR_FACTOR * max(documents, 1)):
            fuzzy_terms = tuple(
                dict.fromkeys(term for neighbour, _ in found for term in (neighbour, *neighbour_forms[neighbour]))
            )
            fuzzy_terms = tuple(term for term in fuzzy_terms if term not in own)
            alternatives.append(Alternative(QUALITY_FUZZY, terms=fuzzy_terms))
            read_as = tuple(neighbour for neighbour, _ in found)
            if not own:
                documents = max(n for _, n in found)
        if not alternatives:
            parsed.unmatched.append(word)
            continue
        parsed.groups.append(
            Group(word=word, alternatives=tuple(alternatives), points=_points(documents, total), read_as=read_as)
        )
    return parsed


def _neighbours(words_: list[str], counts: Mapping[str, int]) -> dict[str, list[tuple[str, int]]]:
    """For each word, the commonest index terms one edit away: [(term, documents)], best first."""
    result: dict[str, list[tuple[str, int]]] = {}
    for word in words_:
        found = sorted(((term, counts[term]) for term in edits1(word) if counts.get(term, 0) > 0),
                       key=lambda item: (-item[1], item[0]))
        if found:
            result[word] = found[:MAX_FUZZY_NEIGHBOURS]
    return result
