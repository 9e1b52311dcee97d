"""A throw-away microcred served by gunicorn, and a browser that talks to it over real HTTP (used by uploads.py).

``served(workdir)`` runs ``microcred db upgrade`` and ``microcred demo load`` against a SQLite database in
``workdir``, starts gunicorn as gunicorn.conf.py sets it up but with one worker (``--workers 1``) from the project root
on a free port, and stops it when the block ends, also on failure. ``Browser`` keeps cookies in an
``http.cookiejar.CookieJar``, opens one connection per request and streams multipart bodies from disk, so the caller
never holds a file in memory.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG = PROJECT_ROOT / "gunicorn.conf.py"
BIN = Path(sys.executable).parent  # the venv the benchmark runs in: its microcred and gunicorn
HOST = "127.0.0.1"
CHUNK = 1024 * 1024
READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
REVISION_RE = re.compile(r'name="revision" value="(\d+)"')


def environ_for(workdir: Path) -> dict[str, str]:
    """The caller's environment without its MICROCRED_* settings, plus development settings kept in ``workdir``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MICROCRED_")}
    environ.update(
        {
            "MICROCRED_ENV": "development",
            "MICROCRED_DATABASE_URL": f"sqlite:///{workdir / 'microcred.sqlite3'}",
            "MICROCRED_INSTANCE_DIR": str(workdir / "instance"),
            "MICROCRED_KEYS_DIR": str(workdir / "keys"),
            "MICROCRED_UPLOADS_DIR": str(workdir / "uploads"),
            "MICROCRED_LOG_LEVEL": "WARNING",
        }
    )
    return environ


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pid(self) -> int:
        """The pid of the one gunicorn worker (the master's only child)."""
        children = children_of(self.pid)
        if len(children) != 1:
            sys.exit(f"expected one gunicorn worker under master {self.pid}, found {children or 'none'}")
        return children[0]

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited with {self.process.returncode} before answering:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/healthz")
                status = connection.getresponse().status
                connection.close()
            except OSError:
                status = None
            if status == 200:
                return
            time.sleep(0.1)
        sys.exit(f"gunicorn did not answer 200 on /healthz within {READY_TIMEOUT_SECONDS} s:\n{self.log_tail()}")

    def stop(self) -> int | None:
        """Stop gunicorn gracefully (SIGTERM to the master), killing its process group if it does not stop in
        time; the master's exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own group: started with start_new_session
                self.process.wait()
        return self.process.returncode

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def children_of(pid: int) -> list[int]:
    """The child processes of ``pid``, from /proc/PID/task/*/children, or from every process's parent pid."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(child) for child in task.read_text().split())
    if found:
        return sorted(found)
    for stat in Path("/proc").glob("[0-9]*/stat"):  # kernels without CONFIG_PROC_CHILDREN
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return sorted(found)


def memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` (the peak RSS) of a process, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def reset_peak(pid: int) -> bool:
    """Reset a process's peak RSS to its present RSS (Linux 4.0 and later); False where that is not possible."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def served(workdir: Path, *, signing_keys: bool = False) -> Iterator[Server]:
    """Migrate and load the demo district into ``workdir`` (with signing keys and so the demo's credentials, if
    ``signing_keys``), then serve it with one gunicorn worker."""
    environ = environ_for(workdir)
    for command in (["db", "upgrade"], *([["keys", "generate"]] if signing_keys else []), ["demo", "load"]):
        result = subprocess.run(
            [BIN / "microcred", *command], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            sys.exit(f"microcred {' '.join(command)} failed (exit {result.returncode}):\n{result.stderr}")
    port = free_port()
    log = workdir / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [BIN / "gunicorn", "--config", CONFIG, "--workers", "1", "--bind", f"{HOST}:{port}"],
            cwd=PROJECT_ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process=process, port=port, log=log)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    text: str


class MultipartFile:
    """A multipart/form-data body of some fields and one file, read from disk a MiB at a time as it is sent."""

    def __init__(self, fields: Iterable[tuple[str, str]], name: str, path: Path, media_type: str):
        self.boundary = f"microcred-bench-{secrets.token_hex(12)}"
        dash = f"--{self.boundary}\r\n"
        head = "".join(f'{dash}Content-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields)
        head += f'{dash}Content-Disposition: form-data; name="{name}"; filename="{path.name}"\r\n'
        head += f"Content-Type: {media_type}\r\n\r\n"
        self.head, self.tail = head.encode(), f"\r\n--{self.boundary}--\r\n".encode()
        self.path = path
        self.length = len(self.head) + path.stat().st_size + len(self.tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        with self.path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk
        yield self.tail


class Browser:
    """Requests to the served app with the cookies a browser would keep; each returns the reply and its seconds,
    timed from the first byte sent to the whole response received."""

    def __init__(self, port: int):
        self.port = port
        self.jar = http.cookiejar.CookieJar()

    def get(self, path: str) -> Reply:
        return self.send("GET", path)[0]

    def post_form(self, path: str, fields: dict[str, str]) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))}
        return self.send("POST", path, headers, [body])[0]

    def post_multipart(self, path: str, body: MultipartFile) -> tuple[Reply, float]:
        headers = {"Content-Type": body.content_type, "Content-Length": str(body.length)}
        return self.send("POST", path, headers, body.chunks())

    def send(
        self, method: str, path: str, headers: dict[str, str] | None = None, chunks: Iterable[bytes] = ()
    ) -> tuple[Reply, float]:
        # A urllib Request only carries cookies to and from the jar; nothing is opened through urllib.
        for_jar = urllib.request.Request(f"http://{HOST}:{self.port}{path}", method=method)
        self.jar.add_cookie_header(for_jar)
        connection = http.client.HTTPConnection(HOST, self.port, timeout=300)
        try:
            connection.connect()  # not timed: the clock starts with the first byte of the request
            started = time.perf_counter()
            connection.putrequest(method, path)
            for name, value in [*(headers or {}).items(), *for_jar.header_items()]:
                connection.putheader(name, value)
            connection.endheaders()
            for chunk in chunks:
                connection.send(chunk)
            response = connection.getresponse()
            content = response.read()
            elapsed = time.perf_counter() - started
            self.jar.extract_cookies(response, for_jar)
        finally:
            connection.close()
        reply = Reply(response.status, response.getheader("Location", ""), content.decode("utf-8", "replace"))
        return reply, elapsed

    def sign_in(self, email: str, password: str) -> None:
        page = self.get("/login")
        reply = self.post_form("/login", {"csrf_token": csrf_from(page.text), "email": email, "password": password})
        if reply.status != 302:
            sys.exit(f"signing in as {email} answered {reply.status}, expected 302")

    def start(self, slug: str) -> str:
        """Start (or reopen) an attempt at ``slug`` from its page; the attempt page's path."""
        page = self.get(f"/microcredentials/{slug}")
        reply = self.post_form(f"/microcredentials/{slug}/start", {"csrf_token": csrf_from(page.text)})
        path = urllib.parse.urlsplit(reply.location).path
        if reply.status != 302 or not path.startswith("/attempts/"):
            sys.exit(f"starting {slug} answered {reply.status} to {reply.location!r}, expected 302 to /attempts/N")
        return path


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        sys.exit("no CSRF token in the page")
    return match.group(1) or match.group(2)


def revision_from(html: str) -> str:
    match = REVISION_RE.search(html)
    if not match:
        sys.exit("no revision in the attempt page (is the attempt still a draft?)")
    return match.group(1)
