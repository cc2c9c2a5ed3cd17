"""Every operation is documented, and the OpenAPI document changes only on purpose.

The committed snapshot `tests/api/openapi.snapshot.json` is the API's contract. When you change the
API on purpose, regenerate it and commit it with the change:

    OSAAMO_UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/api/test_openapi.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver

from osaamo.api.api import api

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")
UPDATE = os.environ.get("OSAAMO_UPDATE_OPENAPI_SNAPSHOT") == "1"
# Addresses under /api/ that are not operations: the document itself, its viewer, and the two
# catch-alls that answer 404 in the error shape.
INFRASTRUCTURE = {"openapi-json", "openapi-view", "api-root", "unknown-address"}
ERROR_SCHEMA = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/")


def registered_operations() -> list[tuple[str, str, Any]]:
    """(OpenAPI path, method, operation) for every operation registered on the NinjaAPI's routers."""
    found = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                full = "/api/" + "/".join(part.strip("/") for part in (bound.prefix, path) if part.strip("/"))
                for method in operation.methods:
                    found.append((full, method.lower(), operation))
    return found


def test_the_api_has_operations() -> None:
    assert len(registered_operations()) >= 20


@pytest.mark.parametrize(("path", "method", "operation"), registered_operations(),
                         ids=[f"{m.upper()} {p}" for p, m, _ in registered_operations()])
def test_every_registered_operation_is_documented(document: dict[str, Any], path: str, method: str,
                                                  operation: Any) -> None:
    assert operation.include_in_schema, "an operation hidden from the documentation"
    documented = document["paths"].get(path, {}).get(method)
    assert documented is not None, f"{method.upper()} {path} is not in the OpenAPI document"
    assert documented.get("summary", "").strip(), "no summary"
    assert len(documented.get("description", "").strip()) > 30, "no description"
    assert documented.get("tags"), "no tags"
    assert documented["operationId"] == operation.view_func.__name__

    responses = {int(status): response for status, response in documented["responses"].items()}
    successes = [status for status in responses if status < 400]
    assert len(successes) == 1, "one success response"
    errors = {status for status in responses if status >= 400}
    for status in errors:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": ERROR_SCHEMA}, f"{status} is not documented as the error shape"

    parameters = documented.get("parameters", [])
    expected = set()
    if documented.get("security"):
        expected.add(401)
    if any(p["in"] == "path" for p in parameters):
        expected |= {404, 422}
    if parameters or "requestBody" in documented:
        expected.add(422)
    if "requestBody" in documented:
        expected.add(400)  # a body that is not JSON
    assert expected <= errors, f"undocumented error responses: {sorted(expected - errors)}"
    assert errors, "no error response documented"


def test_writing_operations_document_tenancy_and_roles(document: dict[str, Any]) -> None:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if path.startswith("/api/v1/manage/"):
                assert operation.get("security") == [{"ApiTokenAuth": []}], path
                assert {"401", "403"} <= set(map(str, operation["responses"])), (method, path)
            elif not path.startswith("/api/v1/token"):
                assert "security" not in operation, f"the public {path} asks for a token"


def _openapi_path(route: str) -> str:
    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_address_under_api_is_a_documented_operation(document: dict[str, Any]) -> None:
    prefix, resolver = get_resolver().namespace_dict["api"]
    assert prefix == "api/"
    by_name = {operation["operationId"]: (path, method) for path, methods in document["paths"].items()
               for method, operation in methods.items()}
    seen = set()
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern), pattern
        if pattern.name in INFRASTRUCTURE:
            continue
        assert pattern.name in by_name, f"the address {pattern.pattern} ({pattern.name}) is not documented"
        assert by_name[pattern.name][0] == _openapi_path(str(pattern.pattern))
        seen.add(pattern.name)
    assert seen == set(by_name), f"documented but not served: {set(by_name) - seen}"
    assert resolver.url_patterns[-1].name == "unknown-address", "the catch-all must come last"


def test_the_document_and_its_viewer_are_served(db: Any) -> None:
    client = Client()
    served = client.get("/api/openapi.json")
    assert served.status_code == 200 and served.json()["info"]["title"] == "Osaamo API"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.content
    # The platform works offline: the viewer is served from our static files, never from a CDN.
    assert b"cdn." not in docs.content and b"/static/ninja/" in docs.content


def test_the_error_shape_is_documented(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    assert set(components["ErrorOut"]["properties"]) == {"error"}
    assert set(components["ErrorBody"]["properties"]) == {"code", "message", "details"}
    assert "FindingOut" in components


def test_the_openapi_document_matches_the_committed_snapshot(db: Any) -> None:
    served = Client().get("/api/openapi.json").json()
    rendered = json.dumps(served, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE:
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot: run OSAAMO_UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/api/test_openapi.py"
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert served == committed, (
        "The OpenAPI document changed. If that is intended, regenerate the snapshot and commit it:\n"
        "    OSAAMO_UPDATE_OPENAPI_SNAPSHOT=1 .venv/bin/pytest tests/api/test_openapi.py"
    )
