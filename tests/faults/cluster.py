"""A throw-away PostgreSQL cluster of the drills' own, which they may stop, restart and crash at will.

The machine's shared PostgreSQL serves other people's tests, so it is never touched: ``initdb`` makes a cluster in a
temporary directory on a free port of 127.0.0.1 (trust authentication, no other address), ``pg_ctl`` starts and stops
it, and it is deleted afterwards. PostgreSQL refuses to run as root, so as root every server command runs as the
``postgres`` user (``runuser``), which owns the directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from credentials.storage import migrate
from credentials.storage.database import create_database_engine

HOST = "127.0.0.1"
SERVER_USER = "postgres"
START_TIMEOUT_SECONDS = 60
TEMPLATE = "microcred_template"


class ClusterUnavailable(Exception):
    """This machine cannot run a private PostgreSQL cluster (binaries or the ``postgres`` user missing)."""


def server_binaries() -> Path:
    """The newest installed PostgreSQL's ``bin`` directory (Debian's layout, ``/usr/lib/postgresql/N/bin``)."""
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    if not candidates:
        found = shutil.which("initdb")
        candidates = [Path(found).resolve().parent] if found else []
    if not candidates:
        raise ClusterUnavailable("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    return max(candidates, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


class PrivateCluster:
    """``initdb`` + ``pg_ctl`` in a temporary directory; ``url(db)`` for SQLAlchemy; ``stop``/``start`` for drills."""

    def __init__(self, port: int):
        self.bin = server_binaries()
        self.port = port
        self.as_server_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam(SERVER_USER)
            except KeyError as exc:
                raise ClusterUnavailable(
                    f"PostgreSQL refuses to run as root and there is no {SERVER_USER!r} user"
                ) from exc
            self.as_server_user = ["runuser", "-u", SERVER_USER, "--"]
        # mkdtemp's directory is private to us; the server's user must own it (and /tmp lets it reach it).
        self.root = Path(tempfile.mkdtemp(prefix="microcred-faults-pg-"))
        if owner is not None:
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` in this cluster."""
        return f"postgresql://{SERVER_USER}@{HOST}:{self.port}/{database}"

    def create(self) -> None:
        """``initdb`` a cluster that listens on 127.0.0.1 only and trusts it, then start it."""
        self._run(
            self.bin / "initdb", "--pgdata", self.data, "--username", SERVER_USER, "--auth", "trust",
            "--encoding", "UTF8", "--locale", "C.UTF-8", "--no-sync",
        )  # fmt: skip
        settings = {
            "listen_addresses": f"'{HOST}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "60",
            "shared_buffers": "32MB",
            "logging_collector": "off",
            "log_min_messages": "warning",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# microcred fault drills\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        self.start()

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run(self.bin / "pg_ctl", "--pgdata", self.data, "--log", self.log, "--wait",
                  "--timeout", str(START_TIMEOUT_SECONDS), "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` ends every session (rolling back open transactions); ``immediate`` crashes it."""
        self._run(self.bin / "pg_ctl", "--pgdata", self.data, "--mode", mode, "--wait", "stop")

    def running(self) -> bool:
        return subprocess.run([*self.as_server_user, self.bin / "pg_ctl", "--pgdata", self.data, "status"],
                              capture_output=True, check=False).returncode == 0  # fmt: skip

    def make_template(self) -> None:
        """A migrated database that each drill's database is copied from (a copy takes a fraction of a migration)."""
        self._admin(f'CREATE DATABASE "{TEMPLATE}"')
        engine = create_database_engine(self.url(TEMPLATE))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()

    def fresh_database(self, name: str) -> str:
        """A new migrated database ``name`` (dropped first if it exists); its URL."""
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        return self.url(name)

    def destroy(self) -> None:
        """Stop the server (if it runs) and delete the cluster."""
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _admin(self, statement: str) -> None:
        engine = create_engine(make_url(self.url()).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def _run(self, *command) -> None:
        result = subprocess.run(
            [*self.as_server_user, *map(str, command)], capture_output=True, text=True, check=False, cwd=self.root
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(map(str, command))} failed ({result.returncode}):\n{result.stdout}{result.stderr}\n"
                f"server log:\n{self.log_tail()}"
            )
