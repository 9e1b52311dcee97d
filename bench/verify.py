"""Verification figures, in one run, against gunicorn (2 sync workers: one per core; gunicorn.conf.py's threads are
turned off, so the figures compare with earlier runs) serving a throw-away app.

(a) ``/c/<uuid>`` against a baseline page (one row by primary key, a small template extending base.html, registered
    only in the bench app) under 32 concurrent connections with ``wrk``: requests/s, p50 and p99 latency, and ratio.
    The credential pages are viewed once first, so their proof checks are cached, as on a live site.
(b) ``POST /api/v1/verify`` of credentials not seen before: each pre-issued credential's signed JSON is posted once,
    from 4 client threads (the API never caches a credential's proof, only the issuer's status list proof).

Usage: ``python bench/verify.py [--database postgresql://127.0.0.1:5432/test]`` (default: a throw-away SQLite file).
Needs ``wrk`` (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live_server import HOST, PROJECT_ROOT, free_port
from bench.throwaway import migrated_app, postgres_database

CREDENTIALS = 520
CONNECTIONS = 32
DURATION = "15s"
API_THREADS = 4
BENCH_APP = '''
from flask import render_template
from jinja2 import ChoiceLoader, DictLoader
from credentials import create_app
from credentials.storage.models import User
from credentials.web.transaction import db

app = create_app()
SMALL = """{% extends "base.html" %}{% block title %}{{ user.name }}{% endblock %}
{% block content %}<h1>{{ user.name }}</h1><p>{{ user.email }}</p>{% endblock %}"""
app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, DictLoader({"bench/baseline.html": SMALL})])


@app.get("/bench/baseline/<int:user_id>")
def baseline(user_id):
    return render_template("bench/baseline.html", user=db().get(User, user_id))
'''
WRK_SCRIPT = """paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def seed(database_url: str, workdir: Path) -> tuple[list[str], list[int], dict[str, bytes]]:
    """Demo district, keys and CREDENTIALS issued credentials; their uuids, the user ids and the signed JSON."""
    from sqlalchemy import select

    from credentials.domain.audit import Actor
    from credentials.domain.credentials import issuance, issuer_keys
    from credentials.domain.demo import district
    from credentials.storage.database import transaction
    from credentials.storage.models import MicroCredentialVersion, User

    app = migrated_app(database_url, workdir, cheap_passwords=True)
    services = app.extensions["microcred"]
    now = services.clock()
    with transaction(services.session_factory) as session:
        district.load_demo(session, services.passwords, now=now)
        issuer_keys.generate_keys(session, services.keys, actor=Actor.system("bench"), now=now)
    documents: dict[str, bytes] = {}
    with transaction(services.session_factory) as session:
        version = session.scalars(select(MicroCredentialVersion).order_by(MicroCredentialVersion.id)).first()
        for number in range(CREDENTIALS):
            recipient = issuance.Recipient(f"Teacher {number}", f"teacher{number}@bench.example.org")
            credential, _ = issuance.issue(
                session, services.signing, version, recipient, awarded_at=now, source="admin",
                actor=Actor.system("bench"), now=now,
            )  # fmt: skip
            documents[credential.uuid] = credential.document.encode("utf-8")
        user_ids = list(session.scalars(select(User.id)))
    services.engine.dispose()
    return list(documents), user_ids, documents


def serve(workdir: Path, environ: dict[str, str], port: int) -> subprocess.Popen:
    (workdir / "bench_app.py").write_text(BENCH_APP)
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--worker-class", "sync",
               "--threads", "1", "--bind", f"{HOST}:{port}", "--backlog", "2048", "--chdir", str(workdir),
               "bench_app:app"]  # fmt: skip
    environ = {**environ, "PYTHONPATH": f"{workdir}:{PROJECT_ROOT}"}
    log = (workdir / "gunicorn.log").open("wb")
    process = subprocess.Popen(command, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not start:\n" + (workdir / "gunicorn.log").read_text(errors="replace")[-2000:])


def wrk(port: int, paths: list[str], workdir: Path) -> dict[str, float]:
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(path) for path in paths))
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(script), f"http://{HOST}:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        sys.exit(f"wrk saw {errors.group(1)} error responses:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def post_all(port: int, documents: list[bytes]) -> tuple[float, list[float], int]:
    def post(body: bytes) -> tuple[float, bool]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        connection.request("POST", "/api/v1/verify", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        verified = response.status == 200 and json.loads(response.read())["verified"]
        connection.close()
        return time.perf_counter() - started, verified

    started = time.perf_counter()
    with ThreadPoolExecutor(API_THREADS) as pool:
        results = list(pool.map(post, documents))
    elapsed = time.perf_counter() - started
    return elapsed, [seconds for seconds, _ in results], sum(1 for _, ok in results if ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL server URL (a throw-away database is made on it)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="microcred-bench-verify-")))
        url = stack.enter_context(postgres_database(args.database)) if args.database else f"sqlite:///{workdir}/b.db"
        uuids, user_ids, documents = seed(url, workdir)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
        environ.update(
            {
                "MICROCRED_ENV": "development",
                "MICROCRED_DATABASE_URL": url,
                "MICROCRED_LOG_LEVEL": "WARNING",
                "MICROCRED_INSTANCE_DIR": str(workdir / "instance"),
                "MICROCRED_KEYS_DIR": str(workdir / "keys"),
            }
        )
        port = free_port()
        server = serve(workdir, environ, port)
        stack.callback(lambda: (server.terminate(), server.wait(30)))
        pages = [f"/c/{uuid}" for uuid in uuids[:20]]
        for _ in range(2):  # each worker caches each page's proof check on its first view
            for path in pages:
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                connection.request("GET", path)
                assert connection.getresponse().status == 200, path
                connection.close()
        baselines = [f"/bench/baseline/{user_id}" for user_id in user_ids]
        print(f"database: {url.split(':', 1)[0]}; gunicorn 2 sync workers; wrk -c{CONNECTIONS} -d{DURATION}")
        base = wrk(port, baselines, workdir)
        page = wrk(port, pages, workdir)
        print(f"(a) baseline page     {base['rps']:8.0f} req/s  p50 {base['p50']:6.1f} ms  p99 {base['p99']:6.1f} ms")
        print(f"    /c/<uuid>         {page['rps']:8.0f} req/s  p50 {page['p50']:6.1f} ms  p99 {page['p99']:6.1f} ms")
        ratio = page["rps"] / base["rps"]
        verdict = "meets" if ratio >= 0.8 and page["p99"] < 100 else "MISSES"
        print(f"    ratio {ratio:.0%} of baseline (target >= 80%, p99 < 100 ms): {verdict} the target")
        fresh = [documents[uuid] for uuid in uuids[20:]]
        elapsed, latencies, verified = post_all(port, fresh)
        rate = len(fresh) / elapsed
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        print(
            f"(b) POST /api/v1/verify {len(fresh)} unseen credentials, {API_THREADS} client threads: {rate:.0f} "
            f"verifications/s (target >= 80), p50 {statistics.median(latencies) * 1000:.1f} ms, p99 {p99:.1f} ms, "
            f"{verified} verified"
        )


if __name__ == "__main__":
    main()
