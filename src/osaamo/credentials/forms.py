"""Forms of the credentials pages. They check the shape of input; the services decide the rules."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.framework.vocabularies import IdentityVerification

MAX_UPLOAD_BYTES = 1_000_000


class DomainErrorsMixin:
    """Show a service's InvalidInput details next to the fields they name."""

    def add_domain_errors(self, details: Any) -> None:
        form: Any = self
        for name, problems in (details or {}).items():
            field = name if name in form.fields else None
            for problem in problems if isinstance(problems, list) else [problems]:
                form.add_error(field, str(problem))


class IssueForm(DomainErrorsMixin, forms.Form):
    version = forms.TypedChoiceField(label=_("Micro-credential"), coerce=int)
    email = forms.EmailField(label=_("Learner's email address"), max_length=254,
                             help_text=_("A learner without an account gets an invitation to this address."))
    name = forms.CharField(label=_("Learner's name"), max_length=200, required=False,
                           help_text=_("Printed on the certificate; the name of an existing account is used."))
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    awarded_on = forms.DateField(label=_("Date of the result"), widget=forms.DateInput(attrs={"type": "date"}))
    identity_verification = forms.ChoiceField(
        label=_("Supervision and identity verification in the assessment"), required=False)
    language = forms.ChoiceField(label=_("Language of the certificate"), required=False)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, versions: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["version"].choices = versions or []
        fields["grade"].choices = [("", _("Passed (no grade)")), *[(g, g) for g in "12345"],
                                        ("pass", _("Pass (pass / fail scale)"))]
        fields["identity_verification"].choices = [("", _("As stated in the micro-credential")),
                                                        *IdentityVerification.choices]
        fields["language"].choices = [("", _("The learner's own language")), *settings.LANGUAGES]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Recorded in the audit trail and shown to the learner."))


class BulkIssueForm(DomainErrorsMixin, forms.Form):
    awarded_on = forms.DateField(label=_("Date of the results"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("Empty: the date each result was recorded."))


class ShareForm(DomainErrorsMixin, forms.Form):
    expires_on = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("At most one year from today."))
    label = forms.CharField(label=_("Note for yourself (e.g. whom you gave it to)"), max_length=100,
                            required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + timedelta(days=90)
        self.fields["expires_on"].widget.attrs.update({"min": today.isoformat(),
                                                      "max": (today + timedelta(days=365)).isoformat()})


class DidForm(DomainErrorsMixin, forms.Form):
    did = forms.CharField(label=_("Your DID"), max_length=200, required=False,
                          help_text=_("From your digital wallet, e.g. did:key:z6Mk… Empty: none. Used in "
                                      "credentials issued from now on."))


class VerifyForm(forms.Form):
    text = forms.CharField(label=_("Paste the credential (JSON)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}))
    file = forms.FileField(label=_("…or choose the credential file"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                cleaned["payload"] = b"x" * (MAX_UPLOAD_BYTES + 1)  # the verifier says "too large"
            else:
                cleaned["payload"] = upload.read()
        elif text.strip():
            cleaned["payload"] = text
        else:
            raise forms.ValidationError(_("Paste a credential or choose a file."), code="empty")
        return cleaned


class TrustedIssuerForm(DomainErrorsMixin, forms.Form):
    did = forms.CharField(label=_("DID"), max_length=300)
    name_fi = forms.CharField(label=_("Name in Finnish"), max_length=200, required=False)
    name_sv = forms.CharField(label=_("Name in Swedish"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    institution_code = forms.CharField(label=_("Institution code"), max_length=20, required=False)
    did_document = forms.CharField(
        label=_("DID document (JSON, optional)"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Store the issuer's DID document so that its credentials verify offline."))

    def clean_did_document(self) -> Any:
        text = (self.cleaned_data.get("did_document") or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON.")) from None

    def names(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"name_{code}", "") for code in ("fi", "sv", "en")}
