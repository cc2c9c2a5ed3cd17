"""Billing details that buyers give: checked here once, for the forms, the API and the services alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from osaamo.errors import InvalidInput

# field: (required, max length)
PERSON_FIELDS: dict[str, tuple[bool, int]] = {
    "name": (True, 200),
    "street_address": (True, 200),
    "postal_code": (True, 20),
    "city": (True, 100),
    "country": (True, 2),
    "email": (True, 254),
}
ORGANISATION_FIELDS: dict[str, tuple[bool, int]] = {
    "name": (True, 200),
    "business_id": (True, 9),
    "street_address": (False, 200),
    "postal_code": (False, 20),
    "city": (False, 100),
    "country": (True, 2),
    "e_invoice_address": (False, 35),
    "e_invoice_operator": (False, 35),
    "your_reference": (False, 70),
    "email": (True, 254),
}
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def is_valid_business_id(value: str) -> bool:
    """A Finnish business ID (Y-tunnus) `NNNNNNN-C`: weights 7, 9, 10, 5, 8, 4, 2, modulo 11.

    A remainder of 0 gives the check digit 0; a remainder of 1 is never issued; otherwise the
    check digit is 11 minus the remainder.
    """
    if len(value) != 9 or value[7] != "-" or not value[:7].isdigit() or not value[8].isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(value[:7], _BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return False
    return int(value[8]) == (0 if remainder == 0 else 11 - remainder)


def is_valid_iban(value: str) -> bool:
    """An IBAN (ISO 13616): country, two check digits and the account; `account + country + check` ≡ 1 (mod 97)."""
    text = value.replace(" ", "").upper()
    if not 15 <= len(text) <= 34 or not text[:2].isalpha() or not text[2:4].isdigit() or not text.isalnum():
        return False
    return int("".join(str(int(char, 36)) for char in text[4:] + text[:4])) % 97 == 1


def _clean(data: Mapping[str, Any] | None, fields: dict[str, tuple[bool, int]]) -> dict[str, str]:
    data = data or {}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for name, (required, max_length) in fields.items():
        value = data.get(name)
        text = "" if value is None else str(value).strip()
        if "\x00" in text:
            errors.setdefault(name, []).append(str(_("Text may not contain the NUL character.")))
            continue
        if required and not text:
            errors.setdefault(name, []).append(str(_("This field is required.")))
            continue
        if len(text) > max_length:
            errors.setdefault(name, []).append(
                str(_("Enter at most %(max_length)s characters.") % {"max_length": max_length})
            )
            continue
        cleaned[name] = text
    if cleaned.get("email"):
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors.setdefault("email", []).append(str(_("Enter a valid email address.")))
    if "country" in cleaned:
        cleaned["country"] = cleaned["country"].upper()
        if not cleaned["country"].isalpha() or len(cleaned["country"]) != 2:
            errors.setdefault("country", []).append(str(_("Enter a two-letter country code, e.g. FI.")))
    if cleaned.get("business_id") and cleaned.get("country") == "FI" and not is_valid_business_id(
        cleaned["business_id"]
    ):
        errors.setdefault("business_id", []).append(
            str(_("Enter a valid Finnish business ID (Y-tunnus), e.g. 0112038-9."))
        )
    if errors:
        raise InvalidInput(details=errors)
    return cleaned


def clean_person_billing(data: Mapping[str, Any] | None) -> dict[str, str]:
    """A private person's billing details for an invoice; raise InvalidInput with messages per field."""
    return _clean(data, PERSON_FIELDS)


def clean_organisation_billing(data: Mapping[str, Any] | None) -> dict[str, str]:
    """An organisation's billing details: name, business ID, postal or e-invoice address, contact."""
    cleaned = _clean(data, ORGANISATION_FIELDS)
    has_post = all(cleaned.get(name) for name in ("street_address", "postal_code", "city"))
    if not has_post and not cleaned.get("e_invoice_address"):
        raise InvalidInput(details={"street_address": [
            str(_("Give a postal address (street, postal code and city) or an e-invoice address."))
        ]})
    return cleaned
