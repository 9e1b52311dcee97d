"""What the benchmarks share: a throw-away migrated app, a throw-away PostgreSQL database, and a query counter."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from credentials import create_app
from credentials.config import Settings
from credentials.storage import migrate
from credentials.storage.database import create_database_engine, normalize_database_url


def migrated_app(database_url: str, workdir: Path, *, cheap_passwords: bool = False):
    """An app in development settings on a freshly migrated database, with its files under ``workdir``."""
    engine = create_database_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = Settings.from_env(
        {
            "MICROCRED_ENV": "development",
            "MICROCRED_DATABASE_URL": database_url,
            "MICROCRED_INSTANCE_DIR": str(workdir / "instance"),
            "MICROCRED_KEYS_DIR": str(workdir / "keys"),
            "MICROCRED_UPLOADS_DIR": str(workdir / "uploads"),
            "MICROCRED_LOG_LEVEL": "WARNING",
        }
    )
    return create_app(settings.with_overrides(password_hash_cheap=cheap_passwords))


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``, dropped afterwards."""
    url = normalize_database_url(server_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"microcred_bench_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def counted_queries(engine) -> Iterator[list[str]]:
    """The SQL statements run inside the block (SQLite's ``BEGIN`` is not counted)."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if statement.strip().upper() != "BEGIN":
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
