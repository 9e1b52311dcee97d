from credentials.domain.catalog.field_names import label, labelled, page_order, when_empty


def test_fields_are_named_as_the_editor_labels_them_counted_from_one():
    assert label("rubric.criteria[0].levels[1].description") == "Criterion 1, level 2: description"
    assert label("template.parts[2].prompts[0].label") == "Part 3, prompt 1: wording"
    assert label("research[1].citation") == "Reference 2: citation"
    assert label("alignments[0].url") == "Alignment 1: link to the standard"
    assert label("key_method.components") == "Components of the method"
    assert label("rubric.decision_rule.min_points") == "Minimum total points"
    assert label("rubric.criteria[3]") == "Criterion 4"
    assert label("") == "The micro-credential"


def test_missing_fields_say_what_to_write():
    assert when_empty("rubric.criteria[0].levels[1].description") == "Describe what this level looks like."
    assert when_empty("title") == "Give the micro-credential a title."
    assert when_empty("rubric.criteria[1].name") == "Name the criterion."
    assert when_empty("rubric.criteria[1].levels[0].name") == "Name this level."
    assert when_empty("something.unknown") == "This is required."


def test_errors_come_in_the_order_of_the_page():
    errors = {
        "rubric.criteria[1].name": "b",
        "rubric.criteria[0].levels[1].points": "c",
        "rubric.criteria[0].name": "d",
        "template.parts[0].prompts[0].word_limit": "e",
        "rubric.decision_rule.min_points": "f",
        "credit_hours": "g",
        "slug": "h",
        "title": "i",
        "": "j",
        "research[0].url": "k",
        "rubric.criteria[10].name": "l",
    }
    assert [e.path for e in labelled(errors)] == [
        "",
        "title",
        "slug",
        "research[0].url",
        "credit_hours",
        "template.parts[0].prompts[0].word_limit",
        "rubric.decision_rule.min_points",
        "rubric.criteria[0].name",
        "rubric.criteria[0].levels[1].points",
        "rubric.criteria[1].name",
        "rubric.criteria[10].name",
    ]
    assert page_order("rubric.criteria") < page_order("rubric.criteria[0]")
