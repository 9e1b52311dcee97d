"""``npm ci`` for the suite's JavaScript helpers (the interop harness, axe-core): once per lock file, shared safely by
parallel pytest processes, with a clear error instead of a hang when npm is missing, slow or failing."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

INSTALL_TIMEOUT = 600.0


class NpmUnavailable(RuntimeError):
    """npm is missing, or the packages could not be installed."""


def npm_ci(directory: Path, what: str, timeout: float = INSTALL_TIMEOUT) -> None:
    """Run ``npm ci`` in ``directory`` unless an install at least as new as its ``package-lock.json`` is there."""
    lock_file = directory / "package-lock.json"
    # npm ci writes this "hidden lockfile" last, so its age tells whether the install is complete and current.
    marker = directory / "node_modules" / ".package-lock.json"

    def needs_install() -> bool:
        return not marker.exists() or marker.stat().st_mtime < lock_file.stat().st_mtime

    if not needs_install():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise NpmUnavailable(f"npm is not on PATH; install Node.js 20+ and npm for {what}")
    # Parallel pytest processes share one node_modules: the first installs, the others wait and then find it current.
    with (directory / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not needs_install():
                return
            command = [npm, "ci", "--prefix", str(directory), "--no-audit", "--no-fund"]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired as error:
                raise NpmUnavailable(f"npm ci for {what} took more than {timeout:.0f} s") from error
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip()[-2000:]
                raise NpmUnavailable(f"npm ci for {what} failed (exit {done.returncode}): {tail}")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
