"""Shared test setup: scenario organisations and people, and the rule that CI skips nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.factories import (
    design_data,
    make_employer,
    make_operator,
    make_provider,
    make_published,
    make_user,
)

IN_CI = os.environ.get("CI") == "true"
_BLOCKER_KEY = pytest.StashKey[Any]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    """In CI nothing may be skipped: a skip is reported as a failure with its reason."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may be skipped: {report.longrepr}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
        if "postgres_only" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)  # deselected, not skipped, by -m "not postgres"


# --- reference data after a flush -------------------------------------------------------------
# A transactional test (live_server, transaction=True) ends with a flush of every table, which also
# deletes what the data migrations loaded (ISCED-F fields, ESCO skills). After each such test the
# hook loads it again with the framework's own loaders (the calls of migration
# framework/0003_reference_data), so whatever runs next still finds it.

def ensure_reference_data() -> bool:
    """Load ISCED-F and ESCO again if a flush removed them; True when something was loaded."""
    from osaamo.framework.isced import isced_entries
    from osaamo.framework.models import EscoSkill, IscedField
    from osaamo.framework.reference import load_esco_rows, load_isced, packaged_esco_rows

    loaded = False
    if IscedField.objects.count() < len(isced_entries()):
        load_isced(IscedField)
        loaded = True
    if not EscoSkill.objects.exists():
        load_esco_rows(EscoSkill, packaged_esco_rows(), batch_size=2000)
        loaded = True
    return loaded


def _uses_transactional_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    return bool({"live_server", "transactional_db", "django_db_reset_sequences"} & names) or bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )


@pytest.fixture(scope="session", autouse=True)
def _keep_db_blocker(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    request.config.stash[_BLOCKER_KEY] = django_db_blocker


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield  # the test's fixtures are finalised here: a transactional database has just been flushed
    blocker = item.config.stash.get(_BLOCKER_KEY, None)
    if nextitem is None or blocker is None or not _uses_transactional_database(item):
        return  # at the very end the test database is being destroyed anyway
    with blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _reference_data_before(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """A browser test starts with the reference data, whatever ran before it."""
    if "live_server" in request.fixturenames:
        with django_db_blocker.unblock():
            ensure_reference_data()


@pytest.fixture(autouse=True)
def _english_by_default(settings: Any) -> None:
    """Tests speak English unless they switch; production default stays Finnish."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    """Tests create many accounts; the production hasher is slow on purpose and would dominate their time.
    (tests/accounts checks the production hasher itself.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks under real concurrency)")


# --- scenario: two universities, an employer, the operator, and their people ----------------------

@pytest.fixture
def helsinki(db: Any) -> Any:
    return make_provider("helsinki", "Helsingin yliopisto", "Helsingfors universitet", "University of Helsinki")


@pytest.fixture
def aalto(db: Any) -> Any:
    return make_provider("aalto", "Aalto-yliopisto", "Aalto-universitetet", "Aalto University")


@pytest.fixture
def employer(db: Any) -> Any:
    return make_employer("konepaja", "Konepaja Oy")


@pytest.fixture
def operator_org(db: Any) -> Any:
    return make_operator()


@pytest.fixture
def helsinki_admin(helsinki: Any) -> Any:
    return make_user("hanna.admin@helsinki.example", "Hanna Admin", helsinki, "provider_admin")


@pytest.fixture
def helsinki_designer(helsinki: Any) -> Any:
    return make_user("dani.designer@helsinki.example", "Dani Designer", helsinki, "designer")


@pytest.fixture
def helsinki_registrar(helsinki: Any) -> Any:
    return make_user("reija.registrar@helsinki.example", "Reija Registrar", helsinki, "registrar")


@pytest.fixture
def aalto_admin(aalto: Any) -> Any:
    return make_user("aino.admin@aalto.example", "Aino Admin", aalto, "provider_admin")


@pytest.fixture
def aalto_designer(aalto: Any) -> Any:
    return make_user("antti.designer@aalto.example", "Antti Designer", aalto, "designer")


@pytest.fixture
def learner(db: Any) -> Any:
    return make_user("liisa.learner@example.com", "Liisa Learner")


@pytest.fixture
def valid_design() -> dict[str, Any]:
    return design_data()


@pytest.fixture
def published(helsinki: Any, helsinki_admin: Any) -> Any:
    """A published Helsinki micro-credential with one upcoming offering."""
    return make_published(helsinki, helsinki_admin, code="HY-TEST-1")


@pytest.fixture
def employer_admin(employer: Any) -> Any:
    return make_user("eeva.admin@konepaja.example", "Eeva Employer", employer, "employer_admin")


@pytest.fixture
def other_employer(db: Any) -> Any:
    return make_employer("sahatehdas", "Sahatehdas Oy")


@pytest.fixture
def other_employer_admin(other_employer: Any) -> Any:
    return make_user("olli.admin@sahatehdas.example", "Olli Other", other_employer, "employer_admin")


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """`with committed(): service(...)` runs what the service left for after the commit (its mail), as a
    real commit would; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
