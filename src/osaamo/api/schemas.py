"""Schemas every app's router shares: text in three languages, findings, and the one error shape.

This module is part of the API toolkit and imports no app that has a router (apps import it;
`osaamo.api.api` assembles the apps), so the arrow between the apps and the API stays one way.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, P, PathEx, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from osaamo.framework.rules import Finding

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
MAX_ID = 2**63 - 1  # the largest id PostgreSQL's bigint holds; larger numbers are simply not found

ObjectId = PathEx[int, P(ge=1, le=MAX_ID, description="The object's id.")]
Slug = PathEx[str, P(max_length=60, pattern=SLUG_PATTERN, description="A short name in addresses.")]


def _without_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        # PostgreSQL can store no NUL character in text or jsonb.
        raise PydanticCustomError("nul_character", "Text may not contain the NUL character.")
    if isinstance(value, list):
        for item in value:
            _without_nul(item)
    return value


class InputSchema(Schema):
    """Base of every request body and query: unknown fields are refused, text has no NUL character."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        return _without_nul(value)

class QueryInput(InputSchema):
    """Base of query-string filters: an empty value (`?isced=`, as forms send) is no filter."""

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, list):
            return [item for item in value if item not in ("", None)]
        if value == "" and info.field_name:
            return cls.model_fields[info.field_name].get_default(call_default_factory=True)
        return value


# --- text in three languages ----------------------------------------------------------------------


class TranslatedTextOut(Schema):
    """Provider-written text per language; a language without text is null."""

    fi: str | None = Field(None, description="Finnish")
    sv: str | None = Field(None, description="Swedish")
    en: str | None = Field(None, description="English")


class TranslatedTextIn(InputSchema):
    """Text per language (fi, sv, en); leave a language out or send null when there is no text."""

    fi: str | None = Field(None, max_length=20_000, description="Finnish")
    sv: str | None = Field(None, max_length=20_000, description="Swedish")
    en: str | None = Field(None, max_length=20_000, description="English")


class TranslatedTitleIn(InputSchema):
    """A short text per language (a title or a place)."""

    fi: str | None = Field(None, max_length=300, description="Finnish")
    sv: str | None = Field(None, max_length=300, description="Swedish")
    en: str | None = Field(None, max_length=300, description="English")


# --- findings of the framework validator ----------------------------------------------------------


class FindingOut(Schema):
    """What the framework validator says about a design: one rule that is broken or worth a look."""

    code: str = Field(..., description="Stable code of the rule, e.g. `ects.out_of_range`.")
    severity: Literal["error", "warning"] = Field(
        ..., description="`error` blocks submitting and publishing; `warning` does not."
    )
    field: str = Field(..., description="The design field, e.g. `ects` or `learning_outcomes.2`.")
    rule: str = Field(..., description="Where the rule comes from, e.g. `EU Annex I M7`.")
    message: str = Field(..., description="The explanation in the requested language.")
    messages: TranslatedTextOut = Field(..., description="The explanation in Finnish, Swedish and English.")


def finding_out(finding: Finding) -> dict[str, Any]:
    """A finding as JSON data, its `message` in the active language."""
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "field": finding.field,
        "rule": finding.rule,
        "message": finding.text(),
        "messages": finding.messages(),
    }


# --- the error shape ------------------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(
        ...,
        description=(
            "Stable machine-readable code: `invalid_input`, `malformed_request`, `authentication_required`, "
            "`invalid_token`, `permission_denied`, `not_found`, `method_not_allowed`, `conflict`, "
            "`publish_refused`, `submit_refused`, `version_not_editable`, `not_draft`, `not_published`, "
            "`code_taken`, `offering_cancelled`, …"
        ),
    )
    message: str = Field(..., description="A sentence for people, in the requested language.")
    details: dict[str, list[str]] | list[FindingOut] | dict[str, Any] | None = Field(
        None,
        description=(
            "For `invalid_input`: the messages per field path (`body.ects`, `query.page_size`, "
            "`body.learning_outcomes.0`). For `publish_refused` and `submit_refused`: the validator's "
            "findings. Otherwise null."
        ),
    )


class ErrorOut(Schema):
    """Every error of the API has this shape."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`{status: ErrorOut}` for an operation's `response=` mapping."""
    return dict.fromkeys(statuses, ErrorOut)
