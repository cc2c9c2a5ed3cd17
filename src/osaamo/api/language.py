"""Which language an API response speaks: `?lang=`, else `Accept-Language`, else English.

The HTML pages default to Finnish; API clients are programs of every country, so the API answers
in English unless asked. Provider-written text is always returned in all three languages; this
choice only affects our own messages (errors, findings).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from osaamo.translation import LANGUAGE_CODES

API_DEFAULT_LANGUAGE = "en"


def _supported(code: str) -> str | None:
    primary = code.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGE_CODES else None


def request_language(request: HttpRequest) -> str:
    """`?lang=fi|sv|en` wins; then the best supported `Accept-Language` entry; then English."""
    asked = _supported(request.GET.get("lang", ""))
    if asked:
        return asked
    header = request.headers.get("Accept-Language", "")[:500]
    for code, _quality in parse_accept_lang_header(header):
        language = _supported(code)
        if language:
            return language
    return API_DEFAULT_LANGUAGE


def in_request_language(run: Callable[..., Any]) -> Callable[..., Any]:
    """Run an API operation (and its error handlers) with the request's language active."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        language = request_language(request)
        with translation.override(language):
            response = run(request, *args, **kwargs)
        mark_language(response, language)
        return response

    return wrapper


def mark_language(response: Any, language: str) -> None:
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Language",))
