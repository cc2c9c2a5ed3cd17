"""Mail to people, sent after the transaction commits, each in the recipient's language."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from osaamo.translation import LANGUAGE_CODES

logger = logging.getLogger(__name__)


def absolute_url(name: str, *args: Any) -> str:
    """An address on the site in the active language (call inside `translation.override`)."""
    return settings.BASE_URL + reverse(name, args=args)


def language_of(user: Any, fallback: str = "fi") -> str:
    language = getattr(user, "preferred_language", "") or fallback
    return language if language in LANGUAGE_CODES else fallback


def send_after_commit(*, template: str, to: str, language: str, context: Callable[[], dict[str, Any]]) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` (e.g. `enrolment/mail/enrolled`) in `language`
    once the current transaction commits, and send them to `to`. A transaction that rolls back sends
    nothing. `context` runs inside the language, so addresses it reverses carry its prefix."""

    def send() -> None:
        with translation.override(language):
            values = context()
            subject = " ".join(render_to_string(f"{template}_subject.txt", values).split())
            body = render_to_string(f"{template}.txt", values)
        try:
            send_mail(subject, body, None, [to])
        except (OSError, smtplib.SMTPException):
            # The change itself is committed; a mail server outage must not undo it or stop the others.
            logger.exception("Could not send the %s mail to %s", template, to)

    transaction.on_commit(send)
