"""The goals boards: who sees which goals (only as visibility.declared_to says), numbers only when shared, the
filters, the counts per focus and the paging."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from credentials.domain import audit
from credentials.domain.audit import Actor, EventFilter
from credentials.domain.audit import page as audit_page
from credentials.domain.errors import InvalidInput, NotFound
from credentials.domain.people import teaching
from credentials.domain.plans import checkins, goals_board
from credentials.domain.plans.goals_board import BoardFilter
from credentials.storage.database import transaction
from credentials.storage.models import Goal, User
from tests.plans_builders import FOCUS, step

OTHER_FOCUS = "tag:student discourse"


@pytest.fixture
def district(build, grow):
    """Two schools, a coach for each, and a colleague at the first school who opens the boards."""
    first, second = build.school("Cedar Elementary"), build.school("Oak Middle")
    people = {
        "first": first,
        "second": second,
        "coach_first": grow.coach(first),
        "coach_second": grow.coach(second),
        "viewer": build.user("teacher", school=first, name="Vera Viewer"),
    }
    return people


def declared(services, grow, teacher, coach, *, visibility="school", share=False, focus=(FOCUS,), status="active"):
    """An approved plan (or one in ``status``) with one goal declared as asked; the goal's id."""
    plan = grow.plan(teacher, status=status, coach=coach)
    with transaction(services.session_factory) as session:
        session.execute(
            update(Goal)
            .where(Goal.plan_id == plan.id)
            .values(visibility=visibility, share_progress=share, focus=list(focus))
        )
        return session.scalar(select(Goal.id).where(Goal.plan_id == plan.id))


def board(session, services, viewer, asked=None, *, school=None, page=1, per_page=30):
    session.rollback()
    who, asked = session.get(User, viewer.id), asked or BoardFilter()
    if school is not None:
        return goals_board.school_board(
            session, who, school.id, asked, page=page, now=services.clock(), per_page=per_page
        )
    return goals_board.district_board(session, who, asked, page=page, now=services.clock(), per_page=per_page)


def listed(result) -> list[str]:
    return [goal.teacher_name for group in result.groups for goal in group.goals]


def test_the_district_board_shows_what_reaches_the_viewer_and_nothing_else(build, grow, services, session, district):
    d = district
    names = {
        "Sam School": ("first", "school"),
        "Dee District": ("second", "district"),
        "Pia Public": ("second", "public"),
        "Pat Private": ("first", "private"),
        "Oto Otherschool": ("second", "school"),
    }
    for name, (where, visibility) in names.items():
        teacher = build.user("teacher", school=d[where], name=name)
        declared(services, grow, teacher, d[f"coach_{where}"], visibility=visibility)
    drafter = build.user("teacher", school=d["first"], name="Dora Draft")
    declared(services, grow, drafter, d["coach_first"], visibility="public", status="draft")

    result = board(session, services, d["viewer"])
    assert sorted(listed(result)) == ["Dee District", "Pia Public", "Sam School"]
    assert result.year_name == "2026–27"
    assert [(c.label, c.count) for c in result.focus_counts] == [("formative assessment", 3)]
    # At the other school, the first school's school-level goal is not seen, the second's is.
    outsider = build.user("teacher", school=d["second"])
    assert sorted(listed(board(session, services, outsider))) == ["Dee District", "Oto Otherschool", "Pia Public"]


def test_a_school_board_lists_only_that_school_and_its_school_goals_only_to_its_people(
    build, grow, services, session, district
):
    d = district
    for name, where, visibility in (
        ("Ana", "first", "school"),
        ("Ben", "first", "district"),
        ("Cy", "second", "public"),
    ):
        declared(
            services,
            grow,
            build.user("teacher", school=d[where], name=name),
            d[f"coach_{where}"],
            visibility=visibility,
        )
    assert sorted(listed(board(session, services, d["viewer"], school=d["first"]))) == ["Ana", "Ben"]
    outsider = build.user("teacher", school=d["second"])
    first_for_outsider = board(session, services, outsider, school=d["first"])
    assert listed(first_for_outsider) == ["Ben"]
    assert first_for_outsider.school == (d["first"].id, "Cedar Elementary")
    with pytest.raises(NotFound):
        board(session, services, outsider, school=type("S", (), {"id": 987654})())


def test_numbers_only_when_shared_with_the_latest_check_in(build, grow, services, session, district, clock):
    d = district
    sharer = build.user("teacher", school=d["first"], name="Ann Sharer")
    keeper = build.user("teacher", school=d["first"], name="Ken Keeper")
    shared_goal = declared(services, grow, sharer, d["coach_first"], share=True)
    declared(services, grow, keeper, d["coach_first"], share=False)
    with step(session):
        teacher = session.get(User, sharer.id)
        for day, value in ((date(2026, 8, 20), "55"), (date(2026, 8, 27), "61")):
            checkins.add_check_in(
                session, shared_goal, teacher, checked_on=day, value=value, reflection="Better.", now=clock()
            )
    by_name = {g.teacher_name: g for g in board(session, services, d["viewer"]).result.items}
    numbers = by_name["Ann Sharer"].numbers
    assert (numbers.baseline, numbers.target, numbers.unit) == (48.0, 75.0, "%")
    assert (numbers.latest, numbers.latest_on) == (61.0, date(2026, 8, 27))
    assert by_name["Ken Keeper"].numbers is None


def test_a_deactivated_teachers_goals_leave_the_board(build, grow, services, session, district):
    d = district
    teacher = build.user("teacher", school=d["first"], name="Gone Soon")
    declared(services, grow, teacher, d["coach_first"], visibility="district")
    assert listed(board(session, services, d["viewer"])) == ["Gone Soon"]
    with transaction(services.session_factory) as s:
        s.execute(update(User).where(User.id == teacher.id).values(is_active=False))
    assert listed(board(session, services, d["viewer"])) == []


def test_filters_by_focus_grade_band_subject_and_school(build, grow, services, session, district):
    d = district
    people = [
        ("Mia Math", "first", "3-5", "math", (FOCUS,)),
        ("Eli English", "first", "6-8", "ela", (OTHER_FOCUS,)),
        ("Sol Science", "second", "3-5", "science", (FOCUS, OTHER_FOCUS)),
    ]
    for name, where, band, subject, focus in people:
        teacher = build.user("teacher", school=d[where], name=name)
        with transaction(services.session_factory) as s:
            s.execute(update(User).where(User.id == teacher.id).values(grade_band=band, subject=subject))
        declared(services, grow, teacher, d[f"coach_{where}"], visibility="district", focus=focus)
    everything = board(session, services, d["viewer"])
    # A goal with two focuses is listed under each, and counted under each.
    assert [(g.label, [x.teacher_name for x in g.goals]) for g in everything.groups] == [
        ("formative assessment", ["Mia Math", "Sol Science"]),
        ("student discourse", ["Eli English", "Sol Science"]),
    ]
    assert everything.result.total == 4
    assert listed(board(session, services, d["viewer"], BoardFilter(focus=OTHER_FOCUS))) == [
        "Eli English",
        "Sol Science",
    ]
    by_band = board(session, services, d["viewer"], BoardFilter(grade_band="3-5"))
    assert sorted(set(listed(by_band))) == ["Mia Math", "Sol Science"]
    assert by_band.result.items[0].grade_band == "Grades 3 to 5"
    assert set(listed(board(session, services, d["viewer"], BoardFilter(subject="ela")))) == {"Eli English"}
    by_school = board(session, services, d["viewer"], BoardFilter(school_id=d["second"].id))
    assert set(listed(by_school)) == {"Sol Science"}
    assert by_school.filters.school_id == d["second"].id and not by_school.ignored


def test_filter_values_that_name_nothing_are_left_out_and_said(build, grow, services, session, district):
    d = district
    declared(services, grow, build.user("teacher", school=d["first"], name="Ana"), d["coach_first"])
    asked = BoardFilter(focus="tag:no such thing", grade_band="13-14", subject="alchemy", school_id=2**31 - 1)
    result = board(session, services, d["viewer"], asked)
    assert listed(result) == ["Ana"]
    assert result.filters == BoardFilter()
    assert len(result.ignored) == 4
    assert "focus" in " ".join(result.ignored)


def test_paging_over_focus_headings_says_when_a_heading_continues(build, grow, services, session, district):
    d = district
    for n in range(5):
        teacher = build.user("teacher", school=d["first"], name=f"Teacher {n}")
        declared(services, grow, teacher, d["coach_first"])
    first = board(session, services, d["viewer"], per_page=2)
    assert (first.result.total, first.result.pages) == (5, 3)
    assert listed(first) == ["Teacher 0", "Teacher 1"] and not first.groups[0].continued
    third = board(session, services, d["viewer"], page=3, per_page=2)
    assert listed(third) == ["Teacher 4"] and third.groups[0].continued and third.groups[0].count == 5
    past_the_end = board(session, services, d["viewer"], page=99, per_page=2)
    assert past_the_end.result.page == 3 and listed(past_the_end) == ["Teacher 4"]


def test_no_school_year_is_an_empty_board_not_an_error(build, services, session, district):
    result = board(session, services, district["viewer"])
    assert result.year_name is None and result.groups == [] and result.result.total == 0


def test_saying_what_one_teaches_is_audited_in_words(build, services, session, clock):
    teacher = build.user("teacher", name="Maria Lopez")
    admin = build.admin(name="Dana Whitfield")
    with step(session):
        me = session.get(User, teacher.id)
        assert teaching.set_teaching(session, me, grade_band="3-5", subject="math", actor=Actor.user(me), now=clock())
        assert not teaching.set_teaching(
            session, me, grade_band="3-5", subject="math", actor=Actor.user(me), now=clock()
        )
        by_admin = Actor.user(session.get(User, admin.id))
        teaching.set_teaching(session, me, grade_band="", subject="science", actor=by_admin, now=clock())
    with pytest.raises(InvalidInput) as refused:
        teaching.set_teaching(session, me, grade_band="k", subject="latin", actor=by_admin, now=clock())
    assert set(refused.value.errors) == {"grade_band", "subject"}
    session.rollback()
    events = list(audit.iter_events(session, EventFilter(subject_type="user")))
    said = [line.sentence for line in audit_page.describe_events(session, events) if line.action == "user.set_teaching"]
    assert sorted(said) == [
        "Dana Whitfield said what Maria Lopez teaches: Science",
        "Maria Lopez said what they teach: Grades 3 to 5, Mathematics",
    ]


def test_a_focus_with_accents_quotes_and_wildcards_is_listed_and_filtered(build, grow, services, session, district):
    d = district
    odd = 'tag:équité "100%" a_b\\c'
    lookalike = "tag:equite 100 aXb"
    declared(services, grow, build.user("teacher", school=d["first"], name="Odd"), d["coach_first"], focus=(odd,))
    declared(
        services, grow, build.user("teacher", school=d["first"], name="Near"), d["coach_first"], focus=(lookalike,)
    )
    result = board(session, services, d["viewer"], BoardFilter(focus=odd))
    assert listed(result) == ["Odd"] and result.groups[0].label == 'équité "100%" a_b\\c'
    assert listed(board(session, services, d["viewer"], BoardFilter(focus=lookalike))) == ["Near"]
