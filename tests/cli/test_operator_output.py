"""What operators read: ``credentials list`` prints whole names and titles, and ``--help`` leads with our commands."""

from __future__ import annotations

import re

LONG_NAME = "Maximiliana Esperanza Fernández-Rodríguez y Villanueva"
TITLE = "Checking for understanding with exit tickets"  # the builders' title: 44 characters


def test_credentials_list_shows_whole_names_and_titles_in_aligned_columns(run, build):
    teacher = build.user("teacher", email="max.fernandez@riverside.example.org", name=LONG_NAME)
    slug = build.published()
    mine = build.credential(slug, teacher)
    other = build.credential(slug)

    result = run("credentials", "list")

    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.split() == ["UUID", "EARNER", "MICRO-CREDENTIAL", "ISSUED", "STATUS"]
    assert len(lines) == 2
    [mine_line] = [line for line in lines if line.startswith(mine.uuid)]
    assert LONG_NAME in mine_line and TITLE in mine_line
    assert re.search(r"  2026-09-01  valid$", mine_line)  # the district's day, ISO for operators
    # Every column starts at the same place on every line.
    for heading in ("EARNER", "MICRO-CREDENTIAL", "ISSUED", "STATUS"):
        column = header.index(heading)
        assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines), heading
    assert any(line.startswith(other.uuid) for line in lines)


def test_credentials_list_says_when_there_is_nothing(run, build):
    build.issuer()
    result = run("credentials", "list")
    assert result.exit_code == 0 and result.output == "No credentials have been issued.\n"


def test_help_lists_our_commands_before_flasks(run):
    result = run("--help")

    assert result.exit_code == 0, result.output
    text = result.output
    ours = text.index("Commands:")
    flasks = text.index("Flask's own commands (for developers):")
    options = text.index("Options (from Flask, for developers):")
    assert ours < flasks < options
    for command in ("db", "issuer", "users", "credentials", "verify", "backup", "restore"):
        assert re.search(rf"^  {command} ", text[ours:flasks], re.MULTILINE), command
    for command in ("run", "shell", "routes"):
        assert re.search(rf"^  {command} ", text[flasks:options], re.MULTILINE), command
    assert "--env-file" in text[options:] and "--env-file" not in text[:options]
    # Whole first sentences, not cut off with "...".
    assert "..." not in text[ours:flasks]
    assert "files (as they are, encrypted) into DIR." in " ".join(text[ours:flasks].split())


def test_flasks_own_commands_still_work(run):
    result = run("routes")
    assert result.exit_code == 0, result.output
    assert "/admin/audit" in result.output
