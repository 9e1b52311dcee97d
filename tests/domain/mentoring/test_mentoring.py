"""Mentoring rules: who may volunteer, who is listed and in what order, asking for help (its limits), answering,
and what each e-mail says: no address before the mentor accepts, both addresses after, nothing on a decline."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from credentials.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from credentials.domain.mentoring import offers, pages, requests
from credentials.domain.mentoring.vocabulary import ACCEPTED, ASKS_PER_DAY, DECLINED
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, HelpRequest, IssuedCredential, MentorOffer, OutboxMessage, User


def volunteer(act, who, slug, note=""):
    return act(lambda s, u, now: offers.volunteer(s, u, slug, note=note, now=now), who)


def ask(act, asker, slug, mentor, message="Could you look at my exit tickets before I submit?"):
    return act(lambda s, u, now: requests.ask(s, u, slug, mentor.id, message=message, now=now), asker)


def answer(act, mentor, request_id, accept):
    return act(lambda s, u, now: requests.answer(s, u, request_id, accept=accept, now=now), mentor)


def section(act, viewer, slug):
    return act(lambda s, u, now: pages.mentors_section(s, slug, u, now), viewer)


def letters(services):
    with services.session_factory() as session:
        return session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def actions(services):
    with services.session_factory() as session:
        return session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()


def test_a_holder_volunteers_and_it_is_audited(act, world, services):
    volunteer(act, world.mia, world.slug, note="  Planning   the evidence ")
    with services.session_factory() as session:
        offer = session.scalars(select(MentorOffer)).one()
    assert (offer.teacher_id, offer.note, offer.withdrawn_at) == (world.mia.id, "Planning the evidence", None)
    assert actions(services)[-1] == "mentor.volunteer"


def test_only_a_teacher_holding_a_valid_credential_may_volunteer(act, world, build, services):
    with pytest.raises(PermissionDenied):
        volunteer(act, world.tom, world.slug)
    coach = build.user("coach", school=world.oak)
    with pytest.raises(PermissionDenied):
        volunteer(act, coach, world.slug)
    with transaction(services.session_factory) as session:
        session.execute(update(IssuedCredential).values(revoked_at=services.clock()))
    with pytest.raises(PermissionDenied):
        volunteer(act, world.mia, world.slug)
    with pytest.raises(NotFound):
        volunteer(act, world.mia, "no-such-thing")


def test_a_long_note_is_refused_with_a_sentence(act, world):
    with pytest.raises(InvalidInput) as refused:
        volunteer(act, world.mia, world.slug, note="x" * 301)
    assert "300 characters" in refused.value.errors["note"]


def test_withdrawing_and_volunteering_again_reuse_the_offer(act, world, services, clock):
    volunteer(act, world.mia, world.slug)
    act(lambda s, u, now: offers.withdraw(s, u, world.slug, now=now), world.mia)
    assert section(act, world.tom, world.slug).mentors == ()
    with pytest.raises(Conflict):
        act(lambda s, u, now: offers.withdraw(s, u, world.slug, now=now), world.mia)
    clock.advance(days=3)
    volunteer(act, world.mia, world.slug, note="Again")
    with services.session_factory() as session:
        (offer,) = session.scalars(select(MentorOffer)).all()
    assert offer.withdrawn_at is None and offer.since == clock() and offer.note == "Again"
    assert actions(services)[-3:] == ["mentor.volunteer", "mentor.withdraw", "mentor.volunteer"]


def test_mentors_at_the_viewers_school_come_first_never_the_viewer(act, world, build, services):
    volunteer(act, world.ben, world.slug)
    volunteer(act, world.mia, world.slug, note="Reflections")
    listed = section(act, world.tom, world.slug)
    assert [(m.name, m.school, m.same_school, m.note) for m in listed.mentors] == [
        ("Mia Moreno", "Oak Valley Middle School", True, "Reflections"),
        ("Ben Baker", "Elm Street Elementary", False, ""),
    ]
    assert not listed.viewer_holds and not listed.viewer_mentors
    mine = section(act, world.mia, world.slug)
    assert [m.name for m in mine.mentors] == ["Ben Baker"] and mine.viewer_holds and mine.viewer_mentors


def test_only_active_people_still_holding_it_are_listed(act, world, services):
    volunteer(act, world.ben, world.slug)
    volunteer(act, world.mia, world.slug)
    with transaction(services.session_factory) as session:
        session.execute(update(User).where(User.id == world.ben.id).values(is_active=False))
        session.execute(
            update(IssuedCredential)
            .where(IssuedCredential.recipient_id == world.mia.id)
            .values(valid_until=services.clock())
        )
    assert section(act, world.tom, world.slug).mentors == ()


def test_the_mentor_is_asked_by_e_mail_without_the_askers_address(act, world, services):
    volunteer(act, world.mia, world.slug)
    request = ask(act, world.tom, world.slug, world.mia, message="Could you look at my **exit tickets**?")
    (letter,) = [m for m in letters(services) if m.kind == "mentoring"]
    assert letter.recipient == "mia@riverside.example.org"
    assert "Tom Tran" in letter.subject and "Could you look at my **exit tickets**?" in letter.body_text
    assert "tom@riverside.example.org" not in letter.body_text + letter.body_html
    assert "/my/mentoring" in letter.body_text
    assert actions(services)[-1] == "help.ask"
    assert section(act, world.tom, world.slug).mentors[0].asked
    made = act(lambda s, u, now: pages.my_mentoring(s, u), world.tom).made
    assert [(r.id, r.other, r.other_email) for r in made] == [(request.id, "Mia Moreno", "")]


@pytest.mark.parametrize(
    ("message", "sentence"),
    [("", "Say what you would like help with."), ("   ", "Say what"), ("x" * 2001, "2,000 characters")],
)
def test_a_request_needs_a_message_of_at_most_2000_characters(act, world, message, sentence):
    volunteer(act, world.mia, world.slug)
    with pytest.raises(InvalidInput) as refused:
        ask(act, world.tom, world.slug, world.mia, message=message)
    assert sentence in refused.value.errors["message"]
    ask(act, world.tom, world.slug, world.mia, message="x" * 2000)


def test_nobody_asks_themselves_or_someone_who_does_not_mentor(act, world, build):
    volunteer(act, world.mia, world.slug)
    with pytest.raises(Conflict):
        ask(act, world.mia, world.slug, world.mia)
    with pytest.raises(NotFound):
        ask(act, world.tom, world.slug, world.ben)  # holds it, but did not volunteer
    with pytest.raises(PermissionDenied):
        ask(act, build.user("coach"), world.slug, world.mia)


def test_one_open_request_per_teacher_mentor_and_micro_credential(act, world):
    volunteer(act, world.mia, world.slug)
    first = ask(act, world.tom, world.slug, world.mia)
    with pytest.raises(InvalidInput) as refused:
        ask(act, world.tom, world.slug, world.mia)
    assert "already asked Mia Moreno" in refused.value.errors["message"]
    answer(act, world.mia, first.id, accept=False)
    ask(act, world.tom, world.slug, world.mia)  # once answered, they may ask again


def test_asking_is_throttled_per_day(act, world, build, clock):
    mentors = []
    for n in range(ASKS_PER_DAY + 1):
        mentor = build.user("teacher", school=world.elm, name=f"Mentor {n}")
        build.credential(world.slug, mentor)
        volunteer(act, mentor, world.slug)
        mentors.append(mentor)
    for mentor in mentors[:ASKS_PER_DAY]:
        ask(act, world.tom, world.slug, mentor)
    with pytest.raises(InvalidInput) as refused:
        ask(act, world.tom, world.slug, mentors[-1])
    assert "try again tomorrow" in refused.value.errors["message"]
    clock.advance(days=1, seconds=1)
    ask(act, world.tom, world.slug, mentors[-1])


def test_accepting_sends_each_the_others_address(act, world, services):
    volunteer(act, world.mia, world.slug)
    request = ask(act, world.tom, world.slug, world.mia)
    answer(act, world.mia, request.id, accept=True)
    to_tom, to_mia = (
        next(m for m in letters(services)[::-1] if m.kind == "mentoring" and m.recipient == who)
        for who in ("tom@riverside.example.org", "mia@riverside.example.org")
    )
    assert "mia@riverside.example.org" in to_tom.body_text and "mia@riverside.example.org" in to_tom.body_html
    assert "tom@riverside.example.org" in to_mia.body_text
    with services.session_factory() as session:
        stored = session.get(HelpRequest, request.id)
        assert (stored.status, stored.answered_at) == (ACCEPTED, services.clock())
    assert actions(services)[-1] == "help.accept"
    made = act(lambda s, u, now: pages.my_mentoring(s, u), world.tom).made
    received = act(lambda s, u, now: pages.my_mentoring(s, u), world.mia).received
    assert made[0].other_email == "mia@riverside.example.org"
    assert received[0].other_email == "tom@riverside.example.org"


def test_declining_shares_nothing(act, world, services):
    volunteer(act, world.mia, world.slug)
    request = ask(act, world.tom, world.slug, world.mia)
    answer(act, world.mia, request.id, accept=False)
    mentoring = [m for m in letters(services) if m.kind == "mentoring"]
    assert [m.recipient for m in mentoring] == ["mia@riverside.example.org", "tom@riverside.example.org"]
    assert "mia@riverside.example.org" not in mentoring[-1].body_text + mentoring[-1].body_html
    assert "Mia Moreno cannot help" in mentoring[-1].body_text
    assert actions(services)[-1] == "help.decline"
    made = act(lambda s, u, now: pages.my_mentoring(s, u), world.tom).made
    assert (made[0].status, made[0].other_email) == (DECLINED, "")


def test_only_the_mentor_answers_and_only_once(act, world, services):
    volunteer(act, world.mia, world.slug)
    request = ask(act, world.tom, world.slug, world.mia)
    for someone in (world.tom, world.ben):
        with pytest.raises(NotFound):
            answer(act, someone, request.id, accept=True)
    with pytest.raises(NotFound):
        answer(act, world.mia, 999_999, accept=True)
    answer(act, world.mia, request.id, accept=True)
    with pytest.raises(Conflict):
        answer(act, world.mia, request.id, accept=False)
    with services.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 1


def test_every_mentoring_action_has_words_in_the_audit_trail():
    from credentials.domain.audit.words import PHRASES

    for action in (
        "mentor.volunteer",
        "mentor.change_note",
        "mentor.withdraw",
        "help.ask",
        "help.accept",
        "help.decline",
    ):
        assert action in PHRASES


def test_the_database_keeps_one_open_request_even_when_two_tabs_send_at_once(act, world, services):
    from sqlalchemy.exc import IntegrityError

    volunteer(act, world.mia, world.slug)
    first = ask(act, world.tom, world.slug, world.mia)
    with services.session_factory() as session:
        stored = session.get(HelpRequest, first.id)
        session.add(
            HelpRequest(
                mentor_id=stored.mentor_id, asker_id=stored.asker_id, microcredential_id=stored.microcredential_id,
                message="Again", status="asked", created_at=services.clock(),
            )
        )  # fmt: skip
        with pytest.raises(IntegrityError):
            session.commit()
