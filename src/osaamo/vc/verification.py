"""Verifying credentials: one :class:`Check` per concern, never an exception for bad input.

Check codes: ``input``, ``proof``, ``issuer_key``, ``validity_period``, ``status``, ``schema``.
Each check has an ``outcome`` (passed / failed / not_applicable / warning), a stable machine
``reason`` (the Django side translates by it) and an English ``detail``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from .did import StaticResolver
from .loader import DocumentLoader
from .proofs import ProofError, ProofOutcome, assertion_method_ids, verify_proof
from .schema import ACHIEVEMENT_CREDENTIAL_SCHEMA_ID, SchemaNotBundledError, schema_report
from .status import MIN_LIST_LENGTH, StatusList, StatusListError

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "Check",
    "Outcome",
    "StatusChecker",
    "VerificationResult",
    "verify",
]

MAX_DOCUMENT_BYTES = 1_000_000
# compact JSON, as the size limit counts it (circular data ends in RecursionError: not JSON)
_SIZE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
OB_TYPES = ("OpenBadgeCredential", "AchievementCredential")
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"
    WARNING = "warning"


@dataclass(frozen=True)
class Check:
    code: str
    outcome: Outcome
    reason: str
    detail: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerificationResult:
    verified: bool
    checks: list[Check]
    errors: list[str]

    def check(self, code: str) -> Check | None:
        return next((c for c in self.checks if c.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": [
                {
                    "code": c.code,
                    "outcome": str(c.outcome),
                    "reason": c.reason,
                    "detail": c.detail,
                    **({"data": dict(c.data)} if c.data else {}),
                }
                for c in self.checks
            ],
            "errors": list(self.errors),
        }


class StatusChecker(Protocol):
    """Returns the status list credential (a dict) published at ``url``, or raises."""

    def __call__(self, url: str) -> Mapping[str, Any]: ...


def _result(checks: list[Check]) -> VerificationResult:
    failed = [c for c in checks if c.outcome is Outcome.FAILED]
    return VerificationResult(
        verified=not failed and any(c.code == "proof" and c.outcome is Outcome.PASSED for c in checks),
        checks=checks,
        errors=[f"{c.code}: {c.reason}: {c.detail}" for c in failed],
    )


def _issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # VC 2.0 §4.9: treat a missing offset as UTC
    return moment


def _plain_json_size_bound(document: dict[str, Any]) -> int | None:
    """An upper bound of ``document``'s size as compact UTF-8 JSON, or None when it holds anything
    but plain JSON data (exact dicts with string keys, lists, str, int, float, bool, None).

    Cheaper than encoding: every string counts 6 bytes a character (the longest JSON escape; a
    UTF-8 character takes at most 4), an int by its bit length, a float 24 (``repr`` of a double).
    Stops as soon as the bound passes MAX_DOCUMENT_BYTES: every container adds its length before
    its items are read, so a huge document is never walked far. No recursion (any depth).
    """
    size = 2
    stack: list[Any] = [document]
    pop = stack.pop
    push = stack.append
    limit = MAX_DOCUMENT_BYTES
    while stack:
        container = pop()
        if size > limit:
            return size
        values: Any = container
        if type(container) is dict:
            size += 2 * len(container)  # ':' and ',' per entry
            for key in container:
                if type(key) is not str:
                    return None
                size += 6 * len(key) + 2
            values = container.values()
        else:
            size += len(container)  # ','
        for value in values:
            kind = type(value)
            if kind is str:
                size += 6 * len(value) + 2
            elif kind is dict or kind is list:
                size += 2
                push(value)
            elif kind is int:
                size += value.bit_length() // 3 + 2
            elif kind is float:
                size += 24
            elif kind is bool or value is None:
                size += 5
            else:
                return None
    return size


def _too_large(size: int) -> Check:
    return Check("input", Outcome.FAILED, "too_large", f"document is {size} bytes; the limit is {MAX_DOCUMENT_BYTES}")


def _load_input(document: Any) -> tuple[Mapping[str, Any] | None, Check | None]:
    if isinstance(document, bytes | bytearray | str):
        size = len(document.encode("utf-8")) if isinstance(document, str) else len(document)
        if size > MAX_DOCUMENT_BYTES:
            return None, _too_large(size)
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return None, Check("input", Outcome.FAILED, "not_json", f"document is not JSON: {exc}")
    elif isinstance(document, Mapping):
        # plain JSON data well under the limit (the usual case) is not encoded just to measure it
        bound = _plain_json_size_bound(document) if type(document) is dict else None
        if bound is None or bound > MAX_DOCUMENT_BYTES:
            try:
                text = _SIZE_ENCODER.encode(document)
                size = len(text) if text.isascii() else len(text.encode("utf-8"))
            except (TypeError, ValueError, RecursionError) as exc:
                return None, Check("input", Outcome.FAILED, "not_json", f"document is not JSON data: {exc}")
            if size > MAX_DOCUMENT_BYTES:
                return None, _too_large(size)
    if not isinstance(document, Mapping):
        return None, Check("input", Outcome.FAILED, "not_an_object", "a credential is a JSON object")
    return document, None


def verify(
    document: Any,
    *,
    resolver: Any = None,
    status_checker: Callable[[str], Mapping[str, Any]] | None = None,
    now: datetime,
    schema_check: bool | str = "auto",
    loader: DocumentLoader | None = None,
    _check_status_list_status: bool = True,
) -> VerificationResult:
    """Verify a credential. Never raises on bad input: failures are checks with reasons.

    ``resolver`` has ``resolve(did_or_url) -> DID/controller document`` (default: did:key only);
    ``status_checker(url)`` returns the status list credential; ``schema_check`` is ``"auto"``
    (Open Badges types only), ``True`` or ``False``.
    """
    try:
        return _verify(document, resolver, status_checker, now, schema_check, loader, _check_status_list_status)
    except RecursionError:
        return _result([Check("input", Outcome.FAILED, "too_deep", "document nesting is too deep")])


def _verify(
    document: Any,
    resolver: Any,
    status_checker: Callable[[str], Mapping[str, Any]] | None,
    now: datetime,
    schema_check: bool | str,
    loader: DocumentLoader | None,
    check_list_status: bool,
) -> VerificationResult:
    parsed, failure = _load_input(document)
    if failure is not None or parsed is None:
        return _result([failure or Check("input", Outcome.FAILED, "not_an_object", "no document")])
    doc = parsed
    if resolver is None:
        resolver = _DID_KEY_RESOLVER

    outcome: ProofOutcome | None = None
    try:
        proof_check, outcome = _check_proof(doc, resolver, loader)
    except _MALFORMED as exc:
        proof_check = _malformed("proof", exc)
    checks: list[Check] = [proof_check]
    steps: list[tuple[str, Callable[[], Check]]] = [
        ("issuer_key", lambda: _check_issuer_key(doc, outcome)),
        ("validity_period", lambda: _check_validity(doc, now)),
        ("status", lambda: _check_status(doc, resolver, status_checker, now, loader, check_list_status)),
        ("schema", lambda: _check_schema(doc, schema_check)),
    ]
    for code, step in steps:
        try:
            checks.append(step())
        except _MALFORMED as exc:
            checks.append(_malformed(code, exc))
    return _result(checks)


def _malformed(code: str, exc: Exception) -> Check:
    return Check(code, Outcome.FAILED, "malformed_document", f"malformed credential: {exc}")


_DID_KEY_RESOLVER = StaticResolver()  # resolves did:key only; holds no state

# Wrong JSON types deep inside a document surface as these; they are reported, never raised.
_MALFORMED = (TypeError, ValueError, AttributeError, KeyError, IndexError)


def _check_proof(
    doc: Mapping[str, Any], resolver: Any, loader: DocumentLoader | None
) -> tuple[Check, ProofOutcome | None]:
    proofs = doc.get("proof")
    if proofs is None:
        return Check("proof", Outcome.FAILED, "missing_proof", "the document has no embedded proof"), None
    if "@context" not in doc:
        return Check("proof", Outcome.FAILED, "missing_context", "the document has no @context"), None
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    candidates = proofs if isinstance(proofs, list) else [proofs]
    if not candidates:
        return Check("proof", Outcome.FAILED, "missing_proof", "the proof list is empty"), None
    last: ProofError | None = None
    # A verifier may accept any one proof of a proof set (VC Data Integrity §4.4).
    for proof in candidates:
        try:
            outcome = verify_proof(unsecured, proof, resolver=resolver, loader=loader)
        except ProofError as exc:
            last = exc
            continue
        proof_type = proof.get("cryptosuite") or proof.get("type")
        method = proof.get("verificationMethod")
        return Check(
            "proof",
            Outcome.PASSED,
            "valid",
            f"{proof_type} proof by {method} verified",
            {"verificationMethod": method, "proofType": proof_type, "fastPath": outcome.fast_path},
        ), outcome
    assert last is not None
    return Check("proof", Outcome.FAILED, last.reason, str(last)), None


def _check_issuer_key(doc: Mapping[str, Any], outcome: ProofOutcome | None) -> Check:
    if outcome is None or outcome.verification_method is None or outcome.controller_document is None:
        return Check(
            "issuer_key", Outcome.NOT_APPLICABLE, "proof_not_verified", "no verified proof to bind to the issuer"
        )
    issuer = _issuer_id(doc)
    if issuer is None:
        return Check("issuer_key", Outcome.FAILED, "missing_issuer", "the credential has no issuer id")
    method = outcome.verification_method
    controller = method.get("controller")
    if controller != issuer:
        return Check(
            "issuer_key",
            Outcome.FAILED,
            "controller_mismatch",
            f"key {method.get('id')} is controlled by {controller!r}, not by the issuer {issuer!r}",
        )
    controller_document = outcome.controller_document
    if controller_document.get("id") not in (issuer, method.get("id")):
        return Check(
            "issuer_key",
            Outcome.FAILED,
            "controller_mismatch",
            f"the controller document is {controller_document.get('id')!r}, not the issuer {issuer!r}",
        )
    method_id = method.get("id")
    if method_id not in assertion_method_ids(controller_document):
        return Check(
            "issuer_key",
            Outcome.FAILED,
            "not_assertion_method",
            f"key {method.get('id')} is not listed under the issuer's assertionMethod",
        )
    return Check("issuer_key", Outcome.PASSED, "valid", f"key {method_id} is an assertion key of {issuer}")


def _check_validity(doc: Mapping[str, Any], now: datetime) -> Check:
    # VC 2.0 §4.9 validFrom/validUntil; VC 1.1 issuanceDate/expirationDate
    start_key = "validFrom" if "validFrom" in doc else "issuanceDate" if "issuanceDate" in doc else None
    end_key = "validUntil" if "validUntil" in doc else "expirationDate" if "expirationDate" in doc else None
    start = _parse_time(doc.get(start_key)) if start_key else None
    end = _parse_time(doc.get(end_key)) if end_key else None
    if start_key and start is None:
        return Check("validity_period", Outcome.FAILED, "invalid_date", f"{start_key} is not a dateTime")
    if end_key and end is None:
        return Check("validity_period", Outcome.FAILED, "invalid_date", f"{end_key} is not a dateTime")
    if start is not None and now < start:
        return Check("validity_period", Outcome.FAILED, "not_yet_valid", f"valid from {start.isoformat()}")
    if end is not None and now > end:
        return Check("validity_period", Outcome.FAILED, "expired", f"expired at {end.isoformat()}")
    if start is None and end is None:
        return Check("validity_period", Outcome.PASSED, "no_validity_period", "no validity period stated")
    return Check("validity_period", Outcome.PASSED, "valid", "within the validity period")


_list_cache: dict[str, tuple[str | None, StatusList | None, str, str]] = {}


def _verified_status_list(
    list_credential: Mapping[str, Any],
    resolver: Any,
    now: datetime,
    loader: DocumentLoader | None,
) -> tuple[str | None, StatusList | None, str, str]:
    """(issuer, list, failure reason, detail) for a status list credential; memoised by content."""
    key = hashlib.sha256(json.dumps(list_credential, sort_keys=True).encode()).hexdigest()
    cached = _list_cache.get(key)
    if cached is not None and cached[2] != "expired":
        return cached
    result = verify(
        list_credential, resolver=resolver, now=now, schema_check=False, loader=loader, _check_status_list_status=False
    )
    issuer = _issuer_id(list_credential)
    outcome: tuple[str | None, StatusList | None, str, str]
    if not result.verified:
        failed = next(c for c in result.checks if c.outcome is Outcome.FAILED)
        reason = "list_expired" if failed.reason == "expired" else "list_not_verified"
        outcome = (issuer, None, reason, f"status list credential: {failed.code}: {failed.reason}: {failed.detail}")
    elif "BitstringStatusListCredential" not in _types(list_credential):
        outcome = (issuer, None, "list_not_verified", "not a BitstringStatusListCredential")
    else:
        subject = list_credential.get("credentialSubject")
        encoded = subject.get("encodedList") if isinstance(subject, Mapping) else None
        try:
            decoded = StatusList.decode(encoded if isinstance(encoded, str) else "", minimum_length=MIN_LIST_LENGTH)
            outcome = (issuer, decoded, "", "")
        except StatusListError as exc:
            outcome = (issuer, None, exc.reason, str(exc))
    if len(_list_cache) > 256:
        _list_cache.clear()
    _list_cache[key] = outcome
    return outcome


def _check_status(
    doc: Mapping[str, Any],
    resolver: Any,
    status_checker: Callable[[str], Mapping[str, Any]] | None,
    now: datetime,
    loader: DocumentLoader | None,
    enabled: bool,
) -> Check:
    status = doc.get("credentialStatus")
    if status is None or not enabled:
        return Check("status", Outcome.NOT_APPLICABLE, "no_status", "the credential has no credentialStatus")
    entries = status if isinstance(status, list) else [status]
    known = [e for e in entries if isinstance(e, Mapping) and e.get("type") == "BitstringStatusListEntry"]
    unknown = [e.get("type") if isinstance(e, Mapping) else type(e).__name__ for e in entries if e not in known]
    if not known:
        return Check("status", Outcome.WARNING, "unsupported_status_type", f"status type(s) not supported: {unknown}")
    if status_checker is None:
        return Check("status", Outcome.WARNING, "status_not_checked", "no status list fetcher was given")
    issuer = _issuer_id(doc)
    flags: dict[str, bool] = {}
    for entry in known:
        purpose = entry.get("statusPurpose")
        url = entry.get("statusListCredential")
        index_text = entry.get("statusListIndex")
        if not isinstance(url, str) or not isinstance(index_text, str) or not index_text.isdigit():
            return Check(
                "status",
                Outcome.FAILED,
                "invalid_status_entry",
                "statusListCredential/statusListIndex missing or malformed",
            )
        if entry.get("statusSize", 1) not in (1, "1"):
            return Check("status", Outcome.FAILED, "unsupported_status_size", "only statusSize 1 is supported")
        try:
            list_credential = status_checker(url)
        except Exception as exc:  # caller-supplied fetcher: report, never raise
            return Check("status", Outcome.FAILED, "list_unavailable", f"could not fetch {url}: {exc}")
        if not isinstance(list_credential, Mapping):
            return Check("status", Outcome.FAILED, "list_unavailable", f"no status list credential at {url}")
        list_issuer, bits, reason, detail = _verified_status_list(list_credential, resolver, now, loader)
        if bits is None:
            return Check("status", Outcome.FAILED, reason, detail)
        if list_issuer != issuer:
            return Check(
                "status",
                Outcome.FAILED,
                "list_issuer_mismatch",
                f"status list issued by {list_issuer!r}, credential by {issuer!r}",
            )
        subject = list_credential.get("credentialSubject")
        list_purpose = subject.get("statusPurpose") if isinstance(subject, Mapping) else None
        list_purposes = list_purpose if isinstance(list_purpose, list) else [list_purpose]
        if purpose not in list_purposes:
            return Check(
                "status",
                Outcome.FAILED,
                "purpose_mismatch",
                f"entry purpose {purpose!r}, list purpose {list_purpose!r}",
            )
        try:
            flags[str(purpose)] = flags.get(str(purpose), False) or bits.get(int(index_text))
        except StatusListError as exc:
            return Check("status", Outcome.FAILED, exc.reason, str(exc))
    if flags.get("revocation"):
        return Check("status", Outcome.FAILED, "revoked", "the issuer has revoked this credential")
    if flags.get("suspension"):
        return Check("status", Outcome.FAILED, "suspended", "the issuer has suspended this credential")
    if unknown:
        return Check(
            "status", Outcome.WARNING, "unsupported_status_type", f"checked the status list; not supported: {unknown}"
        )
    return Check("status", Outcome.PASSED, "valid", "neither revoked nor suspended", {"purposes": sorted(flags)})


def _check_schema(doc: Mapping[str, Any], schema_check: bool | str) -> Check:
    """OB 3.0 AchievementCredential JSON Schema (the official 1EdTech file, see schema.py).

    ``data``: ``schema`` (its id), ``errors`` (``pointer``: RFC 6901 JSON pointer into the
    document, ``message``; the shallowest first, at most 20) and ``accommodations`` (what was
    read the VC 2.0 way, e.g. several credentialStatus entries).
    """
    wanted = schema_check is True or (schema_check == "auto" and any(t in OB_TYPES for t in _types(doc)))
    if not wanted:
        return Check("schema", Outcome.NOT_APPLICABLE, "not_open_badges", "no schema applies")
    contexts = doc.get("@context")
    first_context = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first_context == VC_V1_CONTEXT:
        # OB 3.0.0/3.0.1 credentials were built on VC 1.1; the official schema (3.0.3) is for VC 2.0
        return Check(
            "schema",
            Outcome.WARNING,
            "schema_not_bundled",
            "the credential is built on VC 1.1 (Open Badges 3.0.0/3.0.1); the bundled Open Badges 3.0 schema is"
            " for credentials built on VC 2.0, and no schema for the earlier form is bundled",
        )
    try:
        report = schema_report(doc, ACHIEVEMENT_CREDENTIAL_SCHEMA_ID)
    except SchemaNotBundledError:
        return Check("schema", Outcome.WARNING, "schema_not_bundled", "the Open Badges 3.0 JSON Schema is not bundled")
    data: dict[str, Any] = {"schema": ACHIEVEMENT_CREDENTIAL_SCHEMA_ID}
    if report.accommodations:
        data["accommodations"] = list(report.accommodations)
    if report.violations:
        data["errors"] = [{"pointer": v.pointer, "message": v.message} for v in report.violations]
        shown = "; ".join(str(v) for v in report.violations[:5])
        more = len(report.violations) - 5
        detail = f"not valid against the Open Badges 3.0 AchievementCredential schema: {shown}"
        if more > 0:
            detail += f" (and {more} more)"
        return Check("schema", Outcome.FAILED, "schema_invalid", detail, data)
    return Check(
        "schema", Outcome.PASSED, "valid", "valid against the Open Badges 3.0 AchievementCredential schema", data
    )
