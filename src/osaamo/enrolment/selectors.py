"""Reading enrolments, purchases and seats. Reads across a trust boundary start from the tenant or the
person and answer "not found" alike for "does not exist" and "not yours"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from osaamo.accounts.models import Organisation, OrganisationKind
from osaamo.accounts.selectors import EMPLOYER_ADMIN_ROLES, REGISTRAR_ROLES, organisations_of
from osaamo.catalog.models import Offering, OfferingState, VersionState
from osaamo.enrolment.models import (
    PLACE_STATES,
    RESERVING_SEAT_STATES,
    Enrolment,
    EnrolmentState,
    Invoice,
    InvoicingDetails,
    Seat,
    SeatPurchase,
    SeatState,
)
from osaamo.errors import NotFound


@dataclass(frozen=True)
class Places:
    """How the places of an offering are used. `left` is None when the offering has no limit."""

    capacity: int | None
    enrolled: int  # enrolments holding a place (enrolled, completed, failed), seat holders included
    reserved_seats: int  # seats bought by organisations and not yet redeemed
    waitlisted: int
    interested: int

    @property
    def taken(self) -> int:
        return self.enrolled + self.reserved_seats

    @property
    def left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.taken)

    @property
    def is_full(self) -> bool:
        return self.left == 0


def offering_places(offering: Offering) -> Places:
    """Count the places of `offering` (two queries). Inside a service, call it with the offering locked."""
    counts = dict(
        Enrolment.objects.filter(offering=offering).order_by().values_list("state").annotate(n=Count("id"))
    )
    reserved = Seat.objects.filter(purchase__offering=offering, state__in=RESERVING_SEAT_STATES).count()
    return Places(
        capacity=offering.seats,
        enrolled=sum(counts.get(state, 0) for state in PLACE_STATES),
        reserved_seats=reserved,
        waitlisted=counts.get(EnrolmentState.WAITLISTED, 0),
        interested=counts.get(EnrolmentState.INTERESTED, 0),
    )


def window_is_open(offering: Offering, now: Any = None) -> bool:
    now = now or timezone.now()
    return offering.state == OfferingState.SCHEDULED and offering.enrolment_opens <= now < offering.enrolment_closes


def takes_enrolments(offering: Offering, now: Any = None) -> bool:
    """Open for new enrolments on the pages: the window is open and the offering is of the current version."""
    return window_is_open(offering, now) and offering.version.state == VersionState.PUBLISHED


def has_started(offering: Offering, now: Any = None) -> bool:
    now = now or timezone.now()
    return timezone.localdate(now) >= offering.start_date


def requires_prerequisites_confirmation(offering: Offering) -> bool:
    """True when the micro-credential states prerequisites (in any language)."""
    return any(isinstance(text, str) and text.strip() for text in (offering.version.prerequisites or {}).values())


# --- offerings open to the public --------------------------------------------------------------------


def enrolment_offering(*, pk: int) -> Offering:
    """An offering of a published micro-credential of an active provider; "not found" otherwise.

    An offering of a version that a newer one has since replaced (retired) is still found, so that its
    learners can follow their enrolment; `takes_enrolments` says whether new ones are taken.
    """
    offering = (
        Offering.objects.select_related("version__micro_credential__provider")
        .filter(pk=pk, version__state__in=[VersionState.PUBLISHED, VersionState.RETIRED],
                version__micro_credential__provider__is_active=True)
        .first()
    )
    if offering is None:
        raise NotFound()
    return offering


# --- the learner's own ---------------------------------------------------------------------------------


def learner_enrolments(*, learner: Any) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(learner=learner)
        .select_related("offering__version__micro_credential__provider", "seat__purchase__organisation", "invoice")
        .order_by("-created_at", "-id")
    )


def learner_enrolment(*, learner: Any, pk: int) -> Enrolment:
    enrolment = learner_enrolments(learner=learner).filter(pk=pk).first()
    if enrolment is None:
        raise NotFound()
    return enrolment


def active_enrolment(*, learner: Any, offering: Offering) -> Enrolment | None:
    if not getattr(learner, "is_authenticated", False):
        return None
    return Enrolment.objects.filter(learner=learner, offering=offering).exclude(
        state=EnrolmentState.CANCELLED
    ).select_related("invoice", "seat__purchase__organisation").first()


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if enrolment.state != EnrolmentState.WAITLISTED or enrolment.waitlisted_at is None:
        return None
    ahead = Enrolment.objects.filter(offering_id=enrolment.offering_id, state=EnrolmentState.WAITLISTED).filter(
        Q(waitlisted_at__lt=enrolment.waitlisted_at) | Q(waitlisted_at=enrolment.waitlisted_at, id__lt=enrolment.id)
    )
    return ahead.count() + 1


# --- employers -------------------------------------------------------------------------------------------


def employers_administered(user: Any) -> QuerySet[Organisation]:
    return organisations_of(user, kind=OrganisationKind.EMPLOYER, roles=EMPLOYER_ADMIN_ROLES)


def employer_for_admin(*, user: Any, slug: str) -> Organisation:
    """The employer `slug` if `user` is its administrator; "not found" alike otherwise."""
    organisation = employers_administered(user).filter(slug=slug).first()
    if organisation is None:
        raise NotFound()
    return organisation


def organisation_purchases(*, organisation: Organisation) -> QuerySet[SeatPurchase]:
    return (
        organisation.seat_purchases.all()
        .select_related("offering__version__micro_credential__provider", "invoice")
        .annotate(
            seats_redeemed=Count("seats", filter=Q(seats__state=SeatState.REDEEMED)),
            seats_unassigned=Count("seats", filter=Q(seats__state=SeatState.UNASSIGNED)),
        )
        .order_by("-created_at", "-id")
    )


def organisation_purchase(*, organisation: Organisation, pk: int) -> SeatPurchase:
    purchase = organisation_purchases(organisation=organisation).filter(pk=pk).first()
    if purchase is None:
        raise NotFound()
    return purchase


def purchase_seats(*, purchase: SeatPurchase) -> list[tuple[Seat, Enrolment | None]]:
    """The seats of a purchase in order, each with the active enrolment that uses it (if any)."""
    seats = list(purchase.seats.order_by("number"))
    in_use = {
        e.seat_id: e
        for e in Enrolment.objects.filter(seat__in=seats).exclude(state=EnrolmentState.CANCELLED).select_related(
            "learner"
        )
    }
    return [(seat, in_use.get(seat.pk)) for seat in seats]


def purchase_seat(*, purchase: SeatPurchase, pk: int) -> Seat:
    seat = purchase.seats.filter(pk=pk).first()
    if seat is None:
        raise NotFound()
    return seat


def secret_candidates(secret: str) -> list[str]:
    """What a typed secret may be: a link token as it is, or a code in any case, with or without dashes."""
    value = (secret or "").strip()
    if not value or len(value) > 80:
        return []
    return list(dict.fromkeys([value, value.replace("-", "").replace(" ", "").upper()]))


def seat_by_secret(secret: str) -> Seat:
    """The seat that a link token or a code opens; "not found" for anything else."""
    candidates = secret_candidates(secret)
    if not candidates:
        raise NotFound()
    seat = (
        Seat.objects.select_related("purchase__organisation", "purchase__offering__version__micro_credential__provider")
        .filter(secret__in=candidates)
        .first()
    )
    if seat is None:
        raise NotFound()
    return seat


# --- provider staff -----------------------------------------------------------------------------------


def _provider_offerings(provider: Organisation) -> QuerySet[Offering]:
    # The owner and the co-providers of a joint micro-credential both manage its enrolments.
    return Offering.objects.filter(
        Q(version__micro_credential__provider=provider) | Q(version__co_providers=provider)
    ).distinct()


def provider_for_registrar(*, user: Any, slug: str, roles: Iterable[str] = REGISTRAR_ROLES) -> Organisation:
    provider = organisations_of(user, kind=OrganisationKind.PROVIDER, roles=roles).filter(slug=slug).first()
    if provider is None:
        raise NotFound()
    return provider


def provider_offerings_with_counts(*, provider: Organisation) -> QuerySet[Offering]:
    """The provider's offerings (newest start first) with enrolment counts for the overview."""
    ids = _provider_offerings(provider).values("pk")
    return (
        Offering.objects.filter(pk__in=ids)
        .select_related("version__micro_credential__provider")
        .annotate(
            enrolled_count=Count("enrolments", filter=Q(enrolments__state__in=PLACE_STATES), distinct=True),
            waitlisted_count=Count(
                "enrolments", filter=Q(enrolments__state=EnrolmentState.WAITLISTED), distinct=True
            ),
            interested_count=Count(
                "enrolments", filter=Q(enrolments__state=EnrolmentState.INTERESTED), distinct=True
            ),
            seats_bought=Count("seat_purchases__seats", distinct=True),
        )
        .order_by("-start_date", "-id")
    )


def provider_offering(*, provider: Organisation, pk: int) -> Offering:
    offering = (
        Offering.objects.filter(pk__in=_provider_offerings(provider).values("pk"), pk=pk)
        .select_related("version__micro_credential__provider")
        .first()
    )
    if offering is None:
        raise NotFound()
    return offering


def offering_enrolments(*, offering: Offering) -> QuerySet[Enrolment]:
    """Every enrolment of an offering (call with an offering from `provider_offering`): the waiting
    list in its order, then the others by state and time."""
    return (
        Enrolment.objects.filter(offering=offering)
        .select_related("learner", "seat__purchase__organisation", "invoice")
        .order_by("state", "waitlisted_at", "created_at", "id")
    )


def offering_enrolment(*, offering: Offering, pk: int) -> Enrolment:
    enrolment = offering_enrolments(offering=offering).filter(pk=pk).first()
    if enrolment is None:
        raise NotFound()
    return enrolment


def offering_purchases(*, offering: Offering) -> QuerySet[SeatPurchase]:
    return (
        offering.seat_purchases.select_related("organisation", "invoice")
        .annotate(seats_redeemed=Count("seats", filter=Q(seats__state=SeatState.REDEEMED)))
        .order_by("created_at", "id")
    )


def invoicing_details(provider: Organisation) -> InvoicingDetails | None:
    return InvoicingDetails.objects.filter(provider=provider).first()


def provider_invoice(*, provider: Organisation, pk: int) -> Invoice:
    invoice = Invoice.objects.filter(provider=provider, pk=pk).first()
    if invoice is None:
        raise NotFound()
    return invoice
