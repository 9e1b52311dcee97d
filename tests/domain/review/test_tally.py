from datetime import UTC, date, datetime

from sqlalchemy import select

from credentials.domain.review import reviewer_page
from credentials.domain.review.reviewer_page import due_label
from credentials.domain.review.tally import rule_text, tally
from credentials.storage.models import Assignment, Issuer, User
from tests.builders import definition

RUBRIC = definition()["rubric"]
POINTS_RUBRIC = {**RUBRIC, "decision_rule": {"kind": "every_criterion_or_points", "min_points": 5}}


def test_a_tally_counts_points_and_says_where_the_rule_stands_as_levels_are_chosen():
    empty = tally(RUBRIC, {}, {})
    assert (empty.points, empty.possible, empty.scored, empty.to_score) == (0, 6, 0, 2)
    assert empty.rule_met and not empty.complete and empty.outcome is None
    assert [line.level for line in empty.lines] == [None, None]

    half = tally(RUBRIC, {"design": "exemplary"}, {})
    assert (half.points, half.scored, half.rule_met, half.outcome) == (3, 1, True, None)
    assert half.lines[0].level == "Exemplary" and half.lines[0].meets

    below = tally(RUBRIC, {"design": "exemplary", "reflection": "not-yet"}, {})
    assert below.complete and below.below == ["Reflection on practice"] and not below.rule_met
    assert below.outcome == "not_yet"
    assert tally(RUBRIC, {"design": "proficient", "reflection": "exemplary"}, {}).outcome == "earned"


def test_unknown_levels_count_as_not_chosen_and_carried_criteria_count_with_their_earlier_level():
    counted = tally(RUBRIC, {"design": "mastery", "reflection": "proficient"}, {})
    assert counted.lines[0].level is None and counted.points == 2 and not counted.complete
    carried = tally(RUBRIC, {"reflection": "exemplary"}, {"design": "proficient"})
    assert carried.to_score == 1 and carried.complete and carried.points == 5 and carried.outcome == "earned"
    assert carried.lines[0].carried and carried.lines[0].level == "Proficient"


def test_the_points_rule_can_be_met_with_a_criterion_below_its_level():
    counted = tally(POINTS_RUBRIC, {"design": "exemplary", "reflection": "not-yet"}, {})
    assert counted.points == 3 and not counted.rule_met and counted.outcome == "not_yet"
    so_far = tally(POINTS_RUBRIC, {"design": "not-yet"}, {})
    assert not so_far.rule_met  # below, and 0 of 5 points
    rubric = {**RUBRIC, "decision_rule": {"kind": "every_criterion_or_points", "min_points": 3}}
    assert tally(rubric, {"design": "exemplary", "reflection": "not-yet"}, {}).outcome == "earned"
    assert rule_text(POINTS_RUBRIC["decision_rule"]) == (
        "Every criterion at its required level, or at least 5 points in all."
    )
    assert rule_text(RUBRIC["decision_rule"]) == "Every criterion at its required level."


def test_due_dates_are_said_in_words():
    today = date(2026, 12, 2)
    words = [due_label(date(2026, 12, day), today) for day in (2, 3, 5, 1, 30)]
    assert words == ["Due today", "Due tomorrow", "Due in 3 days", "Overdue by 1 day", "Due in 28 days"]
    assert due_label(date(2026, 11, 30), today) == "Overdue by 2 days"


def test_the_queue_counts_days_from_today_in_the_districts_time_zone(build, session):
    slug = build.published()
    reviewer = build.reviewer(slug=slug)
    build.submitted(slug)
    due_on = session.scalars(select(Assignment.due_on)).one()
    # 3 AM UTC on the due date is still the evening before in Chicago (the district's zone by default) …
    late_evening = datetime(due_on.year, due_on.month, due_on.day, 3, tzinfo=UTC)
    [row] = reviewer_page.reviewer_queue(session, session.get(User, reviewer.id), now=late_evening)
    assert row.due_label == "Due tomorrow" and not row.overdue
    # … and already the due date in Tokyo.
    session.scalars(select(Issuer)).one().time_zone = "Asia/Tokyo"
    session.flush()
    [row] = reviewer_page.reviewer_queue(session, session.get(User, reviewer.id), now=late_evening)
    assert row.due_label == "Due today"
