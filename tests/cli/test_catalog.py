"""``microcred catalog``: importing and exporting micro-credential definitions as JSON."""

from __future__ import annotations

import json

from credentials.domain.catalog import admin_page, microcredentials
from tests.builders import definition


def test_import_and_export_from_the_command_line(run, tmp_path, session):
    path = tmp_path / "exit-tickets.json"
    path.write_text(json.dumps(definition()))
    result = run("catalog", "import", str(path), "--publish")
    assert result.exit_code == 0, result.output
    assert "Imported exit-tickets as version 1 (published)." in result.output
    assert microcredentials.current_version(session, "exit-tickets").number == 1
    result = run("catalog", "export", "exit-tickets")
    assert result.exit_code == 0
    exported = json.loads(result.output)
    assert exported["version"] == 1 and exported["rubric"] == definition()["rubric"]


def test_import_errors_name_each_field_path(run, tmp_path, session):
    doc = definition()
    doc["rubric"]["criteria"][0]["levels"] = []
    doc["template"]["parts"][0]["prompts"][0]["word_limit"] = 0
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    result = run("catalog", "import", str(path))
    assert result.exit_code == 1
    assert "rubric.criteria[0].levels: Add at least 2." in result.output
    assert "template.parts[0].prompts[0].word_limit: Use a number of at least 1." in result.output
    assert admin_page.admin_overview(session) == []


def test_import_refuses_nan_and_infinity_by_field_path(run, tmp_path, session):
    doc = definition()
    doc["credit_hours"] = float("nan")
    doc["rubric"]["criteria"][0]["levels"][1]["points"] = float("inf")
    path = tmp_path / "not-finite.json"
    path.write_text(json.dumps(doc))  # Python writes NaN and Infinity, as some other tools do
    assert "NaN" in path.read_text() and "Infinity" in path.read_text()
    result = run("catalog", "import", str(path))
    assert result.exit_code == 1, result.output
    assert "credit_hours: Enter an ordinary number (not NaN or infinity)." in result.output
    assert "rubric.criteria[0].levels[1].points: Enter an ordinary number" in result.output
    assert admin_page.admin_overview(session) == []


def test_export_of_an_unknown_slug_fails_clearly(run):
    result = run("catalog", "export", "nope")
    assert result.exit_code == 1 and "There is no micro-credential at /microcredentials/nope." in result.output
