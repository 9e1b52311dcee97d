"""Stopping the worker's transaction in the middle, from outside: the drill holds a row lock the worker needs next.

PostgreSQL shows who waits for whom (``pg_blocking_pids``), so once the worker's backend waits on the drill's lock, the
worker is known to be inside its transaction, past every statement before that one and before its commit. The drill
then kills the worker and lets go of the lock; the orphaned backend finds its client gone and rolls back.
"""

from __future__ import annotations

import time

from sqlalchemy import Connection, Engine, text

from credentials.storage.database import create_database_engine

WAIT_SECONDS = 30


class HeldLock:
    """``with HeldLock(url, "SELECT … FOR UPDATE") as lock:`` holds the rows' locks until ``release()``."""

    def __init__(self, database_url: str, statement: str):
        self.statement = statement
        self.engine: Engine = create_database_engine(database_url)
        self.connection: Connection | None = None
        self.pid = 0

    def __enter__(self) -> HeldLock:
        self.connection = self.engine.connect()
        self.pid = self.connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        locked = self.connection.execute(text(self.statement)).all()
        assert locked, f"the drill's lock statement locked nothing: {self.statement}"
        return self

    def waiting_backend(self, timeout: float = WAIT_SECONDS) -> tuple[int, str]:
        """The backend (pid, query) that waits for this lock, once one does."""
        deadline = time.monotonic() + timeout
        with self.engine.connect() as watcher:
            while time.monotonic() < deadline:
                row = watcher.execute(
                    text("SELECT pid, query FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                    {"pid": self.pid},
                ).first()
                if row is not None:
                    return row.pid, row.query
                watcher.rollback()
                time.sleep(0.02)
        raise AssertionError(f"no backend waited for the drill's lock within {timeout} s ({self.statement})")

    def release(self) -> None:
        """Let go of the lock (the drill's transaction changed nothing; it rolls back)."""
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()
            self.connection = None

    def wait_until_gone(self, backend_pid: int, timeout: float = WAIT_SECONDS) -> None:
        """Wait until ``backend_pid`` has ended (its transaction rolled back with it)."""
        deadline = time.monotonic() + timeout
        with self.engine.connect() as watcher:
            while time.monotonic() < deadline:
                alive = watcher.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend_pid}
                ).scalar_one()
                if not alive:
                    return
                watcher.rollback()
                time.sleep(0.02)
        raise AssertionError(f"the killed worker's database backend {backend_pid} still runs after {timeout} s")

    def __exit__(self, *_exc) -> None:
        self.release()
        self.engine.dispose()
