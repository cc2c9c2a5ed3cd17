"""Credentials scenarios: a published Helsinki micro-credential with an offering, learners who passed it,
and helpers to issue through the real services."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.test import Client

from osaamo.credentials import services
from osaamo.credentials.models import IssuedCredential
from osaamo.enrolment.services import enrolment_enrol, enrolment_record_result
from tests.factories import make_published, make_user

_learners = itertools.count(1)
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _known_base_url(settings: Any) -> None:
    settings.BASE_URL = "https://osaamo.example.fi"


@pytest.fixture
def version(helsinki: Any, helsinki_admin: Any) -> Any:
    return make_published(helsinki, helsinki_admin, code="HY-CRED-1")


@pytest.fixture
def offering(version: Any) -> Any:
    return version.offerings.get()


def make_learner(language: str = "en", name: str | None = None) -> Any:
    n = next(_learners)
    user = make_user(f"passed{n}@example.com", f"Passed Learner {n}" if name is None else name)
    if language != "en":
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def complete(offering: Any, learner: Any, registrar: Any, passed: bool = True) -> Any:
    enrolment = enrolment_enrol(offering=offering, learner=learner, prerequisites_confirmed=True)
    return enrolment_record_result(enrolment=enrolment, passed=passed, by=registrar)


@pytest.fixture
def completed(offering: Any, helsinki_registrar: Any) -> Any:
    """A learner (Finnish-speaking) who passed the offering."""
    return complete(offering, make_learner("fi", "Olli Oppija"), helsinki_registrar)


@pytest.fixture
def issued(completed: Any, helsinki_registrar: Any) -> IssuedCredential:
    credential, _created = services.credential_issue_for_enrolment(enrolment=completed, by=helsinki_registrar,
                                                                   grade="4")
    return credential


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def signed(credential: IssuedCredential, language: str | None = None) -> dict[str, Any]:
    return json.loads(services.credential_document(credential, language or credential.language).signed_json)
