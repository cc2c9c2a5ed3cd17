"""Schemas of the demand API: skill needs, their matches with explanations, and the demand board."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from osaamo.api.schemas import InputSchema, QueryInput, TranslatedTextOut
from osaamo.demand.regions import CODES

RegionCode = Literal[CODES]  # type: ignore[valid-type]
LanguageCode = Literal["fi", "sv", "en"]


def _plausible_year(value: Any) -> Any:
    if value is not None and not 2000 <= value.year <= 2100:
        raise PydanticCustomError("date_out_of_range", "Enter a date between the years 2000 and 2100.")
    return value


class SkillRefOut(Schema):
    uri: str = Field(..., description="The ESCO concept URI.")
    label: TranslatedTextOut = Field(..., description="ESCO's preferred label.")

    @staticmethod
    def resolve_label(obj: Any) -> Any:
        return obj.preferred_label


class RegionOut(Schema):
    code: str = Field(..., description="Statistics Finland's region (maakunta) code, e.g. `01` Uusimaa.")
    name: TranslatedTextOut


def region_out(code: str) -> dict[str, Any]:
    from osaamo.demand.regions import region

    found = region(code)
    return {"code": code, "name": dict(found.names) if found else {}}


class NeedIn(InputSchema):
    """A skill need. `skills` are ESCO concept URIs (find them with the ESCO search of the design tool)."""

    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000, description="What the people should learn, in your words.")
    language: LanguageCode | None = Field(None, description="Language of the title and description.")
    skills: list[str] = Field(default_factory=list, max_length=20)
    region: RegionCode = Field(..., description="Statistics Finland's region code where the people work.")
    people: int = Field(..., ge=1, le=10_000, description="How many people need the skills.")
    needed_by: date | None = Field(None, description="The studies should start by this date; null: any time.")
    budget_per_person: Decimal | None = Field(None, ge=0, lt=1_000_000, decimal_places=2, description="Euros.")
    show_name: bool = Field(False, description="Show the employer's name to universities on the demand board.")

    _dates = field_validator("needed_by")(_plausible_year)


class NeedPatchIn(InputSchema):
    """Only the fields sent change."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    language: LanguageCode | None = None
    skills: list[str] | None = Field(None, max_length=20)
    region: RegionCode | None = None
    people: int | None = Field(None, ge=1, le=10_000)
    needed_by: date | None = None
    budget_per_person: Decimal | None = Field(None, ge=0, lt=1_000_000, decimal_places=2)
    show_name: bool | None = None

    _dates = field_validator("needed_by")(_plausible_year)


class NeedFiltersIn(QueryInput):
    state: Literal["open", "closed"] | None = Field(None, description="Only needs in this state.")


class NeedOut(Schema):
    id: int
    state: Literal["open", "closed"]
    title: str
    description: str
    language: str
    skills: list[SkillRefOut]
    region: RegionOut
    people: int
    needed_by: date | None
    budget_per_person: str | None = Field(..., description="Euros, two decimals.")
    show_name: bool
    created_at: Any
    closed_at: Any

    @staticmethod
    def resolve_skills(obj: Any) -> Any:
        return list(obj.skills.all())

    @staticmethod
    def resolve_region(obj: Any) -> Any:
        return region_out(obj.region)

    @staticmethod
    def resolve_budget_per_person(obj: Any) -> Any:
        return None if obj.budget_per_person is None else f"{obj.budget_per_person:.2f}"


class FitOut(Schema):
    criterion: Literal["region", "timing", "budget", "seats"]
    level: Literal["fits", "partly", "no", "not_asked"]
    message: str = Field(..., description="Why, in the requested language.")


class PoolingOut(Schema):
    state: Literal["scheduled", "tentative", "confirmed", "cancelled"] = Field(
        ..., description="`tentative`: runs only if `minimum` is committed by `decision_date`.")
    minimum: int | None
    committed: int = Field(..., description="Enrolled learners, bought seats and pledged seats.")
    pledged: int
    places_left: int | None
    decision_date: date | None


class OfferingMatchOut(Schema):
    offering_id: int
    start_date: date
    end_date: date
    mode: str
    region: RegionOut | None
    price_per_seat: str | None = Field(..., description="Euros for organisations; null when not sold to them.")
    fits: list[FitOut]
    pooling: PoolingOut


class SkillCoverOut(Schema):
    skill: SkillRefOut
    outcomes: list[TranslatedTextOut] = Field(..., description="The learning outcomes aligned to the skill.")


class WordMatchOut(Schema):
    word: str = Field(..., description="A word of the need.")
    found: str = Field(..., description="The word of the learning outcome it matched.")
    outcome: TranslatedTextOut


class MatchOut(Schema):
    score: int = Field(..., ge=0, le=100)
    micro_credential_id: int
    provider: str = Field(..., description="The provider's slug.")
    code: str
    title: TranslatedTextOut
    covered: list[SkillCoverOut]
    missing: list[SkillRefOut] = Field(..., description="Needed skills no outcome is aligned to.")
    words: list[WordMatchOut]
    best_offering: OfferingMatchOut | None
    other_offerings: list[OfferingMatchOut]
    planned: bool = Field(..., description="Shown as planned (no dates yet), collecting interest.")


class BoardNeedOut(Schema):
    title: str
    language: str
    employer: str | None = Field(..., description="Only when the employer chose to show its name.")
    region: RegionOut
    people: int
    needed_by: date | None
    coverage: Literal["covered", "partly", "not_covered"]


class BoardGroupOut(Schema):
    key: str = Field(..., description="The ESCO URI or the region code.")
    label: str
    coverage: Literal["covered", "partly", "not_covered"]
    explanation: str
    needs: int
    people: int
    entries: list[BoardNeedOut]


class BoardOut(Schema):
    needs: int
    people: int
    by_skill: list[BoardGroupOut]
    by_region: list[BoardGroupOut]


def pooling_out(offering: Any, commitments: Any) -> dict[str, Any]:
    if offering.state == "cancelled":
        state = "cancelled"
    elif offering.confirmed_at is not None:
        state = "confirmed"
    elif offering.is_tentative:
        state = "tentative"
    else:
        state = "scheduled"
    return {"state": state, "minimum": offering.min_participants, "committed": commitments.committed,
            "pledged": commitments.pledged, "places_left": commitments.left, "decision_date": offering.decision_date}


def offering_match_out(item: Any) -> dict[str, Any]:
    offering = item.offering
    return {
        "offering_id": offering.pk, "start_date": offering.start_date, "end_date": offering.end_date,
        "mode": offering.mode, "region": region_out(item.region) if item.region else None,
        "price_per_seat": None if offering.price_organisation is None else f"{offering.price_organisation:.2f}",
        "fits": [{"criterion": f.criterion, "level": f.level, "message": f.message} for f in item.fits],
        "pooling": pooling_out(offering, item.commitments),
    }


def match_out(match: Any) -> dict[str, Any]:
    version = match.version
    return {
        "score": match.score, "micro_credential_id": version.micro_credential_id, "provider": match.provider.slug,
        "code": version.micro_credential.code, "title": version.title,
        "covered": [{"skill": c.skill, "outcomes": [o.text for o in c.outcomes]} for c in match.covered],
        "missing": match.missing,
        "words": [{"word": w.word, "found": w.found, "outcome": w.outcome.text} for w in match.words],
        "best_offering": offering_match_out(match.offering) if match.offering else None,
        "other_offerings": [offering_match_out(item) for item in match.other_offerings],
        "planned": match.planned is not None,
    }


def board_out(board: Any) -> dict[str, Any]:
    def entry(item: Any) -> dict[str, Any]:
        need = item.need
        return {"title": need.title, "language": need.language, "employer": item.employer_name,
                "region": region_out(need.region), "people": need.people, "needed_by": need.needed_by,
                "coverage": item.coverage}

    def group(item: Any) -> dict[str, Any]:
        return {"key": item.key, "label": item.label, "coverage": item.coverage, "explanation": item.explanation,
                "needs": item.needs, "people": item.people, "entries": [entry(e) for e in item.entries]}

    return {"needs": len(board.entries), "people": board.people,
            "by_skill": [group(g) for g in board.by_skill], "by_region": [group(g) for g in board.by_region]}

