"""Print how fast growth plans answer (issue 17): a goal's measure chart with 40 check-ins (target: under 10 ms to
render), the teacher's plan page with 3 goals and 40 check-ins each (target: median under 30 ms, queries that do not
grow with check-ins; see bench/plan_page.py), and the district's goals board with 5,000 teachers and 12,000 goals
(target: median under 30 ms, the same number of SQL queries with 100 and with 12,000 goals; see
bench/goals_board.py). Suggestions have a bench of their own, bench/suggestions.py.

Each figure is a section: a function that prints its lines and says whether its targets were met (see SECTIONS).

*chart* renders the SVG chart of one goal (baseline, 40 weekly check-ins, target: what the goal page shows) with
``measure_chart`` in process, a few times untimed to warm up, then ``--renders`` times, and prints median, p95 and
max in ms of wall-clock time, and the median of the thread's CPU time beside it (on a busy machine the wall clock
also counts waiting for a core).

    .venv/bin/python bench/plans.py [--renders 200] [--requests 200] [--only chart|page|board] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from goals_board import goals_board_section
from plan_page import plan_page_section

from credentials.domain.plans.measure_chart import measure_chart

CHART_TARGET_MS = 10.0
CHART_CHECK_INS = 40
WARM_UP = 5


@dataclass(frozen=True)
class Timings:
    """Wall-clock and CPU milliseconds of repeated runs."""

    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.wall, n=100, method="inclusive")[94]

    def line(self, label: str, target_ms: float) -> str:
        verdict = "met" if self.median < target_ms else "MISSED"
        return (
            f"{label:<34}{self.median:>7.2f} ms{self.p95:>8.2f} ms{max(self.wall):>8.2f} ms"
            f"{statistics.median(self.cpu):>8.2f} ms   target median < {target_ms:g} ms: {verdict}"
        )


def timed(run: Callable[[], object], times: int) -> Timings:
    """Run ``run`` a few times untimed, then ``times`` times timed."""
    for _ in range(WARM_UP):
        run()
    wall, cpu = [], []
    for _ in range(times):
        started, started_cpu = time.perf_counter(), time.thread_time()
        run()
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return Timings(wall, cpu)


def chart_section(args: argparse.Namespace) -> bool:
    """A goal's measure chart with 40 check-ins: median under 10 ms."""
    start = date(2026, 8, 17)
    check_ins = [(start + timedelta(days=7 * (week + 1)), 48 + week * 0.7 - (week % 3)) for week in range(40)]

    def render():
        return measure_chart(
            measure="Exit-ticket mastery on fractions",
            unit="%",
            baseline=48,
            baseline_on=start,
            target=75,
            target_on=date(2027, 5, 28),
            check_ins=check_ins,
            time_zone="America/Chicago",
        )

    chart = render()
    assert len(chart.rows) == CHART_CHECK_INS + 2 and "<script" not in chart.svg  # the thing timed works
    timings = timed(render, args.renders)
    print(f"\nchart: {args.renders} renders of one goal's SVG chart, in process ({len(chart.svg):,} bytes each)")
    print(f"{'':<34}{'median':>10}{'p95':>11}{'max':>11}{'cpu':>11}")
    print(timings.line(f"goal with {CHART_CHECK_INS} check-ins", CHART_TARGET_MS))
    return timings.median < CHART_TARGET_MS


def board_section(args: argparse.Namespace) -> bool:
    """The district's goals board, 5,000 teachers and 12,000 goals: median under 30 ms, queries constant."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        return goals_board_section(args, Path(tmp))


def page_section(args: argparse.Namespace) -> bool:
    """The teacher's plan page with 3 goals and 40 check-ins each: median under 30 ms, queries constant."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        return plan_page_section(args, Path(tmp))


# Each section prints its figures and returns whether its targets were met. Suggestions have their own bench
# (bench/suggestions.py: 1,000 micro-credentials and 50,000 credentials).
SECTIONS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "chart": chart_section,
    "page": page_section,
    "board": board_section,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200, help="timed chart renders (default 200)")
    parser.add_argument("--requests", type=int, default=200, help="timed goals-board requests (default 200)")
    parser.add_argument(
        "--postgres", metavar="URL", help="also run the goals board on a throw-away PostgreSQL database"
    )
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append", help="run only this section (repeatable)")
    args = parser.parse_args()
    if args.renders < 20 or args.requests < 20:
        parser.error("use at least 20 renders and 20 requests")

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"plans: {os.cpu_count()} cores, load average {load} (other work on the machine slows the wall clock)")
    results = {name: section(args) for name, section in SECTIONS.items() if not args.only or name in args.only}
    print()
    for name, met in results.items():
        print(f"{name}: targets {'met' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
