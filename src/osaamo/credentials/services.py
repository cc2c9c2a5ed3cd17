"""Writing credentials: issuer keys, issuing (one, or an offering's passed learners in the background),
status lists, revocation and suspension, language versions, share links, trusted issuers.

Every change leaves an audit row in its transaction; mail and tasks go out after commit. A result is
issued once: each credential carries an idempotency key ("enrolment:<id>", …) that the database
keeps unique, so repeating or resuming bulk issuing never issues twice.
"""

from __future__ import annotations

import gc
import json
import logging
import secrets
import uuid as uuid_module
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as concurrent_wait
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

import osaamo.vc as vc
from osaamo.accounts.models import Organisation, OrganisationKind, Role, User
from osaamo.accounts.selectors import REGISTRAR_ROLES, has_role
from osaamo.accounts.services import user_create
from osaamo.audit.services import audit_record
from osaamo.catalog.models import MicroCredentialVersion, Offering
from osaamo.credentials import building, identity, keystore
from osaamo.credentials.models import (
    STATUS_LIST_LENGTH,
    CredentialDocument,
    CredentialState,
    IssuedCredential,
    IssuerKey,
    IssuingJob,
    LearnerIdentity,
    ShareLink,
    ShareView,
    StatusEntry,
    StatusList,
    StatusPurpose,
    TrustedIssuer,
)
from osaamo.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from osaamo.framework.vocabularies import GradingScale, IdentityVerification
from osaamo.translation import LANGUAGE_CODES, translated

logger = logging.getLogger(__name__)

STATUS_LIST_TTL_SECONDS = 300
# A list takes new entries until three quarters are used, so a random free index is found in a
# few tries while every list stays large enough for herd privacy (Bitstring Status List §5.2).
STATUS_LIST_FILL_LIMIT = 0.75
SHARE_LINK_MAX_DAYS = 366  # "at most one year ahead" (finnish-context.md §5.12); a leap year has 366 days
GRADES_0_5 = ("1", "2", "3", "4", "5")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _require_registrar(by: Any, provider: Organisation) -> None:
    if not has_role(by, provider, REGISTRAR_ROLES):
        raise PermissionDenied()


def _is_operator(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.memberships.filter(
        role=Role.OPERATOR, organisation__kind=OrganisationKind.OPERATOR
    ).exists()


# --- issuer keys --------------------------------------------------------------------------------


def _new_key(provider: Organisation, fragment: str) -> IssuerKey:
    private_key = vc.generate_key_pair()
    seed = vc.private_key_to_bytes(private_key)
    return IssuerKey.objects.create(
        provider=provider,
        fragment=fragment,
        public_key_multibase=vc.encode_public_multikey(private_key.public_key()),
        encrypted_private_key=keystore.encrypt_seed(seed, provider_id=provider.pk, fragment=fragment),
    )


def issuer_key_current(provider: Organisation) -> IssuerKey:
    """The provider's signing key, created on first use (with the provider's trusted-issuer entry)."""
    key = IssuerKey.objects.filter(provider=provider, retired_at__isnull=True).first()
    if key is not None:
        return key
    if not provider.is_provider:
        raise Conflict(_("Only a higher-education institution issues credentials."), code="not_a_provider")
    with transaction.atomic():
        try:
            with transaction.atomic():
                key = _new_key(provider, "key-1")
        except IntegrityError:
            return IssuerKey.objects.get(provider=provider, retired_at__isnull=True)
        # Providers are admitted by the operator, so the platform's own issuers are recognised from
        # the start; the operator may remove the entry (it is never re-added by a rotation).
        TrustedIssuer.objects.get_or_create(
            did=identity.provider_did(provider),
            defaults={"name": dict(provider.name), "institution_code": provider.institution_code,
                      "organisation": provider, "added_automatically": True},
        )
        audit_record(action="issuer_key.created", actor=None, organisation=provider, target=key,
                     data={"key": key.fragment, "public_key": key.public_key_multibase})
    return key


def issuer_key_rotate(*, provider: Organisation, by: Any, now: datetime | None = None) -> IssuerKey:
    """Retire the current key and sign with a new one from now on; the old key stays in the DID
    document (verificationMethod and assertionMethod), so everything it signed still verifies."""
    if not (has_role(by, provider, (Role.PROVIDER_ADMIN,)) or _is_operator(by)):
        raise PermissionDenied()
    now = _now(now)
    issuer_key_current(provider)
    with transaction.atomic():
        keys = list(IssuerKey.objects.select_for_update().filter(provider=provider))
        current = next((k for k in keys if k.retired_at is None), None)
        numbers = [int(k.fragment.rsplit("-", 1)[-1]) for k in keys if k.fragment.rsplit("-", 1)[-1].isdigit()]
        if current is not None:
            current.retired_at = now
            current.save(update_fields=["retired_at"])
        key = _new_key(provider, f"key-{max(numbers, default=0) + 1}")
        audit_record(action="issuer_key.rotated", actor=by, organisation=provider, target=key,
                     data={"key": key.fragment, "public_key": key.public_key_multibase,
                           "retired": current.fragment if current else ""})
    return key


def signer_for(key: IssuerKey) -> vc.Signer:
    seed = keystore.decrypt_seed(bytes(key.encrypted_private_key), provider_id=key.provider_id,
                                 fragment=key.fragment)
    return vc.Signer(f"{identity.issuer_did(key.provider.slug)}#{key.fragment}", vc.private_key_from_bytes(seed))


# --- status lists -------------------------------------------------------------------------------


def _sign_status_list(status_list: StatusList, *, now: datetime, signer: vc.Signer | None = None) -> None:
    provider = status_list.provider
    signer = signer or signer_for(issuer_key_current(provider))
    unsigned = vc.build_status_list_credential(
        list_id=identity.status_list_url(provider.slug, status_list.number),
        issuer=identity.provider_did(provider),
        purpose=status_list.purpose,
        status_list=vc.StatusList(status_list.length, data=bytes(status_list.bits)),
        valid_from=building.timestamp(now),
        ttl_ms=STATUS_LIST_TTL_SECONDS * 1000,
    )
    signed = vc.issue(unsigned, signer=signer, now=now)
    status_list.signed_json = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    status_list.signed_at = now


def _open_status_list(provider: Organisation, purpose: str, now: datetime, signer: vc.Signer) -> StatusList:
    """The provider's list for `purpose` that still takes entries, locked; a new one when all are full."""
    for _attempt in range(5):
        # Only the columns an allocation needs: the bits and the signed list stay on disk.
        found = (StatusList.objects.select_for_update().only("pk", "provider", "number", "length", "allocated")
                 .filter(provider=provider, purpose=purpose, is_full=False).order_by("number").first())
        if found is not None:
            return found
        number = (StatusList.objects.filter(provider=provider).aggregate(n=Max("number"))["n"] or 0) + 1
        status_list = StatusList(provider=provider, number=number, purpose=purpose,
                                 bits=bytes(STATUS_LIST_LENGTH // 8), length=STATUS_LIST_LENGTH)
        _sign_status_list(status_list, now=now, signer=signer)
        try:
            with transaction.atomic():
                status_list.save()
        except IntegrityError:
            continue  # another transaction took this number: look again
        return StatusList.objects.select_for_update().only("pk", "provider", "number", "length", "allocated").get(
            pk=status_list.pk)
    raise Conflict(_("No status list could be opened; try again."), code="status_list_busy")


def _allocate(credential: IssuedCredential, purpose: str, now: datetime, signer: vc.Signer) -> StatusEntry:
    """A random free index (herd privacy) in an open list; (list, index) is unique in the database."""
    rng = secrets.SystemRandom()
    status_list = _open_status_list(credential.provider, purpose, now, signer)
    for _attempt in range(64):
        index = rng.randrange(status_list.length)
        try:
            with transaction.atomic():
                entry = StatusEntry.objects.create(status_list=status_list, index=index, credential=credential,
                                                   purpose=purpose)
        except IntegrityError:
            continue
        allocated = status_list.allocated + 1
        StatusList.objects.filter(pk=status_list.pk).update(
            allocated=F("allocated") + 1, is_full=allocated >= status_list.length * STATUS_LIST_FILL_LIMIT
        )
        return entry
    # Practically unreachable below the fill limit; close the list and let the caller try again.
    StatusList.objects.filter(pk=status_list.pk).update(is_full=True)
    raise Conflict(_("No free place was found in the status list; try again."), code="status_list_busy")


def _set_status_bit(credential: IssuedCredential, purpose: str, value: bool, now: datetime) -> None:
    entry = credential.status_entries.select_related("status_list").get(purpose=purpose)
    status_list = StatusList.objects.select_for_update().select_related("provider").get(pk=entry.status_list_id)
    bits = vc.StatusList(status_list.length, data=bytes(status_list.bits))
    if bits.get(entry.index) == value:
        return
    bits.set(entry.index, value)
    status_list.bits = bits.to_bytes()
    _sign_status_list(status_list, now=now)
    status_list.save(update_fields=["bits", "signed_json", "signed_at"])


# --- issuing --------------------------------------------------------------------------------------


@dataclass
class Recipient:
    email: str
    name: str = ""
    user: User | None = None
    did: str = ""
    language: str = "fi"


def recipient_for_user(user: User) -> Recipient:
    did_row = LearnerIdentity.objects.filter(user=user).first()
    language = user.preferred_language if user.preferred_language in LANGUAGE_CODES else "fi"
    return Recipient(email=user.email, name=user.full_name, user=user, did=did_row.did if did_row else "",
                     language=language)


def clean_grade(version: MicroCredentialVersion, grade: Any) -> str:
    """"" (no grade given) or a grade on the micro-credential's scale; a failing grade is refused."""
    grade = str(grade or "").strip().lower()
    if version.grading_scale == GradingScale.PASS_FAIL:
        if grade in ("", "pass", "hyväksytty", "godkänd"):
            return "pass"
        raise InvalidInput(details={"grade": [_("This micro-credential is graded pass / fail; a certificate is "
                                                "issued only for a pass.")]})
    if grade in ("", *GRADES_0_5):
        return grade
    raise InvalidInput(details={"grade": [_("Give a passing grade from 1 to 5 (0 is a fail).")]})


def credential_issue(
    *,
    version: MicroCredentialVersion,
    recipient: Recipient,
    by: Any,
    idempotency_key: str,
    offering: Offering | None = None,
    enrolment: Any = None,
    grade: Any = "",
    awarded_on: date | None = None,
    identity_verification: str = "",
    job: IssuingJob | None = None,
    now: datetime | None = None,
    version_data: Mapping[str, Any] | None = None,
    signer_cache: dict[int, vc.Signer] | None = None,
    notify: bool = True,
) -> tuple[IssuedCredential, bool]:
    """Issue one credential, signed in the learner's language. Returns (credential, created).

    Idempotent: a second call with the same `idempotency_key` returns the first credential. The
    other language versions are signed when first asked for (`credential_document`).
    """
    provider = version.micro_credential.provider
    _require_registrar(by, provider)
    existing = IssuedCredential.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    if version.state not in ("published", "retired"):
        raise Conflict(_("Only a published micro-credential can be certified."), code="not_published")
    if identity_verification and identity_verification not in IdentityVerification.values:
        raise InvalidInput(details={"identity_verification": [_("Choose one of the listed ways.")]})
    grade = clean_grade(version, grade)
    now = _now(now)
    awarded_on = awarded_on or timezone.localdate(now)
    if awarded_on > timezone.localdate(now):
        raise InvalidInput(details={"awarded_on": [_("The date of the result cannot be in the future.")]})
    key = issuer_key_current(provider)
    if signer_cache is not None and key.pk in signer_cache:
        signer = signer_cache[key.pk]
    else:
        signer = signer_for(key)
        if signer_cache is not None:
            signer_cache[key.pk] = signer
    data = version_data if version_data is not None else building.version_values(version)
    language = recipient.language if recipient.language in LANGUAGE_CODES else "fi"
    try:
        with transaction.atomic():
            credential = IssuedCredential.objects.create(
                provider=provider, version=version, offering=offering, enrolment=enrolment,
                idempotency_key=idempotency_key, learner=recipient.user, recipient_email=recipient.email.lower(),
                recipient_name=recipient.name, language=language, issuer_key=key, values={},
                public_code=secrets.token_urlsafe(15), issued_at=now.replace(microsecond=0),
                issued_by=by if getattr(by, "is_authenticated", False) else None, job=job,
            )
            status = {}
            for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION):
                entry = _allocate(credential, purpose, now, signer)
                status[str(purpose)] = {"url": identity.status_list_url(provider.slug, entry.status_list.number),
                                        "index": entry.index}
            credential.values = building.credential_values(
                credential_uuid=credential.uuid, version_data=data, offering=offering,
                learner_email=recipient.email, learner_name=recipient.name, learner_did=recipient.did,
                grade=grade, awarded_on=awarded_on, issued_at=credential.issued_at,
                identity_verification=identity_verification, status=status,
            )
            credential.save(update_fields=["values"])
            _sign_document(credential, language, signer=signer, created=credential.issued_at)
            audit_record(action="credential.issued", actor=by, organisation=provider, target=credential,
                         data={"uuid": str(credential.uuid), "version": version.pk, "email": credential.recipient_email,
                               "idempotency_key": idempotency_key, "job": job.pk if job else None})
            if notify:
                transaction.on_commit(lambda: _enqueue_mail(credential.pk))
    except IntegrityError:
        # The same result was issued meanwhile by another request or worker: answer with that one.
        existing = IssuedCredential.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return credential, True


def credential_issue_for_enrolment(
    *, enrolment: Any, by: Any, grade: Any = "", awarded_on: date | None = None, identity_verification: str = "",
    job: IssuingJob | None = None, now: datetime | None = None, version_data: Mapping[str, Any] | None = None,
    signer_cache: dict[int, vc.Signer] | None = None,
) -> tuple[IssuedCredential, bool]:
    """The certificate of a completed enrolment (also the hook for assessment results)."""
    from osaamo.enrolment.models import EnrolmentState

    if enrolment.state != EnrolmentState.COMPLETED:
        raise Conflict(_("A certificate is issued only for a completed (passed) enrolment."), code="not_completed")
    offering = enrolment.offering
    finished = enrolment.finished_at
    return credential_issue(
        version=offering.version, recipient=recipient_for_user(enrolment.learner), by=by,
        idempotency_key=f"enrolment:{enrolment.pk}", offering=offering, enrolment=enrolment, grade=grade,
        awarded_on=awarded_on or (timezone.localdate(finished) if finished else None),
        identity_verification=identity_verification, job=job, now=now, version_data=version_data,
        signer_cache=signer_cache,
    )


def credential_issue_to_email(
    *, version: MicroCredentialVersion, email: str, by: Any, request_key: str, grade: Any = "",
    awarded_on: date | None = None, identity_verification: str = "", offering: Offering | None = None,
    name: str = "", language: str = "", invite: bool = True, now: datetime | None = None,
) -> tuple[IssuedCredential, bool]:
    """Issue by hand to an email address. A learner without an account gets an invitation (an account
    whose password they choose from the link); the credential is theirs either way, by email.

    `request_key` identifies the form submission, so a double submit issues once.
    """
    provider = version.micro_credential.provider
    _require_registrar(by, provider)
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email or "@" not in email:
        raise InvalidInput(details={"email": [_("Enter the learner's email address.")]})
    user = User.objects.filter(email=email).first()
    invited = False
    if user is None and invite:
        user = user_create(email=email, password=None, full_name=name.strip(),
                           preferred_language=language if language in LANGUAGE_CODES else "fi")
        invited = True
    if user is not None:
        recipient = recipient_for_user(user)
        if name.strip() and not recipient.name:
            recipient.name = name.strip()
    else:
        recipient = Recipient(email=email, name=name.strip(), language=language or "fi")
    if language in LANGUAGE_CODES:
        recipient.language = language
    credential, created = credential_issue(
        version=version, recipient=recipient, by=by, idempotency_key=f"manual:{request_key}", offering=offering,
        grade=grade, awarded_on=awarded_on, identity_verification=identity_verification, now=now,
        notify=not invited,
    )
    if created and invited and user is not None:
        invited_user = user
        transaction.on_commit(lambda: _mail_invitation(credential.pk, invited_user.pk))
    return credential, created


def _sign_document(credential: IssuedCredential, language: str, *, signer: vc.Signer, created: datetime
                   ) -> CredentialDocument:
    unsigned = building.render_credential(credential.values, language)
    signed = vc.issue(unsigned, signer=signer, now=created)
    return CredentialDocument.objects.create(
        credential=credential, language=language,
        signed_json=json.dumps(signed, ensure_ascii=False, indent=2),
    )


def credential_document(credential: IssuedCredential, language: str) -> CredentialDocument:
    """The signed document in `language`: the stored one, or signed now from the snapshot (once; it
    never changes afterwards). Signed with the key that issued the credential while that key is
    current (then byte-identical whenever it is made), else with the provider's current key."""
    if language not in LANGUAGE_CODES:
        raise NotFound()
    found = credential.documents.filter(language=language).first()
    if found is not None:
        return found
    key = IssuerKey.objects.select_related("provider").get(pk=credential.issuer_key_id)  # fresh: rotation state
    if key.retired_at is None:
        signer, created = signer_for(key), credential.issued_at
    else:
        signer, created = signer_for(issuer_key_current(credential.provider)), timezone.now()
    try:
        with transaction.atomic():
            return _sign_document(credential, language, signer=signer, created=created)
    except IntegrityError:
        return credential.documents.get(language=language)


# --- revocation and suspension -------------------------------------------------------------------


def _clean_reason(reason: Any) -> str:
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput(details={"reason": [_("Give the reason; the learner sees it.")]})
    return reason[:2000]


def credential_revoke(*, credential: IssuedCredential, by: Any, reason: str, now: datetime | None = None
                      ) -> IssuedCredential:
    """Revoke for good (a correction is revoke + reissue). Every language version is revoked."""
    _require_registrar(by, credential.provider)
    reason = _clean_reason(reason)
    now = _now(now)
    with transaction.atomic():
        credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.state == CredentialState.REVOKED:
            raise Conflict(_("This credential has already been revoked."), code="already_revoked")
        _set_status_bit(credential, StatusPurpose.REVOCATION, True, now)
        previous = credential.state
        credential.state = CredentialState.REVOKED
        credential.revoked_at = now
        credential.revocation_reason = reason
        credential.save(update_fields=["state", "revoked_at", "revocation_reason"])
        audit_record(action="credential.revoked", actor=by, organisation=credential.provider, target=credential,
                     data={"uuid": str(credential.uuid), "reason": reason, "previous_state": previous})
    return credential


def credential_suspend(*, credential: IssuedCredential, by: Any, reason: str, now: datetime | None = None
                       ) -> IssuedCredential:
    _require_registrar(by, credential.provider)
    reason = _clean_reason(reason)
    now = _now(now)
    with transaction.atomic():
        credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.state != CredentialState.ACTIVE:
            raise Conflict(_("Only a valid credential can be suspended."), code="not_active")
        _set_status_bit(credential, StatusPurpose.SUSPENSION, True, now)
        credential.state = CredentialState.SUSPENDED
        credential.suspended_at = now
        credential.suspension_reason = reason
        credential.save(update_fields=["state", "suspended_at", "suspension_reason"])
        audit_record(action="credential.suspended", actor=by, organisation=credential.provider, target=credential,
                     data={"uuid": str(credential.uuid), "reason": reason})
    return credential


def credential_unsuspend(*, credential: IssuedCredential, by: Any, reason: str, now: datetime | None = None
                         ) -> IssuedCredential:
    """Lift a suspension: the credential is valid again."""
    _require_registrar(by, credential.provider)
    reason = _clean_reason(reason)
    now = _now(now)
    with transaction.atomic():
        credential = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if credential.state != CredentialState.SUSPENDED:
            raise Conflict(_("This credential is not suspended."), code="not_suspended")
        _set_status_bit(credential, StatusPurpose.SUSPENSION, False, now)
        credential.state = CredentialState.ACTIVE
        credential.save(update_fields=["state"])
        audit_record(action="credential.unsuspended", actor=by, organisation=credential.provider,
                     target=credential, data={"uuid": str(credential.uuid), "reason": reason,
                                              "suspension_reason": credential.suspension_reason})
    return credential


# --- bulk issuing ----------------------------------------------------------------------------------


def issuing_job_create(*, offering: Offering, by: Any, awarded_on: date | None = None) -> IssuingJob:
    """Queue issuing for every passed learner of `offering`; the task starts after commit."""
    provider = offering.version.micro_credential.provider
    _require_registrar(by, provider)
    if awarded_on and awarded_on > timezone.localdate():
        raise InvalidInput(details={"awarded_on": [_("The date of the result cannot be in the future.")]})
    with transaction.atomic():
        job = IssuingJob.objects.create(provider=provider, offering=offering, created_by=by, awarded_on=awarded_on,
                                        total=len(_passed_enrolment_ids(offering)))
        audit_record(action="issuing_job.created", actor=by, organisation=provider, target=job,
                     data={"offering": offering.pk, "total": job.total})
        transaction.on_commit(lambda: issuing_job_enqueue(job))
    return job


def issuing_job_enqueue(job: IssuingJob) -> None:
    from osaamo.credentials.tasks import run_issuing_job

    result = run_issuing_job.enqueue(job_id=job.pk)
    IssuingJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


def _passed_enrolment_ids(offering: Offering) -> list[int]:
    from osaamo.enrolment.models import Enrolment, EnrolmentState

    return list(Enrolment.objects.filter(offering=offering, state=EnrolmentState.COMPLETED)
                .order_by("id").values_list("id", flat=True))


# A batch of credentials is issued and committed together with the job's counters and lease: a crash
# loses at most the batch in progress, and no batch is ever half written.
ISSUING_BATCH_SIZE = 500  # Django setting OSAAMO_ISSUING_BATCH_SIZE overrides it
ISSUING_LEASE_SECONDS = 60  # Django setting OSAAMO_ISSUING_LEASE_SECONDS overrides it
PROCESS_STORE_BATCHES = 4  # a job of at least this many batches is stored by a process of its own (_Writer)
ISSUING_MAX_ATTEMPTS = 10  # a job that keeps killing its worker stops as failed instead of looping


class _LeaseLost(Exception):
    """Another worker took the job over (this one's lease had run out): stop without writing."""


def _lease_seconds() -> int:
    from django.conf import settings

    return int(getattr(settings, "OSAAMO_ISSUING_LEASE_SECONDS", ISSUING_LEASE_SECONDS))


def _batch_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "OSAAMO_ISSUING_BATCH_SIZE", ISSUING_BATCH_SIZE))


def _watch_later(job_id: int, at: datetime) -> None:
    """Have the job's watch task look at it when the lease runs out (a backend that can defer tasks only)."""
    from osaamo.credentials.tasks import watch_issuing_job

    if watch_issuing_job.get_backend().supports_defer:
        watch_issuing_job.using(run_after=at + timedelta(seconds=1)).enqueue(job_id=job_id)


def _job_claim(job_id: int, worker: str) -> bool:
    """Take the job for `worker` unless another worker's lease on it is still running."""
    now = timezone.now()
    expires = now + timedelta(seconds=_lease_seconds())
    claimed = (IssuingJob.objects.filter(pk=job_id).exclude(state=IssuingJob.State.FINISHED)
               .filter(Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now))
               .update(state=IssuingJob.State.RUNNING, worker=worker, lease_expires_at=expires, heartbeat_at=now,
                       attempts=F("attempts") + 1, started_at=Coalesce(F("started_at"), Value(now))))
    if claimed:
        _watch_later(job_id, expires)
    return bool(claimed)


def _job_release(job_id: int, worker: str) -> None:
    """Give the lease back (the worker is alive but stops), so that a resume can start at once."""
    IssuingJob.objects.filter(pk=job_id, worker=worker).update(worker="", lease_expires_at=None)


def _chunk_todo(job: IssuingJob, ids: list[int]) -> tuple[list[int], int, int]:
    """(enrolment ids without a credential, how many have one from this job, how many from elsewhere)."""
    keys = {f"enrolment:{pk}": pk for pk in ids}
    done = dict(IssuedCredential.objects.filter(idempotency_key__in=list(keys)).values_list("idempotency_key",
                                                                                             "job_id"))
    mine = sum(1 for job_ref in done.values() if job_ref == job.pk)
    return [pk for key, pk in keys.items() if key not in done], mine, len(done) - mine


def _choose_indexes(provider: Organisation, purpose: str, count: int, taken: dict[int, set[int]],
                    now: datetime, signer: vc.Signer) -> list[tuple[StatusList, int]]:
    """`count` random free indexes (herd privacy) for `purpose` in the provider's open lists, in random order,
    without holding a lock: the unique (list, index) constraint settles a clash with another issuer when the
    batch is stored (the batch is then made again, with what is in use read into `taken`). `taken` holds, per list, the
    indexes in use — read from the database once per run — and every index chosen since, stored or not."""
    rng = secrets.SystemRandom()
    fields = ("pk", "provider", "number", "length", "allocated")
    lists = list(StatusList.objects.filter(provider=provider, purpose=purpose, is_full=False).order_by("number")
                 .only(*fields))
    used: list[StatusList] = []
    found: list[tuple[StatusList, int]] = []
    while len(found) < count:
        if not lists:
            # The open lists are used up by what is stored and chosen: close them, open the next one.
            with transaction.atomic():
                StatusList.objects.filter(pk__in=[sl.pk for sl in used]).update(is_full=True)
                lists = [_open_status_list(provider, purpose, now, signer)]
        status_list = lists.pop(0)
        used.append(status_list)
        in_use = taken.get(status_list.pk)
        if in_use is None:
            in_use = taken[status_list.pk] = set(
                StatusEntry.objects.filter(status_list=status_list).values_list("index", flat=True))
        room = int(status_list.length * STATUS_LIST_FILL_LIMIT) - len(in_use)
        for _n in range(min(max(room, 0), count - len(found))):
            index = rng.randrange(status_list.length)
            while index in in_use:  # the list is at most STATUS_LIST_FILL_LIMIT full: this ends soon
                index = rng.randrange(status_list.length)
            in_use.add(index)
            found.append((status_list, index))
    return found


def _insert_rows(model: Any, objects: list[Any], *, with_ids: bool = True) -> None:
    """Insert model instances (and set their ids when `with_ids`), for bulk issuing's many and large rows.

    On PostgreSQL the values travel apart from the statement (server-side binding; Django's cursor would
    quote every JSON text into the SQL on the client, which costs more than the signing): one short
    prepared INSERT … RETURNING id per row in a pipeline (psycopg's executemany) when the ids are needed,
    otherwise COPY. A unique constraint still raises IntegrityError. Elsewhere `bulk_create`."""
    from django.db import connection

    if connection.vendor != "postgresql" or len(objects) < 2:
        model.objects.bulk_create(objects)
        return
    import psycopg

    fields = [f for f in model._meta.concrete_fields if f is not model._meta.pk]
    for field in fields:  # defaults and auto_now_add, as bulk_create sets them
        for obj in objects:
            field.pre_save(obj, add=True)
    # Only the model's own table and column names, quoted, go into the text; every value is a parameter.
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] for obj in objects]
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:  # errors as Django's
        if not with_ids:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING {quote(model._meta.pk.column)}"  # noqa: S608
        cursor.executemany(sql, rows, returning=True)
        for obj in objects:
            returned = cursor.fetchone()
            assert returned is not None
            obj.pk = returned[0]
            obj._state.adding = False
            obj._state.db = connection.alias
            cursor.nextset()


class _EnrolmentRow(NamedTuple):
    pk: int
    state: str
    finished_at: datetime | None
    learner_id: int
    email: str
    full_name: str
    language: str


# The signed documents are plain JSON (vc.issue's copy): no cycles to look for.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


@dataclass
class _Batch:
    """A batch of credentials made and signed, not yet stored (see `_prepare_batch`, `_store_batch`)."""

    enrolment_ids: list[int]
    credentials: list[dict[str, Any]]  # the fields of each IssuedCredential (made where stored)
    documents: list[str]
    statuses: list[tuple[StatusList, int, str]]  # (list, index, purpose), two per credential
    failures: list[dict[str, Any]]
    mine: int  # of these enrolments, how many have a credential from this job already (a resumed run)
    elsewhere: int  # … and how many from elsewhere (another job, issued by hand)
    tries: int = 1


def _prepare_batch(*, job: IssuingJob, ids: list[int], version_data: Mapping[str, Any], key: IssuerKey,
                   signer: vc.Signer, now: datetime, shared: dict[Any, Any], taken: dict[int, set[int]],
                   limit: int | None) -> _Batch:
    """Read the enrolments of `ids` that have no credential, check them, choose their status indexes, and
    make and sign their credentials — no writes. What each credential says is what `credential_issue`
    would say for it: the same snapshot, the same document signed in the learner's language, two status
    entries; the grade, date and identity verification come from the result (`awards.awards_for`)."""
    from osaamo.credentials.awards import Award, awards_for
    from osaamo.enrolment.models import Enrolment, EnrolmentState

    todo, mine, elsewhere = _chunk_todo(job, ids)
    if limit is not None:
        todo = todo[:limit]
    batch = _Batch(enrolment_ids=ids, credentials=[], documents=[], statuses=[], failures=[], mine=mine,
                   elsewhere=elsewhere)
    if not todo:
        return batch
    offering = job.offering
    version = offering.version
    provider = version.micro_credential.provider
    by = job.created_by
    # Plain rows, not model instances: thousands per run, and only these fields are read.
    enrolments = [_EnrolmentRow(*row) for row in Enrolment.objects.filter(pk__in=todo).order_by("id").values_list(
        "pk", "state", "finished_at", "learner_id", "learner__email", "learner__full_name",
        "learner__preferred_language")]
    awards = awards_for(offering, [e.pk for e in enrolments])
    dids = dict(LearnerIdentity.objects.filter(user_id__in=[e.learner_id for e in enrolments])
                .values_list("user_id", "did"))
    today = timezone.localdate(now)
    valid: list[tuple[Any, str, date, str]] = []
    for enrolment in enrolments:
        award = awards.get(enrolment.pk, Award())
        try:
            if enrolment.state != EnrolmentState.COMPLETED:
                raise Conflict(_("A certificate is issued only for a completed (passed) enrolment."),
                               code="not_completed")
            grade = clean_grade(version, award.grade)
            verification = award.identity_verification
            if verification and verification not in IdentityVerification.values:
                raise InvalidInput(details={"identity_verification": [_("Choose one of the listed ways.")]})
            awarded_on = job.awarded_on or award.awarded_on or (
                timezone.localdate(enrolment.finished_at) if enrolment.finished_at else today)
            if awarded_on > today:
                raise InvalidInput(details={"awarded_on": [_("The date of the result cannot be in the future.")]})
        except InvalidInput as error:
            messages = [str(m) for ms in (error.details or {}).values() for m in ms] or [str(error.message)]
            batch.failures.append({"enrolment": enrolment.pk, "email": enrolment.email,
                                   "error": " ".join(messages)})
            continue
        except Conflict as error:
            batch.failures.append({"enrolment": enrolment.pk, "email": enrolment.email,
                                   "error": str(error.message)})
            continue
        valid.append((enrolment, grade, awarded_on, verification))
    if not valid:
        return batch

    revocation = _choose_indexes(provider, StatusPurpose.REVOCATION, len(valid), taken, now, signer)
    suspension = _choose_indexes(provider, StatusPurpose.SUSPENSION, len(valid), taken, now, signer)
    issued_at = now.replace(microsecond=0)
    issued_by_id = by.pk if by is not None and getattr(by, "is_authenticated", False) else None
    for (enrolment, grade, awarded_on, verification), rev, sus in zip(valid, revocation, suspension, strict=True):
        language = enrolment.language if enrolment.language in LANGUAGE_CODES else "fi"
        # The credential's fields, made a model instance where it is stored (`_store_batch`, possibly in
        # the store process): plain values are quicker to make here and to send there.
        credential: dict[str, Any] = {
            "uuid": uuid_module.uuid4(), "provider_id": provider.pk, "version_id": version.pk,
            "offering_id": offering.pk, "enrolment_id": enrolment.pk, "idempotency_key": f"enrolment:{enrolment.pk}",
            "learner_id": enrolment.learner_id, "recipient_email": enrolment.email.lower(),
            "recipient_name": enrolment.full_name, "language": language, "issuer_key_id": key.pk,
            "public_code": secrets.token_urlsafe(15), "issued_at": issued_at, "issued_by_id": issued_by_id,
            "job_id": job.pk,
        }
        pairs = ((StatusPurpose.REVOCATION, rev), (StatusPurpose.SUSPENSION, sus))
        status = {str(purpose): {"url": identity.status_list_url(provider.slug, status_list.number), "index": index}
                  for purpose, (status_list, index) in pairs}
        credential["values"] = building.credential_values(
            credential_uuid=credential["uuid"], version_data=version_data, offering=offering,
            learner_email=enrolment.email, learner_name=enrolment.full_name,
            learner_did=dids.get(enrolment.learner_id, ""),
            grade=grade, awarded_on=awarded_on, issued_at=issued_at, identity_verification=verification,
            status=status,
        )
        unsigned = building.render_credential(credential["values"], language, shared=shared)
        signed = vc.issue(unsigned, signer=signer, now=issued_at)
        batch.credentials.append(credential)
        # Compact: Python's JSON encoder writes indented text in pure Python, slower than the signing.
        batch.documents.append(_COMPACT_JSON.encode(signed))
        batch.statuses.extend((status_list, index, str(purpose)) for purpose, (status_list, index) in pairs)
    return batch


def _store_batch(*, job: IssuingJob, worker: str, batch: _Batch, crash: bool = False,
                 lease_seconds: int | None = None) -> list[int]:
    """Store a prepared batch in one transaction — credentials, status entries, documents, audit rows, the
    lists' counts, and the job's counters with a renewed lease — and return the new credentials' ids.
    A clash on an idempotency key or a status index raises IntegrityError and stores nothing. The mails
    are queued on the commit, by whichever process stores (see `_Writer`): a worker killed after a
    commit cannot leave its credentials unmailed."""
    from osaamo.audit.models import AuditEntry
    from osaamo.audit.services import mask_secrets

    with transaction.atomic():
        credentials = [IssuedCredential(**fields) for fields in batch.credentials]
        if credentials:
            list_ids = sorted({status_list.pk for status_list, _index, _purpose in batch.statuses})
            lists = {sl.pk: sl for sl in StatusList.objects.select_for_update().filter(pk__in=list_ids)
                     .order_by("pk").only("pk", "length", "allocated")}
            _insert_rows(IssuedCredential, credentials)
            _insert_rows(StatusEntry, [
                StatusEntry(status_list=status_list, index=index, credential=credential, purpose=purpose)
                for credential, status_pair in zip(credentials, zip(batch.statuses[::2], batch.statuses[1::2],
                                                                     strict=True), strict=True)
                for status_list, index, purpose in status_pair], with_ids=False)
            _insert_rows(CredentialDocument, [
                CredentialDocument(credential=credential, language=credential.language, signed_json=document)
                for credential, document in zip(credentials, batch.documents, strict=True)], with_ids=False)
            _insert_rows(AuditEntry, [
                AuditEntry(action="credential.issued", actor_id=credentials[0].issued_by_id,
                           organisation_id=credentials[0].provider_id, target_type=IssuedCredential._meta.label_lower,
                           target_id=str(credential.pk),
                           data=mask_secrets({"uuid": str(credential.uuid), "version": credential.version_id,
                                              "email": credential.recipient_email,
                                              "idempotency_key": credential.idempotency_key, "job": job.pk}))
                for credential in credentials], with_ids=False)
            for list_pk, status_list in lists.items():
                added = sum(1 for sl, _index, _purpose in batch.statuses if sl.pk == list_pk)
                allocated = status_list.allocated + added
                StatusList.objects.filter(pk=list_pk).update(
                    allocated=allocated, is_full=allocated >= status_list.length * STATUS_LIST_FILL_LIMIT)
        if crash:
            raise RuntimeError("simulated crash")  # in the batch: it is rolled back whole
        now = timezone.now()
        renewed = IssuingJob.objects.filter(pk=job.pk, worker=worker).update(
            issued=F("issued") + batch.mine + len(credentials), skipped=F("skipped") + batch.elsewhere,
            failed=F("failed") + len(batch.failures), heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease_seconds or _lease_seconds()))
        if not renewed:
            raise _LeaseLost()
        ids = [credential.pk for credential in credentials]
        if ids:
            transaction.on_commit(lambda: _enqueue_mails(ids))
    return ids


class _Writer:
    """Stores batches while the worker signs the next one, so that the database work overlaps the signing
    instead of adding to it. At most one batch is stored at a time, and one prepared while it is: memory
    stays bounded. Where the storing runs:

    - a large job on PostgreSQL outside a transaction: a process of its own (spawned, with Django set up
      on the same database), which the prepared batch is sent to — its Python work (rows, JSON, the
      driver) then takes nothing from the signing, which a thread would, holding the interpreter's lock;
    - a smaller job there: a thread with its own connection (starting a process costs about a second);
    - otherwise (SQLite, or inside a transaction, as in tests): here, one batch after another.
    """

    def __init__(self, *, job: IssuingJob, worker: str, total: int, batch_size: int) -> None:
        from django.db import connection

        self.job_pk = job.pk
        self.worker = worker
        self.lease_seconds = _lease_seconds()
        concurrent = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.mode = ("process" if concurrent and total >= PROCESS_STORE_BATCHES * batch_size
                     else "thread" if concurrent else "inline")
        self._executor: Any = None
        if self.mode == "process":
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from osaamo.credentials import store_process

            database = {key: value for key, value in connection.settings_dict.items() if key != "TEST"}
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=store_process.start, initargs=(database,))
        elif self.mode == "thread":
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="issuing")
        self._pending: tuple[_Batch, Future[list[int]]] | None = None

    def submit(self, batch: _Batch, *, crash: bool = False) -> None:
        if self.mode == "process":
            from osaamo.credentials import store_process

            future: Future[list[int]] = self._executor.submit(
                store_process.store, self.job_pk, self.worker, batch, crash, self.lease_seconds)
        elif self.mode == "thread":
            future = self._executor.submit(lambda: self._store(batch, crash))
        else:
            future = Future()
            try:
                future.set_result(self._store(batch, crash))
            except BaseException as error:  # delivered by `collect`, as from the thread
                future.set_exception(error)
        self._pending = (batch, future)

    def _store(self, batch: _Batch, crash: bool) -> list[int]:
        return _store_batch(job=IssuingJob(pk=self.job_pk), worker=self.worker, batch=batch, crash=crash,
                            lease_seconds=self.lease_seconds)

    def collect(self) -> tuple[_Batch, Future[list[int]]] | None:
        """The batch last submitted, once it is stored (or failed)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            concurrent_wait([pending[1]])
        return pending

    @property
    def pending_credentials(self) -> int:
        return len(self._pending[0].credentials) if self._pending is not None else 0

    def close(self) -> None:
        """Wait for the batch being stored (if any), and end the thread or process. Called again: nothing."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if self.mode == "thread":
            from django.db import connections

            executor.submit(connections.close_all).result()
        executor.shutdown(wait=True, cancel_futures=True)


def issuing_job_run(*, job_id: int, now: datetime | None = None, stop_after: int | None = None,
                    batch_size: int | None = None) -> IssuingJob:
    """Issue for every passed learner not yet certified. Safe to run again, at the same time, or after a
    crash: each enrolment's idempotency key is unique, and the counts are recomputed from the database.

    The job is leased to one worker at a time (`_job_claim`); a run that finds another worker's lease
    running returns at once. The completed enrolments are read `batch_size` at a time in id order; each
    batch is prepared and signed here (`_prepare_batch`) and stored with bulk inserts in one transaction
    together with the job's counters and a renewed lease (`_store_batch`) — on PostgreSQL while the next
    batch is signed (`_Writer`). A crash loses at most the batch in progress, which the next run issues;
    if the worker is killed, the lease runs out and the job's watch task resumes it.
    `stop_after` (tests) simulates a crash after that many credentials, inside the batch that passes it.
    """
    from osaamo.enrolment.models import Enrolment, EnrolmentState

    job = IssuingJob.objects.select_related("offering__version__micro_credential__provider", "created_by").get(
        pk=job_id)
    if job.state == IssuingJob.State.FINISHED:
        return job
    worker = secrets.token_hex(8)
    if not _job_claim(job.pk, worker):
        job.refresh_from_db()
        return job
    writer: _Writer | None = None
    try:
        job.refresh_from_db(fields=["attempts", "started_at"])
        if job.attempts > ISSUING_MAX_ATTEMPTS:
            raise RuntimeError(f"stopped after {ISSUING_MAX_ATTEMPTS} attempts")
        offering = job.offering
        provider = offering.version.micro_credential.provider
        _require_registrar(job.created_by, provider)
        if offering.version.state not in ("published", "retired"):
            raise Conflict(_("Only a published micro-credential can be certified."), code="not_published")
        completed = Enrolment.objects.filter(offering=offering, state=EnrolmentState.COMPLETED)
        size = max(1, batch_size or _batch_size())
        key = issuer_key_current(provider)
        signer = signer_for(key)
        version_data = building.version_values(offering.version)
        shared: dict[Any, Any] = {}  # the parts of the documents every learner shares (building.render_credential)
        taken: dict[int, set[int]] = {}  # status indexes in use per list (_choose_indexes), read once per run
        # The counts are made again from the database on every run; each stored batch adds to them.
        total = completed.count()
        IssuingJob.objects.filter(pk=job.pk, worker=worker).update(total=total, issued=0, skipped=0, failed=0,
                                                                   errors=[])
        # The objects that live through the whole run (Django, the app) are left out of the garbage
        # collector's passes while it runs: the signing allocates enough to trigger many of them.
        gc.collect()
        gc.freeze()
        writer = _Writer(job=job, worker=worker, total=total, batch_size=size)
        errors: dict[int, dict[str, Any]] = {}
        created_total = 0
        again: list[tuple[list[int], int]] = []  # batches that clashed with another issuer, made again
        last = 0

        def settle(done: tuple[_Batch, Future[list[int]]] | None) -> None:
            nonlocal created_total
            if done is None:
                return
            batch, future = done
            try:
                created_total += len(future.result())
            except IntegrityError:
                if batch.tries >= 3:
                    raise
                again.append((batch.enrolment_ids, batch.tries + 1))
                # Another issuer took an index: what is in use now is added to what this run has chosen
                # (the batch being stored is not committed yet, so a fresh read alone would miss it).
                for list_pk, in_use in taken.items():
                    in_use.update(StatusEntry.objects.filter(status_list_id=list_pk).values_list("index", flat=True))

        while True:
            tries = 1
            ids = list(completed.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
            if ids:
                last = ids[-1]
            else:
                settle(writer.collect())  # the batch being stored may have to be made again
                if not again:
                    break
                ids, tries = again.pop(0)
            limit = None if stop_after is None else max(0, stop_after - created_total - writer.pending_credentials)
            batch = _prepare_batch(job=job, ids=ids, version_data=version_data, key=key, signer=signer,
                                   now=now or timezone.now(), shared=shared, taken=taken,
                                   limit=None if limit is None else limit + 1)
            batch.tries = tries
            crash = limit is not None and len(batch.credentials) > limit
            for failure in batch.failures:
                errors[failure["enrolment"]] = failure
            settle(writer.collect())
            if batch.failures:
                IssuingJob.objects.filter(pk=job.pk, worker=worker).update(errors=list(errors.values())[:100])
            writer.submit(batch, crash=crash)
        settle(writer.collect())
        with transaction.atomic():
            finished = IssuingJob.objects.filter(pk=job.pk, worker=worker).update(
                state=IssuingJob.State.FINISHED, total=F("issued") + F("skipped") + F("failed"),
                finished_at=timezone.now(), worker="", lease_expires_at=None)
            job.refresh_from_db()
            if finished:
                audit_record(action="issuing_job.finished", actor=job.created_by, organisation=job.provider,
                             target=job, data={"issued": job.issued, "skipped": job.skipped, "failed": job.failed})
    except _LeaseLost:
        logger.warning("issuing job %s: another worker took over", job_id)
        job.refresh_from_db()
        return job
    except BaseException:
        if writer is not None:
            writer.close()  # the batch being stored is stored (or not) before another worker may take over
        _job_release(job.pk, worker)
        raise
    finally:
        if writer is not None:
            writer.close()
        gc.unfreeze()
    return job


def issuing_job_watch(*, job_id: int) -> str:
    """The watch task's service: when an unfinished job's lease has run out (its worker was killed), run it
    here — it continues after the last committed batch; while the lease runs, look again when it ends."""
    job = IssuingJob.objects.filter(pk=job_id).first()
    if job is None or job.is_done:
        return "done"
    if job.lease_expires_at is not None and job.lease_expires_at > timezone.now():
        _watch_later(job.pk, job.lease_expires_at)
        return "running"
    logger.warning("issuing job %s: resuming after its worker stopped", job_id)
    issuing_job_run(job_id=job.pk)
    return "resumed"


def issuing_jobs_resume_stalled(*, now: datetime | None = None) -> list[int]:
    """Enqueue again the unfinished jobs whose worker is gone (lease run out): for `osaamo
    resume_stalled_issuing`, e.g. after restoring a database or when the task queue was emptied."""
    now = _now(now)
    stalled = list(IssuingJob.objects.filter(state=IssuingJob.State.RUNNING).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lte=now)).order_by("id"))
    for job in stalled:
        issuing_job_enqueue(job)
    return [job.pk for job in stalled]


def issuing_job_mark_failed(*, job_id: int, error: str) -> None:
    IssuingJob.objects.filter(pk=job_id).exclude(state=IssuingJob.State.FINISHED).update(
        state=IssuingJob.State.FAILED, finished_at=timezone.now(), worker="", lease_expires_at=None)
    logger.warning("issuing job %s stopped: %s", job_id, error)


def issuing_job_resume(*, job: IssuingJob, by: Any) -> IssuingJob:
    """Start a stopped (or stuck) job again; it continues where it was."""
    _require_registrar(by, job.provider)
    if job.state == IssuingJob.State.FINISHED:
        raise Conflict(_("This issuing has finished."), code="job_finished")
    with transaction.atomic():
        IssuingJob.objects.filter(pk=job.pk).update(state=IssuingJob.State.QUEUED, task_id="")
        audit_record(action="issuing_job.resumed", actor=by, organisation=job.provider, target=job)
        transaction.on_commit(lambda: issuing_job_enqueue(job))
    job.refresh_from_db()
    return job


# --- the learner's side -----------------------------------------------------------------------------


def share_link_create(*, credential: IssuedCredential, by: Any, expires_on: date, label: str = "",
                      language: str = "", now: datetime | None = None) -> ShareLink:
    """A link to one credential, valid until the end of `expires_on` (at most a year ahead)."""
    if credential.learner_id is None or credential.learner_id != getattr(by, "pk", None):
        raise NotFound()
    now = _now(now)
    today = timezone.localdate(now)
    if expires_on < today:
        raise InvalidInput(details={"expires_on": [_("Choose a date from today on.")]})
    if expires_on > today + timedelta(days=SHARE_LINK_MAX_DAYS - 1) or expires_on > _one_year_from(today):
        raise InvalidInput(details={"expires_on": [_("A share link can be valid for at most one year.")]})
    expires_at = timezone.make_aware(datetime.combine(expires_on + timedelta(days=1), datetime.min.time()),
                                     building.HELSINKI)
    language = language if language in LANGUAGE_CODES else credential.language
    with transaction.atomic():
        link = ShareLink.objects.create(credential=credential, token=secrets.token_urlsafe(18),
                                        label=(label or "").strip()[:100], language=language, expires_at=expires_at)
        audit_record(action="share_link.created", actor=by, target=link,
                     data={"credential": str(credential.uuid), "expires_on": expires_on.isoformat()})
    return link


def _one_year_from(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def share_link_withdraw(*, link: ShareLink, by: Any, now: datetime | None = None) -> ShareLink:
    if link.credential.learner_id != getattr(by, "pk", None):
        raise NotFound()
    if link.withdrawn_at is not None:
        return link
    with transaction.atomic():
        link.withdrawn_at = _now(now)
        link.save(update_fields=["withdrawn_at"])
        audit_record(action="share_link.withdrawn", actor=by, target=link,
                     data={"credential": str(link.credential.uuid)})
    return link


def share_link_record_view(*, link: ShareLink, what: str = "page", now: datetime | None = None) -> None:
    """Count and log one opening (nothing about the viewer is stored)."""
    now = _now(now)
    with transaction.atomic():
        ShareLink.objects.filter(pk=link.pk).update(view_count=F("view_count") + 1, last_viewed_at=now)
        ShareView.objects.create(link=link, viewed_at=now, what=what[:12])


def learner_did_set(*, user: Any, did: str) -> LearnerIdentity | None:
    """Set (or clear, with "") the learner's DID used in credentials issued from now on."""
    did = (did or "").strip()
    with transaction.atomic():
        if not did:
            LearnerIdentity.objects.filter(user=user).delete()
            audit_record(action="learner_did.cleared", actor=user, target=user)
            return None
        if did.startswith("did:key:"):
            try:
                vc.resolve_did_key(did)
            except vc.DidResolutionError:
                raise InvalidInput(details={"did": [_("This is not a valid did:key of an Ed25519 key.")]}) from None
        elif did.startswith("did:web:"):
            try:
                vc.did_web_to_url(did)
            except vc.DidResolutionError:
                raise InvalidInput(details={"did": [_("This is not a valid did:web identifier.")]}) from None
        else:
            raise InvalidInput(details={"did": [_("Give a did:key or did:web identifier from your wallet.")]})
        row, _created = LearnerIdentity.objects.update_or_create(user=user, defaults={"did": did[:200]})
        audit_record(action="learner_did.set", actor=user, target=user, data={"did": did})
    return row


# --- recognised issuers (the operator's list) ------------------------------------------------------


def trusted_issuer_add(*, by: Any, did: str, name: Mapping[str, str], institution_code: str = "",
                       did_document: Any = None) -> TrustedIssuer:
    if not _is_operator(by):
        raise PermissionDenied()
    did = (did or "").strip()
    errors: dict[str, list[Any]] = {}
    if not did.startswith("did:") or len(did) > 300 or " " in did:
        errors["did"] = [_("Give the issuer's DID, e.g. did:web:university.example.")]
    clean_name = {code: str(text).strip() for code, text in (name or {}).items()
                  if code in LANGUAGE_CODES and str(text or "").strip()}
    if not clean_name:
        errors["name"] = [_("Give the institution's name in at least one language.")]
    if did_document is not None and (not isinstance(did_document, Mapping) or did_document.get("id") != did):
        errors["did_document"] = [_("The DID document must be a JSON object whose id is the DID above.")]
    if errors:
        raise InvalidInput(details=errors)
    if TrustedIssuer.objects.filter(did=did).exists():
        raise Conflict(_("This issuer is on the list already."), code="already_listed")
    with transaction.atomic():
        slug = identity.slug_of_own_did(did)
        organisation = Organisation.objects.filter(slug=slug, kind=OrganisationKind.PROVIDER).first() if slug else None
        issuer = TrustedIssuer.objects.create(did=did, name=clean_name, institution_code=institution_code.strip()[:20],
                                              did_document=dict(did_document) if did_document else None,
                                              organisation=organisation, added_by=by)
        audit_record(action="trusted_issuer.added", actor=by, target=issuer,
                     data={"did": did, "name": translated(clean_name, "en")})
    return issuer


def trusted_issuer_remove(*, issuer: TrustedIssuer, by: Any) -> None:
    if not _is_operator(by):
        raise PermissionDenied()
    with transaction.atomic():
        audit_record(action="trusted_issuer.removed", actor=by, target=issuer, data={"did": issuer.did})
        issuer.delete()


# --- mail ---------------------------------------------------------------------------------------------


def _wallet_url(language: str) -> str:
    with translation.override(language):
        return identity.base_url() + reverse("credentials:wallet")


def _enqueue_mail(credential_pk: int) -> None:
    """The learner's mail goes out from the task worker, so that a bulk run is not held up by mail."""
    from osaamo.credentials.tasks import mail_issued

    mail_issued.enqueue(credential_id=credential_pk)


def _enqueue_mails(credential_pks: list[int]) -> None:
    """One mail task for a batch of bulk-issued credentials."""
    from osaamo.credentials.tasks import mail_issued_many

    if credential_pks:
        mail_issued_many.enqueue(credential_ids=list(credential_pks))


def credential_mail_issued(*, credential_id: int) -> None:
    _mail_issued(credential_id)


def credential_mail_issued_many(*, credential_ids: list[int]) -> None:
    for credential_id in credential_ids:
        _mail_issued(credential_id)


def _mail_issued(credential_pk: int) -> None:
    credential = IssuedCredential.objects.select_related("provider").get(pk=credential_pk)
    language = credential.language
    with translation.override(language):
        context = {"credential": credential, "title": translated(credential.title_i18n, language),
                   "issuer": translated(credential.issuer_name_i18n, language), "wallet_url": _wallet_url(language)}
        subject = render_to_string("credentials/mail/issued_subject.txt", context).strip()
        body = render_to_string("credentials/mail/issued.txt", context)
    send_mail(subject, body, None, [credential.recipient_email], fail_silently=True)


def _mail_invitation(credential_pk: int, user_pk: int) -> None:
    credential = IssuedCredential.objects.select_related("provider").get(pk=credential_pk)
    user = User.objects.get(pk=user_pk)
    language = credential.language
    with translation.override(language):
        path = reverse("accounts:password_reset_confirm", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})
        context = {"credential": credential, "title": translated(credential.title_i18n, language),
                   "issuer": translated(credential.issuer_name_i18n, language),
                   "set_password_url": identity.base_url() + path, "wallet_url": _wallet_url(language)}
        subject = render_to_string("credentials/mail/invitation_subject.txt", context).strip()
        body = render_to_string("credentials/mail/invitation.txt", context)
    send_mail(subject, body, None, [credential.recipient_email], fail_silently=True)


def credentials_claim_for(user: User) -> int:
    """Attach credentials issued to `user`'s email before they had an account (by email identity)."""
    with transaction.atomic():
        count = IssuedCredential.objects.filter(learner__isnull=True, recipient_email=user.email.lower()).update(
            learner=user)
        if count:
            audit_record(action="credential.claimed", actor=user, target=user, data={"count": count})
    return count


def uuid_or_none(value: Any) -> uuid_module.UUID | None:
    try:
        return uuid_module.UUID(str(value))
    except (TypeError, ValueError):
        return None

