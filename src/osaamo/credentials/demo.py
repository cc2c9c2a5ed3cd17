"""Demo certificates: `osaamo load_demo` (run by `make run`) issues credentials to the demo learners, one
of them revoked and one suspended, so that a newcomer sees the wallet and the verifier working at once.

Idempotent: each demo certificate has its own idempotency key, so running the demo again issues nothing
new and changes no status.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from osaamo.accounts.models import Organisation, User
from osaamo.catalog.models import MicroCredentialVersion, VersionState
from osaamo.credentials import services
from osaamo.credentials.models import CredentialState

# (learner email, provider slug, grade, state after issuing)
DEMO_CERTIFICATES: tuple[tuple[str, str, str, str], ...] = (  # states as plain codes
    ("learner@osaamo.demo", "helsinki", "5", CredentialState.ACTIVE),
    ("learner@osaamo.demo", "aalto", "4", CredentialState.SUSPENDED),
    ("oppija@osaamo.demo", "helsinki", "3", CredentialState.ACTIVE),
    ("oppija@osaamo.demo", "aalto", "4", CredentialState.REVOKED),
    ("elev@osaamo.demo", "helsinki", "4", CredentialState.ACTIVE),
)
REASONS: dict[str, str] = {
    CredentialState.REVOKED: "Demo: issued by mistake and replaced by a corrected certificate.",
    CredentialState.SUSPENDED: "Demo: the result is being re-checked after an appeal.",
}


def _staff(slug: str) -> User | None:
    for email in (f"registrar@{slug}.demo", f"admin@{slug}.demo"):
        user = User.objects.filter(email=email).first()
        if user is not None:
            return user
    return None


def _version(provider: Organisation, index: int) -> MicroCredentialVersion | None:
    versions = list(MicroCredentialVersion.objects.filter(
        micro_credential__provider=provider, state=VersionState.PUBLISHED).order_by("micro_credential__code")[:3])
    return versions[index % len(versions)] if versions else None


def demo_issue_credentials(*, report: Any = None, today: date | None = None) -> list[Any]:
    """Issue the demo certificates that are not there yet; returns the demo credentials."""
    today = today or timezone.localdate()
    issued = []
    for position, (email, slug, grade, state) in enumerate(DEMO_CERTIFICATES):
        learner = User.objects.filter(email=email).first()
        provider = Organisation.objects.filter(slug=slug).first()
        by = _staff(slug)
        version = _version(provider, position) if provider else None
        if learner is None or provider is None or by is None or version is None:
            continue  # a small demo content set without these (tests)
        credential, created = services.credential_issue_to_email(
            version=version, email=learner.email, by=by, request_key=f"demo-{position}-{email}-{slug}",
            grade=grade if version.grading_scale != "pass_fail" else "pass",
            awarded_on=today - timedelta(days=30 + 7 * position),
        )
        if created and state == CredentialState.REVOKED:
            services.credential_revoke(credential=credential, by=by, reason=REASONS[state])
        elif created and state == CredentialState.SUSPENDED:
            services.credential_suspend(credential=credential, by=by, reason=REASONS[state])
        if report is not None:
            report.add("demo certificates", created)
        issued.append(credential)
    return issued
