"""Domain errors that services raise; views and the API turn them into one translated shape."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user should see: a stable `code`, a translatable `message`, optional `details`."""

    status = 400
    default_code = "invalid"
    default_message: Any = _("The request could not be carried out.")

    def __init__(self, message: Any = None, *, code: str | None = None, details: Any = None) -> None:
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        self.details = details
        super().__init__(str(self.message))


class NotFound(DomainError):
    status = 404
    default_code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    status = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    status = 409
    default_code = "conflict"
    default_message = _("This cannot be done in the current state.")


class InvalidInput(DomainError):
    status = 422
    default_code = "invalid_input"
    default_message = _("Some of the information is not valid.")
