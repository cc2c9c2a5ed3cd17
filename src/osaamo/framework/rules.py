"""The validator: what a micro-credential design lacks or gets wrong, and which rule says so.

`validate_design(design)` returns findings; publishing is refused while any finding is an error.
(To be completed by the framework work: every rule listed in the issue, each with a stable code.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import translation


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


def validate_design(design: Design) -> list[Finding]:
    raise NotImplementedError("the validator is being written")


def has_errors(findings: list[Finding]) -> bool:
    return any(finding.is_error for finding in findings)
