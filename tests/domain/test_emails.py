"""Every e-mail the service sends: a link to the page where its reader acts, plain words, US dates in the district's
time zone, and a text part and an HTML part that say the same."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.credentials import revocation
from credentials.domain.people import invitations, sign_in
from credentials.domain.people.organizations import district_office
from credentials.domain.review import admin, routing
from credentials.storage.database import transaction
from credentials.storage.models import AuditEvent, OutboxMessage
from tests.builders import definition
from tests.scoring import assignments_of, levels, submit_review

DISTRICT = "Riverside Unified School District"
SITE = "https://microcred.test"
ADMIN = Actor.system("test-admin")
# 3:30 in the morning UTC on December 3 is still the evening of December 2 in Chicago (the district's zone).
LATE_EVENING = datetime(2026, 12, 3, 3, 30, tzinfo=UTC)


def mails(session, kind: str) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def says(mail: OutboxMessage, *phrases: str) -> None:
    """Each phrase is in the text part and (escaped) in the HTML part."""
    assert mail.body_html, f"{mail.kind} has no HTML part"
    words = re.sub(r"<[^>]+>", "", mail.body_html)  # the words a reader sees, still escaped
    for phrase in phrases:
        assert phrase in mail.body_text, (phrase, mail.body_text)
        assert html.escape(phrase) in words, (phrase, mail.body_html)


def links_to(mail: OutboxMessage, url: str) -> None:
    """The letter's link: written out in the text part, a real link in the HTML part, signed by the district."""
    assert f"\n{url}\n" in mail.body_text, (url, mail.body_text)
    assert f'href="{html.escape(url)}"' in mail.body_html, (url, mail.body_html)
    assert mail.body_text.rstrip().endswith(DISTRICT)
    says(mail, DISTRICT)


def never_says(mail: OutboxMessage, *phrases: str) -> None:
    for phrase in phrases:
        assert phrase not in mail.body_text and phrase not in html.unescape(mail.body_html), phrase


def test_received_links_the_submission_with_us_dates_in_the_district_zone(build, slug, session, clock):
    clock.now = LATE_EVENING
    attempt = build.submitted(slug)
    [mail] = mails(session, "submission_received")
    links_to(mail, f"{SITE}/attempts/{attempt.id}")
    says(mail, "Submitted: December 2, 2026, 9:30 PM CST", "See your submission")
    # The expected decision is a calendar day (ten business days on), never shifted by the zone.
    says(mail, f"by {attempt.expected_decision_on:%B} {attempt.expected_decision_on.day}, 2026")
    never_says(mail, "December 3", "03 December", "2026-12")


def test_not_yet_links_the_feedback_and_says_what_comes_next(build, slug, session, clock):
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    clock.now = LATE_EVENING
    [assignment] = assignments_of(build.services, attempt.id)
    submit_review(build.services, assignment.id, levels(design="proficient", reflection="not-yet"))
    [mail] = mails(session, "decision")
    assert mail.subject.startswith("Feedback on ")
    links_to(mail, f"{SITE}/attempts/{attempt.id}")
    says(mail, "Read the feedback", "does not meet every requirement yet", "Decided: December 2, 2026")
    says(mail, "You can revise your evidence and submit it again (2 attempts left).")


def test_earned_links_the_reviewers_comments(build, session):
    attempt = build.earned()
    [mail] = mails(session, "decision")
    assert mail.subject.startswith("You earned ")
    links_to(mail, f"{SITE}/attempts/{attempt.id}")
    says(mail, "you have earned the micro-credential", "a second e-mail brings its link")


def test_returned_incomplete_quotes_the_reason_and_links_the_draft(build, slug, session):
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    with transaction(build.services.session_factory) as s:
        admin.return_incomplete(s, attempt.id, reason="The PDF <will> not open.\nPlease upload it again.",
                                actor=ADMIN, now=build.services.clock())  # fmt: skip
    [mail] = mails(session, "returned_incomplete")
    links_to(mail, f"{SITE}/attempts/{attempt.id}")
    says(mail, "Open your draft", "This does not count as one of your attempts.")
    assert "    The PDF <will> not open.\n    Please upload it again." in mail.body_text
    assert "The PDF &lt;will&gt; not open.<br>\nPlease upload it again." in mail.body_html
    assert "<will>" not in mail.body_html


def test_a_new_review_links_the_review_itself(build, slug, session):
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)
    [assignment] = assignments_of(build.services, attempt.id)
    [mail] = mails(session, "review_assigned")
    links_to(mail, f"{SITE}/reviews/{assignment.id}")
    due = assignment.due_on
    says(mail, "Open the review", routing.anonymous_code(attempt.id), f"Please score it by {due:%B} {due.day}, 2026")


def test_a_new_review_from_the_waiting_queue_links_the_review_too(build, slug, session):
    attempt = build.submitted(slug)  # nobody is qualified yet: it waits
    build.reviewer(slug=slug)  # a new qualification routes the waiting queue in one batch
    assert session.scalars(select(AuditEvent.action).where(AuditEvent.action == "review.assign_batch")).one()
    [assignment] = assignments_of(build.services, attempt.id)
    [mail] = mails(session, "review_assigned")
    links_to(mail, f"{SITE}/reviews/{assignment.id}")
    says(mail, routing.anonymous_code(attempt.id))


def test_a_moved_overdue_review_links_the_queue_or_the_submission(build, slug, session, clock):
    build.admin(email="admin@riverside.example.org")
    build.reviewer(slug=slug, email="slow@riverside.example.org")
    attempt = build.submitted(slug)
    build.reviewer(slug=slug)
    clock.advance(days=30)
    with transaction(build.services.session_factory) as s:
        admin.sweep_overdue(s, now=clock())
    by_recipient = {m.recipient: m for m in mails(session, "review_overdue")}
    links_to(by_recipient["slow@riverside.example.org"], f"{SITE}/reviews")
    says(by_recipient["slow@riverside.example.org"], "has been given to another reviewer", "Open your review queue")
    links_to(by_recipient["admin@riverside.example.org"], f"{SITE}/admin/reviews/attempts/{attempt.id}")
    due = attempt.expected_decision_on
    says(by_recipient["admin@riverside.example.org"], f"was due on {due:%B} {due.day}, 2026")


def test_the_credential_email_links_its_page_in_plain_words(build, session):
    credential = build.credential()
    [mail] = mails(session, "credential")
    links_to(mail, f"{SITE}/c/{credential.uuid}")
    says(mail, "See your credential", f"{DISTRICT} has issued your credential", "certificate", "badge image")
    says(mail, f"{SITE}/my/microcredentials")
    never_says(mail, "JSON", "JWT", "baked")


def test_revoked_suspended_and_reinstated_link_the_credential(build, services, session):
    credential = build.credential()
    with transaction(services.session_factory) as s:
        revocation.suspend_credential(s, services.signing, credential.uuid, reason="Under inquiry", actor=ADMIN,
                                      now=services.clock())  # fmt: skip
    with transaction(services.session_factory) as s:
        revocation.unsuspend_credential(s, services.signing, credential.uuid, actor=ADMIN, now=services.clock())
    with transaction(services.session_factory) as s:
        revocation.revoke_credential(s, services.signing, credential.uuid, category="issued_in_error",
                                     reason="Wrong teacher selected", actor=ADMIN, now=services.clock())  # fmt: skip
    suspended, reinstated, revoked = mails(session, "credential-status")
    for mail, what in ((suspended, "suspended"), (reinstated, "reinstated"), (revoked, "revoked")):
        links_to(mail, f"{SITE}/c/{credential.uuid}")
        says(mail, f"{DISTRICT} has {what} your credential", "credentials@riverside.example.org")
    says(revoked, "Reason: Issued in error.")
    never_says(revoked, "Wrong teacher")


def test_the_expiry_reminder_links_the_credential_and_the_renewal_with_a_us_date(build, services, session, clock):
    slug = build.published(definition(slug="expiring", title="Expiring micro-credential", validity_months=12))
    credential = build.credential(slug)
    clock.now = credential.valid_until - timedelta(days=13)
    with transaction(services.session_factory) as s:
        assert revocation.send_expiry_reminders(s, services.signing, now=clock()) == 1
    [mail] = mails(session, "expiry")
    links_to(mail, f"{SITE}/c/{credential.uuid}")
    says(mail, f"{SITE}/microcredentials/expiring", "Renew it")
    until = credential.valid_until.astimezone(UTC)
    assert until.hour >= 6  # well after midnight in UTC, so the Chicago date is the same calendar day
    written = f"{until:%B} {until.day}, {until.year}"
    says(mail, f"valid until {written}")
    assert mail.subject.startswith(f"Your credential expires on {written}")


def test_the_invitation_names_the_district_and_links_the_acceptance(build, services, session):
    inviter = build.admin()
    with transaction(services.session_factory) as s:
        invitations.invite_user(
            s, email="new.teacher@riverside.example.org", name="New Teacher", roles=["teacher"],
            school_id=district_office(s).id, actor=Actor.user(inviter), issuer_name=DISTRICT,
            link_for=lambda purpose, token: f"{SITE}/invitation/{token}", now=services.clock(),
        )  # fmt: skip
    [mail] = mails(session, "invitation")
    assert mail.subject == f"{DISTRICT} invites you to its micro-credentials site"
    url = mail.body_text.split("Accept the invitation:\n", 1)[1].split("\n", 1)[0]
    assert url.startswith(f"{SITE}/invitation/")
    links_to(mail, url)
    says(mail, f"{DISTRICT} has invited you", "Your role: teacher", "within 7 days")
    never_says(mail, "to microcred")


def test_the_reset_links_the_reset_page(build, services, session):
    build.user("teacher", email="maria@riverside.example.org", name="María López")
    with transaction(services.session_factory) as s:
        sign_in.request_password_reset(s, email="maria@riverside.example.org",
                                       link_for=lambda purpose, token: f"{SITE}/reset-password/{token}",
                                       now=services.clock())  # fmt: skip
    [mail] = mails(session, "password_reset")
    url = mail.body_text.split("Choose a new password:\n", 1)[1].split("\n", 1)[0]
    assert url.startswith(f"{SITE}/reset-password/")
    links_to(mail, url)
    says(mail, "Hello María López,", "It works once.")
    never_says(mail, "microcred account")
