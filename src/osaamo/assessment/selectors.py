"""Reading results and the learner's own studies. Staff reads start from the provider (the tenant) and
answer "not found" alike for "does not exist" and "not yours"; the learner reads only their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.accounts.selectors import ASSESSOR_ROLES, REGISTRAR_ROLES, has_role, organisations_of
from osaamo.assessment.models import ImportState, IssuingMode, OfferingAssessment, Result, ResultImport
from osaamo.catalog.models import MicroCredentialVersion, Offering, OfferingState, VersionState
from osaamo.enrolment import selectors as enrolment_selectors
from osaamo.enrolment.models import PLACE_STATES, Enrolment, EnrolmentState
from osaamo.errors import NotFound
from osaamo.framework.vocabularies import Stackability

LEARNERS_PER_PAGE = 100


def provider_for_assessor(*, user: Any, slug: str, roles: Iterable[str] = ASSESSOR_ROLES) -> Organisation:
    """The provider `slug` if `user` is its administrator, registrar or teacher; "not found" alike otherwise."""
    provider = organisations_of(user, kind=OrganisationKind.PROVIDER, roles=roles).filter(slug=slug).first()
    if provider is None:
        raise NotFound()
    return provider


def can_issue(user: Any, offering: Offering) -> bool:
    """Registrars and administrators of the micro-credential's owner decide about issuing."""
    return has_role(user, offering.version.micro_credential.provider, REGISTRAR_ROLES)


def _count(queryset: QuerySet[Any], outer: str = "offering") -> Any:
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def assessment_offerings(*, provider: Organisation) -> QuerySet[Offering]:
    """The provider's offerings (and those of joint micro-credentials it co-provides), the latest first,
    with the numbers of enrolled learners, results, passes and credentials."""
    from osaamo.credentials.models import IssuedCredential

    ids = enrolment_selectors.provider_offerings_with_counts(provider=provider).values("pk")
    return (
        Offering.objects.filter(pk__in=ids)
        .select_related("version__micro_credential__provider")
        .annotate(
            learners_count=_count(Enrolment.objects.filter(state__in=PLACE_STATES)),
            results_count=_count(Result.objects.all()),
            passed_count=_count(Result.objects.filter(passed=True)),
            credentials_count=_count(IssuedCredential.objects.exclude(enrolment=None)),
        )
        .order_by("-start_date", "-id")
    )


def assessment_offering(*, provider: Organisation, pk: int) -> Offering:
    return enrolment_selectors.provider_offering(provider=provider, pk=pk)


def offering_settings(offering: Offering) -> OfferingAssessment:
    found = OfferingAssessment.objects.filter(offering=offering).select_related("authorised_by").first()
    return found or OfferingAssessment(offering=offering, issuing=IssuingMode.CONFIRMED)


def offering_learners(*, offering: Offering, q: str = "") -> QuerySet[Enrolment]:
    """The learners who hold a place (enrolled, completed, failed), with their result, by name."""
    learners = (
        Enrolment.objects.filter(offering=offering, state__in=PLACE_STATES)
        .select_related("learner", "assessment_result")
        .order_by("learner__full_name", "learner__email", "id")
    )
    if q:
        learners = learners.filter(Q(learner__full_name__icontains=q) | Q(learner__email__icontains=q))
    return learners


def offering_learner(*, offering: Offering, pk: int) -> Enrolment:
    """One enrolment of the offering (any state, so that a page can say why it cannot get a result)."""
    enrolment = (Enrolment.objects.filter(offering=offering, pk=pk)
                 .select_related("learner", "assessment_result", "offering__version__micro_credential__provider")
                 .first())
    if enrolment is None:
        raise NotFound()
    return enrolment


def credentials_of(enrolment_ids: Sequence[int]) -> dict[int, Any]:
    """The credential issued for each of these enrolments (one each: the database holds the rule)."""
    from osaamo.credentials.models import IssuedCredential

    if not enrolment_ids:
        return {}
    return {int(c.enrolment_id or 0): c for c in IssuedCredential.objects.filter(
        enrolment_id__in=list(enrolment_ids), idempotency_key__startswith="enrolment:")}


def _without_credential(results: QuerySet[Result]) -> QuerySet[Result]:
    from osaamo.credentials.models import IssuedCredential

    return results.filter(passed=True, enrolment__state=EnrolmentState.COMPLETED).exclude(
        Exists(IssuedCredential.objects.filter(enrolment_id=OuterRef("enrolment_id"))))


def passing_without_credential(offering: Offering) -> int:
    return _without_credential(Result.objects.filter(offering=offering)).count()


@dataclass(frozen=True)
class OfferingSummary:
    learners: int
    results: int
    passed: int
    failed: int
    credentials: int
    waiting_for_credential: int

    @property
    def without_result(self) -> int:
        return max(0, self.learners - self.results)


def offering_summary(offering: Offering) -> OfferingSummary:
    from osaamo.credentials.models import IssuedCredential

    results = Result.objects.filter(offering=offering).aggregate(
        total=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    return OfferingSummary(
        learners=Enrolment.objects.filter(offering=offering, state__in=PLACE_STATES).count(),
        results=results["total"], passed=results["passed"], failed=results["total"] - results["passed"],
        credentials=IssuedCredential.objects.filter(offering=offering).exclude(enrolment=None).count(),
        waiting_for_credential=passing_without_credential(offering),
    )


def awards_for_issuing(offering: Any, enrolment_ids: Sequence[int]) -> dict[int, Any]:
    """What the credentials of these enrolments say about their results (the credentials app's award
    source, registered in `AssessmentConfig.ready`): the grade as the credential states it, the date
    of the assessment and the identity verification used. Passing results only."""
    from osaamo.credentials.awards import Award

    rows = Result.objects.filter(offering=offering, enrolment_id__in=list(enrolment_ids), passed=True).values_list(
        "enrolment_id", "grade", "assessed_on", "identity_verification")
    return {enrolment_id: Award(grade=grade, awarded_on=assessed_on, identity_verification=verification)
            for enrolment_id, grade, assessed_on, verification in rows}


def latest_issuing_job(offering: Offering) -> Any:
    from osaamo.credentials.models import IssuingJob

    return IssuingJob.objects.filter(offering=offering).order_by("-created_at", "-id").first()


def offering_results(*, offering: Offering) -> QuerySet[Result]:
    return (Result.objects.filter(offering=offering).select_related("learner", "enrolment")
            .order_by("id"))


def offering_result_imports(*, offering: Offering, provider: Organisation) -> QuerySet[ResultImport]:
    return (ResultImport.objects.filter(offering=offering, provider=provider).select_related("uploaded_by")
            .defer("rows").order_by("-created_at", "-id"))


def result_import(*, provider: Organisation, offering: Offering, pk: int) -> ResultImport:
    found = ResultImport.objects.filter(provider=provider, offering=offering, pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def same_file_applied(result_import: ResultImport) -> ResultImport | None:
    """An earlier upload of exactly this file for the offering that was saved (to tell the user)."""
    return (ResultImport.objects.filter(offering_id=result_import.offering_id, sha256=result_import.sha256,
                                        state=ImportState.APPLIED)
            .exclude(pk=result_import.pk).defer("rows").order_by("-applied_at").first())


# --- the learner's own studies ----------------------------------------------------------------------------


@dataclass
class StudyRow:
    """One enrolment on the learner's page, with its result, credential and the next step."""

    enrolment: Enrolment
    result: Result | None = None
    credential: Any = None
    can_cancel: bool = False
    waitlist_position: int | None = None
    next_step: str = ""
    next_date: date | None = None


@dataclass
class Suggestion:
    version: MicroCredentialVersion
    offering: Offering | None
    reason: str  # "stacks" (builds on a completed one), "same_field", "again" (a later run), "interest"


@dataclass
class Studies:
    current: list[StudyRow] = field(default_factory=list)
    finished: list[StudyRow] = field(default_factory=list)
    cancelled: list[StudyRow] = field(default_factory=list)
    credentials: list[Any] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    stacks: list[StudyRow] = field(default_factory=list)  # completed stackable ones (what they count towards)


def _next_step(row: StudyRow, today: date, now: Any) -> None:
    enrolment = row.enrolment
    offering = enrolment.offering
    state = enrolment.state
    if state == EnrolmentState.INTERESTED:
        if offering.state != OfferingState.SCHEDULED:
            row.next_step = "cancelled_offering"
        elif enrolment_selectors.window_is_open(offering, now):
            row.next_step, row.next_date = "enrol_now", timezone.localdate(offering.enrolment_closes)
        elif now < offering.enrolment_opens:
            row.next_step, row.next_date = "enrolment_opens", timezone.localdate(offering.enrolment_opens)
        else:
            row.next_step = "enrolment_closed"
    elif state == EnrolmentState.WAITLISTED:
        row.next_step = "waitlisted"
    elif state == EnrolmentState.ENROLLED:
        if offering.state != OfferingState.SCHEDULED:
            row.next_step = "cancelled_offering"
        elif today < offering.start_date:
            row.next_step, row.next_date = "starts", offering.start_date
        elif today <= offering.end_date:
            row.next_step, row.next_date = "in_progress", offering.end_date
        else:
            row.next_step = "waiting_for_result"
    elif state == EnrolmentState.COMPLETED:
        row.next_step = "credential" if row.credential is not None else "credential_coming"
    elif state == EnrolmentState.FAILED:
        row.next_step = "try_again"


def learner_studies(*, learner: Any, now: Any = None, suggestions: int = 6) -> Studies:
    """Everything of `learner`'s own: enrolments with results, credentials and next steps, and what could
    come next. A fixed number of queries whatever the number of enrolments (plus one per waitlisted one)."""
    from osaamo.credentials.selectors import learner_credentials

    studies = Studies()
    if not getattr(learner, "is_authenticated", False):
        return studies
    now = now or timezone.now()
    today = timezone.localdate(now)
    enrolments = list(
        Enrolment.objects.filter(learner=learner)
        .select_related("offering__version__micro_credential__provider", "assessment_result")
        .order_by("-created_at", "-id")
    )
    credentials = list(learner_credentials(user=learner))
    by_enrolment = {c.enrolment_id: c for c in credentials if c.enrolment_id}
    studies.credentials = credentials
    for enrolment in enrolments:
        result = getattr(enrolment, "assessment_result", None)
        row = StudyRow(enrolment=enrolment, result=result, credential=by_enrolment.get(enrolment.pk))
        started = enrolment_selectors.has_started(enrolment.offering, now)
        row.can_cancel = enrolment.state in (EnrolmentState.INTERESTED, EnrolmentState.WAITLISTED,
                                             EnrolmentState.ENROLLED) and not started
        if enrolment.state == EnrolmentState.WAITLISTED:
            row.waitlist_position = enrolment_selectors.waitlist_position(enrolment)
        _next_step(row, today, now)
        if enrolment.state == EnrolmentState.CANCELLED:
            studies.cancelled.append(row)
        elif enrolment.state in (EnrolmentState.COMPLETED, EnrolmentState.FAILED):
            studies.finished.append(row)
            if enrolment.state == EnrolmentState.COMPLETED and \
                    enrolment.offering.version.stackability == Stackability.STACKABLE:
                studies.stacks.append(row)
        else:
            studies.current.append(row)
    studies.suggestions = _suggestions(enrolments, today, limit=suggestions)
    return studies


def _upcoming() -> QuerySet[Offering]:
    return Offering.objects.filter(state=OfferingState.SCHEDULED, start_date__gt=timezone.localdate()).order_by(
        "start_date", "id")


def _suggestions(enrolments: Sequence[Enrolment], today: date, *, limit: int) -> list[Suggestion]:
    """What could come next: micro-credentials that build on what the learner completed (stackable ones in
    the same field of education, at the same or a higher level), a later run of one they did not pass or
    are interested in. Two queries."""
    completed = [e for e in enrolments if e.state == EnrolmentState.COMPLETED]
    active_micro_credentials = {e.offering.version.micro_credential_id for e in enrolments
                                if e.state in (EnrolmentState.ENROLLED, EnrolmentState.WAITLISTED,
                                               EnrolmentState.COMPLETED)}
    again = {e.offering.version.micro_credential_id for e in enrolments
             if e.state == EnrolmentState.FAILED
             or (e.state == EnrolmentState.INTERESTED and (e.offering.state != OfferingState.SCHEDULED
                                                           or e.offering.start_date <= today))}
    again -= active_micro_credentials
    fields = {e.offering.version.isced_field_id[:3] for e in completed if e.offering.version.isced_field_id}
    levels = [e.offering.version.eqf_level for e in completed if e.offering.version.eqf_level]
    if not fields and not again:
        return []
    field_filter = Q()
    for code in sorted(fields):
        field_filter |= Q(isced_field__code__startswith=code)
    wanted = Q(micro_credential_id__in=again)
    if fields:
        wanted |= field_filter
    candidates = (
        MicroCredentialVersion.objects.filter(wanted, state=VersionState.PUBLISHED,
                                              micro_credential__provider__is_active=True)
        .exclude(micro_credential_id__in=active_micro_credentials)
        .filter(Exists(_upcoming().filter(version=OuterRef("pk"))))
        .select_related("micro_credential__provider")
        .prefetch_related(Prefetch("offerings", queryset=_upcoming(), to_attr="upcoming"))
        .order_by("id")[:200]
    )
    lowest_level = min(levels) if levels else 0
    found: list[Suggestion] = []
    for version in candidates:
        if version.micro_credential_id in again:
            reason = "again"
        elif version.stackability == Stackability.STACKABLE and (version.eqf_level or 0) >= lowest_level:
            reason = "stacks"
        elif (version.eqf_level or 0) >= lowest_level:
            reason = "same_field"
        else:
            continue
        upcoming = getattr(version, "upcoming", [])
        found.append(Suggestion(version=version, offering=upcoming[0] if upcoming else None, reason=reason))
    order = {"again": 0, "stacks": 1, "same_field": 2}
    found.sort(key=lambda s: (order[s.reason], s.offering.start_date if s.offering else date.max, s.version.pk))
    return found[:limit]
