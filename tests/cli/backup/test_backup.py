"""``microcred backup``: where it writes, what it says about a damaged installation, and the audit event it leaves;
restoring a backup of an older schema, and what a restore needs from the machine."""

from __future__ import annotations

import json
import os
import shutil
import stat

import pytest
from sqlalchemy import select

from credentials.domain.audit import EventFilter, find_events
from credentials.storage import migrate
from credentials.storage.backup import head_revision
from credentials.storage.models import Artifact
from tests.builders import png_bytes

from .conftest import draft_with_files, event_count, sha256_of


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_backup_is_private_listed_and_recorded_in_the_live_trail(run, build, services, tmp_path):
    build.credential()
    out = tmp_path / "backup"

    result = run("backup", "--out", str(out))

    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {entry["path"] for entry in manifest["files"]}
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert listed == on_disk
    assert {p.split("/")[0] for p in listed} == {next(out.glob("database.*")).name, "evidence", "keys"}
    assert manifest["database"]["backend"] == services.engine.dialect.name
    assert manifest["database"]["revision"] == migrate.current_revision(services.engine)
    assert manifest["microcred_version"] == "0.1.0" and manifest["warnings"] == []
    for entry in manifest["files"]:
        path = out / entry["path"]
        assert (sha256_of(path), path.stat().st_size, mode(path)) == (entry["sha256"], entry["size"], 0o600)
    assert mode(out) == 0o700 and mode(out / "keys") == 0o700
    # The live trail records the backup after the events it holds, and stays intact.
    with services.session_factory() as session:
        event = find_events(session, EventFilter(action="backup.created")).items[0]
    assert event.subject_id == sha256_of(out / "manifest.json")
    assert event.summary["last_event"] == manifest["database"]["audit_head"]["seq"] == event.seq - 1
    assert event_count(services) == event.seq
    assert run("audit", "verify").exit_code == 0


def test_the_backup_directory_must_be_new_or_empty(run, build, tmp_path):
    build.issuer()
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old-backup.tar").write_bytes(b"x")
    (tmp_path / "file").write_bytes(b"x")

    busy = run("backup", "--out", str(tmp_path / "used"))
    a_file = run("backup", "--out", str(tmp_path / "file"))
    empty = run("backup", "--out", str(tmp_path / "empty-dir"))

    assert busy.exit_code == 1 and "is not empty: a backup goes into a new or empty directory" in busy.output
    assert a_file.exit_code == 1 and "is a file: give a new or empty directory" in a_file.output
    assert empty.exit_code == 0, empty.output
    assert sorted(p.name for p in (tmp_path / "used").iterdir()) == ["old-backup.tar"]


def test_an_empty_database_has_nothing_to_back_up(target, tmp_path):
    result = target.run("backup", "--out", tmp_path / "backup")
    assert result.exit_code == 1
    assert "The database has no microcred tables: there is nothing to back up." in result.output
    assert not (tmp_path / "backup").exists()


def test_a_failed_backup_leaves_nothing_behind(run, build, services, tmp_path):
    build.issuer()
    # A directory where a blob should be: the copy fails part way, after the database was dumped.
    odd = services.evidence.blobs / "ab" / "cd" / ("abcd" + "0" * 60)
    odd.mkdir(parents=True)
    (tmp_path / "empty").mkdir()

    result = run("backup", "--out", str(tmp_path / "empty"))

    assert result.exit_code == 1
    assert "The backup failed: Is a directory" in result.output and "Nothing was kept" in result.output
    assert list((tmp_path / "empty").iterdir()) == []


def test_a_damaged_installation_is_backed_up_with_each_problem_named(run, build, services, target, tmp_path):
    slug = build.published()
    build.credential(slug)
    with services.session_factory() as session:
        lost = session.scalars(select(Artifact.sha256)).one()
    draft_with_files(build, slug, [("tickets.png", png_bytes())])
    store = services.evidence
    damaged = next(p for p in store.blobs.rglob("*") if p.is_file() and p.name != lost)
    damaged.write_bytes(b"bit rot")
    (store.blobs / lost[:2] / lost[2:4] / lost).unlink()
    kid = sorted(services.keys.directory.glob("*.pem"))[0].stem
    (services.keys.directory / f"{kid}.pem").unlink()

    result = run("backup", "--out", str(tmp_path / "backup"))

    assert result.exit_code == 1
    warnings = [
        f"WARNING: evidence blob {damaged.name} is damaged (its content's SHA-256 is",
        f"WARNING: evidence blob {lost} is in the database but not in MICROCRED_UPLOADS_DIR",
        f"WARNING: issuer key {kid} is in the database but its file is not in MICROCRED_KEYS_DIR",
    ]
    for warning in warnings:
        assert warning in result.stderr
    assert "The backup was written, but this installation has 3 problem(s)" in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert len(manifest["warnings"]) == 3

    # The backup restores what there is, and says again what is missing.
    restored = target.run("restore", tmp_path / "backup")
    assert restored.exit_code == 1
    assert f"WARNING: evidence blob {lost} is named by the database but is not in the backup" in restored.stderr
    assert f"WARNING: issuer key {kid} is in the database but its file is not in the backup" in restored.stderr
    assert "The backup was restored, but with" in restored.output
    assert target.run("audit", "verify").exit_code == 0


def test_a_backup_of_an_older_schema_is_migrated_after_the_restore(run, build, services, database, target, tmp_path):
    if database.backend != "sqlite":
        pytest.skip("downgrades the test's own database file, which only SQLite tests have")
    build.admin()
    migrate.downgrade(services.engine, "0005")
    assert run("backup", "--out", str(tmp_path / "backup")).exit_code == 0

    result = target.run("restore", tmp_path / "backup")

    assert result.exit_code == 0, result.output
    assert "revision 0005; migrated from revision 0005" in result.output
    assert migrate.current_revision(target.services.engine) == head_revision() != "0005"
    assert target.run("audit", "verify").exit_code == 0


def test_a_backup_from_a_newer_microcred_is_refused(backed_up, target):
    manifest = json.loads((backed_up / "manifest.json").read_text())
    manifest["database"]["revision"] = "0999"
    manifest["microcred_version"] = "9.0.0"
    (backed_up / "manifest.json").write_text(json.dumps(manifest))

    result = target.run("restore", backed_up)

    assert result.exit_code == 1
    assert "the backup's schema revision 0999 is unknown to this microcred (0.1.0): it was made by microcred 9.0.0" in (
        result.output
    )
    assert target.table_count() == 0


@pytest.mark.postgres
def test_without_the_postgresql_client_tools_both_commands_say_what_to_install(
    backed_up, run, services, target, tmp_path, monkeypatch
):
    with services.engine.connect() as connection:
        major = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))

    backup = run("backup", "--out", str(tmp_path / "second"))
    restore = target.run("restore", backed_up)

    assert backup.exit_code == 1 and restore.exit_code == 1
    assert f"pg_dump is not installed (or not on PATH): install the PostgreSQL {major} client tools" in backup.output
    assert f"apt-get install postgresql-client-{major}" in backup.output
    assert "pg_restore is not installed (or not on PATH)" in restore.output
    assert not (tmp_path / "second").exists() and target.table_count() == 0


@pytest.mark.postgres
def test_a_postgresql_backup_is_not_restored_into_sqlite(backed_up, target, tmp_path):
    target.settings = target.settings.with_overrides(database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}")
    result = target.run("restore", backed_up)
    assert result.exit_code == 1
    assert "the backup is of a PostgreSQL database but MICROCRED_DATABASE_URL names a SQLite one" in result.output


def test_evidence_already_in_an_earlier_backup_is_linked_not_copied(run, build, services, target, tmp_path):
    slug = build.published()
    build.credential(slug)
    assert run("backup", "--out", str(tmp_path / "monday")).exit_code == 0
    draft_with_files(build, slug, [("tickets.png", png_bytes())])
    monday_blob = next(p for p in (tmp_path / "monday" / "evidence").rglob("*") if p.is_file())

    result = run("backup", "--out", str(tmp_path / "tuesday"), "--link-dest", str(tmp_path / "monday"))

    assert result.exit_code == 0, result.output
    assert f"1 of the evidence files are hard links to the same files in {tmp_path / 'monday'}." in result.output
    tuesday_blob = tmp_path / "tuesday" / monday_blob.relative_to(tmp_path / "monday")
    assert tuesday_blob.stat().st_ino == monday_blob.stat().st_ino and monday_blob.stat().st_nlink == 2
    assert len([p for p in (tmp_path / "tuesday" / "evidence").rglob("*") if p.is_file()]) == 2
    # Complete on its own: Monday can go, Tuesday still restores.
    shutil.rmtree(tmp_path / "monday")
    restored = target.run("restore", tmp_path / "tuesday")
    assert restored.exit_code == 0, restored.output
    assert target.run("audit", "verify").exit_code == 0


def test_a_damaged_file_in_the_earlier_backup_is_copied_afresh(run, build, tmp_path):
    build.credential()
    assert run("backup", "--out", str(tmp_path / "monday")).exit_code == 0
    monday_blob = next(p for p in (tmp_path / "monday" / "evidence").rglob("*") if p.is_file())
    monday_blob.write_bytes(b"bit rot in the backup")

    result = run("backup", "--out", str(tmp_path / "tuesday"), "--link-dest", str(tmp_path / "monday"))

    assert result.exit_code == 0, result.output
    assert "0 of the evidence files are hard links" in result.output
    tuesday_blob = tmp_path / "tuesday" / monday_blob.relative_to(tmp_path / "monday")
    assert sha256_of(tuesday_blob) == tuesday_blob.name and tuesday_blob.stat().st_nlink == 1
    # No earlier backup (the first night, or a night that failed): everything is copied.
    first_night = run("backup", "--out", str(tmp_path / "wednesday"), "--link-dest", str(tmp_path / "nowhere"))
    assert first_night.exit_code == 0, first_night.output
    assert f"{tmp_path / 'nowhere'} is not a microcred backup: every evidence file was copied." in first_night.output


@pytest.mark.postgres
def test_a_database_that_does_not_exist_is_named(backed_up, target):
    url = target.settings.database_url.rsplit("/", 1)[0] + "/microcred_no_such_database"
    target.settings = target.settings.with_overrides(database_url=url)
    result = target.run("restore", backed_up)
    assert result.exit_code == 1
    assert "the database cannot be read: connection failed: " in result.output
    assert 'database "microcred_no_such_database" does not exist' in result.output
