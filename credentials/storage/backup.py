"""The database half of a backup: a consistent copy of a running database, and its restore into an empty one.

PostgreSQL is dumped with ``pg_dump`` (custom format, no owners or privileges, so it restores under any role) inside
a snapshot this module exports: the same snapshot answers which evidence blobs and key files the dump refers to and
where the audit chain ends, so those facts describe exactly the dumped data. SQLite is copied with its online backup
API, in one step (one read transaction, so writers carry on under WAL), and the facts are read from the copy.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, select
from sqlalchemy.pool import NullPool

from .migrate import alembic_config
from .models import Artifact, AuditHead, CheckInFile, IssuerKey

POSTGRESQL = "postgresql"
SQLITE = "sqlite"
DUMP_FILES = {POSTGRESQL: "database.pgdump", SQLITE: "database.sqlite3"}
FILE_MODE = 0o600
# A restore or dump of a large district takes minutes; a tool that hangs for an hour is stuck, not slow.
TOOL_TIMEOUT_SECONDS = 3600


class DatabaseBackupError(Exception):
    """The database could not be dumped or restored; the message says why and what to do."""


@dataclass(frozen=True)
class DatabaseFacts:
    """What a database holds that the rest of a backup must match: read from the dumped or restored data itself."""

    backend: str
    revision: str | None
    audit_seq: int
    audit_sha256: str
    evidence: frozenset[str]
    key_ids: frozenset[str]


def backend_of(engine: Engine) -> str:
    """``postgresql`` or ``sqlite``; anything else is refused."""
    name = engine.dialect.name
    if name not in DUMP_FILES:
        raise DatabaseBackupError(f"microcred backs up PostgreSQL and SQLite databases, not {name}.")
    return name


def dump_database(engine: Engine, directory: Path) -> tuple[Path, DatabaseFacts]:
    """Write a consistent copy of the database into ``directory``; returns its path and what it holds."""
    backend = backend_of(engine)
    target = directory / DUMP_FILES[backend]
    if backend == SQLITE:
        return target, _dump_sqlite(engine, target)
    return target, _dump_postgresql(engine, target)


def _dump_sqlite(engine: Engine, target: Path) -> DatabaseFacts:
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)
            # The copy inherits WAL mode from the live file; a backup must be one self-contained file.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    finally:
        source.close()
    copy_engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
    try:
        with copy_engine.connect() as connection:
            return read_facts(connection)
    finally:
        copy_engine.dispose()


def _dump_postgresql(engine: Engine, target: Path) -> DatabaseFacts:
    pg_dump = client_tool("pg_dump", engine)
    options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        facts = read_facts(connection)
        # pg_dump joins the exported snapshot, which lives only as long as this transaction: keep it open meanwhile.
        _run_tool(
            engine,
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", f"--file={target}"],
            doing="dump the database",
        )
    os.chmod(target, FILE_MODE)
    return facts


def read_facts(connection: Connection) -> DatabaseFacts:
    """The schema revision, the audit chain's head, and the evidence blobs and key files the rows refer to."""
    tables = set(inspect(connection).get_table_names())
    revision = MigrationContext.configure(connection).get_current_revision()
    seq, sha256 = 0, ""
    if AuditHead.__tablename__ in tables:
        head = connection.execute(select(AuditHead.seq, AuditHead.sha256).where(AuditHead.id == 1)).first()
        if head is not None:
            seq, sha256 = head
    evidence = frozenset()
    if Artifact.__tablename__ in tables:
        evidence = frozenset(connection.scalars(select(Artifact.sha256).distinct()))
    if CheckInFile.__tablename__ in tables:  # a check-in's files are evidence too (issue 17)
        evidence |= frozenset(connection.scalars(select(CheckInFile.sha256).distinct()))
    key_ids = frozenset()
    if IssuerKey.__tablename__ in tables:
        key_ids = frozenset(connection.scalars(select(IssuerKey.kid)))
    return DatabaseFacts(connection.dialect.name, revision, seq, sha256, evidence, key_ids)


def existing_tables(engine: Engine) -> list[str]:
    """The tables the configured database already has (a restore needs none); SQLite's file is never created."""
    if backend_of(engine) == SQLITE:
        path = _sqlite_path(engine)
        if not path.exists():
            return []
        try:
            # closing(): a sqlite3 connection's own context manager ends a transaction but leaves it open.
            with closing(sqlite3.connect(path)) as connection:
                rows = connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise DatabaseBackupError(f"{path} exists and is not an SQLite database ({exc}); move it away.") from None
        return [name for (name,) in rows]
    return sorted(inspect(engine).get_table_names())


def restore_database(engine: Engine, dump: Path) -> None:
    """Load ``dump`` into the configured, empty database (all or nothing)."""
    if backend_of(engine) == SQLITE:
        _restore_sqlite(engine, dump)
    else:
        pg_restore = client_tool("pg_restore", engine)
        # One transaction: a restore that fails part way leaves the database as empty as it found it.
        _run_tool(
            engine,
            [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", str(dump)],
            doing="restore the database",
        )
    engine.dispose()


def _restore_sqlite(engine: Engine, dump: Path) -> None:
    path = _sqlite_path(engine)
    # Nothing of this engine may hold the old file open while it is replaced.
    engine.dispose()
    if existing_tables(engine):
        raise DatabaseBackupError(f"{path} is not empty.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.restoring-{os.getpid()}")
    try:
        with dump.open("rb") as source, open(partial, "xb") as out:
            os.fchmod(out.fileno(), FILE_MODE)
            shutil.copyfileobj(source, out, 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        # A journal left beside an empty file would otherwise be replayed into the restored one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def restored_facts(engine: Engine) -> DatabaseFacts:
    """``read_facts`` of the configured database (after a restore)."""
    with engine.connect() as connection:
        return read_facts(connection)


def revision_is_known(revision: str) -> bool:
    """True when this version of microcred has the migration ``revision`` (a newer backup's revision is unknown)."""
    scripts = ScriptDirectory.from_config(alembic_config(None))
    return revision in {script.revision for script in scripts.walk_revisions()}


def head_revision() -> str:
    """The newest migration of this version of microcred."""
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def client_tool(name: str, engine: Engine) -> str:
    """The path of PostgreSQL's ``pg_dump`` or ``pg_restore``, refused when missing or older than the server."""
    major = _server_major(engine)
    package = f"postgresql-client-{major}"
    path = shutil.which(name)
    if path is None:
        raise DatabaseBackupError(
            f"{name} is not installed (or not on PATH): install the PostgreSQL {major} client tools "
            f"(Debian and Ubuntu: apt-get install {package}; elsewhere your PostgreSQL {major} client package)."
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    if found and int(found.group(1)) < major:
        raise DatabaseBackupError(
            f"{name} is version {found.group(1)} but the server is PostgreSQL {major}: install {package} "
            "(the client tools must be at least as new as the server)."
        )
    return path


def _server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _run_tool(engine: Engine, command: list[str], *, doing: str) -> None:
    conninfo, password = _libpq_target(engine)
    env = {**os.environ, "PGPASSWORD": password} if password else dict(os.environ)
    # The password goes through the environment: on the command line every local user could read it with ps.
    try:
        done = subprocess.run(  # noqa: S603 - a fixed tool with arguments we built
            [*command, f"--dbname={conninfo}"],
            capture_output=True,
            text=True,
            env=env,
            timeout=TOOL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DatabaseBackupError(f"{Path(command[0]).name} did not finish within an hour.") from None
    if done.returncode != 0:
        detail = done.stderr.strip() or f"exit status {done.returncode}"
        raise DatabaseBackupError(f"{Path(command[0]).name} could not {doing}: {detail}")


def _libpq_target(engine: Engine) -> tuple[str, str]:
    from psycopg.conninfo import make_conninfo

    url = engine.url
    params = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username), ("dbname", url.database)):
        if value is not None:
            params[key] = str(value)
    return make_conninfo("", **params), url.password or ""


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise DatabaseBackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)
