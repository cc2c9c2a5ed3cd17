"""Osaamo's deployment configuration, read once from the environment.

Every setting has a prefix (`OSAAMO_`) and a default that suits `make run`; production must set
`OSAAMO_SECRET_KEY`, `OSAAMO_KEY_ENCRYPTION_KEY` and `OSAAMO_BASE_URL` (system checks say so).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret(var_dir: Path, name: str) -> str:
    """A secret generated once for local use and kept under var/ (never used in production)."""
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


class ConfigurationError(RuntimeError):
    """The environment lacks something a production deployment cannot run without."""


@dataclass(frozen=True)
class Config:
    debug: bool
    production: bool
    var_dir: Path
    database_url: str
    base_url: str
    secret_key: str
    key_encryption_key: str
    allowed_hosts: tuple[str, ...]
    email_url: str
    default_from_email: str

    @classmethod
    def from_environment(cls) -> Config:
        production = _flag("OSAAMO_PRODUCTION", False)
        var_dir = Path(os.environ.get("OSAAMO_VAR_DIR", Path.cwd() / "var")).resolve()
        secret_key = os.environ.get("OSAAMO_SECRET_KEY", "")
        key_encryption_key = os.environ.get("OSAAMO_KEY_ENCRYPTION_KEY", "")
        if not production:
            secret_key = secret_key or _local_secret(var_dir, "secret_key")
            key_encryption_key = key_encryption_key or _local_secret(var_dir, "key_encryption_key")
        elif len(secret_key) < 32:
            raise ConfigurationError(
                "OSAAMO_SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(OSAAMO_PRODUCTION=1)."
            )
        base_url = os.environ.get("OSAAMO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        hosts = os.environ.get("OSAAMO_ALLOWED_HOSTS", "")
        allowed = tuple(h.strip() for h in hosts.split(",") if h.strip())
        return cls(
            debug=_flag("OSAAMO_DEBUG", not production),
            production=production,
            var_dir=var_dir,
            database_url=os.environ.get("DATABASE_URL", f"sqlite:///{var_dir / 'osaamo.sqlite3'}"),
            base_url=base_url,
            secret_key=secret_key,
            key_encryption_key=key_encryption_key,
            allowed_hosts=allowed,
            email_url=os.environ.get("OSAAMO_EMAIL_URL", "console:"),
            default_from_email=os.environ.get("OSAAMO_FROM_EMAIL", "Osaamo <noreply@osaamo.invalid>"),
        )


config = Config.from_environment()
