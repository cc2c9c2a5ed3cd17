"""Demand pooling: tentative offerings that run only when enough people commit.

An offering with a minimum number of participants and a decision date is *tentative*
(`Offering.is_tentative`) until it is decided. While it is tentative:

- learners enrol tentatively (`pooling_enrol`): the place is held, the price recorded, nothing is
  invoiced; or they register interest, which commits to nothing;
- employers pledge seats (`pledge_create`): nothing is bought or invoiced;
- enrolled learners and pledged seats count towards the minimum (`Commitments.committed`).

The enrolment or pledge that brings the count to the minimum confirms the offering in its own
transaction: the held places are invoiced (enrolment app), every pledge becomes a seat purchase
with its invoice (enrolment app, `purchase_create`), and everyone is told after the commit.

`decide_offerings` runs on a schedule (the `osaamo decide_offerings` command, or the
`decide_offerings_task`): it confirms a tentative offering that has reached its minimum in some
other way (the provider lowered it), and cancels one whose decision date has come without it —
then every enrolment is cancelled, every pledge released, everyone told, and nobody charged
(a tentative commitment never had an invoice).

Every transition happens under the offering's row lock (taken first, as the enrolment services
do) and only from the tentative state, so two runs, or a run racing a pledge, decide once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from osaamo.accounts.models import Membership, Organisation, OrganisationKind, Role
from osaamo.accounts.selectors import has_role, organisation_contact
from osaamo.audit.services import audit_record
from osaamo.catalog.models import Offering, OfferingState
from osaamo.catalog.services import offering_settle, offering_update
from osaamo.demand.models import Pledge, PledgeState, SkillNeed
from osaamo.demand.selectors import PLEDGE_ROLES, offering_commitments
from osaamo.enrolment import services as enrolment_services
from osaamo.enrolment.billing import clean_organisation_billing
from osaamo.enrolment.models import Enrolment, EnrolmentState, SeatPurchase
from osaamo.enrolment.selectors import window_is_open
from osaamo.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from osaamo.mail import absolute_url, language_of, send_after_commit
from osaamo.translation import LANGUAGE_CODES

MAX_PLEDGE = enrolment_services.MAX_SEATS_PER_PURCHASE
STAFF_TO_TELL = (Role.PROVIDER_ADMIN, Role.REGISTRAR)


# The catalog checks a decision date and the enrolment app refuses plain enrolment and seat purchases
# on a tentative offering with these sentences (catalog.services, enrolment.services). Django merges
# every app's catalogue, so they are translated here with the rest of pooling until those apps' own
# catalogues carry them.
GUARD_MESSAGES = (
    _("A tentative offering keeps its decision date until it is confirmed or cancelled."),
    _("A decision date needs a minimum number of participants."),
    _("The decision date cannot be after the start."),
    _("The decision date cannot be in the past."),
    _("This offering runs only if enough participants commit: enrol tentatively on its page (nothing is "
      "invoiced unless it runs)."),
    _("This offering runs only if enough participants commit: pledge seats instead (they are bought if it "
      "runs)."),
    _("decision date"),
    _("Runs only if the minimum number of participants is reached by this date."),
)


class NotTentative(Conflict):
    default_code = "not_tentative"
    default_message = _("This offering is not waiting for participants: it has no minimum and decision date.")


def _now(now: Any) -> Any:
    return now or timezone.now()


def _provider(offering: Offering) -> Organisation:
    return offering.version.micro_credential.provider


def _require_tentative(offering: Offering) -> None:
    if offering.state == OfferingState.CANCELLED:
        raise Conflict(_("This offering has been cancelled."), code="offering_cancelled")
    if offering.confirmed_at is not None:
        raise Conflict(_("This offering has already been confirmed: buy seats or enrol instead."),
                       code="offering_confirmed")
    if not offering.is_tentative:
        raise NotTentative()


# --- providers: putting an offering out for pooling ----------------------------------------------------


def pooling_open(*, offering: Offering, by: Any, decision_date: date | str | None, now: Any = None) -> Offering:
    """Make an offering tentative: it runs only if its minimum is reached by `decision_date`.

    Only an offering nobody has yet enrolled in or bought seats on can become tentative (their
    places were given and invoiced without a condition). The decision date may be moved while the
    offering is tentative; it is set through the catalog's offering service, which checks it.
    """
    now = _now(now)
    with transaction.atomic():
        offering = enrolment_services.offering_lock(offering.pk)
        if offering.confirmed_at is not None or offering.state != OfferingState.SCHEDULED:
            raise Conflict(_("This offering has already been decided."), code="already_decided")
        if not offering.is_tentative:
            taken = Enrolment.objects.filter(offering=offering).exclude(
                state__in=[EnrolmentState.CANCELLED, EnrolmentState.INTERESTED]).exists()
            if taken or SeatPurchase.objects.filter(offering=offering).exists():
                raise Conflict(_("People have already enrolled or bought seats without a condition: this offering "
                                 "can no longer be made to depend on a minimum."), code="has_enrolments")
        value = decision_date.isoformat() if isinstance(decision_date, date) else decision_date
        if value in (None, ""):
            raise InvalidInput(details={"decision_date": [str(_("This field is required."))]})
        offering = offering_update(offering=offering, by=by, data={"decision_date": value})
        audit_record(action="offering.pooling_opened", actor=by, organisation=_provider(offering), target=offering,
                     data={"decision_date": str(offering.decision_date),
                           "min_participants": offering.min_participants})
    return offering


# --- learners ----------------------------------------------------------------------------------------


def pooling_enrol(
    *,
    offering: Offering,
    learner: Any,
    payment_method: str | None = None,
    billing: Mapping[str, Any] | None = None,
    prerequisites_confirmed: bool = False,
    now: Any = None,
) -> Enrolment:
    """Enrol `learner` on a tentative offering: the place is held and nothing is invoiced until the
    offering is confirmed. When this place brings the offering to its minimum, it is confirmed now.
    On an offering that is already confirmed this is an ordinary enrolment."""
    now = _now(now)
    with transaction.atomic():
        offering = enrolment_services.offering_lock(offering.pk)
        was_tentative = offering.is_tentative
        enrolment = enrolment_services.enrolment_enrol(
            offering=offering, learner=learner, payment_method=payment_method, billing=billing,
            prerequisites_confirmed=prerequisites_confirmed, allow_tentative=True, now=now,
        )
        if was_tentative and enrolment.state == EnrolmentState.ENROLLED:
            if not _confirm_if_reached(offering, by=learner, now=now, trigger=f"enrolment:{enrolment.pk}"):
                _tell_tentative_learner(enrolment, offering)
            enrolment.refresh_from_db()
    return enrolment


def pooling_register_interest(*, offering: Offering, learner: Any, now: Any = None) -> Enrolment:
    """Register interest in an offering (no place, no commitment; it does not count to the minimum)."""
    return enrolment_services.enrolment_register_interest(offering=offering, learner=learner, now=now)


# --- employers -----------------------------------------------------------------------------------------


def _require_pledger(by: Any, organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.EMPLOYER or not has_role(by, organisation, PLEDGE_ROLES):
        raise PermissionDenied()


def pledge_create(
    *,
    offering: Offering,
    organisation: Organisation,
    by: Any,
    quantity: int,
    billing: Mapping[str, Any],
    language: str | None = None,
    need: SkillNeed | None = None,
    now: Any = None,
) -> Pledge:
    """Pledge `quantity` seats on a tentative offering for `organisation` (its administrator).

    Nothing is bought or invoiced now: the billing details are kept for the purchase that is made
    if the offering runs. The pledged seats count towards the minimum and hold their places; when
    they bring the offering to its minimum it is confirmed in this transaction and every pledge,
    this one included, becomes a purchase.
    """
    now = _now(now)
    _require_pledger(by, organisation)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_PLEDGE:
        raise InvalidInput(details={"quantity": [
            str(_("Enter a number of seats between 1 and %(max)s.") % {"max": MAX_PLEDGE})]})
    if need is not None and need.organisation_id != organisation.pk:
        raise NotFound()
    language = language if language in LANGUAGE_CODES else language_of(by)
    cleaned = clean_organisation_billing(billing)
    with transaction.atomic():
        offering = enrolment_services.offering_lock(offering.pk)
        _require_tentative(offering)
        if not window_is_open(offering, now):
            raise Conflict(_("Enrolment for this offering is not open."), code="enrolment_closed")
        if offering.price_organisation is None:
            raise Conflict(_("This offering is not sold to organisations."), code="not_sold_to_organisations")
        if Pledge.objects.filter(offering=offering, organisation=organisation, state=PledgeState.PLEDGED).exists():
            raise Conflict(_("Your organisation has already pledged seats on this offering. Withdraw that pledge "
                             "to pledge a different number."), code="already_pledged")
        left = offering_commitments(offering).left
        if left is not None and left < quantity:
            message = ngettext("Only %(left)s place is left; you asked for %(wanted)s.",
                               "Only %(left)s places are left; you asked for %(wanted)s.", left) % {
                "left": left, "wanted": quantity}
            raise Conflict(message, code="not_enough_places", details={"places_left": left})
        pledge = Pledge.objects.create(
            offering=offering, organisation=organisation, need=need, pledged_by=by, quantity=quantity,
            unit_price=offering.price_organisation, billing=cleaned, language=language,
        )
        audit_record(action="pledge.created", actor=by, organisation=organisation, target=pledge,
                     data={"offering": offering.pk, "quantity": quantity,
                           "unit_price": str(offering.price_organisation),
                           "need": need.pk if need else None})
        if not _confirm_if_reached(offering, by=by, now=now, trigger=f"pledge:{pledge.pk}"):
            _tell(template="pledged", to=by, context={"pledge": pledge, "offering": offering,
                                                      "organisation": organisation})
        pledge.refresh_from_db()
    return pledge


def pledge_withdraw(*, pledge: Pledge, by: Any, now: Any = None) -> Pledge:
    """Withdraw a pledge while the offering is still tentative (after that it is a purchase or released)."""
    now = _now(now)
    _require_pledger(by, pledge.organisation)
    with transaction.atomic():
        offering = enrolment_services.offering_lock(pledge.offering_id)
        pledge = Pledge.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pledge.pk)
        if pledge.state != PledgeState.PLEDGED:
            raise Conflict(_("Only a pledge that is still waiting for the decision can be withdrawn."),
                           code="pledge_decided")
        pledge.state = PledgeState.WITHDRAWN
        pledge.decided_at = now
        pledge.save(update_fields=["state", "decided_at"])
        audit_record(action="pledge.withdrawn", actor=by, organisation=pledge.organisation, target=pledge,
                     data={"offering": offering.pk, "quantity": pledge.quantity})
    return pledge


# --- the decision ----------------------------------------------------------------------------------------


def _confirm_if_reached(offering: Offering, *, by: Any, now: Any, trigger: str) -> bool:
    """Confirm `offering` (locked by the caller) if it is tentative and has reached its minimum."""
    if not offering.is_tentative:
        return False
    commitments = offering_commitments(offering)
    if commitments.committed < (offering.min_participants or 0):
        return False
    _confirm(offering, by=by, now=now, trigger=trigger, committed=commitments.committed)
    return True


def _buyer(pledge: Pledge) -> Any:
    """Who buys a pledge: the person who pledged, or another administrator if they no longer are one."""
    return organisation_contact(pledge.organisation, preferred=pledge.pledged_by, roles=PLEDGE_ROLES)


def _confirm(offering: Offering, *, by: Any, now: Any, trigger: str, committed: int) -> None:
    provider = _provider(offering)
    offering = offering_settle(offering=offering, confirmed=True, now=now)
    invoiced = enrolment_services.offering_invoice_held_places(offering=offering, now=now)
    pledges = list(Pledge.objects.select_for_update(of=("self",)).filter(offering=offering, state=PledgeState.PLEDGED)
                   .select_related("organisation", "pledged_by").order_by("created_at", "id"))
    for pledge in pledges:
        try:
            with transaction.atomic():
                purchase = enrolment_services.purchase_create(
                    offering=offering, organisation=pledge.organisation, by=_buyer(pledge),
                    quantity=pledge.quantity, billing=pledge.billing, language=pledge.language, now=now,
                )
        except DomainError as refusal:
            # Not bought (the organisation has no administrator any more, or the provider cut the
            # seats): the pledge says why, the employer is told, and the others are still bought.
            pledge.state = PledgeState.NOT_CONVERTED
            pledge.note = str(refusal.message)[:300]
        else:
            pledge.state = PledgeState.PURCHASED
            pledge.purchase = purchase
        pledge.decided_at = now
        pledge.save(update_fields=["state", "purchase", "note", "decided_at"])
        audit_record(action=f"pledge.{pledge.state}", actor=None, organisation=pledge.organisation, target=pledge,
                     data={"offering": offering.pk, "purchase": pledge.purchase_id, "note": pledge.note})
    audit_record(action="offering.pooling_confirmed", actor=by, organisation=provider, target=offering,
                 data={"trigger": trigger, "committed": committed, "minimum": offering.min_participants,
                       "invoiced_enrolments": len(invoiced),
                       "pledges": {str(p.pk): p.state for p in pledges}})

    for enrolment in Enrolment.objects.filter(offering=offering, state=EnrolmentState.ENROLLED).select_related(
            "learner", "invoice"):
        _tell(template="confirmed", to=enrolment.learner, context={"enrolment": enrolment, "offering": offering})
    for enrolment in Enrolment.objects.filter(offering=offering, state=EnrolmentState.INTERESTED).select_related(
            "learner"):
        _tell(template="confirmed_interested", to=enrolment.learner,
              context={"enrolment": enrolment, "offering": offering})
    for pledge in pledges:
        _tell(template="pledge_purchased" if pledge.state == PledgeState.PURCHASED else "pledge_not_converted",
              to=_buyer(pledge), context={"pledge": pledge, "offering": offering, "organisation": pledge.organisation})
    _tell_staff(offering, "staff_confirmed", {"committed": committed, "pledges": pledges})


def _cancel(offering: Offering, *, now: Any) -> None:
    provider = _provider(offering)
    commitments = offering_commitments(offering)
    offering = offering_settle(offering=offering, confirmed=False, now=now)
    released = enrolment_services.offering_release_enrolments(
        offering=offering, reason="minimum_not_reached", now=now)
    pledges = _release_pledges(offering, by=None, now=now)
    audit_record(action="offering.pooling_cancelled", actor=None, organisation=provider, target=offering,
                 data={"committed": commitments.committed, "minimum": offering.min_participants,
                       "decision_date": str(offering.decision_date), "released_enrolments": len(released),
                       "released_pledges": len(pledges)})
    for enrolment in released:
        _tell(template="cancelled", to=enrolment.learner,
              context={"enrolment": enrolment, "offering": offering, "commitments": commitments,
                       "had_place": enrolment.enrolled_at is not None})
    for pledge in pledges:
        _tell(template="pledge_released", to=pledge.pledged_by or _buyer(pledge),
              context={"pledge": pledge, "offering": offering, "organisation": pledge.organisation,
                       "commitments": commitments})
    _tell_staff(offering, "staff_cancelled", {"commitments": commitments, "pledges": pledges})


def _release_pledges(offering: Offering, *, by: Any, now: Any, reason: str | None = None) -> list[Pledge]:
    """Release every pledge still waiting on `offering` (locked by the caller): nothing was bought or
    invoiced, so nothing is charged. A pledge already bought, withdrawn or released is left alone."""
    pledges = list(Pledge.objects.select_for_update(of=("self",)).filter(offering=offering, state=PledgeState.PLEDGED)
                   .select_related("organisation", "pledged_by").order_by("created_at", "id"))
    for pledge in pledges:
        pledge.state = PledgeState.RELEASED
        pledge.decided_at = now
        pledge.save(update_fields=["state", "decided_at"])
        data: dict[str, Any] = {"offering": offering.pk, "quantity": pledge.quantity}
        if reason is not None:
            data.update(offering_cancelled=True, reason=reason[:500])
        audit_record(action="pledge.released", actor=by, organisation=pledge.organisation, target=pledge, data=data)
    return pledges


def pledges_release_cancelled(*, offering: Offering, by: Any, reason: str = "", now: Any = None) -> list[Pledge]:
    """A provider cancelled `offering` (catalog's `offering_cancelled` signal, inside the cancellation's
    transaction): every pledge still waiting is released and its employer told after the commit. The
    learners hear from the enrolment app, which cancels their enrolments. (When pooling itself cancels at
    the decision date, `_cancel` does this; that path sends no signal, so nothing is released twice, and
    a second call finds no pledge left to release.)"""
    now = _now(now)
    with transaction.atomic():
        offering = enrolment_services.offering_lock(offering.pk)
        if offering.state != OfferingState.CANCELLED:
            raise Conflict(_("Only the pledges of a cancelled offering are released."), code="offering_not_cancelled")
        pledges = _release_pledges(offering, by=by, now=now, reason=reason)
        for pledge in pledges:
            _tell(template="pledge_offering_cancelled", to=_buyer(pledge),
                  context={"pledge": pledge, "offering": offering, "organisation": pledge.organisation,
                           "reason": reason})
    return pledges


@dataclass
class Decisions:
    """What one run of `decide_offerings` did (offering ids)."""

    confirmed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)


def offering_decide(*, offering_id: int, now: Any = None) -> str:
    """Decide one tentative offering now: "confirmed" when it has reached its minimum, "cancelled" when
    its decision date has come without it, "waiting" otherwise, "decided" when it already was."""
    now = _now(now)
    with transaction.atomic():
        offering = enrolment_services.offering_lock(offering_id)
        if not offering.is_tentative:
            return "decided"
        if _confirm_if_reached(offering, by=None, now=now, trigger="decision"):
            return "confirmed"
        assert offering.decision_date is not None
        if offering.decision_date <= timezone.localdate(now):
            _cancel(offering, now=now)
            return "cancelled"
        return "waiting"


def decide_offerings(*, now: Any = None) -> Decisions:
    """The scheduled decision over every tentative offering, each in its own transaction. Running it
    again, or at the same time in two processes, decides nothing twice."""
    now = _now(now)
    decisions = Decisions()
    ids = list(
        Offering.objects.filter(state=OfferingState.SCHEDULED, decision_date__isnull=False,
                                confirmed_at__isnull=True).order_by("decision_date", "id").values_list("pk", flat=True)
    )
    for offering_id in ids:
        outcome = offering_decide(offering_id=offering_id, now=now)
        if outcome == "confirmed":
            decisions.confirmed.append(offering_id)
        elif outcome == "cancelled":
            decisions.cancelled.append(offering_id)
        elif outcome == "waiting":
            decisions.waiting.append(offering_id)
    return decisions


# --- telling people --------------------------------------------------------------------------------------


def _tell(*, template: str, to: Any, context: dict[str, Any]) -> None:
    if to is None or not getattr(to, "email", ""):
        return
    offering = context["offering"]

    def render_context() -> dict[str, Any]:
        return {
            "recipient": to, "version": offering.version, "provider": _provider(offering),
            "offering_url": absolute_url("demand:offering", offering.pk),
            "my_enrolments_url": absolute_url("enrolment:mine"),
            **context,
            **({"pledges_url": absolute_url("demand:pledges", context["organisation"].slug)}
               if "organisation" in context else {}),
            **({"purchase_url": absolute_url("enrolment:purchase", context["organisation"].slug,
                                             context["pledge"].purchase_id)}
               if context.get("pledge") is not None and context["pledge"].purchase_id else {}),
        }

    send_after_commit(template=f"demand/mail/{template}", to=to.email, language=language_of(to), context=render_context)


def _tell_tentative_learner(enrolment: Enrolment, offering: Offering) -> None:
    _tell(template="tentative", to=enrolment.learner,
          context={"enrolment": enrolment, "offering": offering, "commitments": offering_commitments(offering)})


def _tell_staff(offering: Offering, template: str, context: dict[str, Any]) -> None:
    staff = {m.user for m in Membership.objects.filter(organisation=_provider(offering), role__in=STAFF_TO_TELL,
                                                       user__is_active=True).select_related("user")}
    for person in sorted(staff, key=lambda user: user.pk):
        _tell(template=template, to=person, context={"offering": offering, **context})


__all__ = [
    "Decisions",
    "NotTentative",
    "decide_offerings",
    "offering_decide",
    "pledge_create",
    "pledge_withdraw",
    "pledges_release_cancelled",
    "pooling_enrol",
    "pooling_open",
    "pooling_register_interest",
]
