"""The credential's content: a snapshot of values taken at issuing, and the OB 3.0 document made from it.

`version_values()` and `credential_values()` read the catalog ONCE, at issuing, into plain JSON data
(every language, vocabulary labels included). `render_credential(values, language)` is a pure
function of that snapshot: the same snapshot gives the same unsigned document, so a language
version signed later says exactly what the first one said (style.md practice 8).

Mapping of the EU Annex I elements (standards.md §2.9), with native OB 3.0 / VC 2.0 terms only —
an undefined term would be dropped from the signed form, and a private JSON-LD context would break
every verifier that cannot load it:

| element | where |
|---|---|
| learner | `credentialSubject.id` (the learner's DID) or a salted, hashed email `identifier`; name as a plain `identifier` of type `name` |
| title | `achievement.name`, `name` |
| country of the issuer | `issuer.address.addressCountryCode` |
| awarding bodies | `issuer` (Profile), `achievement.creator`; co-providers in `achievement.otherIdentifier` and the narrative |
| date of issuing | `validFrom`, `awardedDate` |
| learning outcomes | `criteria.narrative` (Markdown list) + ESCO `alignment` |
| workload | `achievement.creditsAvailable`, `credentialSubject.creditsEarned` (ECTS: an `alignment` to the Europass ECTS concept and the narrative state the unit) |
| level | `alignment` to `http://data.europa.eu/snb/eqf/N` and to the QF-EHEA cycle |
| type of assessment | `resultDescription` (with an `alignment` to the Europass assessment-type concept) + narrative |
| form of participation | `alignment` to the Europass learning/assessment mode concept + narrative |
| quality assurance | narrative |
| grade, prerequisites, identity verification, stackability | `result` + `resultDescription`; narrative |
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from osaamo.accounts.models import Organisation
from osaamo.catalog.models import MicroCredentialVersion, Offering
from osaamo.credentials import identity
from osaamo.framework.eqf import URI_PREFIX as EQF_URI_PREFIX
from osaamo.framework.vocabularies import (
    AssessmentType,
    Cycle,
    GradingScale,
    IdentityVerification,
    ParticipationForm,
    QualityAssurance,
    Stackability,
)
from osaamo.translation import LANGUAGE_CODES, translated

SNAPSHOT_FORMAT = 1
OB_SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

# Europass controlled vocabularies (EU Vocabularies, ELM v3).
ECTS_CONCEPT = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
ASSESSMENT_SCHEME = "http://data.europa.eu/snb/assessment/"
MODE_SCHEME = "http://data.europa.eu/snb/learning-assessment/"
# Our assessment types → the Europass "assessment type" concept (None: no equivalent concept; the
# narrative and the result description still name it).
ASSESSMENT_CONCEPTS: dict[str, str | None] = {
    AssessmentType.WRITTEN_EXAM: "6e6cb2cc78",  # written examination
    AssessmentType.ORAL_EXAM: "d30284d7df",  # oral examination
    AssessmentType.ONLINE_EXAM: None,
    AssessmentType.ASSIGNMENTS: "2939dae15f",  # marked assignment
    AssessmentType.PROJECT_WORK: "795dac4096",  # project work
    AssessmentType.PORTFOLIO: "4f03b91c0e",  # portfolio
    AssessmentType.PRACTICAL_DEMONSTRATION: "6a4db9f11d",  # practical assessment
    AssessmentType.PEER_AND_SELF_ASSESSMENT: "19a2e5e671",  # peer assessment
    AssessmentType.OTHER: None,
}
# Our forms of participation → the Europass "learning and assessment mode" concept.
MODE_CONCEPTS: dict[str, str] = {
    ParticipationForm.ONLINE: "920fbb3cbe",  # online
    ParticipationForm.ONSITE: "9191af2ed9",  # presential
    ParticipationForm.BLENDED: "e92d221e4d",  # blended
    ParticipationForm.WORK_BASED: "729f3bed4b",  # work-based
}
QF_EHEA_URL = "https://www.ehea.info/page-qualification-frameworks"
HELSINKI = ZoneInfo("Europe/Helsinki")


def _labels(choices: Any, code: str) -> dict[str, str]:
    """A vocabulary code's label in each language (kept in the snapshot)."""
    return dict(_labels_of(choices, code)) if code else {}


@lru_cache(maxsize=512)  # switching languages three times per credential adds up in bulk issuing
def _labels_of(choices: Any, code: str) -> tuple[tuple[str, str], ...]:
    try:
        member = choices(code)
    except ValueError:
        return ()
    labels = []
    for language in LANGUAGE_CODES:
        with translation.override(language):
            labels.append((language, str(member.label)))
    return tuple(labels)


def _number(value: Decimal | float | int | None) -> int | float | None:
    """A JSON number that JSON-LD processors read alike: 5, not 5.0 (an integer-valued float is an
    xsd:integer in jsonld.js but an xsd:double elsewhere, which would change the signed form)."""
    if value is None:
        return None
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


@lru_cache(maxsize=4096)  # bulk issuing writes the same few moments into thousands of credentials
def timestamp(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC, whole seconds: `2025-06-13T12:00:00Z`."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def local_midnight(day: date) -> str:
    return timestamp(datetime.combine(day, time(0, 0), tzinfo=HELSINKI))


def email_identity(email: str, salt: str | None = None) -> dict[str, str]:
    """OB 3.0 IdentityObject hash: `sha256$` + hex(SHA-256(value + salt)) (OB 3.0 §B.1.x IdentityHash)."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {"hash": f"sha256${digest}", "salt": salt}


def _organisation_values(organisation: Organisation) -> dict[str, Any]:
    from osaamo.web.templatetags.osaamo import country_name

    names = {}
    for language in LANGUAGE_CODES:
        with translation.override(language):
            names[language] = country_name(organisation.country)
    return {
        "slug": organisation.slug,
        "did": identity.provider_did(organisation),
        "name": dict(organisation.name),
        "homepage": organisation.homepage,
        "country": organisation.country or "FI",
        "country_name": names,
        "city": organisation.city,
        "institution_code": organisation.institution_code,
        "business_id": organisation.business_id,
    }


def version_values(version: MicroCredentialVersion) -> dict[str, Any]:
    """Everything a credential says about the micro-credential, read from the catalog once."""
    micro_credential = version.micro_credential
    provider = micro_credential.provider
    outcomes = []
    for outcome in version.outcomes.all().prefetch_related("skills").order_by("position", "id"):
        outcomes.append({
            "text": dict(outcome.text),
            "skills": [{"uri": skill.uri, "label": dict(skill.preferred_label)}
                       for skill in sorted(outcome.skills.all(), key=lambda s: s.uri)],
        })
    isced = version.isced_field
    return {
        "id": identity.achievement_id(provider.slug, micro_credential.slug, version.number),
        "catalog_path": f"/micro-credentials/{provider.slug}/{micro_credential.slug}/",
        "code": micro_credential.code,
        "version": version.number,
        "title": dict(version.title),
        "description": dict(version.description),
        "outcomes": outcomes,
        "ects": str(version.ects) if version.ects is not None else None,
        "hours": version.hours,
        "eqf_level": version.eqf_level,
        "cycle": version.cycle,
        "cycle_label": _labels(Cycle, version.cycle),
        "isced": {"code": isced.code, "label": dict(isced.label)} if isced else None,
        "languages": list(version.languages or []),
        "assessment_type": version.assessment_type,
        "assessment_type_label": _labels(AssessmentType, version.assessment_type),
        "assessment_description": dict(version.assessment_description),
        "grading_scale": version.grading_scale,
        "participation_form": version.participation_form,
        "participation_form_label": _labels(ParticipationForm, version.participation_form),
        "quality_assurance": version.quality_assurance,
        "quality_assurance_label": _labels(QualityAssurance, version.quality_assurance),
        "quality_assurance_description": dict(version.quality_assurance_description),
        "identity_verification": version.identity_verification,
        "stackability": version.stackability,
        "stackability_label": _labels(Stackability, version.stackability),
        "stackability_description": dict(version.stackability_description),
        "prerequisites": dict(version.prerequisites),
        "further_information": dict(version.further_information),
        "issuer": _organisation_values(provider),
        "co_providers": [_organisation_values(o) for o in version.co_providers.order_by("slug")],
    }


def credential_values(
    *,
    credential_uuid: uuid.UUID,
    version_data: Mapping[str, Any],
    offering: Offering | None,
    learner_email: str,
    learner_name: str,
    learner_did: str,
    grade: str,
    awarded_on: date,
    issued_at: datetime,
    identity_verification: str,
    status: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """The whole snapshot of one credential."""
    achievement = dict(version_data)
    issuer = achievement.pop("issuer")
    co_providers = achievement.pop("co_providers")
    verification = identity_verification or achievement.get("identity_verification") or ""
    identity_hash = email_identity(learner_email)
    return {
        "format": SNAPSHOT_FORMAT,
        "uuid": str(credential_uuid),
        "issuer": issuer,
        "co_providers": co_providers,
        "achievement": achievement,
        "offering": {
            "start_date": offering.start_date.isoformat(),
            "end_date": offering.end_date.isoformat(),
            "language": offering.language,
        } if offering is not None else None,
        "learner": {
            "name": learner_name,
            "did": learner_did,
            "email_hash": identity_hash["hash"],
            "email_salt": identity_hash["salt"],
        },
        "grade": grade,
        "identity_verification": verification,
        "identity_verification_label": _labels(IdentityVerification, verification),
        "awarded_at": timestamp(datetime.combine(awarded_on, time(12, 0), tzinfo=HELSINKI)),
        "issued_at": timestamp(issued_at),
        "status": {purpose: dict(entry) for purpose, entry in status.items()},
    }


def document_id(values: Mapping[str, Any], language: str) -> str:
    """Each language version is its own document with its own id (they share the status entries)."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(values['uuid']), language)}"


def grade_label(values: Mapping[str, Any], language: str) -> str:
    grade = values.get("grade") or ""
    with translation.override(language):
        if values["achievement"].get("grading_scale") == GradingScale.PASS_FAIL:
            return _("Pass")
        return grade


def _t(value: Any, language: str) -> str:
    return translated(value, language)


def narrative(values: Mapping[str, Any], language: str) -> str:
    """`criteria.narrative`: every EU element a verifier reads, as Markdown, in `language`."""
    achievement = values["achievement"]
    lines: list[str] = []

    def section(title: str, body: list[str] | str) -> None:
        body_lines = body if isinstance(body, list) else [body]
        body_lines = [line for line in body_lines if line]
        if body_lines:
            lines.extend([f"## {title}", *body_lines, ""])

    with translation.override(language):
        section(_("Learning outcomes"), [f"- {_t(o['text'], language)}" for o in achievement["outcomes"]])
        ects = achievement.get("ects")
        if ects is not None:
            workload = _("%(ects)s ECTS credits") % {"ects": _number(Decimal(ects))}
            if achievement.get("hours"):
                workload += " " + _("(%(hours)s hours)") % {"hours": achievement["hours"]}
            section(_("Workload"), workload)
        level_parts = []
        if achievement.get("eqf_level"):
            level_parts.append(_("EQF level %(level)s") % {"level": achievement["eqf_level"]})
        if achievement.get("cycle") and achievement["cycle"] != Cycle.NONE:
            level_parts.append(_("QF-EHEA: %(cycle)s") % {"cycle": _t(achievement.get("cycle_label"), language)})
        section(_("Level"), ", ".join(level_parts))
        assessment = [_t(achievement.get("assessment_type_label"), language)]
        assessment.append(_t(achievement.get("assessment_description"), language))
        if achievement.get("grading_scale") == GradingScale.PASS_FAIL:
            assessment.append(_("Grading: pass / fail."))
        else:
            assessment.append(_("Grading: 0–5 (1 = sufficient, 5 = excellent, 0 = fail)."))
        section(_("Type of assessment"), assessment)
        section(_("Form of participation"), _t(achievement.get("participation_form_label"), language))
        section(_("Quality assurance"), [_t(achievement.get("quality_assurance_label"), language),
                                         _t(achievement.get("quality_assurance_description"), language)])
        section(_("Supervision and identity verification"), _t(values.get("identity_verification_label"), language))
        section(_("Prerequisites"), _t(achievement.get("prerequisites"), language))
        section(_("Integration and stackability"), [_t(achievement.get("stackability_label"), language),
                                                    _t(achievement.get("stackability_description"), language)])
        bodies = [f"- {_t(values['issuer']['name'], language)} ({values['issuer']['country']})"]
        bodies += [f"- {_t(o['name'], language)} ({o['country']})" for o in values.get("co_providers", [])]
        section(_("Awarding bodies"), bodies)
        section(_("Further information"), _t(achievement.get("further_information"), language))
    return "\n".join(lines).strip() + "\n"


def _alignment(name: str, url: str, framework: str, code: str = "", description: str = "",
               target_type: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"type": ["Alignment"], "targetName": name, "targetUrl": url, "targetFramework": framework}
    if code:
        item["targetCode"] = code
    if description:
        item["targetDescription"] = description
    if target_type:
        item["targetType"] = target_type
    return item


def _alignments(values: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    achievement = values["achievement"]
    items = []
    for outcome in achievement["outcomes"]:
        for skill in outcome["skills"]:
            items.append(_alignment(
                _t(skill["label"], language) or skill["uri"], skill["uri"], "ESCO",
                code=skill["uri"].rsplit("/", 1)[-1], description=_t(outcome["text"], language),
                target_type="ceasn:Competency",
            ))
    with translation.override(language):
        if achievement.get("eqf_level"):
            level = achievement["eqf_level"]
            items.append(_alignment(_("EQF level %(level)s") % {"level": level}, f"{EQF_URI_PREFIX}{level}",
                                    "European Qualifications Framework", code=str(level)))
        if achievement.get("cycle") and achievement["cycle"] != Cycle.NONE:
            items.append(_alignment(_t(achievement.get("cycle_label"), language), QF_EHEA_URL,
                                    "QF-EHEA", code=achievement["cycle"]))
        isced = achievement.get("isced")
        if isced:
            items.append(_alignment(_t(isced["label"], language) or isced["code"],
                                    f"http://data.europa.eu/snb/isced-f/{isced['code']}", "ISCED-F 2013",
                                    code=isced["code"]))
        if achievement.get("ects") is not None:
            items.append(_alignment(_("ECTS credits"), ECTS_CONCEPT,
                                    "European Credit Transfer and Accumulation System (ECTS)",
                                    code=str(_number(Decimal(achievement["ects"])))))
        mode = MODE_CONCEPTS.get(achievement.get("participation_form") or "")
        if mode:
            items.append(_alignment(_t(achievement.get("participation_form_label"), language), MODE_SCHEME + mode,
                                    "Europass learning and assessment mode", code=mode))
    return items


def _result_description(values: Mapping[str, Any], language: str) -> dict[str, Any]:
    achievement = values["achievement"]
    with translation.override(language):
        assessment = _t(achievement.get("assessment_type_label"), language)
        description: dict[str, Any] = {"id": f"{achievement['id']}#result", "type": ["ResultDescription"]}
        if achievement.get("grading_scale") == GradingScale.PASS_FAIL:
            description["name"] = (_("%(assessment)s, pass / fail") % {"assessment": assessment}) if assessment \
                else _("Pass / fail")
            description["resultType"] = "Status"
        else:
            description["name"] = (_("%(assessment)s, grade 1–5") % {"assessment": assessment}) if assessment \
                else _("Grade 1–5")
            description["resultType"] = "LetterGrade"
            description["allowedValue"] = ["1", "2", "3", "4", "5"]
            description["requiredValue"] = "1"
        concept = ASSESSMENT_CONCEPTS.get(achievement.get("assessment_type") or "")
        if concept:
            description["alignment"] = [_alignment(assessment, ASSESSMENT_SCHEME + concept,
                                                   "Europass assessment type", code=concept)]
    return description


def _shared_parts(values: Mapping[str, Any], language: str) -> tuple[Any, ...]:
    """What is the same in the documents of every learner of one snapshot of the version (given the
    language and the identity verification): the issuer, the achievement, its result description."""
    achievement_values = values["achievement"]
    issuer = identity.profile_from_values(values["issuer"], language)
    title = _t(achievement_values["title"], language)
    ects = _number(Decimal(achievement_values["ects"])) if achievement_values.get("ects") is not None else None

    result_description = _result_description(values, language)
    achievement: dict[str, Any] = {
        "id": achievement_values["id"],
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": title,
        "description": _t(achievement_values["description"], language) or title,
        "criteria": {
            "id": f"{identity.base_url()}/{language}{achievement_values['catalog_path']}",
            "narrative": narrative(values, language),
        },
        "creator": identity.profile_from_values(values["issuer"], language, brief=True),
        "humanCode": achievement_values["code"],
        "inLanguage": language,
        "version": str(achievement_values["version"]),
        "alignment": _alignments(values, language),
        "resultDescription": [result_description],
    }
    if ects is not None:
        achievement["creditsAvailable"] = ects
    if achievement_values.get("isced"):
        achievement["fieldOfStudy"] = _t(achievement_values["isced"]["label"], language) or \
            achievement_values["isced"]["code"]
    co_identifiers = [
        {"type": "IdentifierEntry", "identifier": body["did"], "identifierType": "identifier"}
        for body in values.get("co_providers", [])
    ]
    if co_identifiers:
        achievement["otherIdentifier"] = co_identifiers
    with translation.override(language):
        description = _("Micro-credential awarded by %(issuer)s.") % {"issuer": issuer["name"]}
    return issuer, title, ects, result_description, achievement, description


def render_credential(values: Mapping[str, Any], language: str, *,
                      shared: dict[Any, Any] | None = None) -> dict[str, Any]:
    """The unsigned OB 3.0 AchievementCredential in `language`, from the snapshot alone.

    `shared` (bulk issuing): a dict kept while rendering the credentials of ONE snapshot of the version
    (the same `version_values`), so that the parts every learner's document has in common are made once
    per language and identity verification instead of once per learner. The parts are shared, not
    copied: the caller must not change a returned document (`vc.issue` does not; it copies).
    """
    achievement_values = values["achievement"]
    key = (language, values.get("identity_verification") or "")
    parts = shared.get(key) if shared is not None else None
    if parts is None:
        parts = _shared_parts(values, language)
        if shared is not None:
            shared[key] = parts
    issuer, title, ects, result_description, achievement, description = parts

    learner = values["learner"]
    subject: dict[str, Any] = {}
    if learner.get("did"):
        subject["id"] = learner["did"]
    subject["type"] = ["AchievementSubject"]
    identifiers = []
    if not learner.get("did"):
        identifiers.append({"type": "IdentityObject", "hashed": True, "identityHash": learner["email_hash"],
                            "identityType": "emailAddress", "salt": learner["email_salt"]})
    if learner.get("name"):
        identifiers.append({"type": "IdentityObject", "hashed": False, "identityHash": learner["name"],
                            "identityType": "name"})
    if identifiers:
        subject["identifier"] = identifiers
    subject["achievement"] = achievement
    if ects is not None:
        subject["creditsEarned"] = ects
    offering = values.get("offering")
    if offering:
        subject["activityStartDate"] = local_midnight(date.fromisoformat(offering["start_date"]))
        subject["activityEndDate"] = local_midnight(date.fromisoformat(offering["end_date"]))
    result: dict[str, Any] = {"type": ["Result"], "resultDescription": result_description["id"]}
    if achievement_values.get("grading_scale") == GradingScale.PASS_FAIL:
        result["status"] = "Completed"
        result["value"] = grade_label(values, language)
        subject["result"] = [result]
    elif values.get("grade"):
        result["value"] = str(values["grade"])
        subject["result"] = [result]

    status = values["status"]
    credential: dict[str, Any] = {
        "@context": [identity.VC_CONTEXT, identity.OB_CONTEXT],
        "id": document_id(values, language),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": title,
        "description": description,
        "issuer": issuer,
        "validFrom": values["issued_at"],
        "awardedDate": values["awarded_at"],
        "credentialSubject": subject,
        "credentialStatus": [
            {
                "id": f"{status[purpose]['url']}#{status[purpose]['index']}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(status[purpose]["index"]),
                "statusListCredential": status[purpose]["url"],
            }
            for purpose in ("revocation", "suspension")
            if purpose in status
        ],
        "credentialSchema": [{"id": OB_SCHEMA_URL, "type": "JsonSchema"}],
    }
    return credential


def provider_profile(provider: Organisation, language: str) -> dict[str, Any]:
    """A provider's issuer Profile document (served at /issuers/<slug>)."""
    return identity.profile_from_values(_organisation_values(provider), language, with_context=True)


def available_languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)
