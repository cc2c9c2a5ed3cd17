"""One error shape for everything, in the asker's language, and never a server error on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from osaamo.api.api import api
from osaamo.errors import PermissionDenied
from tests.api.conftest import ApiClient, assert_error, make_token
from tests.factories import make_published

# --- the shape, for every kind of error -----------------------------------------------------------


def test_every_kind_of_error_has_the_one_shape(helsinki_designer_api: ApiClient, anonymous: ApiClient,
                                               published: Any) -> None:
    assert_error(anonymous.get("/manage/micro-credentials"), 401, "authentication_required")
    assert_error(helsinki_designer_api.post(f"/manage/versions/{published.pk}/publish"), 403, "permission_denied")
    assert_error(anonymous.get("/micro-credentials/helsinki/nothing"), 404, "not_found")
    assert_error(anonymous.get("/no/such/thing"), 404, "not_found")
    assert_error(anonymous.get("/api/"), 404, "not_found")
    assert_error(anonymous.get("/api/v2/micro-credentials"), 404, "not_found")
    assert_error(anonymous.get("/micro-credentials/"), 404, "not_found")  # addresses have no trailing slash
    assert_error(anonymous.send("DELETE", "/micro-credentials"), 405, "method_not_allowed")
    assert_error(helsinki_designer_api.post("/manage/micro-credentials", raw="{not json"), 400, "malformed_request")
    assert_error(anonymous.get("/micro-credentials", {"eqf_level": "nine"}), 422, "invalid_input")
    assert_error(helsinki_designer_api.post(f"/manage/versions/{published.pk}/submit"), 409, "not_draft")


def test_token_requests_and_api_errors_need_no_csrf_cookie(helsinki: Any, helsinki_designer: Any) -> None:
    # A browser session's CSRF protection is for cookies; the API authenticates by a header.
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {make_token(helsinki_designer, helsinki)}"}
    created = client.post("/api/v1/manage/micro-credentials", json.dumps({"code": "X"}),
                          content_type="application/json", headers=headers)
    assert created.status_code == 201, created.content
    assert_error(client.post("/api/v1/nowhere", "{}", content_type="application/json"), 404, "not_found")
    assert_error(client.post("/api/v1/offerings", "{}", content_type="application/json"), 405)
    assert_error(client.post("/api/v1/manage/micro-credentials", "{}", content_type="application/json"), 401)


def test_method_not_allowed_says_which_methods_are(anonymous: ApiClient) -> None:
    response = anonymous.send("PUT", "/micro-credentials")
    error = assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET" and "PUT" in error["message"]


def test_input_errors_name_the_field_path(helsinki_designer_api: ApiClient) -> None:
    error = assert_error(helsinki_designer_api.post("/manage/micro-credentials", {
        "code": "X", "title": {"de": "Titel"}, "ects": "many", "eqf_level": 11, "languages": ["fi", "klingon"],
        "learning_outcomes": [{"text": {"en": "ok"}}, {"text": "not an object"}], "colour": "blue",
    }), 422, "invalid_input")
    assert set(error["details"]) == {"body.title.de", "body.ects", "body.eqf_level", "body.languages.1",
                                     "body.learning_outcomes.1.text", "body.colour"}
    assert error["details"]["body.eqf_level"] == ["Enter a value of at most 8."]
    assert error["details"]["body.colour"] == ["This field is not allowed here."]
    missing = assert_error(helsinki_designer_api.post("/manage/micro-credentials", {}), 422)
    assert missing["details"] == {"body.code": ["This field is required."]}


def test_service_input_errors_use_the_same_field_paths(helsinki_designer_api: ApiClient) -> None:
    error = assert_error(helsinki_designer_api.post("/manage/micro-credentials", {
        "code": "X", "isced_f": "1234", "learning_outcomes": [{"text": {"en": "x"}, "skills": ["http://nope"]}],
    }), 422, "invalid_input")
    assert set(error["details"]) == {"body.isced_f", "body.learning_outcomes.0"}


def test_refusals_with_findings_carry_them_in_details(helsinki_admin_api: ApiClient) -> None:
    created = helsinki_admin_api.post("/manage/micro-credentials", {"code": "EMPTY"}).json()
    error = assert_error(helsinki_admin_api.post(f"/manage/versions/{created['id']}/publish"), 409,
                         "publish_refused")
    assert error["details"] and all(f["severity"] in ("error", "warning") for f in error["details"])
    assert "title.missing" in {f["code"] for f in error["details"]}


# --- language -------------------------------------------------------------------------------------

UNAUTHENTICATED = {
    "en": "Send an API token in the header Authorization: Bearer osm_…",
    "fi": "Lähetä API-avain otsakkeessa Authorization: Bearer osm_…",
    "sv": "Skicka en API-nyckel i huvudet Authorization: Bearer osm_…",
}


@pytest.mark.parametrize(("headers", "query", "language"), [
    ({}, {}, "en"),  # the API's default is English (the pages' default is Finnish)
    ({"Accept-Language": "fi"}, {}, "fi"),
    ({"Accept-Language": "sv-FI,sv;q=0.9"}, {}, "sv"),
    ({"Accept-Language": "de-DE,de;q=0.9,fi;q=0.5"}, {}, "fi"),  # the best language we speak
    ({"Accept-Language": "de"}, {}, "en"),
    ({}, {"lang": "sv"}, "sv"),
    ({"Accept-Language": "fi"}, {"lang": "en"}, "en"),  # ?lang= wins
    ({}, {"lang": "xx"}, "en"),
])
def test_messages_speak_the_asked_language(anonymous: ApiClient, headers: dict[str, str],
                                           query: dict[str, str], language: str) -> None:
    response = anonymous.get("/manage/micro-credentials", query, headers=headers)
    assert assert_error(response, 401)["message"] == UNAUTHENTICATED[language]
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_every_kind_of_message_is_translated(helsinki_designer_api: ApiClient, anonymous: ApiClient,
                                             published: Any) -> None:
    finnish = {"Accept-Language": "fi"}
    assert assert_error(anonymous.get("/nowhere", headers=finnish), 404)["message"] == (
        "Rajapinnassa ei ole tällaista osoitetta. Toiminnot on kuvattu osoitteessa /api/docs.")
    assert assert_error(anonymous.send("DELETE", "/offerings", headers=finnish), 405)["message"] == (
        "Tämä osoite ei hyväksy menetelmää DELETE.")
    invalid = assert_error(anonymous.get("/offerings", {"page_size": "500", "lang": "sv"}), 422)
    assert invalid["message"] == "En del av uppgifterna är inte giltiga."
    assert invalid["details"] == {"query.page_size": ["Ange ett värde som är högst 100."]}
    assert assert_error(anonymous.get("/offerings/12345", {"lang": "fi"}), 404)["message"] == "Ei löytynyt."
    refused = assert_error(helsinki_designer_api.post(f"/manage/versions/{published.pk}/publish", headers=finnish),
                           403)
    with translation.override("fi"):
        assert refused["message"] == str(PermissionDenied().message) == "Sinulla ei ole oikeutta tehdä tätä."
    malformed = assert_error(helsinki_designer_api.post("/manage/micro-credentials", raw="[", headers=finnish), 400)
    assert malformed["message"] == "Pyynnön runko ei ole kelvollista JSONia."


def test_domain_error_messages_follow_the_language(helsinki_admin_api: ApiClient) -> None:
    created = helsinki_admin_api.post("/manage/micro-credentials", {"code": "EMPTY"}).json()
    by_language = {}
    for language in ("fi", "sv", "en"):
        error = assert_error(helsinki_admin_api.post(f"/manage/versions/{created['id']}/publish",
                                                     headers={"Accept-Language": language}), 409)
        with translation.override(language):
            from osaamo.catalog.services import PublishRefused
            assert error["message"] == str(PublishRefused.default_message)
        findings = {f["code"]: f for f in error["details"]}
        assert findings["title.missing"]["message"] == findings["title.missing"]["messages"][language]
        by_language[language] = findings["title.missing"]["message"]
    assert len(set(by_language.values())) == 3, by_language  # the validator's messages are translated


# --- bad input at every operation: an answer in the error shape, documented, never a 500 ---------

BAD_PATH_VALUES = ["abc", "0", "-1", "1.5", "99999999999999999999999999", "%00", "a%20b", "x" * 300, "%C3%A4"]
BAD_QUERY_VALUES = ["", "abc", "-1", "0", "1e999", "NaN", "inf", "2026-02-30", "\x00", "x" * 5000, "99999999999999999999"]
BAD_BODY_VALUES: list[Any] = [None, 0, -1, 10**30, 1e308, True, "", "x" * 30_000, "\x00", [], [None], {}, {"x": 1},
                              {"fi": 1}, {"fi": "\x00"}, [{"text": "x"}], "2026-02-30", "9999-12-31T23:59:59-12:00"]
BAD_BODIES = ["{", "[", "null", "[]", '"text"', "1", '{"a":' * 3000, "\xff\xfe", '{"code": "x", "code": 1}']


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    return [(path, method, operation) for path, methods in schema["paths"].items()
            for method, operation in methods.items()]


def _documented(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def _check(response: Any, operation: dict[str, Any], what: str) -> None:
    assert response.status_code < 500, (what, response.content[:300])
    assert response.status_code in _documented(operation), (what, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert_error(response, response.status_code)


def _fill(path: str, value: str) -> str:
    return path.replace("{id}", value).replace("{slug}", value).replace("{provider}", value)


def _body_properties(operation: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return []
    ref = content["schema"].get("$ref", "")
    component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return list(component.get("properties", {}))


@pytest.mark.parametrize(("path", "method", "operation"), operations(),
                         ids=[f"{m.upper()} {p}" for p, m, _ in operations()])
def test_bad_input_at_every_operation(path: str, method: str, operation: dict[str, Any], helsinki: Any,
                                      helsinki_admin: Any) -> None:
    version = make_published(helsinki, helsinki_admin, code="HY-BAD")
    client = ApiClient(make_token(helsinki_admin, helsinki))
    schema = api.get_openapi_schema(path_prefix="/api/")
    good_path = path.replace("{id}", str(version.pk)).replace("{provider}", "helsinki").replace("{slug}", "hy-bad")
    send = method.upper()

    for value in BAD_PATH_VALUES:
        if "{" in path:
            _check(client.send(send, _fill(path, value), {}), operation, f"path {value[:20]}")

    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        for value in BAD_QUERY_VALUES:
            response = client.get(good_path, {parameter["name"]: value}) if send == "GET" else client.send(
                send, f"{good_path}?{parameter['name']}={value[:100]}", {})
            _check(response, operation, f"query {parameter['name']}={value[:20]!r}")

    if "requestBody" in operation:
        for raw in BAD_BODIES:
            _check(client.send(send, good_path, raw=raw), operation, f"body {raw[:20]!r}")
        for name in _body_properties(operation, schema):
            for value in BAD_BODY_VALUES:
                response = client.send(send, good_path, {name: value})
                _check(response, operation, f"body {name}={json.dumps(value)[:40]}")

    anonymous = ApiClient()
    _check(anonymous.send(send, good_path, {}), operation, "without a token")
