"""Print how long ``make test`` and ``make test-postgres`` take, and their total (target < 300 s).

    python bench/suite.py

Both run from the project root with their output shown as they go; the figures are printed at the end. The first
``make test`` also installs the test extras if pyproject.toml changed since the last install, which is counted.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 300
TARGETS = ("test", "test-postgres")


def timed_make(target: str) -> tuple[float, int]:
    """Run ``make TARGET`` in the project root; return its wall time and exit status."""
    print(f"==== make {target} ====", flush=True)
    started = time.perf_counter()
    status = subprocess.run(["make", target], cwd=PROJECT_ROOT, check=False).returncode
    return time.perf_counter() - started, status


def main() -> int:
    results = {target: timed_make(target) for target in TARGETS}
    total = sum(seconds for seconds, _ in results.values())

    print()
    for target, (seconds, status) in results.items():
        outcome = "passed" if status == 0 else f"FAILED (exit {status})"
        print(f"make {target:<14} {seconds:7.1f} s   {outcome}")
    print(f"{'total':<19} {total:7.1f} s")
    print(f"target: total < {TARGET_SECONDS} s: {'met' if total < TARGET_SECONDS else 'MISSED'}")
    failed = [target for target, (_, status) in results.items() if status != 0]
    if failed:
        print(f"note: make {', make '.join(failed)} failed, so the figures time a failing run")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
