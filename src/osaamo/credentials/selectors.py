"""Reading credentials, tenant first: a learner reads their own, staff their provider's; anything
else is "not found", alike for "does not exist" and "not yours" (style.md practice 2)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from osaamo.accounts.models import Organisation
from osaamo.credentials import identity
from osaamo.credentials.models import (
    IssuedCredential,
    IssuerKey,
    IssuingJob,
    ShareLink,
    StatusList,
    TrustedIssuer,
)
from osaamo.errors import NotFound


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise NotFound() from None


def learner_credentials(*, user: Any) -> QuerySet[IssuedCredential]:
    if not getattr(user, "is_authenticated", False):
        return IssuedCredential.objects.none()
    return (IssuedCredential.objects.filter(learner=user).select_related("provider")
            .order_by("-issued_at", "-id"))


def learner_credential(*, user: Any, uuid_value: Any) -> IssuedCredential:
    found = learner_credentials(user=user).filter(uuid=_uuid(uuid_value)).first()
    if found is None:
        raise NotFound()
    return found


def learner_share_link(*, user: Any, credential: IssuedCredential, pk: int) -> ShareLink:
    found = credential.share_links.filter(pk=pk, credential__learner=user).first()
    if found is None:
        raise NotFound()
    return found


def active_share_link(*, token: str, now: Any = None) -> ShareLink:
    """A share link that is neither withdrawn nor expired; "not found" otherwise (no hint which)."""
    now = now or timezone.now()
    if not token or len(token) > 64:
        raise NotFound()
    found = (ShareLink.objects.select_related("credential__provider")
             .filter(token=token, withdrawn_at__isnull=True, expires_at__gt=now).first())
    if found is None:
        raise NotFound()
    return found


def credential_by_public_code(code: str) -> IssuedCredential:
    if not code or len(code) > 32:
        raise NotFound()
    found = IssuedCredential.objects.select_related("provider").filter(public_code=code).first()
    if found is None:
        raise NotFound()
    return found


def provider_credentials(*, provider: Organisation, q: str = "", state: str = "") -> QuerySet[IssuedCredential]:
    credentials = provider.issued_credentials.select_related("version__micro_credential").order_by("-issued_at", "-id")
    if q:
        credentials = credentials.filter(Q(recipient_email__icontains=q) | Q(recipient_name__icontains=q)
                                         | Q(version__micro_credential__code__icontains=q))
    if state:
        credentials = credentials.filter(state=state)
    return credentials


def provider_credential(*, provider: Organisation, uuid_value: Any) -> IssuedCredential:
    found = provider.issued_credentials.filter(uuid=_uuid(uuid_value)).first()
    if found is None:
        raise NotFound()
    return found


def provider_job(*, provider: Organisation, pk: int) -> IssuingJob:
    found = provider.issuing_jobs.select_related("offering__version").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def provider_keys(provider: Organisation) -> list[IssuerKey]:
    return list(IssuerKey.objects.filter(provider=provider).order_by("created_at", "id"))


def issuer_by_slug(slug: str) -> Organisation:
    """A provider that has an issuer identity (at least one key)."""
    provider = Organisation.objects.filter(slug=slug, issuer_keys__isnull=False).distinct().first()
    if provider is None:
        raise NotFound()
    return provider


def did_document_for_slug(slug: str) -> dict[str, Any]:
    provider = issuer_by_slug(slug)
    return identity.build_did_document(provider.slug, provider_keys(provider))


def status_list(*, slug: str, number: int) -> StatusList:
    found = StatusList.objects.filter(provider__slug=slug, number=number).exclude(signed_json="").first()
    if found is None:
        raise NotFound()
    return found


def trusted_issuer(did: str) -> TrustedIssuer | None:
    if not isinstance(did, str) or not did:
        return None
    return TrustedIssuer.objects.filter(did=did.split("#", 1)[0]).first()


def trusted_issuers() -> QuerySet[TrustedIssuer]:
    return TrustedIssuer.objects.select_related("organisation").order_by("did")
