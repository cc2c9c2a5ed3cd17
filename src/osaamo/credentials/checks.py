"""System checks of the credentials app (stable ids `osaamo.credentials.*`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register


@register("osaamo")
def check_issuer_identity(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    parts = urlsplit(getattr(settings, "BASE_URL", ""))
    if parts.path not in ("", "/"):
        # did:web maps the host to the DID; a path prefix would put /issuers/… where no resolver looks.
        problems.append(Error(
            "OSAAMO_BASE_URL must not have a path: issuer DIDs (did:web) are served from the host's root.",
            hint="e.g. https://osaamo.example.fi", id="osaamo.credentials.E001",
        ))
    return problems
