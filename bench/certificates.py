"""Print how fast a certificate PDF renders once warm (target: median <= 150 ms) and whether memory stays flat over
many renders (target: RSS after 500 renders within 30 MB of RSS after 10).

In process, with ``credentials.pdf`` alone (no app, no database): a certificate with a PNG logo and signature, five
rubric criteria and a QR code, rendered ``--warmups`` times untimed, then ``--renders`` times timed (each a complete
``render_certificate``: layout, HarfBuzz font subsetting, the credential attached). Then, from a fresh count, it
renders ``--soak`` certificates with a different earner each (the shape of a day's downloads) and reads the
process's resident memory (``VmRSS`` in ``/proc/self/status``) after the 10th and after the last. It also times a
PNG preview and ``extract_credential`` on the result, and says whether WeasyPrint found libharfbuzz-subset (without
it a render takes about six times longer).

Last, the cached download (target: at most 10 ms server time): a throw-away app on a migrated SQLite database with
the demo district, keys and one issued credential; ``GET /c/<uuid>.pdf`` is requested once (a cache miss that
renders) and then ``--downloads`` times through the app's WSGI interface in process, so each timing is the server's
whole handling of the request (routing, two queries, the file read, headers) without a network.

    .venv/bin/python bench/certificates.py [--renders 30] [--warmups 3] [--soak 500] [--downloads 300]
        [--paper letter|a4]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

from credentials.pdf import (
    CertificateData,
    CertificateTheme,
    extract_credential,
    harfbuzz_subset_available,
    render_certificate,
    render_preview_png,
    template_version,
)

TARGET_MEDIAN_MS = 150.0
TARGET_RSS_GROWTH_MB = 30.0
TARGET_CACHED_MS = 10.0
EARLY = 10
CRITERIA = [
    ("Alignment to learning target", "Proficient"),
    ("Item design", "Advanced"),
    ("Analysis of student responses", "Proficient"),
    ("Instructional response", "Accomplished"),
    ("Reflection on practice", "Proficient"),
]


def png(width: int, height: int, colour: tuple[int, int, int, int]) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, height - 4, height - 4), fill=colour)
    draw.rectangle((height + 8, height // 3, width - 4, 2 * height // 3), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def certificate(number: int, logo: bytes, signature: bytes) -> CertificateData:
    uuid = f"6f1d2c7e-8a3b-4c55-9d0e-{number:012d}"
    return CertificateData(
        earner_name=f"María Fernanda López {number}",
        title="Formative Assessment with Exit Tickets",
        competency="Designs, administers and acts on daily exit tickets to adjust the next lesson for every student.",
        awarded_on=date(2025, 3, 4),
        credit_hours=12.5,
        valid_until=date(2028, 3, 4),
        criteria=CRITERIA,
        issuer_name="Riverside Unified School District",
        issuer_url="https://riverside.example.org",
        issuer_logo=logo,
        signatory_name="Dr. Angela Brooks",
        signatory_title="Assistant Superintendent, Curriculum and Instruction",
        signature_image=signature,
        page_url=f"https://credentials.riverside.example.org/c/{uuid}",
        credential_id=f"urn:uuid:{uuid}",
        credential_json=b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:%s"}' % uuid.encode(),
    )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    sys.exit("VmRSS not found in /proc/self/status (this benchmark reads Linux's /proc)")


def milliseconds(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"min {ms[0]:.1f} ms   median {statistics.median(ms):.1f} ms   p95 {p95:.1f} ms   max {ms[-1]:.1f} ms"


def cached_downloads(runs: int) -> tuple[float, list[float]]:
    """Seconds for the first (rendering) download, and each of ``runs`` cached downloads, of one credential's PDF."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.throwaway import migrated_app
    from credentials.domain.audit import Actor
    from credentials.domain.credentials import issuance, issuer_keys
    from credentials.domain.demo import district
    from credentials.storage.database import transaction
    from credentials.storage.models import MicroCredentialVersion

    with tempfile.TemporaryDirectory(prefix="microcred-bench-certificates-") as workdir:
        app = migrated_app(f"sqlite:///{workdir}/b.db", Path(workdir), cheap_passwords=True)
        services = app.extensions["microcred"]
        now = services.clock()
        with transaction(services.session_factory) as session:
            district.load_demo(session, services.passwords, now=now)
            issuer_keys.generate_keys(session, services.keys, actor=Actor.system("bench"), now=now)
        with transaction(services.session_factory) as session:
            version = session.query(MicroCredentialVersion).order_by(MicroCredentialVersion.id).first()
            recipient = issuance.Recipient("María Fernanda López", "maria@bench.example.org")
            credential, _ = issuance.issue(
                session, services.signing, version, recipient, awarded_at=now, source="admin",
                actor=Actor.system("bench"), now=now,
            )  # fmt: skip
            path = f"/c/{credential.uuid}.pdf"
        client = app.test_client()
        started = time.perf_counter()
        first = client.get(path)
        miss = time.perf_counter() - started
        assert first.status_code == 200 and first.mimetype == "application/pdf", first.status
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200 and len(response.data) == len(first.data)
        services.engine.dispose()
    return miss, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=30, help="timed renders (default 30)")
    parser.add_argument("--warmups", type=int, default=3, help="untimed renders first (default 3)")
    parser.add_argument("--soak", type=int, default=500, help="renders for the memory check (default 500)")
    parser.add_argument("--downloads", type=int, default=300, help="cached downloads timed (default 300)")
    parser.add_argument("--paper", choices=("letter", "a4"), default="letter")
    args = parser.parse_args()
    if args.renders < 1 or args.warmups < 0 or args.soak < EARLY:
        parser.error(f"--renders must be 1 or more, --warmups 0 or more, --soak {EARLY} or more")

    logo = png(480, 140, (31, 58, 95, 255))
    signature = png(600, 150, (20, 30, 90, 255))
    theme = CertificateTheme()
    print(f"certificates: render_certificate in process, paper {args.paper}, template version {template_version()}")
    print(f"python: {sys.executable}")
    print(f"HarfBuzz subsetter: {'found' if harfbuzz_subset_available() else 'MISSING (fontTools fallback, slow)'}")

    data = certificate(0, logo, signature)
    started = time.perf_counter()
    pdf = render_certificate(data, theme, args.paper)
    print(f"first render (fonts registered, caches cold): {(time.perf_counter() - started) * 1000:.1f} ms")
    for _ in range(args.warmups):
        render_certificate(data, theme, args.paper)
    timings = []
    for _ in range(args.renders):
        started = time.perf_counter()
        pdf = render_certificate(data, theme, args.paper)
        timings.append(time.perf_counter() - started)
    print(f"warm render, {args.renders} runs after {args.warmups} warm-ups: {milliseconds(timings)}")
    print(f"PDF size: {len(pdf) / 1024:.1f} KiB")

    started = time.perf_counter()
    preview = render_preview_png(data, theme, args.paper)
    print(
        f"PNG preview (render + rasterise at 96 dpi): {(time.perf_counter() - started) * 1000:.1f} ms, "
        f"{len(preview) / 1024:.1f} KiB"
    )
    started = time.perf_counter()
    if extract_credential(pdf) != data.credential_json:
        sys.exit("extract_credential did not give back the attached credential")
    print(f"extract_credential: {(time.perf_counter() - started) * 1000:.1f} ms")

    early = late = 0.0
    started = time.perf_counter()
    for number in range(1, args.soak + 1):
        render_certificate(certificate(number, logo, signature), theme, args.paper)
        if number == EARLY:
            early = rss_mb()
    late = rss_mb()
    elapsed = time.perf_counter() - started
    print(f"soak: {args.soak} renders of different certificates in {elapsed:.1f} s")
    print(
        f"RSS after {EARLY} renders {early:.1f} MB, after {args.soak} renders {late:.1f} MB "
        f"(growth {late - early:+.1f} MB)"
    )

    miss, downloads = cached_downloads(args.downloads)
    print(f"download through the app, first (renders and caches): {miss * 1000:.1f} ms")
    print(f"cached download through the app, {args.downloads} runs: {milliseconds(downloads)}")

    median_ms = statistics.median(timings) * 1000
    print()
    print(
        f"target: warm median <= {TARGET_MEDIAN_MS:.0f} ms ({median_ms:.1f} ms): "
        f"{'met' if median_ms <= TARGET_MEDIAN_MS else 'MISSED'}"
    )
    growth = late - early
    print(
        f"target: RSS growth within {TARGET_RSS_GROWTH_MB:.0f} MB ({growth:+.1f} MB): "
        f"{'met' if growth <= TARGET_RSS_GROWTH_MB else 'MISSED'}"
    )
    cached_ms = statistics.median(downloads) * 1000
    print(
        f"target: cached download <= {TARGET_CACHED_MS:.0f} ms server time (median {cached_ms:.2f} ms): "
        f"{'met' if cached_ms <= TARGET_CACHED_MS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
