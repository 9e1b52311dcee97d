"""``microcred credentials``: listing, export, CSV issuance and pending issuance requests."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from credentials.openbadges.baking import unbake_png, unbake_svg
from credentials.storage.models import IssuedCredential


def test_credentials_list_and_export(run, build, tmp_path):
    credential = build.credential()
    table = run("credentials", "list")
    assert credential.uuid in table.output and "valid" in table.output
    [line] = run("credentials", "list", "--json").output.splitlines()
    row = json.loads(line)
    assert row["uuid"] == credential.uuid and row["status"] == "valid" and row["microcredential"] == "exit-tickets"
    exported = run("credentials", "export", credential.uuid)
    signed = json.loads(exported.output)
    assert signed["id"].endswith(credential.uuid)
    png = tmp_path / "badge.png"
    assert run("credentials", "export", credential.uuid, "--format", "png", "--out", str(png)).exit_code == 0
    assert json.loads(unbake_png(png.read_bytes())) == signed
    svg = tmp_path / "badge.svg"
    run("credentials", "export", credential.uuid, "--format", "svg", "--out", str(svg))
    assert json.loads(unbake_svg(svg.read_bytes())) == signed
    jwt = run("credentials", "export", credential.uuid, "--format", "jwt")
    assert jwt.output.count(".") == 2
    missing = run("credentials", "export", "00000000-0000-4000-8000-000000000000")
    assert missing.exit_code == 1 and "no credential" in missing.output


def test_issue_csv_reports_every_bad_row_and_issues_nothing(run, build, services, session, tmp_path):
    build.issuer_keys()
    build.published()
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,email,microcredential,awarded_on\n"
        "Ana Ruiz,ana@example.org,exit-tickets,2024-06-01\n"
        ",not-an-email,no-such-thing,yesterday\n"
        "Ana Ruiz,ana@example.org,exit-tickets,2024-06-01\n"
        "Ben Ode,ben@example.org,exit-tickets,2999-01-01\n"
    )
    result = run("credentials", "issue-csv", str(bad))
    assert result.exit_code == 1
    for expected in ("line 3: name is empty", "line 3: email", "no-such-thing", "not a date", "line 4: repeats line 2",
                     "line 5: awarded_on 2999-01-01 is in the future"):  # fmt: skip
        assert expected in result.output, result.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_issue_csv_names_the_line_of_an_endless_cell_invisible_characters_or_bytes_that_are_not_utf8(
    run, build, session, tmp_path
):
    build.issuer_keys()
    build.published()
    good = "Ana Ruiz,ana@example.org,exit-tickets,2024-06-01\n"
    for body, expected in [
        (f"{good}{'x' * 140_000},ben@example.org,exit-tickets,2024-06-01\n".encode(),
         "line 3: a cell is longer than 131,072 characters"),
        (f"{good}Ben\x00Ode,ben@example.org,exit-tickets,2024-06-01\n".encode(),
         "line 3: name contains an invisible control or formatting character (U+0000) at position 4"),
        (f"{good}Ben Ode,ben@example.org\u2066,exit-tickets,2024-06-01\n".encode(),
         "line 3: email contains an invisible control or formatting character (U+2066 LEFT-TO-RIGHT ISOLATE)"),
        (f"{good}Jos\u00e9 Ode,jo@example.org,exit-tickets,2024-06-01\n".encode("latin-1"),
         "line 3: the file is not UTF-8 text"),
    ]:  # fmt: skip
        path = tmp_path / "people.csv"
        path.write_bytes(b"name,email,microcredential,awarded_on\n" + body)
        result = run("credentials", "issue-csv", "--dry-run", str(path))
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception  # no traceback
        assert expected in result.output, result.output
        assert "nothing was issued" in result.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0


def test_issue_csv_dry_run_then_issue_then_rerun_is_a_no_op(run, build, session, tmp_path):
    build.issuer_keys()
    build.published()
    good = tmp_path / "good.csv"
    good.write_text(
        "Email,Name,MicroCredential,Awarded_On\n"
        "ana@example.org,Ana Ruiz,exit-tickets,2024-06-01\n"
        "ben@example.org,Ben Ode,exit-tickets,2023-09-15\n"
    )
    dry = run("credentials", "issue-csv", "--dry-run", str(good))
    assert dry.exit_code == 0 and "All 2 row(s) are valid" in dry.output
    assert session.scalar(select(func.count()).select_from(IssuedCredential)) == 0
    issued = run("credentials", "issue-csv", str(good))
    assert issued.exit_code == 0 and "Issued 2 credential(s)" in issued.output
    again = run("credentials", "issue-csv", str(good))
    assert "Issued 0 credential(s); 2 row(s) were already issued" in again.output
    session.rollback()
    names = sorted(c.recipient_name for c in session.scalars(select(IssuedCredential)))
    assert names == ["Ana Ruiz", "Ben Ode"]


def test_credentials_process_issues_pending_requests(run, build, session):
    attempt = build.earned()  # decided before any key exists: the request waits
    build.issuer_keys()
    result = run("credentials", "process")
    assert "Issued 1 of 1" in result.output
    session.rollback()
    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id
