"""Every test gets an app from ``create_app`` and a database of its own, migrated exactly as in production.

The suite runs on SQLite by default. Set ``MICROCRED_TEST_DATABASE_URL`` to a PostgreSQL URL (for example
``postgresql://127.0.0.1:5432/test``) to run all of it on PostgreSQL; tests marked ``postgres`` run only then.
Under pytest-xdist (``make test`` runs one worker per core) every worker is a process of its own, with its own
temporary SQLite template and its own PostgreSQL database (named after the worker's process id).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url

from credentials import create_app
from credentials.config import Settings
from credentials.storage import migrate
from credentials.storage.database import create_database_engine, normalize_database_url
from credentials.storage.models import Base

from .builders import Builders

pytest_plugins = ["tests.interop.fixture"]

POSTGRES_URL = os.environ.get("MICROCRED_TEST_DATABASE_URL", "")
NEEDS_POSTGRES = (
    "needs PostgreSQL: run the suite with MICROCRED_TEST_DATABASE_URL=postgresql://HOST:PORT/DB (make test-postgres)"
)


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason=NEEDS_POSTGRES)
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


class Database:
    """A migrated database for the whole test session, reset to empty for every test."""

    def __init__(self, tmp_path_factory):
        self.backend = "postgresql" if POSTGRES_URL else "sqlite"
        self.reset_engine = None
        if POSTGRES_URL:
            self.url = self._create_postgres_database(normalize_database_url(POSTGRES_URL))
        else:
            self.template = tmp_path_factory.mktemp("db") / "template.sqlite3"
            self.url = f"sqlite:///{self.template}"
        engine = create_database_engine(self.url)
        migrate.upgrade(engine)
        engine.dispose()

    def _create_postgres_database(self, url: str) -> str:
        from sqlalchemy import create_engine

        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        name = f"microcred_test_{os.getpid()}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            pytest.exit(f"MICROCRED_TEST_DATABASE_URL is set but PostgreSQL is not usable: {exc}", returncode=3)
        finally:
            admin.dispose()
        self.admin_url, self.name = url, name
        return make_url(url).set(database=name).render_as_string(hide_password=False)

    def fresh_url(self, tmp_path) -> str:
        """A URL of an empty, fully migrated database for one test."""
        if self.backend == "sqlite":
            path = tmp_path / "microcred.sqlite3"
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        return self.url

    def reset(self) -> None:
        """Empty every table (PostgreSQL; SQLite tests get a new file instead)."""
        if self.backend == "sqlite":
            return
        if self.reset_engine is None:
            self.reset_engine = create_database_engine(self.url)
        # DELETE, children first, is far cheaper than TRUNCATE for the few rows a test leaves behind.
        with self.reset_engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != "audit_head":
                    conn.execute(table.delete())
            conn.execute(text("UPDATE audit_head SET seq = 0, sha256 = :zero"), {"zero": "0" * 64})

    def drop(self) -> None:
        if self.reset_engine is not None:
            self.reset_engine.dispose()
        if self.backend == "postgresql":
            from sqlalchemy import create_engine

            admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    db = Database(tmp_path_factory)
    yield db
    db.drop()


@pytest.fixture
def settings(database, tmp_path) -> Settings:
    url = database.fresh_url(tmp_path)
    return Settings(
        env="testing",
        database_url=url,
        secret_key="test-secret-" + "x" * 40,
        public_url="https://microcred.test",
        public_url_is_default=False,
        keys_dir=tmp_path / "keys",
        uploads_dir=tmp_path / "uploads",
        instance_dir=tmp_path / "instance",
        password_hash_cheap=True,
        log_level="WARNING",
    )


class Clock:
    """A settable clock, so tests can move time (token expiry, throttling windows)."""

    def __init__(self):
        self.now = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        from datetime import timedelta

        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings, clock, database):
    application = create_app(settings)
    application.extensions["microcred"].clock = clock
    yield application
    application.extensions["microcred"].engine.dispose()
    database.reset()


@pytest.fixture
def services(app):
    return app.extensions["microcred"]


@pytest.fixture
def build(services) -> Builders:
    return Builders(services)


@pytest.fixture
def session(services):
    """A session for arranging and inspecting data directly; each ``with session.begin()`` is one commit."""
    with services.session_factory() as s:
        yield s


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def encode_multipart(fields, files, boundary="microcred-test-boundary"):
    """A multipart body, encoded here because Werkzeug's test encoder leaks a temp file past 500 KB.

    ``fields`` are (name, value) pairs; ``files`` are (name, filename, bytes) triples.
    """
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    for name, filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Browser:
    """A test client that submits forms as a browser does: GET the page, then POST with its CSRF token."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def submit(self, url, data=None, *, page=None, **kwargs):
        page_html = self.client.get(page or url).get_data(as_text=True)
        return self.client.post(url, data={**(data or {}), "csrf_token": csrf_from(page_html)}, **kwargs)

    def upload(self, url, fields, files, *, page=None):
        """Submit a multipart form (see ``encode_multipart``)."""
        page_html = self.client.get(page or url).get_data(as_text=True)
        pairs = [*fields.items(), ("csrf_token", csrf_from(page_html))]
        body, content_type = encode_multipart(pairs, [(name, *file) for name, file in files.items()])
        return self.client.post(url, data=body, content_type=content_type)

    def login(self, email, password="correct horse battery"):
        response = self.submit("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.submit("/logout", page="/")


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


ADMIN_EMAIL = "dana.whitfield@riverside.example.org"
ADMIN_NAME = "Dana Whitfield"


@pytest.fixture
def admin(browser, build) -> Browser:
    """A browser signed in as an issuer admin (``ADMIN_EMAIL``)."""
    build.admin(email=ADMIN_EMAIL, name=ADMIN_NAME)
    browser.login(ADMIN_EMAIL)
    return browser


@pytest.fixture
def slug(build) -> str:
    """A published micro-credential's address."""
    return build.published()


@pytest.fixture
def count_queries(services):
    """Count the SQL statements run inside a ``with count_queries() as counter:`` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(services.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(services.engine, "before_cursor_execute", before)

    return counting
