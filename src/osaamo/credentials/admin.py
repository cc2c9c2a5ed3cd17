"""Django admin: read-only views of credentials and keys, and the key rotation action (through the service)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from osaamo.credentials import services
from osaamo.credentials.models import IssuedCredential, IssuerKey, StatusList, TrustedIssuer


@admin.register(IssuerKey)
class IssuerKeyAdmin(admin.ModelAdmin):
    list_display = ("provider", "fragment", "public_key_multibase", "created_at", "retired_at")
    list_filter = ("provider",)
    fields = ("provider", "fragment", "public_key_multibase", "created_at", "retired_at")  # never the private key
    readonly_fields = fields
    actions = ["rotate"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Rotate the signing key of these providers"))
    def rotate(self, request: Any, queryset: Any) -> None:
        for provider in {key.provider for key in queryset.select_related("provider")}:
            key = services.issuer_key_rotate(provider=provider, by=request.user)
            self.message_user(request, f"{provider.slug}: {key.fragment}", messages.SUCCESS)


@admin.register(IssuedCredential)
class IssuedCredentialAdmin(admin.ModelAdmin):
    list_display = ("uuid", "provider", "recipient_email", "state", "issued_at")
    list_filter = ("state", "provider")
    search_fields = ("recipient_email", "uuid")
    fields = ("uuid", "provider", "version", "recipient_email", "recipient_name", "language", "state", "issued_at",
              "revoked_at", "revocation_reason", "suspended_at", "suspension_reason", "idempotency_key")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # status changes go through the services (audited), on the staff pages


@admin.register(StatusList)
class StatusListAdmin(admin.ModelAdmin):
    list_display = ("provider", "number", "purpose", "allocated", "is_full", "signed_at")
    fields = ("provider", "number", "purpose", "length", "allocated", "is_full", "signed_at")
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(TrustedIssuer)
class TrustedIssuerAdmin(admin.ModelAdmin):
    list_display = ("did", "institution_code", "added_automatically", "added_at")
    readonly_fields = ("added_by", "added_at", "added_automatically")
