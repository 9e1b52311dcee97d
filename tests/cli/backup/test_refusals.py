"""A restore refuses a backup that does not match its manifest, and an installation that is not empty; either way it
says why, file by file, and leaves the target as it was."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from .conftest import sha256_of


def database_file(backup):
    return next(backup.glob("database.*")).name


def first(backup, folder):
    return sorted(p for p in (backup / folder).rglob("*") if p.is_file())[0]


def alter_blob(backup):
    blob = first(backup, "evidence")
    original = sha256_of(blob)
    blob.write_bytes(blob.read_bytes()[:-1] + b"!")
    path = blob.relative_to(backup).as_posix()
    return f"{path}: altered (its SHA-256 is {sha256_of(blob)}, the manifest says {original})"


def alter_key_file_and_its_size(backup):
    key = first(backup, "keys")
    size = key.stat().st_size
    key.write_bytes(key.read_bytes() + b"\n")
    return f"keys/{key.name}: {size + 1} bytes, the manifest says {size}"


def alter_manifest_hash(backup):
    manifest = json.loads((backup / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"].startswith("database."))
    real, entry["sha256"] = entry["sha256"], "0" * 64
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return f"{entry['path']}: altered (its SHA-256 is {real}, the manifest says {'0' * 64})"


def drop_from_manifest(backup):
    manifest = json.loads((backup / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"].startswith("keys/"))
    manifest["files"].remove(entry)
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return f"{entry['path']}: an extra file the manifest does not list"


def remove_key_file(backup):
    key = first(backup, "keys")
    key.unlink()
    return f"keys/{key.name}: missing (the manifest lists it)"


def remove_database(backup):
    name = database_file(backup)
    (backup / name).unlink()
    return f"{name}: missing (the manifest lists it)"


def add_extra_file(backup):
    (backup / "notes.txt").write_text("restore me too")
    return "notes.txt: an extra file the manifest does not list"


def add_extra_blob(backup):
    content = b"a blob nobody listed"
    sha = hashlib.sha256(content).hexdigest()
    path = backup / "evidence" / sha[:2] / sha[2:4] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return f"evidence/{sha[:2]}/{sha[2:4]}/{sha}: an extra file the manifest does not list"


def add_link(backup):
    (backup / "keys" / "extra.pem").symlink_to("/etc/hostname")
    return "keys/extra.pem: not a regular file (a backup holds no links or devices)"


def rename_blob_in_manifest(backup):
    manifest = json.loads((backup / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"].startswith("evidence/"))
    entry["sha256"] = "f" * 64
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return f"manifest.json gives {entry['path']} another SHA-256 ({'f' * 64}) than its name"


def list_a_path_outside(backup):
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"].append({"path": "../../etc/passwd", "size": 1, "sha256": "a" * 64})
    (backup / "manifest.json").write_text(json.dumps(manifest))
    return "manifest.json lists '../../etc/passwd', which has no place in a backup"


def break_manifest_json(backup):
    (backup / "manifest.json").write_text('{"format": "microcred-backup",')
    return "manifest.json is not valid JSON"


def remove_manifest(backup):
    (backup / "manifest.json").unlink()
    return "has no manifest.json: it is not a microcred backup, or the backup was interrupted"


TAMPERING = [
    alter_blob,
    alter_key_file_and_its_size,
    alter_manifest_hash,
    drop_from_manifest,
    remove_key_file,
    remove_database,
    add_extra_file,
    add_extra_blob,
    add_link,
    rename_blob_in_manifest,
    list_a_path_outside,
    break_manifest_json,
    remove_manifest,
]


@pytest.mark.parametrize("tamper", TAMPERING, ids=lambda f: f.__name__)
def test_a_tampered_backup_is_refused_naming_the_file(backed_up, target, tamper):
    problem = tamper(backed_up)

    result = target.run("restore", backed_up)

    assert result.exit_code == 1, result.output
    assert problem in result.output
    assert "nothing was restored" in result.output
    assert target.table_count() == 0
    assert not target.settings.uploads_dir.exists() and not target.settings.keys_dir.exists()


def test_every_difference_is_listed_at_once(backed_up, target):
    problems = [alter_blob(backed_up), remove_key_file(backed_up), add_extra_file(backed_up)]
    result = target.run("restore", backed_up)
    assert result.exit_code == 1
    assert f"Error: The backup in {backed_up} does not match its manifest; nothing was restored:" in result.output
    for problem in problems:
        assert f"\n  - {problem}" in result.output


def test_a_manifest_is_held_to_the_sha256_the_backup_printed(backed_up, target):
    fingerprint = sha256_of(backed_up / "manifest.json")
    manifest = json.loads((backed_up / "manifest.json").read_text())
    manifest["created_at"] = "2020-01-01T00:00:00+00:00"  # no file changes: only the fingerprint shows it
    (backed_up / "manifest.json").write_text(json.dumps(manifest))

    result = target.run("restore", backed_up, "--manifest-sha256", fingerprint)

    assert result.exit_code == 1
    assert f"has the SHA-256 {sha256_of(backed_up / 'manifest.json')}, not {fingerprint}" in result.output
    assert target.table_count() == 0


def test_a_non_empty_installation_is_refused_with_every_reason(backed_up, target):
    assert target.run("db", "upgrade").exit_code == 0
    blob = target.settings.uploads_dir / "blobs" / "ab" / "cd" / ("abcd" + "0" * 60)
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"someone else's evidence")
    target.settings.keys_dir.mkdir()
    (target.settings.keys_dir / "ed25519-0123456789ab.pem").write_bytes(b"a key")

    result = target.run("restore", backed_up)

    assert result.exit_code == 1
    output = result.output
    assert "Error: This installation cannot take the backup; nothing was restored:" in output
    assert re.search(r"the database is not empty: it has \d+ table\(s\) \(alembic_version, ", output)
    assert "restore into a new, empty database" in output
    assert f"MICROCRED_UPLOADS_DIR ({target.settings.uploads_dir}) is not empty" in output
    keys = target.settings.keys_dir
    assert f"MICROCRED_KEYS_DIR ({keys}) already holds key files (ed25519-0123456789ab.pem)" in output
    # Nothing was touched.
    assert blob.read_bytes() == b"someone else's evidence"
    assert sorted(p.name for p in target.settings.keys_dir.iterdir()) == ["ed25519-0123456789ab.pem"]


def test_an_empty_schema_counts_as_not_empty_but_a_readme_in_keys_does_not(backed_up, target):
    target.settings.keys_dir.mkdir(parents=True)
    (target.settings.keys_dir / "README.md").write_text("Issuer keys live here.")
    (target.settings.uploads_dir / "incoming").mkdir(parents=True)  # empty directories are empty

    result = target.run("restore", backed_up, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "matches its manifest" in result.output and "Nothing was restored (dry run)." in result.output
    assert target.table_count() == 0


def test_a_restore_into_the_installation_it_came_from_is_refused(backed_up, run):
    result = run("restore", str(backed_up))
    assert result.exit_code == 1
    assert "the database is not empty" in result.output and "MICROCRED_KEYS_DIR" in result.output
