"""Print how fast a 25 MB upload goes through receive, detect_kind and keep, and how much memory it takes.

Each run streams a 25 MiB file (an MP4 of random media data, then a PDF with a random stream) from disk through
``FilesystemEvidenceStore.receive`` (1 MiB chunks, SHA-256, fsync), ``detect_kind`` and ``keep`` (fsync, rename).
The kept blob is deleted between runs, untimed, so every keep really moves a file. Targets: at least 50 MB/s end to
end, and under 10 MB of peak memory growth (``ru_maxrss`` across all uploads, and tracemalloc's peak in one more).

    .venv/bin/python bench/uploads.py [--runs 5] [--dir /path/on/the/uploads/filesystem]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import struct
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from credentials.domain.file_kinds import detect_kind
from credentials.storage.evidence_store import FilesystemEvidenceStore

MiB = 1024 * 1024
SIZE = 25 * MiB
TARGET_MB_PER_S = 50
TARGET_GROWTH_MB = 10


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="uploads of each file to time (default 5)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files (default: a temp directory)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be 1 or more")

    with tempfile.TemporaryDirectory(prefix="microcred-bench-", dir=args.dir) as tmp:
        workdir = Path(tmp)
        print(f"uploads: receive + detect_kind + keep of a {SIZE // MiB} MiB file, {args.runs} runs per file")
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
            for number in range(1, args.runs + 1):
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
    print(f"target: >= {TARGET_MB_PER_S} MiB/s end to end in every run (slowest {min(speeds):.1f}): {speed_verdict}")
    growth = max(rss_growth, traced_peak / MiB)
    memory_verdict = "met" if growth < TARGET_GROWTH_MB else "MISSED"
    print(f"target: < {TARGET_GROWTH_MB} MiB memory growth (largest measure {growth:.1f} MiB): {memory_verdict}")


if __name__ == "__main__":
    main()
