"""Forms of the assessment pages. They shape input; `validation.check_rows` decides what is valid."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from osaamo.assessment.grading import Scale
from osaamo.assessment.models import ApplyMode, IssuingMode
from osaamo.assessment.validation import MAX_ASSESSOR, MAX_NOTE
from osaamo.framework.vocabularies import IdentityVerification

NO_VERIFICATION_GIVEN = ("", _("As stated in the micro-credential"))


class DomainErrorsMixin:
    """Put a service's InvalidInput details (`{field: [messages]}`) on the form's fields."""

    def add_domain_errors(self, details: Any) -> None:
        form: Any = self
        if not isinstance(details, Mapping):
            form.add_error(None, str(details))
            return
        for name, messages in details.items():
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(name if name in form.fields else None, str(message))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _verification_field(required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Supervision and identity verification"), required=required,
                             choices=[NO_VERIFICATION_GIVEN, *IdentityVerification.choices])


class ResultForm(DomainErrorsMixin, forms.Form):
    """One learner's result."""

    grade = forms.ChoiceField(label=_("Grade"))
    assessed_on = forms.CharField(label=_("Date of assessment"), widget=DateInput(),
                                  help_text=_("For example 2026-05-31."))
    identity_verification = _verification_field()
    assessor = forms.CharField(label=_("Assessor (optional)"), max_length=MAX_ASSESSOR, required=False)
    note = forms.CharField(label=_("Note (optional)"), max_length=MAX_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("For the provider's staff; the learner does not see it."))

    def __init__(self, *args: Any, scale: Scale, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grade: Any = self.fields["grade"]
        grade.choices = [("", _("Choose a grade")), *scale.choices()]
        self.fields["assessed_on"].initial = timezone.localdate().isoformat()


class GridForm(DomainErrorsMixin, forms.Form):
    """The results of a page of the group: what is common above, a grade (and a note) per learner."""

    assessed_on = forms.CharField(label=_("Date of assessment"), widget=DateInput(),
                                  help_text=_("The same date for every result on this page."))
    identity_verification = _verification_field()
    assessor = forms.CharField(label=_("Assessor (optional)"), max_length=MAX_ASSESSOR, required=False)

    def __init__(self, *args: Any, scale: Scale, enrolments: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate().isoformat()
        self.enrolments = list(enrolments)
        choices = [("", _("No result")), *scale.choices()]
        for enrolment in self.enrolments:
            result = getattr(enrolment, "assessment_result", None)
            name = enrolment.learner.get_full_name()
            self.fields[f"grade_{enrolment.pk}"] = forms.ChoiceField(
                label=_("Grade of %(name)s") % {"name": name}, choices=choices, required=False,
                initial=result.grade if result else "")
            self.fields[f"note_{enrolment.pk}"] = forms.CharField(
                label=_("Note on %(name)s") % {"name": name}, max_length=MAX_NOTE, required=False,
                initial=result.note if result else "")

    def rows(self) -> list[tuple[Any, Any, Any]]:
        """(enrolment, grade field, note field) for the template."""
        return [(e, self[f"grade_{e.pk}"], self[f"note_{e.pk}"]) for e in self.enrolments]

    def changed_rows(self) -> list[tuple[Any, str, str]]:
        """(enrolment, grade, note) of the learners whose grade or note was changed on the form."""
        found = []
        for enrolment in self.enrolments:
            grade = self.cleaned_data.get(f"grade_{enrolment.pk}") or ""
            note = self.cleaned_data.get(f"note_{enrolment.pk}") or ""
            result = getattr(enrolment, "assessment_result", None)
            if not grade:
                continue  # "no result": a result already recorded is not removed from here
            if result is None or result.grade != grade or result.note != note:
                found.append((enrolment, grade, note))
        return found


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Results file (CSV)"),
        allow_empty_file=True,  # the reading service says what is wrong with an empty file
        help_text=_("UTF-8 text with the columns email, grade and assessed_on (and optionally identity_verification, "
                    "assessor, note), separated by commas, semicolons or tabs."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )


class ApplyForm(forms.Form):
    mode = forms.ChoiceField(label=_("How to save"), choices=ApplyMode.choices, widget=forms.RadioSelect,
                             initial=ApplyMode.ALL_OR_NOTHING)


class IssuingForm(forms.Form):
    issuing = forms.ChoiceField(label=_("Issuing credentials for passing results"), choices=IssuingMode.choices,
                                widget=forms.RadioSelect)
