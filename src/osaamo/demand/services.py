"""Writing employers' skill needs and planned micro-credentials' interest. Views, the API and commands
call these; pooling (tentative offerings, pledges, the decision) is in `pooling.py`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.accounts.selectors import DESIGN_ROLES, has_role
from osaamo.audit.services import audit_record
from osaamo.catalog.models import MicroCredential, Offering, OfferingState, VersionState
from osaamo.demand.models import MAX_PEOPLE, NeedState, PlannedInterest, PlannedMicroCredential, SkillNeed
from osaamo.demand.regions import CODES
from osaamo.demand.selectors import EMPLOYER_ROLES
from osaamo.errors import Conflict, InvalidInput, PermissionDenied
from osaamo.framework.selectors import esco_skills_by_uri
from osaamo.mail import absolute_url, language_of, send_after_commit
from osaamo.translation import LANGUAGE_CODES, clean_translations, current_language

MAX_SKILLS = 20
MAX_BUDGET = Decimal("1000000")
NEED_FIELDS = ("title", "description", "language", "skills", "region", "people", "needed_by",
               "budget_per_person", "show_name")


def _require_employer(by: Any, organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.EMPLOYER or not has_role(by, organisation, EMPLOYER_ROLES):
        raise PermissionDenied()


def _text(value: Any, name: str, errors: dict[str, list[str]], *, required: bool, max_length: int) -> str:
    text = "" if value is None else value
    if not isinstance(text, str):
        errors.setdefault(name, []).append(str(_("Enter text.")))
        return ""
    text = text.strip()
    if "\x00" in text:
        errors.setdefault(name, []).append(str(_("Text may not contain the NUL character.")))
    elif required and not text:
        errors.setdefault(name, []).append(str(_("This field is required.")))
    elif len(text) > max_length:
        errors.setdefault(name, []).append(str(_("Enter at most %(max_length)s characters.")
                                               % {"max_length": max_length}))
    return text


def clean_need_data(data: Mapping[str, Any], current: SkillNeed | None = None, *, today: date | None = None
                    ) -> dict[str, Any]:
    """Check a need's fields (all of them for a new need, those given for a change); raise InvalidInput
    with messages per field. Returns the cleaned values, skills as a list of EscoSkill."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    new = current is None
    if new or "title" in data:
        fields["title"] = _text(data.get("title"), "title", errors, required=True, max_length=200)
    if new or "description" in data:
        fields["description"] = _text(data.get("description"), "description", errors, required=False,
                                      max_length=5000)
    if new or "language" in data:
        language = data.get("language") or (current.language if current else current_language())
        if language not in LANGUAGE_CODES:
            errors.setdefault("language", []).append(str(_("Choose fi, sv or en.")))
        fields["language"] = language
    if new or "skills" in data:
        uris = data.get("skills") or []
        if not isinstance(uris, list | tuple) or not all(isinstance(uri, str) for uri in uris):
            errors.setdefault("skills", []).append(str(_("Give the ESCO skills as a list of their URIs.")))
            uris = []
        uris = list(dict.fromkeys(uri.strip() for uri in uris))
        if len(uris) > MAX_SKILLS:
            errors.setdefault("skills", []).append(str(_("Choose at most %(max)s skills.") % {"max": MAX_SKILLS}))
        found = esco_skills_by_uri(uris[:MAX_SKILLS])
        unknown = sorted(set(uris[:MAX_SKILLS]) - {skill.uri for skill in found})
        for uri in unknown[:5]:
            errors.setdefault("skills", []).append(str(_("Unknown ESCO skill %(uri)s.") % {"uri": uri[:200]}))
        fields["skills"] = found
    if new or "region" in data:
        region = data.get("region")
        if region not in CODES:
            errors.setdefault("region", []).append(str(_("Choose a region of Finland.")))
        fields["region"] = region
    if new or "people" in data:
        people = data.get("people")
        try:
            if isinstance(people, bool) or people in (None, ""):
                raise ValueError
            number = int(str(people))
            if not 1 <= number <= MAX_PEOPLE:
                raise ValueError
            fields["people"] = number
        except (TypeError, ValueError):
            errors.setdefault("people", []).append(
                str(_("Enter a number of people between 1 and %(max)s.") % {"max": MAX_PEOPLE}))
    if new or "needed_by" in data:
        value = data.get("needed_by")
        if value in (None, ""):
            fields["needed_by"] = None
        else:
            try:
                needed_by = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                errors.setdefault("needed_by", []).append(str(_("Enter a valid date.")))
            else:
                unchanged = current is not None and current.needed_by == needed_by
                if needed_by < today and not unchanged:
                    errors.setdefault("needed_by", []).append(str(_("The date cannot be in the past.")))
                elif needed_by.year > today.year + 10:
                    errors.setdefault("needed_by", []).append(str(_("Enter a date within ten years.")))
                fields["needed_by"] = needed_by
    if new or "budget_per_person" in data:
        value = data.get("budget_per_person")
        if value in (None, ""):
            fields["budget_per_person"] = None
        else:
            try:
                if isinstance(value, bool):
                    raise InvalidOperation
                budget = Decimal(str(value).replace(",", ".").replace(" ", ""))
                if not budget.is_finite() or budget < 0 or budget >= MAX_BUDGET:
                    raise InvalidOperation
                fields["budget_per_person"] = budget.quantize(Decimal("0.01"))
            except InvalidOperation:
                errors.setdefault("budget_per_person", []).append(
                    str(_("Enter an amount in euros between 0 and 999999, e.g. 800.")))
    if new or "show_name" in data:
        show = data.get("show_name", False)
        if not isinstance(show, bool):
            errors.setdefault("show_name", []).append(str(_("Enter true or false.")))
        fields["show_name"] = bool(show)
    if errors:
        raise InvalidInput(details=errors)
    return fields


def _apply(need: SkillNeed, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name != "skills":
            setattr(need, name, value)
    need.save()
    if "skills" in fields:
        need.skills.set(fields["skills"])


def _audit_data(need: SkillNeed) -> dict[str, Any]:
    return {"title": need.title, "region": need.region, "people": need.people,
            "needed_by": need.needed_by.isoformat() if need.needed_by else None,
            "budget_per_person": str(need.budget_per_person) if need.budget_per_person is not None else None,
            "skills": [skill.uri for skill in need.skills.all()], "show_name": need.show_name}


def need_create(*, organisation: Organisation, by: Any, data: Mapping[str, Any]) -> SkillNeed:
    """A new open skill need of `organisation` (an employer; its administrators and members may post)."""
    _require_employer(by, organisation)
    fields = clean_need_data(data)
    with transaction.atomic():
        need = SkillNeed(organisation=organisation, created_by=by)
        _apply(need, fields)
        audit_record(action="skill_need.created", actor=by, organisation=organisation, target=need,
                     data=_audit_data(need))
    return need


def need_update(*, need: SkillNeed, by: Any, data: Mapping[str, Any]) -> SkillNeed:
    """Change an open need (the fields given)."""
    _require_employer(by, need.organisation)
    unknown = sorted(set(data) - set(NEED_FIELDS))
    if unknown:
        raise InvalidInput(details={name: [str(_("This field is not allowed here."))] for name in unknown})
    with transaction.atomic():
        need = SkillNeed.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=need.pk)
        if need.state != NeedState.OPEN:
            raise Conflict(_("A closed need cannot be changed."), code="need_closed")
        fields = clean_need_data(data, need)
        _apply(need, fields)
        audit_record(action="skill_need.updated", actor=by, organisation=need.organisation, target=need,
                     data={"fields": sorted(fields), **_audit_data(need)})
    return need


def need_close(*, need: SkillNeed, by: Any, now: Any = None) -> SkillNeed:
    """Close a need (it leaves the demand board). Closing a closed need changes nothing."""
    _require_employer(by, need.organisation)
    with transaction.atomic():
        need = SkillNeed.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=need.pk)
        if need.state == NeedState.CLOSED:
            return need
        need.state = NeedState.CLOSED
        need.closed_at = now or timezone.now()
        need.save(update_fields=["state", "closed_at", "updated_at"])
        audit_record(action="skill_need.closed", actor=by, organisation=need.organisation, target=need)
    return need


# --- planned micro-credentials: interest before there are dates ------------------------------------------


def plan_open(*, micro_credential: MicroCredential, by: Any, timing: Mapping[str, Any] | None = None) -> PlannedMicroCredential:
    """Put a published micro-credential out as planned (no dates yet) to collect interest.

    Needs the provider's design roles; refused when the micro-credential is not published, already
    has an upcoming offering (people can enrol or register interest in that), or is already planned.
    """
    provider = micro_credential.provider
    if not has_role(by, provider, DESIGN_ROLES):
        raise PermissionDenied()
    try:
        cleaned_timing = clean_translations(timing or {})
    except ValidationError as error:
        raise InvalidInput(details={"timing": [str(m) for m in error.messages]}) from None
    if any(len(text) > 200 for text in cleaned_timing.values()):
        raise InvalidInput(details={"timing": [str(_("Enter at most %(max_length)s characters.")
                                                   % {"max_length": 200})]})
    with transaction.atomic():
        MicroCredential.objects.select_for_update().get(pk=micro_credential.pk)
        if not micro_credential.versions.filter(state=VersionState.PUBLISHED).exists():
            raise Conflict(_("Only a published micro-credential can be announced as planned."), code="not_published")
        if Offering.objects.filter(version__micro_credential=micro_credential, state=OfferingState.SCHEDULED,
                                   end_date__gte=timezone.localdate()).exists():
            raise Conflict(_("This micro-credential already has an upcoming offering."), code="has_offering")
        plan = PlannedMicroCredential.objects.filter(micro_credential=micro_credential).first()
        if plan is not None and plan.is_open:
            raise Conflict(_("This micro-credential is already announced as planned."), code="already_planned")
        if plan is None:
            plan = PlannedMicroCredential(micro_credential=micro_credential)
        else:
            plan.interests.all().delete()  # a new round of interest
        plan.timing = cleaned_timing
        plan.opened_by = by
        plan.opened_at = timezone.now()
        plan.closed_at = None
        plan.save()
        audit_record(action="planned_micro_credential.opened", actor=by, organisation=provider, target=plan,
                     data={"micro_credential": micro_credential.pk, "timing": cleaned_timing})
    return plan


def plan_close(*, plan: PlannedMicroCredential, by: Any, announce: Offering | None = None) -> PlannedMicroCredential:
    """Stop collecting interest; with `announce` (an upcoming offering of the same micro-credential),
    tell everyone who registered interest about it, each in their language, once."""
    provider = plan.micro_credential.provider
    if not has_role(by, provider, DESIGN_ROLES):
        raise PermissionDenied()
    with transaction.atomic():
        plan = PlannedMicroCredential.objects.select_for_update(of=("self",)).select_related("micro_credential__provider").get(
            pk=plan.pk)
        if not plan.is_open:
            raise Conflict(_("Interest is no longer being collected for this micro-credential."), code="plan_closed")
        if announce is not None and (announce.version.micro_credential_id != plan.micro_credential_id
                                     or announce.state != OfferingState.SCHEDULED):
            raise InvalidInput(details={"offering": [str(_("Choose an upcoming offering of this micro-credential."))]})
        plan.closed_at = timezone.now()
        plan.save(update_fields=["closed_at"])
        interests = list(plan.interests.select_related("learner"))
        audit_record(action="planned_micro_credential.closed", actor=by, organisation=provider, target=plan,
                     data={"interested": len(interests), "announced_offering": announce.pk if announce else None})
        if announce is not None:
            for interest in interests:
                learner = interest.learner
                offering = announce

                def context(offering: Offering = offering, learner: Any = learner) -> dict[str, Any]:
                    return {"recipient": learner, "offering": offering, "version": offering.version,
                            "provider": provider, "offering_url": absolute_url("demand:offering", offering.pk)}

                send_after_commit(template="demand/mail/planned_announced", to=learner.email, language=language_of(learner),
                                  context=context)
    return plan


def planned_interest_register(*, plan: PlannedMicroCredential, learner: Any) -> PlannedInterest:
    """Note that `learner` would take a planned micro-credential. Asking again changes nothing."""
    if not getattr(learner, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."), code="authentication_required")
    with transaction.atomic():
        plan = PlannedMicroCredential.objects.select_for_update(of=("self",)).select_related("micro_credential__provider").get(
            pk=plan.pk)
        if not plan.is_open:
            raise Conflict(_("Interest is no longer being collected for this micro-credential."), code="plan_closed")
        interest, created = PlannedInterest.objects.get_or_create(plan=plan, learner=learner)
        if created:
            audit_record(action="planned_interest.registered", actor=learner,
                         organisation=plan.micro_credential.provider, target=interest, data={"plan": plan.pk})
    return interest


def planned_interest_withdraw(*, plan: PlannedMicroCredential, learner: Any) -> None:
    if not getattr(learner, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."), code="authentication_required")
    with transaction.atomic():
        interest = PlannedInterest.objects.select_for_update().filter(plan=plan, learner=learner).first()
        if interest is None:
            return
        audit_record(action="planned_interest.withdrawn", actor=learner, organisation=plan.micro_credential.provider,
                     target=interest, data={"plan": plan.pk})
        interest.delete()
