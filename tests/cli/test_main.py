"""``microcred`` as the operator runs it: the console script (``credentials.cli:main``) in a process of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MICROCRED = Path(sys.executable).with_name("microcred")


def test_a_command_prints_only_what_was_asked_for(settings):
    assert MICROCRED.exists(), f"{MICROCRED} is missing: pip install -e . puts it next to the interpreter"
    env = {name: value for name, value in os.environ.items() if not name.startswith("MICROCRED_")}
    env.update(
        MICROCRED_ENV="testing",
        MICROCRED_DATABASE_URL=settings.database_url,
        MICROCRED_KEYS_DIR=str(settings.keys_dir),
        MICROCRED_UPLOADS_DIR=str(settings.uploads_dir),
        MICROCRED_INSTANCE_DIR=str(settings.instance_dir),
    )  # and the default log level, INFO, as in production

    result = subprocess.run(
        [str(MICROCRED), "audit", "verify"], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Audit trail intact: 0 event(s) verified.\n"
    # WeasyPrint used to log "INFO weasyprint.progress: Step 2 - Fetching and parsing CSS" lines on import.
    assert " INFO " not in result.stderr, result.stderr
