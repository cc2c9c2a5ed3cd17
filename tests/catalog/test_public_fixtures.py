"""A small public catalog to test against, built through the real services (no tests here).

Four published micro-credentials that differ in every filtered property, plus versions that must
never be public: a draft, one in review, a retired one, and an older version of a re-published one.

| code | owner    | co-provider | ECTS | EQF | ISCED-F | languages | upcoming offerings                          |
|------|----------|-------------|------|-----|---------|-----------|---------------------------------------------|
| A    | helsinki |             | 5    | 6   | 0421    | fi, en    | online, free, +30 d (fi)                    |
| B    | aalto    | helsinki    | 10   | 7   | 0613    | en        | on-site, 250 €, +60 d (en)                  |
| C    | helsinki |             | 2    | 5   | 0912    | sv        | online, 90 €, +10 d (sv); blended, free, +120 d (sv) |
| D    | aalto    |             | 15   | 6   | 0732    | fi        | none (one that ended, one cancelled: on-site, free) |
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from osaamo.catalog.models import MicroCredentialVersion
from osaamo.catalog.services import (
    offering_cancel,
    offering_create,
    version_edit_or_new,
    version_publish,
    version_retire,
    version_submit,
    version_update,
)
from tests.factories import make_published, offering_data


def url(name: str, language: str = "en", query: str = "", **kwargs: Any) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs or None)
    return f"{path}?{query}" if query else path


def detail_url(version: MicroCredentialVersion, language: str = "en") -> str:
    mc = version.micro_credential
    return url("catalog:detail", language, provider_slug=mc.provider.slug, slug=mc.slug)


def upcoming(days: int, length: int = 40, **changes: Any) -> dict[str, Any]:
    """An offering starting `days` from today (its enrolment is open now)."""
    today = timezone.localdate()
    now = timezone.now()
    return offering_data(
        start_date=(today + timedelta(days=days)).isoformat(),
        end_date=(today + timedelta(days=days + length)).isoformat(),
        enrolment_opens=(now - timedelta(days=1)).isoformat(),
        enrolment_closes=(now + timedelta(days=max(days - 1, 1))).isoformat(),
        **changes,
    )


def texts(en: str, fi: str, sv: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


def publish(provider: Any, by: Any, code: str, *, offerings: tuple[dict[str, Any], ...] = (),
            **changes: Any) -> MicroCredentialVersion:
    version = make_published(provider, by, code=code, offering=False, **changes)
    for data in offerings:
        offering_create(version=version, by=by, data=data)
    return version


def codes(response: Any) -> set[str]:
    """The codes of the micro-credentials on the page that was rendered."""
    return {version.micro_credential.code for version in response.context["page"].object_list}


@pytest.fixture
def catalog(helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_admin: Any) -> SimpleNamespace:
    a = publish(
        helsinki, helsinki_admin, "A",
        title=texts("Data protection in practice", "Tietosuoja käytännön työssä", "Dataskydd i praktiskt arbete"),
        description=texts("Privacy work in organisations.", "Tietosuojatyö organisaatioissa.",
                          "Dataskyddsarbete i organisationer."),
        offerings=(upcoming(30, mode="online", price_individual="0", language="fi"),),
    )
    b = publish(
        aalto, aalto_admin, "B",
        title=texts("Secure software development", "Turvallinen ohjelmistokehitys", "Säker mjukvaruutveckling"),
        description=texts("Threat modelling for developers.", "Uhkamallinnus kehittäjille.",
                          "Hotmodellering för utvecklare."),
        ects="10", hours=270, eqf_level=7, qf_ehea_cycle="second", isced_f="0613", languages=["en"],
        co_providers=["helsinki"],
        offerings=(upcoming(60, mode="onsite", price_individual="250", language="en",
                            place=texts("Otaniemi campus", "Otaniemen kampus", "Otnäs campus")),),
    )
    c = publish(
        helsinki, helsinki_admin, "C",
        title=texts("Patient safety basics", "Potilasturvallisuuden perusteet", "Grunderna i patientsäkerhet"),
        description=texts("Safe care routines.", "Turvalliset hoitokäytännöt.", "Säkra vårdrutiner."),
        ects="2", hours=54, eqf_level=5, qf_ehea_cycle="short", isced_f="0912", languages=["sv"],
        participation_form="blended",
        offerings=(
            upcoming(10, mode="online", price_individual="90", language="sv"),
            upcoming(120, mode="blended", price_individual="0", language="sv"),
        ),
    )
    d = publish(
        aalto, aalto_admin, "D",
        title=texts("Timber construction", "Puurakentaminen", "Träbyggande"),
        description=texts("Building with wood.", "Rakentaminen puusta.", "Att bygga med trä."),
        ects="15", hours=405, eqf_level=6, isced_f="0732", languages=["fi"], participation_form="onsite",
    )
    # D's only offerings are over or cancelled: it has no upcoming offering at all.
    today = timezone.localdate()
    offering_create(version=d, by=aalto_admin, data=offering_data(
        start_date=(today - timedelta(days=60)).isoformat(), end_date=(today - timedelta(days=1)).isoformat(),
        enrolment_opens=(timezone.now() - timedelta(days=90)).isoformat(),
        enrolment_closes=(timezone.now() - timedelta(days=61)).isoformat(),
        mode="onsite", price_individual="0"))
    cancelled = offering_create(version=d, by=aalto_admin, data=upcoming(20, mode="onsite", price_individual="0"))
    offering_cancel(offering=cancelled, by=aalto_admin)

    # Never public: a draft, a version in review, a retired one; each matches the word "hidden".
    hidden = texts("Hidden topic", "Piilotettu aihe", "Dolt ämne")
    from osaamo.catalog.services import micro_credential_create
    from tests.factories import design_data

    draft = micro_credential_create(provider=helsinki, by=helsinki_admin, code="DRAFT",
                                    data=design_data(title=hidden))
    in_review = micro_credential_create(provider=aalto, by=aalto_admin, code="REVIEW",
                                        data=design_data(title=hidden))
    in_review = version_submit(version=in_review, by=aalto_admin)
    retired = publish(helsinki, helsinki_admin, "RETIRED", title=hidden, offerings=(upcoming(15),))
    retired = version_retire(version=retired, by=helsinki_admin)

    # A re-published micro-credential: version 1 is retired by version 2; a draft version 3 waits.
    old = publish(helsinki, helsinki_admin, "E", title=texts("Old title hidden", "Vanha", "Gammal"),
                  ects="3", hours=81, offerings=(upcoming(40),))
    new = version_edit_or_new(micro_credential=old.micro_credential, by=helsinki_admin)
    version_update(version=new, by=helsinki_admin, data={"title": texts("Renewed course", "Uudistettu", "Förnyad")})
    new = version_publish(version=new, by=helsinki_admin)
    working = version_edit_or_new(micro_credential=old.micro_credential, by=helsinki_admin)
    version_update(version=working, by=helsinki_admin,
                   data={"title": texts("Unpublished hidden change", "Muutos", "Ändring")})
    old.refresh_from_db()
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=new, e_old=old, e_draft=working, draft=draft,
                           in_review=in_review, retired=retired)


PUBLIC_CODES = {"A", "B", "C", "D", "E"}
ZERO = Decimal("0")
