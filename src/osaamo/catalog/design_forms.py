"""Forms of the design tool: a whole micro-credential version on one page, its learning outcomes, offerings.

The forms check types and codes so that the user sees an error on the field and loses nothing of what
they typed; the services check again and write; the framework validator judges the content
(`DesignEditor.findings()` runs it on data that has not been saved yet, for the live panel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from osaamo.accounts.models import Organisation
from osaamo.accounts.selectors import public_providers
from osaamo.catalog.models import MicroCredentialVersion, Offering
from osaamo.catalog.services import MAX_OUTCOMES, clean_design_data
from osaamo.errors import InvalidInput
from osaamo.framework.models import EscoSkill
from osaamo.framework.rules import Design, Finding, Severity, validate_design
from osaamo.framework.selectors import esco_search, esco_skill, esco_skills_by_uri, isced_choices
from osaamo.framework.suggestions import SkillSuggestion, suggest_skills_for_outcome
from osaamo.framework.vocabularies import (
    EQF_LEVELS,
    AssessmentType,
    Cycle,
    GradingScale,
    IdentityVerification,
    Language,
    OfferingMode,
    ParticipationForm,
    QualityAssurance,
    Stackability,
)
from osaamo.translation import LANGUAGE_CODES

LANGUAGE_NAMES: dict[str, Any] = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
BLANK: list[tuple[str, Any]] = [("", _("— not chosen —"))]
OUTCOMES_PREFIX = "outcomes"
ROW_PREFIX = re.compile(rf"^{OUTCOMES_PREFIX}-(\d{{1,2}})$")
SKILL_RESULTS = 10
SUGGESTION_RESULTS = 8


@dataclass(frozen=True)
class TextField:
    """A text the provider writes in up to three languages (stored as {"fi", "sv", "en"})."""

    name: str
    label: Any
    help_text: Any = ""
    multiline: bool = True
    max_length: int = 10_000


TEXT_FIELDS: dict[str, TextField] = {
    field.name: field
    for field in (
        TextField("title", _("Title"), _("Name the competence, not the format (at most about 100 characters)."),
                  multiline=False, max_length=300),
        TextField("description", _("Description"), _("What the learner will be able to do, and for what need.")),
        TextField("target_group", _("Target group")),
        TextField("prerequisites", _("Prerequisites"), _("Write “none” if there are none.")),
        TextField("further_information", _("Further information")),
        TextField("assessment_description", _("Assessment"), _("How and against which criteria the outcomes are assessed.")),
        TextField("quality_assurance_description", _("Quality assurance"), _("Which quality system covers this micro-credential.")),
        TextField("stackability_description", _("Stackability"), _("What larger whole this micro-credential can be part of.")),
    )
}


def _language_label(field_label: Any, language: str) -> str:
    # The language is the visible label; the field name is spoken too, since "Finnish" alone says little.
    return format_html('<span class="visually-hidden">{} – </span>{}', field_label, LANGUAGE_NAMES[language])


def _text_widget(field: TextField, language: str) -> forms.Widget:
    attrs = {"lang": language}
    if field.multiline:
        return forms.Textarea(attrs={**attrs, "rows": 4})
    return forms.TextInput(attrs=attrs)


class DecimalTextField(forms.CharField):
    """A non-negative decimal number written with a comma or a point (Finnish writes 2,5)."""

    def __init__(self, *, max_value: Decimal, places: int, **kwargs: Any) -> None:
        self.max_value = max_value
        self.places = places
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": "20"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = (super().to_python(value) or "").replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        try:
            if len(text) > 20:
                raise InvalidOperation
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number, for example 5 or 2,5."), code="invalid") from None
        if not number.is_finite() or number < 0 or number > self.max_value:
            raise ValidationError(
                _("Enter a number between 0 and %(max)s."), code="range", params={"max": self.max_value}
            )
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.places:
            raise ValidationError(
                _("Use at most %(places)s decimals."), code="places", params={"places": self.places}
            )
        return number

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            text = format(value.normalize(), "f")
            return text.replace(".", str(get_format("DECIMAL_SEPARATOR")))
        return value


class DesignForm(forms.Form):
    """The design tool's forms: labels without a trailing colon (the label is the field's name)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VersionForm(DesignForm):
    """Every field of a micro-credential version except the learning outcomes (those are rows)."""

    ects = DecimalTextField(
        label=_("Workload (ECTS credits)"), max_value=Decimal("999.9"), places=1,
        help_text=_("A micro-credential is 1–59 ECTS credits."),
    )
    hours = forms.IntegerField(
        label=_("Workload (hours)"), required=False, min_value=0, max_value=100_000,
        help_text=_("One ECTS credit is 25–30 hours of the learner's work; Finnish universities count 27."),
    )
    eqf_level = forms.TypedChoiceField(
        label=_("EQF level"), required=False, coerce=int, empty_value=None,
        choices=[*BLANK, *((str(level), str(level)) for level in EQF_LEVELS)],
    )
    qf_ehea_cycle = forms.ChoiceField(label=_("QF-EHEA cycle"), required=False, choices=[*BLANK, *Cycle.choices])
    isced_f = forms.ChoiceField(label=_("Field of education (ISCED-F)"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages of instruction"), required=False, choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    assessment_type = forms.ChoiceField(
        label=_("Type of assessment"), required=False, choices=[*BLANK, *AssessmentType.choices]
    )
    grading_scale = forms.ChoiceField(label=_("Grading scale"), required=False, choices=GradingScale.choices)
    identity_verification = forms.ChoiceField(
        label=_("Supervision and identity verification"), required=False,
        choices=[*BLANK, *IdentityVerification.choices],
    )
    participation_form = forms.ChoiceField(
        label=_("Form of participation"), required=False, choices=[*BLANK, *ParticipationForm.choices]
    )
    quality_assurance = forms.ChoiceField(
        label=_("Type of quality assurance"), required=False, choices=[*BLANK, *QualityAssurance.choices]
    )
    stackability = forms.ChoiceField(
        label=_("Integration and stackability"), required=False, choices=[*BLANK, *Stackability.choices]
    )
    co_providers = forms.MultipleChoiceField(
        label=_("Co-providers"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Other universities that award this micro-credential jointly with you."),
    )

    def __init__(self, *args: Any, provider: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.provider = provider
        for field in TEXT_FIELDS.values():
            for language in LANGUAGE_CODES:
                self.fields[f"{field.name}_{language}"] = forms.CharField(
                    label=_language_label(field.label, language), required=False, max_length=field.max_length,
                    widget=_text_widget(field, language),
                )
        self.fields["isced_f"].choices = [*BLANK, *isced_choices()]  # type: ignore[attr-defined]
        self.fields["co_providers"].choices = [  # type: ignore[attr-defined]
            (other.slug, other.display_name) for other in public_providers().exclude(pk=provider.pk)
        ]

    @property
    def text_groups(self) -> dict[str, dict[str, Any]]:
        """For the template: `form.text_groups.title.inputs` are the fi/sv/en inputs of the title."""
        return {name: {"field": field, "inputs": [self[f"{name}_{language}"] for language in LANGUAGE_CODES]}
                for name, field in TEXT_FIELDS.items()}

    def service_data(self) -> dict[str, Any]:
        """The input of catalog.services in its own shape; only the fields that passed the form's checks."""
        cleaned = getattr(self, "cleaned_data", {})
        data: dict[str, Any] = {}
        for field in TEXT_FIELDS.values():
            data[field.name] = {
                language: cleaned.get(f"{field.name}_{language}") or "" for language in LANGUAGE_CODES
                if f"{field.name}_{language}" in cleaned
            }
        for name in ("ects", "hours", "eqf_level", "qf_ehea_cycle", "isced_f", "assessment_type", "grading_scale",
                     "identity_verification", "participation_form", "quality_assurance", "stackability"):
            if name in cleaned:
                data[name] = cleaned[name]
        for name in ("languages", "co_providers"):
            if name in cleaned:
                data[name] = list(cleaned[name])
        return data


class NewMicroCredentialForm(VersionForm):
    code = forms.CharField(
        label=_("Code"), max_length=40,
        help_text=_("Your own code for the micro-credential, e.g. the course code in your student information system."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["code"])


def version_initial(version: MicroCredentialVersion) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the form shows for a stored version: the fields, and one row per learning outcome."""
    initial: dict[str, Any] = {}
    for field in TEXT_FIELDS.values():
        value = getattr(version, field.name) or {}
        for language in LANGUAGE_CODES:
            initial[f"{field.name}_{language}"] = value.get(language, "")
    initial.update(
        ects=version.ects, hours=version.hours,
        eqf_level=str(version.eqf_level) if version.eqf_level else "",
        qf_ehea_cycle=version.cycle, isced_f=version.isced_field_id or "", languages=list(version.languages),
        assessment_type=version.assessment_type, grading_scale=version.grading_scale,
        identity_verification=version.identity_verification, participation_form=version.participation_form,
        quality_assurance=version.quality_assurance, stackability=version.stackability,
        co_providers=[provider.slug for provider in version.co_providers.all()],
    )
    outcomes = [
        {**{f"text_{language}": outcome.text.get(language, "") for language in LANGUAGE_CODES},
         "skills": [skill.uri for skill in outcome.skills.all()]}
        for outcome in version.outcomes.all()
    ]
    return initial, outcomes


# --- learning outcomes ---------------------------------------------------------------------------------

class OutcomeForm(DesignForm):
    """One learning outcome: its statement in three languages and the ESCO skills it builds."""

    skills = forms.ModelMultipleChoiceField(
        queryset=EscoSkill.objects.all(), to_field_name="uri", required=False, widget=forms.MultipleHiddenInput,
        label=_("ESCO skills"),
        error_messages={"invalid_choice": _("Unknown ESCO skill %(value)s."),
                        "invalid_pk_value": _("Unknown ESCO skill %(pk)s.")},
    )
    skill_query = forms.CharField(label=_("Find ESCO skills"), required=False, max_length=100,
                                  widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGE_CODES:
            self.fields[f"text_{language}"] = forms.CharField(
                label=_language_label(_("Learning outcome"), language), required=False, max_length=2000,
                widget=forms.Textarea(attrs={"lang": language, "rows": 3}),
            )
        self.order_fields([f"text_{language}" for language in LANGUAGE_CODES])
        self.skill_results: list[EscoSkill] | None = None
        self.skill_suggestions: list[SkillSuggestion] | None = None

    @property
    def index(self) -> int:
        match = ROW_PREFIX.match(self.prefix or "")
        return int(match.group(1)) if match else 0

    def text_fields(self) -> list[forms.BoundField]:
        return [self[f"text_{language}"] for language in LANGUAGE_CODES]

    def selected_skills(self) -> list[EscoSkill]:
        """The chosen skills in the order chosen (also when the form did not validate, to keep the choice)."""
        if self.is_bound:
            data: Any = self.data
            uris = [uri for uri in data.getlist(self.add_prefix("skills")) if isinstance(uri, str)]
        else:
            uris = list(self.initial.get("skills") or [])
        return esco_skills_by_uri(uris[:50])

    def entry(self) -> dict[str, Any] | None:
        """The outcome as the services take it; None for an empty row."""
        cleaned = getattr(self, "cleaned_data", {})
        text = {language: cleaned.get(f"text_{language}") or "" for language in LANGUAGE_CODES}
        skills = [skill.uri for skill in cleaned.get("skills") or []]
        if not any(value.strip() for value in text.values()) and not skills:
            return None
        return {"text": text, "skills": skills}


class BaseOutcomeFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("Give at most %(num)s learning outcomes."),
        "missing_management_form": _("The form was incomplete; reload the page and try again."),
    }

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"use_required_attribute": False}


OutcomeFormSet = forms.formset_factory(
    OutcomeForm, formset=BaseOutcomeFormSet, extra=0, max_num=MAX_OUTCOMES, validate_max=True,
    absolute_max=MAX_OUTCOMES,
)


def empty_outcome_form(index: int) -> OutcomeForm:
    return OutcomeForm(prefix=f"{OUTCOMES_PREFIX}-{index}", empty_permitted=True, use_required_attribute=False)


def row_prefix(value: str) -> str | None:
    """A row prefix sent by the browser, if it is one of ours (`outcomes-3`)."""
    return value if ROW_PREFIX.match(value or "") else None


def skill_search(query: str) -> list[EscoSkill]:
    return esco_search(query or "", limit=SKILL_RESULTS)


def outcome_texts(data: Any, prefix: str) -> dict[str, str]:
    """The statement of outcome row `prefix` in each language, as typed (not yet saved)."""
    return {language: str(data.get(f"{prefix}-text_{language}", "") or "")[:2000] for language in LANGUAGE_CODES}


def skill_suggestions(texts: dict[str, str], chosen: list[str]) -> list[SkillSuggestion]:
    """ESCO skills that match what the outcome says, leaving out those already chosen."""
    return suggest_skills_for_outcome(texts, limit=SUGGESTION_RESULTS, exclude=chosen[:50])


def skill_by_uri(uri: str) -> EscoSkill | None:
    return esco_skill((uri or "")[:200])


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _without_row(data: QueryDict, index: int) -> QueryDict:
    """The same form data with outcome row `index` removed and the rows after it moved up."""
    pattern = re.compile(rf"^{OUTCOMES_PREFIX}-(\d+)-(.+)$")
    result = QueryDict(mutable=True)
    for key in data:
        values = data.getlist(key)
        match = pattern.match(key)
        if match:
            row = int(match.group(1))
            if row == index:
                continue
            if row > index:
                key = f"{OUTCOMES_PREFIX}-{row - 1}-{match.group(2)}"
        result.setlist(key, values)
    total = max(_int(data.get(f"{OUTCOMES_PREFIX}-TOTAL_FORMS")) - 1, 0)
    result[f"{OUTCOMES_PREFIX}-TOTAL_FORMS"] = str(total)
    result[f"{OUTCOMES_PREFIX}-INITIAL_FORMS"] = str(min(_int(data.get(f"{OUTCOMES_PREFIX}-INITIAL_FORMS")), total))
    return result


# --- the editor: form + outcome rows + findings ------------------------------------------------------------

@dataclass(frozen=True)
class FindingRow:
    """A validator finding as the panel shows it: where it points to in the form, in the reader's language."""

    severity: str
    is_error: bool
    message: str
    rule: str
    code: str
    field_label: str
    anchor: str  # the id of the input to fix, or "" when the form has none (e.g. the provider's country)


FIELD_ALIASES = {"cycle": "qf_ehea_cycle", "isced_code": "isced_f", "isced_field": "isced_f",
                 "awarding_bodies": "co_providers"}


class DesignEditor:
    """The whole design page: the version form, the learning-outcome rows, and the no-JavaScript row actions.

    Without JavaScript, "add another outcome", "remove", "search skills" and "add skill" are submit
    buttons of the one form: they change the submitted data and show the page again, saving nothing.
    With htmx the same buttons fetch a row or a search result in place.
    """

    ROW_ACTIONS = ("add_outcome", "remove_outcome", "search_skills", "suggest_skills", "add_skill")

    def __init__(self, *, provider: Organisation, data: QueryDict | None = None,
                 version: MicroCredentialVersion | None = None, new: bool = False) -> None:
        self.provider = provider
        self.row_action = ""
        search_row: int | None = None
        suggest_row: int | None = None
        form_class = NewMicroCredentialForm if new else VersionForm
        if data is not None:
            data, search_row = self._apply_row_action(data)
            if self.row_action == "suggest_skills":
                search_row, suggest_row = None, search_row
            self.form: VersionForm = form_class(data, provider=provider)
            self.outcomes = OutcomeFormSet(data, prefix=OUTCOMES_PREFIX)
        else:
            initial, rows = version_initial(version) if version is not None else ({}, [{}])
            self.form = form_class(initial=initial, provider=provider)
            self.outcomes = OutcomeFormSet(initial=rows or [{}], prefix=OUTCOMES_PREFIX)
        self._kept_rows: list[int] = [index for index, _form in enumerate(self.outcomes.forms)]
        if search_row is not None and search_row < len(self.outcomes.forms):
            row = self.outcomes.forms[search_row]
            row.skill_results = skill_search(str(row.data.get(row.add_prefix("skill_query"), "")))
        if suggest_row is not None and 0 <= suggest_row < len(self.outcomes.forms):
            row = self.outcomes.forms[suggest_row]
            chosen = [str(uri) for uri in row.data.getlist(row.add_prefix("skills"))]
            row.skill_suggestions = skill_suggestions(outcome_texts(row.data, row.prefix or ""), chosen)

    def _apply_row_action(self, data: QueryDict) -> tuple[QueryDict, int | None]:
        data = data.copy()
        total_key = f"{OUTCOMES_PREFIX}-TOTAL_FORMS"
        if "add_outcome" in data:
            self.row_action = "add_outcome"
            data[total_key] = str(min(_int(data.get(total_key)) + 1, MAX_OUTCOMES))
        elif "remove_outcome" in data:
            self.row_action = "remove_outcome"
            index = _int(data.get("remove_outcome"), -1)
            if 0 <= index < _int(data.get(total_key)):
                data = _without_row(data, index)
        elif "add_skill" in data:
            self.row_action = "add_skill"
            index_text, _sep, uri = str(data.get("add_skill")).partition("|")
            index = _int(index_text, -1)
            if 0 <= index < _int(data.get(total_key)) and uri:
                key = f"{OUTCOMES_PREFIX}-{index}-skills"
                if uri not in data.getlist(key):
                    data.appendlist(key, uri)
        elif "search_skills" in data:
            self.row_action = "search_skills"
            return data, _int(data.get("search_skills"), -1)
        elif "suggest_skills" in data:
            self.row_action = "suggest_skills"
            return data, _int(data.get("suggest_skills"), -1)
        return data, None

    # validation

    def is_valid(self) -> bool:
        form_valid = self.form.is_valid()
        return self.outcomes.is_valid() and form_valid

    def service_data(self) -> dict[str, Any]:
        """The input for micro_credential_create / version_update; with errors, only the valid parts."""
        self.is_valid()
        data = self.form.service_data()
        entries, kept = [], []
        for index, row in enumerate(self.outcomes.forms):
            entry = row.entry()
            if entry is not None:
                entries.append(entry)
                kept.append(index)
        self._kept_rows = kept
        data["learning_outcomes"] = entries
        return data

    def add_service_errors(self, error: InvalidInput) -> None:
        """Show the errors a service found (it checks again) on the fields they belong to."""
        for key, messages in (error.details or {}).items():
            base, _sep, rest = str(key).partition(".")
            if base == "learning_outcomes" and rest.isdigit() and int(rest) < len(self._kept_rows):
                row = self.outcomes.forms[self._kept_rows[int(rest)]]
                row.add_error(None, messages)
                continue
            name = FIELD_ALIASES.get(base, base)
            if name in TEXT_FIELDS:
                name = f"{name}_{LANGUAGE_CODES[0]}"
            self.form.add_error(name if name in self.form.fields else None, messages)

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors or self.outcomes.total_error_count())

    # findings

    def unsaved_design(self) -> Design:
        """The validator's view of the data on the page, as it would be saved (only the valid parts)."""
        cleaned = clean_design_data(self.service_data())
        fields = cleaned.fields
        isced = fields.get("isced_field")
        co_providers = [p for p in cleaned.co_providers or [] if p.pk != self.provider.pk]
        return Design(
            title=fields.get("title", {}), description=fields.get("description", {}),
            learning_outcomes=[text for text, _skills in cleaned.outcomes or []],
            ects=fields.get("ects"), hours=fields.get("hours"), eqf_level=fields.get("eqf_level"),
            cycle=fields.get("cycle", ""), isced_code=isced.code if isced else "",
            languages=fields.get("languages", []), assessment_type=fields.get("assessment_type", ""),
            assessment_description=fields.get("assessment_description", {}),
            participation_form=fields.get("participation_form", ""),
            quality_assurance=fields.get("quality_assurance", ""),
            quality_assurance_description=fields.get("quality_assurance_description", {}),
            identity_verification=fields.get("identity_verification", ""),
            stackability=fields.get("stackability", ""),
            stackability_description=fields.get("stackability_description", {}),
            awarding_bodies=[self.provider.slug, *(p.slug for p in co_providers)],
            country=self.provider.country,
        )

    def unsaved_findings(self) -> list[Finding]:
        try:
            return validate_design(self.unsaved_design())
        except InvalidInput as error:
            self.add_service_errors(error)
            return []

    def finding_rows(self, findings: list[Finding]) -> list[FindingRow]:
        rows = [self._finding_row(finding) for finding in findings]
        return sorted(rows, key=lambda row: not row.is_error)

    def _finding_row(self, finding: Finding) -> FindingRow:
        label, anchor = self._target(finding.field, getattr(finding, "language", "") or "")
        return FindingRow(
            severity=str(finding.severity), is_error=finding.severity == Severity.ERROR, message=finding.text(),
            rule=finding.rule, code=finding.code, field_label=label, anchor=anchor,
        )

    def _target(self, field: str, language: str = "") -> tuple[str, str]:
        """The label and input id of the design field a finding is about (`learning_outcomes.2`, `isced_f` …)."""
        parts = field.split(".")
        base = parts[0]
        language = language if language in LANGUAGE_CODES else ""
        if base in TEXT_FIELDS:
            label = str(TEXT_FIELDS[base].label)
            if language:
                label = f"{label} ({LANGUAGE_NAMES[language]})"
            return label, f"id_{base}_{language or LANGUAGE_CODES[0]}"
        if base == "learning_outcomes":
            index = next((int(part) for part in parts[1:] if part.isdigit()), None)
            if index is None or index >= len(self._kept_rows):
                return str(_("Learning outcomes")), "outcomes"
            row = self._kept_rows[index]
            label = str(_("Learning outcome %(number)s") % {"number": row + 1})
            if language:
                label = f"{label} ({LANGUAGE_NAMES[language]})"
            return label, f"id_{OUTCOMES_PREFIX}-{row}-text_{language or LANGUAGE_CODES[0]}"
        name = FIELD_ALIASES.get(base, base)
        if name in self.form.fields:
            bound = self.form[name]
            return str(bound.label), bound.id_for_label or bound.auto_id
        if base == "country":
            return str(_("Country of the provider")), ""
        return base, ""


def finding_counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for finding in findings if finding.severity == Severity.ERROR)
    return errors, len(findings) - errors


def counts_text(errors: int, warnings: int) -> str:
    return "{}, {}".format(
        ngettext("%(n)s error", "%(n)s errors", errors) % {"n": errors},
        ngettext("%(n)s warning", "%(n)s warnings", warnings) % {"n": warnings},
    )


# --- clone ------------------------------------------------------------------------------------------------

class CloneForm(DesignForm):
    code = forms.CharField(
        label=_("Code of the new micro-credential"), max_length=40,
        help_text=_("The copy becomes a new micro-credential of yours, starting as a draft."),
    )


class CatalogSearchForm(DesignForm):
    q = forms.CharField(label=_("Search published micro-credentials"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))


# --- offerings -----------------------------------------------------------------------------------------------

class OfferingForm(DesignForm):
    """One run of a published micro-credential."""

    start_date = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    enrolment_opens = forms.DateTimeField(
        label=_("Enrolment opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    enrolment_closes = forms.DateTimeField(
        label=_("Enrolment closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=[*BLANK, *OfferingMode.choices])
    language = forms.ChoiceField(label=_("Language of instruction"), choices=[*BLANK, *Language.choices])
    seats = forms.IntegerField(label=_("Seats"), required=False, min_value=1, max_value=1_000_000,
                               help_text=_("Leave empty for no limit."))
    min_participants = forms.IntegerField(
        label=_("Minimum participants"), required=False, min_value=1, max_value=1_000_000,
        help_text=_("The offering runs only if this many enrol; leave empty for no minimum."),
    )
    price_individual = DecimalTextField(
        label=_("Price for individuals (EUR)"), max_value=Decimal("999999.99"), places=2,
        help_text=_("Leave empty or write 0 when it is free."),
    )
    price_organisation = DecimalTextField(
        label=_("Price per seat for organisations (EUR)"), max_value=Decimal("999999.99"), places=2,
        help_text=_("Leave empty if organisations cannot buy seats."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGE_CODES:
            self.fields[f"place_{language}"] = forms.CharField(
                label=_language_label(_("Place"), language), required=False, max_length=300,
                widget=forms.TextInput(attrs={"lang": language}),
            )

    def place_fields(self) -> list[forms.BoundField]:
        return [self[f"place_{language}"] for language in LANGUAGE_CODES]

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in (
            "start_date", "end_date", "enrolment_opens", "enrolment_closes", "mode", "language", "seats",
            "min_participants", "price_individual", "price_organisation")}
        data["place"] = {language: self.cleaned_data.get(f"place_{language}") or "" for language in LANGUAGE_CODES}
        return data

    def add_service_errors(self, error: InvalidInput) -> None:
        for key, messages in (error.details or {}).items():
            name = f"place_{LANGUAGE_CODES[0]}" if key == "place" else key
            self.add_error(name if name in self.fields else None, messages)


def offering_initial(offering: Offering) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(offering, name) for name in (
            "start_date", "end_date", "mode", "language", "seats", "min_participants", "price_individual",
            "price_organisation")
    }
    initial["enrolment_opens"] = timezone.localtime(offering.enrolment_opens)
    initial["enrolment_closes"] = timezone.localtime(offering.enrolment_closes)
    for language in LANGUAGE_CODES:
        initial[f"place_{language}"] = (offering.place or {}).get(language, "")
    return initial


class ReasonForm(DesignForm):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)

