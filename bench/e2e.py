"""Time the whole journey in a real browser (tests/e2e/test_journey.py) and each of its steps (target < 180 s).

    .venv/bin/python bench/e2e.py [--artifacts DIR]

Runs the journey's tests with pytest in a subprocess (``-m e2e``; Chromium at /usr/bin/chromium), with
``E2E_ARTIFACTS`` set to DIR (default ``bench/results/e2e``, ignored by git), where the test writes each step's
wall-clock time to ``journey-timings.json`` next to its screenshots. Prints every step's time, the journey's (the
steps added up: what a person would sit through), the set-up of people before it, and the pytest process's wall
time (also Python start-up, Chromium, migration, signing keys, gunicorn and the accessibility and error checks).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 180
JOURNEY = "tests/e2e/test_journey.py"


def run_journey(artifacts: Path) -> tuple[float, int]:
    """Run the journey's tests; their wall time and pytest's exit status."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    environ["E2E_ARTIFACTS"] = str(artifacts)
    command = [sys.executable, "-m", "pytest", JOURNEY, "-m", "e2e", "-q", "-p", "no:cacheprovider"]
    print(f"==== {' '.join(command[1:])} (E2E_ARTIFACTS={artifacts}) ====", flush=True)
    started = time.perf_counter()
    status = subprocess.run(command, cwd=PROJECT_ROOT, env=environ, check=False).returncode
    return time.perf_counter() - started, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, default=PROJECT_ROOT / "bench" / "results" / "e2e")
    args = parser.parse_args()
    artifacts = args.artifacts.resolve()
    artifacts.mkdir(parents=True, exist_ok=True)
    timings_path = artifacts / "journey-timings.json"
    timings_path.unlink(missing_ok=True)

    wall, status = run_journey(artifacts)
    if not timings_path.exists():
        print(f"\nno step timings in {timings_path}: the journey did not run (pytest exit {status})")
        return 1
    timings = json.loads(timings_path.read_text())

    print()
    for number, step in enumerate(timings["steps"], start=1):
        note = "" if step["outcome"] == "passed" else f"   {step['outcome'].upper()}"
        print(f"{number:2d}. {step['name'].replace('_', ' '):<48} {step['seconds']:7.1f} s{note}")
    journey = timings["journey_seconds"]
    print(f"    {'the whole journey (steps added up)':<48} {journey:7.1f} s")
    scans = timings.get("accessibility_scan_seconds", 0.0)
    print(f"    {'  of which accessibility scans (axe-core)':<48} {scans:7.1f} s")
    print(f"    {'set-up of people before it (domain functions)':<48} {timings['people_setup_seconds']:7.1f} s")
    print(f"    {'pytest process, start to end':<48} {wall:7.1f} s")
    finished = bool(timings["steps"]) and all(s["outcome"] == "passed" for s in timings["steps"])
    verdict = "met" if finished and journey < TARGET_SECONDS else "MISSED"
    print(f"target: the whole journey < {TARGET_SECONDS} s: {verdict}")
    print(f"screenshots and accessibility reports: {artifacts}")
    if status != 0:
        print(f"note: pytest exited {status}, so these figures time a failing run")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
