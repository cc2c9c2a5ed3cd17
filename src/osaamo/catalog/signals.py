"""What the catalog tells the apps that build on it. The catalog imports none of them (they depend on the
catalog, never the reverse), so they listen here, connected in their own `AppConfig.ready()`."""

from __future__ import annotations

from django.dispatch import Signal

# A provider has cancelled an offering (`services.offering_cancel`). Sent inside the cancellation's
# transaction, after the state change and its audit row, with `offering` (its row locked), `by` (the
# member of staff), `reason` (their text, possibly empty) and `now`. A receiver releases what its app
# keeps on the offering in that same transaction, so everything commits or rolls back together: it lets
# an exception through (the cancellation is then undone) and tells people only after the commit
# (`transaction.on_commit`). Not sent when demand pooling cancels a tentative offering that missed its
# minimum (`services.offering_settle`): pooling releases its own commitments there.
offering_cancelled = Signal()

__all__ = ["offering_cancelled"]
