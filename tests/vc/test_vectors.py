"""Spec test vectors: W3C vc-di-eddsa TestVectors (eddsa-rdfc-2022, eddsa-jcs-2022), Multikey."""

from __future__ import annotations

import json

import pytest

import osaamo.vc as vc
from osaamo.vc.canonical import canonicalize
from osaamo.vc.proofs import create_proof, verify_proof
from tests.vc.conftest import HERE

VECTORS = HERE / "vectors" / "vc-di-eddsa"
ISSUER = "https://vc.example/issuers/5678"


def _load(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def key_pair():
    return _load("keyPair.json")


@pytest.fixture
def vector_resolver(key_pair):
    vm = f"{ISSUER}#{key_pair['publicKeyMultibase']}"
    document = {
        "id": ISSUER,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": ISSUER, "publicKeyMultibase": key_pair["publicKeyMultibase"]}
        ],
        "assertionMethod": [vm],
    }
    return vc.StaticResolver({ISSUER: document})


def test_published_private_key_gives_the_published_public_key(key_pair):
    private = vc.decode_private_multikey(key_pair["privateKeyMultibase"])
    assert vc.encode_public_multikey(private.public_key()) == key_pair["publicKeyMultibase"]
    assert vc.encode_private_multikey(private) == key_pair["privateKeyMultibase"]


def test_rdfc_proof_configuration_canonical_form_matches_the_vector(examples_loader):
    signed = _load("eddsa-rdfc-2022-signedDataInt.json")
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = signed["@context"]
    expected = (VECTORS / "eddsa-rdfc-2022-proofCanonDataInt.txt").read_text(encoding="utf-8")
    assert canonicalize(config, loader=examples_loader).nquads == expected


def test_rdfc_vector_verifies(examples_loader, vector_resolver):
    signed = _load("eddsa-rdfc-2022-signedDataInt.json")
    proof = signed.pop("proof")
    outcome = verify_proof(signed, proof, resolver=vector_resolver, loader=examples_loader)
    assert outcome.fast_path


def test_signing_the_vector_again_reproduces_its_proof_value(examples_loader, key_pair):
    # Ed25519 is deterministic (RFC 8032), so the same input must give the same signature.
    signed = _load("eddsa-rdfc-2022-signedDataInt.json")
    published = signed.pop("proof")
    signer = vc.Signer(published["verificationMethod"], vc.decode_private_multikey(key_pair["privateKeyMultibase"]))
    proof = create_proof(signed, signer=signer, created=published["created"], loader=examples_loader)
    assert proof["proofValue"] == published["proofValue"]


def test_jcs_vector_verifies(vector_resolver):
    signed = _load("eddsa-jcs-2022-signedJCS.json")
    proof = signed.pop("proof")
    verify_proof(signed, proof, resolver=vector_resolver)


def test_tampered_vector_fails(examples_loader, vector_resolver):
    signed = _load("eddsa-rdfc-2022-signedDataInt.json")
    proof = signed.pop("proof")
    signed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(vc.proofs.ProofError) as caught:
        verify_proof(signed, proof, resolver=vector_resolver, loader=examples_loader)
    assert caught.value.reason == "invalid_signature"


def test_verify_reports_the_vector_as_verified(examples_loader, vector_resolver):
    signed = _load("eddsa-rdfc-2022-signedDataInt.json")
    from tests.vc.conftest import NOW

    result = vc.verify(signed, resolver=vector_resolver, now=NOW, loader=examples_loader)
    assert result.verified, result.errors
    assert result.check("issuer_key").outcome == "passed"
