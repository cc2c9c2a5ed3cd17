"""Builders for test data: real services where a service exists, so tests exercise the real rules."""

from __future__ import annotations

import copy
import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from osaamo.accounts.models import Organisation, OrganisationKind, User
from osaamo.accounts.services import membership_grant, organisation_create, user_create

_counter = itertools.count(1)

# Real ESCO v1.2 skills shipped with the framework data.
SKILL_DATA_PROTECTION = "http://data.europa.eu/esco/skill/a4346013-a967-4a58-a533-6b32ad1364c5"  # data protection
SKILL_GDPR = "http://data.europa.eu/esco/skill/d3e9b00a-0891-4fa8-836d-8240ec3d2758"  # GDPR

VALID_DESIGN: dict[str, Any] = {
    "title": {
        "fi": "Tietosuoja käytännön työssä",
        "sv": "Dataskydd i praktiskt arbete",
        "en": "Data protection in practice",
    },
    "description": {
        "fi": "Opit soveltamaan tietosuoja-asetusta organisaatiosi arjessa.",
        "sv": "Du lär dig tillämpa dataskyddsförordningen i organisationens vardag.",
        "en": "You learn to apply the GDPR in the everyday work of your organisation.",
    },
    "target_group": {"fi": "Asiantuntijat", "sv": "Experter", "en": "Professionals"},
    "prerequisites": {"fi": "Ei edellytyksiä.", "sv": "Inga förkunskaper.", "en": "None."},
    "learning_outcomes": [
        {"text": {"fi": "analysoida henkilötietojen käsittelyn riskejä",
                  "sv": "analysera risker i behandlingen av personuppgifter",
                  "en": "analyse the risks of processing personal data"}, "skills": [SKILL_DATA_PROTECTION]},
        {"text": {"fi": "laatia tietosuojaseloste",
                  "sv": "utarbeta en dataskyddsbeskrivning",
                  "en": "draft a privacy notice"}, "skills": [SKILL_GDPR]},
    ],
    "ects": "5",
    "hours": 135,
    "eqf_level": 6,
    "qf_ehea_cycle": "first",
    "isced_f": "0421",
    "languages": ["fi", "en"],
    "assessment_type": "project_work",
    "assessment_description": {
        "fi": "Harjoitustyö arvioidaan asteikolla 0–5.",
        "sv": "Projektarbetet bedöms på skalan 0–5.",
        "en": "The project work is assessed on a scale of 0–5.",
    },
    "participation_form": "online",
    "quality_assurance": "internal_qa_audited",
    "quality_assurance_description": {
        "fi": "Yliopiston laatujärjestelmä, jonka Karvi on auditoinut.",
        "sv": "Universitetets kvalitetssystem, auditerat av NCU.",
        "en": "The university's quality system, audited by FINEEC.",
    },
    "identity_verification": "supervised_online_id",
    "stackability": "standalone",
    "stackability_description": {},
    "grading_scale": "0-5",
}


def design_data(**changes: Any) -> dict[str, Any]:
    """A design that passes every framework rule, with `changes` applied."""
    data = copy.deepcopy(VALID_DESIGN)
    data.update(changes)
    return data


def make_provider(slug: str, fi: str, sv: str, en: str) -> Organisation:
    return organisation_create(kind=OrganisationKind.PROVIDER, slug=slug, name={"fi": fi, "sv": sv, "en": en},
                               city="Helsinki")


def make_employer(slug: str, name: str) -> Organisation:
    return organisation_create(kind=OrganisationKind.EMPLOYER, slug=slug, name={"fi": name, "sv": name, "en": name})


def make_operator() -> Organisation:
    return organisation_create(kind=OrganisationKind.OPERATOR, slug="operator",
                               name={"fi": "Osaamo-palvelu", "sv": "Osaamo-tjänsten", "en": "Osaamo service"})


def make_user(email: str, name: str = "", organisation: Organisation | None = None, role: str | None = None,
              password: str = "correct horse battery staple") -> User:
    user = User.objects.filter(email=email).first() or user_create(
        email=email, password=password, full_name=name, preferred_language="en")
    if organisation is not None and role is not None:
        membership_grant(organisation=organisation, user=user, role=role)
    return user


def make_published(provider: Organisation, by: User, *, code: str | None = None, offering: bool = True,
                   **changes: Any) -> Any:
    """A published micro-credential version of `provider` (through the real services)."""
    from osaamo.catalog.services import micro_credential_create, offering_create, version_publish

    code = code or f"TEST-{next(_counter)}"
    version = micro_credential_create(provider=provider, by=by, code=code, data=design_data(**changes))
    version = version_publish(version=version, by=by)
    if offering:
        offering_create(version=version, by=by, data=offering_data())
    return version


def offering_data(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    now = timezone.now()
    data: dict[str, Any] = {
        "start_date": (today + timedelta(days=30)).isoformat(),
        "end_date": (today + timedelta(days=90)).isoformat(),
        "enrolment_opens": (now - timedelta(days=1)).isoformat(),
        "enrolment_closes": (now + timedelta(days=25)).isoformat(),
        "mode": "online",
        "place": {},
        "language": "fi",
        "seats": 30,
        "min_participants": 5,
        "price_individual": Decimal("0.00"),
        "price_organisation": Decimal("450.00"),
    }
    data.update(changes)
    return data


# Billing details as a form or the API takes them.
ORGANISATION_BILLING = {
    "name": "Konepaja Oy", "business_id": "0112038-9", "street_address": "Tehtaankatu 1",
    "postal_code": "00140", "city": "Helsinki", "country": "FI", "your_reference": "PO-4711",
    "email": "laskut@konepaja.example",
}
PERSON_BILLING = {
    "name": "Liisa Learner", "street_address": "Kotikatu 2 A 3", "postal_code": "00100", "city": "Helsinki",
    "country": "FI", "email": "liisa.learner@example.com",
}
