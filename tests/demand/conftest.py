"""Demand scenarios: employers and their people, published micro-credentials with chosen skills,
outcomes and offerings (through the real services), and needs built through the demand services."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from osaamo.catalog.services import offering_create
from osaamo.demand.services import need_create
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR, make_published, make_user, offering_data

SKILL_PROJECT_MANAGEMENT = "http://data.europa.eu/esco/skill/7111b95d-0ce3-441a-9d92-4c75d05c4388"
SKILL_LEAN = "http://data.europa.eu/esco/skill/82fea746-853f-4f1b-8ab7-55de8619cccd"
SKILL_SECURITY_STRATEGY = "http://data.europa.eu/esco/skill/11eebd42-44ab-401d-8a2c-bdb9fc9beb50"
UUSIMAA, PIRKANMAA, NORTH_OSTROBOTHNIA = "01", "06", "17"

_codes = itertools.count(1)
_people = itertools.count(1)


def outcome(en: str, *skills: str, fi: str = "", sv: str = "") -> dict[str, Any]:
    text = {"en": en}
    if fi:
        text["fi"] = fi
    if sv:
        text["sv"] = sv
    return {"text": text, "skills": list(skills)}


def make_micro_credential(provider: Any, by: Any, *, title: str, outcomes: list[dict[str, Any]],
                          offerings: list[dict[str, Any]] | None = None, **changes: Any) -> Any:
    """A published micro-credential with these outcomes and offerings (default: none)."""
    version = make_published(provider, by, code=f"DEM-{next(_codes)}", offering=False,
                             title={"fi": title, "sv": title, "en": title}, learning_outcomes=outcomes, **changes)
    for data in offerings or []:
        offering_create(version=version, by=by, data=offering_data(**data))
    return version


def days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def make_need(organisation: Any, by: Any, **data: Any) -> Any:
    values: dict[str, Any] = {
        "title": "Data protection for our customer service", "description": "", "language": "en",
        "skills": [SKILL_DATA_PROTECTION], "region": UUSIMAA, "people": 5, "needed_by": days(120),
        "budget_per_person": None, "show_name": False,
    }
    values.update(data)
    return need_create(organisation=organisation, by=by, data=values)


def make_person(organisation: Any = None, role: str | None = None, language: str = "en") -> Any:
    n = next(_people)
    user = make_user(f"person{n}@example.com", f"Person {n}", organisation, role)
    if language != "en":
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


@pytest.fixture
def employer_member(employer: Any) -> Any:
    return make_user("mikko.member@konepaja.example", "Mikko Member", employer, "employer_member")




__all__ = ["SKILL_DATA_PROTECTION", "SKILL_GDPR"]


# --- tentative offerings -------------------------------------------------------------------------------

DECISION_IN_DAYS = 10


def make_tentative(version: Any, by: Any, **changes: Any) -> Any:
    """A tentative offering of `version`: minimum 3 of 10 seats, decided in ten days, priced (290 € / 450 €)."""
    data = {"seats": 10, "min_participants": 3, "decision_date": days(DECISION_IN_DAYS),
            "price_individual": Decimal("290.00"), "price_organisation": Decimal("450.00")}
    data.update(changes)
    return offering_create(version=version, by=by, data=offering_data(**data))


@pytest.fixture
def pooled_version(helsinki: Any, helsinki_admin: Any) -> Any:
    """A published micro-credential with no prerequisites and no offering yet."""
    return make_published(helsinki, helsinki_admin, code="HY-POOL-1", offering=False, prerequisites={})


@pytest.fixture
def tentative(pooled_version: Any, helsinki_admin: Any) -> Any:
    return make_tentative(pooled_version, helsinki_admin)


def decision_day() -> Any:
    """A moment on the decision date (noon, Finnish time)."""
    from datetime import datetime, time

    day = timezone.localdate() + timedelta(days=DECISION_IN_DAYS)
    return timezone.make_aware(datetime.combine(day, time(12, 0)))
