"""Interoperability proven by third-party software: Digital Bazaar's @digitalbazaar/vc stack."""

from __future__ import annotations

import copy
import json

import pytest

import osaamo.vc as vc
from tests.vc.conftest import NOW

pytestmark = pytest.mark.node

PEER_DID = "did:web:peer.example.org"


def _documents(issuer):
    return {issuer.did: issuer.did_document, **issuer.status_lists}


def test_osaamo_credential_verifies_in_digital_bazaar_and_tampering_is_caught(node, issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    tampered = []
    for mutate in (
        lambda d: d.__setitem__("name", "Forged"),
        lambda d: d["credentialSubject"]["achievement"].__setitem__("creditsAvailable", 50),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__("identityHash", "sha256$00"),
        lambda d: d["issuer"].__setitem__("name", "Another University"),
        lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        lambda d: d["credentialSubject"]["achievement"]["alignment"].pop(),
    ):
        copy_ = copy.deepcopy(signed)
        mutate(copy_)
        tampered.append(copy_)
    results = node(
        "verify.mjs", {"documents": _documents(issuer), "credentials": [signed, *tampered], "now": NOW.isoformat()}
    )
    assert results[0] == {"verified": True, "errors": []}
    assert [r["verified"] for r in results[1:]] == [False] * len(tampered)


def test_revoked_osaamo_credential_is_refused_by_digital_bazaar(node, issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    issuer.publish_list("https://osaamo.example.fi/status/jyu/1", "revocation", (94567,))
    results = node("verify.mjs", {"documents": _documents(issuer), "credentials": [signed], "now": NOW.isoformat()})
    assert results[0]["verified"] is False


def _peer_issue(node, micro_credential, suspended=()):
    credential = copy.deepcopy(micro_credential)
    credential["issuer"]["id"] = PEER_DID
    for entry in credential["credentialStatus"]:
        entry["statusListCredential"] = entry["statusListCredential"].replace(
            "osaamo.example.fi/status/jyu", "peer.example.org/status"
        )
    out = node(
        "issue.mjs",
        {
            "seedHex": "11" * 32,
            "controller": PEER_DID,
            "credential": credential,
            "now": "2025-06-13T12:00:00Z",
            "statusLists": [
                {"id": "https://peer.example.org/status/1", "purpose": "revocation", "setIndexes": []},
                {"id": "https://peer.example.org/status/2", "purpose": "suspension", "setIndexes": list(suspended)},
            ],
        },
    )
    document = vc.build_did_web_document(PEER_DID, [("key-1", out["publicKeyMultibase"])])
    return out, vc.StaticResolver({PEER_DID: document})


def test_digital_bazaar_credential_and_status_list_verify_in_osaamo(node, micro_credential):
    out, resolver = _peer_issue(node, micro_credential)
    result = vc.verify(out["credential"], resolver=resolver, status_checker=out["statusLists"].__getitem__, now=NOW)
    assert result.verified, result.errors
    assert result.check("status").reason == "valid"

    tampered = copy.deepcopy(out["credential"])
    tampered["credentialSubject"]["achievement"]["name"] = "Forged"
    assert vc.verify(tampered, resolver=resolver, now=NOW).check("proof").reason == "invalid_signature"

    # a status list whose bits were changed after signing is not trusted
    forged = copy.deepcopy(out["statusLists"])
    flipped = vc.StatusList()
    flipped.set(94567)
    forged["https://peer.example.org/status/1"]["credentialSubject"]["encodedList"] = flipped.encode()
    result = vc.verify(out["credential"], resolver=resolver, status_checker=forged.__getitem__, now=NOW)
    assert result.check("status").reason == "list_not_verified"


def test_digital_bazaar_suspension_is_seen_by_osaamo(node, micro_credential):
    out, resolver = _peer_issue(node, micro_credential, suspended=(94567,))
    result = vc.verify(out["credential"], resolver=resolver, status_checker=out["statusLists"].__getitem__, now=NOW)
    assert result.check("status").reason == "suspended"
    assert not result.verified


def test_legacy_ed25519_signature_2020_from_digital_bazaar_verifies(node):
    from tests.vc.corpus import vc11_credential

    credential = vc11_credential()
    did = "did:web:legacy.example.edu"
    credential["issuer"]["id"] = did
    out = node(
        "issue_legacy.mjs",
        {"seedHex": "33" * 32, "controller": did, "credential": credential, "now": "2024-01-01T00:00:00Z"},
    )
    vm = out["credential"]["proof"]["verificationMethod"]
    document = {
        "id": did,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": out["publicKeyMultibase"],
            }
        ],
        "assertionMethod": [vm],
    }
    result = vc.verify(out["credential"], resolver=vc.StaticResolver({did: document}), now=NOW)
    assert result.verified, result.errors
    tampered = json.loads(json.dumps(out["credential"]))
    tampered["name"] = "Forged"
    assert not vc.verify(tampered, resolver=vc.StaticResolver({did: document}), now=NOW).verified
