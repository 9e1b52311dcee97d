import io

import pytest
from PIL import Image

from credentials.domain.audit import Actor
from credentials.domain.catalog import microcredentials
from credentials.domain.catalog.microcredential_page import describe_version, rubric_table
from credentials.domain.catalog.search_page import CatalogQuery, catalog_page_for, public_badge, search_catalog
from credentials.domain.errors import NotFound
from credentials.storage.database import transaction
from tests.builders import definition

SYSTEM = Actor.system("test")


def publish(services, slug, title=None, *, draft_only=False, image=None, **overrides):
    """Create a micro-credential through the domain and (unless ``draft_only``) publish its first version."""
    doc = definition(slug=slug, title=title or slug.replace("-", " ").capitalize(), **overrides)
    with transaction(services.session_factory) as session:
        version = microcredentials.create_microcredential(session, doc, image=image, actor=SYSTEM, now=services.clock())
        if not draft_only:
            microcredentials.publish_version(session, version, actor=SYSTEM, now=services.clock())


def new_version(services, slug, *, publish_it=True, **overrides):
    """Edit a micro-credential into a new draft, and publish it unless told not to."""
    with transaction(services.session_factory) as session:
        draft = microcredentials.start_new_version(session, slug, actor=SYSTEM, now=services.clock())
        microcredentials.save_draft(
            session, draft, {**draft.definition, **overrides}, actor=SYSTEM, now=services.clock()
        )
        if publish_it:
            microcredentials.publish_version(session, draft, actor=SYSTEM, now=services.clock())


def retire(services, slug):
    with transaction(services.session_factory) as session:
        microcredentials.retire_microcredential(session, slug, actor=SYSTEM, now=services.clock())


def slugs(session, **query) -> list[str]:
    return [item.slug for item in search_catalog(session, CatalogQuery(**query)).items]


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (20, 80, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def shelf(services):
    """Four published micro-credentials with distinct words, facets and credit hours."""
    publish(
        services,
        "exit-tickets",
        "Exit tickets",
        tags=["formative assessment"],
        subject_areas=["Mathematics"],
        grade_bands=["3-5"],
        credit_hours=10,
    )
    publish(
        services,
        "number-talks",
        "Number talks",
        tags=["discourse", "formative assessment"],
        subject_areas=["Mathematics"],
        grade_bands=["K-2", "3-5"],
        credit_hours=10.5,
    )
    publish(
        services,
        "reading-conferences",
        "Reading conferences",
        tags=["discourse"],
        subject_areas=["English language arts"],
        grade_bands=["6-8"],
        credit_hours=20,
        summary="Confer one to one with readers about the books they choose and what they notice.",
    )
    publish(
        services,
        "lab-safety",
        "Lab safety routines",
        tags=["routines"],
        subject_areas=["Science"],
        grade_bands=["9-12", "Pre-K"],
        credit_hours=45,
    )


def test_everything_published_is_listed_by_title(shelf, session):
    assert slugs(session) == ["exit-tickets", "lab-safety", "number-talks", "reading-conferences"]


def test_text_search_needs_every_word_in_any_case(shelf, session):
    assert slugs(session, text="NUMBER") == ["number-talks"]
    assert slugs(session, text="  books   Readers ") == ["reading-conferences"]  # words from the summary
    assert slugs(session, text="discourse") == ["number-talks", "reading-conferences"]  # a tag
    assert slugs(session, text="english") == ["reading-conferences"]  # a subject area
    assert slugs(session, text="number books") == []
    assert slugs(session, text="") == slugs(session)


def test_percent_and_underscore_are_literal(services, session):
    publish(services, "half-time", "Fifty percent of the time")
    publish(services, "full-time", "All 100% of the time")
    publish(services, "snake", "Naming with snake_case")
    publish(services, "snakes", "Naming with snakeXcase")
    assert slugs(session, text="%") == ["full-time"]
    assert slugs(session, text="100%") == ["full-time"]
    assert slugs(session, text="snake_case") == ["snake"]
    assert slugs(session, text="e_c") == ["snake"]


def test_each_filter_on_its_own(shelf, session):
    assert slugs(session, tag="formative assessment") == ["exit-tickets", "number-talks"]
    assert slugs(session, tag="Formative assessment") == []  # values are matched exactly
    assert slugs(session, subject="Mathematics") == ["exit-tickets", "number-talks"]
    assert slugs(session, grade_band="3-5") == ["exit-tickets", "number-talks"]
    assert slugs(session, grade_band="Pre-K") == ["lab-safety"]
    assert slugs(session, grade_band="13-14") == []


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("up-to-10", ["exit-tickets"]),
        ("10-20", ["number-talks", "reading-conferences"]),
        ("20-40", []),
        ("over-40", ["lab-safety"]),
        ("no-such-band", ["exit-tickets", "lab-safety", "number-talks", "reading-conferences"]),
    ],
)
def test_credit_hour_bands_include_their_upper_bound(shelf, session, band, expected):
    assert slugs(session, credits=band) == expected


def test_filters_combine(shelf, session):
    assert slugs(session, tag="discourse", subject="Mathematics") == ["number-talks"]
    assert slugs(session, tag="discourse", grade_band="6-8", credits="10-20") == ["reading-conferences"]
    assert slugs(session, text="number", tag="formative assessment", grade_band="K-2") == ["number-talks"]
    assert slugs(session, text="conferences", tag="formative assessment") == []


def test_items_carry_what_the_list_shows(services, session):
    publish(services, "exit-tickets", "Exit tickets", tags=["zeta", "alpha"], grade_bands=["9-12", "Pre-K", "3-5"])
    [item] = search_catalog(session, CatalogQuery()).items
    assert (item.slug, item.title, item.number, item.credit_hours) == ("exit-tickets", "Exit tickets", 1, 15)
    assert item.summary.startswith("Design exit tickets")
    assert item.tags == ("alpha", "zeta")
    assert item.subjects == ("All subjects",)
    assert item.grade_bands == ("Pre-K", "3-5", "9-12")  # youngest first, not alphabetical
    assert item.image_sha256 is None and item.published_at == services.clock()


def test_pages_of_twenty(services, session):
    with transaction(services.session_factory) as s:
        for n in range(45):
            doc = definition(slug=f"mc-{n:02d}", title=f"Micro-credential {n:02d}")
            microcredentials.publish_version(
                s,
                microcredentials.create_microcredential(s, doc, actor=SYSTEM, now=services.clock()),
                actor=SYSTEM,
                now=services.clock(),
            )
    first = search_catalog(session, CatalogQuery())
    assert (first.total, first.pages, first.page, len(first.items)) == (45, 3, 1, 20)
    assert first.items[0].slug == "mc-00" and first.items[-1].slug == "mc-19"
    third = search_catalog(session, CatalogQuery(page=3))
    assert [item.slug for item in third.items] == [f"mc-{n}" for n in range(40, 45)]
    beyond = search_catalog(session, CatalogQuery(page=99))
    assert beyond.page == 3 and beyond.items == third.items
    # Words match inside longer words: "4" finds 04, 14, 24, 34 and 40 to 44.
    small = search_catalog(session, CatalogQuery(text="micro-credential 4", per_page=2, page=2))
    assert (small.total, small.pages, [i.slug for i in small.items]) == (9, 5, ["mc-24", "mc-34"])


def test_drafts_and_retired_versions_are_never_listed(services, session):
    publish(services, "only-a-draft", "Only a draft", draft_only=True)
    publish(services, "retired", "Retired one")
    retire(services, "retired")
    publish(services, "revised", "Revised, first title")
    new_version(services, "revised", title="Revised, second title")
    new_version(services, "revised", publish_it=False, title="Revised, unpublished third title")
    result = search_catalog(session, CatalogQuery())
    assert [(i.slug, i.title, i.number) for i in result.items] == [("revised", "Revised, second title", 2)]
    assert result.total == 1
    assert slugs(session, text="first") == [] and slugs(session, text="unpublished") == []
    assert slugs(session, text="draft") == [] and slugs(session, text="retired") == []


def test_empty_catalog(session):
    result = search_catalog(session, CatalogQuery(text="anything"))
    assert (result.total, result.pages, result.items) == (0, 1, [])
    assert result.options.tags == [] and result.options.grade_bands == []


def test_filter_options_count_what_choosing_them_would_give(shelf, services, session):
    publish(services, "draft-only", "Draft only", draft_only=True, tags=["unpublished tag"])
    options = search_catalog(session, CatalogQuery()).options
    assert [(o.value, o.count) for o in options.tags] == [
        ("discourse", 2),
        ("formative assessment", 2),
        ("routines", 1),
    ]
    assert [o.value for o in options.subjects] == ["English language arts", "Mathematics", "Science"]
    assert [(o.value, o.count) for o in options.grade_bands] == [
        ("Pre-K", 1),
        ("K-2", 1),
        ("3-5", 2),
        ("6-8", 1),
        ("9-12", 1),
    ]
    assert [band.key for band in options.credit_bands] == ["up-to-10", "10-20", "20-40", "over-40"]
    # With a tag chosen, the other kinds count within it; the tags still count as alternatives to it.
    narrowed = search_catalog(session, CatalogQuery(tag="discourse")).options
    assert [(o.value, o.count) for o in narrowed.subjects] == [("English language arts", 1), ("Mathematics", 1)]
    assert [(o.value, o.count) for o in narrowed.tags] == [
        ("discourse", 2),
        ("formative assessment", 2),
        ("routines", 1),
    ]
    searched = search_catalog(session, CatalogQuery(text="number", grade_band="6-8")).options
    assert [(o.value, o.count) for o in searched.grade_bands] == [("K-2", 1), ("3-5", 1), ("6-8", 0)]
    assert searched.tags == []  # nothing matches both, so no tag would give results


def test_a_search_runs_the_same_statements_whatever_the_catalog_size(services, session, count_queries):
    def statements(n: int) -> int:
        with transaction(services.session_factory) as s:
            for i in range(n):
                doc = definition(slug=f"size-{n}-{i}", title=f"Size {n} number {i}", tags=[f"tag {i}", "shared"])
                version = microcredentials.create_microcredential(s, doc, actor=SYSTEM, now=services.clock())
                microcredentials.publish_version(s, version, actor=SYSTEM, now=services.clock())
        session.rollback()
        with count_queries() as seen:
            result = search_catalog(session, CatalogQuery(text="size", tag="shared", grade_band="3-5"))
        assert result.items
        return len([s for s in seen if s.strip().upper() != "BEGIN"])

    assert statements(3) == statements(30) == 4


def test_the_page_of_the_current_version(services, session):
    publish(services, "exit-tickets", "Exit tickets", grade_bands=["6-8", "K-2"])
    page = catalog_page_for(session, "exit-tickets")
    assert (page.slug, page.number, page.status, page.title) == ("exit-tickets", 1, "published", "Exit tickets")
    assert page.is_current and not page.newer_version_exists and page.current.number == 1
    assert page.grade_bands == ("K-2", "6-8")
    assert page.definition["competency"].startswith("The educator uses exit tickets")
    assert [part.title for part in page.parts] == ["Overview questions", "Classroom artifacts", "Reflection"]
    artifacts = page.parts[1]
    assert artifacts.scored_by == ("Exit ticket design",)
    assert [(p.kind_label, p.required, p.limits) for p in artifacts.prompts] == [
        ("File upload", True, "Up to 3 files: PDF, Image"),
        ("Link", False, "One web address"),
    ]
    assert page.parts[0].prompts[0].limits == "Up to 300 words"


def test_older_and_retired_versions_are_public_but_drafts_are_not(services, session):
    publish(services, "exit-tickets", "Exit tickets")
    new_version(services, "exit-tickets", title="Exit tickets, revised")
    new_version(services, "exit-tickets", publish_it=False, title="Exit tickets, draft")
    old = catalog_page_for(session, "exit-tickets", 1)
    assert (old.number, old.status, old.title) == (1, "retired", "Exit tickets")
    assert old.newer_version_exists and old.replaced_by.number == 2 and old.current.number == 2
    assert [ref.number for ref in old.history] == [1, 2]  # the draft is not in the public history
    assert catalog_page_for(session, "exit-tickets").title == "Exit tickets, revised"
    with pytest.raises(NotFound):
        catalog_page_for(session, "exit-tickets", 3)
    with pytest.raises(NotFound):
        catalog_page_for(session, "exit-tickets", 9)
    retire(services, "exit-tickets")
    session.rollback()  # end the read transaction, to see the retirement
    gone = catalog_page_for(session, "exit-tickets")
    assert (gone.number, gone.status, gone.current, gone.replaced_by) == (2, "retired", None, None)


def test_a_micro_credential_never_published_has_no_page(services, session):
    publish(services, "in-the-works", draft_only=True)
    for slug in ("in-the-works", "no-such-thing"):
        with pytest.raises(NotFound):
            catalog_page_for(session, slug)
        with pytest.raises(NotFound):
            public_badge(session, slug)


def test_rubric_table_with_shared_levels():
    table = rubric_table(definition())
    assert table.shared_levels and table.columns == ("Not yet", "Proficient", "Exemplary")
    assert [row.name for row in table.rows] == ["Exit ticket design", "Reflection on practice"]
    design = table.rows[0]
    assert design.part_title == "Classroom artifacts" and design.required_level == "Proficient"
    assert [(c.points, c.required, c.meets) for c in design.cells] == [
        (0, False, False),
        (2, True, True),
        (3, False, True),
    ]
    assert table.max_points == 6
    assert "only when every criterion reaches its required level" in table.decision_rule


def test_rubric_table_with_levels_that_differ_and_a_points_rule():
    doc = definition()
    doc["rubric"]["criteria"][1]["levels"] = [
        {"key": "no", "name": "No", "description": "Missing.", "points": 0},
        {"key": "yes", "name": "Yes", "description": "Present.", "points": 1},
    ]
    doc["rubric"]["criteria"][1]["required_level"] = "yes"
    doc["rubric"]["decision_rule"] = {"kind": "every_criterion_or_points", "min_points": 3.5}
    table = rubric_table(doc)
    assert not table.shared_levels and table.columns == ("Level 1", "Level 2", "Level 3")
    assert table.rows[1].cells[2] is None and table.rows[1].cells[1].name == "Yes"
    assert table.max_points == 4
    assert "at least 3.5 of the 4 available" in table.decision_rule


def test_a_draft_can_be_described_for_a_preview(services, session):
    publish(services, "exit-tickets", draft_only=True)
    draft = microcredentials.get_version(session, "exit-tickets", 1)
    page = describe_version(draft)
    assert (page.status, page.history, page.current, page.replaced_by) == ("draft", (), None, None)


def test_badges_drawn_or_uploaded(services, session):
    publish(services, "drawn", "A <b>drawn</b> badge", credit_hours=12)
    image = png()
    publish(services, "uploaded", "Uploaded", image=microcredentials.ImageChange(data=image))
    drawn = public_badge(session, "drawn")
    assert drawn.media_type == "image/svg+xml" and b"12 credit hours" in drawn.data
    assert b"A &lt;b&gt;drawn&lt;/b&gt; badge" in drawn.data and b"<b>" not in drawn.data
    assert public_badge(session, "drawn").etag == drawn.etag
    uploaded = public_badge(session, "uploaded")
    assert (uploaded.media_type, uploaded.data) == ("image/png", image)
    new_version(services, "uploaded", title="Uploaded, then drawn")
    with transaction(services.session_factory) as s:  # a third version without the image
        draft = microcredentials.start_new_version(s, "uploaded", actor=SYSTEM, now=services.clock())
        microcredentials.save_draft(
            s,
            draft,
            draft.definition,
            image=microcredentials.ImageChange(remove=True),
            actor=SYSTEM,
            now=services.clock(),
        )
        microcredentials.publish_version(s, draft, actor=SYSTEM, now=services.clock())
    session.rollback()
    assert public_badge(session, "uploaded").media_type == "image/svg+xml"
    assert public_badge(session, "uploaded", 1).data == image
