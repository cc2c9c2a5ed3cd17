"""Enrolment scenarios: a published Helsinki micro-credential with offerings built for each case,
learners, and employer administrators of two companies."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from osaamo.catalog.services import offering_create
from tests import concurrency
from tests.concurrency import Database
from tests.factories import make_published, make_user, offering_data

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
def workers_database(transactional_db: Any, tmp_path: Path) -> Callable[[], Database]:
    """`workers_database()` once the test data is created (for SQLite, that data is what the file copy holds):
    the database as threads with connections of their own see it (tests.concurrency)."""
    return lambda: concurrency.workers_database(tmp_path)
