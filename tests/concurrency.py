"""Running service calls at the same moment, each in its own thread and database connection (the
concurrency tests of enrolment, demand pooling and offering cancellation).

- PostgreSQL: every thread opens its own connection to the test database; the services lock the
  offering row (SELECT … FOR UPDATE). At most a bounded number of threads hold a connection at once
  (the server's limit is shared); the others are already waiting, so the lock is always contended.
- SQLite: the in-memory test database cannot be shared between connections, so it is copied to a
  file (SQLite's backup API) and every thread connects to that file with the project's settings
  (WAL, BEGIN IMMEDIATE, busy timeout): the database's write lock serialises the services.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection, connections

from osaamo.errors import DomainError


class Database:
    """Where the worker threads connect: the configured database, or a file copy of SQLite's in-memory one."""

    def __init__(self, file: Path | None = None, slots: int = 40) -> None:
        self.file = file
        self.slots = threading.BoundedSemaphore(slots)
        self.wrapper_class = type(connections["default"])
        self.settings = {**connections["default"].settings_dict, "NAME": str(file)}

    def use_in_this_thread(self) -> None:
        if self.file is not None:
            connections["default"] = self.wrapper_class(dict(self.settings), alias="default")

    def read(self, query: Callable[[], Any]) -> Any:
        """Run `query` on the database the workers used (in a thread of its own, like them)."""
        return run_concurrently([query], self)[0][1]


def postgres_slots() -> int:
    """How many connections the test may hold at once: half of what the server has free, at most 60."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        free = cursor.fetchone()[0]
    return max(10, min(60, free // 2))


def workers_database(tmp_path: Path) -> Database:
    """Call once the test data is created (for SQLite, that data is what the file copy holds)."""
    if connection.vendor == "postgresql":
        return Database(slots=postgres_slots())
    file = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(file)
    connection.connection.backup(target)
    # Switch the copy to WAL once, here: switching needs the file to itself, and the workers'
    # `PRAGMA journal_mode=WAL` (the project's init_command) is then a no-op instead of a race.
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return Database(file, slots=250)


def run_concurrently(calls: list[Callable[[], Any]], database: Database) -> list[tuple[str, Any]]:
    """Run every call in its own thread and connection, all released at once; ("ok" | "refused" | "error", value)."""
    start = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any]] = [("error", "did not run")] * len(calls)

    def work(index: int) -> None:
        start.wait()
        with database.slots:
            database.use_in_this_thread()
            try:
                outcomes[index] = ("ok", calls[index]())
            except DomainError as refusal:
                outcomes[index] = ("refused", refusal)
            except Exception as error:  # reported by the test with the error, never hidden
                outcomes[index] = ("error", repr(error))
            finally:
                connections["default"].close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    return outcomes
