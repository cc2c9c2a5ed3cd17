"""The public catalog's filter form: a plain GET form that works without JavaScript.

The form only checks and converts what the visitor typed; `filters()` turns the valid part into
the `CatalogFilters` that `selectors.catalog_search` understands (the API builds the same object).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from osaamo.accounts.selectors import public_providers
from osaamo.catalog.search.engine import Sort
from osaamo.catalog.selectors import CatalogFilters
from osaamo.framework.selectors import isced_choices
from osaamo.framework.vocabularies import EQF_LEVELS, Language, OfferingMode
from osaamo.web.templatetags.osaamo import eqf_comparable

PAGE_SIZES: tuple[int, ...] = (10, 20, 50)
DEFAULT_PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200

PRICE_CHOICES = [("", _("Free or paid")), ("free", _("Free")), ("paid", _("Paid"))]
SORT_CHOICES = [("", _("Best match")), *((sort.value, sort.label) for sort in Sort if sort != Sort.RELEVANCE)]
START_MONTHS = 12
# The choices that show how many results choosing them gives (the search's facet counts).
COUNTED_FIELDS = ("eqf_level", "isced", "language", "mode", "provider", "price", "start_month")


def start_month_choices(today: date | None = None) -> list[tuple[str, Any]]:
    """This month and the next eleven, as "YYYY-MM" with the month's name in the active language."""
    first = (today or timezone.localdate()).replace(day=1)
    months = [first]
    for _month in range(START_MONTHS - 1):
        months.append((months[-1] + timedelta(days=32)).replace(day=1))
    return [("", _("Any month"))] + [(month.strftime("%Y-%m"), date_format(month, "YEAR_MONTH_FORMAT"))
                                     for month in months]


def _with_count(value: Any, label: Any, counts: Mapping[str, int], *, only_broad: bool = False) -> tuple[Any, Any]:
    if value in ("", None) or (only_broad and len(str(value)) != 2):  # ISCED-F: counted by broad field
        return value, label
    return value, format_lazy("{label} ({count})", label=label, count=counts.get(str(value), 0))


class CommaDecimalField(forms.DecimalField):
    """A decimal that also accepts the Finnish and Swedish decimal comma (2,5)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


def eqf_level_label(level: int) -> str:
    """"6 – Bachelor's degrees …": the level and what it corresponds to in Finland, when known."""
    comparable = eqf_comparable(level)
    return f"{level} – {comparable}" if comparable else str(level)


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search words"), required=False, max_length=MAX_QUERY_LENGTH, strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("For example a topic, a skill or a course code."),
    )
    ects_min = CommaDecimalField(
        label=_("At least"), required=False, min_value=Decimal("0"), max_value=Decimal("999"),
        decimal_places=1, max_digits=4, widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    ects_max = CommaDecimalField(
        label=_("At most"), required=False, min_value=Decimal("0"), max_value=Decimal("999"),
        decimal_places=1, max_digits=4, widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    eqf_level = forms.TypedMultipleChoiceField(
        label=_("Level (EQF)"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
    )
    isced = forms.ChoiceField(label=_("Field of education (ISCED-F)"), required=False)
    language = forms.ChoiceField(label=_("Language of instruction"), required=False)
    mode = forms.ChoiceField(label=_("Form of participation"), required=False)
    provider = forms.ChoiceField(
        label=_("University"), required=False, help_text=_("Also joint micro-credentials it co-provides."),
    )
    price = forms.ChoiceField(label=_("Price"), required=False, choices=PRICE_CHOICES)
    starts_after = forms.DateField(
        label=_("Starts on or after"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_month = forms.ChoiceField(label=_("Starts in"), required=False)
    sort = forms.ChoiceField(label=_("Order"), required=False, choices=SORT_CHOICES)
    page_size = forms.TypedChoiceField(
        label=_("Results per page"), required=False, coerce=int, empty_value=None,
        initial=DEFAULT_PAGE_SIZE,
        choices=[(size, str(size)) for size in PAGE_SIZES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("page_size"):
            # A shared link without a page size shows the default one, and the form says so.
            data: Any = self.data
            self.data = data.copy()
            self.data["page_size"] = str(DEFAULT_PAGE_SIZE)  # type: ignore[index]
        fields: dict[str, Any] = self.fields
        fields["eqf_level"].choices = [(level, eqf_level_label(level)) for level in EQF_LEVELS]
        # Grouped by broad field; a broad or narrow code also finds everything under it.
        fields["isced"].choices = [("", _("Any field")), *isced_choices(include_broad=True)]
        fields["language"].choices = [("", _("Any language")), *Language.choices]
        fields["mode"].choices = [("", _("Any form")), *OfferingMode.choices]
        fields["provider"].choices = [("", _("Any university"))] + [
            (provider.slug, provider.display_name) for provider in public_providers().only("slug", "name")
        ]
        fields["start_month"].choices = start_month_choices()

    def show_counts(self, facets: Mapping[str, Mapping[str, int]]) -> None:
        """Add to each choice the number of results that choosing it gives (`.facets` of the search)."""
        for name in COUNTED_FIELDS:
            counts = facets.get(name)
            if counts is None:
                continue
            field: Any = self.fields[name]
            choices = []
            broad = name == "isced"
            for value, label in field.choices:
                if isinstance(label, (list, tuple)):  # a group of options (ISCED-F by broad field)
                    choices.append((value, [_with_count(v, sub, counts, only_broad=broad) for v, sub in label]))
                else:
                    choices.append(_with_count(value, label, counts, only_broad=broad))
            field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("ects_min"), cleaned.get("ects_max")
        if low is not None and high is not None and low > high:
            self.add_error("ects_max", _("The upper limit must not be smaller than the lower limit."))
        return cleaned

    def filters(self) -> CatalogFilters:
        """The valid filters (a value that is not valid is left out; its message is shown instead)."""
        if not self.is_bound:
            return CatalogFilters()
        self.is_valid()
        data = self.cleaned_data
        return CatalogFilters(
            q=data.get("q") or "",
            ects_min=data.get("ects_min"),
            ects_max=data.get("ects_max"),
            eqf_level=list(data.get("eqf_level") or []),
            isced=data.get("isced") or "",
            language=data.get("language") or "",
            mode=data.get("mode") or "",
            provider=data.get("provider") or "",
            price=data.get("price") or "",
            starts_after=data.get("starts_after"),
            start_month=data.get("start_month") or "",
            sort=data.get("sort") or "",
        )

    def chosen_page_size(self) -> int:
        """The chosen page size; one of PAGE_SIZES whatever was asked for."""
        if not self.is_bound:
            return DEFAULT_PAGE_SIZE
        self.is_valid()
        size = self.cleaned_data.get("page_size")
        return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
