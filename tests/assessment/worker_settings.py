"""Settings of the `osaamo db_worker` that the kill-and-resume test starts: the project's settings with a
short lease and small batches, so that a killed worker's job is resumed in seconds, half-way through."""

from osaamo.settings import *  # noqa: F403

OSAAMO_ISSUING_LEASE_SECONDS = 3
OSAAMO_ISSUING_BATCH_SIZE = 40
