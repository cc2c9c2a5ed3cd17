"""The invoice as a PDF (WeasyPrint), rendered from the invoice's own snapshot in the buyer's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from osaamo.enrolment.models import Invoice
from osaamo.enrolment.references import format_finnish_reference, format_rf_reference, rf_reference
from osaamo.translation import translated


def _line_for_display(line: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "title": translated(line.get("title"), language),
        "code": line.get("code", ""),
        "start_date": date.fromisoformat(line["start_date"]) if line.get("start_date") else None,
        "end_date": date.fromisoformat(line["end_date"]) if line.get("end_date") else None,
        "quantity": line.get("quantity", 1),
        "unit_price": Decimal(line.get("unit_price", "0")),
        "vat_rate": Decimal(line.get("vat_rate", "0")),
        "total": Decimal(line.get("total", "0")),
    }


def invoice_context(invoice: Invoice) -> dict[str, Any]:
    language = invoice.language
    return {
        "invoice": invoice,
        "language": language,
        "seller": invoice.seller,
        "seller_name": translated(invoice.seller.get("name"), language),
        "buyer": invoice.buyer,
        "lines": [_line_for_display(line, language) for line in invoice.lines],
        "reference": format_finnish_reference(invoice.reference),
        "rf_reference": format_rf_reference(rf_reference(invoice.reference)) if invoice.reference else "",
        "payment_term_days": (invoice.due_on - invoice.issued_on).days,
    }


def invoice_filename(invoice: Invoice) -> str:
    return f"osaamo-invoice-{invoice.number}.pdf"


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a tagged PDF, every text in the invoice's (the buyer's) language."""
    from weasyprint import HTML  # imported here: loading WeasyPrint and its fonts takes a moment

    with translation.override(invoice.language):
        html = render_to_string("enrolment/invoice.html", invoice_context(invoice))
    pdf: bytes = HTML(string=html).write_pdf(pdf_tags=True)
    return pdf
