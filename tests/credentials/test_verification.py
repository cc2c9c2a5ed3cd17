"""Verification for everyone: the public page and POST /api/v1/verify, each check in plain words, offline."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import osaamo.vc as vc
from osaamo.credentials import services, verification
from osaamo.credentials.models import TrustedIssuer
from tests.credentials.conftest import login, signed


def _verify_page(**data: Any) -> str:
    response = Client().post("/en/verify/", data)
    assert response.status_code in (200, 400)
    return response.content.decode()


def test_a_pasted_credential_is_valid_with_every_check_in_plain_words(issued: Any) -> None:
    page = _verify_page(text=issued.documents.get().signed_json)
    for text in ("Valid", "The signature is valid", "The key belongs to the issuer",
                 "neither revoked nor suspended", "Recognised higher-education institution",
                 "Tietosuoja käytännön työssä", "Olli Oppija"):
        assert text in page, text


def test_an_uploaded_file_is_verified(issued: Any) -> None:
    upload = SimpleUploadedFile("credential.json", issued.documents.get().signed_json.encode(),
                                content_type="application/json")
    assert "The signature is valid" in _verify_page(file=upload)


def test_signature_and_recognition_are_separate_answers(issued: Any) -> None:
    TrustedIssuer.objects.all().delete()
    report = verification.verify_credential(signed(issued))
    assert report.verified and report.status == "valid"
    recognised = report.check("recognised_issuer")
    assert recognised is not None and (recognised.outcome, recognised.reason) == ("warning", "not_recognised")
    assert report.issuer_recognised is False


@pytest.mark.parametrize(("mutate", "status", "reason"), [
    (lambda d: d.__setitem__("name", "Forged"), "invalid", "invalid_signature"),
    (lambda d: d["credentialSubject"]["achievement"].__setitem__("creditsAvailable", 50), "invalid",
     "invalid_signature"),
    (lambda d: d.__setitem__("@context", [*d["@context"], "https://example.org/private-context"]), "unverifiable",
     "context_not_bundled"),
    (lambda d: d.__setitem__("issuer", 42), "invalid", None),
    (lambda d: d.pop("proof"), "invalid", "missing_proof"),
])
def test_changed_or_malformed_credentials_fail_clearly(issued: Any, mutate: Any, status: str,
                                                       reason: str | None) -> None:
    document = signed(issued)
    mutate(document)
    report = verification.verify_credential(document)
    assert report.status == status
    proof = report.check("proof")
    assert proof is not None
    if reason:
        assert proof.reason == reason
        assert proof.message != str(verification.FALLBACK_MESSAGE)  # a sentence of its own for each reason
    page = _verify_page(text=json.dumps(document))
    assert str(verification.HEADLINES[status]) in page


@pytest.mark.parametrize(("text", "expected"), [
    ("this is not json", "the text is not JSON"),
    ("[1, 2, 3]", "a credential is a JSON object"),
    ('{"a":' * 100_000, "not JSON"),
    ("x" * 1_000_001, "too large"),
    (json.dumps({"@context": 5, "proof": {"type": 7}, "issuer": [], "credentialSubject": "x"}), "Not valid"),
])
def test_bad_input_gets_a_clear_result_never_a_server_error(db: Any, text: str, expected: str) -> None:
    assert expected in _verify_page(text=text)


def test_an_empty_form_says_what_to_do(db: Any) -> None:
    response = Client().post("/en/verify/", {})
    assert response.status_code == 400
    assert "Paste a credential or choose a file." in response.content.decode()


def test_revoked_suspended_and_not_yet_valid(issued: Any, helsinki_registrar: Any, offering: Any) -> None:
    from tests.credentials.conftest import complete, make_learner

    document = signed(issued)
    services.credential_suspend(credential=issued, by=helsinki_registrar, reason="check")
    assert verification.verify_credential(document).status == "suspended"
    services.credential_revoke(credential=issued, by=helsinki_registrar, reason="wrong person")
    assert verification.verify_credential(document).status == "revoked"
    # Before its validFrom. Last, on a credential nobody revoked: osaamo.vc memoises a status list's
    # verification by the list's content, the "not yet valid" answer included.
    other, _ = services.credential_issue_for_enrolment(
        enrolment=complete(offering, make_learner(), helsinki_registrar), by=helsinki_registrar)
    early = verification.verify_credential(signed(other), now=datetime(2000, 1, 1, tzinfo=UTC))
    assert early.status == "not_yet_valid"


def test_an_expired_credential(db: Any) -> None:
    key = vc.generate_key_pair()
    signer = vc.Signer.for_did_key(key)
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                  "issuer": signer.verification_method.split("#")[0], "validFrom": "2020-01-01T00:00:00Z",
                  "validUntil": "2021-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:1"}}
    document = vc.issue(credential, signer=signer, now=datetime(2020, 6, 1, tzinfo=UTC))
    report = verification.verify_credential(document)
    assert report.status == "expired"
    # a did:key issuer verifies offline; it is simply not a recognised institution
    assert report.check("proof").outcome == "passed"
    assert report.check("recognised_issuer").reason == "not_recognised"


def test_a_foreign_did_web_issuer_is_not_resolvable_offline_unless_stored(db: Any, operator_org: Any) -> None:
    from tests.factories import make_user

    key = vc.generate_key_pair()
    did = "did:web:other-university.example"
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                  "issuer": did, "validFrom": "2024-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:1"}}
    document = vc.issue(credential, signer=vc.Signer(f"{did}#key-1", key), now=datetime(2024, 1, 1, tzinfo=UTC))
    report = verification.verify_credential(document)
    assert report.status == "unverifiable"
    assert report.check("proof").reason == "issuer_not_resolvable_offline"
    assert "works offline" in report.check("proof").message
    operator = make_user("olli@osaamo.example", "Olli", operator_org, "operator")
    services.trusted_issuer_add(by=operator, did=did, name={"en": "Other University"}, institution_code="99999",
                                did_document=vc.build_did_web_document(did, [("key-1", key.public_key())]))
    report = verification.verify_credential(document)
    assert report.status == "valid" and report.issuer_recognised and report.institution_code == "99999"


def test_the_operator_keeps_the_list_of_recognised_issuers(issued: Any, operator_org: Any,
                                                          helsinki_admin: Any) -> None:
    from tests.factories import make_user

    assert login(helsinki_admin).get("/en/operator/recognised-issuers/").status_code == 404
    operator = make_user("olli@osaamo.example", "Olli", operator_org, "operator")
    client = login(operator)
    page = client.get("/en/operator/recognised-issuers/").content.decode()
    assert "did:web:osaamo.example.fi:issuers:helsinki" in page and "added automatically" in page
    response = client.post("/en/operator/recognised-issuers/", {"did": "did:web:uni.example", "name_en": "Uni",
                                                                "did_document": "{not json"})
    assert response.status_code == 400 and "not valid JSON" in response.content.decode()
    client.post("/en/operator/recognised-issuers/", {"did": "did:web:uni.example", "name_en": "Uni"})
    assert TrustedIssuer.objects.filter(did="did:web:uni.example").exists()
    helsinki_entry = TrustedIssuer.objects.get(did="did:web:osaamo.example.fi:issuers:helsinki")
    client.post(f"/en/operator/recognised-issuers/{helsinki_entry.pk}/remove/")
    assert verification.verify_credential(signed(issued)).issuer_recognised is False


@pytest.mark.parametrize(("language", "headline", "signature"), [
    ("fi", "Voimassa", "Allekirjoitus"),
    ("sv", "Giltigt", "Underskrift"),
])
def test_the_verification_speaks_finnish_and_swedish(issued: Any, language: str, headline: str,
                                                     signature: str) -> None:
    page = Client().post(f"/{language}/verify/", {"text": issued.documents.get().signed_json}).content.decode()
    assert headline in page and signature in page


def test_the_qr_code_page_verifies_the_credential(issued: Any) -> None:
    page = Client().get(f"/en/verify/c/{issued.public_code}/").content.decode()
    assert "The signature is valid" in page
    assert Client().get("/en/verify/c/unknown/").status_code == 404


# --- the API ------------------------------------------------------------------------------------------------


def _api(body: Any, **headers: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return Client().post("/api/v1/verify", raw, content_type="application/json", headers=headers)


def test_the_api_answers_each_check(issued: Any) -> None:
    response = _api({"verifiableCredential": signed(issued)}, **{"Accept-Language": "sv"})
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True and body["status"] == "valid"
    assert [c["code"] for c in body["checks"]] == ["proof", "issuer_key", "validity_period", "status", "schema",
                                                    "recognised_issuer"]
    assert body["issuer"] == {"id": "did:web:osaamo.example.fi:issuers:helsinki", "recognised": True,
                              "name": "Helsingfors universitet", "institution_code": ""}
    assert body["headline"] == "Giltigt"
    assert body["credential"]["name"] == "Tietosuoja käytännön työssä"
    # the credential as JSON text, byte for byte as received
    text = _api({"verifiableCredential": issued.documents.get().signed_json}).json()
    assert text["status"] == "valid"


def test_the_api_reports_revocation(issued: Any, helsinki_registrar: Any) -> None:
    services.credential_revoke(credential=issued, by=helsinki_registrar, reason="x")
    body = _api({"verifiableCredential": signed(issued)}).json()
    assert body["verified"] is False and body["status"] == "revoked"
    status = next(c for c in body["checks"] if c["code"] == "status")
    assert (status["outcome"], status["reason"]) == ("failed", "revoked")


@pytest.mark.parametrize(("body", "status", "code"), [
    ("{", 400, "malformed_request"),
    ({}, 422, "invalid_input"),
    ({"verifiableCredential": 5}, 422, "invalid_input"),
    ({"verifiableCredential": {}, "extra": 1}, 422, "invalid_input"),
])
def test_bad_api_requests_get_the_error_shape(db: Any, body: Any, status: int, code: str) -> None:
    response = _api(body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(("credential", "status"), [
    ("not json", "bad_input"),
    ("x" * 1_000_001, "bad_input"),
    ({"@context": "https://example.org/unknown", "proof": {}}, "invalid"),
    ({"issuer": {"id": []}, "proof": [1, 2], "@context": [None]}, "invalid"),
])
def test_bad_credentials_are_a_clear_answer_in_the_api(db: Any, credential: Any, status: str) -> None:
    response = _api({"verifiableCredential": credential})
    assert response.status_code == 200
    assert response.json()["status"] == status
    assert response.json()["verified"] is False


def test_a_tampered_copy_is_refused_by_the_api(issued: Any) -> None:
    document = copy.deepcopy(signed(issued))
    document["credentialSubject"]["result"][0]["value"] = "5"
    assert _api({"verifiableCredential": document}).json()["status"] == "invalid"
