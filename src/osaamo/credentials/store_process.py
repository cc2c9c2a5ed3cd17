"""The store process of bulk issuing (`services._Writer`): stores the batches the worker prepares and signs.

This module imports no model at import time: the spawned process loads it before Django is set up.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
from typing import Any


def start(database: dict[str, Any]) -> None:
    """Django as in the worker, on the worker's database (a test database too), and killed with the
    worker: a killed worker's lease runs out and its job is resumed, so nothing may go on storing for it."""
    with contextlib.suppress(AttributeError, OSError):  # elsewhere than Linux the closed pipe ends the process
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    import django

    django.setup()
    from django.db import connections

    connections["default"].settings_dict.update(database)


def store(job_pk: int, worker: str, batch: Any, crash: bool, lease_seconds: int) -> list[int]:
    """`services._store_batch` here, its mails queued on the commit (the task backend of the settings)."""
    from osaamo.credentials.models import IssuingJob
    from osaamo.credentials.services import _store_batch

    return _store_batch(job=IssuingJob(pk=job_pk), worker=worker, batch=batch, crash=crash,
                        lease_seconds=lease_seconds)
