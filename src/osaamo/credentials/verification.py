"""Verification for everyone: the library's checks, run offline against this platform's own issuers
and status lists (read from the database, never fetched), in plain words in fi/sv/en.

"The signature is valid" and "the issuer is a recognised higher-education institution" are separate
answers: the second comes from the operator's list of recognised issuers (`TrustedIssuer`).
A foreign did:web issuer is resolvable only when the operator has stored its DID document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

import osaamo.vc as vc
from osaamo.credentials import identity, selectors
from osaamo.credentials.models import StatusList, TrustedIssuer
from osaamo.errors import NotFound
from osaamo.translation import translated

MAX_BYTES = 1_000_000

CHECK_TITLES: dict[str, Any] = {
    "input": _("The credential file"),
    "proof": _("Signature"),
    "issuer_key": _("Issuer's signing key"),
    "validity_period": _("Validity period"),
    "status": _("Revocation and suspension"),
    "schema": _("Open Badges 3.0 format"),
    "recognised_issuer": _("Recognised higher-education institution"),
}

# Plain-language messages for the library's reason codes (osaamo.vc.verification), by check and reason;
# "*" is any check.
MESSAGES: dict[tuple[str, str], Any] = {
    ("input", "not_json"): _("This is not a credential: the text is not JSON."),
    ("input", "not_an_object"): _("This is not a credential: a credential is a JSON object."),
    ("input", "too_large"): _("The file is too large to be a credential (the limit is 1 MB)."),
    ("input", "too_deep"): _("The file is nested too deeply to be a credential."),
    ("proof", "valid"): _("The signature is valid: the credential has not been changed since it was signed."),
    ("proof", "missing_proof"): _("The credential has no signature."),
    ("proof", "missing_context"): _("The credential does not say which vocabulary (@context) it uses."),
    ("proof", "unsupported_proof_type"): _("The signature is of a kind this service does not check."),
    ("proof", "unsupported_cryptosuite"): _("The signature uses a method this service does not check."),
    ("proof", "proof_purpose_mismatch"): _("The signature was not made for issuing a credential."),
    ("proof", "invalid_proof"): _("The signature is malformed."),
    ("proof", "invalid_proof_value"): _("The signature value is malformed."),
    ("proof", "invalid_signature"): _("The signature does not match: the credential has been changed after it "
                                      "was signed, or it was not signed with this key."),
    ("proof", "key_not_found"): _("The issuer's signing key was not found."),
    ("proof", "issuer_not_resolvable_offline"): _(
        "The issuer's keys cannot be looked up: this service works offline and knows the keys of its own "
        "institutions and of the issuers whose identity documents the operator has stored."),
    ("proof", "invalid_key"): _("The issuer's signing key is malformed."),
    ("proof", "unsupported_key_type"): _("The issuer's key is of a kind this service does not check."),
    ("proof", "context_not_bundled"): _("The credential uses a vocabulary (@context) that this service does not "
                                        "know, so its content cannot be checked."),
    ("proof", "undefined_term"): _("The credential has fields its vocabulary does not define."),
    ("proof", "unsupported_jsonld"): _("The credential uses JSON-LD features this service does not support."),
    ("proof", "jsonld_error"): _("The credential's structure is not valid JSON-LD."),
    ("proof", "missing_suite_context"): _("The credential lacks the vocabulary its signature needs."),
    ("proof", "malformed_document"): _("The credential's fields have the wrong types."),
    ("issuer_key", "valid"): _("The key belongs to the issuer named in the credential."),
    ("issuer_key", "controller_mismatch"): _("The key that signed does not belong to the issuer named in the "
                                             "credential."),
    ("issuer_key", "not_assertion_method"): _("The issuer has not authorised this key to issue credentials."),
    ("issuer_key", "missing_issuer"): _("The credential does not name its issuer."),
    ("issuer_key", "proof_not_verified"): _("Not checked, because the signature could not be verified."),
    ("validity_period", "valid"): _("The credential is within its validity period."),
    ("validity_period", "no_validity_period"): _("The credential states no validity period."),
    ("validity_period", "expired"): _("The credential has expired."),
    ("validity_period", "not_yet_valid"): _("The credential is not valid yet."),
    ("validity_period", "invalid_date"): _("The credential's dates are malformed."),
    ("status", "valid"): _("The issuer has neither revoked nor suspended the credential."),
    ("status", "no_status"): _("The credential has no revocation information."),
    ("status", "revoked"): _("The issuer has revoked this credential."),
    ("status", "suspended"): _("The issuer has suspended this credential for the time being."),
    ("status", "list_unavailable"): _("The issuer's revocation list is not available offline, so revocation "
                                      "could not be checked."),
    ("status", "list_not_verified"): _("The issuer's revocation list could not be verified."),
    ("status", "list_expired"): _("The issuer's revocation list has expired."),
    ("status", "list_issuer_mismatch"): _("The revocation list was not published by the credential's issuer."),
    ("status", "purpose_mismatch"): _("The revocation list does not match the credential's status entry."),
    ("status", "list_too_short"): _("The revocation list is too short to be valid."),
    ("status", "invalid_status_entry"): _("The credential's status entry is malformed."),
    ("status", "index_out_of_range"): _("The credential's status entry points outside the list."),
    ("status", "invalid_encoding"): _("The revocation list is malformed."),
    ("status", "unsupported_status_size"): _("The credential's status entry is of a kind this service does not "
                                             "check."),
    ("status", "unsupported_status_type"): _("The credential's revocation method is one this service does not "
                                             "check."),
    ("status", "status_not_checked"): _("Revocation was not checked."),
    ("schema", "valid"): _("The credential follows the Open Badges 3.0 AchievementCredential schema."),
    ("schema", "schema_invalid"): _("The credential does not follow the Open Badges 3.0 schema."),
    ("schema", "not_open_badges"): _("Not an Open Badges credential: no schema check applies."),
    ("schema", "schema_not_bundled"): _("The Open Badges 3.0 schema check is not available in this installation."),
    ("recognised_issuer", "recognised"): _("The issuer is on the list of recognised higher-education institutions "
                                           "kept by the service's operator."),
    ("recognised_issuer", "not_recognised"): _("The issuer is not on the list of recognised higher-education "
                                               "institutions. A valid signature alone does not tell who the issuer "
                                               "is."),
    ("recognised_issuer", "not_checked"): _("Not checked, because the signature could not be verified."),
}
FALLBACK_MESSAGE = _("This check did not pass.")

HEADLINES: dict[str, Any] = {
    "valid": _("Valid"),
    "revoked": _("Revoked"),
    "suspended": _("Suspended"),
    "expired": _("Expired"),
    "not_yet_valid": _("Not valid yet"),
    "invalid": _("Not valid"),
    "unverifiable": _("Cannot be verified here"),
    "bad_input": _("Not a credential"),
}
EXPLANATIONS: dict[str, Any] = {
    "valid": _("The signature is valid and the issuer has not revoked or suspended the credential."),
    "revoked": _("The signature is valid, but the issuer has revoked the credential. It no longer certifies "
                 "anything."),
    "suspended": _("The signature is valid, but the issuer has suspended the credential for the time being."),
    "expired": _("The signature is valid, but the credential's validity has ended."),
    "not_yet_valid": _("The signature is valid, but the credential is not valid yet."),
    "invalid": _("The credential did not pass the checks below; do not rely on it."),
    "unverifiable": _("The signature could not be checked offline; see below."),
    "bad_input": _("What was given is not a verifiable credential."),
}


@dataclass
class CheckView:
    code: str
    outcome: str
    reason: str
    title: str
    message: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "outcome": self.outcome, "reason": self.reason, "title": self.title,
                "message": self.message, "detail": self.detail}


@dataclass
class VerificationReport:
    verified: bool
    status: str
    checks: list[CheckView]
    issuer_did: str = ""
    issuer_recognised: bool = False
    recognised_name: str = ""
    institution_code: str = ""
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def headline(self) -> str:
        return str(HEADLINES[self.status])

    @property
    def explanation(self) -> str:
        return str(EXPLANATIONS[self.status])

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    def check(self, code: str) -> CheckView | None:
        return next((c for c in self.checks if c.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "status": self.status,
            "headline": self.headline,
            "explanation": self.explanation,
            "checks": [c.as_dict() for c in self.checks],
            "issuer": {"id": self.issuer_did, "recognised": self.issuer_recognised, "name": self.recognised_name,
                       "institution_code": self.institution_code},
            "credential": self.summary,
        }


# --- offline resolution from the database ----------------------------------------------------------------


def _resolve_document(did: str) -> Mapping[str, Any] | None:
    slug = identity.slug_of_own_did(did)
    if slug is not None:
        try:
            return selectors.did_document_for_slug(slug)
        except NotFound:
            return None
    stored = TrustedIssuer.objects.filter(did=did).exclude(did_document__isnull=True).values_list(
        "did_document", flat=True).first()
    return stored if isinstance(stored, Mapping) else None


def resolver() -> vc.StaticResolver:
    return vc.StaticResolver(_resolve_document)


class StatusListNotAvailable(LookupError):
    pass


def status_checker(url: str) -> Mapping[str, Any]:
    """Our own status lists come from the database; no other list is fetched (offline)."""
    parsed = identity.parse_status_list_url(url)
    if parsed is None:
        raise StatusListNotAvailable(f"{url} is not a status list of this platform (nothing is fetched)")
    found = StatusList.objects.filter(provider__slug=parsed[0], number=parsed[1]).exclude(signed_json="").first()
    if found is None:
        raise StatusListNotAvailable(f"no status list at {url}")
    loaded: Mapping[str, Any] = json.loads(found.signed_json)
    return loaded


# --- the report ------------------------------------------------------------------------------------------


def _issuer_id(document: Any) -> str:
    if not isinstance(document, Mapping):
        return ""
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def summary_of(document: Any) -> dict[str, Any]:
    """What the credential says it certifies (as claimed; trust it only when verified)."""
    if not isinstance(document, Mapping):
        return {}
    issuer = document.get("issuer")
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject_map: Mapping[str, Any] = subject if isinstance(subject, Mapping) else {}
    found = subject_map.get("achievement")
    achievement: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    subject = subject_map
    learner = ""
    identifiers = subject.get("identifier")
    for item in identifiers if isinstance(identifiers, list) else []:
        if isinstance(item, Mapping) and item.get("identityType") == "name" and item.get("hashed") is False:
            learner = _text(item.get("identityHash"))
    credits = achievement.get("creditsAvailable")
    found_results = subject.get("result")
    results: list[Any] = found_results if isinstance(found_results, list) else []
    criteria = achievement.get("criteria")
    grade = next((_text(r.get("value")) for r in results if isinstance(r, Mapping) and r.get("value")), "")
    return {
        "name": _text(document.get("name")) or _text(achievement.get("name")),
        "achievement": _text(achievement.get("name")),
        "achievement_type": _text(achievement.get("achievementType")),
        "issuer_name": _text(issuer.get("name")) if isinstance(issuer, Mapping) else "",
        "issuer_id": _issuer_id(document),
        "learner_name": learner,
        "learner_id": _text(subject.get("id")),
        "credits": credits if isinstance(credits, int | float) and not isinstance(credits, bool) else None,
        "grade": grade,
        "awarded": _text(document.get("awardedDate")) or _text(document.get("validFrom")),
        "valid_from": _text(document.get("validFrom")),
        "valid_until": _text(document.get("validUntil")),
        "language": _text(achievement.get("inLanguage")),
        "narrative": _text(criteria.get("narrative")) if isinstance(criteria, Mapping) else "",
        "id": _text(document.get("id")),
    }


def _message(code: str, reason: str) -> str:
    return str(MESSAGES.get((code, reason), FALLBACK_MESSAGE))


def _offline_unresolvable(document: Any, proof: vc.Check | None) -> bool:
    if proof is None or proof.reason != "key_not_found":
        return False
    issuer = _issuer_id(document)
    return issuer.startswith("did:web:") and identity.slug_of_own_did(issuer) is None


def _parse(document: Any) -> Any:
    if isinstance(document, bytes | bytearray):
        if len(document) > MAX_BYTES:
            return document
        try:
            return json.loads(document)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return document
    if isinstance(document, str):
        if len(document.encode("utf-8")) > MAX_BYTES:
            return document
        try:
            return json.loads(document)
        except (ValueError, RecursionError):
            return document
    return document


def verify_credential(document: Any, *, now: datetime | None = None) -> VerificationReport:
    """Verify a credential given as JSON text, bytes or parsed data. Never raises on bad input."""
    now = now or timezone.now()
    parsed = _parse(document)
    result = vc.verify(parsed, resolver=resolver(), status_checker=status_checker, now=now)
    checks: list[CheckView] = []
    proof = result.check("proof")
    for check in result.checks:
        reason = check.reason
        if check.code == "proof" and _offline_unresolvable(parsed, proof):
            reason = "issuer_not_resolvable_offline"
        checks.append(CheckView(code=check.code, outcome=str(check.outcome), reason=reason,
                                title=str(CHECK_TITLES.get(check.code, check.code)),
                                message=_message(check.code, reason), detail=check.detail))
    input_failed = any(c.code == "input" for c in result.checks)
    issuer_did = _issuer_id(parsed)
    trusted = selectors.trusted_issuer(issuer_did) if issuer_did else None
    proof_passed = proof is not None and str(proof.outcome) == "passed"
    report = VerificationReport(verified=result.verified, status="invalid", checks=checks, issuer_did=issuer_did)
    if not input_failed:
        if proof_passed:
            recognised = trusted is not None
            reason = "recognised" if recognised else "not_recognised"
            checks.append(CheckView(code="recognised_issuer", outcome="passed" if recognised else "warning",
                                    reason=reason, title=str(CHECK_TITLES["recognised_issuer"]),
                                    message=_message("recognised_issuer", reason)))
            report.issuer_recognised = recognised
            if trusted is not None:
                report.recognised_name = translated(trusted.name)
                report.institution_code = trusted.institution_code
        else:
            checks.append(CheckView(code="recognised_issuer", outcome="not_applicable", reason="not_checked",
                                    title=str(CHECK_TITLES["recognised_issuer"]),
                                    message=_message("recognised_issuer", "not_checked")))
        report.summary = summary_of(parsed)
    report.status = _overall(result, checks, input_failed, proof_passed)
    return report


def _overall(result: vc.VerificationResult, checks: list[CheckView], input_failed: bool, proof_passed: bool) -> str:
    if input_failed:
        return "bad_input"
    if not proof_passed:
        proof = next((c for c in checks if c.code == "proof"), None)
        if proof is not None and proof.reason in ("issuer_not_resolvable_offline", "context_not_bundled"):
            return "unverifiable"
        return "invalid"
    status = result.check("status")
    if status is not None and status.reason in ("revoked", "suspended"):
        return status.reason
    validity = result.check("validity_period")
    if validity is not None and validity.reason in ("expired", "not_yet_valid"):
        return validity.reason
    return "valid" if result.verified else "invalid"
