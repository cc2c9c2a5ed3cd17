"""The human-readable certificate (PDF, WeasyPrint): every EU Annex I element in the chosen language,
from the issued snapshot, with a QR code to the public verification page."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation

from osaamo.credentials import building, identity
from osaamo.credentials.models import IssuedCredential
from osaamo.framework.vocabularies import Cycle, GradingScale
from osaamo.translation import translated


def verification_url(credential: IssuedCredential, language: str) -> str:
    with translation.override(language):
        return identity.base_url() + reverse("credentials:verify_code", kwargs={"code": credential.public_code})


def _date(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(building.HELSINKI)
    return formats.date_format(moment.date(), "DATE_FORMAT")


def certificate_context(credential: IssuedCredential, language: str) -> dict[str, Any]:
    """What the certificate says, in `language`, from the snapshot only."""
    values = credential.values
    achievement = values["achievement"]

    def t(value: Any) -> str:
        return translated(value, language)

    with translation.override(language):
        ects = achievement.get("ects")
        cycle = achievement.get("cycle")
        scale = achievement.get("grading_scale")
        grade = building.grade_label(values, language)
        return {
            "language": language,
            "title": t(achievement["title"]),
            "description": t(achievement.get("description")),
            "learner_name": values["learner"].get("name") or credential.recipient_email,
            "learner_did": values["learner"].get("did", ""),
            "issuer": t(values["issuer"]["name"]),
            "issuer_country": t(values["issuer"].get("country_name")) or values["issuer"].get("country"),
            "co_providers": [f"{t(o['name'])} ({t(o.get('country_name')) or o['country']})"
                             for o in values.get("co_providers", [])],
            "awarded": _date(values["awarded_at"]),
            "issued": _date(values["issued_at"]),
            "outcomes": [t(o["text"]) for o in achievement["outcomes"]],
            "ects": building._number(Decimal(ects)) if ects is not None else None,
            "hours": achievement.get("hours"),
            "eqf_level": achievement.get("eqf_level"),
            "cycle": t(achievement.get("cycle_label")) if cycle and cycle != Cycle.NONE else "",
            "field": t((achievement.get("isced") or {}).get("label")),
            "assessment": t(achievement.get("assessment_type_label")),
            "assessment_description": t(achievement.get("assessment_description")),
            "participation": t(achievement.get("participation_form_label")),
            "quality_assurance": t(achievement.get("quality_assurance_label")),
            "quality_assurance_description": t(achievement.get("quality_assurance_description")),
            "identity_verification": t(values.get("identity_verification_label")),
            "prerequisites": t(achievement.get("prerequisites")),
            "stackability": t(achievement.get("stackability_label")),
            "stackability_description": t(achievement.get("stackability_description")),
            "further_information": t(achievement.get("further_information")),
            "grade": grade,
            "pass_fail": scale == GradingScale.PASS_FAIL,
            "code": achievement.get("code"),
            "credential_id": building.document_id(values, language),
            "issuer_did": values["issuer"]["did"],
            "state": credential.state,
        }


def certificate_pdf(credential: IssuedCredential, language: str) -> bytes:
    from weasyprint import HTML  # loading WeasyPrint and its fonts takes a moment: only when a PDF is made

    url = verification_url(credential, language)
    context = certificate_context(credential, language)
    context["verification_url"] = url
    context["qr"] = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    with translation.override(language):
        html = render_to_string("credentials/certificate_pdf.html", context)
    pdf: bytes = HTML(string=html, base_url=identity.base_url()).write_pdf(pdf_tags=True)
    return pdf


def certificate_filename(credential: IssuedCredential, language: str) -> str:
    code = (credential.values.get("achievement", {}).get("code") or "certificate").replace("/", "-")
    return f"certificate-{code}-{language}.pdf"
