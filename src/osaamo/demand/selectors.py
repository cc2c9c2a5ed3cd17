"""Reading demand. Employer data is read from the employer (tenant) first and answers "not found"
alike for "does not exist" and "not yours"; providers read needs only through the demand board."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.accounts.selectors import EMPLOYER_ADMIN_ROLES, EMPLOYER_ROLES, PROVIDER_STAFF_ROLES, organisations_of
from osaamo.catalog.models import MicroCredential, Offering, OfferingState, VersionState
from osaamo.demand.models import NeedState, PlannedInterest, PlannedMicroCredential, Pledge, PledgeState, SkillNeed
from osaamo.enrolment.models import PLACE_STATES, RESERVING_SEAT_STATES, Enrolment, EnrolmentState, Seat
from osaamo.errors import NotFound

PLEDGE_ROLES = EMPLOYER_ADMIN_ROLES  # commit money: pledge seats


# --- places and commitments on offerings -----------------------------------------------------------


@dataclass(frozen=True)
class Commitments:
    """Who is committed to an offering. `committed` is what counts towards its minimum."""

    capacity: int | None
    minimum: int | None
    enrolled: int  # enrolments holding a place (enrolled, completed, failed)
    reserved_seats: int  # seats organisations bought and have not yet had redeemed
    pledged: int  # seats employers pledged on a tentative offering
    interested: int  # learners who registered interest (no place)

    @property
    def committed(self) -> int:
        return self.enrolled + self.reserved_seats + self.pledged

    @property
    def left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.committed)

    @property
    def missing(self) -> int:
        """How many more commitments the minimum needs (0 when reached or when there is none)."""
        return max(0, (self.minimum or 0) - self.committed)

    @property
    def progress_percent(self) -> int:
        if not self.minimum:
            return 100
        return min(100, round(100 * self.committed / self.minimum))


def commitments_for(offerings: Iterable[Offering]) -> dict[int, Commitments]:
    """Commitments of many offerings in three queries (call with the offering locked inside a service)."""
    offerings = list(offerings)
    ids = [offering.pk for offering in offerings]
    if not ids:
        return {}
    enrolments: dict[int, dict[str, int]] = {}
    for offering_id, state, count in (
        Enrolment.objects.filter(offering_id__in=ids).order_by().values_list("offering_id", "state")
        .annotate(n=Count("id"))
    ):
        enrolments.setdefault(offering_id, {})[state] = count
    seats = dict(
        Seat.objects.filter(purchase__offering_id__in=ids, state__in=RESERVING_SEAT_STATES).order_by()
        .values_list("purchase__offering_id").annotate(n=Count("id"))
    )
    pledged = dict(
        Pledge.objects.filter(offering_id__in=ids, state=PledgeState.PLEDGED).order_by()
        .values_list("offering_id").annotate(n=Sum("quantity"))
    )
    result = {}
    for offering in offerings:
        states = enrolments.get(offering.pk, {})
        result[offering.pk] = Commitments(
            capacity=offering.seats,
            minimum=offering.min_participants,
            enrolled=sum(states.get(state, 0) for state in PLACE_STATES),
            reserved_seats=seats.get(offering.pk, 0),
            pledged=int(pledged.get(offering.pk) or 0),
            interested=states.get(EnrolmentState.INTERESTED, 0),
        )
    return result


def offering_commitments(offering: Offering) -> Commitments:
    return commitments_for([offering])[offering.pk]


# --- employers ---------------------------------------------------------------------------------------


def employers_of(user: Any, roles: Iterable[str] = EMPLOYER_ROLES) -> QuerySet[Organisation]:
    return organisations_of(user, kind=OrganisationKind.EMPLOYER, roles=roles)


def employer_for_member(*, user: Any, slug: str, roles: Iterable[str] = EMPLOYER_ROLES) -> Organisation:
    """The employer `slug` if `user` belongs to it with one of `roles`; "not found" alike otherwise."""
    organisation = employers_of(user, roles).filter(slug=slug).first()
    if organisation is None:
        raise NotFound()
    return organisation


def employer_needs(*, organisation: Organisation, state: str | None = None) -> QuerySet[SkillNeed]:
    needs = organisation.skill_needs.all().prefetch_related("skills").annotate(
        pledge_count=Count("pledges", filter=Q(pledges__state__in=[PledgeState.PLEDGED, PledgeState.PURCHASED]))
    )
    if state:
        needs = needs.filter(state=state)
    return needs.order_by("state", "-created_at", "-id")


def employer_need(*, organisation: Organisation, pk: int) -> SkillNeed:
    need = organisation.skill_needs.filter(pk=pk).prefetch_related("skills").first()
    if need is None:
        raise NotFound()
    return need


def employer_pledges(*, organisation: Organisation) -> QuerySet[Pledge]:
    return (
        organisation.pledges.all()
        .select_related("offering__version__micro_credential__provider", "purchase__invoice", "need")
        .order_by("-created_at", "-id")
    )


def employer_pledge(*, organisation: Organisation, pk: int) -> Pledge:
    pledge = employer_pledges(organisation=organisation).filter(pk=pk).first()
    if pledge is None:
        raise NotFound()
    return pledge


def open_pledge(*, organisation: Organisation, offering: Offering) -> Pledge | None:
    return organisation.pledges.filter(offering=offering, state=PledgeState.PLEDGED).first()


# --- offerings open to pledges and tentative enrolment ------------------------------------------------


def public_offering(*, pk: int) -> Offering:
    """An offering of a current published micro-credential of an active provider; "not found" otherwise."""
    offering = (
        Offering.objects.select_related("version__micro_credential__provider")
        .filter(pk=pk, version__state=VersionState.PUBLISHED, version__micro_credential__provider__is_active=True)
        .first()
    )
    if offering is None:
        raise NotFound()
    return offering


def current_needs() -> QuerySet[SkillNeed]:
    """Open needs whose date has not passed (or that have none): what the demand board counts."""
    today = timezone.localdate()
    return (
        SkillNeed.objects.filter(state=NeedState.OPEN, organisation__is_active=True)
        .filter(Q(needed_by__isnull=True) | Q(needed_by__gte=today))
        .select_related("organisation")
        .prefetch_related("skills")
        .order_by("-created_at", "-id")
    )


# --- provider staff ----------------------------------------------------------------------------------


def provider_for_staff(*, user: Any, slug: str, roles: Iterable[str] = PROVIDER_STAFF_ROLES) -> Organisation:
    provider = organisations_of(user, kind=OrganisationKind.PROVIDER, roles=roles).filter(slug=slug).first()
    if provider is None:
        raise NotFound()
    return provider


def provider_pooled_offerings(*, provider: Organisation) -> list[tuple[Offering, Commitments]]:
    """The provider's offerings that have a minimum of participants, not yet ended, with their commitments."""
    offerings = list(
        Offering.objects.filter(version__micro_credential__provider=provider, min_participants__isnull=False,
                                end_date__gte=timezone.localdate())
        .select_related("version__micro_credential__provider")
        .order_by("start_date", "id")
    )
    counts = commitments_for(offerings)
    return [(offering, counts[offering.pk]) for offering in offerings]


def provider_offering(*, provider: Organisation, pk: int) -> Offering:
    offering = (
        Offering.objects.filter(version__micro_credential__provider=provider, pk=pk)
        .select_related("version__micro_credential__provider")
        .first()
    )
    if offering is None:
        raise NotFound()
    return offering


def offering_pledges(*, offering: Offering) -> QuerySet[Pledge]:
    return offering.pledges.select_related("organisation", "purchase__invoice").order_by("created_at", "id")


def provider_plans(*, provider: Organisation) -> QuerySet[PlannedMicroCredential]:
    return (
        PlannedMicroCredential.objects.filter(micro_credential__provider=provider)
        .select_related("micro_credential")
        .annotate(interest_count=Count("interests"))
        .order_by("closed_at", "-opened_at", "-id")
    )


def provider_plan(*, provider: Organisation, pk: int) -> PlannedMicroCredential:
    plan = provider_plans(provider=provider).filter(pk=pk).first()
    if plan is None:
        raise NotFound()
    return plan


def plannable_micro_credentials(*, provider: Organisation) -> QuerySet[MicroCredential]:
    """The provider's published micro-credentials with no upcoming offering and no open plan."""
    upcoming = Offering.objects.filter(state=OfferingState.SCHEDULED, end_date__gte=timezone.localdate())
    return (
        provider.micro_credentials.filter(versions__state=VersionState.PUBLISHED)
        .exclude(pk__in=upcoming.values("version__micro_credential_id"))
        .exclude(pk__in=PlannedMicroCredential.objects.filter(closed_at__isnull=True).values("micro_credential_id"))
        .order_by("code")
    )


def published_version_of(micro_credential: MicroCredential) -> Any:
    return micro_credential.versions.filter(state=VersionState.PUBLISHED).first()


# --- the public and learners ----------------------------------------------------------------------------


def open_plan_for(micro_credential_id: int) -> PlannedMicroCredential | None:
    return (
        PlannedMicroCredential.objects.filter(micro_credential_id=micro_credential_id, closed_at__isnull=True)
        .annotate(interest_count=Count("interests"))
        .first()
    )


def public_plan(*, pk: int) -> PlannedMicroCredential:
    """An open plan of a published micro-credential of an active provider; "not found" otherwise."""
    plan = (
        PlannedMicroCredential.objects.filter(
            pk=pk, closed_at__isnull=True, micro_credential__provider__is_active=True,
            micro_credential__versions__state=VersionState.PUBLISHED,
        )
        .select_related("micro_credential__provider")
        .annotate(interest_count=Count("interests"))
        .first()
    )
    if plan is None:
        raise NotFound()
    return plan


def has_interest(*, plan: PlannedMicroCredential, learner: Any) -> bool:
    if not getattr(learner, "is_authenticated", False):
        return False
    return PlannedInterest.objects.filter(plan=plan, learner=learner).exists()
