"""The enrolment API's schemas: a learner's own enrolments, and provider staff's view of an offering."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from osaamo.api.schemas import QueryInput, TranslatedTextOut
from osaamo.enrolment.references import format_rf_reference, rf_reference

EnrolmentStateCode = Literal["interested", "waitlisted", "enrolled", "cancelled", "completed", "failed"]
PaymentMethodCode = Literal["", "free", "employer_seat", "invoice"]


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


class OfferingRefOut(Schema):
    """Which offering (run) of which micro-credential."""

    id: int
    provider: str = Field(..., description="The provider's slug.")
    micro_credential: str = Field(..., description="The micro-credential's slug (with `provider`, its address).")
    code: str = Field(..., description="The provider's code for the micro-credential.")
    title: TranslatedTextOut
    start_date: date
    end_date: date

    @staticmethod
    def resolve_provider(obj: Any) -> str:
        return str(obj.version.micro_credential.provider.slug)

    @staticmethod
    def resolve_micro_credential(obj: Any) -> str:
        return str(obj.version.micro_credential.slug)

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return str(obj.version.micro_credential.code)

    @staticmethod
    def resolve_title(obj: Any) -> Any:
        return obj.version.title


class InvoiceRefOut(Schema):
    """The invoice of a paid enrolment."""

    number: str
    reference: str = Field(..., description="The Finnish reference number (viitenumero), digits only.")
    rf_reference: str = Field(..., description="The same reference as an ISO 11649 creditor reference.")
    total: str = Field(..., description="Euros, two decimals.")
    issued_on: date
    due_on: date
    state: Literal["open", "credited"] = Field(..., description="`credited`: credited in full, nothing to pay.")

    @staticmethod
    def resolve_rf_reference(obj: Any) -> str:
        return format_rf_reference(rf_reference(obj.reference)).replace(" ", "") if obj.reference else ""

    @staticmethod
    def resolve_total(obj: Any) -> str | None:
        return _money(obj.total)


class EnrolmentBaseOut(Schema):
    id: int
    state: EnrolmentStateCode
    payment_method: PaymentMethodCode = Field(
        ..., description="`free`, `employer_seat` (a seat an organisation bought), `invoice`; empty for interest."
    )
    price: str | None = Field(..., description="The price recorded at enrolment, euros; null for interest.")
    currency: str
    organisation: str | None = Field(
        ..., description="The slug of the organisation whose seat pays for the place; null otherwise."
    )
    invoice: InvoiceRefOut | None
    created_at: datetime
    waitlisted_at: datetime | None
    enrolled_at: datetime | None
    cancelled_at: datetime | None
    finished_at: datetime | None = Field(..., description="When the result made the enrolment completed or failed.")

    @staticmethod
    def resolve_price(obj: Any) -> str | None:
        return _money(obj.price)

    @staticmethod
    def resolve_organisation(obj: Any) -> str | None:
        return obj.seat.purchase.organisation.slug if obj.seat_id else None


class MyEnrolmentOut(EnrolmentBaseOut):
    """One of the signed-in learner's enrolments."""

    offering: OfferingRefOut


class LearnerOut(Schema):
    email: str
    full_name: str


class StaffEnrolmentOut(EnrolmentBaseOut):
    """An enrolment on one of the provider's offerings."""

    learner: LearnerOut


class PlacesOut(Schema):
    """How the places of an offering are used."""

    capacity: int | None = Field(..., description="The offering's places; null: no limit.")
    enrolled: int = Field(..., description="Enrolments holding a place (enrolled, completed, failed).")
    reserved_seats: int = Field(..., description="Seats bought by organisations and not yet used.")
    left: int | None = Field(..., description="Places still free; null: no limit.")
    waitlisted: int
    interested: int


class EnrolmentFiltersIn(QueryInput):
    state: EnrolmentStateCode | None = Field(None, description="Only enrolments in this state.")
