"""Assessment scenarios: a published Helsinki micro-credential (graded 0–5) with an offering, learners
enrolled on it, a teacher, and helpers for CSV files, signed-in clients and API tokens."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client

from osaamo.accounts.services import api_token_create
from osaamo.enrolment.services import enrolment_enrol
from tests.factories import make_published, make_user

_learners = itertools.count(1)
PASSWORD = "correct horse battery staple"
HEADER = ("email", "grade", "assessed_on")


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _known_base_url(settings: Any) -> None:
    settings.BASE_URL = "https://osaamo.example.fi"


@pytest.fixture
def version(helsinki: Any, helsinki_admin: Any) -> Any:
    return make_published(helsinki, helsinki_admin, code="HY-ASSESS-1")


@pytest.fixture
def offering(version: Any) -> Any:
    return version.offerings.get()


@pytest.fixture
def pass_fail_offering(helsinki: Any, helsinki_admin: Any) -> Any:
    return make_published(helsinki, helsinki_admin, code="HY-ASSESS-PF", grading_scale="pass_fail").offerings.get()


@pytest.fixture
def helsinki_teacher(helsinki: Any) -> Any:
    return make_user("tuomas.teacher@helsinki.example", "Tuomas Teacher", helsinki, "teacher")


@pytest.fixture
def aalto_registrar(aalto: Any) -> Any:
    return make_user("aki.registrar@aalto.example", "Aki Registrar", aalto, "registrar")


def make_learner(name: str | None = None, language: str = "en") -> Any:
    n = next(_learners)
    user = make_user(f"student{n}@example.com", name or f"Student {n}")
    if language != "en":
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def enrol(offering: Any, learner: Any | None = None) -> Any:
    return enrolment_enrol(offering=offering, learner=learner or make_learner(), prerequisites_confirmed=True)


@pytest.fixture
def enrolled(offering: Any) -> list[Any]:
    """Three learners enrolled on the offering."""
    return [enrol(offering, make_learner(name)) for name in ("Anna Aalto", "Bertil Berg", "Cecilia Candé")]


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, *, delimiter: str = ",",
              encoding: str = "utf-8", bom: bool = False) -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(str(value) for value in row) for row in rows)]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def token_for(user: Any, organisation: Any) -> str:
    _token, raw = api_token_create(user=user, organisation=organisation, name="SIS")
    return raw


class Api:
    """JSON requests to /api/v1 with a token (and an Idempotency-Key when given)."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.token = token

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {self.token}"})

    def post(self, path: str, body: Any, key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(f"/api/v1{path}", json.dumps(body), content_type="application/json",
                                headers=headers)


# --- reference data after a transactional test ---------------------------------------------------------
# A test with `transaction=True` (the kill-and-resume test) ends with a flush of every table, which also
# removes the reference data the framework's data migration loaded (ISCED-F fields, ESCO skills) that later
# tests build designs from. After each such test here, load it again with the framework's own loaders.

_BLOCKER = pytest.StashKey[Any]()


@pytest.fixture(scope="session", autouse=True)
def _keep_db_blocker(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    request.config.stash[_BLOCKER] = django_db_blocker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    yield  # the test's fixtures are finalised here: a transactional database has just been flushed
    marker = item.get_closest_marker("django_db")
    blocker = item.config.stash.get(_BLOCKER, None)
    if nextitem is None or blocker is None or not (marker and marker.kwargs.get("transaction")):
        return
    from osaamo.framework.isced import isced_entries
    from osaamo.framework.models import EscoSkill, IscedField
    from osaamo.framework.reference import load_esco_rows, load_isced, packaged_esco_rows

    with blocker.unblock():
        if IscedField.objects.count() < len(isced_entries()):
            load_isced(IscedField)
        if not EscoSkill.objects.exists():
            load_esco_rows(EscoSkill, packaged_esco_rows(), batch_size=2000)
