"""Writing the audit trail. Callers are services, inside their own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from osaamo.audit.models import AuditEntry

_SECRET_WORDS = ("password", "secret", "token", "private", "key_hash", "api_key", "salt")
MASK = "***"


def mask_secrets(data: Any) -> Any:
    """Replace values under secret-looking keys, at any depth."""
    if isinstance(data, Mapping):
        return {
            key: MASK if any(word in str(key).lower() for word in _SECRET_WORDS) else mask_secrets(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask_secrets(item) for item in data]
    return data


def audit_record(
    *,
    action: str,
    actor: Any | None,
    organisation: Any | None = None,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record `action` (a stable code such as `credential.revoked`) by `actor` on `target`."""
    actor_id = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        action=action,
        actor_id=actor_id,
        organisation_id=getattr(organisation, "pk", None),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=mask_secrets(dict(data or {})),
    )
