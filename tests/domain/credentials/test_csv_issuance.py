"""Reading a CSV file of people to issue to: every bad row is named by its line, and no input raises."""

from datetime import date

import pytest

from credentials.domain.credentials.csv_issuance import parse_issue_csv, parse_record

TODAY = date(2026, 9, 1)
HEADER = "name,email,microcredential,awarded_on"


def parse(session, *lines: str):
    return parse_issue_csv(session, "\r\n".join([HEADER, *lines]) + "\r\n", today=TODAY)


def test_good_rows_are_read_with_their_line_numbers(build, session):
    slug = build.published()
    rows, problems = parse(
        session, f"Ana Lima,ana@example.org,{slug},2024-06-01", "", f"Bo Chen,bo@example.org,{slug},2024-06-02"
    )
    assert problems == []
    assert [(row.line, row.recipient.name) for row in rows] == [(2, "Ana Lima"), (4, "Bo Chen")]


def test_a_cell_longer_than_the_csv_reader_allows_names_its_line(build, session):
    slug = build.published()
    _rows, problems = parse(
        session, f"Ana Lima,ana@example.org,{slug},2024-06-01", f"{'x' * 200_000},bo@example.org,{slug},2024-06-02"
    )
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 3
    assert message.startswith("a cell is longer than 131,072 characters")


def test_an_unterminated_quote_that_swallows_the_file_names_the_line_where_it_starts(build, session):
    slug = build.published()
    rest = [f"P{i},p{i}@example.org,{slug},2024-06-01" for i in range(5000)]
    _rows, problems = parse(
        session, f"Ana Lima,ana@example.org,{slug},2024-06-01", f'"Bo Chen,bo@example.org,{slug}', *rest
    )
    assert problems[-1][0] == 3 and "131,072 characters" in problems[-1][1]
    assert "quote" in problems[-1][1]


def test_a_carriage_return_alone_ends_a_line_instead_of_failing(build, session):
    slug = build.published()
    text = f"{HEADER}\rAna Lima,ana@example.org,{slug},2024-06-01\rBo\rChen,bo@example.org,{slug},2024-06-01\r"
    rows, problems = parse_issue_csv(session, text, today=TODAY)
    assert [row.recipient.name for row in rows] == ["Ana Lima", "Chen"]
    assert [line for line, _ in problems] == [3, 3, 3]  # "Bo" alone, then "Chen" with the rest of the row


@pytest.mark.parametrize(
    ("character", "named"),
    [
        ("\x00", "U+0000"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
        ("\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\x1b", "U+001B"),
        ("\u2028", "U+2028 LINE SEPARATOR"),
    ],
)
def test_control_and_format_characters_are_refused_in_every_field(build, session, character, named):
    slug = build.published()
    rows, problems = parse(
        session,
        f"Ana{character}Lima,ana@example.org,{slug},2024-06-01",
        f"Bo Chen,bo@example.org,{slug[:4]}{character}{slug[4:]},2024-06-01",
        f"Cy Dee,cy@example.org,{slug},2024-06{character}-01",
        f"Di Eze,di@example.org,{slug},2024-06-01,a{character}b",  # even a column nobody reads
    )
    assert rows == []
    lines = {line: message for line, message in problems}
    assert set(lines) == {2, 3, 4, 5}, problems
    assert lines[2] == f"name contains an invisible control or formatting character ({named}) at position 4; retype it"
    assert lines[3].startswith(f"microcredential contains an invisible control or formatting character ({named})")
    assert lines[4].startswith("awarded_on contains an invisible")  # rather than "not a date"
    assert lines[5].startswith("column 5 contains an invisible")


def test_whitespace_around_a_value_is_trimmed_not_refused(build, session):
    slug = build.published()
    rows, problems = parse(session, f"\tAna Lima\u2028, ana@example.org ,{slug}\t,2024-06-01")
    assert problems == [] and rows[0].recipient.name == "Ana Lima"


def test_joiners_that_scripts_need_are_kept(build, session):
    slug = build.published()
    rows, problems = parse(session, f"Mohammad\u200cReza Karimi,mr@example.org,{slug},2024-06-01")
    assert problems == [] and rows[0].recipient.name == "Mohammad\u200cReza Karimi"


def test_a_single_record_is_checked_the_same_way(build, session):
    slug = build.published()
    record = {"name": "Ana\u202eLima", "email": "ana@example.org", "microcredential": slug, "awarded_on": "2024-06-01"}
    row, problems = parse_record(session, record, today=TODAY)
    assert row is None and "RIGHT-TO-LEFT OVERRIDE" in problems["name"]
