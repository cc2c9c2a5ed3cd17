"""The demand app's answers to what the catalog tells (connected in `DemandConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from osaamo.catalog.models import Offering
from osaamo.demand import pooling


def release_pledges_of_cancelled_offering(sender: Any, *, offering: Offering, by: Any, reason: str = "",
                                          now: Any = None, **kwargs: Any) -> None:
    """A provider cancelled `offering`: release the pledges still waiting on it and tell their employers.
    Runs in the cancellation's transaction; an error undoes it all."""
    pooling.pledges_release_cancelled(offering=offering, by=by, reason=reason, now=now)
