"""A second, empty installation to restore into: its own database (a new SQLite file, or a second scratch PostgreSQL
database next to the suite's) and its own uploads and keys directories."""

from __future__ import annotations

import hashlib
import io

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from credentials import create_app
from credentials.cli import microcred
from credentials.domain.portfolio import attempts, evidence
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, User
from tests.builders import Builders

PASSPHRASE = "the district's key passphrase, kept in a vault"


class Installation:
    """An app over the restore target, built on first use, with its CLI and services."""

    def __init__(self, settings, clock):
        self.settings, self.clock, self._app = settings, clock, None

    @property
    def app(self):
        if self._app is None:
            self._app = create_app(self.settings)
            self._app.extensions["microcred"].clock = self.clock
        return self._app

    @property
    def services(self):
        return self.app.extensions["microcred"]

    def run(self, *args, **kwargs):
        """Run ``microcred`` against this installation."""
        return self.app.test_cli_runner().invoke(microcred, args=[str(arg) for arg in args], **kwargs)

    def build(self) -> Builders:
        return Builders(self.services)

    def last_event(self) -> AuditEvent:
        with self.services.session_factory() as session:
            return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()

    def table_count(self) -> int:
        from credentials.storage.backup import existing_tables

        return len(existing_tables(self.services.engine))

    def close(self) -> None:
        if self._app is not None:
            self.services.engine.dispose()


@pytest.fixture
def target(database, settings, clock, tmp_path):
    """An empty installation (no tables, no evidence, no keys, no passphrase) to restore into."""
    root = tmp_path / "restored"
    admin = name = None
    if database.backend == "sqlite":
        url = f"sqlite:///{root / 'microcred.sqlite3'}"
    else:
        admin = create_engine(database.admin_url, isolation_level="AUTOCOMMIT")
        name = f"{database.name}_restore"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(database.url).set(database=name).render_as_string(hide_password=False)
    installation = Installation(
        settings.with_overrides(
            database_url=url,
            keys_dir=root / "keys",
            uploads_dir=root / "uploads",
            instance_dir=root / "instance",
            key_passphrase="",
        ),
        clock,
    )
    yield installation
    installation.close()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def backed_up(run, build, tmp_path):
    """A backup of a small district with one issued credential; returns its directory."""
    build.credential()
    out = tmp_path / "backup"
    result = run("backup", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def event_count(services) -> int:
    with services.session_factory() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def draft_with_files(build, slug, files):
    """A teacher's attempt still in progress, with uploaded files (drafts are restored too)."""
    services = build.services
    teacher = build.user("teacher", school=build.school())
    limits = evidence.UploadLimits(per_file=25 * 1024 * 1024, per_attempt=200 * 1024 * 1024)
    with transaction(services.session_factory) as session:
        t = session.get(User, teacher.id)
        attempt = attempts.start_attempt(session, t, slug, now=services.clock())
        for filename, content in files:
            evidence.add_artifact(
                session, services.evidence, attempt, t, prompt_key="tickets", stream=io.BytesIO(content),
                filename=filename, limits=limits, now=services.clock(),
            )  # fmt: skip
