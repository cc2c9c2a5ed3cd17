"""API test helpers: a JSON client that can carry a token, and tokens for the scenario people."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from osaamo.accounts.services import api_token_create
from osaamo.api.schemas import ErrorOut
from osaamo.framework.models import EscoSkill, IscedField
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR


@pytest.fixture(autouse=True)
def reference_data(request: Any) -> None:
    """The ISCED-F fields and ESCO skills the test designs use (the framework's data migration ships
    them all; this only makes sure they are there)."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        return
    request.getfixturevalue("db")
    fields = [("04", "broad", None, "Business, administration and law"), ("042", "narrow", "04", "Law"),
              ("0421", "detailed", "042", "Law"), ("06", "broad", None, "Information and Communication "
              "Technologies (ICTs)"), ("061", "narrow", "06", "Information and Communication Technologies"),
              ("0613", "detailed", "061", "Software and applications development and analysis")]
    for code, level, parent, label in fields:
        IscedField.objects.get_or_create(code=code, defaults={
            "level": level, "parent_id": parent, "label": {"en": label}})
    EscoSkill.objects.get_or_create(uri=SKILL_DATA_PROTECTION, defaults={
        "preferred_label": {"en": "data protection"}})
    EscoSkill.objects.get_or_create(uri=SKILL_GDPR, defaults={
        "preferred_label": {"en": "General Data Protection Regulation"}})


class ApiClient:
    """Django's test client speaking JSON to /api/v1, optionally with `Authorization: Bearer …`."""

    def __init__(self, token: str | None = None, language: str | None = None) -> None:
        self.client = Client()
        self.token = token
        self.language = language

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        result: dict[str, str] = {}
        if self.token:
            result["Authorization"] = f"Bearer {self.token}"
        if self.language:
            result["Accept-Language"] = self.language
        result.update(headers or {})
        return result

    @staticmethod
    def _url(path: str) -> str:
        return path if path.startswith("/api/") else f"/api/v1{path}"

    def get(self, path: str, params: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(self._url(path), params or {}, headers=self._headers(headers))

    def send(self, method: str, path: str, body: Any = None, *, raw: str | bytes | None = None,
             headers: dict[str, str] | None = None) -> Any:
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.client.generic(method, self._url(path), data, content_type="application/json",
                                   headers=self._headers(headers))

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PATCH", path, body, **kwargs)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an error in the API's one shape, with `status` (and `code`)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    ErrorOut.model_validate(body)  # the documented shape, nothing more
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def make_token(user: Any, organisation: Any) -> str:
    _token, raw = api_token_create(user=user, organisation=organisation, name="test")
    return raw


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()


@pytest.fixture
def helsinki_admin_api(helsinki: Any, helsinki_admin: Any) -> ApiClient:
    return ApiClient(make_token(helsinki_admin, helsinki))


@pytest.fixture
def helsinki_designer_api(helsinki: Any, helsinki_designer: Any) -> ApiClient:
    return ApiClient(make_token(helsinki_designer, helsinki))


@pytest.fixture
def helsinki_registrar_api(helsinki: Any, helsinki_registrar: Any) -> ApiClient:
    return ApiClient(make_token(helsinki_registrar, helsinki))


@pytest.fixture
def aalto_admin_api(aalto: Any, aalto_admin: Any) -> ApiClient:
    return ApiClient(make_token(aalto_admin, aalto))


@pytest.fixture
def aalto_designer_api(aalto: Any, aalto_designer: Any) -> ApiClient:
    return ApiClient(make_token(aalto_designer, aalto))
