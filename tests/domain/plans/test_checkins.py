"""Check-ins: only on an active plan, by its teacher, dated within the school year and not in the future, with the
measure's value as a number and links that are web addresses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from credentials.domain.errors import Conflict, InvalidInput, PermissionDenied
from credentials.domain.plans import checkins
from credentials.storage.models import AuditEvent, CheckIn, GrowthPlan, User
from tests.plans_builders import step


def me(session, user):
    return session.get(User, user.id)


def first_goal(session, plan):
    session.rollback()
    return session.get(GrowthPlan, plan.id).goals[0].id


def test_a_check_in_on_an_active_plan(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    with step(session):
        entry = checkins.add_check_in(
            session, goal_id, me(session, teacher), checked_on="2026-08-28", value="55%",
            reflection="Small groups helped.", links=["https://docs.example.org/tickets", " "], now=clock(),
        )  # fmt: skip
    assert (entry.checked_on, entry.value, entry.links) == (
        date(2026, 8, 28),
        55.0,
        ["https://docs.example.org/tickets"],
    )
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.check_in")).one()
    assert event.summary["value"] == 55.0


@pytest.mark.parametrize("status", ["draft", "waiting_for_review", "in_review", "complete"])
def test_no_check_in_before_the_plan_is_approved_or_after_it_is_complete(build, grow, session, clock, status):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status=status, coach=coach)
    goal_id = first_goal(session, plan)
    with pytest.raises(Conflict) as refused, step(session):
        checkins.add_check_in(
            session, goal_id, me(session, teacher), checked_on=date(2026, 8, 28), value=50, now=clock()
        )
    expected = "kept as it was" if status == "complete" else "once your coach has approved the plan"
    assert expected in refused.value.message
    assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        ({"checked_on": date(2026, 9, 2)}, "checked_on", "cannot be in the future"),
        ({"checked_on": date(2026, 7, 30)}, "checked_on", "within the 2026–27 school year"),
        ({"checked_on": "yesterday"}, "checked_on", "Enter the date"),
        ({"value": "half"}, "value", "in %, as a number"),
        ({"value": None}, "value", "as a number"),
        ({"links": ["javascript:alert(1)"]}, "links", "is not a web address"),
        ({"links": [f"https://example.org/{n}" for n in range(6)]}, "links", "at most 5 links"),
        ({"reflection": "x" * 5001}, "reflection", "5,000 characters"),
    ],
)
def test_bad_check_ins_are_refused_with_a_sentence(build, grow, session, clock, arguments, field, words):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    values = {"checked_on": date(2026, 8, 28), "value": 50, **arguments}
    with pytest.raises(InvalidInput) as refused, step(session):
        checkins.add_check_in(session, goal_id, me(session, teacher), now=clock(), **values)
    assert words in refused.value.errors[field]
    assert session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_only_the_teacher_adds_check_ins(build, grow, session, clock):
    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    with pytest.raises(PermissionDenied), step(session):
        checkins.add_check_in(session, goal_id, me(session, coach), checked_on=date(2026, 8, 28), value=50, now=clock())


def _room(services, per_file=1024 * 1024):
    return checkins.FileRoom(services.evidence, per_file)


def test_a_check_in_keeps_its_files_in_the_evidence_store_named_for_what_they_are(build, grow, session, clock):
    import io

    from credentials.storage.models import CheckInFile
    from tests.builders import pdf_bytes, png_bytes

    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    files = [
        checkins.CheckInUpload(io.BytesIO(pdf_bytes()), "tickets.html"),  # a PDF, whatever its name says
        checkins.CheckInUpload(io.BytesIO(png_bytes()), "board.png"),
    ]
    with step(session):
        entry = checkins.add_check_in(
            session, goal_id, me(session, teacher), checked_on="2026-08-28", value="55", files=files,
            room=_room(build.services), now=clock(),
        )  # fmt: skip
    kept = session.scalars(select(CheckInFile).where(CheckInFile.check_in_id == entry.id)).all()
    assert [(f.filename, f.kind) for f in kept] == [("tickets.pdf", "pdf"), ("board.png", "image")]
    assert all(build.services.evidence.exists(f.sha256) for f in kept)
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "plan.check_in_file")).all()
    assert sorted(e.summary["sha256"] for e in events) == sorted(f.sha256 for f in kept)


@pytest.mark.parametrize(
    ("content", "per_file", "words"),
    [(b"MZ" + b"\0" * 200, 1024 * 1024, "run.exe"), (b"%PDF-" + b"x" * 5000, 1000, "larger than")],
)
def test_a_file_that_is_refused_refuses_the_whole_check_in(build, grow, session, clock, content, per_file, words):
    import io

    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    with pytest.raises(InvalidInput) as refused:
        checkins.add_check_in(
            session, goal_id, me(session, teacher), checked_on="2026-08-28", value="55",
            files=[checkins.CheckInUpload(io.BytesIO(content), "run.exe")], room=_room(build.services, per_file),
            now=clock(),
        )  # fmt: skip
    session.rollback()
    assert words in refused.value.errors["files"]
    assert session.scalar(select(func.count(CheckIn.id))) == 0


def test_at_most_three_files(build, grow, session, clock):
    import io

    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    files = [checkins.CheckInUpload(io.BytesIO(b"x"), f"{n}.pdf") for n in range(4)]
    with pytest.raises(InvalidInput) as refused:
        checkins.add_check_in(
            session, goal_id, me(session, teacher), checked_on="2026-08-28", value="55", files=files,
            room=_room(build.services), now=clock(),
        )  # fmt: skip
    assert "at most 3 files" in refused.value.errors["files"]


def test_a_backup_keeps_check_in_files(build, grow, session, clock):
    import io

    from credentials.storage.backup import read_facts
    from tests.builders import pdf_bytes

    teacher, coach = grow.teacher_and_coach()
    plan = grow.plan(teacher, status="active", coach=coach)
    goal_id = first_goal(session, plan)
    with step(session):
        entry = checkins.add_check_in(
            session, goal_id, me(session, teacher), checked_on="2026-08-28", value="55", room=_room(build.services),
            files=[checkins.CheckInUpload(io.BytesIO(pdf_bytes("only here")), "t.pdf")], now=clock(),
        )  # fmt: skip
        sha256 = entry.files[0].sha256
    with build.services.engine.connect() as connection:
        assert sha256 in read_facts(connection).evidence
