"""Invoices: Finnish and RF reference numbers against published examples, business IDs, and the PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from osaamo.enrolment import services
from osaamo.enrolment.billing import is_valid_business_id, is_valid_iban
from osaamo.enrolment.invoices import invoice_pdf
from osaamo.enrolment.references import (
    finnish_reference,
    format_finnish_reference,
    format_rf_reference,
    is_valid_finnish_reference,
    is_valid_rf_reference,
    rf_reference,
)
from tests.enrolment.conftest import make_learner
from tests.enrolment.pdf_text import pdf_text
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING

# --- reference numbers --------------------------------------------------------------------------------------

# Published examples: Finance Finland's structure guide ("12 34561"), a worked 7-3-1 example
# (12345 → 123453), and a 16-digit reference printed in groups ("1 23456 71234 56784").
FINNISH_EXAMPLES = [("123456", "1234561"), ("12345", "123453"), ("123456712345678", "1234567123456784")]
# ISO 11649's own example, and an RF reference of a Finnish-style number from an ISO 20022 guide.
RF_EXAMPLES = [("539007547034", "RF18539007547034"), ("2348231", "RF712348231")]


@pytest.mark.parametrize(("base", "reference"), FINNISH_EXAMPLES)
def test_finnish_reference_check_digit_matches_published_examples(base: str, reference: str) -> None:
    assert finnish_reference(base) == reference
    assert is_valid_finnish_reference(reference)


def test_a_weighted_sum_ending_in_zero_gives_check_digit_zero() -> None:
    # "130": 0·7 + 3·3 + 1·1 = 10, already a multiple of ten.
    assert finnish_reference("130") == "1300"


def test_a_wrong_check_digit_or_length_is_not_a_reference() -> None:
    assert not is_valid_finnish_reference("1234562")
    assert not is_valid_finnish_reference("12")
    assert not is_valid_finnish_reference("1" * 21)
    assert is_valid_finnish_reference("12 34561")  # printed form
    with pytest.raises(ValueError):
        finnish_reference("12")
    with pytest.raises(ValueError):
        finnish_reference("12a")


def test_references_are_printed_in_groups_of_five_from_the_right() -> None:
    assert format_finnish_reference("1234561") == "12 34561"
    assert format_finnish_reference("1234567123456784") == "1 23456 71234 56784"
    assert format_finnish_reference("0001234561") == "12 34561"  # leading zeros are not printed


@pytest.mark.parametrize(("reference", "rf"), RF_EXAMPLES)
def test_rf_creditor_reference_matches_published_examples(reference: str, rf: str) -> None:
    assert rf_reference(reference) == rf
    assert is_valid_rf_reference(rf)
    assert not is_valid_rf_reference(rf[:2] + str((int(rf[2:4]) + 1) % 100).zfill(2) + rf[4:])


def test_rf_references_are_printed_in_groups_of_four() -> None:
    assert format_rf_reference("RF18539007547034") == "RF18 5390 0754 7034"
    assert is_valid_rf_reference("rf18 5390 0754 7034")


@pytest.mark.parametrize(("business_id", "valid"), [
    ("0112038-9", True), ("0737546-2", True), ("0112038-8", False), ("112038-9", False), ("0112038 9", False),
])
def test_finnish_business_id_check(business_id: str, valid: bool) -> None:
    assert is_valid_business_id(business_id) is valid


def test_iban_check() -> None:
    assert is_valid_iban("FI21 1234 5600 0007 85")
    assert is_valid_iban("GB82 WEST 1234 5698 7654 32")
    assert not is_valid_iban("FI21 1234 5600 0007 84")


# --- the PDF --------------------------------------------------------------------------------------------------


def test_the_purchase_invoice_pdf_says_everything_in_the_buyers_language(paid_offering: Any, employer: Any,
                                                                         employer_admin: Any, helsinki: Any,
                                                                         helsinki_admin: Any) -> None:
    services.invoicing_details_update(provider=helsinki, by=helsinki_admin, data={
        "street_address": "Yliopistonkatu 4", "postal_code": "00100", "city": "Helsinki",
        "iban": "FI2112345600000785", "bic": "NDEAFIHH", "payment_term_days": 14,
    })
    purchase = services.purchase_create(offering=paid_offering, organisation=employer, by=employer_admin,
                                        quantity=2, billing=ORGANISATION_BILLING, language="fi")
    invoice = purchase.invoice
    data = invoice_pdf(invoice)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert format_finnish_reference(invoice.reference) in text
    assert format_rf_reference(rf_reference(invoice.reference)) in text
    assert invoice.number in text
    assert "Lasku" in text and "Viitenumero" in text and "Eräpäivä" in text  # Finnish, the buyer's language
    assert "Invoice" not in text.replace(invoice.number, "")
    assert "Helsingin yliopisto" in text and "Konepaja Oy" in text and "0112038-9" in text  # seller and buyer
    assert "Tietosuoja käytännön työssä" in text  # the line item, titled in Finnish
    assert "900,00\u00a0€" in text and "450,00\u00a0€" in text  # total, unit price (Finnish number format)
    assert "FI2112345600000785" in text
    assert "arvonlisäverolaki" in text.lower()  # the VAT note
    assert invoice.due_on.strftime("%-d.%-m.%Y") in text


def test_a_swedish_buyer_gets_a_swedish_invoice(paid_offering: Any, employer: Any, employer_admin: Any) -> None:
    purchase = services.purchase_create(offering=paid_offering, organisation=employer, by=employer_admin,
                                        quantity=1, billing=ORGANISATION_BILLING, language="sv")
    text = pdf_text(invoice_pdf(purchase.invoice))
    assert "Faktura" in text and "Referensnummer" in text and "Dataskydd i praktiskt arbete" in text


def test_a_credited_invoice_says_nothing_is_to_be_paid(paid_offering: Any) -> None:
    learner = make_learner()
    enrolment = services.enrolment_enrol(offering=paid_offering, learner=learner, billing=PERSON_BILLING,
                                         prerequisites_confirmed=True)
    services.enrolment_cancel(enrolment=enrolment, by=learner)
    enrolment.refresh_from_db()
    assert enrolment.invoice is not None
    text = pdf_text(invoice_pdf(enrolment.invoice))
    assert "Credited in full" in text and "Liisa Learner" in text
    assert "290.00\u00a0€" in text  # English number format, a no-break space before the sign
    assert enrolment.invoice.total == Decimal("290.00")
