"""Text analysis for catalog search: the same normalisation in Python for every database.

A word becomes a small set of *terms*, and documents and queries meet on terms:

- the **surface form**, lower-cased (so an exact word always finds itself);
- its **lemma** from a dictionary lemmatizer (simplemma), so "johtamisen" and "johtaminen" are both
  "johtaminen", and "kompetensen" is "kompetens";
- the **Snowball stem of the lemma** (PyStemmer), which joins what the dictionary does not know
  ("management"/"managing" → "manag", unknown Finnish words "x-n"/"x-a" → the same stem);
- for Finnish and Swedish, the **parts of a compound** (tietoturvariski → tietoturva + riski,
  tietoturva → tieto + turva) when every part is a word the dictionary knows; they are indexed
  with the lowest weight, so that "riski" finds "tietoturvariskit" below what says "riski" itself.

Neither a stemmer alone (johtamin/johtamis) nor a lemmatizer alone (unknown words stay inflected)
joins every inflected form; the union of the two does. Documents are analysed in the language each
text is written in; a query's language is not known, so its words are analysed in all three and the
terms that exist in the index are kept (see `query.py`).

Terms contain only letters and digits, separated by single spaces, so PostgreSQL
(`array_to_tsvector` over the split string) and SQLite (FTS5 with the `ascii` tokenizer, which
splits only on ASCII punctuation and spaces) index exactly the same tokens.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
SNOWBALL_NAMES = {"fi": "finnish", "sv": "swedish", "en": "english"}
DECOMPOUND_LANGUAGES = frozenset({"fi", "sv"})
MAX_TERM_LENGTH = 48  # longer "words" (URLs, hashes, run-on text) are not useful search terms
MIN_COMPOUND_LENGTH = 8
MIN_PART_LENGTH = 4

# Letters and digits of any script; "_" is not a letter. Apostrophes inside a word are dropped
# before splitting ("organisation's" → "organisations"), hyphens and slashes split words.
_WORD = re.compile(r"[^\W_]+")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")

# Words that carry no topic. Dropped from queries (unless the query has nothing else) and not
# indexed in the text's own language. Kept short on purpose: a word that is a stop word in one of
# our languages can be a topic in another ("man", "vi"), so only the most frequent function words.
STOP_WORDS: dict[str, frozenset[str]] = {
    "fi": frozenset(
        ["ja", "tai", "sekä", "eli", "on", "ovat", "olla", "oli", "ei", "se", "ne", "että", "kun", "jos", "mutta", "myös", "kanssa", "joka", "jotka", "mikä", "mitkä", "tämä", "nämä", "tässä", "sen", "sitä", "siitä", "niin", "kuin", "kuten", "jo", "vain", "voi", "voidaan", "sekä", "ym", "esim"]
    ),
    "sv": frozenset(
        ["och", "eller", "att", "det", "som", "en", "ett", "är", "var", "på", "av", "för", "med", "till", "den", "de", "om", "har", "inte", "från", "eller", "samt", "vid", "sin", "sina", "detta", "dessa"]
    ),
    "en": frozenset(
        ["a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "from", "as", "is", "are", "be", "been", "was", "were", "this", "that", "these", "those", "into", "about", "its", "their", "your", "our", "can", "will", "also"]
    ),
}
ALL_STOP_WORDS: frozenset[str] = frozenset().union(*STOP_WORDS.values())


def normalise(text: str) -> str:
    """NFKC and case folding: "ﬁ" → "fi", "Å" → "å", full-width digits → digits."""
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str, *, keep_long: bool = False) -> list[str]:
    """The words of `text`, normalised, in order (duplicates kept; too long ones left out unless asked)."""
    if not text:
        return []
    cleaned = _INNER_APOSTROPHE.sub("", normalise(text))
    return [word for word in _WORD.findall(cleaned) if keep_long or len(word) <= MAX_TERM_LENGTH]


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, normalised word) for each word of `text` as written (for highlighting)."""
    for match in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*", text or ""):
        word = normalise(match.group()).replace("'", "").replace("’", "")
        for part in _WORD.findall(word):
            if len(part) <= MAX_TERM_LENGTH:
                yield match.start(), match.end(), part


class _Tools:
    """The lemmatizer and the stemmers, loaded once per process on first use (a few seconds)."""

    _lock = threading.Lock()
    _loaded: dict[str, Any] = {}

    @classmethod
    def get(cls, name: str) -> Any:
        tools = cls._loaded
        if not tools:
            with cls._lock:
                if not cls._loaded:
                    import Stemmer
                    from simplemma import Lemmatizer
                    from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
                    from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY

                    # The low-memory dictionaries take ~70 MB for fi+sv+en instead of ~500 MB.
                    cls._loaded = {
                        "stemmers": {lang: Stemmer.Stemmer(name) for lang, name in SNOWBALL_NAMES.items()},
                        "lookup": DictionaryLookupStrategy(LOW_MEMORY_DICTIONARY_FACTORY),
                        "lemmatizer": Lemmatizer(
                            cache_max_size=200_000, lemmatization_strategy=DefaultStrategy(low_memory=True)
                        ),
                    }
            tools = cls._loaded
        return tools[name]


def warm_up() -> None:
    """Load the dictionaries now (benchmarks, or a server that wants its first search fast)."""
    for lang in LANGUAGES:
        lemma("kurssi", lang)
        is_known_word("kurssi", lang)


def _clean(term: str) -> str:
    """A lemmatizer's answer cut to letters and digits ("data." → "data")."""
    parts = _WORD.findall(normalise(term))
    return "".join(parts)[:MAX_TERM_LENGTH]


# simplemma's compound decomposition sometimes answers an unknown word with its first part
# ("tietoturba" → "tieto", "tietotur" → "tieto"). For a word the dictionary does not know, a lemma
# that only cuts the end off is believed when what it cuts off is an inflectional ending.
ENDINGS: dict[str, frozenset[str]] = {
    "fi": frozenset(
        ["n", "t", "a", "ä", "ta", "tä", "na", "nä", "ksi", "ssa", "ssä", "sta", "stä", "lla", "llä", "lta", "ltä", "lle", "en", "in", "an", "än", "on", "ön", "un", "yn", "hin", "seen", "ja", "jä", "ien", "iden", "itten", "ita", "itä", "issa", "issä", "ista", "istä", "illa", "illä", "ilta", "iltä", "ille", "iin", "ina", "inä", "iksi", "ne", "ni", "si", "nsa", "nsä", "kin", "ko", "kö", "han", "hän"]
    ),
    "sv": frozenset(["s", "n", "t", "e", "en", "et", "er", "ar", "or", "na", "ns", "ts", "es", "ens", "ets", "ers", "ars", "ors", "erna", "arna", "orna", "ernas", "arnas"]),
    "en": frozenset(["s", "es", "ed", "d", "ing", "ings", "er", "ers", "ly"]),
}


@lru_cache(maxsize=300_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary lemma of `word` (the word itself when unknown)."""
    if word.isdigit():
        return word
    known = _Tools.get("lookup").get_lemma(word, lang)
    if known is not None:
        return _clean(known) or word
    result = _clean(_Tools.get("lemmatizer").lemmatize(word, lang)) or word
    if result != word and word.startswith(result) and word[len(result):] not in ENDINGS.get(lang, ()):
        return word
    return result


@lru_cache(maxsize=300_000)
def stem(word: str, lang: str) -> str:
    return str(_Tools.get("stemmers")[lang].stemWord(word)) or word


@lru_cache(maxsize=300_000)
def is_known_word(word: str, lang: str) -> bool:
    """Whether the dictionary has `word` in some form (decides compound splits)."""
    return _Tools.get("lookup").get_lemma(word, lang) is not None


def _base_form(part: str, lang: str) -> bool:
    return is_known_word(part, lang) and lemma(part, lang) == part


def _compound_head(head: str, lang: str) -> str | None:
    """The base form of a compound's first part as written: "tieto", "kemian" (genitive) → "kemia",
    Swedish "informations" (linking s) → "information"; None when it is not one."""
    if _base_form(head, lang):
        return head
    if lang == "fi" and head.endswith("n") and is_known_word(head, lang):
        base = lemma(head, lang)
        return base if base != head and len(base) >= MIN_PART_LENGTH else None
    if lang == "sv" and head.endswith("s") and _base_form(head[:-1], lang):
        return head[:-1]
    return None


@lru_cache(maxsize=100_000)
def compound_parts(word: str, lang: str) -> tuple[str, ...]:
    """The parts of a compound word in base form; () when it is not one.

    Every cut into a first part (in base form, or Finnish genitive, or with a Swedish linking "s")
    and a last part in base form, both dictionary words of four letters or more, counts: so
    "tietoturvariski" gives tieto, turvariski, tietoturva and riski, and a search for any of them
    finds the compound. Cuts whose parts are not base forms are accidental words inside a word
    ("kompetens" is not "komp" + "etens") and are left out.
    """
    if lang not in DECOMPOUND_LANGUAGES or len(word) < MIN_COMPOUND_LENGTH or not word.isalpha():
        return ()
    parts: dict[str, None] = {}
    for cut in range(MIN_PART_LENGTH, len(word) - MIN_PART_LENGTH + 1):
        tail = word[cut:]
        if not _base_form(tail, lang):
            continue
        head = _compound_head(word[:cut], lang)
        if head is not None:
            parts.setdefault(head, None)
            parts.setdefault(tail, None)
    return tuple(parts)


class Analyzer:
    """Words → terms. One instance per setting of `decompound` (the benchmark compares both)."""

    def __init__(self, *, decompound: bool = True) -> None:
        self.decompound = decompound
        self._base = lru_cache(maxsize=400_000)(self._base_terms)
        self._parts = lru_cache(maxsize=400_000)(self._compound_terms)

    @staticmethod
    def _base_terms(word: str, lang: str) -> tuple[str, ...]:
        base = lemma(word, lang)
        return tuple(dict.fromkeys((word, base, stem(base, lang))))

    def _compound_terms(self, word: str, lang: str) -> tuple[str, ...]:
        if not self.decompound:
            return ()
        own = self._base(word, lang)
        return tuple(part for part in compound_parts(lemma(word, lang), lang) if part not in own)

    def word_terms(self, word: str, lang: str) -> tuple[str, ...]:
        """Every indexed term of one (normalised) word of a text in `lang`, compound parts included."""
        return self._base(word, lang) + self._parts(word, lang)

    def text_terms(self, text: str, lang: str) -> list[str]:
        """The distinct terms of a text written in `lang`, in first-seen order (stop words left out)."""
        seen: dict[str, None] = {}
        stop = STOP_WORDS.get(lang, frozenset())
        for word in words(text):
            if word not in stop:
                for term in self._base(word, lang):
                    seen.setdefault(term, None)
        return list(seen)

    def text_parts(self, text: str, lang: str) -> list[str]:
        """The parts of the compound words of a text (indexed with the lowest weight: a search for a
        part finds the compound, below what has the word itself)."""
        seen: dict[str, None] = {}
        for word in words(text):
            for term in self._parts(word, lang):
                seen.setdefault(term, None)
        return list(seen)

    def query_word_terms_in(self, word: str, lang: str) -> tuple[str, ...]:
        """The surface, lemma and stem of one word of a text in `lang` (no compound parts)."""
        return self._base(word, lang)

    def query_word_terms(self, word: str) -> tuple[str, ...]:
        """The terms of a query word in every language (which one it is written in is unknown).

        No compound parts: "tietoturvariski" must not widen to everything about "turva".
        """
        seen: dict[str, None] = {}
        for lang in LANGUAGES:
            for term in self._base(word, lang):
                seen.setdefault(term, None)
        return tuple(seen)


def content_word_count(text: str) -> int:
    """How many words of `text` are not stop words (titles: shorter fully-matched titles rank first)."""
    return sum(1 for word in words(text) if word not in ALL_STOP_WORDS)


def joined(terms: Iterable[str]) -> str:
    """Terms as stored in the index: single spaces, no empty terms."""
    return " ".join(term for term in terms if term)


DEFAULT_ANALYZER = Analyzer(decompound=True)
