"""Print how long a new process takes to import the app, build it, and answer its first requests (target < 1.5 s).

Each run is a new Python process that times ``from credentials import create_app``, ``create_app(settings)`` and a
first ``GET /`` and ``GET /healthz`` against a copy of a migrated SQLite database in a throw-away directory.

    .venv/bin/python bench/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.5

# Runs in the child process; prints one JSON line of timings. Settings come from an explicit environ, so nothing in
# the caller's environment leaks in.
CHILD = """
import json, sys, time
t0 = time.perf_counter()
from credentials import create_app
from credentials.config import Settings
t1 = time.perf_counter()
app = create_app(Settings.from_env(json.loads(sys.argv[1])))
t2 = time.perf_counter()
client = app.test_client()
statuses = [client.get("/").status_code, client.get("/healthz").status_code]
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "create_app": t2 - t1, "requests": t3 - t2, "statuses": statuses}))
"""


def development_environ(workdir: Path, database: Path) -> dict[str, str]:
    """Development settings whose files all live in ``workdir``."""
    return {
        "MICROCRED_ENV": "development",
        "MICROCRED_DATABASE_URL": f"sqlite:///{database}",
        "MICROCRED_INSTANCE_DIR": str(workdir / "instance"),
        "MICROCRED_KEYS_DIR": str(workdir / "keys"),
        "MICROCRED_UPLOADS_DIR": str(workdir / "uploads"),
        "MICROCRED_LOG_LEVEL": "WARNING",
    }


def migrated_template(workdir: Path) -> Path:
    """Create and migrate the database every run starts from (not timed)."""
    from credentials.config import Settings
    from credentials.storage import migrate
    from credentials.storage.database import create_database_engine

    template = workdir / "template.sqlite3"
    # Reading the settings once also creates the development secret, so no run pays for that.
    settings = Settings.from_env(development_environ(workdir, template))
    engine = create_database_engine(settings.database_url)
    migrate.upgrade(engine)
    engine.dispose()
    return template


def one_run(workdir: Path, template: Path, number: int) -> dict:
    """Time one new process against its own copy of the template database."""
    database = workdir / f"run-{number}.sqlite3"
    shutil.copyfile(template, database)
    environ = json.dumps(development_environ(workdir, database))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, environ], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    process = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"run {number} failed (exit {result.returncode}):\n{result.stderr}")
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    if timings["statuses"] != [200, 200]:
        sys.exit(f"run {number}: GET / and GET /healthz answered {timings['statuses']}, expected [200, 200]")
    timings["total"] = timings["import"] + timings["create_app"] + timings["requests"]
    timings["process"] = process
    return timings


def summary(label: str, values: list[float]) -> str:
    return f"{label:<16} min {min(values):.3f} s   median {statistics.median(values):.3f} s   max {max(values):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="number of new processes to time (default 5)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more")

    print(f"startup: import + create_app + first GET / and GET /healthz, a new process per run ({args.runs} runs)")
    print(f"python: {sys.executable}")
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        workdir = Path(tmp)
        template = migrated_template(workdir)
        runs = []
        for number in range(1, args.runs + 1):
            t = one_run(workdir, template, number)
            runs.append(t)
            print(
                f"run {number}: import {t['import']:.3f} s   create_app {t['create_app']:.3f} s   "
                f"first requests {t['requests']:.3f} s   total {t['total']:.3f} s   "
                f"(whole process {t['process']:.3f} s)"
            )

    print()
    for key, label in (
        ("import", "import"),
        ("create_app", "create_app"),
        ("requests", "first requests"),
        ("total", "total"),
        ("process", "whole process"),
    ):
        print(summary(label, [t[key] for t in runs]))
    slowest = max(t["total"] for t in runs)
    verdict = "met" if slowest < TARGET_SECONDS else "MISSED"
    print(f"target: total < {TARGET_SECONDS} s in every run (slowest {slowest:.3f} s): {verdict}")


if __name__ == "__main__":
    main()
