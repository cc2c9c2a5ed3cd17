"""Template helpers shared by every app's pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import translate_url
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from osaamo.framework.vocabularies import Language
from osaamo.translation import current_language, translated, translated_language

register = template.Library()

# Names of the countries whose universities may appear as awarding bodies (EU, EEA, Switzerland,
# the United Kingdom); any other code is shown as it is.
COUNTRY_NAMES: dict[str, Any] = {
    "AT": _("Austria"), "BE": _("Belgium"), "BG": _("Bulgaria"), "CH": _("Switzerland"), "CY": _("Cyprus"),
    "CZ": _("Czechia"), "DE": _("Germany"), "DK": _("Denmark"), "EE": _("Estonia"), "ES": _("Spain"),
    "FI": _("Finland"), "FR": _("France"), "GB": _("United Kingdom"), "GR": _("Greece"), "HR": _("Croatia"),
    "HU": _("Hungary"), "IE": _("Ireland"), "IS": _("Iceland"), "IT": _("Italy"), "LI": _("Liechtenstein"),
    "LT": _("Lithuania"), "LU": _("Luxembourg"), "LV": _("Latvia"), "MT": _("Malta"), "NL": _("Netherlands"),
    "NO": _("Norway"), "PL": _("Poland"), "PT": _("Portugal"), "RO": _("Romania"), "SE": _("Sweden"),
    "SI": _("Slovenia"), "SK": _("Slovakia"),
}


@register.filter
def tr(value: Any, language: str | None = None) -> str:
    """Provider-written text in the reader's language: `{{ version.title|tr }}`."""
    return translated(value, language)


@register.filter
def tr_lang(value: Any) -> str:
    """The language `tr` answered in, for a `lang` attribute when it had to fall back."""
    return translated_language(value)


@register.filter
def lang_attr(value: Any) -> SafeString:
    """` lang="sv"` when `tr` had to fall back to another language than the page's; else nothing.

    `<h1{{ version.title|lang_attr }}>{{ version.title|tr }}</h1>` — WCAG 3.1.2 Language of Parts.
    """
    language = translated_language(value)
    if not value or language == current_language():
        return mark_safe("")
    return format_html(' lang="{}"', language)


@register.filter(is_safe=True)
def page_title(value: str) -> str:
    """`<title>`: "Page – Osaamo", or just "Osaamo" when the page names nothing (WCAG 2.4.2)."""
    value = " ".join(str(value).split())
    return f"{value} – Osaamo" if value else "Osaamo"


@register.filter
def ects(value: Decimal | None) -> str:
    if value is None:
        return ""
    return number_format(value.normalize() if value == value.to_integral() else value, decimal_pos=None)


@register.filter
def euros(value: Decimal | None) -> str:
    if value is None:
        return ""
    return number_format(value, decimal_pos=2) + "\u00a0€"


@register.filter
def language_name(code: str | None) -> str:
    """The name of a language of instruction (`fi` → "Finnish" in the reader's language)."""
    if not code:
        return ""
    try:
        return str(Language(code).label)
    except ValueError:
        return code


@register.filter
def country_name(code: str | None) -> str:
    if not code:
        return ""
    name = COUNTRY_NAMES.get(code.upper())
    return str(name) if name is not None else code


@register.filter
def awarding_countries(version: Any) -> list[str]:
    """The countries of a micro-credential's awarding bodies (owner first), by name, each once."""
    bodies = [version.micro_credential.provider, *version.co_providers.all()]
    return list(dict.fromkeys(country_name(body.country) for body in bodies if body.country))


def _eqf_level(level: Any) -> Any:
    from osaamo.framework.eqf import eqf_level

    try:
        return eqf_level(int(level))
    except (KeyError, TypeError, ValueError):
        return None


@register.filter
def eqf_title(level: int | None) -> str:
    """"EQF level 6" in the reader's language ("" when there is no such level)."""
    found = _eqf_level(level)
    return str(found.title) if found else ""


@register.filter
def eqf_comparable(level: int | None) -> str:
    """What an EQF level corresponds to in Finland ("Bachelor's degrees …; QF-EHEA first cycle")."""
    found = _eqf_level(level)
    return found.typical_finnish_qualifications if found else ""


@register.filter
def eqf(level: int | None) -> Any:
    """The EQF level itself (knowledge, skills, responsibility_and_autonomy), or None."""
    return _eqf_level(level)


@register.simple_tag(takes_context=True)
def translated_path(context: Any, language: str) -> str:
    """This page's address in another language, query string kept (as the language switcher does)."""
    request = context.get("request")
    if request is None:
        return ""
    return translate_url(request.get_full_path(), language)


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
