"""Provider-written text stored per language: `{"fi": ..., "sv": ..., "en": ...}`.

Code strings use gettext; text that providers and employers write is data, kept in one JSON
object per field, and shown in the reader's language with a sensible fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES: tuple[str, ...] = ("fi", "sv", "en")
FALLBACK_ORDER: dict[str, tuple[str, ...]] = {
    "fi": ("fi", "en", "sv"),
    "sv": ("sv", "en", "fi"),
    "en": ("en", "fi", "sv"),
}


def current_language() -> str:
    language = (get_language() or "fi")[:2]
    return language if language in LANGUAGE_CODES else "en"


def translated(value: Mapping[str, Any] | None, language: str | None = None) -> str:
    """The text in `language` (default: the active one), else the first one present."""
    if not value:
        return ""
    language = language or current_language()
    for code in FALLBACK_ORDER.get(language, LANGUAGE_CODES):
        text = value.get(code)
        if isinstance(text, str) and text.strip():
            return text
    return ""


def translated_language(value: Mapping[str, Any] | None, language: str | None = None) -> str:
    """Which language `translated()` would answer in (for the HTML `lang` attribute)."""
    language = language or current_language()
    for code in FALLBACK_ORDER.get(language, LANGUAGE_CODES):
        text = (value or {}).get(code)
        if isinstance(text, str) and text.strip():
            return code
    return language


def clean_translations(value: Any) -> dict[str, str]:
    """Normalise input to `{code: stripped text}` with only our languages and no empty entries."""
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Enter the text as one entry per language (fi, sv, en)."), code="invalid")
    cleaned: dict[str, str] = {}
    for code, text in value.items():
        if code not in LANGUAGE_CODES:
            raise ValidationError(
                _("Unknown language %(code)s: use fi, sv or en."), code="language", params={"code": code}
            )
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValidationError(_("Each translation must be text."), code="invalid")
        if text.strip():
            cleaned[code] = text.strip()
    return cleaned


class TranslatedTextField(models.JSONField):
    """A JSON object of translations; always a dict, never null."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is dict:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        clean_translations(value)
