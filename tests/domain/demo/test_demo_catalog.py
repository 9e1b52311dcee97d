"""The demo district's micro-credential definitions are complete, valid and free of placeholder text."""

import json

import pytest

from credentials.domain.catalog.definitions import check, normalize
from credentials.domain.demo.district import DEMO_CATALOG as CATALOG_DIR

SLUGS = ["exit-tickets", "structured-academic-conversations", "communicating-with-families"]
BANNED = ("lorem", "todo", "placeholder", "example.org", "tbd")


def load(slug: str) -> tuple[str, dict]:
    text = (CATALOG_DIR / f"{slug}.json").read_text(encoding="utf-8")
    return text, json.loads(text)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.mark.parametrize("slug", SLUGS)
def test_definition_is_tidy_and_valid(slug):
    text, doc = load(slug)
    assert doc["slug"] == slug
    assert normalize(doc) == doc
    assert check(normalize(doc)) == doc
    assert text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert "version" not in doc
    assert "image" not in doc


@pytest.mark.parametrize("slug", SLUGS)
def test_definition_has_the_catalog_shape(slug):
    _, doc = load(slug)
    assert [part["key"] for part in doc["template"]["parts"]] == ["overview", "artifacts", "reflection"]
    assert 3 <= len(doc["rubric"]["criteria"]) <= 5


@pytest.mark.parametrize("slug", SLUGS)
def test_definition_has_no_placeholder_text(slug):
    _, doc = load(slug)
    for value in strings(doc):
        lowered = value.lower()
        assert not [word for word in BANNED if word in lowered], value
