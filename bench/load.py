"""Load held: 200 simulated people for 60 s against gunicorn on PostgreSQL, with every route's latency, the server
errors, and each worker's memory over the run.

    .venv/bin/python bench/load.py [--postgres URL] [--users 200] [--seconds 60] [--workers 2]

The district (built once, before the clock starts, in a throw-away database on the server of ``--postgres``): the demo
district (``microcred demo load``), 80 more teachers each with a draft of *Checking for Understanding with Exit
Tickets*, 20 more reviewers (capacity 100) and 200 submitted attempts routed to them, 30 of them earned and issued.
Passwords are hashed at the cheap test cost so that signing 200 people in before the run takes seconds; the run
itself signs nobody in.

The people, each a thread with its own cookies and a think time of 1 to 3 s between requests:
- 40% teachers: the dashboard, their attempt page, a draft save (text answers), and every fourth round an upload of
  a 200 KB PDF;
- 10% reviewers: their queue, a review page, a draft of scores, and every third round a submitted review (which
  decides attempts and issues credentials after the response);
- 50% visitors without an account: a credential page, its JSON, the catalog, a micro-credential, the verify form
  and a verification of a credential pasted into it.

gunicorn is started from the project root as ``make run`` starts it (``--workers``, plus ``gunicorn.conf.py`` when the
checkout has one). Printed: per route, requests, refusals (4xx: a draft changed elsewhere, a review already
decided), server errors (5xx), p50/p95/p99/max in ms; the totals; each
worker's resident memory at the start of the run, its maximum and at the end (flat: end within 10% of start plus
20 MB). Targets: 0 server errors; memory per worker flat.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import (
    BIN,
    CSRF_RE,
    HOST,
    PROJECT_ROOT,
    REVISION_RE,
    Browser,
    MultipartFile,
    Server,
    children_of,
    free_port,
    memory_kib,
)  # fmt: skip
from load_district import PASSWORD, SLUG, TEXTS, build_district, environ_for, pdf_bytes
from throwaway import postgres_database

ROUTE_PATTERNS = [(re.compile(p), name) for p, name in (
    (r"^/c/[0-9a-f-]{36}\.json$", "/c/<uuid>.json"),
    (r"^/c/[0-9a-f-]{36}$", "/c/<uuid>"),
    (r"^/attempts/\d+$", "/attempts/<id>"),
    (r"^/reviews/\d+$", "/reviews/<id>"),
    (r"^/microcredentials/[a-z0-9-]+$", "/microcredentials/<slug>"),
)]  # fmt: skip
ASSIGNMENT_RE = re.compile(r'href="/reviews/(\d+)"')
CRITERION_RE = re.compile(r'name="level-([a-z0-9-]+)"')


class Results:
    """Latencies and statuses per route, collected from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.refused: dict[str, int] = defaultdict(int)
        self.failures: list[str] = []

    def record(self, method: str, path: str, status: int, seconds: float) -> None:
        route = f"{method} {route_of(path)}"
        with self.lock:
            self.times[route].append(seconds)
            if 400 <= status < 500:
                self.refused[route] += 1
            if status >= 500:
                self.errors[route] += 1
                if len(self.failures) < 10:
                    self.failures.append(f"{route} -> {status}")


def route_of(path: str) -> str:
    path = path.split("?", 1)[0]
    for pattern, name in ROUTE_PATTERNS:
        if pattern.match(path):
            return name
    return path


class Person:
    """One simulated person: a browser, a think time, and a round of requests repeated until the run ends."""

    def __init__(self, port: int, results: Results, rng: random.Random):
        self.browser, self.results, self.rng = Browser(port), results, rng

    def request(self, method: str, path: str, fields: dict | None = None, upload: MultipartFile | None = None):
        if upload is not None:
            headers = {"Content-Type": upload.content_type, "Content-Length": str(upload.length)}
            reply, seconds = self.browser.send("POST", path, headers, upload.chunks())
        elif fields is not None:
            started = time.perf_counter()
            reply = self.browser.post_form(path, fields)
            seconds = time.perf_counter() - started
        else:
            reply, seconds = self.browser.send(method, path)
        self.results.record(method, path, reply.status, seconds)
        return reply

    def live(self, until: float, rounds) -> None:
        number = 0
        while time.monotonic() < until:
            try:
                rounds(number)
            except OSError as exc:
                self.results.record("ERR", type(exc).__name__, 599, 0.0)
            number += 1
            time.sleep(self.rng.uniform(1.0, 3.0))


def csrf(text: str) -> str:
    match = CSRF_RE.search(text)
    return (match.group(1) or match.group(2)) if match else ""


def teacher(person: Person, attempt_id: int, workdir: Path):
    upload_file = workdir / f"upload-{attempt_id}.pdf"
    upload_file.write_bytes(pdf_bytes(200_000))

    def round_(number: int) -> None:
        person.request("GET", "/my/microcredentials")
        page = person.request("GET", f"/attempts/{attempt_id}").text
        revision = REVISION_RE.search(page)
        fields = [("csrf_token", csrf(page)), ("revision", revision.group(1) if revision else ""), ("action", "save")]
        fields += [(f"answer-{k}", f"{v} (round {number})") for k, v in TEXTS.items()]
        if number % 4 == 3:
            body = MultipartFile(fields, "files-exit-ticket", upload_file, "application/pdf")
            person.request("POST", f"/attempts/{attempt_id}", upload=body)
        else:
            person.request("POST", f"/attempts/{attempt_id}", dict(fields))

    return round_


def reviewer(person: Person):
    def round_(number: int) -> None:
        ids = ASSIGNMENT_RE.findall(person.request("GET", "/reviews").text)
        if not ids:
            return
        assignment = person.rng.choice(ids)
        page = person.request("GET", f"/reviews/{assignment}").text
        levels = {f"level-{key}": "proficient" for key in dict.fromkeys(CRITERION_RE.findall(page))}
        fields = {"csrf_token": csrf(page), **levels, "overall": "Specific, well-chosen evidence."}
        fields["action"] = "submit" if number % 3 == 2 else "save"
        person.request("POST", f"/reviews/{assignment}", fields)

    return round_


def visitor(person: Person, credentials: list[str], credential_json: str):
    def round_(_number: int) -> None:
        uuid = person.rng.choice(credentials)
        choice = person.rng.randrange(6)
        if choice == 0:
            person.request("GET", f"/c/{uuid}")
        elif choice == 1:
            person.request("GET", f"/c/{uuid}.json")
        elif choice == 2:
            person.request("GET", "/microcredentials")
        elif choice == 3:
            person.request("GET", f"/microcredentials/{SLUG}")
        else:
            form = person.request("GET", "/verify").text
            person.request("POST", "/verify", {"csrf_token": csrf(form), "credential": credential_json})

    return round_


def serve(environ: dict[str, str], workdir: Path, workers: int) -> Server:
    port = free_port()
    log = workdir / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [BIN / "gunicorn", "--workers", str(workers), "--bind", f"{HOST}:{port}", "wsgi:app"],
            cwd=PROJECT_ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(process=process, port=port, log=log)
    server.wait_until_ready()
    return server


def rss_mib(pid: int) -> float:
    return memory_kib(pid)["VmRSS"] / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(args) -> int:
    with tempfile.TemporaryDirectory(prefix="microcred-load-") as tmp, postgres_database(args.postgres) as url:
        workdir = Path(tmp)
        environ = environ_for(workdir, url)
        n_teachers, n_reviewers = int(args.users * 0.4), max(1, int(args.users * 0.1))
        started = time.perf_counter()
        made = build_district(environ, n_teachers, 20)
        print(f"district built in {time.perf_counter() - started:.0f} s: {len(made['teachers'])} teachers with "
              f"drafts, 200 submissions, {len(made['credentials'])} credentials")  # fmt: skip
        server = serve(environ, workdir, args.workers)
        try:
            results, rng = Results(), random.Random(2026)
            people: list[tuple[Person, object]] = []
            for n in range(args.users):
                person = Person(server.port, results, random.Random(rng.random()))
                if n < n_teachers:
                    email, attempt_id = made["teachers"][n]
                    person.browser.sign_in(email, PASSWORD)
                    people.append((person, teacher(person, attempt_id, workdir)))
                elif n < n_teachers + n_reviewers:
                    person.browser.sign_in(made["reviewers"][(n - n_teachers) % len(made["reviewers"])], PASSWORD)
                    people.append((person, reviewer(person)))
                else:
                    people.append((person, visitor(person, made["credentials"], made["credential_json"])))
            workers = children_of(server.pid)
            memory = {pid: [rss_mib(pid)] for pid in workers}
            until = time.monotonic() + args.seconds
            threads = [threading.Thread(target=p.live, args=(until, r), daemon=True) for p, r in people]
            for thread in threads:
                thread.start()
            while time.monotonic() < until:
                time.sleep(5)
                for pid in workers:
                    memory[pid].append(rss_mib(pid))
            for thread in threads:
                thread.join(timeout=120)
            for pid in workers:
                memory[pid].append(rss_mib(pid))
            alive = sorted(set(children_of(server.pid)))
        finally:
            server.stop()
        report(args, results, memory, workers, alive)
        return 0


HEADINGS = ("p50 ms", "p95 ms", "p99 ms", "max ms")


def spread(times: list[float]) -> str:
    """Median, 95th and 99th percentiles and maximum, in ms, as table columns."""
    values = (statistics.median(times), percentile(times, 0.95), percentile(times, 0.99), max(times))
    return "".join(f"{value * 1000:>9.1f}" for value in values)


def report(args, results: Results, memory: dict[int, list[float]], workers: list[int], alive: list[int]) -> None:
    print(f"\n{args.users} people for {args.seconds} s; gunicorn --workers {args.workers}"
          f"{' + gunicorn.conf.py' if (PROJECT_ROOT / 'gunicorn.conf.py').exists() else ''}")  # fmt: skip
    print(f"{'route':<34} {'requests':>8} {'4xx':>5} {'5xx':>5}" + "".join(f"{h:>9}" for h in HEADINGS))
    everything: list[float] = []
    for route in sorted(results.times):
        times = results.times[route]
        everything += times
        print(f"{route:<34} {len(times):>8} {results.refused[route]:>5} {results.errors[route]:>5}" + spread(times))
    total, refused, errors = len(everything), sum(results.refused.values()), sum(results.errors.values())
    print(
        f"{'all':<34} {total:>8} {refused:>5} {errors:>5}{spread(everything)}  ({total / args.seconds:.0f} requests/s)"
    )
    for failure in results.failures:
        print(f"  e.g. {failure}")
    flat = True
    for pid in workers:
        series = memory[pid]
        steady = series[-1] <= series[0] * 1.1 + 20
        flat &= steady
        print(f"worker {pid}: RSS {series[0]:.0f} MiB at the start, max {max(series):.0f}, {series[-1]:.0f} at the end"
              f" ({'flat' if steady else 'GROWING'})")  # fmt: skip
    if set(alive) != set(workers):
        print(f"workers changed during the run (restarted or killed): {workers} -> {alive}")
    print(f"target: 0 server errors: {'met' if errors == 0 else 'MISSED'}; memory per worker flat: "
          f"{'met' if flat else 'MISSED'}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://127.0.0.1:5432/test", metavar="URL")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (as make run)")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
