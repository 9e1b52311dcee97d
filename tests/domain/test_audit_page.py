"""The audit trail in words: one sentence per event, with people's names and titles, for every action we record."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from credentials.domain import audit
from credentials.domain.audit import Actor, EventFilter
from credentials.domain.audit import page as audit_page
from credentials.domain.credentials import revocation
from credentials.domain.people import invitations
from credentials.domain.people.organizations import district_office
from credentials.storage.database import transaction
from credentials.storage.models import User

SOURCE = Path(__file__).resolve().parents[2] / "credentials"
TITLE = "Checking for understanding with exit tickets"


def recorded_actions() -> set[str]:
    """Every action name the code records: the ``action="..."`` strings next to record_event calls."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for rest_of_line in re.findall(r"\baction=(.*)", path.read_text("utf-8")):
            found.update(re.findall(r'"([a-z_]+\.[a-z_]+)"', rest_of_line))
    return found


def test_every_recorded_action_has_its_own_words():
    actions = recorded_actions()
    assert {"credential.revoked", "review.submit", "user.invite", "school.close", "school.reopen"} <= actions
    assert len(actions) >= 50
    assert sorted(actions - set(audit_page.PHRASES)) == []


def sentences(services, criteria: EventFilter | None = None) -> dict[str, list[str]]:
    """Action -> the sentences of its events, oldest first."""
    with services.session_factory() as session:
        events = list(audit.iter_events(session, criteria or EventFilter()))
        lines = audit_page.describe_events(session, events)
    said: dict[str, list[str]] = {}
    for line in lines:
        said.setdefault(line.action, []).append(line.sentence)
    return said


def people(services, *emails) -> list[User]:
    with services.session_factory() as session:
        return [session.query(User).filter_by(email=email).one() for email in emails]


def test_a_credential_from_review_to_revocation_reads_as_sentences(build, services, clock):
    teacher = build.user("teacher", email="maria.lopez@riverside.example.org", name="Maria Lopez")
    slug = build.published()
    build.reviewer(slug=slug, email="grace.kim@riverside.example.org", name="Grace Kim")
    credential = build.credential(slug, teacher)
    admin = build.admin(email="alex.admin@riverside.example.org", name="Alex Admin")
    with transaction(services.session_factory) as session:
        revocation.revoke_credential(
            session, services.signing, credential.uuid, category="superseded", reason="Re-issued with the right name",
            actor=Actor.user(session.get(User, admin.id)), now=clock(),
        )  # fmt: skip

    said = sentences(services)

    attempt = f"attempt #{credential.attempt_id}"
    assert said["credential.revoked"] == [
        f"Alex Admin revoked Maria Lopez's credential for {TITLE}: replaced by a corrected credential"
        " — “Re-issued with the right name”"
    ]
    assert f"Grace Kim scored Maria Lopez's {attempt} at {TITLE}: earned" in said["review.submit"]
    assert said["attempt.start"] == [f"Maria Lopez started their {attempt} at {TITLE}"]
    assert said["attempt.upload"] == [f"Maria Lopez uploaded “tickets.pdf” to their {attempt} at {TITLE}"]
    assert said["credential.issued"] == [
        f"Automatic issuing issued Maria Lopez's credential for {TITLE} after the review of {attempt}"
    ]
    assert f"Review routing assigned Maria Lopez's {attempt} at {TITLE} to Grace Kim" in said["review.assign"][-1]
    assert re.search(r", due [A-Z][a-z]+ \d{1,2}, \d{4}$", said["review.assign"][-1])
    assert f"microcred (test) qualified Grace Kim to review {TITLE}" in said["review.qualify"]
    # Nobody is "user 11" any more.
    assert not any(re.search(r"\b(user|attempt|credential) \d", s) for lines in said.values() for s in lines)


def test_links_lead_to_the_people_and_things_named(build, services, clock):
    teacher = build.user("teacher", email="maria.lopez@riverside.example.org", name="Maria Lopez")
    credential = build.credential(None, teacher)
    with services.session_factory() as session:
        events = list(audit.iter_events(session, EventFilter(action="credential.issued")))
        [line] = audit_page.describe_events(session, events)

    links = [part for part in line.parts if isinstance(part, audit_page.Link)]
    assert links == [
        audit_page.Link(f"Maria Lopez's credential for {TITLE}", audit_page.CREDENTIAL, credential.uuid),
        audit_page.Link(f"attempt #{credential.attempt_id}", audit_page.ATTEMPT, str(credential.attempt_id)),
    ]


def test_an_invitation_names_the_person_and_the_role(build, services):
    admin = build.admin(email="alex.admin@riverside.example.org", name="Alex Admin")
    with transaction(services.session_factory) as session:
        invitations.invite_user(
            session, email="luis.romero@riverside.example.org", name="Luis Romero", roles=["reviewer"],
            school_id=district_office(session).id, actor=Actor.user(session.get(User, admin.id)),
            issuer_name="Riverside Unified School District", link_for=lambda purpose, token: f"https://x.test/{token}",
            now=services.clock(),
        )  # fmt: skip

    said = sentences(services, EventFilter(action="user.invite"))

    assert said["user.invite"] == ["Alex Admin invited Luis Romero (luis.romero@riverside.example.org) as reviewer"]


@pytest.mark.parametrize(
    ("action", "subject_type", "subject_id", "summary", "expected"),
    [
        ("test.kind_three", "school", "999", {"x": 1}, "Grace Kim — test: kind three — school #999"),
        ("test.thing", "widget", "w-1", {}, "Grace Kim — test: thing — widget w-1"),
        # A summary of a shape the phrase does not expect falls back to the plain form instead of failing.
        ("review.assign", "attempt", "77", {"reviewers": 5}, "Grace Kim — review: assign — attempt #77"),
        ("user.update", "user", "not-a-number", {"name": {"from": "A", "to": "B"}},
         "Grace Kim changed person #not-a-number's name from “A” to “B”"),
    ],
)  # fmt: skip
def test_an_unknown_action_or_odd_summary_still_reads(build, services, clock, action, subject_type, subject_id,
                                                      summary, expected):  # fmt: skip
    grace = build.user("reviewer", email="grace.kim@riverside.example.org", name="Grace Kim")
    with transaction(services.session_factory) as session:
        audit.record_event(
            session, actor=Actor.user(session.get(User, grace.id)), action=action, subject_type=subject_type,
            subject_id=subject_id, summary=summary, now=clock(),
        )  # fmt: skip
    assert sentences(services, EventFilter(action=action))[action] == [expected]


def test_system_actors_and_plain_labels_read_as_words(build, services, clock):
    build.issuer()
    with transaction(services.session_factory) as session:
        for actor in (Actor.system("cli"), Actor(id=None, label="old.admin@riverside.example.org")):
            audit.record_event(
                session, actor=actor, action="school.close", subject_type="school",
                subject_id=district_office(session).id, now=clock(),
            )  # fmt: skip
    assert sentences(services, EventFilter(action="school.close"))["school.close"] == [
        "An operator (command line) closed the school District office",
        "old.admin@riverside.example.org closed the school District office",
    ]


def test_the_export_adds_the_sentence_after_the_raw_columns(build, services):
    build.user("teacher", email="maria.lopez@riverside.example.org", name="Maria Lopez")
    with services.session_factory() as session:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(audit_page.export_rows(session, EventFilter(), batch_size=2))
    header, *rows = list(csv.reader(io.StringIO(buffer.getvalue())))

    assert header == [*audit.CSV_COLUMNS, "description"]
    described = {row[4]: row[-1] for row in rows}
    assert described["user.create"] == "microcred (test) added Maria Lopez as teacher at District office"
    assert [int(row[0]) for row in rows] == list(range(1, len(rows) + 1))  # every event, across batches
