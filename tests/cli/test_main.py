"""``microcred`` as the operator runs it: the console script (``credentials.cli:main``) in a process of its own."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

MICROCRED = Path(sys.executable).with_name("microcred")


def microcred(settings, *args: str) -> subprocess.CompletedProcess:
    """Run the console script against the test's database, at the default log level (INFO, as in production)."""
    assert MICROCRED.exists(), f"{MICROCRED} is missing: pip install -e . puts it next to the interpreter"
    env = {name: value for name, value in os.environ.items() if not name.startswith("MICROCRED_")}
    env.update(
        MICROCRED_ENV="testing",
        MICROCRED_DATABASE_URL=settings.database_url,
        MICROCRED_KEYS_DIR=str(settings.keys_dir),
        MICROCRED_UPLOADS_DIR=str(settings.uploads_dir),
        MICROCRED_INSTANCE_DIR=str(settings.instance_dir),
    )
    return subprocess.run([str(MICROCRED), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_command_prints_only_what_was_asked_for(settings):
    result = microcred(settings, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Audit trail intact: 0 event(s) verified.\n"
    # WeasyPrint used to log "INFO weasyprint.progress: Step 2 - Fetching and parsing CSS" lines on import.
    assert " INFO " not in result.stderr, result.stderr


def test_db_upgrade_says_which_revision_it_reached_and_nothing_else(settings, tmp_path):
    settings = dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    first = microcred(settings, "db", "upgrade")
    again = microcred(settings, "db", "upgrade")

    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert re.fullmatch(r"Database is at revision \w+ \(was empty\)\.\n", first.stdout), first.stdout
    assert re.fullmatch(r"Database is at revision \w+ \(no change\)\.\n", again.stdout), again.stdout
    # Alembic used to log "INFO alembic.runtime.migration: Context impl SQLiteImpl." and each step it ran.
    assert first.stderr == again.stderr == "", first.stderr + again.stderr
