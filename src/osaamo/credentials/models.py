"""Issued credentials and what makes them verifiable: issuer keys, status lists, share links, trust.

An `IssuedCredential` is an immutable snapshot (style.md practice 8): `values` holds every value the
credential was made from, and each `CredentialDocument` the exact signed JSON text in one language.
Nothing is re-rendered from the live catalog; a correction is revoke + reissue. Revocation and
suspension are bits in the provider's Bitstring Status Lists (one `StatusEntry` per purpose, shared
by every language version of the credential).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation
from osaamo.translation import TranslatedTextField, translated

STATUS_LIST_LENGTH = 131_072  # Bitstring Status List v1.0 §3.1 minimum (herd privacy)


class IssuerKey(models.Model):
    """One Ed25519 signing key of a provider; the private key is stored encrypted (AES-GCM)."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="issuer_keys")
    fragment = models.CharField(_("key id"), max_length=40)
    public_key_multibase = models.CharField(_("public key"), max_length=64)
    encrypted_private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        ordering = ["provider_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "fragment"], name="issuerkey_unique_fragment"),
            models.UniqueConstraint(
                fields=["provider"], condition=Q(retired_at__isnull=True), name="issuerkey_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider.slug}#{self.fragment}"

    def __repr__(self) -> str:  # never show key material, not even encrypted
        return f"<IssuerKey {self.provider_id}#{self.fragment}>"

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", _("Revocation")
    SUSPENSION = "suspension", _("Suspension")


class StatusList(models.Model):
    """One Bitstring Status List of a provider, for one purpose; its signed credential is served as is."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="status_lists")
    number = models.PositiveIntegerField(_("number"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=StatusPurpose.choices)
    length = models.PositiveIntegerField(default=STATUS_LIST_LENGTH)
    bits = models.BinaryField(editable=False)
    allocated = models.PositiveIntegerField(default=0)
    is_full = models.BooleanField(default=False)
    signed_json = models.TextField(editable=False, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        ordering = ["provider_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "number"], name="statuslist_unique_number"),
        ]
        indexes = [models.Index(fields=["provider", "purpose", "is_full"])]

    def __str__(self) -> str:
        return f"{self.provider.slug}/{self.number} ({self.purpose})"


class CredentialState(models.TextChoices):
    ACTIVE = "active", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class IssuingJob(models.Model):
    """Bulk issuing for an offering's passed learners, run by a background task; resumable."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Issuing")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Stopped with an error")

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="issuing_jobs")
    offering = models.ForeignKey("catalog.Offering", on_delete=models.PROTECT, related_name="issuing_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    awarded_on = models.DateField(_("date of the result"), null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker running the job, renewed with every batch it commits. A worker that is
    # killed leaves a lease that runs out; then the job's watch task (services.issuing_job_watch) or
    # `osaamo resume_stalled_issuing` lets another worker continue after the last committed batch.
    worker = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("issuing job")
        verbose_name_plural = _("issuing jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.state})"

    @property
    def is_done(self) -> bool:
        return self.state in (self.State.FINISHED, self.State.FAILED)

    @property
    def processed(self) -> int:
        return self.issued + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))


class IssuedCredential(models.Model):
    """A micro-credential certificate issued to one learner: the snapshot and its status."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="issued_credentials")
    version = models.ForeignKey(
        "catalog.MicroCredentialVersion", on_delete=models.PROTECT, related_name="issued_credentials"
    )
    offering = models.ForeignKey(
        "catalog.Offering", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_credentials"
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_credentials"
    )
    # One result is issued once: "enrolment:<id>" for a completed enrolment, "result:<id>" for an
    # assessment result, "manual:<uuid>" for one issued by hand. The database holds the rule.
    idempotency_key = models.CharField(max_length=80, unique=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="credentials"
    )
    recipient_email = models.EmailField(_("learner's email address"), db_index=True)
    recipient_name = models.CharField(_("learner's name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    issuer_key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(editable=False)
    public_code = models.CharField(max_length=32, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=CredentialState.choices,
                             default=CredentialState.ACTIVE)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    job = models.ForeignKey(IssuingJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="credentials")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("issued credential")
        verbose_name_plural = _("issued credentials")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "-issued_at"]),
            models.Index(fields=["learner", "-issued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_email}"

    @property
    def title(self) -> str:
        return translated(self.values.get("achievement", {}).get("title"))

    @property
    def title_i18n(self) -> dict[str, str]:
        return dict(self.values.get("achievement", {}).get("title") or {})

    @property
    def issuer_name_i18n(self) -> dict[str, str]:
        return dict(self.values.get("issuer", {}).get("name") or {})

    @property
    def is_revoked(self) -> bool:
        return self.state == CredentialState.REVOKED

    @property
    def is_suspended(self) -> bool:
        return self.state == CredentialState.SUSPENDED


class StatusEntry(models.Model):
    """A credential's index in one status list; (list, index) is unique, so no index is ever shared."""

    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="entries")
    index = models.PositiveIntegerField()
    credential = models.ForeignKey(IssuedCredential, on_delete=models.CASCADE, related_name="status_entries")
    purpose = models.CharField(max_length=12, choices=StatusPurpose.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "index"], name="statusentry_unique_index"),
            models.UniqueConstraint(fields=["credential", "purpose"], name="statusentry_one_per_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.status_list} #{self.index}"


class CredentialDocument(models.Model):
    """The signed credential in one language, kept as the exact JSON text that was signed."""

    credential = models.ForeignKey(IssuedCredential, on_delete=models.CASCADE, related_name="documents")
    language = models.CharField(max_length=2, choices=settings.LANGUAGES)
    signed_json = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signed credential document")
        verbose_name_plural = _("signed credential documents")
        constraints = [
            models.UniqueConstraint(fields=["credential", "language"], name="credentialdocument_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.credential_id} ({self.language})"

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.signed_json)


class ShareLink(models.Model):
    """A link the learner gives to someone to see one credential; limited in time, can be withdrawn."""

    credential = models.ForeignKey(IssuedCredential, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("note for yourself"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share {self.pk} of {self.credential_id}"


class ShareView(models.Model):
    """One opening of a share link (when; nothing about who: the viewer is not identified)."""

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="views")
    viewed_at = models.DateTimeField()
    what = models.CharField(max_length=12, default="page")  # page | json

    class Meta:
        ordering = ["-viewed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.link_id} {self.viewed_at:%Y-%m-%d %H:%M}"


class LearnerIdentity(models.Model):
    """A learner's own decentralised identifier (e.g. did:key from their wallet), used as credentialSubject.id."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credential_identity")
    did = models.CharField(_("your DID"), max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learner identifier")
        verbose_name_plural = _("learner identifiers")

    def __str__(self) -> str:
        return self.did


class TrustedIssuer(models.Model):
    """An issuer the operator recognises as a higher-education institution (DID → name, code).

    A foreign did:web issuer can carry its DID document here, so that its credentials verify offline.
    """

    did = models.CharField(_("DID"), max_length=300, unique=True)
    name = TranslatedTextField(_("name"))
    institution_code = models.CharField(_("institution code"), max_length=20, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    did_document = models.JSONField(_("DID document"), null=True, blank=True)
    added_automatically = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recognised issuer")
        verbose_name_plural = _("recognised issuers")
        ordering = ["did"]

    def __str__(self) -> str:
        return translated(self.name) or self.did
