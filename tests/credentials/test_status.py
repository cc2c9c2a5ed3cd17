"""Revocation and suspension: with a reason, audited, in a signed status list served with caching headers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

import osaamo.vc as vc
from osaamo.audit.models import AuditEntry
from osaamo.credentials import services, verification
from osaamo.errors import Conflict, InvalidInput
from tests.credentials.conftest import login, signed


def _list_path(document: dict[str, Any], purpose: str) -> str:
    entry = next(e for e in document["credentialStatus"] if e["statusPurpose"] == purpose)
    return entry["statusListCredential"].replace("https://osaamo.example.fi", "")


def _bit(document: dict[str, Any], purpose: str) -> bool:
    entry = next(e for e in document["credentialStatus"] if e["statusPurpose"] == purpose)
    served = Client().get(_list_path(document, purpose)).json()
    return vc.StatusList.decode(served["credentialSubject"]["encodedList"]).get(int(entry["statusListIndex"]))


def test_the_status_list_is_a_signed_credential_with_caching_headers(issued: Any) -> None:
    document = signed(issued)
    path = _list_path(document, "revocation")
    response = Client().get(path)
    assert response.status_code == 200
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    served = json.loads(response.content)
    assert served["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert served["issuer"] == "did:web:osaamo.example.fi:issuers:helsinki"
    assert served["credentialSubject"]["statusPurpose"] == "revocation"
    assert vc.StatusList.decode(served["credentialSubject"]["encodedList"]).length >= 131_072
    assert vc.verify(served, resolver=verification.resolver(), now=issued.issued_at).verified
    again = Client().get(path, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert Client().get("/status/helsinki/999").status_code == 404


def test_revoking_needs_a_reason_is_audited_and_revokes_every_language(issued: Any, helsinki_registrar: Any) -> None:
    document, swedish = signed(issued), signed(issued, "sv")
    client = login(helsinki_registrar)
    etag = Client().get(_list_path(document, "revocation"))["ETag"]
    response = client.post(f"/en/provider/helsinki/credentials/{issued.uuid}/revoke/", {"reason": ""}, follow=True)
    assert "Give the reason" in response.content.decode()
    issued.refresh_from_db()
    assert issued.state == "active"
    response = client.post(f"/en/provider/helsinki/credentials/{issued.uuid}/revoke/",
                           {"reason": "Grade recorded for the wrong person"}, follow=True)
    assert "The credential was revoked." in response.content.decode()
    issued.refresh_from_db()
    assert issued.state == "revoked" and issued.revocation_reason == "Grade recorded for the wrong person"
    audit = AuditEntry.objects.get(action="credential.revoked")
    assert audit.data["reason"] == "Grade recorded for the wrong person"
    assert audit.actor == helsinki_registrar
    assert _bit(document, "revocation") is True
    assert Client().get(_list_path(document, "revocation"), headers={"If-None-Match": etag}).status_code == 200
    for version in (document, swedish, signed(issued, "en")):
        assert verification.verify_credential(version).status == "revoked"
    with pytest.raises(Conflict):
        services.credential_revoke(credential=issued, by=helsinki_registrar, reason="again")


def test_a_suspension_can_be_lifted(issued: Any, helsinki_registrar: Any) -> None:
    document = signed(issued)
    with pytest.raises(InvalidInput):
        services.credential_suspend(credential=issued, by=helsinki_registrar, reason="  ")
    services.credential_suspend(credential=issued, by=helsinki_registrar, reason="Appeal under review")
    assert verification.verify_credential(document).status == "suspended"
    assert _bit(document, "suspension") is True and _bit(document, "revocation") is False
    client = login(helsinki_registrar)
    client.post(f"/en/provider/helsinki/credentials/{issued.uuid}/unsuspend/", {"reason": "Appeal settled"})
    issued.refresh_from_db()
    assert issued.state == "active"
    assert verification.verify_credential(document).status == "valid"
    assert list(AuditEntry.objects.filter(action__startswith="credential.").order_by("id").values_list(
        "action", flat=True)) == ["credential.issued", "credential.suspended", "credential.unsuspended"]


def test_another_provider_cannot_revoke(issued: Any, aalto_admin: Any) -> None:
    response = login(aalto_admin).post(f"/en/provider/helsinki/credentials/{issued.uuid}/revoke/",
                                       {"reason": "no"})
    assert response.status_code == 404
    response = login(aalto_admin).post(f"/en/provider/aalto/credentials/{issued.uuid}/revoke/", {"reason": "no"})
    assert response.status_code == 404
    issued.refresh_from_db()
    assert issued.state == "active"
