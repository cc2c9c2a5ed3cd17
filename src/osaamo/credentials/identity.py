"""Who issues: a provider's did:web identifier, its DID document, its issuer Profile and the
platform's public addresses (status lists, achievements, verification), all derived from
settings.BASE_URL so that one installation has one consistent set of identifiers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

import osaamo.vc as vc
from osaamo.accounts.models import Organisation
from osaamo.credentials.models import IssuerKey
from osaamo.translation import translated

ISSUER_PATH = "issuers"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def base_url() -> str:
    return str(settings.BASE_URL).rstrip("/")


def base_netloc() -> str:
    return urlsplit(base_url()).netloc.lower()


def issuer_did(slug: str) -> str:
    """`did:web:<host>:issuers:<slug>`; a port is percent-encoded (did:web Method §3.2.1)."""
    return ":".join(["did:web", quote(base_netloc(), safe=""), ISSUER_PATH, quote(slug, safe="")])


def provider_did(provider: Organisation) -> str:
    return issuer_did(provider.slug)


def slug_of_own_did(did: str) -> str | None:
    """The provider slug when `did` is one of this platform's issuer DIDs, else None."""
    base = did.split("#", 1)[0]
    prefix = ":".join(["did:web", quote(base_netloc(), safe=""), ISSUER_PATH]) + ":"
    if not base.startswith(prefix):
        return None
    slug = base[len(prefix):]
    return slug if slug and ":" not in slug else None


def did_document_url(slug: str) -> str:
    return f"{base_url()}/{ISSUER_PATH}/{slug}/did.json"


def profile_url(slug: str) -> str:
    return f"{base_url()}/{ISSUER_PATH}/{slug}"


def status_list_url(slug: str, number: int) -> str:
    return f"{base_url()}/status/{slug}/{number}"


def parse_status_list_url(url: str) -> tuple[str, int] | None:
    prefix = f"{base_url()}/status/"
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    parts = url[len(prefix):].split("/")
    if len(parts) != 2 or not parts[1].isdigit() or len(parts[1]) > 9:
        return None
    return parts[0], int(parts[1])


def achievement_id(provider_slug: str, slug: str, number: int) -> str:
    """A stable URI per catalog version (it redirects to the micro-credential's public page)."""
    return f"{base_url()}/achievements/{provider_slug}/{slug}/{number}"


def build_did_document(slug: str, keys: Iterable[IssuerKey]) -> dict[str, Any]:
    """Every key, current and retired, as Multikey under verificationMethod and assertionMethod,
    so that credentials signed before a rotation still verify (standards.md §3.5)."""
    did = issuer_did(slug)
    return vc.build_did_web_document(did, [(key.fragment, key.public_key_multibase) for key in keys])


def profile_from_values(values: Mapping[str, Any], language: str, *, with_context: bool = False,
                        brief: bool = False) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile. `brief`: id, type, name and homepage only, for a second mention of
    the same issuer in one credential (achievement.creator): its address and identifiers are stated
    once, on `issuer` — the same node (same id) — since a nested object without an id is a node of its
    own in RDF, and a copy would say the issuer has two addresses."""
    profile: dict[str, Any] = {}
    if with_context:
        profile["@context"] = [VC_CONTEXT, OB_CONTEXT]
    profile.update({"id": values["did"], "type": ["Profile"], "name": translated(values.get("name"), language)})
    if values.get("homepage"):
        profile["url"] = values["homepage"]
    if brief:
        return profile
    address: dict[str, Any] = {"type": ["Address"]}
    country_name = translated(values.get("country_name"), language)
    if country_name:
        address["addressCountry"] = country_name
    address["addressCountryCode"] = values.get("country") or "FI"
    if values.get("city"):
        address["addressLocality"] = values["city"]
    profile["address"] = address
    identifiers = []
    if values.get("institution_code"):
        identifiers.append({"type": "IdentifierEntry", "identifier": values["institution_code"],
                            "identifierType": "ext:InstitutionCode"})
    if values.get("business_id"):
        identifiers.append({"type": "IdentifierEntry", "identifier": values["business_id"],
                            "identifierType": "ext:BusinessId"})
    if identifiers:
        profile["otherIdentifier"] = identifiers
    return profile
