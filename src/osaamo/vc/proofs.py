"""Data Integrity proofs: eddsa-rdfc-2022 (create, verify), eddsa-jcs-2022 and the legacy
Ed25519Signature2020 (verify only).

hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document), signed with
pure Ed25519 (VC-DI-EdDSA §3.2.4; the same order for the JCS suite, §3.3.4, and for
Ed25519Signature2020, jsonld-signatures ``createVerifyData``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .canonical import CanonicalizationError, canonicalize
from .keys import (
    MultibaseError,
    Signer,
    base58_decode,
    decode_multibase_base58btc,
    decode_public_multikey,
    encode_multibase_base58btc,
    verify_ed25519,
)
from .loader import DocumentLoader

__all__ = [
    "ED25519_2020_CONTEXT",
    "ProofError",
    "ProofOutcome",
    "create_proof",
    "format_datetime",
    "hash_data",
    "key_from_verification_method",
    "verify_proof",
]

ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_CONTEXTS = (
    VC_V2_CONTEXT,
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
)


class ProofError(Exception):
    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def format_datetime(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC with a 'Z', seconds precision (as the peer writes it)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _contexts(document: Mapping[str, Any]) -> list[Any]:
    ctx = document.get("@context")
    return list(ctx) if isinstance(ctx, list) else [ctx]


def hash_data(canonical_proof_config: str, canonical_document: str) -> bytes:
    # VC-DI-EdDSA §3.2.4 Hashing: proof configuration hash first
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def _rdfc(document: Mapping[str, Any], loader: DocumentLoader | None, *, safe: bool, strict: bool) -> str:
    return canonicalize(document, loader=loader, safe=safe, allow_fallback=not strict).nquads


def create_proof(
    document: Mapping[str, Any],
    *,
    signer: Signer,
    created: str,
    proof_purpose: str = "assertionMethod",
    loader: DocumentLoader | None = None,
) -> dict[str, Any]:
    """An eddsa-rdfc-2022 DataIntegrityProof over ``document`` (which has no ``proof``).

    Safe mode: raises :class:`osaamo.vc.canonical.UndefinedTermsError` when a term would be
    dropped from the signed data; documents outside the fast JSON-LD subset are refused.
    """
    contexts = _contexts(document)
    if not any(c in DATA_INTEGRITY_CONTEXTS for c in contexts):
        raise ProofError(
            "the document's @context must include the VC 2.0 or a Data Integrity context",
            reason="missing_suite_context",
        )
    # VC-DI-EdDSA §3.2.5 Proof Configuration
    proof: dict[str, Any] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": signer.verification_method,
        "proofPurpose": proof_purpose,
    }
    proof_config = {"@context": document["@context"], **proof}
    canonical_config = _rdfc(proof_config, loader, safe=True, strict=True)
    # VC-DI-EdDSA §3.2.3 Transformation
    canonical_document = _rdfc(document, loader, safe=True, strict=True)
    signature = signer.sign(hash_data(canonical_config, canonical_document))
    # VC-DI-EdDSA §3.2.6 Proof Serialization: multibase base58btc
    proof["proofValue"] = encode_multibase_base58btc(signature)
    return proof


@dataclass
class ProofOutcome:
    verification_method: dict[str, Any] | None
    controller_document: Mapping[str, Any] | None
    fast_path: bool
    dropped: list[str]


def key_from_verification_method(method: Mapping[str, Any]) -> Ed25519PublicKey:
    """Public key of a Multikey / Ed25519VerificationKey2020 (publicKeyMultibase) or 2018 (base58)."""
    kind = method.get("type")
    if kind in ("Multikey", "Ed25519VerificationKey2020"):
        value = method.get("publicKeyMultibase")
        if not isinstance(value, str):
            raise ProofError("verification method has no publicKeyMultibase", reason="invalid_key")
        try:
            return decode_public_multikey(value)
        except (MultibaseError, ValueError) as exc:
            raise ProofError(f"invalid publicKeyMultibase: {exc}", reason="invalid_key") from exc
    if kind == "Ed25519VerificationKey2018":
        value = method.get("publicKeyBase58")
        try:
            raw = base58_decode(value) if isinstance(value, str) else b""
            return Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            raise ProofError(f"invalid publicKeyBase58: {exc}", reason="invalid_key") from exc
    raise ProofError(f"unsupported verification method type {kind!r}", reason="unsupported_key_type")


def find_verification_method(controller_document: Mapping[str, Any], vm_id: str) -> dict[str, Any] | None:
    if controller_document.get("id") == vm_id and "type" in controller_document:
        return dict(controller_document)  # the key document itself
    candidates: list[Any] = []
    for relation in ("verificationMethod", "assertionMethod", "authentication", "publicKey"):
        value = controller_document.get(relation)
        if isinstance(value, list):
            candidates.extend(value)
        elif value is not None:
            candidates.append(value)
    for candidate in candidates:
        if isinstance(candidate, Mapping) and candidate.get("id") == vm_id:
            return dict(candidate)
    return None


def _relation_ids(controller_document: Mapping[str, Any], relation: str) -> list[str]:
    value = controller_document.get(relation)
    items = value if isinstance(value, list) else ([] if value is None else [value])
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("id"), str):
            out.append(item["id"])
    return out


def _check_datetime(value: Any, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ProofError(f"proof {name} is not a string", reason="invalid_proof")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ProofError(f"proof {name} is not an XML Schema dateTime", reason="invalid_proof") from exc


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    resolver: Any,
    loader: DocumentLoader | None = None,
    expected_purpose: str = "assertionMethod",
) -> ProofOutcome:
    """Verify one embedded proof of ``document`` (which must not contain ``proof`` any more).

    Raises :class:`ProofError` with a machine-readable ``reason``.
    """
    if not isinstance(proof, Mapping):
        raise ProofError("proof is not an object", reason="invalid_proof")
    proof_type = proof.get("type")
    cryptosuite = proof.get("cryptosuite")
    if proof_type == "DataIntegrityProof":
        if cryptosuite not in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
            raise ProofError(f"unsupported cryptosuite {cryptosuite!r}", reason="unsupported_cryptosuite")
    elif proof_type != "Ed25519Signature2020":
        raise ProofError(f"unsupported proof type {proof_type!r}", reason="unsupported_proof_type")
    if proof.get("proofPurpose") != expected_purpose:
        raise ProofError(
            f"proofPurpose is {proof.get('proofPurpose')!r}, expected {expected_purpose!r}",
            reason="proof_purpose_mismatch",
        )
    vm_id = proof.get("verificationMethod")
    if isinstance(vm_id, Mapping):
        vm_id = vm_id.get("id")
    if not isinstance(vm_id, str) or not vm_id:
        raise ProofError("proof has no verificationMethod", reason="invalid_proof")
    _check_datetime(proof.get("created"), "created")
    _check_datetime(proof.get("expires"), "expires")
    proof_value = proof.get("proofValue")
    if not isinstance(proof_value, str):
        raise ProofError("proof has no proofValue", reason="invalid_proof")
    try:
        signature = decode_multibase_base58btc(proof_value)
    except MultibaseError as exc:
        raise ProofError(f"proofValue: {exc}", reason="invalid_proof_value") from exc
    if len(signature) != 64:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature", reason="invalid_proof_value")

    options = {k: v for k, v in proof.items() if k != "proofValue"}
    fast = True
    dropped: list[str] = []
    try:
        if cryptosuite == "eddsa-jcs-2022":
            # VC-DI-EdDSA §3.3.2 Verify Proof
            unsecured = dict(document)
            if "@context" in options:
                doc_ctx = _contexts(document)
                proof_ctx = _contexts(options)
                if doc_ctx[: len(proof_ctx)] != proof_ctx:
                    raise ProofError("proof @context does not match the document's", reason="invalid_proof")
                unsecured["@context"] = options["@context"]
            elif "@context" in document:
                options["@context"] = document["@context"]
            canonical_config = rfc8785.dumps(options).decode("utf-8")
            canonical_document = rfc8785.dumps(unsecured).decode("utf-8")
        else:
            # jsonld-signatures LinkedDataSignature.createVerifyData: proof options carry the
            # document's @context; the suite context must be present (ed25519-signature-2020).
            if proof_type == "Ed25519Signature2020" and ED25519_2020_CONTEXT not in _contexts(document):
                raise ProofError(
                    f"Ed25519Signature2020 needs the {ED25519_2020_CONTEXT} context in the document",
                    reason="missing_suite_context",
                )
            # VC-DI-EdDSA §3.2.5 Proof Configuration: the document's @context
            options["@context"] = document.get("@context")
            config_result = canonicalize(options, loader=loader, safe=True)
            doc_result = canonicalize(document, loader=loader, safe=True)
            canonical_config, canonical_document = config_result.nquads, doc_result.nquads
            fast = config_result.fast_path and doc_result.fast_path
    except CanonicalizationError as exc:
        raise ProofError(str(exc), reason=exc.reason) from exc
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ProofError(f"cannot canonicalize: {exc}", reason="jsonld_error") from exc

    # Key: dereference the verification method through its controller document.
    try:
        controller_document = resolver.resolve(vm_id)
    except Exception as exc:  # a resolver is caller code: any failure means "key not found"
        raise ProofError(f"cannot resolve {vm_id}: {exc}", reason="key_not_found") from exc
    if not isinstance(controller_document, Mapping):
        raise ProofError(f"resolver returned no document for {vm_id}", reason="key_not_found")
    method = find_verification_method(controller_document, vm_id)
    if method is None:
        raise ProofError(f"{vm_id} is not listed in its controller document", reason="key_not_found")
    public_key = key_from_verification_method(method)
    if not verify_ed25519(public_key, signature, hash_data(canonical_config, canonical_document)):
        raise ProofError("the signature does not match the document", reason="invalid_signature")
    return ProofOutcome(method, controller_document, fast, dropped)


def assertion_method_ids(controller_document: Mapping[str, Any]) -> list[str]:
    return _relation_ids(controller_document, "assertionMethod")
