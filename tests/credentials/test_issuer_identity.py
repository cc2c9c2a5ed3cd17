"""Issuer identity: did:web from the base URL, the DID document with every key, rotation that keeps old
credentials verifiable, and private keys that never leave the key store."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client, override_settings

import osaamo.vc as vc
from osaamo.audit.models import AuditEntry
from osaamo.credentials import keystore, services, verification
from osaamo.credentials.identity import issuer_did
from osaamo.credentials.models import IssuerKey
from tests.credentials.conftest import login, signed


def test_the_did_is_derived_from_the_base_url_with_the_port_percent_encoded(settings: Any) -> None:
    settings.BASE_URL = "http://127.0.0.1:8000"
    assert issuer_did("helsinki") == "did:web:127.0.0.1%3A8000:issuers:helsinki"
    settings.BASE_URL = "https://osaamo.example.fi"
    assert issuer_did("helsinki") == "did:web:osaamo.example.fi:issuers:helsinki"
    assert vc.did_web_to_url(issuer_did("helsinki")) == "https://osaamo.example.fi/issuers/helsinki/did.json"


def test_the_did_document_lists_every_key_as_multikey_for_assertion(issued: Any, helsinki: Any,
                                                                    helsinki_admin: Any) -> None:
    services.issuer_key_rotate(provider=helsinki, by=helsinki_admin)
    response = Client().get("/issuers/helsinki/did.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    did = "did:web:osaamo.example.fi:issuers:helsinki"
    assert document["id"] == did
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    methods = document["verificationMethod"]
    assert [m["id"] for m in methods] == [f"{did}#key-1", f"{did}#key-2"]
    assert all(m["type"] == "Multikey" and m["controller"] == did and m["publicKeyMultibase"].startswith("z6Mk")
               for m in methods)
    assert document["assertionMethod"] == [m["id"] for m in methods]


def test_an_unknown_issuer_has_no_did_document(db: Any) -> None:
    assert Client().get("/issuers/nobody/did.json").status_code == 404


def test_the_issuer_profile_is_served_in_the_asked_language(issued: Any) -> None:
    profile = Client().get("/issuers/helsinki?language=sv").json()
    assert profile["type"] == ["Profile"]
    assert profile["id"] == "did:web:osaamo.example.fi:issuers:helsinki"
    assert profile["name"] == "Helsingfors universitet"
    assert profile["address"]["addressCountryCode"] == "FI"


def test_after_rotation_the_new_key_signs_and_every_earlier_credential_still_verifies(
        issued: Any, helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any, offering: Any) -> None:
    from tests.credentials.conftest import complete, make_learner

    before = signed(issued)
    assert before["proof"]["verificationMethod"].endswith("#key-1")
    services.issuer_key_rotate(provider=helsinki, by=helsinki_admin)
    after, _created = services.credential_issue_for_enrolment(
        enrolment=complete(offering, make_learner(), helsinki_registrar), by=helsinki_registrar)
    assert signed(after)["proof"]["verificationMethod"].endswith("#key-2")
    for document in (before, signed(after)):
        report = verification.verify_credential(document)
        assert report.status == "valid", [c.as_dict() for c in report.checks]
    # a language version signed after the rotation is signed with the current key and verifies too
    late = signed(issued, "sv")
    assert late["proof"]["verificationMethod"].endswith("#key-2")
    assert verification.verify_credential(late).status == "valid"
    assert AuditEntry.objects.filter(action="issuer_key.rotated").count() == 1


def test_rotation_needs_the_provider_administrator(issued: Any, helsinki: Any, helsinki_registrar: Any) -> None:
    from osaamo.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.issuer_key_rotate(provider=helsinki, by=helsinki_registrar)
    registrar = login(helsinki_registrar)
    assert registrar.post("/en/provider/helsinki/credentials/keys/").status_code == 404
    assert IssuerKey.objects.filter(provider=helsinki).count() == 1


def test_the_administrator_rotates_on_the_keys_page(issued: Any, helsinki: Any, helsinki_admin: Any) -> None:
    client = login(helsinki_admin)
    response = client.post("/en/provider/helsinki/credentials/keys/", follow=True)
    assert "A new signing key key-2 is in use" in response.content.decode()
    assert list(IssuerKey.objects.filter(provider=helsinki, retired_at__isnull=True).values_list(
        "fragment", flat=True)) == ["key-2"]


def test_private_keys_are_encrypted_at_rest_and_bound_to_their_row(issued: Any, settings: Any) -> None:
    key = IssuerKey.objects.get()
    seed = keystore.decrypt_seed(key.encrypted_private_key, provider_id=key.provider_id, fragment=key.fragment)
    assert vc.encode_public_multikey(vc.private_key_from_bytes(seed).public_key()) == key.public_key_multibase
    assert seed not in bytes(key.encrypted_private_key)
    with pytest.raises(keystore.KeyDecryptionError):
        keystore.decrypt_seed(key.encrypted_private_key, provider_id=key.provider_id, fragment="key-9")
    with override_settings(OSAAMO_KEY_ENCRYPTION_KEY="another key-encryption key"), \
            pytest.raises(keystore.KeyDecryptionError):
        keystore.decrypt_seed(key.encrypted_private_key, provider_id=key.provider_id, fragment=key.fragment)


def test_no_private_key_appears_in_any_response_log_or_audit_row(
        issued: Any, helsinki: Any, helsinki_admin: Any, completed: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    services.issuer_key_rotate(provider=helsinki, by=helsinki_admin)
    learner = login(completed.learner)
    admin = login(helsinki_admin)
    bodies = [
        Client().get("/issuers/helsinki/did.json").content,
        Client().get("/issuers/helsinki").content,
        Client().get(json.loads(issued.documents.get().signed_json)["credentialStatus"][0]["statusListCredential"]
                     .replace("https://osaamo.example.fi", "")).content,
        learner.get(f"/en/wallet/{issued.uuid}/credential.json").content,
        learner.get("/en/wallet/export.zip").content,
        admin.get("/en/provider/helsinki/credentials/keys/").content,
        admin.get(f"/en/provider/helsinki/credentials/{issued.uuid}/").content,
        Client().post("/api/v1/verify", {"verifiableCredential": signed(issued)},
                      content_type="application/json").content,
    ]
    audit = json.dumps(list(AuditEntry.objects.values("data")), default=str).encode()
    logs = caplog.text.encode()
    for key in IssuerKey.objects.all():
        seed = keystore.decrypt_seed(key.encrypted_private_key, provider_id=key.provider_id, fragment=key.fragment)
        private = vc.private_key_from_bytes(seed)
        secrets = [seed, seed.hex().encode(), vc.encode_private_multikey(private).encode(),
                   bytes(key.encrypted_private_key), bytes(key.encrypted_private_key).hex().encode()]
        for secret in secrets:
            for body in [*bodies, audit, logs, repr(key).encode(), str(key).encode()]:
                assert secret not in body
