"""Third-party proof: a credential issued through the Django service verifies with Digital Bazaar's
@digitalbazaar/vc + eddsa-rdfc-2022, using the DID document and status lists that Osaamo serves (read
over HTTP from the test client and handed to Node as files — no internet), and is refused after any
single-field change or a revocation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from osaamo.credentials import services
from tests.credentials.conftest import signed
from tests.vc.conftest import node  # noqa: F401  (the Node runner fixture)

pytestmark = pytest.mark.node


def _served(document: dict[str, Any]) -> dict[str, Any]:
    """What a verifier would fetch: the issuer's did.json and each status list credential, as served."""
    client = Client()
    did = document["issuer"]["id"]
    served = {did: client.get("/issuers/helsinki/did.json").json()}
    for entry in document["credentialStatus"]:
        url = entry["statusListCredential"]
        served[url] = client.get(url.replace("https://osaamo.example.fi", "")).json()
    return served


def test_an_osaamo_credential_verifies_in_digital_bazaar_and_any_change_is_refused(
        node: Any, issued: Any, helsinki: Any, helsinki_admin: Any) -> None:  # noqa: F811
    services.issuer_key_rotate(provider=helsinki, by=helsinki_admin)  # a DID document with two keys
    credentials = [signed(issued, language) for language in ("fi", "sv", "en")]
    original = credentials[0]
    mutations = [
        lambda d: d.__setitem__("name", "Forged"),
        lambda d: d["credentialSubject"]["achievement"].__setitem__("creditsAvailable", 15),
        lambda d: d["credentialSubject"]["result"][0].__setitem__("value", "5"),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__("identityHash", "sha256$00"),
        lambda d: d["issuer"]["address"].__setitem__("addressCountryCode", "SE"),
        lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        lambda d: d["credentialSubject"]["achievement"]["alignment"].pop(),
        lambda d: d["credentialStatus"][0].__setitem__("statusListIndex", "1"),
    ]
    tampered = []
    for mutate in mutations:
        changed = copy.deepcopy(original)
        mutate(changed)
        tampered.append(changed)
    results = node("verify.mjs", {"documents": _served(original), "credentials": [*credentials, *tampered],
                                  "now": timezone.now().isoformat()})
    assert results[:3] == [{"verified": True, "errors": []}] * 3
    assert [r["verified"] for r in results[3:]] == [False] * len(tampered)


def test_digital_bazaar_refuses_a_revoked_osaamo_credential(node: Any, issued: Any,  # noqa: F811
                                                            helsinki_registrar: Any) -> None:
    document = signed(issued)
    services.credential_revoke(credential=issued, by=helsinki_registrar, reason="wrong person")
    results = node("verify.mjs", {"documents": _served(document), "credentials": [document],
                                  "now": timezone.now().isoformat()})
    assert results[0]["verified"] is False
    assert any("revocation" in error for error in results[0]["errors"])
