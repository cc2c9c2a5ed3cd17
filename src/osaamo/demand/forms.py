"""Forms of the demand pages. They shape input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from osaamo.demand.models import MAX_PEOPLE
from osaamo.demand.regions import region_choices
from osaamo.enrolment.forms import DomainErrorsMixin, PurchaseForm
from osaamo.framework.models import EscoSkill
from osaamo.framework.selectors import esco_search, esco_skills_by_uri

SKILL_RESULTS = 10


class SkillUrisField(forms.MultipleChoiceField):
    """ESCO skill URIs chosen with the skill picker (the service checks that they exist)."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and 0 < len(value) <= 200


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class NeedForm(DomainErrorsMixin, forms.Form):
    """A skill need. Without JavaScript the skill search and "add" are buttons of this form that
    show the form again with the results (`skill_action`); with htmx they update in place."""

    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("For example: Data protection for our customer service."))
    description = forms.CharField(
        label=_("What should your people learn?"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In your own words; universities' learning outcomes are searched for these words too."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=settings.LANGUAGES)
    skills = SkillUrisField(label=_("ESCO skills"), required=False)
    skill_query = forms.CharField(label=_("Find ESCO skills"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), choices=region_choices,
                               help_text=_("Where your people work. Online studies fit every region."))
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=MAX_PEOPLE)
    needed_by = forms.DateField(label=_("Needed by"), required=False, widget=DateInput(),
                                help_text=_("The studies should start by this date. Leave empty if any time suits."))
    budget_per_person = forms.DecimalField(
        label=_("Budget per person (EUR, optional)"), required=False, min_value=0, max_value=999999,
        decimal_places=2, max_digits=8,
    )
    show_name = forms.BooleanField(
        label=_("Show our name to universities"), required=False,
        help_text=_("Otherwise universities see this need without your organisation's name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.skill_action: str | None = None
        self.skill_results: list[EscoSkill] | None = None
        if self.is_bound:
            if "add_skill" in self.data:
                self.skill_action = "add_skill"
            elif "search_skills" in self.data:
                self.skill_action = "search_skills"
                self.skill_results = esco_search(str(self.data.get("skill_query", "")), limit=SKILL_RESULTS)

    def chosen_uris(self) -> list[str]:
        if self.is_bound:
            data: Any = self.data  # a QueryDict
            uris = [uri for uri in data.getlist("skills") if isinstance(uri, str)]
            added = data.get("add_skill")
            if isinstance(added, str) and added:
                uris.append(added)
        else:
            uris = list(self.initial.get("skills") or [])
        return list(dict.fromkeys(uris))[:50]

    @property
    def chosen_skills(self) -> list[EscoSkill]:
        """The chosen skills in the order chosen (also when the form did not validate)."""
        return esco_skills_by_uri(self.chosen_uris())

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"], "description": data.get("description", ""), "language": data["language"],
            "skills": self.chosen_uris(), "region": data["region"], "people": data["people"],
            "needed_by": data.get("needed_by"), "budget_per_person": data.get("budget_per_person"),
            "show_name": bool(data.get("show_name")),
        }


def need_initial(need: Any) -> dict[str, Any]:
    return {
        "title": need.title, "description": need.description, "language": need.language,
        "skills": [skill.uri for skill in need.skills.all()], "region": need.region, "people": need.people,
        "needed_by": need.needed_by, "budget_per_person": need.budget_per_person, "show_name": need.show_name,
    }


class PledgeForm(PurchaseForm):
    """Seats to pledge and the billing details for the purchase made if the offering runs."""


class DecisionDateForm(DomainErrorsMixin, forms.Form):
    decision_date = forms.DateField(
        label=_("Decision date"), widget=DateInput(),
        help_text=_("If the minimum is not reached before this date, the offering is cancelled on it and nobody is charged."),
    )


class PlanForm(DomainErrorsMixin, forms.Form):
    micro_credential = forms.ChoiceField(label=_("Micro-credential"))
    timing_fi = forms.CharField(label=_("Expected timing in Finnish"), max_length=200, required=False,
                                help_text=_("For example: kevät 2027, verkossa."))
    timing_sv = forms.CharField(label=_("Expected timing in Swedish"), max_length=200, required=False)
    timing_en = forms.CharField(label=_("Expected timing in English"), max_length=200, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["micro_credential"]
        field.choices = choices

    def timing(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"timing_{code}", "") for code in ("fi", "sv", "en")}


class AnnounceForm(forms.Form):
    offering = forms.ChoiceField(label=_("Tell the interested people about this offering"), required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["offering"]
        field.choices = [("", _("Close without telling anyone")), *choices]
