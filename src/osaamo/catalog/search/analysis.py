"""Text analysis for catalog search: the same normalisation in Python for every database.

A word becomes a small set of *terms*, and documents and queries meet on terms:

- the **surface form**, lower-cased (so an exact word always finds itself);
- its **lemma** from a dictionary lemmatizer (simplemma), so "johtamisen" and "johtaminen" are both
  "johtaminen", and "kompetensen" is "kompetens";
- the **Snowball stem of the lemma** (PyStemmer), which joins what the dictionary does not know
  ("management"/"managing" → "manag", unknown Finnish words "x-n"/"x-a" → the same stem);
- for Finnish and Swedish, the **parts of a compound** (tietoturvariski → tietoturva + riski,
  tietoturva → tieto + turva) when every part is a word the dictionary knows.

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


def words(text: str) -> list[str]:
    """The words of `text`, normalised, in order (duplicates kept)."""
    if not text:
        return []
    cleaned = _INNER_APOSTROPHE.sub("", normalise(text))
    return [word for word in _WORD.findall(cleaned) if len(word) <= MAX_TERM_LENGTH]


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
    _lemmatizer = None
    _stemmers: dict[str, object] = {}
    _lookup = None

    @classmethod
    def load(cls) -> None:
        with cls._lock:
            if cls._lemmatizer is not None:
                return
            import Stemmer
            from simplemma import Lemmatizer
            from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
            from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY

            # The low-memory dictionaries take ~70 MB for fi+sv+en instead of ~500 MB.
            cls._stemmers = {lang: Stemmer.Stemmer(name) for lang, name in SNOWBALL_NAMES.items()}
            cls._lookup = DictionaryLookupStrategy(LOW_MEMORY_DICTIONARY_FACTORY)
            cls._lemmatizer = Lemmatizer(
                cache_max_size=200_000, lemmatization_strategy=DefaultStrategy(low_memory=True)
            )


def warm_up() -> None:
    """Load the dictionaries now (benchmarks, or a server that wants its first search fast)."""
    _Tools.load()
    for lang in LANGUAGES:
        lemma("kurssi", lang)
        is_known_word("kurssi", lang)


def _clean(term: str) -> str:
    """A lemmatizer's answer cut to letters and digits ("data." → "data")."""
    parts = _WORD.findall(normalise(term))
    return "".join(parts)[:MAX_TERM_LENGTH]


@lru_cache(maxsize=300_000)
def lemma(word: str, lang: str) -> str:
    """The dictionary lemma of `word` (the word itself when unknown)."""
    if _Tools._lemmatizer is None:
        _Tools.load()
    if word.isdigit():
        return word
    result = _clean(_Tools._lemmatizer.lemmatize(word, lang))  # type: ignore[attr-defined]
    return result or word


@lru_cache(maxsize=300_000)
def stem(word: str, lang: str) -> str:
    if _Tools._lemmatizer is None:
        _Tools.load()
    return _Tools._stemmers[lang].stemWord(word) or word  # type: ignore[attr-defined]


@lru_cache(maxsize=300_000)
def is_known_word(word: str, lang: str) -> bool:
    """Whether the dictionary has `word` in some form (decides compound splits)."""
    if _Tools._lookup is None:
        _Tools.load()
    return _Tools._lookup.get_lemma(word, lang) is not None  # type: ignore[attr-defined]


@lru_cache(maxsize=100_000)
def compound_parts(word: str, lang: str) -> tuple[str, ...]:
    """The lemmas of the parts of a compound word; () when it is not one.

    Every cut into a known head and a known tail of four letters or more counts, so
    "tietoturvariski" gives tieto, turvariski, tietoturva and riski: a search for any of them finds
    the compound. One level only: splitting the parts again mostly finds accidental words
    (tuotanto → "tuo" + "tanto").
    """
    if lang not in DECOMPOUND_LANGUAGES or len(word) < MIN_COMPOUND_LENGTH or not word.isalpha():
        return ()
    parts: dict[str, None] = {}
    for cut in range(MIN_PART_LENGTH, len(word) - MIN_PART_LENGTH + 1):
        head, tail = word[:cut], word[cut:]
        if is_known_word(tail, lang) and is_known_word(head, lang):
            for piece in (lemma(head, lang), lemma(tail, lang)):
                if piece != word and len(piece) >= MIN_PART_LENGTH:
                    parts.setdefault(piece, None)
    return tuple(parts)


class Analyzer:
    """Words → terms. One instance per setting of `decompound` (the benchmark compares both)."""

    def __init__(self, *, decompound: bool = True) -> None:
        self.decompound = decompound
        self._base = lru_cache(maxsize=400_000)(self._base_terms)
        self._indexed = lru_cache(maxsize=400_000)(self._indexed_terms)

    @staticmethod
    def _base_terms(word: str, lang: str) -> tuple[str, ...]:
        base = lemma(word, lang)
        return tuple(dict.fromkeys((word, base, stem(base, lang))))

    def _indexed_terms(self, word: str, lang: str) -> tuple[str, ...]:
        terms = list(self._base(word, lang))
        if self.decompound:
            for part in compound_parts(lemma(word, lang), lang):
                if part not in terms:
                    terms.append(part)
        return tuple(terms)

    def word_terms(self, word: str, lang: str) -> tuple[str, ...]:
        """Every indexed term of one (normalised) word of a text in `lang`, compound parts included."""
        return self._indexed(word, lang)

    def text_terms(self, text: str, lang: str) -> list[str]:
        """The distinct terms of a text written in `lang`, in first-seen order (stop words left out)."""
        seen: dict[str, None] = {}
        stop = STOP_WORDS.get(lang, frozenset())
        for word in words(text):
            if word in stop:
                continue
            for term in self._indexed(word, lang):
                seen.setdefault(term, None)
        return list(seen)

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
