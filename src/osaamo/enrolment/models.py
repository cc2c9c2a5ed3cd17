"""Enrolments, organisation seat purchases, seats and invoices.

A place on an offering is taken by an enrolment that holds it (enrolled, completed, failed) or by a
seat an organisation has bought and not yet handed to an enrolled employee. Both count against the
offering's `seats`; the services decide under a lock on the offering row, so nothing is oversold.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.models import Organisation
from osaamo.catalog.models import Offering

CURRENCY = "EUR"


class EnrolmentState(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    WAITLISTED = "waitlisted", _("On the waiting list")
    ENROLLED = "enrolled", _("Enrolled")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Not passed")


# Every state but cancelled is "active": a learner has at most one active enrolment per offering.
ACTIVE_STATES = (
    EnrolmentState.INTERESTED, EnrolmentState.WAITLISTED, EnrolmentState.ENROLLED,
    EnrolmentState.COMPLETED, EnrolmentState.FAILED,
)
# The states that hold a place on the offering.
PLACE_STATES = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.FAILED)


class PaymentMethod(models.TextChoices):
    FREE = "free", _("Free of charge")
    EMPLOYER_SEAT = "employer_seat", _("Paid by the employer (a seat)")
    INVOICE = "invoice", _("Invoice")


class InvoiceState(models.TextChoices):
    OPEN = "open", _("Open")
    CREDITED = "credited", _("Credited")


class InvoicingDetails(models.Model):
    """What a provider's invoices say about the seller: address, bank account, payment term."""

    provider = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="invoicing_details")
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    iban = models.CharField(_("bank account (IBAN)"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    payment_term_days = models.PositiveSmallIntegerField(_("payment term (days)"), default=14)
    contact_email = models.EmailField(_("contact for invoicing questions"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoicing details")
        verbose_name_plural = _("invoicing details")

    def __str__(self) -> str:
        return str(self.provider)


class Invoice(models.Model):
    """An invoice the platform issues in a provider's name: an immutable snapshot of seller, buyer and lines.

    `number` is the invoice's unique number; `reference` is the Finnish creditor reference
    (viitenumero) made of the number and its 7-3-1 check digit. A cancelled enrolment's invoice is
    credited in full (`state` credited), never deleted or changed otherwise.
    """

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices_issued")
    number = models.CharField(_("invoice number"), max_length=20, unique=True, null=True, blank=True)
    reference = models.CharField(_("reference number"), max_length=20, blank=True)
    issued_on = models.DateField(_("date"))
    due_on = models.DateField(_("due date"))
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    seller = models.JSONField(default=dict)
    buyer = models.JSONField(default=dict)
    lines = models.JSONField(default=list)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    state = models.CharField(_("state"), max_length=10, choices=InvoiceState.choices, default=InvoiceState.OPEN)
    credited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="invoice_total_non_negative")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class SeatPurchase(models.Model):
    """An organisation's purchase of seats on an offering, at the organisation price of that moment."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="seat_purchases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="seat_purchases")
    bought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("seats"))
    unit_price = models.DecimalField(_("price per seat"), max_digits=8, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    billing = models.JSONField(default=dict)
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="seat_purchase")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the provider cancelled the offering: the invoice is credited and every seat is cancelled.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat purchase")
        verbose_name_plural = _("seat purchases")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="seat_purchase_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="seat_purchase_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.slug} × {self.quantity} ({self.offering_id})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SeatState(models.TextChoices):
    UNASSIGNED = "unassigned", _("Not handed out")
    ASSIGNED = "assigned", _("Assigned to a person")
    CODE = "code", _("Code handed out")
    REDEEMED = "redeemed", _("In use")
    CANCELLED = "cancelled", _("Cancelled with the offering")


# The seats that hold a place until they are redeemed (a redeemed seat's place is its enrolment's; a
# cancelled seat holds nothing and can no longer be redeemed).
RESERVING_SEAT_STATES = (SeatState.UNASSIGNED, SeatState.ASSIGNED, SeatState.CODE)


class Seat(models.Model):
    """One place an organisation bought. Until it is redeemed it holds its place on the offering.

    `secret` is what redeems it: the token in an assignment link, or a single-use code. Assigning
    again, issuing a new code or revoking replaces or clears it, so an old link or code stops working.
    """

    purchase = models.ForeignKey(SeatPurchase, on_delete=models.PROTECT, related_name="seats")
    number = models.PositiveIntegerField(_("seat"))
    state = models.CharField(_("state"), max_length=10, choices=SeatState.choices, default=SeatState.UNASSIGNED)
    assigned_email = models.EmailField(_("assigned to"), blank=True)
    secret = models.CharField(max_length=64, unique=True, null=True, blank=True)
    handed_out_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["purchase_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "number"], name="seat_unique_number"),
            models.CheckConstraint(
                condition=Q(state="unassigned", secret__isnull=True) | ~Q(state="unassigned"),
                name="seat_unassigned_has_no_secret",
            ),
        ]
        indexes = [models.Index(fields=["purchase", "state"])]

    def __str__(self) -> str:
        return f"{self.purchase} #{self.number}"

    @property
    def code_display(self) -> str:
        """A code in groups of four (`ABCD-EFGH-…`) for reading aloud; "" when the seat has no code."""
        if self.state != SeatState.CODE or not self.secret:
            return ""
        return "-".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


class Enrolment(models.Model):
    """A learner on an offering, with what they agreed to pay and how (a snapshot taken at enrolment)."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="enrolments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField(_("state"), max_length=12, choices=EnrolmentState.choices)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices,
                                      blank=True)
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    billing = models.JSONField(default=dict, blank=True)
    prerequisites_confirmed_at = models.DateTimeField(null=True, blank=True)
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.PROTECT, related_name="enrolments")
    invoice = models.OneToOneField(Invoice, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="enrolment")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offering", "learner"], condition=~Q(state="cancelled"),
                name="enrolment_one_active_per_learner",
            ),
            models.UniqueConstraint(
                fields=["seat"], condition=Q(seat__isnull=False) & ~Q(state="cancelled"),
                name="enrolment_one_active_per_seat",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in EnrolmentState]), name="enrolment_state_known"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=Decimal("0")), name="enrolment_price_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["offering", "state", "waitlisted_at"])]

    def __str__(self) -> str:
        return f"{self.learner} → {self.offering_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state != EnrolmentState.CANCELLED
