"""microcred served by real gunicorn on the drills' private PostgreSQL, with the processes a drill needs to reach.

gunicorn runs with one worker process and four threads, so "the worker" is one process id (found from the master's
children in ``/proc``): a drill kills it with SIGKILL and waits for the master to start another. Its flags are given
on the command line and it runs from the drill's own directory, so no ``gunicorn.conf.py`` of the project is read;
its control socket is off (by default every gunicorn of the machine's user would share one path).
Settings are development's (mail goes out right after the request that queued it), with every path in a temporary
directory and mail to the drill's SMTP server. The test process builds the same app from the same settings for
set-up and inspection: the app's own CLI (migration is the template's, then the district and the signing keys),
and domain functions through ``tests/builders.py``.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from credentials import create_app, utc_now
from credentials.cli import microcred
from credentials.config import PROJECT_ROOT, Settings
from credentials.storage.models import AuditEvent
from tests.builders import Builders
from tests.e2e.live_service import free_port, log_tail, stop_gunicorn

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 60
WORKER_THREADS = 4


class DrillService:
    """Settings, a set-up app and a gunicorn master with one worker, sharing one PostgreSQL database."""

    def __init__(self, workdir: Path, *, database_url: str, smtp_port: int, uploads_dir: Path | None = None):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = workdir / "gunicorn.log"
        self.uploads = uploads_dir or workdir / "uploads"
        self.environ = {
            "MICROCRED_ENV": "development",
            "MICROCRED_DATABASE_URL": database_url,
            "MICROCRED_SECRET_KEY": secrets.token_urlsafe(48),
            "MICROCRED_PUBLIC_URL": self.url,
            "MICROCRED_SMTP_URL": f"smtp://{HOST}:{smtp_port}",
            "MICROCRED_MAIL_FROM": "Lakeside Credentials <credentials@lakeside.example.org>",
            "MICROCRED_KEYS_DIR": str(workdir / "keys"),
            "MICROCRED_UPLOADS_DIR": str(self.uploads),
            "MICROCRED_INSTANCE_DIR": str(workdir / "instance"),
            "MICROCRED_LOG_LEVEL": "WARNING",
        }
        # The set-up app hashes the passwords it creates cheaply (set-up is quicker); the service verifies them as
        # any Argon2id hash and re-hashes them at its own cost on the first sign-in.
        self.app = create_app(Settings.from_env(self.environ).with_overrides(password_hash_cheap=True))
        self.services = self.app.extensions["microcred"]
        self.build = Builders(self.services)
        self.master: subprocess.Popen | None = None

    # Set-up and inspection, in this process

    def cli(self, *args: str, later_by: timedelta | None = None) -> str:
        """Run a ``microcred`` command in this process (``later_by``: with the clock that much ahead); its output."""
        self.services.clock = (lambda: utc_now() + later_by) if later_by else utc_now
        try:
            result = self.app.test_cli_runner().invoke(microcred, args=list(args))
        finally:
            self.services.clock = utc_now
        if result.exit_code != 0:
            raise AssertionError(f"microcred {' '.join(args)} failed (exit {result.exit_code}):\n{result.output}")
        return result.output

    def scalar(self, statement, **params):
        """One value read in a transaction of its own (what is committed now)."""
        with self.services.session_factory() as session:
            return session.scalar(text(statement) if isinstance(statement, str) else statement, params)

    def rows(self, statement: str, **params) -> list:
        with self.services.session_factory() as session:
            return list(session.execute(text(statement), params))

    def audit_seq(self) -> int:
        """The number of the newest audit event (0 when there is none)."""
        return self.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0)))

    def events_since(self, seq: int) -> list[tuple[str, str, str]]:
        """(action, subject_type, subject_id) of every audit event after ``seq``, oldest first."""
        return [tuple(r) for r in self.rows(
            "SELECT action, subject_type, subject_id FROM audit_events WHERE seq > :seq ORDER BY seq", seq=seq
        )]  # fmt: skip

    # The served app

    def start(self) -> None:
        """Start gunicorn (one worker, four threads) and wait until ``/healthz`` answers."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")} | self.environ
        command = [
            sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{self.port}", "--workers", "1",
            "--threads", str(WORKER_THREADS), "--timeout", "60", "--graceful-timeout", "5",
            "--access-logfile", "-", "--no-control-socket", "--pythonpath", str(PROJECT_ROOT), "wsgi:app",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.master = subprocess.Popen(
                command, cwd=self.workdir, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.wait_until_serving()

    def wait_until_serving(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Wait until ``/healthz`` answers 200 (the database reached) from a live worker."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.master is not None and self.master.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.master.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:  # noqa: S310 - our own URL
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = f"HTTP {error.code}"
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            time.sleep(0.1)
        raise AssertionError(f"microcred did not answer /healthz with 200 within {timeout} s ({last}):\n"
                             f"{self.log_tail()}")  # fmt: skip

    def worker_pid(self, timeout: float = READY_TIMEOUT_SECONDS) -> int:
        """The process id of gunicorn's one worker (waiting for the master to have started it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = [pid for pid in _children(self.master.pid) if _alive(pid)]
            if len(children) == 1:
                return children[0]
            time.sleep(0.05)
        raise AssertionError(f"gunicorn has no single worker after {timeout} s:\n{self.log_tail()}")

    def kill_worker(self, pid: int) -> None:
        """SIGKILL the worker (no cleanup of any kind runs), then wait for its replacement to serve."""
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _alive(pid), f"worker {pid} still runs after SIGKILL"
        replacement = self.worker_pid()
        assert replacement != pid
        self.wait_until_serving()

    def stop(self) -> None:
        """Stop gunicorn at once (SIGQUIT to its master: the drill is over; its process group is killed if it
        lingers)."""
        stop_gunicorn(self.master, signal.SIGQUIT)
        self.services.engine.dispose()

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def now(self) -> datetime:
        return utc_now()


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) is in parentheses and may hold spaces; the parent id follows the state.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped by its parent, counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
