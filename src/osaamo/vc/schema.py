"""JSON Schema validation of Open Badges 3.0 credentials (JSON Schema draft 2019-09).

Schemas live in ``schemas/`` (see ``schemas/SOURCES.md``: the official 1EdTech
``ob_v3p0_achievementcredential_schema.json``, byte for byte), loaded into a
:class:`referencing.Registry` so ``$ref`` never leaves the package.

Two accommodations for VC 2.0, which OB 3.0 builds on, are applied and reported:

- ``proof``: VC 2.0 writes one proof as an object; schemas that want an array see it wrapped in a
  one-element list (the bundled file accepts both).
- ``credentialStatus``: VC 2.0 allows several status entries (Osaamo issues a revocation and a
  suspension entry), the OB 3.0 schema allows one object. A list is validated entry by entry: the
  document with its first entry in place, every other entry against the schema's own
  ``CredentialStatus`` definition. A strict third-party validator of the OB 3.0 schema alone
  rejects such a list.

``date-time`` and ``date`` formats are asserted (RFC 3339), as official validators do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

__all__ = [
    "ACHIEVEMENT_CREDENTIAL_SCHEMA_ID",
    "SchemaNotBundledError",
    "SchemaReport",
    "SchemaViolation",
    "json_pointer",
    "schema_errors",
    "schema_report",
]

ACHIEVEMENT_CREDENTIAL_SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
MAX_VIOLATIONS = 20


class SchemaNotBundledError(LookupError):
    pass


@dataclass(frozen=True)
class SchemaViolation:
    """One schema error: where (an RFC 6901 JSON pointer into the document) and what."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '(root)'}: {self.message}"


@dataclass(frozen=True)
class SchemaReport:
    violations: list[SchemaViolation]
    accommodations: list[str]

    @property
    def valid(self) -> bool:
        return not self.violations


def json_pointer(path: Iterable[Any]) -> str:
    """RFC 6901 pointer for a jsonschema ``absolute_path`` (``""`` is the whole document)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


# RFC 3339 §5.6 date-time (JSON Schema 2019-09 §7.3.1); seconds may be 60, offsets required.
_DATE_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if hour > 23 or minute > 59 or second > 60:
        return False
    if match.group(9) is not None and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


@_FORMATS.checks("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE.match(value) is None:
        return False
    try:
        datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def _registry() -> tuple[Registry, dict[str, Any]]:
    registry: Registry = Registry()
    by_id: dict[str, Any] = {}
    folder = resources.files("osaamo.vc").joinpath("schemas")
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.endswith(".json"):
                contents = json.loads(entry.read_bytes())
                schema_id = contents.get("$id")
                if isinstance(schema_id, str):
                    by_id[schema_id] = contents
                    registry = registry.with_resource(
                        schema_id, Resource.from_contents(contents, default_specification=DRAFT201909)
                    )
    return registry, by_id


@lru_cache(maxsize=16)
def _validator(schema_id: str, definition: str | None = None) -> Draft201909Validator:
    """The validator of a bundled schema, or of one of its ``$defs`` (``definition``)."""
    registry, by_id = _registry()
    schema = by_id.get(schema_id)
    if schema is None:
        raise SchemaNotBundledError(schema_id)
    if definition is not None:
        if definition not in schema.get("$defs", {}):
            raise SchemaNotBundledError(f"{schema_id}#/$defs/{definition}")
        schema = {"$schema": schema.get("$schema"), "$ref": f"{schema_id}#/$defs/{definition}"}
    return Draft201909Validator(schema, registry=registry, format_checker=_FORMATS)


def _violations(
    errors: Iterable[ValidationError], prefix: tuple[Any, ...] = (), remap: Any = None
) -> list[tuple[tuple[int, str], SchemaViolation]]:
    """(sort key, violation) pairs: shallower pointers first, then in pointer order."""
    out = []
    for error in errors:
        # the most specific explanation inside oneOf/anyOf branches (same pointer or deeper)
        best = best_match([error]) or error
        path = (*prefix, *(remap(tuple(best.absolute_path)) if remap else best.absolute_path))
        pointer = json_pointer(path)
        out.append(((len(path), pointer), SchemaViolation(pointer, best.message)))
    return out


def schema_report(document: Mapping[str, Any], schema_id: str = ACHIEVEMENT_CREDENTIAL_SCHEMA_ID) -> SchemaReport:
    """Validate ``document``; the most relevant violations first (at most 20), deduplicated by
    pointer. Raises :class:`SchemaNotBundledError` when the schema is not bundled."""
    validator = _validator(schema_id)
    candidate = dict(document)
    accommodations: list[str] = []
    if isinstance(candidate.get("proof"), Mapping):
        candidate["proof"] = [candidate["proof"]]
    extra_entries: list[tuple[int, Any]] = []
    remap = None
    status = candidate.get("credentialStatus")
    if isinstance(status, list) and status:
        candidate["credentialStatus"] = status[0]
        extra_entries = list(enumerate(status))[1:]

        def remap(path: tuple[Any, ...]) -> tuple[Any, ...]:
            if path[:1] == ("credentialStatus",):
                return ("credentialStatus", 0, *path[1:])
            return path

        accommodations.append(
            f"credentialStatus has {len(status)} entries (VC 2.0 allows several, the OB 3.0 schema one):"
            " each was validated against the schema's CredentialStatus definition"
        )
    found = _violations(validator.iter_errors(candidate), remap=remap)
    if extra_entries:
        entry_validator = _validator(schema_id, "CredentialStatus")
        for index, entry in extra_entries:
            found.extend(_violations(entry_validator.iter_errors(entry), prefix=("credentialStatus", index)))
    found.sort(key=lambda item: item[0])
    violations: list[SchemaViolation] = []
    seen: set[str] = set()
    for _, violation in found:
        if violation.pointer in seen:
            continue
        seen.add(violation.pointer)
        violations.append(violation)
        if len(violations) == MAX_VIOLATIONS:
            break
    return SchemaReport(violations, accommodations)


def schema_errors(document: Mapping[str, Any], schema_id: str = ACHIEVEMENT_CREDENTIAL_SCHEMA_ID) -> list[str]:
    """Messages of the schema violations, ``"<JSON pointer>: <message>"`` (empty list = valid).

    Raises :class:`SchemaNotBundledError` when the schema is not bundled.
    """
    return [str(v) for v in schema_report(document, schema_id).violations]
