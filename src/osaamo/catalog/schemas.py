"""The catalog's API schemas: one `…In` per write, `…Out` for what is read, `…Filters` for lists.

Provider-written text is an object per language (`{"fi", "sv", "en"}`); a controlled vocabulary
value is `{"code", "label": {"fi", "sv", "en"}}`, so a client can show it without a lookup table.
Codes are those of `osaamo.framework.vocabularies` (and src/osaamo/catalog/demo/FORMAT.md).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from django.db import models
from django.utils import translation
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from osaamo.api.schemas import (
    SLUG_PATTERN,
    FindingOut,
    InputSchema,
    QueryInput,
    TranslatedTextIn,
    TranslatedTextOut,
    TranslatedTitleIn,
)
from osaamo.catalog.selectors import CatalogFilters
from osaamo.framework.vocabularies import (
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

# --- building blocks ------------------------------------------------------------------------------


class CodedOut(Schema):
    """A value of a controlled vocabulary: the stable code and its label in each language."""

    code: str
    label: TranslatedTextOut


@cache
def _labels(choices: type[models.Choices], value: str) -> dict[str, str]:
    label = choices(value).label
    result = {}
    for language in LANGUAGE_CODES:
        with translation.override(language):
            result[language] = str(label)
    return result


def coded(choices: type[models.Choices], value: Any) -> dict[str, Any] | None:
    """`{"code", "label"}` for a stored code; None when empty (or no longer in the vocabulary)."""
    if value in (None, "") or value not in choices.values:
        return None
    return {"code": str(value), "label": _labels(choices, str(value))}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class ProviderRefOut(Schema):
    """An awarding body in brief."""

    slug: str
    name: TranslatedTextOut
    country: str = Field(..., description="ISO 3166-1 alpha-2.")


class IscedOut(Schema):
    code: str = Field(..., description="ISCED-F 2013 code (2, 3 or 4 digits).")
    uri: str
    label: TranslatedTextOut


class SkillOut(Schema):
    uri: str = Field(..., description="The ESCO v1.2 concept URI.")
    label: TranslatedTextOut

    @staticmethod
    def resolve_label(obj: Any) -> Any:
        return obj.preferred_label


class LearningOutcomeOut(Schema):
    text: TranslatedTextOut
    skills: list[SkillOut] = Field(..., description="ESCO skills the outcome is aligned to.")


class OfferingSummaryOut(Schema):
    """An upcoming run, in brief (the full record: GET /api/v1/offerings/{id})."""

    id: int
    start_date: date
    end_date: date
    enrolment_opens: datetime
    enrolment_closes: datetime
    mode: CodedOut
    language: str = Field(..., description="ISO 639-1 code of the language of instruction.")
    price_individual: str = Field(..., description="Euros, two decimals; `0.00` is free.")

    @staticmethod
    def resolve_mode(obj: Any) -> Any:
        return coded(OfferingMode, obj.mode)

    @staticmethod
    def resolve_price_individual(obj: Any) -> Any:
        return _money(obj.price_individual)


# --- the specification (every element of EU Council Recommendation 2022/C 243/02, Annex I) -------


class SpecificationOut(Schema):
    """The elements of a micro-credential specification; null or empty where not (yet) given."""

    title: TranslatedTextOut
    description: TranslatedTextOut
    target_group: TranslatedTextOut
    prerequisites: TranslatedTextOut = Field(..., description="Annex I optional: prerequisites.")
    further_information: TranslatedTextOut
    awarding_body: ProviderRefOut = Field(..., description="Annex I M3: the provider that awards it.")
    co_providers: list[ProviderRefOut] = Field(..., description="Joint awarding bodies.")
    country: str = Field(..., description="Annex I M4: country of the awarding body (ISO 3166-1).")
    learning_outcomes: list[LearningOutcomeOut] = Field(..., description="Annex I M6.")
    ects: float | None = Field(..., description="Annex I M7: notional workload in ECTS credits.")
    hours: int | None = Field(..., description="Notional workload in hours.")
    eqf_level: int | None = Field(..., description="Annex I M8: EQF level 1–8.")
    qf_ehea_cycle: CodedOut | None = Field(..., description="Annex I M8: QF-EHEA cycle.")
    isced_f: IscedOut | None = Field(..., description="Field of education and training.")
    languages: list[str] = Field(..., description="Languages of instruction (ISO 639-1).")
    assessment_type: CodedOut | None = Field(..., description="Annex I M9: type of assessment.")
    assessment_description: TranslatedTextOut
    grading_scale: CodedOut | None
    participation_form: CodedOut | None = Field(..., description="Annex I M10: form of participation.")
    quality_assurance: CodedOut | None = Field(..., description="Annex I M11: type of quality assurance.")
    quality_assurance_description: TranslatedTextOut
    identity_verification: CodedOut | None = Field(
        ..., description="Annex I optional: supervision and identity verification during assessment."
    )
    stackability: CodedOut | None = Field(..., description="Annex I optional: integration and stackability.")
    stackability_description: TranslatedTextOut

    @staticmethod
    def resolve_awarding_body(obj: Any) -> Any:
        return obj.micro_credential.provider

    @staticmethod
    def resolve_country(obj: Any) -> Any:
        return obj.micro_credential.provider.country

    @staticmethod
    def resolve_learning_outcomes(obj: Any) -> Any:
        return list(obj.outcomes.all())

    @staticmethod
    def resolve_ects(obj: Any) -> Any:
        return _number(obj.ects)

    @staticmethod
    def resolve_qf_ehea_cycle(obj: Any) -> Any:
        return coded(Cycle, obj.cycle)

    @staticmethod
    def resolve_isced_f(obj: Any) -> Any:
        return obj.isced_field

    @staticmethod
    def resolve_assessment_type(obj: Any) -> Any:
        return coded(AssessmentType, obj.assessment_type)

    @staticmethod
    def resolve_grading_scale(obj: Any) -> Any:
        return coded(GradingScale, obj.grading_scale)

    @staticmethod
    def resolve_participation_form(obj: Any) -> Any:
        return coded(ParticipationForm, obj.participation_form)

    @staticmethod
    def resolve_quality_assurance(obj: Any) -> Any:
        return coded(QualityAssurance, obj.quality_assurance)

    @staticmethod
    def resolve_identity_verification(obj: Any) -> Any:
        return coded(IdentityVerification, obj.identity_verification)

    @staticmethod
    def resolve_stackability(obj: Any) -> Any:
        return coded(Stackability, obj.stackability)


# --- public reading -------------------------------------------------------------------------------


class _PublishedIdentity(Schema):
    """Which published micro-credential this is, and its upcoming runs."""

    id: int = Field(..., description="The micro-credential's id (the same for all its versions).")
    provider: ProviderRefOut
    slug: str
    code: str
    version: int = Field(..., description="The number of the published version.")
    published_at: datetime
    upcoming_offerings: list[OfferingSummaryOut] = Field(..., description="Scheduled runs that have not ended.")

    @staticmethod
    def resolve_id(obj: Any) -> Any:
        return obj.micro_credential_id

    @staticmethod
    def resolve_provider(obj: Any) -> Any:
        return obj.micro_credential.provider

    @staticmethod
    def resolve_slug(obj: Any) -> Any:
        return obj.micro_credential.slug

    @staticmethod
    def resolve_code(obj: Any) -> Any:
        return obj.micro_credential.code

    @staticmethod
    def resolve_version(obj: Any) -> Any:
        return obj.number

    @staticmethod
    def resolve_upcoming_offerings(obj: Any) -> Any:
        # published_versions() prefetches exactly the upcoming, scheduled offerings.
        return list(obj.offerings.all())


class MicroCredentialListItemOut(_PublishedIdentity):
    """A published micro-credential in a list (the full specification: the detail operation)."""

    title: TranslatedTextOut
    description: TranslatedTextOut
    co_providers: list[ProviderRefOut]
    ects: float | None
    hours: int | None
    eqf_level: int | None
    isced_f: IscedOut | None
    languages: list[str]
    participation_form: CodedOut | None

    @staticmethod
    def resolve_ects(obj: Any) -> Any:
        return _number(obj.ects)

    @staticmethod
    def resolve_isced_f(obj: Any) -> Any:
        return obj.isced_field

    @staticmethod
    def resolve_participation_form(obj: Any) -> Any:
        return coded(ParticipationForm, obj.participation_form)


class MicroCredentialOut(_PublishedIdentity, SpecificationOut):
    """A published micro-credential: its current version, with every element and upcoming offerings."""


EqfLevel = Annotated[int, Field(ge=1, le=8)]


class MicroCredentialFiltersIn(QueryInput):
    """The filters of the public catalog; every one given must hold."""

    q: str = Field("", max_length=200, description="Words that must all appear in the code, title, "
                   "description, target group or learning outcomes.")
    ects_min: Decimal | None = Field(None, ge=0, le=999, description="At least this many ECTS credits.")
    ects_max: Decimal | None = Field(None, ge=0, le=999, description="At most this many ECTS credits.")
    eqf_level: list[EqfLevel] = Field([], max_length=8, description="EQF level; repeat for several.")
    isced: str | None = Field(None, pattern=r"^[0-9]{2,4}$", description="ISCED-F code; matches that field and "
                       "every field under it.")
    language: Language | None = Field(None, description="Taught in this language (the specification or "
                                      "an upcoming offering).")
    mode: OfferingMode | None = Field(None, description="Has an upcoming offering in this mode.")
    provider: str | None = Field(None, max_length=60, pattern=SLUG_PATTERN, description="Provider slug; "
                                 "matches the owner and co-providers.")
    price: Literal["free", "paid"] | None = Field(None, description="Has an upcoming offering that is free "
                                                  "(or paid) for individuals.")
    starts_after: date | None = Field(None, description="Has an upcoming offering starting on or after this day.")
    start_month: str | None = Field(None, pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="Has an upcoming "
                                    "offering starting in this month (YYYY-MM).")
    sort: Literal["relevance", "start", "price", "ects", "newest"] | None = Field(
        None, description="The order: best match to the search words (the default; newest first without "
        "words), soonest start, lowest price, smallest ECTS, or newest. Start and price look at the upcoming "
        "offerings that meet the offering filters.")

    def to_catalog_filters(self) -> CatalogFilters:
        return CatalogFilters(
            start_month=self.start_month or "",
            sort=self.sort or "",
            q=self.q.strip(),
            ects_min=self.ects_min,
            ects_max=self.ects_max,
            eqf_level=list(dict.fromkeys(self.eqf_level)),
            isced=self.isced or "",
            language=self.language.value if self.language else "",
            mode=self.mode.value if self.mode else "",
            provider=self.provider or "",
            price=self.price or "",
            starts_after=self.starts_after,
        )


class MicroCredentialFacetsOut(Schema):
    """How many published micro-credentials match, and how many each filter value would give."""

    count: int = Field(..., description="How many micro-credentials match every filter given.")
    facets: dict[str, dict[str, int]] = Field(..., description=(
        "For each filter (ects, eqf_level, isced, language, mode, provider, price, start_month), the number "
        "of results when that filter is set to each value, the other filters kept: ECTS ranges (0-2.9, 3-5, "
        "5.1-10, 10.1-20, 20.1-), EQF levels, ISCED-F broad fields, language codes, modes, provider slugs, "
        "free/paid, and months (YYYY-MM). Values without results are left out."))


class OfferingFiltersIn(QueryInput):
    """Filters of the public offering list; every one given must hold."""

    micro_credential: int | None = Field(None, ge=1, le=2**62, description="Micro-credential id.")
    provider: str | None = Field(None, max_length=60, pattern=SLUG_PATTERN, description="Provider slug; "
                                 "matches the owner and co-providers.")
    mode: OfferingMode | None = None
    language: Language | None = Field(None, description="Language of instruction.")
    price: Literal["free", "paid"] | None = Field(None, description="Free (or paid) for individuals.")
    starts_after: date | None = Field(None, description="Starts on or after this day.")


class MicroCredentialRefOut(Schema):
    """Which micro-credential (and version) an offering is a run of."""

    id: int
    provider: ProviderRefOut
    slug: str
    code: str
    title: TranslatedTextOut
    version: int
    version_id: int

    @staticmethod
    def resolve_id(obj: Any) -> Any:
        return obj.micro_credential_id

    @staticmethod
    def resolve_provider(obj: Any) -> Any:
        return obj.micro_credential.provider

    @staticmethod
    def resolve_slug(obj: Any) -> Any:
        return obj.micro_credential.slug

    @staticmethod
    def resolve_code(obj: Any) -> Any:
        return obj.micro_credential.code

    @staticmethod
    def resolve_version(obj: Any) -> Any:
        return obj.number

    @staticmethod
    def resolve_version_id(obj: Any) -> Any:
        return obj.pk


class OfferingOut(Schema):
    """One run of a micro-credential."""

    id: int
    state: Literal["scheduled", "cancelled"]
    micro_credential: MicroCredentialRefOut
    start_date: date
    end_date: date
    enrolment_opens: datetime
    enrolment_closes: datetime
    mode: CodedOut
    place: TranslatedTextOut
    language: str = Field(..., description="ISO 639-1 code of the language of instruction.")
    seats: int | None = Field(..., description="Null: no limit.")
    min_participants: int | None
    price_individual: str = Field(..., description="Euros, two decimals; `0.00` is free.")
    price_organisation: str | None = Field(..., description="Euros per seat for organisations; null: not sold.")

    @staticmethod
    def resolve_micro_credential(obj: Any) -> Any:
        return obj.version

    @staticmethod
    def resolve_mode(obj: Any) -> Any:
        return coded(OfferingMode, obj.mode)

    @staticmethod
    def resolve_price_individual(obj: Any) -> Any:
        return _money(obj.price_individual)

    @staticmethod
    def resolve_price_organisation(obj: Any) -> Any:
        return _money(obj.price_organisation)


# --- provider staff: reading ----------------------------------------------------------------------

VersionStateCode = Literal["draft", "in_review", "published", "retired"]


class VersionSummaryOut(Schema):
    id: int
    number: int
    state: VersionStateCode
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    retired_at: datetime | None


class OwnMicroCredentialOut(Schema):
    """One of the provider's own micro-credentials with all its versions, newest first."""

    id: int
    code: str
    slug: str
    title: TranslatedTextOut = Field(..., description="The title of the newest version.")
    versions: list[VersionSummaryOut]

    @staticmethod
    def resolve_title(obj: Any) -> Any:
        versions = list(obj.versions.all())
        return versions[0].title if versions else {}

    @staticmethod
    def resolve_versions(obj: Any) -> Any:
        return sorted(obj.versions.all(), key=lambda version: -version.number)


class VersionOut(SpecificationOut):
    """One version of the provider's own micro-credential, drafts included."""

    id: int
    micro_credential_id: int
    code: str
    slug: str
    number: int
    state: VersionStateCode
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    retired_at: datetime | None

    @staticmethod
    def resolve_code(obj: Any) -> Any:
        return obj.micro_credential.code

    @staticmethod
    def resolve_slug(obj: Any) -> Any:
        return obj.micro_credential.slug


# --- provider staff: writing ----------------------------------------------------------------------


class LearningOutcomeIn(InputSchema):
    text: TranslatedTextIn
    skills: list[Annotated[str, Field(max_length=120)]] = Field(
        [], max_length=50, description="ESCO skill URIs, e.g. `http://data.europa.eu/esco/skill/<uuid>`."
    )


class DesignIn(InputSchema):
    """The design of a micro-credential (the format of src/osaamo/catalog/demo/FORMAT.md).

    Every field is optional while drafting: the framework validator (the findings operation) says
    what is still missing before the version can be submitted or published. Null clears a field.
    """

    title: TranslatedTitleIn | None = None
    description: TranslatedTextIn | None = None
    target_group: TranslatedTextIn | None = None
    prerequisites: TranslatedTextIn | None = None
    further_information: TranslatedTextIn | None = None
    learning_outcomes: list[LearningOutcomeIn] | None = Field(None, max_length=30)
    ects: Decimal | None = Field(None, ge=0, lt=1000, description="ECTS credits (the framework asks 1–59).")
    hours: int | None = Field(None, ge=0, le=100_000)
    eqf_level: int | None = Field(None, ge=1, le=8)
    qf_ehea_cycle: Cycle | None = None
    isced_f: str | None = Field(None, pattern=r"^[0-9]{3,4}$", description="ISCED-F 2013 code.")
    languages: list[Language] | None = Field(None, max_length=12)
    assessment_type: AssessmentType | None = None
    assessment_description: TranslatedTextIn | None = None
    participation_form: ParticipationForm | None = None
    quality_assurance: QualityAssurance | None = None
    quality_assurance_description: TranslatedTextIn | None = None
    identity_verification: IdentityVerification | None = None
    stackability: Stackability | None = None
    stackability_description: TranslatedTextIn | None = None
    grading_scale: GradingScale | None = None
    co_providers: list[Annotated[str, Field(max_length=60, pattern=SLUG_PATTERN)]] | None = Field(
        None, max_length=20, description="Slugs of the providers that award it jointly."
    )


class MicroCredentialCreateIn(DesignIn):
    code: str = Field(..., min_length=1, max_length=40, description="The provider's own code, e.g. the "
                      "course code in its student information system; unique within the provider.")


class DesignPatchIn(DesignIn):
    """Only the fields sent change. Text objects merge per language: a language left out keeps its
    text, a language sent as null loses it (JSON Merge Patch, RFC 7396). Lists are replaced whole."""


def _plausible_year(value: Any) -> Any:
    if value is not None and not 2000 <= value.year <= 2100:
        raise PydanticCustomError("date_out_of_range", "Enter a date between the years 2000 and 2100.")
    return value


class OfferingIn(InputSchema):
    """A run of a published micro-credential. Times without a zone are Finnish time."""

    start_date: date
    end_date: date
    enrolment_opens: datetime
    enrolment_closes: datetime
    mode: OfferingMode
    language: Language
    place: TranslatedTitleIn | None = None
    seats: int | None = Field(None, ge=1, le=1_000_000, description="Null: no limit.")
    min_participants: int | None = Field(None, ge=1, le=1_000_000)
    price_individual: Decimal | None = Field(None, ge=0, lt=1_000_000, decimal_places=2,
                                             description="Euros; null or 0 is free.")
    price_organisation: Decimal | None = Field(None, ge=0, lt=1_000_000, decimal_places=2,
                                               description="Euros per seat; null: not sold to organisations.")

    _dates = field_validator("start_date", "end_date", "enrolment_opens", "enrolment_closes")(_plausible_year)


class OfferingPatchIn(InputSchema):
    """Only the fields sent change."""

    start_date: date | None = None
    end_date: date | None = None
    enrolment_opens: datetime | None = None
    enrolment_closes: datetime | None = None
    mode: OfferingMode | None = None
    language: Language | None = None
    place: TranslatedTitleIn | None = None
    seats: int | None = Field(None, ge=1, le=1_000_000)
    min_participants: int | None = Field(None, ge=1, le=1_000_000)
    price_individual: Decimal | None = Field(None, ge=0, lt=1_000_000, decimal_places=2)
    price_organisation: Decimal | None = Field(None, ge=0, lt=1_000_000, decimal_places=2)

    _dates = field_validator("start_date", "end_date", "enrolment_opens", "enrolment_closes")(_plausible_year)


class OfferingCancelIn(InputSchema):
    reason: str = Field("", max_length=500, description=(
        "Why the run is cancelled: kept in the audit trail and quoted in the email to the learners and "
        "employers on it."))


class FindingsOut(Schema):
    """The framework validator's verdict on one version."""

    version_id: int
    can_publish: bool = Field(..., description="True when no finding is an error.")
    findings: list[FindingOut]


# --- providers ------------------------------------------------------------------------------------


class ProviderOut(Schema):
    """A provider (awarding body): a university admitted to the platform."""

    slug: str
    name: TranslatedTextOut
    description: TranslatedTextOut
    country: str = Field(..., description="ISO 3166-1 alpha-2.")
    city: str
    homepage: str
    institution_code: str = Field(..., description="Statistics Finland institution code (empty if none).")
