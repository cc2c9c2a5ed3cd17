"""Writing micro-credentials, their versions and offerings. Views, the API and commands call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.accounts.selectors import DESIGN_ROLES, PUBLISH_ROLES, has_role
from osaamo.audit.services import audit_record
from osaamo.catalog.models import (
    EDITABLE_STATES,
    LearningOutcome,
    MicroCredential,
    MicroCredentialVersion,
    Offering,
    OfferingState,
    VersionState,
)
from osaamo.catalog.search.indexing import index_micro_credential
from osaamo.catalog.signals import offering_cancelled
from osaamo.errors import Conflict, InvalidInput, PermissionDenied
from osaamo.framework.models import EscoSkill, IscedField
from osaamo.framework.rules import Design, Finding, has_errors, validate_design
from osaamo.framework.vocabularies import (
    AssessmentType,
    Cycle,
    GradingScale,
    IdentityVerification,
    Language,
    OfferingMode,
    ParticipationForm,
    QualityAssurance,
    Stackability,
)
from osaamo.translation import LANGUAGE_CODES, clean_translations

TRANSLATED_FIELDS = (
    "title", "description", "target_group", "prerequisites", "further_information",
    "assessment_description", "quality_assurance_description", "stackability_description",
)
CHOICE_FIELDS: dict[str, Any] = {
    "assessment_type": AssessmentType,
    "participation_form": ParticipationForm,
    "quality_assurance": QualityAssurance,
    "identity_verification": IdentityVerification,
    "stackability": Stackability,
    "grading_scale": GradingScale,
}
MAX_OUTCOMES = 30


class PublishRefused(Conflict):
    default_code = "publish_refused"
    default_message = _("The micro-credential cannot be published until every error is fixed.")


def _require(by: Any, provider: Organisation, roles: Iterable[str]) -> None:
    if not has_role(by, provider, roles):
        raise PermissionDenied()


def _require_editable(version: MicroCredentialVersion) -> None:
    if version.state not in EDITABLE_STATES:
        raise Conflict(_("A published or retired version cannot be changed; edit makes a new version."),
                       code="version_not_editable")


# --- reading design data -------------------------------------------------------------------------

@dataclass
class _Cleaned:
    fields: dict[str, Any]
    outcomes: list[tuple[dict[str, str], list[EscoSkill]]] | None
    co_providers: list[Organisation] | None


def _decimal(value: Any, name: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        errors.setdefault(name, []).append(str(_("Enter a number.")))
        return None
    if not number.is_finite() or number < 0 or number >= 1000:
        errors.setdefault(name, []).append(str(_("Enter a number between 0 and 999.9.")))
        return None
    return number.quantize(Decimal("0.1"))


def _integer(value: Any, name: str, errors: dict[str, list[str]], *, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        errors.setdefault(name, []).append(str(_("Enter a whole number.")))
        return None
    if not low <= number <= high:
        errors.setdefault(name, []).append(
            str(_("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high})
        )
        return None
    return number


def clean_design_data(data: Mapping[str, Any]) -> _Cleaned:
    """Check types and codes of design input (the validator judges content later); raise InvalidInput."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name in TRANSLATED_FIELDS:
        if name in data:
            try:
                fields[name] = clean_translations(data[name])
            except ValidationError as error:
                errors.setdefault(name, []).extend(str(m) for m in error.messages)
    if "ects" in data:
        fields["ects"] = _decimal(data["ects"], "ects", errors)
    if "hours" in data:
        fields["hours"] = _integer(data["hours"], "hours", errors, low=0, high=100_000)
    if "eqf_level" in data:
        fields["eqf_level"] = _integer(data["eqf_level"], "eqf_level", errors, low=1, high=8)
    if "qf_ehea_cycle" in data:
        cycle = data["qf_ehea_cycle"] or ""
        if cycle and cycle not in Cycle.values:
            errors.setdefault("qf_ehea_cycle", []).append(str(_("Unknown cycle.")))
        fields["cycle"] = cycle
    for name, choices in CHOICE_FIELDS.items():
        if name in data:
            value = data[name] or ""
            if value and value not in choices.values:
                errors.setdefault(name, []).append(
                    str(_("Unknown value %(value)s.") % {"value": str(value)[:40]})
                )
            fields[name] = value
    if "grading_scale" in fields and not fields["grading_scale"]:
        fields["grading_scale"] = GradingScale.ZERO_TO_FIVE
    if "isced_f" in data:
        code = (data["isced_f"] or "").strip()
        fields["isced_field"] = None
        if code:
            isced = IscedField.objects.filter(code=code).first()
            if isced is None:
                errors.setdefault("isced_f", []).append(
                    str(_("Unknown ISCED-F code %(code)s.") % {"code": code[:10]})
                )
            fields["isced_field"] = isced
    if "languages" in data:
        languages = data["languages"] or []
        if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
            errors.setdefault("languages", []).append(str(_("Give the languages as a list of codes.")))
        else:
            unknown = [x for x in languages if x not in Language.values]
            if unknown:
                errors.setdefault("languages", []).append(
                    str(_("Unknown language code %(code)s.") % {"code": unknown[0][:10]})
                )
            fields["languages"] = list(dict.fromkeys(languages))
    outcomes = None
    if "learning_outcomes" in data:
        outcomes = []
        raw_outcomes = data["learning_outcomes"] or []
        if not isinstance(raw_outcomes, list) or len(raw_outcomes) > MAX_OUTCOMES:
            errors.setdefault("learning_outcomes", []).append(
                str(_("Give at most %(n)s learning outcomes as a list.") % {"n": MAX_OUTCOMES})
            )
            raw_outcomes = []
        for index, raw in enumerate(raw_outcomes):
            key = f"learning_outcomes.{index}"
            if not isinstance(raw, Mapping):
                errors.setdefault(key, []).append(str(_("Each learning outcome needs a text.")))
                continue
            try:
                text = clean_translations(raw.get("text"))
            except ValidationError as error:
                errors.setdefault(key, []).extend(str(m) for m in error.messages)
                continue
            uris = raw.get("skills") or []
            if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
                errors.setdefault(key, []).append(str(_("Give the ESCO skills as a list of URIs.")))
                continue
            skills = list(EscoSkill.objects.filter(uri__in=uris))
            if len(skills) != len(set(uris)):
                errors.setdefault(key, []).append(str(_("Unknown ESCO skill.")))
            if text or skills:
                outcomes.append((text, skills))
    co_providers = None
    if "co_providers" in data:
        slugs = data["co_providers"] or []
        if not isinstance(slugs, list):
            errors.setdefault("co_providers", []).append(str(_("Give the co-providers as a list.")))
            slugs = []
        co_providers = list(
            Organisation.objects.filter(slug__in=slugs, kind=OrganisationKind.PROVIDER, is_active=True)
        )
        if len(co_providers) != len(set(slugs)):
            errors.setdefault("co_providers", []).append(str(_("Unknown co-provider.")))
    if errors:
        raise InvalidInput(details=errors)
    return _Cleaned(fields=fields, outcomes=outcomes, co_providers=co_providers)


def _search_text(version: MicroCredentialVersion, outcomes: Iterable[Mapping[str, str]]) -> str:
    parts: list[str] = [version.micro_credential.code]
    for name in ("title", "description", "target_group"):
        parts.extend(getattr(version, name).values())
    for text in outcomes:
        parts.extend(text.values())
    return " ".join(parts).lower()


def _apply(version: MicroCredentialVersion, cleaned: _Cleaned) -> None:
    for name, value in cleaned.fields.items():
        setattr(version, name, value)
    version.save()
    if cleaned.outcomes is not None:
        version.outcomes.all().delete()
        for position, (text, skills) in enumerate(cleaned.outcomes):
            outcome = LearningOutcome.objects.create(version=version, position=position, text=text)
            outcome.skills.set(skills)
    if cleaned.co_providers is not None:
        version.co_providers.set([p for p in cleaned.co_providers if p.pk != version.micro_credential.provider_id])
    version.search_text = _search_text(version, [o.text for o in version.outcomes.all()])
    version.save(update_fields=["search_text"])


# --- design ---------------------------------------------------------------------------------------

def design_of(version: MicroCredentialVersion) -> Design:
    """The validator's view of a stored version."""
    provider = version.micro_credential.provider
    return Design(
        title=dict(version.title),
        description=dict(version.description),
        learning_outcomes=[dict(o.text) for o in version.outcomes.all()],
        ects=version.ects,
        hours=version.hours,
        eqf_level=version.eqf_level,
        cycle=version.cycle,
        isced_code=version.isced_field_id or "",
        languages=list(version.languages),
        assessment_type=version.assessment_type,
        assessment_description=dict(version.assessment_description),
        participation_form=version.participation_form,
        quality_assurance=version.quality_assurance,
        quality_assurance_description=dict(version.quality_assurance_description),
        identity_verification=version.identity_verification,
        stackability=version.stackability,
        stackability_description=dict(version.stackability_description),
        awarding_bodies=[provider.slug, *(p.slug for p in version.co_providers.all())],
        country=provider.country,
    )


def version_findings(version: MicroCredentialVersion) -> list[Finding]:
    return validate_design(design_of(version))


def micro_credential_create(
    *, provider: Organisation, by: Any, code: str, data: Mapping[str, Any] | None = None
) -> MicroCredentialVersion:
    """A new micro-credential owned by `provider`, with its first version as a draft."""
    _require(by, provider, DESIGN_ROLES)
    code = (code or "").strip()
    if not code or len(code) > 40:
        raise InvalidInput(details={"code": [str(_("Enter a code of at most 40 characters."))]})
    cleaned = clean_design_data(data or {})
    with transaction.atomic():
        if MicroCredential.objects.filter(provider=provider, code=code).exists():
            raise Conflict(_("A micro-credential with this code already exists."), code="code_taken")
        slug = _unique_slug(provider, code)
        micro_credential = MicroCredential.objects.create(provider=provider, code=code, slug=slug, created_by=by)
        version = MicroCredentialVersion.objects.create(micro_credential=micro_credential, number=1, created_by=by)
        _apply(version, cleaned)
        audit_record(action="micro_credential.created", actor=by, organisation=provider, target=version,
                     data={"code": code})
    return version


def _unique_slug(provider: Organisation, code: str) -> str:
    base = slugify(code)[:50] or "pok"
    slug, n = base, 2
    while MicroCredential.objects.filter(provider=provider, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def version_update(*, version: MicroCredentialVersion, by: Any, data: Mapping[str, Any]) -> MicroCredentialVersion:
    """Change a working copy; a version in review goes back to draft when it is changed."""
    provider = version.micro_credential.provider
    _require(by, provider, DESIGN_ROLES)
    cleaned = clean_design_data(data)
    with transaction.atomic():
        version = MicroCredentialVersion.objects.select_for_update().get(pk=version.pk)
        _require_editable(version)
        if version.state == VersionState.IN_REVIEW:
            version.state = VersionState.DRAFT
            version.submitted_at = None
        _apply(version, cleaned)
        audit_record(action="micro_credential.updated", actor=by, organisation=provider, target=version,
                     data={"fields": sorted(data.keys())})
    return version


def _copy_version(source: MicroCredentialVersion, target: MicroCredentialVersion) -> None:
    for name in (*TRANSLATED_FIELDS, "ects", "hours", "eqf_level", "cycle", "isced_field_id", "languages",
                 "assessment_type", "participation_form", "quality_assurance", "identity_verification",
                 "stackability", "grading_scale"):
        setattr(target, name, getattr(source, name))
    target.save()
    for outcome in source.outcomes.all():
        copy = LearningOutcome.objects.create(version=target, position=outcome.position, text=dict(outcome.text))
        copy.skills.set(outcome.skills.all())
    target.search_text = source.search_text


def version_edit_or_new(*, micro_credential: MicroCredential, by: Any) -> MicroCredentialVersion:
    """The working copy to edit: the existing draft, or a new draft copied from the latest version."""
    provider = micro_credential.provider
    _require(by, provider, DESIGN_ROLES)
    with transaction.atomic():
        MicroCredential.objects.select_for_update().get(pk=micro_credential.pk)
        working = micro_credential.versions.filter(state__in=EDITABLE_STATES).first()
        if working is not None:
            return working
        latest = micro_credential.versions.order_by("-number").first()
        assert latest is not None
        version = MicroCredentialVersion.objects.create(
            micro_credential=micro_credential, number=latest.number + 1, created_by=by
        )
        _copy_version(latest, version)
        version.co_providers.set(latest.co_providers.all())
        version.save()
        audit_record(action="micro_credential.version_started", actor=by, organisation=provider, target=version,
                     data={"from_version": latest.number})
    return version


def micro_credential_clone(
    *, source: MicroCredentialVersion, provider: Organisation, by: Any, code: str
) -> MicroCredentialVersion:
    """A new micro-credential of `provider` starting from `source` (its own, or any published one)."""
    if source.micro_credential.provider_id != provider.pk and source.state != VersionState.PUBLISHED:
        raise PermissionDenied()
    version = micro_credential_create(provider=provider, by=by, code=code)
    with transaction.atomic():
        _copy_version(source, version)
        if source.micro_credential.provider_id == provider.pk:
            version.co_providers.set(source.co_providers.all())
        version.save()
        audit_record(action="micro_credential.cloned", actor=by, organisation=provider, target=version,
                     data={"source": source.pk})
    return version


def version_submit(*, version: MicroCredentialVersion, by: Any) -> MicroCredentialVersion:
    """Draft → in review; refused while the validator reports errors."""
    provider = version.micro_credential.provider
    _require(by, provider, DESIGN_ROLES)
    with transaction.atomic():
        version = MicroCredentialVersion.objects.select_for_update().get(pk=version.pk)
        if version.state != VersionState.DRAFT:
            raise Conflict(_("Only a draft can be submitted for review."), code="not_draft")
        findings = version_findings(version)
        if has_errors(findings):
            raise PublishRefused(
                _("Fix the errors before submitting for review."), code="submit_refused", details=findings
            )
        version.state = VersionState.IN_REVIEW
        version.submitted_at = timezone.now()
        version.save(update_fields=["state", "submitted_at", "updated_at"])
        audit_record(action="micro_credential.submitted", actor=by, organisation=provider, target=version)
    return version


def version_return_to_draft(*, version: MicroCredentialVersion, by: Any, reason: str = "") -> MicroCredentialVersion:
    provider = version.micro_credential.provider
    _require(by, provider, PUBLISH_ROLES)
    with transaction.atomic():
        version = MicroCredentialVersion.objects.select_for_update().get(pk=version.pk)
        if version.state != VersionState.IN_REVIEW:
            raise Conflict(_("Only a version in review can be returned to draft."), code="not_in_review")
        version.state = VersionState.DRAFT
        version.submitted_at = None
        version.save(update_fields=["state", "submitted_at", "updated_at"])
        audit_record(action="micro_credential.returned", actor=by, organisation=provider, target=version,
                     data={"reason": reason[:500]})
    return version


def version_publish(*, version: MicroCredentialVersion, by: Any) -> MicroCredentialVersion:
    """Publish a working copy (the platform's entry criteria: no validator errors).

    The earlier published version, if any, is retired in the same transaction; offerings keep
    the version they were created for.
    """
    provider = version.micro_credential.provider
    _require(by, provider, PUBLISH_ROLES)
    with transaction.atomic():
        MicroCredential.objects.select_for_update().get(pk=version.micro_credential_id)
        version = MicroCredentialVersion.objects.get(pk=version.pk)
        _require_editable(version)
        findings = version_findings(version)
        if has_errors(findings):
            raise PublishRefused(details=findings)
        now = timezone.now()
        previous = version.micro_credential.versions.filter(state=VersionState.PUBLISHED)
        for old in previous:
            old.state = VersionState.RETIRED
            old.retired_at = now
            old.save(update_fields=["state", "retired_at", "updated_at"])
        version.state = VersionState.PUBLISHED
        version.published_at = now
        version.published_by = by
        version.save(update_fields=["state", "published_at", "published_by", "updated_at"])
        audit_record(action="micro_credential.published", actor=by, organisation=provider, target=version,
                     data={"number": version.number})
        index_micro_credential(version.micro_credential_id)  # search: the new version replaces the old
    return version


def version_retire(*, version: MicroCredentialVersion, by: Any) -> MicroCredentialVersion:
    provider = version.micro_credential.provider
    _require(by, provider, PUBLISH_ROLES)
    with transaction.atomic():
        version = MicroCredentialVersion.objects.select_for_update().get(pk=version.pk)
        if version.state != VersionState.PUBLISHED:
            raise Conflict(_("Only a published version can be retired."), code="not_published")
        version.state = VersionState.RETIRED
        version.retired_at = timezone.now()
        version.save(update_fields=["state", "retired_at", "updated_at"])
        audit_record(action="micro_credential.retired", actor=by, organisation=provider, target=version)
        index_micro_credential(version.micro_credential_id)  # search: no longer found
    return version


# --- offerings ------------------------------------------------------------------------------------

OFFERING_FIELDS = (
    "start_date", "end_date", "enrolment_opens", "enrolment_closes", "mode", "place", "language", "seats",
    "min_participants", "price_individual", "price_organisation", "decision_date",
)


def _clean_offering(data: Mapping[str, Any], current: Offering | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}

    def parse(name: str, kind: type) -> Any:
        value = data.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, kind):
            return value
        try:
            if kind is date:
                return date.fromisoformat(str(value))
            parsed = datetime.fromisoformat(str(value))
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        except ValueError:
            errors.setdefault(name, []).append(str(_("Enter a valid date.")))
            return None

    for name in ("start_date", "end_date", "decision_date"):
        if name in data:
            fields[name] = parse(name, date)
    for name in ("enrolment_opens", "enrolment_closes"):
        if name in data:
            fields[name] = parse(name, datetime)
    if "mode" in data:
        if data["mode"] not in OfferingMode.values:
            errors.setdefault("mode", []).append(str(_("Choose online, on-site or blended.")))
        fields["mode"] = data["mode"]
    if "language" in data:
        if data["language"] not in Language.values:
            errors.setdefault("language", []).append(str(_("Unknown language code.")))
        fields["language"] = data["language"]
    if "place" in data:
        try:
            fields["place"] = clean_translations(data["place"])
        except ValidationError as error:
            errors.setdefault("place", []).extend(str(m) for m in error.messages)
    for name in ("seats", "min_participants"):
        if name in data:
            fields[name] = _integer(data[name], name, errors, low=1, high=1_000_000)
    for name in ("price_individual", "price_organisation"):
        if name in data:
            value = data[name]
            if value in (None, ""):
                fields[name] = Decimal("0") if name == "price_individual" else None
            else:
                try:
                    price = Decimal(str(value).replace(",", "."))
                    if not price.is_finite() or price < 0 or price >= Decimal("1000000"):
                        raise InvalidOperation
                    fields[name] = price.quantize(Decimal("0.01"))
                except InvalidOperation:
                    errors.setdefault(name, []).append(str(_("Enter a price in euros, e.g. 250.00.")))
    merged = {name: getattr(current, name) for name in OFFERING_FIELDS} if current else {}
    merged.update(fields)
    for name in ("start_date", "end_date", "enrolment_opens", "enrolment_closes", "mode", "language"):
        if merged.get(name) in (None, "") and name not in errors:
            errors.setdefault(name, []).append(str(_("This field is required.")))
    if not errors:
        if merged["end_date"] < merged["start_date"]:
            errors.setdefault("end_date", []).append(str(_("The end cannot be before the start.")))
        if merged["enrolment_closes"] <= merged["enrolment_opens"]:
            errors.setdefault("enrolment_closes", []).append(str(_("Enrolment must close after it opens.")))
        seats, minimum = merged.get("seats"), merged.get("min_participants")
        if seats is not None and minimum is not None and minimum > seats:
            errors.setdefault("min_participants", []).append(
                str(_("The minimum cannot be larger than the number of seats."))
            )
        _check_decision_date(merged, current, errors)
    if errors:
        raise InvalidInput(details=errors)
    return merged


def _check_decision_date(merged: Mapping[str, Any], current: Offering | None, errors: dict[str, list[str]]) -> None:
    """A decision date (demand pooling) needs a minimum, comes by the start, and stays while undecided."""
    decision = merged.get("decision_date")
    if decision is None:
        if current is not None and current.is_tentative:
            errors.setdefault("decision_date", []).append(
                str(_("A tentative offering keeps its decision date until it is confirmed or cancelled.")))
        return
    if merged.get("min_participants") is None:
        errors.setdefault("decision_date", []).append(
            str(_("A decision date needs a minimum number of participants.")))
    if decision > merged["start_date"]:
        errors.setdefault("decision_date", []).append(
            str(_("The decision date cannot be after the start.")))
    if (current is None or current.decision_date != decision) and decision < timezone.localdate():
        errors.setdefault("decision_date", []).append(str(_("The decision date cannot be in the past.")))


def offering_create(*, version: MicroCredentialVersion, by: Any, data: Mapping[str, Any]) -> Offering:
    provider = version.micro_credential.provider
    _require(by, provider, DESIGN_ROLES)
    if version.state != VersionState.PUBLISHED:
        raise Conflict(_("Offerings can be added only to a published micro-credential."), code="not_published")
    fields = _clean_offering(data, None)
    fields.setdefault("place", {})
    fields.setdefault("price_individual", Decimal("0"))
    with transaction.atomic():
        offering = Offering.objects.create(version=version, **fields)
        audit_record(action="offering.created", actor=by, organisation=provider, target=offering)
        index_micro_credential(offering.version.micro_credential_id)  # search: offering filters, places
    return offering


def offering_update(*, offering: Offering, by: Any, data: Mapping[str, Any]) -> Offering:
    provider = offering.version.micro_credential.provider
    _require(by, provider, DESIGN_ROLES)
    fields = _clean_offering(data, offering)
    with transaction.atomic():
        offering = Offering.objects.select_for_update(no_key=True).get(pk=offering.pk)  # see enrolment's offering_lock
        if offering.state == OfferingState.CANCELLED:
            raise Conflict(_("A cancelled offering cannot be changed."), code="offering_cancelled")
        for name, value in fields.items():
            setattr(offering, name, value)
        offering.save()
        audit_record(action="offering.updated", actor=by, organisation=provider, target=offering,
                     data={"fields": sorted(data.keys())})
        index_micro_credential(offering.version.micro_credential_id)  # search: offering filters, places
    return offering


def offering_cancel(*, offering: Offering, by: Any, reason: str = "", now: Any = None) -> Offering:
    """Cancel a run (the provider's designer or administrator). It stays readable as cancelled.

    In the same transaction every app that keeps something on the offering lets it go through the
    `offering_cancelled` signal (enrolments cancelled, invoices credited, seat purchases cancelled,
    pledges released) and tells the people concerned after the commit; if any of that fails, the
    offering stays scheduled and nothing is changed. Refused for an offering that is already cancelled
    (nobody is told twice) or that has ended (its learners took part; their results stand).
    """
    now = now or timezone.now()
    provider = offering.version.micro_credential.provider
    _require(by, provider, DESIGN_ROLES)
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        offering = Offering.objects.select_for_update(no_key=True).get(pk=offering.pk)  # see enrolment's offering_lock
        if offering.state == OfferingState.CANCELLED:
            raise Conflict(_("This offering has already been cancelled."), code="offering_cancelled")
        if offering.end_date < timezone.localdate(now):
            raise Conflict(_("An offering that has ended cannot be cancelled."), code="offering_ended")
        offering.state = OfferingState.CANCELLED
        offering.save(update_fields=["state"])
        audit_record(action="offering.cancelled", actor=by, organisation=provider, target=offering,
                     data={"reason": reason})
        # Receivers raise to refuse or fail: the exception leaves this block and undoes the cancellation.
        offering_cancelled.send(sender=Offering, offering=offering, by=by, reason=reason, now=now)
        index_micro_credential(offering.version.micro_credential_id)  # search: offering filters, places
    return offering


def offering_settle(*, offering: Offering, confirmed: bool, now: Any = None) -> Offering:
    """Decide a tentative offering (demand pooling): confirmed, it runs; otherwise it is cancelled.

    The platform decides, not a person: the demand app calls this inside its transaction, holding the
    offering's row lock, when the minimum is reached or the decision date has come without it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        offering = Offering.objects.select_for_update(no_key=True).get(pk=offering.pk)  # see enrolment's offering_lock
        if not offering.is_tentative:
            raise Conflict(_("This offering has already been decided."), code="already_decided")
        if confirmed:
            offering.confirmed_at = now
            offering.save(update_fields=["confirmed_at"])
        else:
            offering.state = OfferingState.CANCELLED
            offering.save(update_fields=["state"])
        audit_record(action="offering.confirmed" if confirmed else "offering.cancelled", actor=None,
                     organisation=offering.version.micro_credential.provider, target=offering,
                     data={"reason": "minimum_reached" if confirmed else "minimum_not_reached",
                           "min_participants": offering.min_participants,
                           "decision_date": str(offering.decision_date)})
        index_micro_credential(offering.version.micro_credential_id)  # search: offering filters, places
    return offering


__all__ = [
    "LANGUAGE_CODES",
    "PublishRefused",
    "clean_design_data",
    "design_of",
    "micro_credential_clone",
    "micro_credential_create",
    "offering_cancel",
    "offering_create",
    "offering_settle",
    "offering_update",
    "version_edit_or_new",
    "version_findings",
    "version_publish",
    "version_retire",
    "version_return_to_draft",
    "version_submit",
    "version_update",
]
