"""osaamo.vc — Verifiable Credentials for Osaamo, a pure library (no Django, no network I/O).

Issue Open Badges 3.0 / VC 2.0 credentials with ``eddsa-rdfc-2022`` Data Integrity proofs and
verify them (and legacy ``Ed25519Signature2020`` / ``eddsa-jcs-2022`` proofs); Multikey keys,
did:key / did:web documents, Bitstring Status Lists, bundled JSON-LD contexts only.
"""

from .canonical import CanonicalizationError, UndefinedTermsError, canonicalize, canonicalize_nquads
from .did import (
    DidResolutionError,
    Resolver,
    StaticResolver,
    build_did_web_document,
    did_web_to_url,
    resolve_did_key,
    url_to_did_web,
)
from .issuing import IssueError, issue
from .keys import (
    MultibaseError,
    Signer,
    decode_private_multikey,
    decode_public_multikey,
    encode_private_multikey,
    encode_public_multikey,
    generate_key_pair,
    private_key_from_bytes,
    private_key_to_bytes,
)
from .loader import ContextNotBundledError, DocumentLoader, default_loader
from .schema import SchemaReport, SchemaViolation, schema_report
from .status import (
    MIN_LIST_LENGTH,
    StatusList,
    StatusListError,
    build_status_list_credential,
    status_entry,
)
from .verification import Check, Outcome, StatusChecker, VerificationResult, verify

__all__ = [
    "MIN_LIST_LENGTH",
    "CanonicalizationError",
    "Check",
    "ContextNotBundledError",
    "DidResolutionError",
    "DocumentLoader",
    "IssueError",
    "MultibaseError",
    "Outcome",
    "Resolver",
    "SchemaReport",
    "SchemaViolation",
    "Signer",
    "StaticResolver",
    "StatusChecker",
    "StatusList",
    "StatusListError",
    "UndefinedTermsError",
    "VerificationResult",
    "build_did_web_document",
    "build_status_list_credential",
    "canonicalize",
    "canonicalize_nquads",
    "decode_private_multikey",
    "decode_public_multikey",
    "default_loader",
    "did_web_to_url",
    "encode_private_multikey",
    "encode_public_multikey",
    "generate_key_pair",
    "issue",
    "private_key_from_bytes",
    "private_key_to_bytes",
    "resolve_did_key",
    "schema_report",
    "status_entry",
    "url_to_did_web",
    "verify",
]
