import copy
import json
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from credentials.domain.catalog import definitions, microcredentials
from credentials.storage.models import MicroCredential
from credentials.web.catalog_form import apply_action, blank_definition, parse_form

from ..builders import definition


def form_fields(doc: dict, prefix: str = "") -> list[tuple[str, str]]:
    """The fields a browser would post for ``doc``, as the editor names them."""
    fields: list[tuple[str, str]] = []
    for key, value in doc.items():
        path = f"{prefix}.{key}" if prefix else key
        if key in ("components",):
            fields.append((path, "\n".join(value)))
        elif key in ("tags", "subject_areas"):
            fields.append((path, ", ".join(value)))
        elif key in ("grade_bands", "file_kinds"):
            fields.extend((path, v) for v in value)
        elif key == "required":
            if value:
                fields.append((path, "yes"))
        elif isinstance(value, dict):
            fields.extend(form_fields(value, path))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                fields.extend(form_fields(item, f"{path}[{i}]"))
        else:
            fields.append((path, "" if value is None else str(value)))
    return fields


def test_the_form_is_a_faithful_picture_of_the_document():
    doc = definitions.normalize(definition())
    assert definitions.normalize(parse_form(MultiDict(form_fields(doc)))) == doc


def test_numbers_that_are_not_numbers_stay_text_for_the_schema_to_name():
    fields = MultiDict([*form_fields(definition()), ("credit_hours", "ten"), ("max_attempts", "2.5")])
    fields.setlist("credit_hours", ["ten"])
    fields.setlist("max_attempts", ["2.5"])
    doc = parse_form(fields)
    assert doc["credit_hours"] == "ten" and doc["max_attempts"] == "2.5"


def test_row_actions_add_remove_and_move():
    doc = definition()
    doc, note = apply_action(doc, "add:rubric.criteria")
    added = doc["rubric"]["criteria"][-1]
    assert [level["name"] for level in added["levels"]] == ["Not yet", "Proficient", "Exemplary"]
    assert added["key"] == "criterion-1" and added["required_level"] == "proficient"
    assert "Nothing is saved" in note
    doc, _ = apply_action(doc, "add:rubric.criteria[0].levels")
    assert doc["rubric"]["criteria"][0]["levels"][-1]["points"] == 4
    doc, _ = apply_action(doc, "up:template.parts[2]")
    assert [p["key"] for p in doc["template"]["parts"]] == ["overview", "reflection", "artifacts"]
    doc, _ = apply_action(doc, "remove:template.parts[0].prompts[0]")
    assert doc["template"]["parts"][0]["prompts"] == []
    same, note = apply_action(doc, "remove:rubric.criteria[99]")
    assert same == doc and note == "Nothing was changed."
    _, note = apply_action(doc, "explode:everything")
    assert note == "Nothing was changed."


def post_definition(admin, url, doc, *, action="save", page=None):
    page_html = admin.get(page or url).get_data(as_text=True)
    from ..conftest import csrf_from

    data = MultiDict([*form_fields(doc), ("csrf_token", csrf_from(page_html)), ("action", action)])
    return admin.client.post(url, data=data)


def test_create_a_microcredential_through_the_editor(admin, session):
    blank = admin.get("/admin/microcredentials/new").data
    assert b"Overview questions" in blank
    assert blank.count(b'name="grade_bands"') == 5
    response = post_definition(admin, "/admin/microcredentials/new", definition())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"] == "/admin/microcredentials/exit-tickets"
    version = microcredentials.get_version(session, "exit-tickets", 1)
    assert version.status == "draft"
    assert version.definition == definitions.normalize(definition())


def test_a_form_with_wrong_values_is_shown_again_with_labelled_errors_in_page_order(admin, session):
    doc = definition(title="x" * 121)
    doc["rubric"]["criteria"][0]["levels"][1]["points"] = "two"
    doc["template"]["parts"][0]["prompts"][0]["word_limit"] = 0
    doc["credit_hours"] = "ten"
    response = post_definition(admin, "/admin/microcredentials/new", doc)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html[html.index('class="error-summary"') : html.index("</div>", html.index('class="error-summary"'))]
    expected = [
        ('href="#f-title"', "Title — Too long: use at most 120 characters."),
        ('href="#f-credit-hours"', "Credit hours — Enter a number."),
        (
            'href="#f-template-parts-0-prompts-0-word-limit"',
            "Part 1, prompt 1: word limit — Use a number of at least 1.",
        ),
        ('href="#f-rubric-criteria-0-levels-1-points"', "Criterion 1, level 2: points — Enter a number."),
    ]
    positions = [summary.index(f"{link}>{text}</a>") for link, text in expected]
    assert positions == sorted(positions)  # the order of the page, counted from one
    assert "rubric.criteria" not in summary and "[0]" not in summary
    assert 'id="f-template-parts-0-prompts-0-word-limit-error"' in html  # and beside the field
    assert 'value="exit-tickets"' in html  # what was typed is kept
    assert session.scalar(select(MicroCredential)) is None


def test_an_incomplete_draft_is_saved_and_publish_lists_what_is_missing_with_links(admin, session):
    doc = definition(summary="")
    doc["rubric"]["criteria"][0]["levels"] = copy.deepcopy(doc["rubric"]["criteria"][0]["levels"])
    doc["rubric"]["criteria"][0]["levels"][1]["description"] = ""
    doc["grade_bands"] = []
    response = post_definition(admin, "/admin/microcredentials/new", doc)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert microcredentials.get_version(session, "exit-tickets", 1).definition["grade_bands"] == []
    show = admin.get("/admin/microcredentials/exit-tickets").get_data(as_text=True)
    assert 'href="/admin/microcredentials/exit-tickets/versions/1/publish"' in show
    page = admin.get("/admin/microcredentials/exit-tickets/versions/1/publish").get_data(as_text=True)
    assert "3 things are missing before this can be published" in page
    editor = "/admin/microcredentials/exit-tickets/draft"
    for link, text in [
        (f'{editor}#f-summary"', "Summary — Write one or two sentences for the catalog."),
        (f'{editor}#f-grade-bands"', "Grade bands — Choose at least one grade band."),
        (
            f'{editor}#f-rubric-criteria-0-levels-1-description"',
            "Criterion 1, level 2: description — Describe what this level looks like.",
        ),
    ]:
        assert f"{link}>{text}</a>" in page
    assert "Publish version 1" not in page.split("</h1>", 1)[1]  # no publish button until it is complete
    response = admin.submit("/admin/microcredentials/exit-tickets/versions/1/publish", page=editor)
    assert response.status_code == 422 and b"3 things are missing" in response.data
    session.rollback()
    assert microcredentials.get_version(session, "exit-tickets", 1).status == "draft"
    editor_page = admin.get(editor).get_data(as_text=True)
    assert 'id="f-rubric-criteria-0-levels-1-description"' in editor_page  # where the links land
    preview = admin.get("/admin/microcredentials/exit-tickets/versions/1").get_data(as_text=True)
    assert "(not written yet)" in preview and "3 things are missing" in preview


def test_an_untitled_draft_without_hours_is_saved_previewed_and_listed(admin, session):
    doc = blank_definition()
    response = post_definition(admin, "/admin/microcredentials/new", doc)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/microcredentials/untitled-draft"
    assert b"Untitled draft" in admin.get("/admin/microcredentials").data
    assert admin.get("/admin/microcredentials/untitled-draft").status_code == 200
    assert admin.get("/admin/microcredentials/untitled-draft/versions/1").status_code == 200
    assert admin.get("/admin/microcredentials/untitled-draft/versions/1/badge").status_code == 200
    assert admin.get("/admin/microcredentials/untitled-draft/versions/1/publish").status_code == 200
    assert admin.get("/admin/microcredentials/untitled-draft/draft").status_code == 200


def test_an_empty_address_is_made_from_the_title_and_kept_unique(admin, session):
    post_definition(admin, "/admin/microcredentials/new", definition())
    response = post_definition(admin, "/admin/microcredentials/new", definition(slug="", title="Exit tickets"))
    assert response.headers["Location"] == "/admin/microcredentials/exit-tickets-2"
    editor = admin.get("/admin/microcredentials/new").get_data(as_text=True)
    assert "data-slug-source" in editor and "data-slug-target" in editor
    assert "js/catalog_editor.js" in editor


def test_row_buttons_come_back_to_the_row_they_changed(admin):
    html = admin.get("/admin/microcredentials/new").get_data(as_text=True)
    # the blank form has one criterion with three levels: the new ones will be criterion 2 and level 4
    assert 'value="add:rubric.criteria" formaction="/admin/microcredentials/new#f-rubric-criteria-1"' in html
    assert (
        'value="add:rubric.criteria[0].levels" formaction="/admin/microcredentials/new#f-rubric-criteria-0-levels-3"'
        in html
    )
    assert (
        'value="add:template.parts[1].prompts" formaction="/admin/microcredentials/new#f-template-parts-1-prompts-1"'
        in html
    )
    assert 'value="up:template.parts[2]" formaction="/admin/microcredentials/new#f-template-parts-1"' in html
    response = post_definition(admin, "/admin/microcredentials/new", definition(), action="add:rubric.criteria")
    added = response.get_data(as_text=True)
    assert 'id="f-rubric-criteria-2" tabindex="-1"' in added  # the row the fragment names, focusable
    assert 'id="f-rubric-criteria-2-levels-0" tabindex="-1"' in added


def test_every_text_box_says_markdown_is_allowed(admin):
    html = admin.get("/admin/microcredentials/new").get_data(as_text=True)
    boxes = html.count("<textarea")
    assert boxes > 10
    assert html.count("You can use **bold**, *italics* and lists") == boxes
    for name in ("summary", "competency", "rubric.criteria[0].levels[1].description"):
        start = html.index(f'name="{name}"')
        tag = html[html.rindex("<textarea", 0, start) : html.index(">", start)]
        hint_id = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()[0]
        assert "You can use **bold**" in html[html.index(f'id="{hint_id}"') :][:400]


def test_publishing_warns_about_unscored_parts_and_no_qualified_reviewer(admin, session, build):
    post_definition(admin, "/admin/microcredentials/new", definition())
    url = "/admin/microcredentials/exit-tickets/versions/1/publish"
    page = admin.get(url).get_data(as_text=True)
    assert "No rubric criterion scores “Overview questions”" in page
    assert "No reviewer is qualified for this micro-credential or for any of its tags" in page
    assert "Publish version 1 anyway" in page
    build.reviewer(tag="exit tickets")
    page = admin.get(url).get_data(as_text=True)
    assert "No reviewer is qualified" not in page and "No rubric criterion scores" in page
    response = admin.submit(url)
    assert response.status_code == 302
    session.rollback()
    assert microcredentials.get_version(session, "exit-tickets", 1).status == "published"


def test_a_fully_scored_micro_credential_with_a_reviewer_publishes_without_warnings(admin, build):
    doc = definition()
    doc["rubric"]["criteria"][0]["part"] = "overview"
    doc["rubric"]["criteria"].append({**doc["rubric"]["criteria"][0], "key": "artifacts-c", "part": "artifacts"})
    post_definition(admin, "/admin/microcredentials/new", doc)
    build.reviewer(slug="exit-tickets")
    page = admin.get("/admin/microcredentials/exit-tickets/versions/1/publish").get_data(as_text=True)
    assert "Before you publish" not in page and "1 reviewer is qualified" in page
    assert "Publish version 1</button>" in page


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity"])
def test_credit_hours_that_are_not_a_finite_number_are_named_beside_the_field(admin, session, typed):
    doc = definition()
    doc["credit_hours"] = typed
    response = post_definition(admin, "/admin/microcredentials/new", doc)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-credit-hours-error"' in html and "Enter an ordinary number (not NaN or infinity)." in html
    assert session.scalar(select(MicroCredential)) is None


def test_adding_a_level_without_javascript_keeps_everything_typed(admin, session):
    doc = definition()
    doc["summary"] = "Typed but not yet saved: exit tickets every day."
    response = post_definition(admin, "/admin/microcredentials/new", doc, action="add:rubric.criteria[1].levels")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Typed but not yet saved" in html
    assert 'name="rubric.criteria[1].levels[3].name"' in html
    assert "Nothing is saved until you choose" in html
    assert session.scalar(select(MicroCredential)) is None


def test_duplicate_slug_in_the_editor(admin, services):
    post_definition(admin, "/admin/microcredentials/new", definition())
    response = post_definition(admin, "/admin/microcredentials/new", definition(title="Another one"))
    assert response.status_code == 422
    assert b"already uses /microcredentials/exit-tickets" in response.data


def test_publish_edit_compare_and_retire(admin, session):
    post_definition(admin, "/admin/microcredentials/new", definition())
    response = admin.submit(
        "/admin/microcredentials/exit-tickets/versions/1/publish", page="/admin/microcredentials/exit-tickets"
    )
    assert response.status_code == 302
    page = admin.get("/admin/microcredentials/exit-tickets").get_data(as_text=True)
    assert "Version 1 is published" in page and "start version 2" in page
    admin.submit("/admin/microcredentials/exit-tickets/new-version", page="/admin/microcredentials/exit-tickets")
    changed = definition(title="Exit tickets that change tomorrow's lesson")
    changed["rubric"]["criteria"][0]["levels"][1]["description"] = "Every prompt matches the lesson goal."
    response = post_definition(admin, "/admin/microcredentials/exit-tickets/draft", changed)
    assert response.status_code == 302
    admin.submit("/admin/microcredentials/exit-tickets/versions/2/publish", page="/admin/microcredentials/exit-tickets")
    compare = admin.get("/admin/microcredentials/exit-tickets/compare?from=1&to=2").get_data(as_text=True)
    assert "Exit tickets that change tomorrow&#39;s lesson" in compare
    assert "Rubric › Criterion “Exit ticket design” › Level “Proficient” › Description" in compare
    assert "Every prompt matches the lesson goal." in compare
    session.rollback()
    assert [(v.number, v.status) for v in microcredentials.version_history(session, "exit-tickets")] == [
        (2, "published"),
        (1, "retired"),
    ]
    admin.submit("/admin/microcredentials/exit-tickets/retire", page="/admin/microcredentials/exit-tickets")
    session.rollback()
    with pytest.raises(microcredentials.NotFound):
        microcredentials.current_version(session, "exit-tickets")


def test_preview_badge_and_export_of_a_draft(admin):
    post_definition(admin, "/admin/microcredentials/new", definition())
    preview = admin.get("/admin/microcredentials/exit-tickets/versions/1")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Preview of version 1 (draft)" in html
    assert "Exit ticket design" in html and "The evidence shows this clearly." in html
    badge = admin.get("/admin/microcredentials/exit-tickets/versions/1/badge")
    assert badge.mimetype == "image/svg+xml" and "sandbox" in badge.headers["Content-Security-Policy"]
    exported = admin.get("/admin/microcredentials/exit-tickets/versions/1/export.json")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="exit-tickets-v1.json"'
    assert json.loads(exported.data)["rubric"] == definitions.normalize(definition())["rubric"]
    assert admin.client.get("/microcredentials/exit-tickets").status_code == 404  # drafts are never public


def test_discarding_the_first_draft(admin, session):
    post_definition(admin, "/admin/microcredentials/new", definition())
    response = admin.submit(
        "/admin/microcredentials/exit-tickets/versions/1/discard", page="/admin/microcredentials/exit-tickets"
    )
    assert response.headers["Location"] == "/admin/microcredentials"
    assert session.scalar(select(MicroCredential)) is None


def test_the_editor_list_and_blank_form(admin):
    assert b"No micro-credentials yet" in admin.get("/admin/microcredentials").data
    blank = blank_definition()
    assert [p["key"] for p in blank["template"]["parts"]] == ["overview", "artifacts", "reflection"]


def test_only_admins_reach_the_editor(browser, build):
    build.user("teacher", "reviewer", email="t@riverside.example.org")
    browser.login("t@riverside.example.org")
    for url in ("/admin/microcredentials", "/admin/microcredentials/new"):
        assert browser.get(url).status_code == 403


def post_with_image(admin, url, doc, image: bytes, filename: str):
    import io

    from ..conftest import csrf_from

    page_html = admin.get(url).get_data(as_text=True)
    data = MultiDict([*form_fields(doc), ("csrf_token", csrf_from(page_html)), ("action", "save")])
    data.add("image", (io.BytesIO(image), filename))
    return admin.client.post(url, data=data, content_type="multipart/form-data")


def test_an_svg_with_script_is_refused_in_the_editor_and_nothing_saved(admin, session):
    evil = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    response = post_with_image(admin, "/admin/microcredentials/new", definition(), evil, "badge.svg")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The SVG contains a &lt;script&gt; element" in html
    assert "choose the badge image again" in html
    assert session.scalar(select(MicroCredential)) is None


def test_a_clean_svg_badge_is_stored_and_served_sandboxed(admin, session):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 2"><rect width="2" height="2"/></svg>'
    response = post_with_image(admin, "/admin/microcredentials/new", definition(), svg, "badge.svg")
    assert response.status_code == 302
    badge = admin.get("/admin/microcredentials/exit-tickets/versions/1/badge")
    assert badge.data == svg and badge.mimetype == "image/svg+xml"
    assert badge.headers["Content-Security-Policy"].endswith("sandbox")


def test_enter_in_a_field_saves_the_draft_rather_than_adding_a_row(admin):
    # Browsers submit a form on Enter with its first submit button: that must be "Save draft".
    page = admin.get("/admin/microcredentials/new").get_data(as_text=True)
    form = page[page.index('class="definition-form"') :]
    first = re.search(r"<button[^>]*type=\"submit\"[^>]*>", form).group(0)
    assert 'value="save"' in first and 'tabindex="-1"' in first
