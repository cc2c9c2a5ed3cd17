"""Enrolment scenarios: a published Helsinki micro-credential with offerings built for each case,
learners, and employer administrators of two companies."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from osaamo.catalog.services import offering_create
from tests.factories import make_employer, make_published, make_user, offering_data

_learners = itertools.count(1)


def make_offering(version: Any, by: Any, **changes: Any) -> Any:
    """An offering of `version` through the catalog's service (window open now unless changed)."""
    return offering_create(version=version, by=by, data=offering_data(**changes))


def make_learner(name: str = "", language: str = "en") -> Any:
    n = next(_learners)
    user = make_user(f"learner{n}@example.com", name or f"Learner {n}")
    if language != "en":
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def closed_window(**changes: Any) -> dict[str, Any]:
    now = timezone.now()
    return {"enrolment_opens": (now - timedelta(days=10)).isoformat(),
            "enrolment_closes": (now - timedelta(days=1)).isoformat(), **changes}


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    """Many people sign up in these tests; a slow hasher (as production needs) would dominate their time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def version(helsinki: Any, helsinki_admin: Any) -> Any:
    """A published micro-credential that states prerequisites, with no offering yet."""
    return make_published(helsinki, helsinki_admin, code="HY-ENROL-1", offering=False)


@pytest.fixture
def version_without_prerequisites(helsinki: Any, helsinki_admin: Any) -> Any:
    return make_published(helsinki, helsinki_admin, code="HY-ENROL-2", offering=False, prerequisites={})


@pytest.fixture
def free_offering(version: Any, helsinki_admin: Any) -> Any:
    return make_offering(version, helsinki_admin, seats=3, min_participants=2, price_individual=Decimal("0"))


@pytest.fixture
def paid_offering(version: Any, helsinki_admin: Any) -> Any:
    return make_offering(version, helsinki_admin, seats=3, min_participants=2, price_individual=Decimal("290.00"),
                         price_organisation=Decimal("450.00"))


@pytest.fixture
def employer_admin(employer: Any) -> Any:
    return make_user("eeva.admin@konepaja.example", "Eeva Employer", employer, "employer_admin")


@pytest.fixture
def other_employer(db: Any) -> Any:
    return make_employer("sahatehdas", "Sahatehdas Oy")


@pytest.fixture
def other_employer_admin(other_employer: Any) -> Any:
    return make_user("olli.admin@sahatehdas.example", "Olli Other", other_employer, "employer_admin")


ORGANISATION_BILLING = {
    "name": "Konepaja Oy", "business_id": "0112038-9", "street_address": "Tehtaankatu 1",
    "postal_code": "00140", "city": "Helsinki", "country": "FI", "your_reference": "PO-4711",
    "email": "laskut@konepaja.example",
}
PERSON_BILLING = {
    "name": "Liisa Learner", "street_address": "Kotikatu 2 A 3", "postal_code": "00100", "city": "Helsinki",
    "country": "FI", "email": "liisa.learner@example.com",
}


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """`with committed(): service(...)` runs what the service left for after the commit (its mail), as a
    real commit would; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- reference data after a transactional test ---------------------------------------------------------
# A test with `transaction=True` ends with a flush of every table, which also removes the reference data
# the framework's data migration loaded (ISCED-F fields, ESCO skills) that later tests build designs from.
# After each such test here, load it again with the framework's own loaders (as tests/e2e does).

_BLOCKER = pytest.StashKey[Any]()


@pytest.fixture(scope="session", autouse=True)
def _keep_db_blocker(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    request.config.stash[_BLOCKER] = django_db_blocker


def _reload_reference_data() -> None:
    from osaamo.framework.isced import isced_entries
    from osaamo.framework.models import EscoSkill, IscedField
    from osaamo.framework.reference import load_esco_rows, load_isced, packaged_esco_rows

    if IscedField.objects.count() < len(isced_entries()):
        load_isced(IscedField)
    if not EscoSkill.objects.exists():
        load_esco_rows(EscoSkill, packaged_esco_rows(), batch_size=2000)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    yield  # the test's fixtures are finalised here: a transactional database has just been flushed
    marker = item.get_closest_marker("django_db")
    blocker = item.config.stash.get(_BLOCKER, None)
    if nextitem is None or blocker is None or not (marker and marker.kwargs.get("transaction")):
        return
    with blocker.unblock():
        _reload_reference_data()
