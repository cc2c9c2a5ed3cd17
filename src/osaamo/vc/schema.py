"""JSON Schema validation of Open Badges 3.0 credentials (JSON Schema draft 2019-09).

Schemas live in ``schemas/`` (see ``schemas/SOURCES.md``), loaded into a
:class:`referencing.Registry` so ``$ref`` never leaves the package. The official OB 3.0 schema
wants ``proof`` to be an array; VC 2.0 writes one proof as an object, so a copy with the proof
wrapped in a list is validated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

__all__ = ["ACHIEVEMENT_CREDENTIAL_SCHEMA_ID", "SchemaNotBundledError", "schema_errors"]

ACHIEVEMENT_CREDENTIAL_SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


class SchemaNotBundledError(LookupError):
    pass


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


@lru_cache(maxsize=8)
def _validator(schema_id: str) -> Draft201909Validator:
    registry, by_id = _registry()
    schema = by_id.get(schema_id)
    if schema is None:
        raise SchemaNotBundledError(schema_id)
    return Draft201909Validator(schema, registry=registry)


def schema_errors(document: Mapping[str, Any], schema_id: str = ACHIEVEMENT_CREDENTIAL_SCHEMA_ID) -> list[str]:
    """Messages of every schema violation (empty list = valid). Raises SchemaNotBundledError."""
    validator = _validator(schema_id)
    candidate = dict(document)
    if isinstance(candidate.get("proof"), Mapping):
        candidate["proof"] = [candidate["proof"]]
    errors = []
    for error in validator.iter_errors(candidate):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        errors.append(f"{where}: {error.message}")
    return sorted(errors)[:20]
