"""issue() and verify(): one check per concern, with stable reason codes."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

import osaamo.vc as vc
from tests.vc.conftest import HERE, NOW, Issuer


def _verify(issuer: Issuer, document, **kwargs):
    kwargs.setdefault("now", NOW)
    return vc.verify(document, resolver=issuer.resolver(), status_checker=issuer.fetch, **kwargs)


def _outcomes(result):
    return {c.code: (str(c.outcome), c.reason) for c in result.checks}


def test_issued_credential_verifies_and_input_is_untouched(issuer, micro_credential):
    before = copy.deepcopy(micro_credential)
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    assert micro_credential == before
    assert signed["proof"]["type"] == "DataIntegrityProof"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["created"] == "2025-06-13T12:30:00Z"
    result = _verify(issuer, signed)
    assert result.verified, result.errors
    outcomes = _outcomes(result)
    assert outcomes["proof"] == ("passed", "valid")
    assert outcomes["issuer_key"] == ("passed", "valid")
    assert outcomes["validity_period"] == ("passed", "valid")
    assert outcomes["status"] == ("passed", "valid")
    assert [c.code for c in result.checks] == ["proof", "issuer_key", "validity_period", "status", "schema"]


@pytest.mark.parametrize(
    "path",
    [
        ("name",),
        ("validFrom",),
        ("credentialSubject", "achievement", "name"),
        ("credentialSubject", "achievement", "creditsAvailable"),
        ("credentialSubject", "identifier", 0, "identityHash"),
        ("credentialStatus", 0, "statusListIndex"),
        ("issuer", "name"),
    ],
)
def test_any_single_field_change_breaks_the_proof(issuer, micro_credential, path):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    target = signed
    for step in path[:-1]:
        target = target[step]
    value = target[path[-1]]
    target[path[-1]] = (
        6 if isinstance(value, int | float) else ("2025-06-14T12:00:00Z" if "T" in str(value) else value + "x")
    )
    assert _outcomes(_verify(issuer, signed))["proof"] == ("failed", "invalid_signature")


@pytest.mark.parametrize(
    "where",
    [
        (),
        ("credentialSubject",),
        ("credentialSubject", "achievement"),
        ("credentialSubject", "achievement", "criteria"),
    ],
)
def test_issue_refuses_terms_no_context_defines(issuer, micro_credential, where):
    target = micro_credential
    for step in where:
        target = target[step]
    target["participationMode"] = "online"
    with pytest.raises(vc.IssueError) as caught:
        vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    assert caught.value.reason == "undefined_term"
    assert "participationMode" in str(caught.value)


def test_verify_reports_undefined_terms(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    signed["credentialSubject"]["sneaky"] = "unsigned"
    result = _verify(issuer, signed)
    assert _outcomes(result)["proof"] == ("failed", "undefined_term")
    assert "sneaky" in result.check("proof").detail


def test_issue_refuses_unbundled_contexts(issuer, micro_credential):
    micro_credential["@context"].append("https://example.org/my-private-context.jsonld")
    with pytest.raises(vc.IssueError) as caught:
        vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    assert caught.value.reason == "context_not_bundled"
    assert "https://example.org/my-private-context.jsonld" in str(caught.value)


def test_loader_refuses_other_urls_with_the_url_in_the_message():
    with pytest.raises(vc.ContextNotBundledError, match=r"https://evil\.example/ctx"):
        vc.default_loader().get("https://evil.example/ctx")


def test_validity_period(issuer, micro_credential):
    micro_credential["validUntil"] = "2026-01-01T00:00:00Z"
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    early = _verify(issuer, signed, now=datetime(2025, 1, 1, tzinfo=UTC))
    late = _verify(issuer, signed, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert _outcomes(early)["validity_period"] == ("failed", "not_yet_valid")
    assert _outcomes(late)["validity_period"] == ("failed", "expired")
    assert not early.verified and not late.verified


@pytest.mark.parametrize(("purpose", "reason"), [("revocation", "revoked"), ("suspension", "suspended")])
def test_revoked_and_suspended(issuer, micro_credential, purpose, reason):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    number = 1 if purpose == "revocation" else 2
    issuer.publish_list(f"https://osaamo.example.fi/status/jyu/{number}", purpose, (94567,))
    result = _verify(issuer, signed)
    assert _outcomes(result)["status"] == ("failed", reason)
    assert not result.verified


def test_status_list_must_match_purpose_issuer_and_proof(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    issuer.publish_list("https://osaamo.example.fi/status/jyu/1", "suspension")
    assert _outcomes(_verify(issuer, signed))["status"] == ("failed", "purpose_mismatch")

    issuer.publish_list("https://osaamo.example.fi/status/jyu/1", "revocation")
    issuer.status_lists["https://osaamo.example.fi/status/jyu/1"]["credentialSubject"]["encodedList"] = (
        vc.StatusList().encode()[:-4] + "AAAA"
    )
    assert _outcomes(_verify(issuer, signed))["status"] == ("failed", "list_not_verified")

    stranger = Issuer("did:web:stranger.example", seed=b"\x09" * 32)
    foreign = stranger.publish_list("https://osaamo.example.fi/status/jyu/1", "revocation")
    issuer.status_lists["https://osaamo.example.fi/status/jyu/1"] = foreign
    resolver = vc.StaticResolver({issuer.did: issuer.did_document, stranger.did: stranger.did_document})
    result = vc.verify(signed, resolver=resolver, status_checker=issuer.fetch, now=NOW)
    assert _outcomes(result)["status"] == ("failed", "list_issuer_mismatch")


def test_short_status_list_is_refused(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    unsigned = vc.build_status_list_credential(
        list_id="https://osaamo.example.fi/status/jyu/1",
        issuer=issuer.did,
        purpose="revocation",
        status_list=vc.StatusList(8192),
        valid_from="2025-01-01T00:00:00Z",
    )
    issuer.status_lists["https://osaamo.example.fi/status/jyu/1"] = vc.issue(unsigned, signer=issuer.signer, now=NOW)
    assert _outcomes(_verify(issuer, signed))["status"] == ("failed", "list_too_short")


def test_status_without_fetcher_or_unknown_type_is_a_warning(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    result = vc.verify(signed, resolver=issuer.resolver(), now=NOW)
    assert _outcomes(result)["status"] == ("warning", "status_not_checked")
    assert result.verified
    micro_credential["credentialStatus"] = {"id": "https://x.example/1", "type": "1EdTechRevocationList"}
    micro_credential["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    other = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    assert _outcomes(_verify(issuer, other))["status"] == ("warning", "unsupported_status_type")


def test_key_rotation_old_key_still_verifies(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.old_signer, now=NOW)
    assert _verify(issuer, signed).verified
    issuer.did_document["assertionMethod"] = [issuer.signer.verification_method]
    assert _outcomes(_verify(issuer, signed))["issuer_key"] == ("failed", "not_assertion_method")


def test_key_of_another_controller_is_not_the_issuers(issuer, micro_credential):
    other = Issuer("did:web:other.example", seed=b"\x08" * 32)
    signed = vc.issue(micro_credential, signer=other.signer, now=NOW)
    resolver = vc.StaticResolver({issuer.did: issuer.did_document, other.did: other.did_document})
    result = vc.verify(signed, resolver=resolver, status_checker=issuer.fetch, now=NOW)
    assert _outcomes(result)["proof"] == ("passed", "valid")
    assert _outcomes(result)["issuer_key"] == ("failed", "controller_mismatch")
    assert not result.verified


def test_unknown_did_is_key_not_found(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    result = vc.verify(signed, resolver=vc.StaticResolver({}), now=NOW)
    assert _outcomes(result)["proof"] == ("failed", "key_not_found")


def test_did_key_issuer_works_without_a_resolver(micro_credential):
    key = vc.private_key_from_bytes(b"\x03" * 32)
    signer = vc.Signer.for_did_key(key)
    micro_credential["issuer"]["id"] = signer.controller
    micro_credential.pop("credentialStatus")
    signed = vc.issue(micro_credential, signer=signer, now=NOW)
    assert vc.verify(signed, now=NOW).verified


def test_legacy_ed25519_signature_2020_credential_verifies():
    fixture = json.loads((HERE / "vectors" / "legacy-ed25519-signature-2020.json").read_text(encoding="utf-8"))
    credential = fixture["credential"]
    did = credential["issuer"]["id"]
    vm = credential["proof"]["verificationMethod"]
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Ed25519VerificationKey2020",
                "controller": did,
                "publicKeyMultibase": fixture["publicKeyMultibase"],
            }
        ],
        "assertionMethod": [vm],
    }
    resolver = vc.StaticResolver({did: document})
    result = vc.verify(credential, resolver=resolver, now=NOW)
    assert result.verified, result.errors
    assert result.check("proof").data["proofType"] == "Ed25519Signature2020"
    credential["credentialSubject"]["achievement"]["name"] = "Leadership"
    assert vc.verify(credential, resolver=resolver, now=NOW).check("proof").reason == "invalid_signature"
    expired = vc.verify(fixture["credential"], resolver=resolver, now=datetime(2031, 1, 1, tzinfo=UTC))
    assert _outcomes(expired)["validity_period"] == ("failed", "expired")


def test_public_nquads_helper(micro_credential):
    nquads = vc.canonicalize_nquads(micro_credential)
    assert '<https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType> "MicroCredential"' in nquads
    assert nquads.endswith(" .\n")


def test_schema_check_is_reported(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    schema = _verify(issuer, signed).check("schema")
    assert schema is not None and (schema.outcome, schema.reason) == ("passed", "valid")
    assert _verify(issuer, signed, schema_check=False).check("schema").outcome == "not_applicable"
