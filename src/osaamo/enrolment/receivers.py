"""The enrolment app's answers to what the catalog tells (connected in `EnrolmentConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from osaamo.catalog.models import Offering
from osaamo.enrolment import services


def release_cancelled_offering(sender: Any, *, offering: Offering, by: Any, reason: str = "", now: Any = None,
                               **kwargs: Any) -> None:
    """A provider cancelled `offering`: cancel its enrolments and seat purchases, credit their invoices,
    tell the learners and buyers. Runs in the cancellation's transaction; an error undoes it all."""
    services.offering_cancelled_release(offering=offering, by=by, reason=reason, now=now)
