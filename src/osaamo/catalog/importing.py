"""Importing courses from a study information system (SIS) export into draft micro-credentials.

The input is JSON Lines, one course per line, shaped like a Sisu export (`code`, `name_fi/sv/en`,
`credits_min/max`, `level`, `teaching_languages`, `learning_outcomes_fi/sv/en`, `content_fi/sv/en`,
`prerequisites_fi/en`, `assessment_en`, `grading_scale`, `realisation_type`, …). What the export
lacks (EQF level, ISCED-F field, type of assessment, quality assurance, …) comes from
`ImportOptions`. Every row goes through the real catalog services, so the same rules hold as in the
design pages; the validator's findings are reported for each row.

Decisions worth knowing:

- **All or nothing.** The whole file is one transaction. If any row is invalid, nothing is kept
  (unless `skip_invalid`), so a file is never half-imported. A dry run is the same import, rolled back.
- **Matching.** A row is the micro-credential with the same provider and course code. A working copy
  (draft or in review) is updated in place; a published micro-credential gets a new draft version only
  when something changed; otherwise the row is reported unchanged.
- **The export owns the languages it has.** Text in a language the export does not have (e.g. a
  Swedish translation a designer added in Osaamo) is kept; ESCO skills attached to a learning outcome
  are kept while the outcome's text stays the same. Empty values in the export never erase what is there.
- **Copies are not translations.** Sisu repeats the English text in the Finnish and Swedish fields
  when a course has no translation; such a copy is stored once, in the language it is written in.
- **Streaming.** Lines are read one at a time; only the per-row report is kept.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.accounts.selectors import DESIGN_ROLES, PUBLISH_ROLES, has_role
from osaamo.audit.services import audit_record
from osaamo.catalog.models import EDITABLE_STATES, MicroCredential, MicroCredentialVersion
from osaamo.catalog.services import (
    MAX_OUTCOMES,
    clean_design_data,
    micro_credential_create,
    version_edit_or_new,
    version_findings,
    version_publish,
    version_update,
)
from osaamo.errors import DomainError, InvalidInput, PermissionDenied
from osaamo.framework.rules import Finding, has_errors
from osaamo.framework.verbs import VerbKind, outcome_verb
from osaamo.framework.vocabularies import HOURS_PER_ECTS_FINLAND, Language, ParticipationForm
from osaamo.translation import LANGUAGE_CODES

# SIS study level → EQF level (None: import without an EQF level). An interpretation, not source data:
# basic and intermediate studies belong to the bachelor's level, advanced to the master's.
DEFAULT_LEVEL_MAP: dict[str, int | None] = {
    "basic-studies": 6,
    "intermediate-studies": 6,
    "advanced-studies": 7,
    "postgraduate-studies": 8,
}
# EQF level → QF-EHEA cycle (standards.md §1.4: short 5, first 6, second 7, third 8).
CYCLE_OF_EQF_LEVEL: dict[int, str] = {5: "short", 6: "first", 7: "second", 8: "third"}
GRADING_SCALES: dict[str, str] = {"0-5": "0-5", "hyl-hyv": "pass_fail"}
# Sisu realisation types that tell the form of participation.
PARTICIPATION_OF_REALISATION: dict[str, str] = {
    "teaching-participation-online": ParticipationForm.ONLINE,
    "teaching-participation-blended": ParticipationForm.BLENDED,
    "teaching-participation-contact": ParticipationForm.ONSITE,
    "teaching-participation-lectures": ParticipationForm.ONSITE,
}
# Design fields an import may fill from its options where the export has nothing.
DEFAULTABLE_FIELDS: tuple[str, ...] = (
    "target_group", "further_information", "assessment_type", "assessment_description",
    "participation_form", "quality_assurance", "quality_assurance_description", "identity_verification",
    "stackability", "stackability_description", "isced_f", "grading_scale",
)
TRANSLATED_DEFAULTS = frozenset({
    "target_group", "further_information", "assessment_description", "quality_assurance_description",
    "stackability_description",
})
MAX_LINE_BYTES = 1_000_000
MAX_CODE_LENGTH = 40


class RowStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass(frozen=True)
class ImportOptions:
    """What the export lacks, and how to run the import."""

    level_map: Mapping[str, int | None] = field(default_factory=lambda: dict(DEFAULT_LEVEL_MAP))
    hours_per_ects: int = HOURS_PER_ECTS_FINLAND
    # Design data (the keys of DEFAULTABLE_FIELDS) used where a row has nothing of its own;
    # a translated text fills the languages the row lacks.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    publish: bool = False
    dry_run: bool = False
    skip_invalid: bool = False


@dataclass
class RowResult:
    line: int
    status: RowStatus
    code: str = ""
    version_number: int | None = None
    state: str = ""
    published: bool = False
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # decisions the import made that a person should check
    errors: list[str] = field(default_factory=list)  # why an invalid row was not imported

    @property
    def has_finding_errors(self) -> bool:
        return has_errors(self.findings)


@dataclass
class ImportReport:
    """The outcome of an import: counts, and the rows (unless they were handed to `on_row` instead)."""

    rows: list[RowResult] = field(default_factory=list)
    fatal: str = ""  # a problem with the whole file: nothing was read
    written: bool = False
    dry_run: bool = False
    skip_invalid: bool = False
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, row: RowResult, on_row: Callable[[RowResult], None] | None) -> None:
        self.counts[row.status] += 1
        self.counts["published"] += row.published
        self.counts["with_errors"] += row.status != RowStatus.INVALID and row.has_finding_errors
        if on_row is None:
            self.rows.append(row)
        else:
            on_row(row)

    @property
    def created(self) -> int:
        return self.counts[RowStatus.CREATED]

    @property
    def updated(self) -> int:
        return self.counts[RowStatus.UPDATED]

    @property
    def unchanged(self) -> int:
        return self.counts[RowStatus.UNCHANGED]

    @property
    def invalid(self) -> int:
        return self.counts[RowStatus.INVALID]

    @property
    def published(self) -> int:
        return self.counts["published"]

    @property
    def with_errors(self) -> int:
        """Imported rows whose micro-credential the validator still reports errors for."""
        return self.counts["with_errors"]

    @property
    def ok(self) -> bool:
        """The import did what was asked: no file problem, and no invalid row unless skipping was asked."""
        return not self.fatal and (self.invalid == 0 or self.skip_invalid)


class _InvalidRow(Exception):
    def __init__(self, errors: list[str], code: str = "") -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        self.code = code


# --- reading text ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u2007\u2009\u202f\u200b\ufeff]+")
_PLACEHOLDER = re.compile(r"[\s\-–—.…/?]*|n/?a|tba|tbd|none|ei|ingen|-+", re.IGNORECASE)
# Sisu realisation types that an export may have left in, or instead of, a course name.
_REALISATION_LABELS = (
    "lecture", "lectures", "luento-opetus", "luennot", "föreläsning", "föreläsningar",
    "contact teaching", "lähiopetus", "närundervisning", "kontaktundervisning",
    "online teaching", "verkko-opetus", "nätundervisning",
    "blended teaching", "monimuoto-opetus", "flerformsundervisning",
    "project teaching", "projektiopetus", "projektundervisning",
    "exam", "tentti", "tentamen", "electronic exam", "sähköinen tentti", "elektronisk tentamen",
)
# …and the open university's marker, which names the channel, not the course.
_OPEN_UNIVERSITY_LABELS = ("avoin yo", "avoin yliopisto", "open uni", "open university", "öppna uni",
                           "öppna universitetet")
_LABELS = "|".join(re.escape(label) for label in sorted(_REALISATION_LABELS, key=len, reverse=True))
_OPEN_LABELS = "|".join(re.escape(label) for label in _OPEN_UNIVERSITY_LABELS)
_REALISATION_ONLY = re.compile(rf"(?:\([^)]*\)\s*)?(?:{_LABELS})(?:\s*\([^)]*\))?", re.IGNORECASE)
_NAME_SUFFIX = re.compile(
    rf",\s*(?:(?:\([^)]*\)\s*)?(?:{_LABELS})(?:\s*\([^)]*\))?|\(?(?:{_OPEN_LABELS})\)?)$", re.IGNORECASE
)


def _clean_text(value: str) -> str:
    """Spaces normalised within lines, blank lines dropped; a placeholder ("-", "n/a") is no text."""
    lines = (_SPACES.sub(" ", line).strip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    text = "\n".join(line for line in lines if line)
    return "" if _PLACEHOLDER.fullmatch(text) else text


def _fingerprint(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


# Frequent function words, enough to tell which of our three languages a copied text is written in.
_MARKER_WORDS_TEXT: dict[str, str] = {
    "fi": """ja on sekä tai että kanssa jälkeen osaa opiskelija opiskelijat kurssin kurssilla kurssi
             opintojakson opintojakso voi myös kuten hän joka jotka ovat tämä mm esim""",
    "sv": """och att är för med som kan den det en ett på till av om efter studenten studerande kursen
             kurs har eller även samt också""",
    "en": """the and of to in is are will be able with for from on student students course can this
             that or an as by their after""",
}
_MARKER_WORDS: dict[str, frozenset[str]] = {code: frozenset(text.split()) for code, text in _MARKER_WORDS_TEXT.items()}


def _detected_language(text: str, candidates: Iterable[str]) -> str | None:
    """Which of `candidates` (fi, sv, en) `text` is written in, when its words make that clear."""
    words = re.findall(r"[^\W\d_]+", text.casefold())
    scores = {code: sum(word in _MARKER_WORDS[code] for word in words) for code in candidates}
    lowered = text.casefold()
    if "å" in lowered and "sv" in scores:
        scores["sv"] += 2
    elif ("ä" in lowered or "ö" in lowered) and "fi" in scores:
        scores["fi"] += 1
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def _without_copies(texts: Mapping[str, str]) -> dict[str, str]:
    """One text per language; a text repeated under several languages is kept once, where it belongs."""
    groups: dict[str, list[str]] = {}
    for code in LANGUAGE_CODES:
        if texts.get(code):
            groups.setdefault(_fingerprint(texts[code]), []).append(code)
    kept: dict[str, str] = {}
    for codes in groups.values():
        if len(codes) == 1:
            keep = codes[0]
        else:
            detected = _detected_language(texts[codes[0]], codes)
            keep = detected or ("en" if "en" in codes else codes[0])
        kept[keep] = texts[keep]
    return {code: kept[code] for code in LANGUAGE_CODES if code in kept}


def _course_name(text: str) -> str:
    """A course name without the realisation type that a SIS export may append (", Lecture")."""
    if _REALISATION_ONLY.fullmatch(text):
        return ""
    while (shorter := _NAME_SUFFIX.sub("", text).strip()) != text:
        text = shorter
    return text


# --- learning outcomes ----------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-–—•·*▪●◦]+|\(?(?:\d{1,2}|[a-h])[.)]|\d{1,2}(?=\s))\s*")
_INLINE_BULLET = re.compile(r"\s[-–•·*▪●]\s")
_INLINE_NUMBER = re.compile(r"(?<![\d.,/])(\d{1,2})(?:[.)]\s*|\s+)(?=\(?[^\W\d_])")
_INTRO_END = re.compile(
    r"(?:\b(?:able to|will|can|should|could|must|learns? to|osaa|osaavat|pystyy|kykenee|kan|ska|"
    r"students?|the student|learners?|opiskelija|opiskelijat|studerande|studenten|studerandena)|:|…|\.\.\.)\s*:?$",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"(?:[,;]\s*(?:and|or|ja|tai|sekä|och|eller)?|\s(?:and|ja|sekä|och))\s*$", re.IGNORECASE)
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "etc", "esim", "mm", "ns", "yms", "jne", "ts", "ym", "vrt", "ks", "engl", "ruots",
    "t.ex", "bl.a", "o.s.v", "m.m", "dvs", "s.k", "ca", "vs", "cf", "dr", "prof", "approx", "incl", "no",
    "nr", "fig", "eq", "ch", "sec", "st", "mr", "ms",
})
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)]*\s+(?=[\"“(]?[A-ZÅÄÖÜ0-9])")


def _split_numbered(line: str) -> list[str]:
    """"… 1. use x, 2. classify y" → the parts before 1 and between the numbers, if 1, 2, … are all there."""
    starts: list[tuple[int, int]] = []
    expected = 1
    for match in _INLINE_NUMBER.finditer(line):
        if int(match.group(1)) == expected:
            starts.append((match.start(), match.end()))
            expected += 1
    if len(starts) < 2:
        return [line]
    parts = [line[: starts[0][0]]]
    for (_start, end), following in zip(starts, [*starts[1:], (len(line), len(line))], strict=True):
        parts.append(line[end: following[0]])
    return [part.strip() for part in parts if part.strip()]


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start: match.start() + 1].rstrip(".!?\"”’)").split()
        last = before[-1].casefold().rstrip(".") if before else ""
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        parts.append(text[start: match.end()].strip())
        start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _is_heading(sentence: str, language: str) -> bool:
    """A one- or two-word title such as "Cinematography" that groups the outcomes after it."""
    if len(sentence.split()) > 2 or not sentence[:1].isupper() or sentence.endswith((".", "!", "?")):
        return False
    return not language or outcome_verb(sentence, language).kind == VerbKind.MISSING


def split_outcomes(text: str, language: str = "") -> list[str]:
    """Learning outcome statements from one language's outcome text.

    Handles what SIS exports contain: one statement per line, bulleted or numbered lists (also inline,
    where the export lost the line breaks), an introductory line ("After the course the student can:")
    that is dropped, headings that group outcomes, and prose that is split into sentences. With
    `language` (fi, sv, en), a short line that starts with an action verb is never taken for a heading.
    """
    # Where the export lost the line breaks of a list, a bullet still starts an item: "•" anywhere,
    # "-<no-break space>", and a dash right after the end of a sentence ("business.- Explain").
    text = re.sub(r"\s*[•▪●]\s*", "\n- ", text)
    text = re.sub(r"(?:^|(?<=\S))\s*[-–]\u00a0+", "\n- ", text)
    text = re.sub(r"(?<=[.;:])[-–]\s*(?=[^\W\d_])", "\n- ", text)
    text = re.sub(r"(?<=[.;:])\s+[-–]\s+(?=[A-ZÅÄÖ])", "\n- ", text)
    text = _clean_text(text)
    if not text:
        return []
    items: list[str] = []
    for line in text.split("\n"):
        pieces = [line]
        if len(_INLINE_BULLET.findall(line)) >= 2:
            pieces = [piece for piece in _INLINE_BULLET.split(line) if piece.strip()]
        for piece in pieces:
            items.extend(_split_numbered(piece))
    items = [_BULLET.sub("", item).strip() for item in items]
    items = [item for item in items if item]
    sentences = [sentence for item in items for sentence in _sentences(item)]
    # Drop introductions and headings: text that leads into the list rather than states an outcome
    # ("After the course the student can:", "Opiskelija osaa", "Cinematography").
    if len(sentences) > 1:
        last = len(sentences) - 1
        sentences = [
            sentence for index, sentence in enumerate(sentences)
            if not (index < last and _INTRO_END.search(sentence)) and not _is_heading(sentence, language)
        ] or sentences[-1:]
    statements: list[str] = []
    for sentence in sentences:
        sentence = _TRAILING.sub("", sentence).strip()
        if sum(ch.isalpha() for ch in sentence) >= 3 and sentence not in statements:
            statements.append(sentence)
    return statements


def _outcomes(texts: Mapping[str, str], teaching: list[str], notes: list[str]) -> list[dict[str, str]]:
    """Statements per language, paired by position; a language whose statements cannot be paired is left out."""
    split = {code: split_outcomes(text, code) for code, text in texts.items()}
    split = {code: statements for code, statements in split.items() if statements}
    if not split:
        return []
    order = [*[code for code in teaching if code in split], "en", "fi", "sv"]
    primary = next(code for code in order if code in split)
    count = len(split[primary])
    for code, statements in split.items():
        if code != primary and len(statements) != count:
            notes.append(str(_(
                "The learning outcomes in %(language)s (%(n)s statements) could not be paired with those in "
                "%(primary)s (%(m)s); only %(primary)s was imported."
            ) % {"language": Language(code).label, "n": len(statements),
                 "primary": Language(primary).label, "m": count}))
    paired = [code for code, statements in split.items() if len(statements) == count]
    if count > MAX_OUTCOMES:
        notes.append(str(_("The export has %(n)s learning outcome statements; the first %(max)s were imported.")
                         % {"n": count, "max": MAX_OUTCOMES}))
        count = MAX_OUTCOMES
    return [{code: split[code][index] for code in LANGUAGE_CODES if code in paired} for index in range(count)]


# --- one row of the export ------------------------------------------------------------------------

@dataclass
class _Course:
    code: str
    data: dict[str, Any]
    notes: list[str]


def _text_field(record: Mapping[str, Any], name: str, errors: list[str]) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(str(_("The field %(field)s must be text.") % {"field": name}))
        return ""
    return _clean_text(value)


def _translations(record: Mapping[str, Any], prefix: str, errors: list[str]) -> dict[str, str]:
    return {
        code: text for code in LANGUAGE_CODES
        if (text := _text_field(record, f"{prefix}_{code}", errors))
    }


def _credit(value: Any, name: str, errors: list[str]) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors.append(str(_("%(field)s must be a number.") % {"field": name}))
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.append(str(_("%(field)s must be a number, not “%(value)s”.") % {"field": name, "value": str(value)[:20]}))
        return None
    if not number.is_finite() or number < 0 or number >= 1000:
        errors.append(str(_("%(field)s must be a number between 0 and 999.") % {"field": name}))
        return None
    return number


def _workload(record: Mapping[str, Any], options: ImportOptions, errors: list[str],
              notes: list[str]) -> dict[str, Any]:
    low = _credit(record.get("credits_min"), "credits_min", errors)
    high = _credit(record.get("credits_max"), "credits_max", errors)
    if low is None and high is None:
        return {}
    if low is not None and high is not None and low > high:
        errors.append(str(_("credits_min (%(low)s) is larger than credits_max (%(high)s).")
                          % {"low": low, "high": high}))
        return {}
    ects = low if low is not None else high
    assert ects is not None
    if low is not None and high is not None and low != high:
        notes.append(str(_("The course has %(low)s–%(high)s credits; the micro-credential was given %(low)s ECTS.")
                         % {"low": _number(low), "high": _number(high)}))
    rounded = ects.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded != ects:
        notes.append(str(_("%(value)s credits were rounded to %(rounded)s ECTS.")
                         % {"value": _number(ects), "rounded": _number(rounded)}))
    hours = int((rounded * options.hours_per_ects).to_integral_value(rounding=ROUND_HALF_UP))
    return {"ects": str(rounded), "hours": hours}


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _level(record: Mapping[str, Any], options: ImportOptions, errors: list[str],
           notes: list[str]) -> dict[str, Any]:
    level = record.get("level")
    if level is None or (isinstance(level, str) and not level.strip()):
        notes.append(str(_("The course has no study level, so no EQF level was set.")))
        return {}
    if not isinstance(level, str):
        errors.append(str(_("The field level must be text.")))
        return {}
    level = level.strip()
    if level not in options.level_map:
        errors.append(str(_(
            "Unknown study level “%(level)s”: map it to an EQF level, e.g. --level-map %(level)s=6 "
            "(or %(level)s=none to import without one)."
        ) % {"level": level[:60]}))
        return {}
    eqf = options.level_map[level]
    if eqf is None:
        notes.append(str(_("The study level %(level)s is mapped to no EQF level.") % {"level": level}))
        return {}
    return {"eqf_level": eqf, "qf_ehea_cycle": CYCLE_OF_EQF_LEVEL.get(eqf, "none")}


def _languages(record: Mapping[str, Any], errors: list[str], notes: list[str]) -> list[str]:
    value = record.get("teaching_languages")
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        errors.append(str(_("teaching_languages must be a list of language codes.")))
        return []
    codes = [code.strip().lower() for code in value if code.strip()]
    unknown = [code for code in codes if code not in Language.values]
    if unknown:
        notes.append(str(_("Unknown teaching language %(codes)s was left out.") % {"codes": ", ".join(unknown)[:40]}))
    return list(dict.fromkeys(code for code in codes if code in Language.values))


def _course(record: Any, options: ImportOptions) -> _Course:
    """The design data of one export row, or _InvalidRow with every reason it cannot be imported."""
    if not isinstance(record, dict):
        raise _InvalidRow([str(_("The line is not a JSON object."))])
    errors: list[str] = []
    notes: list[str] = []
    raw_code = record.get("code")
    code = raw_code.strip() if isinstance(raw_code, str) else ""
    if not code:
        errors.append(str(_("The course code (code) is missing.")))
    elif len(code) > MAX_CODE_LENGTH:
        errors.append(str(_("The course code is longer than %(n)s characters.") % {"n": MAX_CODE_LENGTH}))

    names = {lang: _course_name(text) for lang, text in _translations(record, "name", errors).items()}
    title = _without_copies({lang: text for lang, text in names.items() if text})
    if not title:
        errors.append(str(_("The course name (name_fi, name_sv or name_en) is missing.")))

    data: dict[str, Any] = {"title": title}
    data.update(_workload(record, options, errors, notes))
    data.update(_level(record, options, errors, notes))
    teaching = _languages(record, errors, notes)
    if teaching:
        data["languages"] = teaching
    for name, prefix in (("description", "content"), ("prerequisites", "prerequisites"),
                         ("assessment_description", "assessment")):
        texts = _without_copies(_translations(record, prefix, errors))
        if texts:
            data[name] = texts
    outcome_texts = _without_copies(_translations(record, "learning_outcomes", errors))
    outcomes = _outcomes(outcome_texts, teaching, notes)
    if outcomes:
        data["learning_outcomes"] = [{"text": text, "skills": []} for text in outcomes]
    else:
        notes.append(str(_("The course has no learning outcomes in the export.")))

    scale = record.get("grading_scale")
    if isinstance(scale, str) and scale.strip():
        if scale.strip() in GRADING_SCALES:
            data["grading_scale"] = GRADING_SCALES[scale.strip()]
        else:
            notes.append(str(_("The grading scale %(scale)s has no equivalent here; check the grading scale.")
                             % {"scale": scale.strip()[:30]}))
    realisation = record.get("realisation_type")
    if "participation_form" not in options.defaults and isinstance(realisation, str):
        form = PARTICIPATION_OF_REALISATION.get(realisation)
        if form:
            data["participation_form"] = str(form)
    if errors:
        raise _InvalidRow(errors, code)
    _apply_defaults(data, options.defaults)
    return _Course(code=code, data=data, notes=notes)


def _apply_defaults(data: dict[str, Any], defaults: Mapping[str, Any]) -> None:
    for name, value in defaults.items():
        if name in TRANSLATED_DEFAULTS:
            own = data.get(name) or {}
            merged = {code: text for code, text in (value or {}).items() if text}
            merged.update(own)
            if merged:
                data[name] = merged
        elif name not in data and value not in (None, ""):
            data[name] = value


# --- writing --------------------------------------------------------------------------------------

def _merged_with_current(version: MicroCredentialVersion, data: dict[str, Any]) -> dict[str, Any]:
    """`data` applied over the current version: per language for texts, skills kept for kept outcomes."""
    merged = dict(data)
    for name, value in data.items():
        if isinstance(value, dict) and name != "learning_outcomes":
            merged[name] = {**getattr(version, name), **value}
    if "learning_outcomes" in data:
        current = [(dict(o.text), [s.uri for s in o.skills.all()]) for o in version.outcomes.all()]
        new = data["learning_outcomes"]
        outcomes = []
        for index, outcome in enumerate(new):
            exported: dict[str, str] = outcome["text"]

            def same(old_text: Mapping[str, str], exported: Mapping[str, str] = exported) -> bool:
                return any(old_text.get(code) == value for code, value in exported.items())

            # The same outcome (same text in a language of the export): at the same position when the
            # list kept its length, else anywhere. It keeps its other languages and its skills; a
            # changed outcome starts afresh, since an old translation would no longer match it.
            if len(current) == len(new) and same(current[index][0]):
                match: tuple[dict[str, str], list[str]] | None = current[index]
            else:
                match = next((old for old in current if same(old[0])), None)
            text = {**match[0], **exported} if match else dict(exported)
            outcomes.append({"text": {code: text[code] for code in LANGUAGE_CODES if code in text},
                             "skills": match[1] if match else []})
        merged["learning_outcomes"] = outcomes
    return merged


def _differs(version: MicroCredentialVersion, data: Mapping[str, Any]) -> bool:
    cleaned = clean_design_data(data)
    for name, value in cleaned.fields.items():
        if getattr(version, name) != value:
            return True
    if cleaned.outcomes is not None:
        current = [(dict(o.text), sorted(s.uri for s in o.skills.all())) for o in version.outcomes.all()]
        new = [(text, sorted(s.uri for s in skills)) for text, skills in cleaned.outcomes]
        if current != new:
            return True
    return False


def _import_course(course: _Course, *, line: int, provider: Organisation, by: Any,
                   options: ImportOptions) -> RowResult:
    micro_credential = MicroCredential.objects.filter(provider=provider, code=course.code).first()
    if micro_credential is None:
        version = micro_credential_create(provider=provider, by=by, code=course.code, data=course.data)
        status = RowStatus.CREATED
    else:
        working = micro_credential.versions.filter(state__in=EDITABLE_STATES).first()
        base = working or micro_credential.versions.order_by("-number").first()
        assert base is not None
        data = _merged_with_current(base, course.data)
        if _differs(base, data):
            version = working or version_edit_or_new(micro_credential=micro_credential, by=by)
            version = version_update(version=version, by=by, data=data)
            status = RowStatus.UPDATED
        else:
            version = base
            status = RowStatus.UNCHANGED
    findings = version_findings(version)
    published = False
    if options.publish and version.is_editable and not has_errors(findings):
        version = version_publish(version=version, by=by)
        published = True
    return RowResult(line=line, status=status, code=course.code, version_number=version.number,
                     state=version.state, published=published, findings=findings, notes=course.notes)


def _error_messages(error: DomainError | ValidationError) -> list[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    messages = [str(error.message)]
    if isinstance(error.details, Mapping):
        for name, problems in error.details.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                messages.append(f"{name}: {problem}")
    return messages


def _decoded_lines(lines: Iterable[bytes | str], report: ImportReport) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None when unreadable, the reason) for each line; sets report.fatal for the file."""
    empty = True
    for number, raw in enumerate(lines, start=1):
        empty = False
        if isinstance(raw, bytes):
            if number == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                report.fatal = str(_("The file is UTF-16 text; save it as UTF-8 (JSON Lines) and try again."))
                return
            if len(raw) > MAX_LINE_BYTES:
                yield number, None, str(_("The line is longer than %(n)s bytes.") % {"n": MAX_LINE_BYTES})
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield number, None, str(_(
                    "The line is not UTF-8 text (byte 0x%(byte)02x at position %(position)s cannot be read); "
                    "save the file as UTF-8."
                ) % {"byte": raw[error.start], "position": error.start + 1})
                continue
        else:
            text = raw
        if number == 1:
            text = text.removeprefix("\ufeff")
        if "\x00" in text:
            report.fatal = str(_("Line %(line)s contains NUL bytes: the file is not UTF-8 JSON Lines "
                                 "(perhaps UTF-16, or a spreadsheet).") % {"line": number})
            return
        yield number, text, ""
    if empty:
        report.fatal = str(_("The file is empty."))


def _check_access(provider: Organisation, by: Any, options: ImportOptions) -> None:
    if provider.kind != OrganisationKind.PROVIDER or not provider.is_active:
        raise InvalidInput(_("Courses can be imported only into an active higher-education institution."),
                           code="not_a_provider")
    if not has_role(by, provider, DESIGN_ROLES):
        raise PermissionDenied(_("Only the provider's designers and administrators can import courses."))
    if options.publish and not has_role(by, provider, PUBLISH_ROLES):
        raise PermissionDenied(_("Only the provider's administrators can publish; import without publishing."))


def _clean_defaults(defaults: Mapping[str, Any]) -> None:
    unknown = sorted(set(defaults) - set(DEFAULTABLE_FIELDS))
    if unknown:
        raise InvalidInput(
            _("These fields cannot be given as defaults: %(fields)s.") % {"fields": ", ".join(unknown)[:200]},
            code="unknown_defaults",
        )
    clean_design_data(defaults)  # raises InvalidInput for an unknown code or a malformed text


def courses_import(*, provider: Organisation, by: Any, lines: Iterable[bytes | str],
                   options: ImportOptions | None = None,
                   on_row: Callable[[RowResult], None] | None = None) -> ImportReport:
    """Import a course export (JSON Lines) as draft micro-credentials of `provider`.

    Raises PermissionDenied or InvalidInput before reading anything when the import cannot run;
    problems with the file or its rows are in the report. The changes are kept only when
    `report.written` is true. With `on_row`, each row's result is handed to it as soon as the row
    is done instead of being kept in `report.rows`, so a large file needs little memory.
    """
    options = options or ImportOptions()
    _check_access(provider, by, options)
    _clean_defaults(options.defaults)
    for level, eqf in options.level_map.items():
        if eqf is not None and not 1 <= eqf <= 8:
            raise InvalidInput(_("The EQF level of %(level)s must be 1–8.") % {"level": level}, code="level_map")
    if not 20 <= options.hours_per_ects <= 40:
        raise InvalidInput(_("Hours per ECTS credit must be between 20 and 40."), code="hours_per_ects")

    report = ImportReport(dry_run=options.dry_run, skip_invalid=options.skip_invalid)
    seen: dict[str, int] = {}
    rows_read = 0
    with transaction.atomic():
        for line, text, problem in _decoded_lines(lines, report):
            if text is not None and not text.strip():
                continue
            rows_read += 1
            try:
                if text is None:
                    raise _InvalidRow([problem])
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as error:
                    raise _InvalidRow([str(_("The line is not valid JSON: %(error)s (column %(column)s).")
                                           % {"error": error.msg, "column": error.colno})]) from None
                course = _course(record, options)
                if course.code in seen:
                    raise _InvalidRow([str(_("The course code %(code)s already appeared on line %(line)s.")
                                           % {"code": course.code, "line": seen[course.code]})], course.code)
                seen[course.code] = line
                try:
                    with transaction.atomic():  # a savepoint: a refused row leaves nothing behind
                        result = _import_course(course, line=line, provider=provider, by=by, options=options)
                except (DomainError, ValidationError) as error:
                    raise _InvalidRow(_error_messages(error), course.code) from None
                report.add(result, on_row)
            except _InvalidRow as invalid:
                report.add(RowResult(line=line, status=RowStatus.INVALID, code=invalid.code, errors=invalid.errors),
                           on_row)
        if not report.fatal and rows_read == 0:
            report.fatal = str(_("The file has no rows (only empty lines)."))
        report.written = report.ok and not options.dry_run
        if report.written:
            audit_record(action="catalog.courses_imported", actor=by, organisation=provider, data={
                "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                "published": report.published, "invalid_skipped": report.invalid,
            })
        else:
            transaction.set_rollback(True)
    return report


__all__ = [
    "DEFAULTABLE_FIELDS",
    "DEFAULT_LEVEL_MAP",
    "ImportOptions",
    "ImportReport",
    "RowResult",
    "RowStatus",
    "courses_import",
    "split_outcomes",
]
