"""Enrolment pages: learners enrol and cancel, employers buy and hand out seats, provider staff follow.

Thin views: a form shapes the input, a service decides and writes, a selector reads (tenant first,
"not found" alike for "not yours"). A refusal from a service is shown on the page with its message.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from osaamo.accounts.selectors import PUBLISH_ROLES
from osaamo.catalog.models import OfferingState, VersionState
from osaamo.enrolment import selectors, services
from osaamo.enrolment.forms import (
    CancelForm,
    EnrolForm,
    InvoicingDetailsForm,
    PurchaseForm,
    SeatAssignForm,
    SeatCodeForm,
    SeatLinkForm,
)
from osaamo.enrolment.invoices import invoice_filename, invoice_pdf
from osaamo.enrolment.models import EnrolmentState, Invoice, PaymentMethod, SeatState
from osaamo.errors import DomainError, InvalidInput, NotFound
from osaamo.translation import translated
from osaamo.web.decorators import not_found_as_404


def _pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice_filename(invoice)}"'
    return response


def _email(request: HttpRequest) -> str:
    return str(getattr(request.user, "email", "")).lower()


def _refusal(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, str(error.message))


# --- learners -------------------------------------------------------------------------------------


def _offering_context(request: HttpRequest, offering: Any, form: EnrolForm | None = None) -> dict[str, Any]:
    now = timezone.now()
    user = request.user
    enrolment = selectors.active_enrolment(learner=user, offering=offering)
    places = selectors.offering_places(offering)
    window_open = selectors.takes_enrolments(offering, now)
    prerequisites = selectors.requires_prerequisites_confirmation(offering)
    can_enrol = window_open and (enrolment is None or enrolment.state == EnrolmentState.INTERESTED)
    if form is None and can_enrol and user.is_authenticated:
        initial = {"name": user.get_full_name() if user.full_name else "", "email": user.email, "country": "FI"}
        form = EnrolForm(paid=not offering.is_free, prerequisites=prerequisites, initial=initial)
    employers = []
    if user.is_authenticated and window_open and offering.price_organisation is not None:
        employers = list(selectors.employers_administered(user))
    return {
        "offering": offering,
        "version": offering.version,
        "provider": offering.version.micro_credential.provider,
        "places": places,
        "window_open": window_open,
        "not_open_yet": offering.state == OfferingState.SCHEDULED and now < offering.enrolment_opens,
        "started": selectors.has_started(offering, now),
        "enrolment": enrolment,
        "waitlist_position": selectors.waitlist_position(enrolment) if enrolment else None,
        "can_enrol": can_enrol,
        "can_register_interest": (
            offering.state == OfferingState.SCHEDULED and offering.version.state == VersionState.PUBLISHED
            and not selectors.has_started(offering, now) and enrolment is None
        ),
        "prerequisites_required": prerequisites,
        "form": form,
        "employers": employers,
    }


@not_found_as_404
def offering_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The offering with its price and places: enrol, join the waiting list, or register interest."""
    offering = selectors.enrolment_offering(pk=pk)
    if request.method != "POST":
        return render(request, "enrolment/offering.html", _offering_context(request, offering))
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    if not selectors.takes_enrolments(offering):
        messages.error(request, _("Enrolment for this offering is not open."))
        return redirect("enrolment:offering", pk=offering.pk)
    form = EnrolForm(request.POST, paid=not offering.is_free,
                     prerequisites=selectors.requires_prerequisites_confirmation(offering))
    status = 400
    if form.is_valid():
        try:
            enrolment = services.enrolment_enrol(
                offering=offering, learner=request.user,
                payment_method=PaymentMethod.FREE if offering.is_free else PaymentMethod.INVOICE,
                billing=form.billing(), prerequisites_confirmed=form.cleaned_data.get("prerequisites_confirmed", False),
            )
        except InvalidInput as error:
            form.add_domain_errors(error.details or {None: [error.message]})
            status = error.status
        except DomainError as error:
            _refusal(request, error)
            return redirect("enrolment:offering", pk=offering.pk)
        else:
            if enrolment.state == EnrolmentState.ENROLLED:
                messages.success(request, _("You are enrolled. We sent you a confirmation by email."))
            else:
                messages.success(request, _("The offering is full: you are on the waiting list. We sent you an email."))
            return redirect("enrolment:mine")
    return render(request, "enrolment/offering.html", _offering_context(request, offering, form), status=status)


@login_required
@require_POST
@not_found_as_404
def register_interest(request: HttpRequest, pk: int) -> HttpResponse:
    offering = selectors.enrolment_offering(pk=pk)
    if offering.version.state != VersionState.PUBLISHED:
        messages.error(request, _("Enrolment for this offering is not open."))
        return redirect("enrolment:offering", pk=offering.pk)
    try:
        services.enrolment_register_interest(offering=offering, learner=request.user)
    except DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Your interest is registered. No place is reserved for you."))
    return redirect("enrolment:offering", pk=offering.pk)


@login_required
def my_enrolments(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    enrolments = list(selectors.learner_enrolments(learner=request.user))
    rows = [
        {
            "enrolment": e,
            # The learner's own rules here; a registrar cancels on the provider's pages.
            "can_cancel": services.can_cancel(e, by=request.user, now=now, registrar=False),
            "position": selectors.waitlist_position(e),
        }
        for e in enrolments
    ]
    return render(request, "enrolment/mine.html", {"rows": rows})


@login_required
@not_found_as_404
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then cancel one's own enrolment (the rules are on the page)."""
    enrolment = selectors.learner_enrolment(learner=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.enrolment_cancel(enrolment=enrolment, by=request.user)
        except DomainError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Your enrolment is cancelled."))
        return redirect("enrolment:mine")
    return render(request, "enrolment/cancel.html", {
        "enrolment": enrolment, "can_cancel": services.can_cancel(enrolment, by=request.user),
    })


@login_required
@not_found_as_404
def my_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = selectors.learner_enrolment(learner=request.user, pk=pk)
    if enrolment.invoice is None:
        raise NotFound()
    return _pdf_response(enrolment.invoice)


def _redeem(request: HttpRequest, secret: str, form: Any) -> HttpResponse | None:
    try:
        services.seat_redeem(secret=secret, learner=request.user,
                             prerequisites_confirmed=form.cleaned_data.get("prerequisites_confirmed", False))
    except InvalidInput as error:
        form.add_domain_errors(error.details or {None: [error.message]})
        return None
    except DomainError as error:
        form.add_error(None, str(error.message))
        return None
    messages.success(request, _("You are enrolled. Your employer pays for the place."))
    return redirect("enrolment:mine")


@login_required
def seat_link(request: HttpRequest, secret: str) -> HttpResponse:
    """An assignment link from an employer: see the offering, confirm, take the seat."""
    try:
        seat = selectors.seat_by_secret(secret)
    except NotFound:
        return render(request, "enrolment/seat_invalid.html", status=404)
    offering = seat.purchase.offering
    prerequisites = selectors.requires_prerequisites_confirmation(offering)
    form = SeatLinkForm(request.POST or None, prerequisites=prerequisites)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            response = _redeem(request, secret, form)
            if response is not None:
                return response
        status = 400
    return render(request, "enrolment/seat_redeem.html", {
        "seat": seat, "offering": offering, "version": offering.version, "form": form,
        "organisation": seat.purchase.organisation, "prerequisites_required": prerequisites,
        "for_someone_else": seat.state == SeatState.ASSIGNED and seat.assigned_email != _email(request),
        "used": seat.state == SeatState.REDEEMED,
        "cancelled": offering.state == OfferingState.CANCELLED,  # its seats are cancelled with it
    }, status=status)


@login_required
def seat_code(request: HttpRequest) -> HttpResponse:
    """Enter a seat code. When the micro-credential states prerequisites, the page shows them and asks
    for the confirmation before the code is used."""
    offering = None
    prerequisites = False
    code = request.POST.get("code", "") if request.method == "POST" else ""
    if code:
        try:
            offering = selectors.seat_by_secret(code).purchase.offering
            prerequisites = selectors.requires_prerequisites_confirmation(offering)
        except NotFound:
            offering = None
    form = SeatCodeForm(request.POST or None, prerequisites=prerequisites)
    status = 200
    if offering is not None and prerequisites and not request.POST.get("prerequisites_shown"):
        # First step: the code is good; show the prerequisites and ask for the confirmation, no error yet.
        form = SeatCodeForm(initial={"code": code}, prerequisites=True)
    elif request.method == "POST":
        status = 400
        if offering is None and form.is_valid():
            form.add_error("code", str(services.INVALID_SECRET_MESSAGE))
        elif form.is_valid():
            response = _redeem(request, form.cleaned_data["code"], form)
            if response is not None:
                return response
    return render(request, "enrolment/seat_code.html", {
        "form": form, "offering": offering, "version": offering.version if offering else None,
        "prerequisites_required": prerequisites,
    }, status=status)


# --- employers ------------------------------------------------------------------------------------


@login_required
@not_found_as_404
def employer_purchases(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = selectors.employer_for_admin(user=request.user, slug=slug)
    purchases = selectors.organisation_purchases(organisation=organisation)
    return render(request, "enrolment/employer_purchases.html", {
        "organisation": organisation, "purchases": purchases,
    })


@login_required
@not_found_as_404
def buy_seats(request: HttpRequest, slug: str, offering_pk: int) -> HttpResponse:
    organisation = selectors.employer_for_admin(user=request.user, slug=slug)
    offering = selectors.enrolment_offering(pk=offering_pk)
    initial = {"name": organisation.display_name, "business_id": organisation.business_id,
               "city": organisation.city, "country": organisation.country or "FI", "email": _email(request),
               "language": request.LANGUAGE_CODE, "quantity": 1}
    form = PurchaseForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if not selectors.takes_enrolments(offering):
            form.add_error(None, _("Enrolment is not open, so seats cannot be bought now."))
        elif form.is_valid():
            try:
                purchase = services.purchase_create(
                    offering=offering, organisation=organisation, by=request.user,
                    quantity=form.cleaned_data["quantity"], billing=form.billing(),
                    language=form.cleaned_data["language"],
                )
            except InvalidInput as error:
                form.add_domain_errors(error.details or {None: [error.message]})
                status = error.status
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status
            else:
                messages.success(request, _("The seats are yours. The invoice is below; now hand the seats out."))
                return redirect("enrolment:purchase", slug=organisation.slug, pk=purchase.pk)
    return render(request, "enrolment/buy.html", {
        "organisation": organisation, "offering": offering, "version": offering.version,
        "provider": offering.version.micro_credential.provider, "places": selectors.offering_places(offering),
        "window_open": selectors.takes_enrolments(offering), "form": form,
    }, status=status)


@login_required
@not_found_as_404
def purchase_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.employer_for_admin(user=request.user, slug=slug)
    purchase = selectors.organisation_purchase(organisation=organisation, pk=pk)
    offering = purchase.offering
    return render(request, "enrolment/purchase.html", {
        "organisation": organisation, "purchase": purchase, "offering": offering, "version": offering.version,
        "seats": selectors.purchase_seats(purchase=purchase),
        "can_hand_out": offering.state == OfferingState.SCHEDULED and timezone.now() < offering.enrolment_closes,
        "assign_form": SeatAssignForm(initial={"language": request.LANGUAGE_CODE}),
        "code_url": request.build_absolute_uri(reverse("enrolment:seat_code")),
    })


@login_required
@not_found_as_404
def purchase_invoice(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organisation = selectors.employer_for_admin(user=request.user, slug=slug)
    purchase = selectors.organisation_purchase(organisation=organisation, pk=pk)
    return _pdf_response(purchase.invoice)


def _seat_action(
    request: HttpRequest, slug: str, pk: int, seat_pk: int, action: Callable[..., Any], done: str
) -> HttpResponse:
    organisation = selectors.employer_for_admin(user=request.user, slug=slug)
    purchase = selectors.organisation_purchase(organisation=organisation, pk=pk)
    seat = selectors.purchase_seat(purchase=purchase, pk=seat_pk)
    try:
        action(seat)
    except DomainError as error:
        message = str(error.message)
        if isinstance(error, InvalidInput) and isinstance(error.details, dict):
            message = " ".join(str(m) for messages_ in error.details.values() for m in messages_)
        messages.error(request, _("Seat %(number)s: %(message)s") % {"number": seat.number, "message": message})
    else:
        messages.success(request, done % {"number": seat.number})
    return redirect(f"{reverse('enrolment:purchase', args=[organisation.slug, purchase.pk])}#seat-{seat.number}")


@login_required
@require_POST
@not_found_as_404
def seat_assign(request: HttpRequest, slug: str, pk: int, seat_pk: int) -> HttpResponse:
    form = SeatAssignForm(request.POST)
    if not form.is_valid():
        email_errors = form.errors.get("email") or [_("Enter a valid email address.")]
        messages.error(request, " ".join(str(e) for e in email_errors))
        return redirect("enrolment:purchase", slug=slug, pk=pk)
    return _seat_action(
        request, slug, pk, seat_pk,
        lambda seat: services.seat_assign(seat=seat, email=form.cleaned_data["email"], by=request.user,
                                          language=form.cleaned_data.get("language") or None),
        _("Seat %(number)s is assigned; we sent the person a link by email."),
    )


@login_required
@require_POST
@not_found_as_404
def seat_issue_code(request: HttpRequest, slug: str, pk: int, seat_pk: int) -> HttpResponse:
    return _seat_action(
        request, slug, pk, seat_pk, lambda seat: services.seat_issue_code(seat=seat, by=request.user),
        _("Seat %(number)s has a new code. Hand it to the person who will use it."),
    )


@login_required
@require_POST
@not_found_as_404
def seat_revoke(request: HttpRequest, slug: str, pk: int, seat_pk: int) -> HttpResponse:
    return _seat_action(
        request, slug, pk, seat_pk, lambda seat: services.seat_revoke(seat=seat, by=request.user),
        _("Seat %(number)s was taken back; its link or code no longer works."),
    )


# --- provider staff -------------------------------------------------------------------------------


@login_required
@not_found_as_404
def staff_offerings(request: HttpRequest, slug: str) -> HttpResponse:
    provider = selectors.provider_for_registrar(user=request.user, slug=slug)
    return render(request, "enrolment/staff_offerings.html", {
        "provider": provider, "offerings": selectors.provider_offerings_with_counts(provider=provider),
    })


@login_required
@not_found_as_404
def staff_offering(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider = selectors.provider_for_registrar(user=request.user, slug=slug)
    offering = selectors.provider_offering(provider=provider, pk=pk)
    enrolments = list(selectors.offering_enrolments(offering=offering))
    now = timezone.now()
    registrar = services.is_registrar_for(request.user, offering)
    return render(request, "enrolment/staff_offering.html", {
        "provider": provider, "offering": offering, "version": offering.version,
        "places": selectors.offering_places(offering),
        "rows": [(e, services.can_cancel(e, by=request.user, now=now, registrar=registrar)) for e in enrolments],
        "purchases": selectors.offering_purchases(offering=offering),
        "cancel_form": CancelForm(),
    })


CSV_COLUMNS = ("id", "state", "learner_name", "learner_email", "payment_method", "price", "currency",
               "organisation", "invoice_number", "invoice_state", "created_at", "enrolled_at", "waitlisted_at",
               "cancelled_at")


@login_required
@not_found_as_404
def staff_offering_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The offering's enrolments as CSV (UTF-8 with a byte-order mark, so spreadsheets read ä and ö)."""
    provider = selectors.provider_for_registrar(user=request.user, slug=slug)
    offering = selectors.provider_offering(provider=provider, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="enrolments-{offering.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)

    def when(value: Any) -> str:
        return timezone.localtime(value).isoformat(timespec="seconds") if value else ""

    for e in selectors.offering_enrolments(offering=offering):
        organisation = e.seat.purchase.organisation if e.seat else None
        row = [
            e.pk, e.state, e.learner.full_name, e.learner.email, e.payment_method,
            "" if e.price is None else str(e.price), e.currency if e.price is not None else "",
            translated(organisation.name) if organisation else "",
            e.invoice.number if e.invoice else "", e.invoice.state if e.invoice else "",
            when(e.created_at), when(e.enrolled_at), when(e.waitlisted_at), when(e.cancelled_at),
        ]
        # A cell that begins with = + - or @ would run as a formula in a spreadsheet (CSV injection).
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row])
    return response


@login_required
@require_POST
@not_found_as_404
def staff_cancel(request: HttpRequest, slug: str, pk: int, enrolment_pk: int) -> HttpResponse:
    provider = selectors.provider_for_registrar(user=request.user, slug=slug)
    offering = selectors.provider_offering(provider=provider, pk=pk)
    enrolment = selectors.offering_enrolment(offering=offering, pk=enrolment_pk)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.enrolment_cancel(enrolment=enrolment, by=request.user, reason=reason)
    except DomainError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("The enrolment is cancelled and the learner has been told by email."))
    return redirect("enrolment:staff_offering", slug=provider.slug, pk=offering.pk)


@login_required
@not_found_as_404
def staff_invoice(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    provider = selectors.provider_for_registrar(user=request.user, slug=slug)
    return _pdf_response(selectors.provider_invoice(provider=provider, pk=pk))


@login_required
@not_found_as_404
def invoicing(request: HttpRequest, slug: str) -> HttpResponse:
    provider = selectors.provider_for_registrar(user=request.user, slug=slug, roles=PUBLISH_ROLES)
    details = selectors.invoicing_details(provider)
    form = InvoicingDetailsForm(request.POST or None, instance=details)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.invoicing_details_update(provider=provider, by=request.user, data=form.cleaned_data)
            except InvalidInput as error:
                for field, field_messages in (error.details or {}).items():
                    for message in field_messages:
                        form.add_error(field if field in form.fields else None, str(message))
            else:
                messages.success(request, _("The invoicing details are saved. They apply to invoices issued from now on."))
                return redirect("enrolment:invoicing", slug=provider.slug)
    return render(request, "enrolment/invoicing.html", {"provider": provider, "form": form}, status=status)
