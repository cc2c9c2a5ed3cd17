"""Builders for framework tests: a validator Design from design data, as catalog.services.design_of makes it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from osaamo.framework.rules import Design
from osaamo.translation import clean_translations
from tests.factories import design_data


def design_from_data(data: dict[str, Any], *, awarding_bodies: list[str] | None = None,
                     country: str = "FI") -> Design:
    """The Design a stored version with this design data would give (keys as in catalog/demo/FORMAT.md)."""
    return Design(
        title=clean_translations(data.get("title")),
        description=clean_translations(data.get("description")),
        learning_outcomes=[clean_translations(item.get("text")) for item in data.get("learning_outcomes") or []],
        ects=Decimal(str(data["ects"])) if data.get("ects") not in (None, "") else None,
        hours=data.get("hours"),
        eqf_level=data.get("eqf_level"),
        cycle=data.get("qf_ehea_cycle") or "",
        isced_code=data.get("isced_f") or "",
        languages=list(data.get("languages") or []),
        assessment_type=data.get("assessment_type") or "",
        assessment_description=clean_translations(data.get("assessment_description")),
        participation_form=data.get("participation_form") or "",
        quality_assurance=data.get("quality_assurance") or "",
        quality_assurance_description=clean_translations(data.get("quality_assurance_description")),
        identity_verification=data.get("identity_verification") or "",
        stackability=data.get("stackability") or "",
        stackability_description=clean_translations(data.get("stackability_description")),
        awarding_bodies=["helsinki"] if awarding_bodies is None else awarding_bodies,
        country=country,
    )


def valid_design(**changes: Any) -> Design:
    """The factory's valid design as the validator sees it, with design-data `changes` applied."""
    return design_from_data(design_data(**changes))
