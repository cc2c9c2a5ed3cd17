"""Writing enrolments, seat purchases, seats and invoices. Views, the API and tasks call these.

Capacity is decided under a lock on the offering row: `SELECT … FOR UPDATE` on PostgreSQL; on
SQLite every transaction begins IMMEDIATE (see settings), which takes the database's write lock.
Every service that can take or free a place locks the offering first and then any other row, in
that order, so two services never wait for each other crosswise.

The rules (shown to learners on the enrolment pages):
- Enrolling, buying seats, and handing out and redeeming seats happen while enrolment is open
  (from `enrolment_opens` until `enrolment_closes`) on a scheduled offering.
- When no place is left, an enrolment joins the waiting list; a freed place goes at once, in the
  same transaction, to the first on the list (first come, first served) as long as the offering has
  not started.
- A learner may cancel until the offering starts (the day before its start date at the latest).
  Cancelling costs nothing: an open invoice is credited in full. A place that was an employer's seat
  goes back to the employer (unused, to be handed out again while enrolment is open); any other
  freed place goes to the waiting list.
- Registering interest takes no place and is possible until the offering starts.
- When the provider cancels an offering (catalog's `offering_cancelled` signal), every enrolment on it
  that has no result is cancelled and every seat purchase cancelled, all invoices credited in full, in
  the cancellation's own transaction; the learners and the buying employers are told after it commits.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from osaamo.accounts.models import Membership, Organisation, OrganisationKind, User
from osaamo.accounts.selectors import ASSESSOR_ROLES, REGISTRAR_ROLES, has_role, organisation_contact
from osaamo.audit.services import audit_record
from osaamo.catalog.models import Offering, OfferingState
from osaamo.enrolment.billing import clean_organisation_billing, clean_person_billing, is_valid_iban
from osaamo.enrolment.models import (
    CURRENCY,
    PLACE_STATES,
    Enrolment,
    EnrolmentState,
    Invoice,
    InvoiceState,
    InvoicingDetails,
    PaymentMethod,
    Seat,
    SeatPurchase,
    SeatState,
)
from osaamo.enrolment.references import finnish_reference
from osaamo.enrolment.selectors import (
    EMPLOYER_ADMIN_ROLES,
    Places,
    has_started,
    offering_places,
    requires_prerequisites_confirmation,
    seat_by_secret,
    secret_candidates,
    window_is_open,
)
from osaamo.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from osaamo.mail import absolute_url, language_of, send_after_commit
from osaamo.translation import LANGUAGE_CODES, translated

MAX_SEATS_PER_PURCHASE = 1000
INVOICE_NUMBER_BASE = 100_000  # invoice numbers start at 100001: never shorter than the reference minimum
DEFAULT_PAYMENT_TERM_DAYS = 14
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L or U: codes are read aloud and typed
CODE_LENGTH = 16  # 16 × log2(30) ≈ 78 bits: not guessable
INVALID_SECRET_MESSAGE = _("This link or code is not valid: it may have been withdrawn or replaced.")


# --- errors the user sees -------------------------------------------------------------------------


class EnrolmentClosed(Conflict):
    default_code = "enrolment_closed"
    default_message = _("Enrolment for this offering is not open.")


class AlreadyEnrolled(Conflict):
    default_code = "already_enrolled"
    default_message = _("You already have a place or a place on the waiting list in this offering.")


class NotEnoughPlaces(Conflict):
    default_code = "not_enough_places"
    default_message = _("There are not enough places left.")


class PrerequisitesNotConfirmed(InvalidInput):
    default_code = "prerequisites_not_confirmed"
    default_message = _("Confirm that you meet the prerequisites of the micro-credential.")


# --- helpers --------------------------------------------------------------------------------------


def _now(now: Any) -> Any:
    return now or timezone.now()


def offering_lock(pk: int) -> Offering:
    """The offering with its row locked for this transaction (enrolments, seats and pooling decisions on it
    take this lock, so they happen one after another). of=("self",): the offering row only, not the
    version, micro-credential and provider rows joined in. no_key=True (PostgreSQL's FOR NO KEY UPDATE):
    the lock never changes the row's key, so it leaves rows that refer to the offering free to be
    written; the search index, rewritten inside these transactions, refers to every offering of the
    micro-credential, and a full lock deadlocked two decisions on sibling offerings."""
    return (
        Offering.objects.select_for_update(of=("self",), no_key=True)
        .select_related("version__micro_credential__provider")
        .get(pk=pk)
    )


def _provider(offering: Offering) -> Organisation:
    return offering.version.micro_credential.provider


def is_registrar_for(user: Any, offering: Offering, roles: Any = REGISTRAR_ROLES) -> bool:
    """An administrator or registrar of the offering's provider, or of a co-provider of a joint micro-credential."""
    if not getattr(user, "is_authenticated", False):
        return False
    providers = [_provider(offering).pk, *offering.version.co_providers.values_list("pk", flat=True)]
    return Membership.objects.filter(user=user, organisation_id__in=providers, role__in=roles).exists()


def _require_signed_in(user: Any) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."), code="authentication_required")


def _require_window(offering: Offering, now: Any) -> None:
    if offering.state != OfferingState.SCHEDULED:
        raise EnrolmentClosed(_("This offering has been cancelled."), code="offering_cancelled")
    if now < offering.enrolment_opens:
        raise EnrolmentClosed(_("Enrolment has not opened yet."), code="enrolment_not_open")
    if not window_is_open(offering, now):
        raise EnrolmentClosed(_("Enrolment has closed."))


def _require_prerequisites(offering: Offering, confirmed: bool) -> None:
    if requires_prerequisites_confirmation(offering) and not confirmed:
        raise PrerequisitesNotConfirmed(details={"prerequisites_confirmed": [str(PrerequisitesNotConfirmed.default_message)]})


def _active_enrolment_locked(offering: Offering, learner: Any) -> Enrolment | None:
    return (
        Enrolment.objects.select_for_update()
        .filter(offering=offering, learner=learner)
        .exclude(state=EnrolmentState.CANCELLED)
        .first()
    )


def _save_new_state(enrolment: Enrolment) -> None:
    """Save, turning a clash with the one-active-enrolment constraints into a clear refusal."""
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError as error:
        raise AlreadyEnrolled() from error


def _offering_description(offering: Offering) -> dict[str, Any]:
    version = offering.version
    return {
        "title": {code: translated(version.title, code) for code in LANGUAGE_CODES},
        "code": version.micro_credential.code,
        "start_date": offering.start_date.isoformat(),
        "end_date": offering.end_date.isoformat(),
    }


def _issue_invoice(
    *, offering: Offering, language: str, buyer: Mapping[str, Any], quantity: int, unit_price: Decimal, now: Any
) -> Invoice:
    """An invoice in the provider's name, its values frozen now (seller, buyer, line, total, due date)."""
    provider = _provider(offering)
    details = InvoicingDetails.objects.filter(provider=provider).first()
    issued_on = timezone.localdate(now)
    term = details.payment_term_days if details else DEFAULT_PAYMENT_TERM_DAYS
    seller = {
        "name": dict(provider.name),
        "business_id": provider.business_id,
        "street_address": details.street_address if details else "",
        "postal_code": details.postal_code if details else "",
        "city": (details.city if details and details.city else provider.city),
        "country": provider.country,
        "iban": details.iban if details else "",
        "bic": details.bic if details else "",
        "email": details.contact_email if details else "",
        "homepage": provider.homepage,
    }
    total = (unit_price * quantity).quantize(Decimal("0.01"))
    line = {
        **_offering_description(offering),
        "quantity": quantity,
        "unit_price": str(unit_price),
        "vat_rate": "0",
        "total": str(total),
    }
    invoice = Invoice.objects.create(
        provider=provider, issued_on=issued_on, due_on=issued_on + timedelta(days=term), language=language,
        currency=CURRENCY, seller=seller, buyer=dict(buyer), lines=[line], total=total,
    )
    invoice.number = str(INVOICE_NUMBER_BASE + invoice.pk)
    invoice.reference = finnish_reference(invoice.number)
    invoice.save(update_fields=["number", "reference"])
    audit_record(action="invoice.issued", actor=None, organisation=provider, target=invoice,
                 data={"number": invoice.number, "total": str(total), "currency": CURRENCY})
    return invoice


def _credit_invoice(invoice: Invoice, *, by: Any, now: Any) -> bool:
    """Credit an open invoice in full (and say so on the `invoice` object given); False if it was not open."""
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if locked.state != InvoiceState.OPEN:
        return False
    locked.state = InvoiceState.CREDITED
    locked.credited_at = now
    locked.save(update_fields=["state", "credited_at"])
    audit_record(action="invoice.credited", actor=by, organisation=locked.provider, target=locked,
                 data={"number": locked.number, "total": str(locked.total)})
    invoice.state, invoice.credited_at = locked.state, locked.credited_at
    return True


def _individual_payment_method(offering: Offering, payment_method: str | None) -> str:
    if offering.price_individual == 0:
        if payment_method not in (None, "", PaymentMethod.FREE):
            raise InvalidInput(details={"payment_method": [str(_("This offering is free of charge."))]})
        return PaymentMethod.FREE
    if payment_method in (None, "", PaymentMethod.INVOICE):
        return PaymentMethod.INVOICE
    if payment_method == PaymentMethod.EMPLOYER_SEAT:
        raise InvalidInput(details={"payment_method": [
            str(_("To use a seat your employer bought, open the link or enter the code you were given."))
        ]})
    raise InvalidInput(details={"payment_method": [str(_("Choose invoice: card payment is not available."))]})


def _mail_learner(enrolment: Enrolment, template: str, **extra: Any) -> None:
    learner = enrolment.learner
    offering = enrolment.offering

    def context() -> dict[str, Any]:
        return {
            "learner": learner,
            "enrolment": enrolment,
            "offering": offering,
            "version": offering.version,
            "provider": _provider(offering),
            "my_enrolments_url": absolute_url("enrolment:mine"),
            "offering_url": absolute_url("enrolment:offering", offering.pk),
            **extra,
        }

    send_after_commit(template=f"enrolment/mail/{template}", to=learner.email, language=language_of(learner), context=context)


def _give_place(enrolment: Enrolment, *, now: Any) -> None:
    """Make a (new or waitlisted) enrolment enrolled; an invoice-paid one gets its invoice now, unless the
    offering is tentative (it is invoiced if the offering is confirmed: `offering_invoice_held_places`)."""
    enrolment.state = EnrolmentState.ENROLLED
    enrolment.enrolled_at = now
    if (enrolment.payment_method == PaymentMethod.INVOICE and enrolment.invoice_id is None
            and not enrolment.offering.is_tentative):
        enrolment.invoice = _issue_invoice(
            offering=enrolment.offering, language=language_of(enrolment.learner), buyer=enrolment.billing,
            quantity=1, unit_price=enrolment.price or Decimal("0"), now=now,
        )


def _fill_from_waitlist(offering: Offering, *, by: Any, now: Any) -> list[Enrolment]:
    """Promote the first on the waiting list into the places that are free (offering locked by the caller)."""
    if has_started(offering, now) or offering.state != OfferingState.SCHEDULED:
        return []
    places = offering_places(offering)
    queue = (
        Enrolment.objects.select_for_update()
        .select_related("learner")
        .filter(offering=offering, state=EnrolmentState.WAITLISTED)
        .order_by("waitlisted_at", "id")
    )
    if places.left is not None:
        queue = queue[: places.left]
    promoted = []
    for enrolment in queue:
        enrolment.offering = offering
        _give_place(enrolment, now=now)
        enrolment.save()
        audit_record(action="enrolment.promoted", actor=by, organisation=_provider(offering), target=enrolment,
                     data={"learner": enrolment.learner.email})
        _mail_learner(enrolment, "promoted")
        promoted.append(enrolment)
    return promoted


# --- learners -------------------------------------------------------------------------------------


def enrolment_enrol(
    *,
    offering: Offering,
    learner: Any,
    payment_method: str | None = None,
    billing: Mapping[str, Any] | None = None,
    prerequisites_confirmed: bool = False,
    allow_tentative: bool = False,
    now: Any = None,
) -> Enrolment:
    """Enrol `learner` on `offering`: a place if one is left, otherwise the waiting list.

    A tentative offering (one that runs only if its minimum is reached, see `Offering.is_tentative`)
    is enrolled through demand pooling (`osaamo.demand.pooling.pooling_enrol`, which passes
    `allow_tentative`): the place is held without an invoice and the caller tells the learner.

    The price and payment method are recorded as they are now. `payment_method` is `free` for a
    free offering and `invoice` otherwise (with `billing`: name, street_address, postal_code, city,
    country, email); seats bought by an employer are redeemed with `seat_redeem`. An interest
    registration of the learner becomes this enrolment.
    """
    now = _now(now)
    _require_signed_in(learner)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        _require_window(offering, now)
        if offering.is_tentative and not allow_tentative:
            raise Conflict(_("This offering runs only if enough participants commit: enrol tentatively on its "
                             "page (nothing is invoiced unless it runs)."), code="offering_tentative")
        _require_prerequisites(offering, prerequisites_confirmed)
        method = _individual_payment_method(offering, payment_method)
        cleaned_billing = clean_person_billing(billing) if method == PaymentMethod.INVOICE else {}
        enrolment = _active_enrolment_locked(offering, learner)
        if enrolment is not None and enrolment.state != EnrolmentState.INTERESTED:
            raise AlreadyEnrolled()
        enrolment = enrolment or Enrolment(offering=offering, learner=learner)
        enrolment.offering = offering
        enrolment.payment_method = method
        enrolment.price = offering.price_individual
        enrolment.currency = CURRENCY
        enrolment.billing = cleaned_billing
        enrolment.prerequisites_confirmed_at = now if requires_prerequisites_confirmation(offering) else None
        places = offering_places(offering)
        if places.left is None or places.left > 0:
            _give_place(enrolment, now=now)
        else:
            enrolment.state = EnrolmentState.WAITLISTED
            enrolment.waitlisted_at = now
        _save_new_state(enrolment)
        audit_record(
            action=f"enrolment.{enrolment.state}", actor=learner, organisation=_provider(offering), target=enrolment,
            data={"offering": offering.pk, "payment_method": method, "price": str(enrolment.price),
                  "currency": CURRENCY, "tentative": offering.is_tentative},
        )
        if not offering.is_tentative:
            _mail_learner(enrolment, str(enrolment.state))
    return enrolment


def enrolment_register_interest(*, offering: Offering, learner: Any, now: Any = None) -> Enrolment:
    """Note that `learner` is interested in `offering` (no place is taken). Asking again changes nothing."""
    now = _now(now)
    _require_signed_in(learner)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        if offering.state != OfferingState.SCHEDULED:
            raise EnrolmentClosed(_("This offering has been cancelled."), code="offering_cancelled")
        if has_started(offering, now):
            raise EnrolmentClosed(_("The offering has already started."), code="offering_started")
        enrolment = _active_enrolment_locked(offering, learner)
        if enrolment is not None:
            if enrolment.state == EnrolmentState.INTERESTED:
                return enrolment
            raise AlreadyEnrolled()
        enrolment = Enrolment(offering=offering, learner=learner, state=EnrolmentState.INTERESTED)
        _save_new_state(enrolment)
        audit_record(action="enrolment.interested", actor=learner, organisation=_provider(offering),
                     target=enrolment, data={"offering": offering.pk})
        _mail_learner(enrolment, "interested")
    return enrolment


def can_cancel(enrolment: Enrolment, *, by: Any, now: Any = None, registrar: bool | None = None) -> bool:
    """Whether `by` may cancel `enrolment` now (the rules in the module docstring). A list page that
    already knows whether `by` is a registrar of the offering passes `registrar` (no query per row)."""
    now = _now(now)
    if enrolment.state not in (EnrolmentState.INTERESTED, EnrolmentState.WAITLISTED, EnrolmentState.ENROLLED):
        return False
    if registrar if registrar is not None else is_registrar_for(by, enrolment.offering):
        return True
    return enrolment.learner_id == getattr(by, "pk", None) and not has_started(enrolment.offering, now)


def enrolment_cancel(*, enrolment: Enrolment, by: Any, reason: str = "", now: Any = None) -> Enrolment:
    """Cancel an enrolment (the learner until the offering starts; the provider's registrars any time
    before a result). A freed place goes to the waiting list, an employer's seat back to the employer."""
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(enrolment.offering_id)
        enrolment = Enrolment.objects.select_for_update().select_related("learner").get(pk=enrolment.pk)
        enrolment.offering = offering
        is_staff = is_registrar_for(by, offering)
        if enrolment.learner_id != getattr(by, "pk", None) and not is_staff:
            raise NotFound()
        if enrolment.state == EnrolmentState.CANCELLED:
            raise Conflict(_("This enrolment has already been cancelled."), code="already_cancelled")
        if enrolment.state in (EnrolmentState.COMPLETED, EnrolmentState.FAILED):
            raise Conflict(_("An enrolment with a result cannot be cancelled."), code="has_result")
        if not is_staff and has_started(offering, now):
            raise Conflict(
                _("The offering has started, so you can no longer cancel here. Contact the provider."),
                code="cancel_closed",
            )
        held_place = enrolment.state == EnrolmentState.ENROLLED
        previous = enrolment.state
        enrolment.state = EnrolmentState.CANCELLED
        enrolment.cancelled_at = now
        enrolment.save(update_fields=["state", "cancelled_at", "updated_at"])
        credited = False
        if enrolment.invoice_id is not None:
            assert enrolment.invoice is not None
            credited = enrolment.invoice.state == InvoiceState.OPEN
            _credit_invoice(enrolment.invoice, by=by, now=now)
        audit_record(action="enrolment.cancelled", actor=by, organisation=_provider(offering), target=enrolment,
                     data={"previous_state": previous, "reason": reason[:500], "by_staff": is_staff})
        if enrolment.seat_id is not None:
            seat = Seat.objects.select_for_update().get(pk=enrolment.seat_id)
            # The place is the employer's: the seat is theirs to hand out again, it does not go to the waitlist.
            seat.state = SeatState.UNASSIGNED
            seat.secret = None
            seat.assigned_email = ""
            seat.redeemed_at = None
            seat.save(update_fields=["state", "secret", "assigned_email", "redeemed_at", "updated_at"])
            audit_record(action="seat.released", actor=by, target=seat, data={"enrolment": enrolment.pk})
        elif held_place:
            _fill_from_waitlist(offering, by=by, now=now)
        _mail_learner(enrolment, "cancelled", credited=credited, by_staff=is_staff and enrolment.learner_id != by.pk)
    return enrolment


def offering_fill_waitlist(*, offering: Offering, by: Any = None, now: Any = None) -> list[Enrolment]:
    """Give free places to the waiting list (e.g. after the provider added seats to the offering)."""
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        return _fill_from_waitlist(offering, by=by, now=now)


def offering_invoice_held_places(*, offering: Offering, now: Any = None) -> list[Enrolment]:
    """Invoice the places held without an invoice on an offering that was tentative and has just been
    confirmed (demand pooling; the caller holds the offering's lock and tells the learners)."""
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        held = list(
            Enrolment.objects.select_for_update(of=("self",)).select_related("learner")
            .filter(offering=offering, state=EnrolmentState.ENROLLED, payment_method=PaymentMethod.INVOICE,
                    invoice__isnull=True)
            .order_by("enrolled_at", "id")
        )
        for enrolment in held:
            enrolment.invoice = _issue_invoice(
                offering=offering, language=language_of(enrolment.learner), buyer=enrolment.billing,
                quantity=1, unit_price=enrolment.price or Decimal("0"), now=now,
            )
            enrolment.save(update_fields=["invoice", "updated_at"])
            audit_record(action="enrolment.invoiced", actor=None, organisation=_provider(offering), target=enrolment,
                         data={"invoice": enrolment.invoice.number, "offering_confirmed": True})
    return held


def offering_release_enrolments(*, offering: Offering, reason: str, by: Any = None, now: Any = None) -> list[Enrolment]:
    """Cancel every active enrolment (interested, waitlisted, enrolled) of an offering that will not run:
    demand pooling when its minimum was not reached (`by` None: the platform decided), or the provider's
    cancellation (`by` their member of staff). An enrolment with a result keeps it. Nobody is charged: an
    open invoice is credited in full (the enrolment's `invoice` object says so). The caller tells the
    learners; the returned enrolments are in the order they were made."""
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        active = list(
            Enrolment.objects.select_for_update(of=("self",)).select_related("learner", "invoice")
            .filter(offering=offering, state__in=[EnrolmentState.INTERESTED, EnrolmentState.WAITLISTED,
                                                  EnrolmentState.ENROLLED])
            .order_by("id")
        )
        for enrolment in active:
            enrolment.offering = offering
            previous = enrolment.state
            enrolment.state = EnrolmentState.CANCELLED
            enrolment.cancelled_at = now
            enrolment.save(update_fields=["state", "cancelled_at", "updated_at"])
            if enrolment.invoice is not None:
                _credit_invoice(enrolment.invoice, by=by, now=now)
            audit_record(action="enrolment.cancelled", actor=by, organisation=_provider(offering), target=enrolment,
                         data={"previous_state": previous, "reason": reason[:500], "by_staff": by is not None,
                               "offering_cancelled": True})
    return active


def offering_cancel_purchases(*, offering: Offering, by: Any, reason: str = "", now: Any = None) -> list[SeatPurchase]:
    """Cancel every seat purchase of a cancelled offering: its invoice is credited in full, so the employer
    pays nothing, and every seat is cancelled, so no link or code handed out can be redeemed any more (an
    employee already on a seat has their enrolment cancelled by `offering_release_enrolments`). A purchase
    already cancelled is left as it is. The caller tells the buyers."""
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        if offering.state != OfferingState.CANCELLED:
            raise Conflict(_("Only the seats of a cancelled offering are cancelled."), code="offering_not_cancelled")
        purchases = list(
            SeatPurchase.objects.select_for_update(of=("self",)).select_related("organisation", "invoice", "bought_by")
            .filter(offering=offering, cancelled_at__isnull=True).order_by("id")
        )
        for purchase in purchases:
            purchase.offering = offering
            # Seats change only under the offering's lock, which this transaction holds.
            seats = dict(Seat.objects.filter(purchase=purchase).order_by().values_list("state").annotate(n=Count("id")))
            Seat.objects.filter(purchase=purchase).update(state=SeatState.CANCELLED, updated_at=now)
            purchase.cancelled_at = now
            purchase.save(update_fields=["cancelled_at"])
            credited = _credit_invoice(purchase.invoice, by=by, now=now)
            audit_record(action="seat_purchase.cancelled", actor=by, organisation=purchase.organisation,
                         target=purchase,
                         data={"offering": offering.pk, "reason": reason[:500], "invoice": purchase.invoice.number,
                               "credited": credited, "seats": {str(state): n for state, n in sorted(seats.items())}})
    return purchases


def offering_cancelled_release(*, offering: Offering, by: Any, reason: str = "", now: Any = None) -> None:
    """What the enrolment app does when a provider cancels an offering (catalog's `offering_cancelled`
    signal, inside the cancellation's transaction): every active enrolment is cancelled with its invoice
    credited, every seat purchase cancelled and credited; then each learner and each buying employer is
    told, in their own language, by one background task queued once the transaction commits (an offering
    may have hundreds of people: their mails do not hold up the request). Nobody is charged. Running it
    again for the same offering finds nothing left to do and tells nobody."""
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        enrolment_ids = [e.pk for e in offering_release_enrolments(offering=offering, reason=reason, by=by, now=now)]
        purchase_ids = [p.pk for p in offering_cancel_purchases(offering=offering, by=by, reason=reason, now=now)]
        if enrolment_ids or purchase_ids:
            transaction.on_commit(lambda: _enqueue_cancellation_mails(enrolment_ids, purchase_ids, reason))


def _enqueue_cancellation_mails(enrolment_ids: list[int], purchase_ids: list[int], reason: str) -> None:
    from osaamo.enrolment.tasks import mail_offering_cancelled

    mail_offering_cancelled.enqueue(enrolment_ids=enrolment_ids, purchase_ids=purchase_ids, reason=reason)


def offering_cancelled_mail(*, enrolment_ids: list[int], purchase_ids: list[int], reason: str) -> None:
    """The mails of a cancellation (`offering_cancelled_release`, through its task): each learner whose
    enrolment was cancelled, saying whether they had a place or were waiting and whether an invoice was
    credited, and each buying employer, with how many of its seats were in use."""
    enrolments = list(Enrolment.objects.filter(pk__in=enrolment_ids)
                      .select_related("learner", "invoice", "seat", "offering__version__micro_credential__provider")
                      .order_by("id"))
    purchases = {p.pk: p for p in SeatPurchase.objects.filter(pk__in=purchase_ids).select_related(
        "organisation", "invoice", "bought_by", "offering__version__micro_credential__provider")}
    in_use: Counter[int] = Counter()
    for enrolment in enrolments:
        purchase = purchases.get(enrolment.seat.purchase_id) if enrolment.seat is not None else None
        if purchase is not None:
            in_use[purchase.pk] += 1
        _mail_learner(
            enrolment, "offering_cancelled", reason=reason,
            organisation=purchase.organisation if purchase is not None else None,
            had_place=enrolment.enrolled_at is not None,
            was_waitlisted=enrolment.enrolled_at is None and enrolment.waitlisted_at is not None,
            credited=enrolment.invoice is not None and enrolment.invoice.state == InvoiceState.CREDITED,
        )
    for purchase in purchases.values():
        _mail_purchase_cancelled(purchase, reason=reason, seats_in_use=in_use[purchase.pk])


def _mail_purchase_cancelled(purchase: SeatPurchase, *, reason: str, seats_in_use: int) -> None:
    contact = organisation_contact(purchase.organisation, preferred=purchase.bought_by, roles=EMPLOYER_ADMIN_ROLES)
    if contact is None or not contact.email:
        return
    offering, organisation = purchase.offering, purchase.organisation

    def context() -> dict[str, Any]:
        return {
            "recipient": contact, "purchase": purchase, "offering": offering, "version": offering.version,
            "provider": _provider(offering), "organisation": organisation, "invoice": purchase.invoice,
            "reason": reason, "seats_in_use": seats_in_use,
            "purchase_url": absolute_url("enrolment:purchase", organisation.slug, purchase.pk),
        }

    send_after_commit(template="enrolment/mail/purchase_cancelled", to=contact.email, language=language_of(contact),
                      context=context)


def enrolment_record_result(*, enrolment: Enrolment, passed: bool, by: Any, now: Any = None) -> Enrolment:
    """The assessment hook: an enrolled learner's result makes the enrolment completed or failed.

    A result may be corrected (completed ↔ failed). Needs the provider's administrator, registrar or
    teacher role; assessment services call this inside their own transaction.
    """
    now = _now(now)
    with transaction.atomic():
        offering = offering_lock(enrolment.offering_id)
        if not is_registrar_for(by, offering, roles=ASSESSOR_ROLES):
            raise PermissionDenied()
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.state not in PLACE_STATES:
            raise Conflict(_("Only an enrolled learner can get a result."), code="not_enrolled")
        new_state = EnrolmentState.COMPLETED if passed else EnrolmentState.FAILED
        if enrolment.state == new_state:
            return enrolment
        previous = enrolment.state
        enrolment.state = new_state
        enrolment.finished_at = now
        enrolment.save(update_fields=["state", "finished_at", "updated_at"])
        audit_record(action=f"enrolment.{new_state}", actor=by, organisation=_provider(offering), target=enrolment,
                     data={"previous_state": previous})
    return enrolment


# --- organisations: seats -------------------------------------------------------------------------


def _require_employer_admin(by: Any, organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.EMPLOYER or not has_role(by, organisation, EMPLOYER_ADMIN_ROLES):
        raise PermissionDenied()


def _not_enough(places: Places, wanted: int) -> NotEnoughPlaces:
    left = places.left or 0
    message: Any = _("The offering is full: no places are left to buy.")
    if left:
        message = ngettext(
            "Only %(left)s place is left; you asked for %(wanted)s.",
            "Only %(left)s places are left; you asked for %(wanted)s.", left,
        ) % {"left": left, "wanted": wanted}
    return NotEnoughPlaces(message, details={"places_left": left})


def purchase_create(
    *,
    offering: Offering,
    organisation: Organisation,
    by: Any,
    quantity: int,
    billing: Mapping[str, Any],
    language: str | None = None,
    now: Any = None,
) -> SeatPurchase:
    """Buy `quantity` seats on `offering` for `organisation` at the organisation price, with an invoice.

    Refused when enrolment is not open, the offering is not sold to organisations, or fewer places
    are left than asked for. The seats reserve their places at once.
    """
    now = _now(now)
    _require_employer_admin(by, organisation)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_SEATS_PER_PURCHASE:
        raise InvalidInput(details={"quantity": [
            str(_("Enter a number of seats between 1 and %(max)s.") % {"max": MAX_SEATS_PER_PURCHASE})
        ]})
    language = language if language in LANGUAGE_CODES else language_of(by)
    cleaned = clean_organisation_billing(billing)
    with transaction.atomic():
        offering = offering_lock(offering.pk)
        _require_window(offering, now)
        if offering.is_tentative:
            raise Conflict(_("This offering runs only if enough participants commit: pledge seats instead (they "
                             "are bought if it runs)."), code="offering_tentative")
        if offering.price_organisation is None:
            raise Conflict(_("This offering is not sold to organisations."), code="not_sold_to_organisations")
        places = offering_places(offering)
        if places.left is not None and places.left < quantity:
            raise _not_enough(places, quantity)
        unit_price = offering.price_organisation
        invoice = _issue_invoice(offering=offering, language=language, buyer=cleaned, quantity=quantity,
                                 unit_price=unit_price, now=now)
        purchase = SeatPurchase.objects.create(
            offering=offering, organisation=organisation, bought_by=by, quantity=quantity, unit_price=unit_price,
            currency=CURRENCY, total=invoice.total, billing=cleaned, invoice=invoice,
        )
        Seat.objects.bulk_create([Seat(purchase=purchase, number=n) for n in range(1, quantity + 1)])
        audit_record(action="seat_purchase.created", actor=by, organisation=organisation, target=purchase,
                     data={"offering": offering.pk, "quantity": quantity, "unit_price": str(unit_price),
                           "total": str(invoice.total), "invoice": invoice.number})

        def context() -> dict[str, Any]:
            return {
                "purchase": purchase, "offering": offering, "version": offering.version,
                "provider": _provider(offering), "organisation": organisation, "invoice": invoice,
                "purchase_url": absolute_url("enrolment:purchase", organisation.slug, purchase.pk),
            }

        send_after_commit(template="enrolment/mail/purchase", to=by.email, language=language_of(by), context=context)
    return purchase


def _lock_seat(seat: Seat, by: Any, now: Any) -> tuple[Offering, Seat]:
    """Check `by` administers the seat's organisation, lock offering then seat, and check the seat is free."""
    purchase = seat.purchase
    _require_employer_admin(by, purchase.organisation)
    offering = offering_lock(purchase.offering_id)
    seat = Seat.objects.select_for_update().select_related("purchase__organisation").get(pk=seat.pk)
    if offering.state != OfferingState.SCHEDULED or now >= offering.enrolment_closes:
        raise EnrolmentClosed(
            _("Enrolment has closed: seats can no longer be handed out, reassigned or revoked."),
            code="seats_closed",
        )
    if seat.state == SeatState.REDEEMED:
        raise Conflict(_("This seat is already in use."), code="seat_in_use")
    return offering, seat


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def seat_assign(*, seat: Seat, email: str, by: Any, language: str | None = None, now: Any = None) -> Seat:
    """Reserve `seat` for the person with `email` and mail them a link (again: reassign; the old link dies)."""
    now = _now(now)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(details={"email": [str(_("Enter a valid email address."))]}) from None
    with transaction.atomic():
        offering, seat = _lock_seat(seat, by, now)
        taken = Seat.objects.filter(
            purchase__offering=offering, state=SeatState.ASSIGNED, assigned_email=email
        ).exclude(pk=seat.pk).exists() or Enrolment.objects.filter(
            offering=offering, learner__email=email, state__in=PLACE_STATES
        ).exists()
        if taken:
            raise Conflict(
                _("%(email)s already has a place or a seat on this offering.") % {"email": email},
                code="already_has_seat",
            )
        previous = seat.state
        seat.state = SeatState.ASSIGNED
        seat.assigned_email = email
        seat.secret = secrets.token_urlsafe(32)
        seat.handed_out_at = now
        seat.save(update_fields=["state", "assigned_email", "secret", "handed_out_at", "updated_at"])
        audit_record(
            action="seat.reassigned" if previous != SeatState.UNASSIGNED else "seat.assigned",
            actor=by, organisation=seat.purchase.organisation, target=seat,
            data={"email": email, "previous_state": previous},
        )
        recipient = User.objects.filter(email=email).first()
        mail_language = language_of(recipient) if recipient else (
            language if language in LANGUAGE_CODES else language_of(by)
        )
        secret = seat.secret
        organisation = seat.purchase.organisation

        def context() -> dict[str, Any]:
            return {
                "seat": seat, "offering": offering, "version": offering.version, "provider": _provider(offering),
                "organisation": organisation, "redeem_url": absolute_url("enrolment:seat_link", secret),
            }

        send_after_commit(template="enrolment/mail/seat_assigned", to=email, language=mail_language, context=context)
    return seat


def seat_issue_code(*, seat: Seat, by: Any, now: Any = None) -> Seat:
    """Give `seat` a new single-use code for the administrator to hand out (any earlier code or link dies)."""
    now = _now(now)
    with transaction.atomic():
        _offering, seat = _lock_seat(seat, by, now)
        previous = seat.state
        seat.state = SeatState.CODE
        seat.assigned_email = ""
        seat.secret = _new_code()
        seat.handed_out_at = now
        seat.save(update_fields=["state", "assigned_email", "secret", "handed_out_at", "updated_at"])
        audit_record(action="seat.code_issued", actor=by, organisation=seat.purchase.organisation, target=seat,
                     data={"previous_state": previous})
    return seat


def seat_revoke(*, seat: Seat, by: Any, now: Any = None) -> Seat:
    """Take back an unused seat's link or code: the seat is the organisation's to hand out again."""
    now = _now(now)
    with transaction.atomic():
        _offering, seat = _lock_seat(seat, by, now)
        if seat.state == SeatState.UNASSIGNED:
            return seat
        previous, email = seat.state, seat.assigned_email
        seat.state = SeatState.UNASSIGNED
        seat.assigned_email = ""
        seat.secret = None
        seat.handed_out_at = None
        seat.save(update_fields=["state", "assigned_email", "secret", "handed_out_at", "updated_at"])
        audit_record(action="seat.revoked", actor=by, organisation=seat.purchase.organisation, target=seat,
                     data={"previous_state": previous, "email": email})
    return seat


def seat_redeem(*, secret: str, learner: Any, prerequisites_confirmed: bool = False, now: Any = None) -> Enrolment:
    """Use the seat that `secret` (an assignment link's token or a code) opens to enrol `learner`, paid
    by the employer.

    An assigned seat is only for the person it was assigned to (the same email address). A code is
    for whoever has it, once. An interest registration or a waiting-list place of the learner becomes
    this enrolment.
    """
    now = _now(now)
    _require_signed_in(learner)
    try:
        seat = seat_by_secret(secret)
    except NotFound:
        raise NotFound(INVALID_SECRET_MESSAGE) from None
    with transaction.atomic():
        offering = offering_lock(seat.purchase.offering_id)
        seat = Seat.objects.select_for_update().select_related("purchase__organisation").get(pk=seat.pk)
        if seat.state == SeatState.REDEEMED:
            raise Conflict(_("This seat has already been used."), code="seat_used")
        if seat.secret is None or not any(secrets.compare_digest(seat.secret, c) for c in secret_candidates(secret)):
            # Revoked or replaced while we waited for the lock.
            raise NotFound(INVALID_SECRET_MESSAGE)
        _require_window(offering, now)
        if seat.state == SeatState.ASSIGNED and seat.assigned_email.lower() != learner.email.lower():
            raise PermissionDenied(
                _("This seat is reserved for %(email)s. Sign in with that address to use it.")
                % {"email": seat.assigned_email},
                code="seat_for_someone_else",
            )
        _require_prerequisites(offering, prerequisites_confirmed)
        enrolment = _active_enrolment_locked(offering, learner)
        if enrolment is not None and enrolment.state not in (EnrolmentState.INTERESTED, EnrolmentState.WAITLISTED):
            raise AlreadyEnrolled()
        enrolment = enrolment or Enrolment(offering=offering, learner=learner)
        enrolment.offering = offering
        enrolment.state = EnrolmentState.ENROLLED
        enrolment.enrolled_at = now
        enrolment.payment_method = PaymentMethod.EMPLOYER_SEAT
        enrolment.price = seat.purchase.unit_price
        enrolment.currency = seat.purchase.currency
        enrolment.billing = {}
        enrolment.seat = seat
        enrolment.prerequisites_confirmed_at = now if requires_prerequisites_confirmation(offering) else None
        _save_new_state(enrolment)
        seat.state = SeatState.REDEEMED
        seat.redeemed_at = now  # the secret stays, so trying it again says "already used"
        seat.save(update_fields=["state", "redeemed_at", "updated_at"])
        organisation = seat.purchase.organisation
        audit_record(action="seat.redeemed", actor=learner, organisation=organisation, target=seat,
                     data={"enrolment": enrolment.pk, "learner": learner.email})
        audit_record(action="enrolment.enrolled", actor=learner, organisation=_provider(offering), target=enrolment,
                     data={"offering": offering.pk, "payment_method": PaymentMethod.EMPLOYER_SEAT,
                           "price": str(enrolment.price), "currency": enrolment.currency,
                           "organisation": organisation.slug})
        _mail_learner(enrolment, "enrolled", organisation=organisation)
    return enrolment


# --- providers ------------------------------------------------------------------------------------


INVOICING_FIELDS = ("street_address", "postal_code", "city", "iban", "bic", "payment_term_days", "contact_email")


def invoicing_details_update(*, provider: Organisation, by: Any, data: Mapping[str, Any]) -> InvoicingDetails:
    """Set what the provider's future invoices say about the seller (issued invoices keep their snapshot)."""
    if not provider.is_provider or not has_role(by, provider, {"provider_admin"}):
        raise PermissionDenied()
    iban = str(data.get("iban") or "").replace(" ", "").upper()
    if iban and not is_valid_iban(iban):
        raise InvalidInput(details={"iban": [str(_("Enter a valid IBAN, e.g. FI21 1234 5600 0007 85."))]})
    with transaction.atomic():
        details, _created = InvoicingDetails.objects.select_for_update().get_or_create(provider=provider)
        for name in INVOICING_FIELDS:
            if name in data:
                setattr(details, name, iban if name == "iban" else data[name])
        try:
            details.full_clean(exclude=["provider"])
        except ValidationError as error:
            raise InvalidInput(details=error.message_dict) from None
        details.save()
        audit_record(action="invoicing_details.updated", actor=by, organisation=provider, target=details,
                     data={"fields": sorted(k for k in data if k in INVOICING_FIELDS)})
    return details
