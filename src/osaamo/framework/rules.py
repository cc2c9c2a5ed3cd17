"""The validator: what a micro-credential design lacks or gets wrong, and which rule says so.

`validate_design(design)` returns findings; publishing is refused while any finding is an error
(`has_errors`). Every finding has a stable code listed in `FINDING_CODES` with its severity, the
design field it concerns, the source of the rule and an explanation, so the framework page and
the API can list the rules.

Field names are the keys of the design data (catalog/demo/FORMAT.md: "qf_ehea_cycle",
"isced_f", "learning_outcomes.2" …), so a form can show a finding next to its input.

Sources: EU Council Recommendation on micro-credentials 2022/C 243/02 Annex I (mandatory elements
M1–M11) and Annex II (principles); the EHEA common framework for micro-credentials (MICROBOL 2022);
the ECTS Users' Guide 2015; the Finnish draft national framework (OKM 2024) and Karvi's scope
(1–59 op); Finnish practice for learning outcomes (finnish-context.md §1.7, §5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils import translation
from django.utils.formats import number_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from osaamo.framework.isced import isced_entry
from osaamo.framework.verbs import EXAMPLE_VERBS, VerbKind, outcome_verb
from osaamo.framework.vocabularies import (
    ECTS_MAX,
    ECTS_MIN,
    EQF_LEVEL_OF_CYCLE,
    EQF_LEVELS,
    HOURS_PER_ECTS_FINLAND,
    HOURS_PER_ECTS_MAX,
    HOURS_PER_ECTS_MIN,
    AssessmentType,
    Cycle,
    IdentityVerification,
    Language,
    ParticipationForm,
    QualityAssurance,
    Stackability,
)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    code: str  # stable, e.g. "ects.out_of_range"
    severity: Severity
    field: str  # the design field, e.g. "ects" or "learning_outcomes.2"
    rule: str  # where the rule comes from, e.g. "EU Annex I M7; EHEA 1–59 ECTS"
    message: Any  # a lazy translatable string, already formatted with its parameters
    language: str = ""  # for text checked per language: which one ("fi", "sv", "en")

    def text(self, language: str | None = None) -> str:
        if language is None:
            return str(self.message)
        with translation.override(language):
            return str(self.message)

    def messages(self) -> dict[str, str]:
        return {code: self.text(code) for code in ("fi", "sv", "en")}

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    @property
    def definition(self) -> Rule:
        return FINDING_CODES[self.code]


@dataclass
class Design:
    """Everything the validator looks at, independent of how the catalog stores it."""

    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    learning_outcomes: list[dict[str, str]] = field(default_factory=list)
    ects: Decimal | None = None
    hours: int | None = None
    eqf_level: int | None = None
    cycle: str = ""
    isced_code: str = ""
    languages: list[str] = field(default_factory=list)
    assessment_type: str = ""
    assessment_description: dict[str, str] = field(default_factory=dict)
    participation_form: str = ""
    quality_assurance: str = ""
    quality_assurance_description: dict[str, str] = field(default_factory=dict)
    identity_verification: str = ""
    stackability: str = ""
    stackability_description: dict[str, str] = field(default_factory=dict)
    awarding_bodies: list[str] = field(default_factory=list)  # slugs: the owner first, then co-providers
    country: str = ""


# --- the catalogue of rules ------------------------------------------------------------------------

class Area(StrEnum):
    """Groups of rules, in the order the framework page shows them."""

    ANNEX_I = "annex_i"
    TITLE = "title"
    OUTCOMES = "outcomes"
    WORKLOAD = "workload"
    LEVEL = "level"
    ASSESSMENT = "assessment"
    OPTIONAL = "optional"
    CLASSIFICATION = "classification"


AREA_LABELS: dict[Area, Any] = {
    Area.ANNEX_I: _("Mandatory elements of the EU standard description"),
    Area.TITLE: _("Title and description"),
    Area.OUTCOMES: _("Learning outcomes"),
    Area.WORKLOAD: _("Workload"),
    Area.LEVEL: _("Level"),
    Area.ASSESSMENT: _("Assessment, participation and quality assurance"),
    Area.OPTIONAL: _("Optional elements"),
    Area.CLASSIFICATION: _("Languages and field of education"),
}


SEVERITY_LABELS: dict[Severity, Any] = {Severity.ERROR: _("Error"), Severity.WARNING: _("Warning")}

FIELD_LABELS: dict[str, Any] = {
    "title": _("Title"),
    "description": _("Description"),
    "country": _("Country of the awarding body"),
    "awarding_bodies": _("Awarding bodies"),
    "learning_outcomes": _("Learning outcomes"),
    "ects": _("Workload (ECTS credits)"),
    "hours": _("Workload (hours)"),
    "eqf_level": _("EQF level"),
    "qf_ehea_cycle": _("QF-EHEA cycle"),
    "assessment_type": _("Type of assessment"),
    "assessment_description": _("Assessment"),
    "participation_form": _("Form of participation"),
    "quality_assurance": _("Type of quality assurance"),
    "quality_assurance_description": _("Quality assurance"),
    "identity_verification": _("Supervision and identity verification"),
    "stackability": _("Integration and stackability"),
    "stackability_description": _("Stackability"),
    "languages": _("Languages of instruction"),
    "isced_f": _("Field of education (ISCED-F)"),
}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    field: str
    source: str  # the citation; names of documents, not translated
    explanation: Any  # lazy translatable: what the rule asks and why
    area: Area

    @property
    def severity_label(self) -> Any:
        return SEVERITY_LABELS[self.severity]

    @property
    def field_label(self) -> Any:
        return FIELD_LABELS.get(self.field, self.field)

    def as_dict(self, language: str | None = None) -> dict[str, str]:
        """For the API: the rule with its explanation in `language` (default: the active one)."""
        with translation.override(language or translation.get_language()):
            return {"code": self.code, "severity": str(self.severity), "field": self.field,
                    "rule": self.source, "explanation": str(self.explanation)}


ANNEX_I = "EU Council Recommendation 2022/C 243/02, Annex I"
ANNEX_II = "EU Council Recommendation 2022/C 243/02, Annex II"
EHEA_SIZE = "EHEA micro-credential framework (MICROBOL 2022): 1–59 ECTS; OKM 2024 and Karvi: 1–59 op"
ECTS_GUIDE = "ECTS Users' Guide 2015: 1 ECTS = 25–30 hours; Government Decree 794/2004 §5: 60 op = 1,600 hours"
OUTCOME_PRACTICE = "ECTS Users' Guide 2015 §4.2; revised Bloom's taxonomy; Finnish HEI guidance on learning outcomes"
NATIONAL_LANGUAGES = "Finnish practice: a national language and English (Opintopolku); EU Annex II principle 2 (transparency)"
DEGREE_WORDS = "Finnish practice: micro-credentials are kept apart from degree programmes (OKM 2024; SAMOK)"


def _rule(code: str, severity: Severity, field: str, source: str, explanation: Any, area: Area) -> Rule:
    return Rule(code, severity, field, source, explanation, area)


E, W = Severity.ERROR, Severity.WARNING

_RULES: tuple[Rule, ...] = (
    # EU Annex I, mandatory elements a design carries (M1 learner and M5 date are added at issuing).
    _rule("title.missing", E, "title", f"{ANNEX_I} M2",
          _("Every micro-credential has a title (mandatory element M2)."), Area.ANNEX_I),
    _rule("country.missing", E, "country", f"{ANNEX_I} M3",
          _("The country of the awarding institution is shown on every micro-credential (M3). It comes from "
            "the organisation's details."), Area.ANNEX_I),
    _rule("country.invalid", E, "country", f"{ANNEX_I} M3; ISO 3166-1 alpha-2",
          _("The country is given as a two-letter ISO 3166-1 code, such as FI."), Area.ANNEX_I),
    _rule("awarding_bodies.missing", E, "awarding_bodies", f"{ANNEX_I} M4",
          _("At least one awarding body issues the micro-credential (M4): the owning institution, and any "
            "co-providers."), Area.ANNEX_I),
    _rule("learning_outcomes.missing", E, "learning_outcomes", f"{ANNEX_I} M6",
          _("At least one learning outcome states what the learner can do after completing the "
            "micro-credential (M6)."), Area.ANNEX_I),
    _rule("ects.missing", E, "ects", f"{ANNEX_I} M7",
          _("The notional workload is stated in ECTS credits (M7)."), Area.ANNEX_I),
    _rule("eqf_level.missing", E, "eqf_level", f"{ANNEX_I} M8",
          _("The level of the learning is stated as an EQF level (M8). University micro-credentials are "
            "usually at level 6 (bachelor's) or 7 (master's)."), Area.ANNEX_I),
    _rule("assessment_type.missing", E, "assessment_type", f"{ANNEX_I} M9",
          _("The type of assessment is stated (M9)."), Area.ANNEX_I),
    _rule("participation_form.missing", E, "participation_form", f"{ANNEX_I} M10",
          _("The form of participation (online, on-site, blended or work-based) is stated (M10)."),
          Area.ANNEX_I),
    _rule("quality_assurance.missing", E, "quality_assurance", f"{ANNEX_I} M11",
          _("The type of quality assurance that underpins the micro-credential is stated (M11)."),
          Area.ANNEX_I),
    # Title and description.
    _rule("title.too_long", E, "title", "Osaamo rule: at most 100 characters, to fit certificates, wallets and listings",
          _("A title is at most 100 characters in each language, so that it fits on the certificate, in a "
            "digital wallet and in search results."), Area.TITLE),
    _rule("title.degree_word", W, "title", DEGREE_WORDS,
          _("The title does not contain the word degree (tutkinto, examen): a micro-credential is not a degree "
            "and must not be mistaken for one."), Area.TITLE),
    _rule("title.generic", W, "title", "Finnish practice: the title describes the competence (AVOT workbook)",
          _("The title describes the competence, not only the format (not just “Course 1” or “Module”)."),
          Area.TITLE),
    _rule("title.national_language_missing", W, "title", NATIONAL_LANGUAGES,
          _("The title is given in Finnish or Swedish."), Area.TITLE),
    _rule("title.english_missing", W, "title", NATIONAL_LANGUAGES,
          _("The title is given in English, for recognition in other countries."), Area.TITLE),
    _rule("description.missing", W, "description", f"{ANNEX_II} principle 2 (transparency)",
          _("A short description tells learners and employers what the micro-credential offers and for whom."),
          Area.TITLE),
    _rule("description.national_language_missing", W, "description", NATIONAL_LANGUAGES,
          _("The description is given in Finnish or Swedish."), Area.TITLE),
    _rule("description.english_missing", W, "description", NATIONAL_LANGUAGES,
          _("The description is given in English."), Area.TITLE),
    # Learning outcomes.
    _rule("learning_outcome.empty", E, "learning_outcomes", f"{ANNEX_I} M6",
          _("A learning outcome has text."), Area.OUTCOMES),
    _rule("learning_outcome.no_action_verb", W, "learning_outcomes", OUTCOME_PRACTICE,
          _("Each learning outcome, in each language, starts with an observable action verb that completes "
            "“after completing it, the learner can …”, such as analyse, apply, design or evaluate. Lead-ins "
            "such as “The learner is able to” are allowed."), Area.OUTCOMES),
    _rule("learning_outcome.non_observable_verb", W, "learning_outcomes", OUTCOME_PRACTICE,
          _("A learning outcome does not rest on a verb that cannot be observed or assessed, such as know, "
            "understand, learn, be aware of or be familiar with (tietää, ymmärtää, tuntea, perehtyä, oppia; "
            "veta, förstå, känna till, lära sig)."), Area.OUTCOMES),
    _rule("learning_outcome.language_missing", W, "learning_outcomes", NATIONAL_LANGUAGES,
          _("Each learning outcome is written in every language the title is written in, so the certificate "
            "lists the same outcomes in each language."), Area.OUTCOMES),
    # Workload.
    _rule("ects.out_of_range", E, "ects", f"{ANNEX_I} M7; {EHEA_SIZE}",
          _("A micro-credential is at least 1 and at most 59 ECTS credits."), Area.WORKLOAD),
    _rule("hours.inconsistent", W, "hours", ECTS_GUIDE,
          _("If hours are given, they are the learner's total workload: 25–30 hours per ECTS credit (in "
            "Finland 27 hours). Leaving the hours empty is fine."), Area.WORKLOAD),
    # Level.
    _rule("eqf_level.invalid", E, "eqf_level", f"{ANNEX_I} M8; EQF (Council Recommendation 2017/C 189/03)",
          _("The EQF has levels 1 to 8."), Area.LEVEL),
    _rule("qf_ehea_cycle.invalid", E, "qf_ehea_cycle", f"{ANNEX_I} M8; QF-EHEA",
          _("The QF-EHEA cycle is short, first, second or third cycle, or not applicable."), Area.LEVEL),
    _rule("eqf_level.cycle_mismatch", E, "eqf_level", f"{ANNEX_I} M8; QF-EHEA–EQF correspondence (short 5, first 6, "
          "second 7, third 8)",
          _("The EQF level matches the QF-EHEA cycle: short cycle 5, first cycle 6, second cycle 7, third "
            "cycle 8."), Area.LEVEL),
    _rule("eqf_level.below_higher_education", W, "eqf_level", "QF-EHEA cycles = EQF 5–8; FiNQF (Act 93/2017)",
          _("A higher-education micro-credential is normally at EQF level 5 or above."), Area.LEVEL),
    # Assessment, participation, quality assurance.
    _rule("assessment_type.invalid", E, "assessment_type", f"{ANNEX_I} M9",
          _("The type of assessment is one of the listed types."), Area.ASSESSMENT),
    _rule("assessment_description.missing", E, "assessment_description",
          f"{ANNEX_I} M9; {ANNEX_II} principle 4 (valid assessment); OKM 2024: reliable assessment",
          _("How the learning outcomes are assessed, and by which criteria, is described in at least one "
            "language."), Area.ASSESSMENT),
    _rule("participation_form.invalid", E, "participation_form", f"{ANNEX_I} M10",
          _("The form of participation is one of the listed forms."), Area.ASSESSMENT),
    _rule("quality_assurance.invalid", E, "quality_assurance", f"{ANNEX_I} M11",
          _("The type of quality assurance is one of the listed types."), Area.ASSESSMENT),
    _rule("quality_assurance_description.missing", E, "quality_assurance_description",
          f"{ANNEX_I} M11; {ANNEX_II} principle 1 (quality)",
          _("When the quality assurance is “other”, it is described."), Area.ASSESSMENT),
    # Optional Annex I elements.
    _rule("identity_verification.invalid", E, "identity_verification", f"{ANNEX_I}, optional elements",
          _("Supervision and identity verification, when given, is one of the four Annex I options."),
          Area.OPTIONAL),
    _rule("stackability.invalid", E, "stackability", f"{ANNEX_I}, optional elements",
          _("Integration and stackability, when given, is stand-alone or stackable."), Area.OPTIONAL),
    _rule("stackability_description.missing", W, "stackability_description",
          f"{ANNEX_I}, optional elements; {ANNEX_II} principle 5 (learning pathways)",
          _("A stackable micro-credential says what it can be stacked into and how."), Area.OPTIONAL),
    # Languages and field.
    _rule("languages.missing", E, "languages", "Finnish draft national framework (OKM 2024); Opintopolku",
          _("The language or languages of instruction are given."), Area.CLASSIFICATION),
    _rule("languages.invalid", E, "languages", "ISO 639-1",
          _("Languages of instruction are given as known ISO 639-1 codes."), Area.CLASSIFICATION),
    _rule("isced_f.missing", W, "isced_f", "ISCED-F 2013; European Learning Model (thematic area)",
          _("The field of education is given as an ISCED-F 2013 code, so that learners can find the "
            "micro-credential by field."), Area.CLASSIFICATION),
    _rule("isced_f.unknown", E, "isced_f", "ISCED-F 2013",
          _("The field of education is an ISCED-F 2013 code."), Area.CLASSIFICATION),
    _rule("isced_f.too_broad", W, "isced_f", "ISCED-F 2013",
          _("The field of education is a narrow (3-digit) or detailed (4-digit) field, not only a broad one."),
          Area.CLASSIFICATION),
)

FINDING_CODES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


def rules_by_area() -> list[tuple[Any, list[Rule]]]:
    """The catalogue grouped for display: [(area label, rules)]."""
    return [(AREA_LABELS[area], [rule for rule in _RULES if rule.area == area]) for area in Area]


# --- messages --------------------------------------------------------------------------------------

def _param(value: Any) -> str:
    if isinstance(value, Decimal):
        value = value.normalize() if value == value.to_integral_value() else value
        return number_format(value, decimal_pos=None)
    if isinstance(value, list | tuple):
        return ", ".join(_param(item) for item in value)
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def _message(template: Any, **params: Any) -> Any:
    """A lazy string: `template` % `params`, rendered in whatever language is active when shown."""

    def render() -> str:
        return str(template) % {name: _param(value) for name, value in params.items()}

    return lazy(render, str)()


LANGUAGE_NAMES: dict[str, Any] = dict(Language.choices)


def _find(code: str, message: Any, *, field: str | None = None, language: str = "") -> Finding:
    rule = FINDING_CODES[code]
    return Finding(code=code, severity=rule.severity, field=field or rule.field, rule=rule.source,
                   message=message, language=language)


def _text(value: Mapping[str, Any] | None, language: str) -> str:
    text = (value or {}).get(language)
    return text.strip() if isinstance(text, str) else ""


def _languages_of(value: Mapping[str, Any] | None) -> list[str]:
    return [code for code in ("fi", "sv", "en") if _text(value, code)]


# --- the checks ------------------------------------------------------------------------------------

TITLE_MAX_LENGTH = 100
_DEGREE_PATTERN = re.compile(
    r"tutkin[tn]o|examen|examina|(?<!\d-)(?<!\d )\bdegrees?\b", re.IGNORECASE
)
_GENERIC_WORDS_TEXT = """
    kurssi opintojakso moduuli kokonaisuus osaamiskokonaisuus pieni pienet koulutus opinnot osa
    kurs kursen modul modulen helhet kompetenshelhet liten små utbildning studier del
    course module unit micro credential microcredential training studies part programme program
"""
_GENERIC_TITLE_WORDS = frozenset(_GENERIC_WORDS_TEXT.split())


def _check_title(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    present = _languages_of(design.title)
    if not present:
        return [_find("title.missing", _message(_(
            "Give the micro-credential a title. The title is a mandatory element and is shown in the catalog "
            "and on every certificate.")))]
    for language in present:
        title = _text(design.title, language)
        if len(title) > TITLE_MAX_LENGTH:
            findings.append(_find("title.too_long", _message(
                _("The title (%(language)s) is %(length)s characters long. Shorten it to at most %(max)s "
                  "characters so that it fits on the certificate and in search results."),
                language=LANGUAGE_NAMES[language], length=len(title), max=TITLE_MAX_LENGTH), language=language))
        match = _DEGREE_PATTERN.search(title)
        if match:
            findings.append(_find("title.degree_word", _message(
                _("The title (%(language)s) contains “%(word)s”. A micro-credential is not a degree: rephrase "
                  "the title so that learners and employers cannot mistake it for one."),
                language=LANGUAGE_NAMES[language], word=match.group(0)), language=language))
        words = re.findall(r"[^\W\d_]+", title.lower())
        if all(word in _GENERIC_TITLE_WORDS for word in words):
            findings.append(_find("title.generic", _message(
                _("The title “%(title)s” names only the format. Write a title that describes the competence the "
                  "learner gains, e.g. “Data protection in practice”."), title=title), language=language))
    if not {"fi", "sv"} & set(present):
        findings.append(_find("title.national_language_missing", _message(_(
            "Add the title in Finnish or Swedish: micro-credentials of Finnish universities are described at "
            "least in one national language and in English."))))
    if "en" not in present:
        findings.append(_find("title.english_missing", _message(_(
            "Add the title in English so that learners and employers in other countries can recognise the "
            "micro-credential."))))
    return findings


def _check_description(design: Design) -> list[Finding]:
    present = _languages_of(design.description)
    if not present:
        return [_find("description.missing", _message(_(
            "Write a short description of what the micro-credential offers and for whom, in Finnish or Swedish "
            "and in English.")))]
    findings: list[Finding] = []
    if not {"fi", "sv"} & set(present):
        findings.append(_find("description.national_language_missing", _message(_(
            "Add the description in Finnish or Swedish."))))
    if "en" not in present:
        findings.append(_find("description.english_missing", _message(_(
            "Add the description in English so that learners from other countries can read it."))))
    return findings


def _check_issuer(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    country = (design.country or "").strip()
    if not country:
        findings.append(_find("country.missing", _message(_(
            "The awarding institution has no country. Ask the platform operator to add the country to your "
            "organisation's details."))))
    elif not re.fullmatch(r"[A-Z]{2}", country):
        findings.append(_find("country.invalid", _message(
            _("“%(code)s” is not a two-letter country code. Ask the platform operator to correct your "
              "organisation's country (e.g. FI)."), code=country[:10])))
    if not [body for body in design.awarding_bodies if body]:
        findings.append(_find("awarding_bodies.missing", _message(_(
            "Name at least one awarding body: the institution that awards the micro-credential."))))
    return findings


def _check_outcomes(design: Design) -> list[Finding]:
    if not design.learning_outcomes:
        return [_find("learning_outcomes.missing", _message(_(
            "Add at least one learning outcome: what the learner can do after completing the "
            "micro-credential.")))]
    findings: list[Finding] = []
    title_languages = _languages_of(design.title)
    for index, outcome in enumerate(design.learning_outcomes):
        field_name = f"learning_outcomes.{index}"
        number = index + 1
        present = _languages_of(outcome)
        if not present:
            findings.append(_find("learning_outcome.empty", _message(
                _("Learning outcome %(number)s is empty. Write the outcome or remove it."), number=number),
                field=field_name))
            continue
        for language in present:
            check = outcome_verb(_text(outcome, language), language)
            if check.kind == VerbKind.NON_OBSERVABLE:
                findings.append(_find("learning_outcome.non_observable_verb", _message(
                    _("Learning outcome %(number)s (%(language)s) rests on “%(word)s”, which cannot be observed "
                      "or assessed. Say what the learner does to show it, starting with a verb such as "
                      "%(examples)s."),
                    number=number, language=LANGUAGE_NAMES[language], word=check.word,
                    examples=EXAMPLE_VERBS[language]), field=field_name, language=language))
            elif check.kind == VerbKind.MISSING:
                findings.append(_find("learning_outcome.no_action_verb", _message(
                    _("Learning outcome %(number)s (%(language)s) does not start with an observable action verb. "
                      "Start with what the learner can do, with a verb such as %(examples)s, so that the outcome "
                      "can be assessed."),
                    number=number, language=LANGUAGE_NAMES[language], examples=EXAMPLE_VERBS[language]),
                    field=field_name, language=language))
        missing = [code for code in title_languages if code not in present]
        if missing:
            findings.append(_find("learning_outcome.language_missing", _message(
                _("Learning outcome %(number)s has no translation in: %(languages)s. The title is written in these "
                  "languages, so translate the outcome too; the certificate lists the same outcomes in every "
                  "language."),
                number=number, languages=[LANGUAGE_NAMES[code] for code in missing]), field=field_name))
    return findings


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _check_workload(design: Design) -> list[Finding]:
    ects = _as_decimal(design.ects)
    if ects is None:
        return [_find("ects.missing", _message(_(
            "Enter the workload in ECTS credits. In Finland one credit (opintopiste) is about 27 hours of the "
            "learner's work.")))]
    if not ECTS_MIN <= ects <= ECTS_MAX:
        return [_find("ects.out_of_range", _message(
            _("The workload is %(ects)s ECTS credits, but a micro-credential is %(min)s–%(max)s credits. Enter a "
              "workload in that range; a larger whole can be split into micro-credentials that stack."),
            ects=ects, min=ECTS_MIN, max=ECTS_MAX))]
    # Severity: a warning. The credits (M7) are the binding figure and are checked above; the hours
    # are an optional explanation of them. A mismatch is usually a provider counting only contact
    # teaching, which misleads learners but does not make the credential invalid, so the designer is
    # told what to fix without blocking publication. The band is the ECTS Users' Guide's 25–30 h per
    # credit, rounded outwards to whole hours; Finland's 27 h (1,600 h / 60 op) is the suggestion.
    if design.hours is not None:
        low = int((ects * HOURS_PER_ECTS_MIN).to_integral_value(rounding="ROUND_FLOOR"))
        high = int((ects * HOURS_PER_ECTS_MAX).to_integral_value(rounding="ROUND_CEILING"))
        if not low <= design.hours <= high:
            suggested = int((ects * HOURS_PER_ECTS_FINLAND).to_integral_value(rounding="ROUND_HALF_UP"))
            return [_find("hours.inconsistent", _message(
                _("%(hours)s hours does not match %(ects)s ECTS credits: one credit is 25–30 hours of the "
                  "learner's total work, here %(low)s–%(high)s hours. Finnish universities count 27 hours per "
                  "credit, so enter %(suggested)s hours (or leave the hours empty), or correct the credits."),
                hours=design.hours, ects=ects, low=low, high=high, suggested=suggested))]
    return []


def _check_level(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    cycle = design.cycle or ""
    if cycle and cycle not in Cycle.values:
        findings.append(_find("qf_ehea_cycle.invalid", _message(
            _("“%(value)s” is not a QF-EHEA cycle. Choose short, first, second or third cycle, or not "
              "applicable."), value=cycle[:40])))
    level = design.eqf_level
    if level is None:
        findings.append(_find("eqf_level.missing", _message(_(
            "Choose the EQF level. For university studies it is usually 6 (bachelor's level) or 7 (master's "
            "level); the level should match the QF-EHEA cycle."))))
        return findings
    if level not in EQF_LEVELS:
        findings.append(_find("eqf_level.invalid", _message(
            _("EQF level %(level)s does not exist. Choose a level from 1 to 8."), level=level)))
        return findings
    expected = EQF_LEVEL_OF_CYCLE.get(cycle)
    if expected is not None and expected != level:
        findings.append(_find("eqf_level.cycle_mismatch", _message(
            _("EQF level %(level)s does not match the QF-EHEA cycle “%(cycle)s”, which is EQF level %(expected)s. "
              "Correct the level or the cycle."),
            level=level, cycle=Cycle(cycle).label, expected=expected)))
    if level < min(EQF_LEVEL_OF_CYCLE.values()):
        findings.append(_find("eqf_level.below_higher_education", _message(
            _("EQF level %(level)s is below higher education, which starts at level 5. Check the level: "
              "university micro-credentials are usually at level 6 or 7."), level=level)))
    return findings


def _choice(design: Design, name: str, choices: Any, findings: list[Finding]) -> bool:
    """Whether the design's value for `name` is set and valid; adds an .invalid finding if not valid."""
    value = getattr(design, name) or ""
    if not value:
        return False
    if value not in choices.values:
        findings.append(_find(f"{name}.invalid", _message(
            _("“%(value)s” is not one of the options for %(field)s. Choose one from the list."),
            value=str(value)[:40], field=_FIELD_LABELS[name])))
        return False
    return True


_FIELD_LABELS: dict[str, Any] = {
    "assessment_type": _("type of assessment"),
    "participation_form": _("form of participation"),
    "quality_assurance": _("type of quality assurance"),
    "identity_verification": _("supervision and identity verification"),
    "stackability": _("integration and stackability"),
}


def _check_assessment_and_quality(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    if not design.assessment_type:
        findings.append(_find("assessment_type.missing", _message(_(
            "Choose the type of assessment, e.g. project work or a written examination."))))
    else:
        _choice(design, "assessment_type", AssessmentType, findings)
    if not _languages_of(design.assessment_description):
        findings.append(_find("assessment_description.missing", _message(_(
            "Describe how the learning outcomes are assessed: the methods, the criteria and the grading, in at "
            "least one language."))))
    if not design.participation_form:
        findings.append(_find("participation_form.missing", _message(_(
            "Choose the form of participation: online, on-site, blended or work-based learning."))))
    else:
        _choice(design, "participation_form", ParticipationForm, findings)
    if not design.quality_assurance:
        findings.append(_find("quality_assurance.missing", _message(_(
            "Choose the type of quality assurance, e.g. the university's internal quality assurance audited by "
            "FINEEC (Karvi)."))))
    elif _choice(design, "quality_assurance", QualityAssurance, findings) and (
        design.quality_assurance == QualityAssurance.OTHER
        and not _languages_of(design.quality_assurance_description)
    ):
        findings.append(_find("quality_assurance_description.missing", _message(_(
            "You chose “other” quality assurance: describe it, e.g. which body assures the quality and how."))))
    return findings


def _check_optional(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    _choice(design, "identity_verification", IdentityVerification, findings)
    if _choice(design, "stackability", Stackability, findings) and (
        design.stackability == Stackability.STACKABLE and not _languages_of(design.stackability_description)
    ):
        findings.append(_find("stackability_description.missing", _message(_(
            "Describe what the micro-credential can be stacked into, e.g. which larger module or degree it counts "
            "towards and how."))))
    return findings


def _check_classification(design: Design) -> list[Finding]:
    findings: list[Finding] = []
    languages = [code for code in design.languages if code]
    if not languages:
        findings.append(_find("languages.missing", _message(_(
            "Choose the language or languages of instruction."))))
    else:
        unknown = [code for code in languages if code not in Language.values]
        if unknown:
            findings.append(_find("languages.invalid", _message(
                _("“%(code)s” is not a known language code. Choose the languages of instruction from the list."),
                code=str(unknown[0])[:10])))
    code = (design.isced_code or "").strip()
    if not code:
        findings.append(_find("isced_f.missing", _message(_(
            "Choose the field of education (ISCED-F 2013) so that learners can find the micro-credential by "
            "field."))))
    else:
        entry = isced_entry(code)
        if entry is None:
            findings.append(_find("isced_f.unknown", _message(
                _("“%(code)s” is not an ISCED-F 2013 field code. Choose the field from the list."), code=code[:10])))
        elif entry.level == "broad":
            findings.append(_find("isced_f.too_broad", _message(
                _("“%(code)s” is a broad field. Choose a narrower field (3 or 4 digits) so that learners looking "
                  "for this subject find the micro-credential."), code=code)))
    return findings


_CHECKS: tuple[Callable[[Design], list[Finding]], ...] = (
    _check_title,
    _check_description,
    _check_issuer,
    _check_outcomes,
    _check_workload,
    _check_level,
    _check_assessment_and_quality,
    _check_optional,
    _check_classification,
)


def validate_design(design: Design) -> list[Finding]:
    """Every finding about `design`, errors and warnings, in the order of the design form."""
    findings: list[Finding] = []
    for check in _CHECKS:
        findings.extend(check(design))
    return findings


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.is_error for finding in findings)
