"""DID documents: did:key (resolved offline) and did:web (built here, resolved from caller data).

The library performs no network I/O: a did:web document comes from a caller-supplied mapping or
callable (the platform's own database, or a local trust store).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, unquote, urlsplit

from .keys import MultibaseError, decode_public_multikey, encode_public_multikey

__all__ = [
    "DID_CONTEXTS",
    "DidResolutionError",
    "Resolver",
    "StaticResolver",
    "build_did_web_document",
    "did_web_to_url",
    "resolve_did_key",
    "url_to_did_web",
]

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class DidResolutionError(Exception):
    def __init__(self, message: str, *, reason: str = "not_found") -> None:
        super().__init__(message)
        self.reason = reason


@runtime_checkable
class Resolver(Protocol):
    """``resolve(did_or_url)`` returns the controller/DID document (a dict) or raises."""

    def resolve(self, did_or_url: str) -> Mapping[str, Any]: ...


def resolve_did_key(did: str) -> dict[str, Any]:
    """DID document of an Ed25519 ``did:key`` (did:key Method §3.1.1, Multikey form)."""
    base = did.split("#", 1)[0]
    if not base.startswith("did:key:"):
        raise DidResolutionError(f"not a did:key: {did}", reason="invalid_did")
    multikey = base[len("did:key:") :]
    try:
        decode_public_multikey(multikey)
    except (MultibaseError, ValueError) as exc:
        raise DidResolutionError(f"unsupported did:key {base}: {exc}", reason="invalid_did") from exc
    vm_id = f"{base}#{multikey}"
    return {
        "@context": list(DID_CONTEXTS),
        "id": base,
        "verificationMethod": [{"id": vm_id, "type": "Multikey", "controller": base, "publicKeyMultibase": multikey}],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }


def did_web_to_url(did: str) -> str:
    """did:web Method §3.2.2 (Read): ``did:web:host%3A8000:issuers:slug`` → ``https://host:8000/issuers/slug/did.json``."""
    base = did.split("#", 1)[0]
    if not base.startswith("did:web:") or len(base) <= len("did:web:"):
        raise DidResolutionError(f"not a did:web: {did}", reason="invalid_did")
    parts = base[len("did:web:") :].split(":")
    host = unquote(parts[0])
    if not host or "/" in host or any(not p for p in parts):
        raise DidResolutionError(f"malformed did:web: {did}", reason="invalid_did")
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def url_to_did_web(url: str) -> str:
    """Inverse of :func:`did_web_to_url`; accepts the base URL of the DID's home as well."""
    split = urlsplit(url)
    if split.scheme != "https" or not split.hostname:
        raise DidResolutionError(f"did:web needs an https URL: {url}", reason="invalid_did")
    host = split.netloc.lower()
    path = split.path
    for suffix in ("/.well-known/did.json", "/did.json"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    segments = [quote(s, safe="") for s in path.strip("/").split("/") if s]
    return ":".join(["did:web", quote(host, safe=""), *segments])


def build_did_web_document(
    did: str,
    keys: Iterable[tuple[str, Any]],
    *,
    assertion_key_ids: Iterable[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A did:web DID document listing every key as Multikey.

    ``keys`` is ``(fragment_or_id, public key or publicKeyMultibase)``; keep retired keys listed
    (and under ``assertionMethod``) so credentials they signed still verify after rotation.
    ``assertion_key_ids`` defaults to all keys.
    """
    methods = []
    ids = []
    for key_id, key in keys:
        vm_id = key_id if key_id.startswith(did) else f"{did}#{key_id.lstrip('#')}"
        multikey = key if isinstance(key, str) else encode_public_multikey(key)
        decode_public_multikey(multikey)  # refuse anything that is not an Ed25519 Multikey
        methods.append({"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey})
        ids.append(vm_id)
    if assertion_key_ids is None:
        assertion = ids
    else:
        assertion = [k if k.startswith(did) else f"{did}#{k.lstrip('#')}" for k in assertion_key_ids]
    document: dict[str, Any] = {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }
    if extra:
        document.update(extra)
    return document


class StaticResolver:
    """Resolver over did:key (built in) plus caller data for everything else.

    ``documents`` maps a DID (or controller URL) to its document, or is a callable returning the
    document or ``None``. Fragments are stripped before the lookup.
    """

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, Any]] | Callable[[str], Mapping[str, Any] | None] | None = None,
    ) -> None:
        self._documents = documents or {}

    def resolve(self, did_or_url: str) -> Mapping[str, Any]:
        if not isinstance(did_or_url, str) or not did_or_url:
            raise DidResolutionError("empty identifier", reason="invalid_did")
        base = did_or_url.split("#", 1)[0]
        if base.startswith("did:key:"):
            return resolve_did_key(base)
        documents = self._documents
        found = documents(base) if callable(documents) else documents.get(base)
        if found is None:
            raise DidResolutionError(f"no document known for {base}", reason="not_found")
        return found
