"""Forms of the enrolment pages. They shape input; the services (and `billing`) decide what is valid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from osaamo.enrolment.billing import ORGANISATION_FIELDS, PERSON_FIELDS, is_valid_iban
from osaamo.enrolment.models import InvoicingDetails
from osaamo.enrolment.services import MAX_SEATS_PER_PURCHASE


class DomainErrorsMixin:
    """Put a service's InvalidInput details (`{field: [messages]}`) on the form's fields."""

    def add_domain_errors(self, details: Any) -> None:
        form: Any = self
        if not isinstance(details, Mapping):
            form.add_error(None, str(details))
            return
        for field, messages in details.items():
            name = field if field in form.fields else None
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(name, str(message))


class PrerequisitesMixin:
    def add_prerequisites_field(self, required: bool) -> None:
        form: Any = self
        if required:
            form.fields["prerequisites_confirmed"] = forms.BooleanField(
                label=_("I meet the prerequisites stated above."),
                required=True,
                error_messages={"required": _("Confirm that you meet the prerequisites of the micro-credential.")},
            )


class EnrolForm(DomainErrorsMixin, PrerequisitesMixin, forms.Form):
    """Enrolment: billing details when the offering is paid by invoice, and the prerequisites check."""

    name = forms.CharField(label=_("Name on the invoice"), max_length=PERSON_FIELDS["name"][1], required=False)
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country code"), max_length=2, required=False, initial="FI",
                              help_text=_("Two letters, e.g. FI or SE."))
    email = forms.EmailField(label=_("Email for the invoice"), required=False)

    BILLING_FIELDS = ("name", "street_address", "postal_code", "city", "country", "email")

    def __init__(self, *args: Any, paid: bool, prerequisites: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paid = paid
        if paid:
            for name in self.BILLING_FIELDS:
                self.fields[name].required = True
                self.fields[name].widget.attrs["autocomplete"] = {
                    "name": "name", "street_address": "street-address", "postal_code": "postal-code",
                    "city": "address-level2", "country": "country", "email": "email",
                }[name]
        else:
            for name in self.BILLING_FIELDS:
                del self.fields[name]
        self.add_prerequisites_field(prerequisites)

    def billing(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.BILLING_FIELDS if name in self.fields}


class PurchaseForm(DomainErrorsMixin, forms.Form):
    quantity = forms.IntegerField(label=_("Number of seats"), min_value=1, max_value=MAX_SEATS_PER_PURCHASE)
    name = forms.CharField(label=_("Organisation name on the invoice"), max_length=200)
    business_id = forms.CharField(label=_("Business ID (Y-tunnus)"), max_length=9,
                                  help_text=_("For example 0112038-9."))
    street_address = forms.CharField(label=_("Street address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    country = forms.CharField(label=_("Country code"), max_length=2, initial="FI",
                              help_text=_("Two letters, e.g. FI or SE."))
    e_invoice_address = forms.CharField(
        label=_("E-invoice address (OVT)"), max_length=ORGANISATION_FIELDS["e_invoice_address"][1], required=False,
        help_text=_("Give a postal address or an e-invoice address."),
    )
    e_invoice_operator = forms.CharField(label=_("E-invoice operator"), max_length=35, required=False)
    your_reference = forms.CharField(label=_("Your reference (e.g. purchase order)"), max_length=70,
                                     required=False)
    email = forms.EmailField(label=_("Contact email for the invoice"))
    language = forms.ChoiceField(label=_("Language of the invoice"), choices=settings.LANGUAGES)

    BILLING_FIELDS = ("name", "business_id", "street_address", "postal_code", "city", "country",
                      "e_invoice_address", "e_invoice_operator", "your_reference", "email")

    def billing(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name, "") for name in self.BILLING_FIELDS}


class SeatAssignForm(DomainErrorsMixin, forms.Form):
    email = forms.EmailField(label=_("Employee's email address"))
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, required=False,
        help_text=_("Used unless the person already has an account with a language of their own."),
    )


class SeatCodeForm(DomainErrorsMixin, PrerequisitesMixin, forms.Form):
    code = forms.CharField(label=_("Seat code"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args: Any, prerequisites: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_prerequisites_field(prerequisites)


class SeatLinkForm(DomainErrorsMixin, PrerequisitesMixin, forms.Form):
    def __init__(self, *args: Any, prerequisites: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_prerequisites_field(prerequisites)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class InvoicingDetailsForm(forms.ModelForm):
    class Meta:
        model = InvoicingDetails
        fields = ["street_address", "postal_code", "city", "iban", "bic", "payment_term_days", "contact_email"]

    def clean_iban(self) -> str:
        iban = self.cleaned_data["iban"].replace(" ", "").upper()
        if iban and not is_valid_iban(iban):
            raise forms.ValidationError(_("Enter a valid IBAN, e.g. FI21 1234 5600 0007 85."))
        return iban

    def clean_payment_term_days(self) -> int:
        days = self.cleaned_data["payment_term_days"]
        if not 0 <= days <= 120:
            raise forms.ValidationError(_("Enter a payment term of 0–120 days."))
        return int(days)
