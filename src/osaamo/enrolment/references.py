"""Payment references for invoices: the Finnish reference number and the RF creditor reference.

Finnish reference (viitenumero), Finance Finland "Kotimaisen viitteen rakenneohje": 3–19 digits of
base data and a check digit; the digits are weighted 7, 3, 1, 7, 3, 1, … from the right, and the
check digit is the difference between the sum and the next multiple of ten (0 when the sum already
is one). It is printed in groups of five digits from the right, without leading zeros.

RF creditor reference, ISO 11649: "RF", two check digits and up to 21 letters or digits; the check
digits make `reference + "RF" + check` (letters as numbers, A=10 … Z=35) equal 1 modulo 97.
"""

from __future__ import annotations

import re

_WEIGHTS = (7, 3, 1)
_RF_BODY = re.compile(r"^[0-9A-Z]{1,21}$")


def finnish_check_digit(base: str) -> int:
    """The 7-3-1 check digit of `base` (3–19 digits)."""
    if not base.isdigit() or not 3 <= len(base) <= 19:
        raise ValueError("The base of a Finnish reference number is 3–19 digits.")
    total = sum(int(digit) * _WEIGHTS[index % 3] for index, digit in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def finnish_reference(base: str) -> str:
    """The Finnish reference number for `base`: the base with its check digit appended."""
    return f"{base}{finnish_check_digit(base)}"


def is_valid_finnish_reference(value: str) -> bool:
    digits = value.replace(" ", "")
    if not digits.isdigit() or not 4 <= len(digits) <= 20:
        return False
    return finnish_check_digit(digits[:-1]) == int(digits[-1])


def format_finnish_reference(value: str) -> str:
    """Groups of five digits from the right, leading zeros dropped: `1234561` → `12 34561`."""
    digits = value.replace(" ", "").lstrip("0")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-5:])
        digits = digits[:-5]
    return " ".join(groups)


def _as_number(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def rf_reference(reference: str) -> str:
    """The ISO 11649 creditor reference for `reference` (letters and digits): `RF` + check + reference."""
    body = reference.replace(" ", "").upper()
    if not _RF_BODY.match(body):
        raise ValueError("An RF reference holds 1–21 letters or digits.")
    check = 98 - _as_number(body + "RF00") % 97
    return f"RF{check:02d}{body}"


def is_valid_rf_reference(value: str) -> bool:
    text = value.replace(" ", "").upper()
    if len(text) < 5 or not text.startswith("RF") or not text[2:4].isdigit() or not _RF_BODY.match(text[4:]):
        return False
    return _as_number(text[4:] + text[:4]) % 97 == 1


def format_rf_reference(value: str) -> str:
    """Groups of four characters from the left: `RF18539007547034` → `RF18 5390 0754 7034`."""
    text = value.replace(" ", "").upper()
    return " ".join(text[index:index + 4] for index in range(0, len(text), 4))
