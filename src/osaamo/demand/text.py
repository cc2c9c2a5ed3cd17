"""Words of a free-text need compared with learning outcomes, in Finnish, Swedish and English.

An employer writes a need in one language and a provider's outcomes are in up to three. Every
word of the need is stemmed with the Snowball stemmer of each language (PyStemmer) and compared
with the outcome text of that language, stemmed the same way. Snowball leaves some Finnish forms
apart ("riskit" → `risk`, "riskejä" → `riskej`; "kyberturvallisuus" → `kyberturvallisuus`,
"-uuden" → `kyberturvallisuud`) and compounds carry a longer stem ("tietosuoja" → `tietosuo`,
"tietosuojaseloste" → `tietosuojasel`), so two stems also match when they share a beginning of at
least four letters that is at least 80 % of the shorter one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

STEMMER_NAMES = {"fi": "finnish", "sv": "swedish", "en": "english"}
MIN_WORD_LENGTH = 3
MIN_SHARED = 4
SHARED_RATIO = 0.8
MAX_TERMS = 30

# Function words and the words every need uses ("our staff need to learn …"), which say nothing
# about what to learn.
_STOP_WORDS_TEXT = """
    the and for with our their who that this these those from have has need needs needed want would should
    must can will into about more than also such other all any some are was were been being they them
    people staff employee employees team teams person persons worker workers learn learning learned
    skill skills knowledge know understand understanding basic basics course courses training trained
    able ability work working job jobs new how what when where which why year years month months
    ja tai sekä että kanssa joka jotka jonka joiden mikä mitkä tämä nämä tuo nuo hän he me meidän heidän
    myös kuin kun jos niin vain ovat olla oli ovat tulee pitää pitäisi täytyy haluamme tarvitsemme tarvitaan
    henkilöstö henkilöstön henkilöstömme työntekijä työntekijät työntekijöiden työntekijöillemme
    osaaminen osaamista osaamisen oppia oppimaan koulutus koulutusta koulutuksen perusteet perusteita taidot
    taitoja uusi uusia uutta
    och att som för med till från den det detta dessa vår våra vårt deras har måste vill behöver behövs
    kan ska skulle också eller samt personal personalen medarbetare anställda lära lär kunskap kunskaper
    kompetens kompetensen utbildning utbildningen grunder grunderna färdigheter nya
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[^\W\d_](?:[^\W_]|[-'’])*", re.UNICODE)
_local = threading.local()  # PyStemmer's stemmers are not thread-safe: one set per thread


def _stemmer(language: str) -> Stemmer.Stemmer:
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {code: Stemmer.Stemmer(name) for code, name in STEMMER_NAMES.items()}
    return stemmers[language]


def words(text: str) -> list[str]:
    """The words of `text`, lower-case, hyphenated compounds kept whole."""
    return [word.strip("-'’") for word in _WORD.findall((text or "").lower())]


@dataclass(frozen=True)
class Term:
    """A word of the need and its stem in each language."""

    word: str
    stems: tuple[tuple[str, str], ...]  # (language, stem)


def need_terms(*texts: str) -> list[Term]:
    """The words of a need worth matching, once each, in the order written (at most MAX_TERMS)."""
    seen: dict[str, Term] = {}
    for text in texts:
        for word in words(text):
            if len(word) < MIN_WORD_LENGTH or word in STOP_WORDS or word in seen:
                continue
            seen[word] = Term(word, tuple((code, _stemmer(code).stemWord(word)) for code in STEMMER_NAMES))
            if len(seen) >= MAX_TERMS:
                return list(seen.values())
    return list(seen.values())


def stems_match(first: str, second: str) -> bool:
    """Equal, or sharing a beginning of at least four letters that is 80 % of the shorter stem."""
    if first == second:
        return True
    shorter = min(len(first), len(second))
    if shorter < MIN_SHARED:
        return False
    shared = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        shared += 1
    return shared >= MIN_SHARED and shared >= SHARED_RATIO * shorter


@lru_cache(maxsize=4096)
def _text_stems(text: str, language: str) -> tuple[tuple[str, str], ...]:
    stemmer = _stemmer(language)
    return tuple((word, stemmer.stemWord(word)) for word in dict.fromkeys(words(text)) if len(word) >= MIN_WORD_LENGTH)


def found_in(term: Term, text: Mapping[str, str] | None) -> str | None:
    """The word of `text` (a {language: text} object) that `term` matches, or None."""
    for language, stem in term.stems:
        value = (text or {}).get(language)
        if not isinstance(value, str) or not value:
            continue
        for word, other in _text_stems(value, language):
            if word == term.word or stems_match(stem, other):
                return word
    return None


def search_fragments(terms: Iterable[Term]) -> list[str]:
    """Lower-case fragments to narrow candidates by a substring test on the catalog's search text."""
    fragments: set[str] = set()
    for term in terms:
        for _language, stem in term.stems:
            # Shorter than a match needs: this only narrows the candidates, `found_in` decides.
            fragment = stem[: max(MIN_SHARED, int(len(stem) * 0.6))]
            if len(fragment) >= MIN_SHARED:
                fragments.add(fragment)
    return sorted(fragments)
