"""`make run` issues demo certificates: one revoked, one suspended, and nothing twice."""

from __future__ import annotations

from typing import Any

from osaamo.credentials import verification
from osaamo.credentials.models import IssuedCredential
from osaamo.demo.services import demo_load_all


def test_the_demo_issues_certificates_once_with_one_revoked_and_one_suspended(db: Any) -> None:
    demo_load_all()
    states = sorted(IssuedCredential.objects.values_list("state", flat=True))
    assert states.count("revoked") == 1 and states.count("suspended") == 1 and states.count("active") >= 3
    assert set(IssuedCredential.objects.values_list("recipient_email", flat=True)) == {
        "learner@osaamo.demo", "oppija@osaamo.demo", "elev@osaamo.demo"}
    for credential in IssuedCredential.objects.all():
        document = credential.documents.get(language=credential.language).signed_json
        assert verification.verify_credential(document).status == {
            "active": "valid", "revoked": "revoked", "suspended": "suspended"}[credential.state]
    demo_load_all()  # again: nothing new, no status changed
    assert sorted(IssuedCredential.objects.values_list("state", flat=True)) == states
