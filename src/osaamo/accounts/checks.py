"""System checks for what the platform cannot run without (stable ids, `osaamo.E…`/`osaamo.W…`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Warning, register


@register("osaamo")
def check_configuration(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    production = getattr(settings, "OSAAMO_PRODUCTION", False)
    # A missing OSAAMO_SECRET_KEY stops production at start-up already (osaamo.config).
    if not getattr(settings, "OSAAMO_KEY_ENCRYPTION_KEY", ""):
        problems.append(
            Error(
                "OSAAMO_KEY_ENCRYPTION_KEY is not set: issuer signing keys cannot be encrypted at rest.",
                hint="Set a long random value in the environment and keep it safe; losing it loses the keys.",
                id="osaamo.E002",
            )
        )
    parts = urlsplit(getattr(settings, "BASE_URL", ""))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        problems.append(
            Error("OSAAMO_BASE_URL must be an absolute http(s) URL.", hint="e.g. https://osaamo.example.fi",
                  id="osaamo.E003")
        )
    elif production and parts.scheme != "https":
        problems.append(
            Warning("OSAAMO_BASE_URL is not https: did:web identifiers need https to resolve.",
                    id="osaamo.W001")
        )
    if {code for code, _ in settings.LANGUAGES} != {"fi", "sv", "en"}:
        problems.append(Error("LANGUAGES must be exactly fi, sv and en.", id="osaamo.E004"))
    return problems
