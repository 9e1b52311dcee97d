"""Print how fast a 25 MB upload goes, in process and end to end through gunicorn, how much memory it takes, and
how many SQL queries the teacher dashboard runs with 1 and with 50 attempts.

1. In process: each run streams a 25 MiB file (an MP4 of random media data, then a PDF with a random stream) from
   disk through ``FilesystemEvidenceStore.receive`` (1 MiB chunks, SHA-256, fsync), ``detect_kind`` and ``keep``
   (fsync, rename). The kept blob is deleted between runs, untimed, so every keep really moves a file. Memory is
   ``ru_maxrss`` across all uploads, and tracemalloc's peak in one more.
2. End to end: ``microcred db upgrade`` and ``demo load`` into a temporary directory, ``gunicorn --workers 1``
   serving it on a free port; a demo teacher signs in over HTTP, starts ``exit-tickets`` and uploads a new 25 MiB
   PDF to its ``student-responses`` prompt in each run, the multipart body streamed from disk. A run is timed from
   the first byte sent to the response received; the file is removed again (untimed) before the next run. Memory
   is the worker's ``VmHWM`` (peak RSS, reset first to its present RSS where Linux allows) after a warm-up request
   and after the last upload.
3. Dashboard: in process, through the Flask test client against a throw-away SQLite database, the SQL queries and
   median time of ``GET /my/microcredentials`` for a teacher with 1 attempt, then 50 (one per micro-credential).

Targets: at least 50 MiB/s in every run, in process and end to end; under 10 MiB of memory growth; the same number
of dashboard queries with 1 and with 50 attempts. Without ``--in-process``, ``--http`` or ``--dashboard`` it runs all
three, in that order.

    .venv/bin/python bench/uploads.py [--runs 5] [--http-runs 3] [--requests 50] [--dir /path/on/the/uploads/fs]
                                      [--in-process] [--http] [--dashboard]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import struct
import sys
import tempfile
import time
import tracemalloc
import urllib.parse
from pathlib import Path

import live_server  # bench/live_server.py: a script's own directory is on sys.path
from sqlalchemy import select
from throwaway import counted_queries

from credentials import create_app
from credentials.config import Settings
from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials
from credentials.domain.demo.district import DEMO_CATALOG, DEMO_PASSWORD, load_demo
from credentials.domain.portfolio import attempts
from credentials.domain.portfolio.file_kinds import detect_kind
from credentials.storage import migrate
from credentials.storage.database import create_database_engine, transaction
from credentials.storage.evidence_store import FilesystemEvidenceStore
from credentials.storage.models import User

MiB = 1024 * 1024
SIZE = 25 * MiB
TARGET_MB_PER_S = 50
TARGET_GROWTH_MB = 10
TEACHER = "maria.lopez@riverside.example.org"
SLUG = "exit-tickets"
PROMPT = "student-responses"  # takes PDFs and images, up to 5 files
DASHBOARD_ATTEMPTS = 50


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">L", 8 + len(payload)) + kind + payload


def write_mp4(path: Path) -> None:
    """An MP4 whose boxes add up to 25 MiB: ftyp, a small moov, and an mdat of random bytes."""
    head = box(b"ftyp", b"isom\0\0\2\0isomiso2avc1mp41") + box(b"moov", box(b"mvhd", bytes(100)))
    write_random(path, head + struct.pack(">L", SIZE - len(head)) + b"mdat", b"")


def write_pdf(path: Path) -> None:
    """A PDF of 25 MiB: one page whose content stream is random bytes, then a cross-reference table and trailer."""
    start = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    start += b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
    start += b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"
    end_template = b"\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \ntrailer\n<< /Size 5 /Root 1 0 R >>\n"
    end_template += b"startxref\n%010d\n%%%%EOF\n"
    stream_header = b"4 0 obj\n<< /Length %010d >>\nstream\n"
    length = SIZE - len(start) - len(stream_header % 0) - len(end_template % 0)
    xref_at = SIZE - len(end_template % 0) + len(b"\nendstream\nendobj\n")
    write_random(path, start + stream_header % length, end_template % xref_at)


def write_random(path: Path, head: bytes, tail: bytes) -> None:
    """``head``, random bytes, ``tail``: SIZE bytes in all, written a chunk at a time."""
    remaining = SIZE - len(head) - len(tail)
    with path.open("wb") as out:
        out.write(head)
        while remaining:
            chunk = os.urandom(min(MiB, remaining))
            out.write(chunk)
            remaining -= len(chunk)
        out.write(tail)
    assert path.stat().st_size == SIZE


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def one_upload(store: FilesystemEvidenceStore, source: Path, expected: str, digest: str) -> dict:
    """Receive, detect and keep ``source``; the seconds each step took."""
    started = time.perf_counter()
    with source.open("rb") as stream:
        pending = store.receive(stream, max_bytes=SIZE)
    received = time.perf_counter()
    detected = detect_kind(pending.path)
    detected_at = time.perf_counter()
    blob = store.keep(pending)
    kept = time.perf_counter()
    if blob.sha256 != digest or blob.size != SIZE or not store.exists(blob.sha256):
        sys.exit(f"{source.name}: the kept blob does not match what was received")
    if detected.extension != expected:
        sys.exit(f"{source.name}: detected as {detected}, expected {expected}")
    store.delete(blob.sha256)
    return {"receive": received - started, "detect": detected_at - received, "keep": kept - detected_at}


def reset_peak_rss() -> bool:
    """Reset the process's peak RSS to its present RSS (Linux 4.0 and later); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mb() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (MiB if sys.platform == "darwin" else 1024)


def in_process(runs: int, base: Path | None) -> None:
    """The evidence store alone, in this process: receive, detect_kind and keep, per run and in all."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-", dir=base) as tmp:
        workdir = Path(tmp)
        print(f"uploads: receive + detect_kind + keep of a {SIZE // MiB} MiB file, {runs} runs per file")
        print(f"python: {sys.executable}   files in: {workdir}")
        sources = {"mp4": workdir / "lesson.mp4", "pdf": workdir / "portfolio.pdf"}
        write_mp4(sources["mp4"])
        write_pdf(sources["pdf"])
        store = FilesystemEvidenceStore(workdir / "evidence")
        digests = {name: sha256_of(path) for name, path in sources.items()}
        # Measured before the warm-up, so the first upload's allocations count too; on Linux the peak is first reset
        # to the present size, so imports and writing the files before cannot hide growth during the uploads.
        peak_reset = reset_peak_rss()
        rss_before = rss_mb()
        # One untimed upload of each warms the page cache, so the timed runs measure the steady state.
        for name, path in sources.items():
            one_upload(store, path, name, digests[name])

        totals = []
        for name, path in sources.items():
            for number in range(1, runs + 1):
                t = one_upload(store, path, name, digests[name])
                total = sum(t.values())
                totals.append(total)
                print(
                    f"{name} run {number}: receive {t['receive'] * 1000:6.1f} ms   detect {t['detect'] * 1000:5.2f} ms"
                    f"   keep {t['keep'] * 1000:5.1f} ms   total {total * 1000:6.1f} ms   "
                    f"{SIZE / MiB / total:6.1f} MiB/s"
                )
        rss_growth = rss_mb() - rss_before

        tracemalloc.start()
        one_upload(store, sources["mp4"], "mp4", digests["mp4"])
        _current, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        leftovers = [p.name for p in (workdir / "evidence" / "incoming").iterdir()]
        if leftovers:
            sys.exit(f"temporary files left behind: {leftovers}")

    speeds = [SIZE / MiB / t for t in totals]
    print()
    print(
        f"throughput       min {min(speeds):.1f} MiB/s   median {statistics.median(speeds):.1f} MiB/s   "
        f"max {max(speeds):.1f} MiB/s"
    )
    reset = (
        "reset to the present RSS" if peak_reset else "NOT reset (no /proc/self/clear_refs), so growth may be hidden"
    )
    print(
        f"peak RSS         {rss_before:.1f} MiB before the uploads ({reset}), growth {rss_growth:.1f} MiB during them"
    )
    print(f"tracemalloc      peak {traced_peak / MiB:.2f} MiB of Python allocations during one upload")
    speed_verdict = "met" if min(speeds) >= TARGET_MB_PER_S else "MISSED"
    print(f"target: >= {TARGET_MB_PER_S} MiB/s in process in every run (slowest {min(speeds):.1f}): {speed_verdict}")
    growth = max(rss_growth, traced_peak / MiB)
    memory_verdict = "met" if growth < TARGET_GROWTH_MB else "MISSED"
    print(f"target: < {TARGET_GROWTH_MB} MiB memory growth (largest measure {growth:.1f} MiB): {memory_verdict}")


def end_to_end(runs: int, base: Path | None) -> None:
    """Real HTTP to a real gunicorn worker: sign in, start an attempt, upload a new 25 MiB PDF per run."""
    plural = "s" if runs != 1 else ""
    print(f"\nend to end: {runs} upload{plural} of a {SIZE // MiB} MiB PDF over HTTP to gunicorn (1 sync worker),")
    print(f"each body streamed from disk; demo teacher {TEACHER}, attempt at {SLUG}, prompt {PROMPT}")
    with tempfile.TemporaryDirectory(prefix="microcred-bench-http-", dir=base) as tmp:
        workdir = Path(tmp)
        uploads = workdir / "uploads"
        with live_server.served(workdir) as server:
            browser = live_server.Browser(server.port)
            browser.sign_in(TEACHER, DEMO_PASSWORD)
            attempt = browser.start(SLUG)
            if browser.get(attempt).status != 200:  # the warm-up request
                sys.exit(f"GET {attempt} did not answer 200")
            worker = server.worker_pid()
            print(f"gunicorn master {server.pid}, worker {worker}, on 127.0.0.1:{server.port}; files in {workdir}")
            peak_reset = live_server.reset_peak(worker)
            before = live_server.memory_kib(worker)
            reset_peak_rss()  # this process's too: it must not hold a file in memory either
            own_before = rss_mb()
            seconds = []
            for number in range(1, runs + 1):
                source = workdir / f"responses-{number}.pdf"
                write_pdf(source)  # new bytes every run, so every keep really moves a new blob into place
                elapsed = upload_over_http(browser, attempt, source, sha256_of(source), uploads)
                seconds.append(elapsed)
                source.unlink()
                print(
                    f"http run {number}: {elapsed * 1000:7.1f} ms   {SIZE / MiB / elapsed:6.1f} MiB/s   "
                    f"(302 to the attempt, listed on its page, blob of {SIZE} bytes in the store)"
                )
            if server.worker_pid() != worker:
                sys.exit(f"worker {worker} was replaced during the uploads: see {server.log}")
            after = live_server.memory_kib(worker)
            own_growth = rss_mb() - own_before
            leftovers = [p.name for p in (uploads / "incoming").iterdir()]
            if leftovers:
                sys.exit(f"temporary files left behind in the uploads directory: {leftovers}")
        print(f"gunicorn stopped (exit {server.process.returncode})")

    speeds = [SIZE / MiB / s for s in seconds]
    print(
        f"http throughput  min {min(speeds):.1f} MiB/s   median {statistics.median(speeds):.1f} MiB/s   "
        f"max {max(speeds):.1f} MiB/s"
    )
    growth = (after["VmHWM"] - before["VmHWM"]) / 1024
    reset = "reset to its RSS first" if peak_reset else "NOT reset (no clear_refs), so growth may be hidden"
    print(
        f"worker memory    VmRSS {before['VmRSS'] / 1024:.1f} -> {after['VmRSS'] / 1024:.1f} MiB   "
        f"VmHWM {before['VmHWM'] / 1024:.1f} -> {after['VmHWM'] / 1024:.1f} MiB ({reset})   "
        f"peak growth {growth:.1f} MiB"
    )
    print(f"benchmark        peak RSS growth {own_growth:.1f} MiB while generating and sending the files")
    median = statistics.median(speeds)
    verdict = "met" if min(speeds) >= TARGET_MB_PER_S else "MISSED"
    print(f"target: >= {TARGET_MB_PER_S} MiB/s end to end (median {median:.1f}, slowest {min(speeds):.1f}): {verdict}")
    verdict = "met" if growth < TARGET_GROWTH_MB else "MISSED"
    print(f"target: < {TARGET_GROWTH_MB} MiB growth of the worker's peak RSS ({growth:.1f} MiB): {verdict}")


def upload_over_http(browser: live_server.Browser, attempt: str, source: Path, digest: str, uploads: Path) -> float:
    """Post ``source`` to the attempt's draft form as a browser does, check it landed, then remove it (untimed);
    the seconds from the first byte sent to the response received."""
    page = browser.get(attempt).text
    fields = [("csrf_token", live_server.csrf_from(page)), ("revision", live_server.revision_from(page))]
    body = live_server.MultipartFile([*fields, ("action", "save")], f"files-{PROMPT}", source, "application/pdf")
    reply, elapsed = browser.post_multipart(attempt, body)
    if reply.status != 302 or urllib.parse.urlsplit(reply.location).path != attempt:
        sys.exit(f"{source.name}: answered {reply.status} to {reply.location!r}, expected 302 to {attempt}")
    page = browser.get(attempt).text
    listed = re.search(rf">{re.escape(source.name)}</a>.*?value=\"remove:(\d+)\"", page, re.DOTALL)
    if not listed or f"Added {source.name}." not in page:
        sys.exit(f"{source.name}: the attempt page does not list the file after the upload")
    blob = uploads / "blobs" / digest[:2] / digest[2:4] / digest
    if not blob.is_file() or blob.stat().st_size != SIZE:
        sys.exit(f"{source.name}: no blob of {SIZE} bytes at {blob}")
    # Remove it again, so the prompt's five files and the attempt's 200 MB are never reached, however many runs.
    fields = {"csrf_token": live_server.csrf_from(page), "revision": live_server.revision_from(page)}
    removed = browser.post_form(attempt, {**fields, "action": f"remove:{listed.group(1)}"})
    if removed.status != 302:
        sys.exit(f"{source.name}: removing it answered {removed.status}, expected 302")
    return elapsed


def dashboard(requests: int) -> None:
    """Queries and time of the teacher dashboard with 1 attempt, then with one on each of 50 micro-credentials."""
    print(f"\ndashboard: GET /my/microcredentials through the Flask test client on SQLite, {requests} timed requests")
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        workdir = Path(tmp)
        settings = Settings.from_env(live_server.environ_for(workdir))  # reads only the MICROCRED_* variables
        engine = create_database_engine(settings.database_url)
        migrate.upgrade(engine)
        engine.dispose()
        app = create_app(settings)
        services = app.extensions["microcred"]
        try:
            slugs = publish_for_dashboard(services)
            client = app.test_client()
            sign_in(client)
            figures = {}
            for count in (1, DASHBOARD_ATTEMPTS):
                start_attempts(services, slugs[:count])
                figures[count] = time_dashboard(app, client, requests, count)
        finally:
            services.engine.dispose()
    for count, (times, queries) in figures.items():
        label = f"{count} attempt{'s' if count != 1 else ''}"
        print(
            f"with {label:<12} {_counts(queries):>3} queries   median {statistics.median(times):5.1f} ms   "
            f"max {max(times):5.1f} ms"
        )
    one, many = figures[1][1], figures[DASHBOARD_ATTEMPTS][1]
    verdict = "met" if one == many and len(one) == 1 else "MISSED"
    print(f"target: the same number of queries with 1 and {DASHBOARD_ATTEMPTS} attempts: {verdict}")


def publish_for_dashboard(services) -> list[str]:
    """The demo district, and 50 more published micro-credentials (copies of the exit-tickets definition)."""
    base = json.loads((DEMO_CATALOG / f"{SLUG}.json").read_text(encoding="utf-8"))
    base.pop("$schema", None)
    actor, slugs = Actor.system("bench"), []
    with transaction(services.session_factory) as session:
        load_demo(session, services.passwords, now=services.clock())
        for n in range(1, DASHBOARD_ATTEMPTS + 1):
            definition = {**base, "slug": f"dashboard-{n:02d}", "title": f"{base['title']} ({n})"}
            version = microcredentials.create_microcredential(session, definition, actor=actor, now=services.clock())
            microcredentials.publish_version(session, version, actor=actor, now=services.clock())
            slugs.append(definition["slug"])
    return slugs


def start_attempts(services, slugs: list[str]) -> None:
    """Start the teacher's attempt at each of ``slugs`` (an open attempt is returned, not duplicated)."""
    with transaction(services.session_factory) as session:
        teacher = session.scalars(select(User).where(User.email == TEACHER)).one()
        for slug in slugs:
            attempts.start_attempt(session, teacher, slug, now=services.clock())


def sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    form = {"csrf_token": live_server.csrf_from(page), "email": TEACHER, "password": DEMO_PASSWORD}
    if client.post("/login", data=form).status_code != 302:
        sys.exit(f"signing in as {TEACHER} through the test client failed")


def time_dashboard(app, client, requests: int, attempts_expected: int) -> tuple[list[float], set[int]]:
    """Time ``requests`` dashboard GETs after five untimed ones; the times in ms and the query counts seen."""
    engine = app.extensions["microcred"].engine
    for _ in range(5):
        client.get("/my/microcredentials").close()
    times, counts = [], set()
    for _ in range(requests):
        with counted_queries(engine) as seen:
            started = time.perf_counter()
            response = client.get("/my/microcredentials")
            elapsed = time.perf_counter() - started
        html = response.get_data(as_text=True)
        if response.status_code != 200 or html.count('href="/attempts/') != attempts_expected:
            sys.exit(f"the dashboard answered {response.status_code} without {attempts_expected} attempts listed")
        times.append(elapsed * 1000)
        counts.add(len(seen))
    return times, counts


def _counts(counts: set[int]) -> str:
    return "/".join(str(c) for c in sorted(counts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="in-process uploads of each file to time (default 5)")
    parser.add_argument("--http-runs", type=int, default=3, help="uploads over HTTP to time (default 3)")
    parser.add_argument("--requests", type=int, default=50, help="timed dashboard requests per size (default 50)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files (default: a temp directory)")
    parser.add_argument("--in-process", action="store_true", help="run the in-process part")
    parser.add_argument("--http", action="store_true", help="run the end-to-end part through gunicorn")
    parser.add_argument("--dashboard", action="store_true", help="run the dashboard part")
    args = parser.parse_args()
    if min(args.runs, args.http_runs, args.requests) < 1:
        parser.error("--runs, --http-runs and --requests must be 1 or more")
    everything = not (args.in_process or args.http or args.dashboard)
    if everything or args.in_process:
        in_process(args.runs, args.dir)
    if everything or args.http:
        end_to_end(args.http_runs, args.dir)
    if everything or args.dashboard:
        dashboard(args.requests)


if __name__ == "__main__":
    main()
