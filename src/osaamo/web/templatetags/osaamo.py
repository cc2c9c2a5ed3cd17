"""Template helpers shared by every app's pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format

from osaamo.translation import translated, translated_language

register = template.Library()


@register.filter
def tr(value: Any, language: str | None = None) -> str:
    """Provider-written text in the reader's language: `{{ version.title|tr }}`."""
    return translated(value, language)


@register.filter
def tr_lang(value: Any) -> str:
    """The language `tr` answered in, for a `lang` attribute when it had to fall back."""
    return translated_language(value)


@register.filter
def ects(value: Decimal | None) -> str:
    if value is None:
        return ""
    return number_format(value.normalize() if value == value.to_integral() else value, decimal_pos=None)


@register.filter
def euros(value: Decimal | None) -> str:
    if value is None:
        return ""
    return number_format(value, decimal_pos=2) + " €"


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination and sorting links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(list(params.lists()), doseq=True) if params else "?"
