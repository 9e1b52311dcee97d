"""microcred served by gunicorn on a free port of 127.0.0.1 with a fresh database, for the browser tests.

The service runs as ``make run`` runs it (development settings, so mail goes out right after the request that
queued it), but every setting points into a temporary directory and mail goes to the test's SMTP server. The test
process builds the same app from the same settings for set-up: migration, the district and the signing keys through
the app's own CLI, people and qualifications through domain functions (``tests/builders.py``).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask import url_for

from credentials import create_app
from credentials.cli import microcred
from credentials.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
MAIL_FROM = "Lakeside Credentials <credentials@lakeside.example.org>"
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class LiveService:
    """Settings, a set-up app and a gunicorn process sharing one SQLite database in ``workdir``."""

    def __init__(self, workdir: Path, *, smtp_port: int, log_path: Path):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self.environ = {
            "MICROCRED_ENV": "development",
            "MICROCRED_DATABASE_URL": f"sqlite:///{workdir / 'microcred.sqlite3'}",
            "MICROCRED_SECRET_KEY": secrets.token_urlsafe(48),
            "MICROCRED_PUBLIC_URL": self.url,
            "MICROCRED_SMTP_URL": f"smtp://{HOST}:{smtp_port}",
            "MICROCRED_MAIL_FROM": MAIL_FROM,
            "MICROCRED_KEYS_DIR": str(workdir / "keys"),
            "MICROCRED_UPLOADS_DIR": str(workdir / "uploads"),
            "MICROCRED_INSTANCE_DIR": str(workdir / "instance"),
            "MICROCRED_LOG_LEVEL": "WARNING",
        }
        self.app = create_app(Settings.from_env(self.environ))
        self.services = self.app.extensions["microcred"]
        self._process: subprocess.Popen | None = None

    def cli(self, *args: str) -> str:
        """Run a ``microcred`` command in this process; its output (a failing command raises)."""
        result = self.app.test_cli_runner().invoke(microcred, args=list(args))
        if result.exit_code != 0:
            raise RuntimeError(f"microcred {' '.join(args)} failed (exit {result.exit_code}):\n{result.output}")
        return result.output

    def url_for(self, endpoint: str, **values) -> str:
        """The absolute URL of ``endpoint`` on the served app."""
        with self.app.test_request_context(base_url=self.url):
            return url_for(endpoint, _external=True, **values)

    def start(self) -> None:
        """Start gunicorn as gunicorn.conf.py sets it up (threaded workers) and wait until ``/healthz`` answers."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")} | self.environ
        command = [sys.executable, "-m", "gunicorn", "--config", str(PROJECT_ROOT / "gunicorn.conf.py")]
        command += ["--bind", f"{HOST}:{self.port}"]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self._process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:  # noqa: S310 - our own URL
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer /healthz within {READY_TIMEOUT_SECONDS} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM to its master; its whole process group is killed if it lingers)."""
        stop_gunicorn(self._process, signal.SIGTERM)
        self.services.engine.dispose()

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)


def stop_gunicorn(master: subprocess.Popen | None, signum: int) -> None:
    """Send ``signum`` to a running gunicorn master and wait; kill its process group (it was started with
    ``start_new_session``) if it lingers."""
    if master is None or master.poll() is not None:
        return
    master.send_signal(signum)
    try:
        master.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(master.pid, signal.SIGKILL)
        master.wait()


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` of a log file, or a note that there is none."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
