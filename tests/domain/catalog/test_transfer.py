import json

import pytest

from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials, transfer
from credentials.domain.catalog.diff import diff_definitions
from credentials.domain.errors import Conflict, InvalidInput
from credentials.storage.database import transaction
from tests.builders import definition

ADMIN = Actor.system("test")
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'


def do_import(services, document, publish=False):
    with transaction(services.session_factory) as session:
        version = transfer.import_definition(session, document, actor=ADMIN, now=services.clock(), publish=publish)
        return version.number, version.status


def test_export_then_import_round_trips_with_the_image(services, session):
    import base64

    document = {**definition(), "image": "data:image/svg+xml;base64," + base64.b64encode(SVG.encode()).decode()}
    assert do_import(services, document, publish=True) == (1, "published")
    exported = transfer.export_definition(session, "exit-tickets")
    assert exported["version"] == 1 and exported["image"] == document["image"]
    assert exported["$schema"].endswith("microcredential.schema.json")
    exported["title"] = "Imported again"
    session.rollback()
    assert do_import(services, exported) == (2, "draft")
    assert transfer.export_definition(session, "exit-tickets", 2)["title"] == "Imported again"


def test_import_refuses_when_a_draft_is_waiting(services):
    do_import(services, definition())
    with pytest.raises(Conflict, match="already has a draft"):
        do_import(services, definition())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
        ("[1, 2]", "one JSON object"),
        (b"\xff\xfe", "not valid JSON"),
    ],
)
def test_parse_document_says_where_the_file_breaks(text, message):
    with pytest.raises(InvalidInput) as caught:
        transfer.parse_document(text)
    assert message in caught.value.errors[""] or message in str(caught.value.errors)


def test_a_bad_image_uri_is_named(services):
    with pytest.raises(InvalidInput) as caught:
        do_import(services, {**definition(), "image": "data:image/png;base64,@@@"})
    assert "image" in caught.value.errors


def test_diff_names_changes_by_field(services):
    old = definition()
    new = json.loads(json.dumps(old))
    new["title"] = "New title"
    new["rubric"]["criteria"][0]["name"] = "Designing exit tickets"
    new["rubric"]["criteria"][0]["levels"][1]["description"] = "Clearer."
    new["template"]["parts"][1]["prompts"].pop()
    new["tags"].append("feedback")
    new["validity_months"] = 36
    changes = {c.label: c for c in diff_definitions(old, new)}
    assert changes["Title"].before == old["title"] and changes["Title"].after == "New title"
    criterion = "Rubric › Criterion “Designing exit tickets”"
    assert changes[f"{criterion} › Name"].kind == "changed"
    assert changes[f"{criterion} › Level “Proficient” › Description"].after == "Clearer."
    removed = [c for c in changes.values() if c.kind == "removed"]
    assert {c.label for c in removed} >= {
        "Submission template › Part “Classroom artifacts” › Prompt “A link to a short video.” › Prompt"
    }
    assert changes["Tags"].after == "formative assessment; exit tickets; feedback"
    assert changes["Valid for (months)"].before == "(none)" and changes["Valid for (months)"].after == "36"
    assert diff_definitions(old, old) == []


def test_export_of_an_unknown_slug(session):
    with pytest.raises(microcredentials.NotFound):
        transfer.export_definition(session, "nothing-here")
