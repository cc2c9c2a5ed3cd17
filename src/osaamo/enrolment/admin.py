"""Read-only admin views: every change goes through the services (and leaves an audit row)."""

from typing import Any

from django.contrib import admin

from osaamo.enrolment.models import Enrolment, Invoice, InvoicingDetails, Seat, SeatPurchase


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "learner", "offering", "state", "payment_method", "price", "created_at")
    list_filter = ("state", "payment_method")
    search_fields = ("learner__email",)


@admin.register(SeatPurchase)
class SeatPurchaseAdmin(ReadOnlyAdmin):
    list_display = ("id", "organisation", "offering", "quantity", "unit_price", "total", "created_at")


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("id", "purchase", "number", "state", "assigned_email")
    list_filter = ("state",)
    exclude = ("secret",)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields if f.name != "secret"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "provider", "issued_on", "due_on", "total", "state")
    list_filter = ("state",)
    search_fields = ("number", "reference")


@admin.register(InvoicingDetails)
class InvoicingDetailsAdmin(ReadOnlyAdmin):
    list_display = ("provider", "city", "iban", "payment_term_days")
