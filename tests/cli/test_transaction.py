"""A command's transaction: commit or roll back, then the follow-up steps; domain errors become click errors."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import select

from credentials.cli.transaction import in_transaction
from credentials.domain.after_commit import follow_with
from credentials.domain.credentials.issuer_keys import NoSigningKey
from credentials.domain.errors import Conflict
from credentials.domain.review import scoring
from credentials.storage.models import Assignment, IssuanceRequest, IssuedCredential, User
from tests.scoring import assignments_of, levels

MEETS = levels(design="proficient", reflection="exemplary")


def earn_in_a_command(app, attempt_id: int) -> None:
    """Submit the review that earns the attempt, in a command's transaction."""
    [assignment] = assignments_of(app.extensions["microcred"], attempt_id)
    with app.app_context(), in_transaction() as (session, now):
        reviewer = session.get(User, assignment.reviewer_id)
        scoring.submit_review(session, session.get(Assignment, assignment.id), reviewer, MEETS, now=now)
        # Not yet: the credential follows the commit.
        assert session.scalar(select(IssuedCredential.id)) is None


def test_an_earned_decision_in_a_command_is_followed_by_its_credential(app, build, session):
    build.issuer_keys()
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)

    earn_in_a_command(app, attempt.id)

    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id
    assert session.scalar(select(IssuanceRequest.processed_at)) is not None


def test_a_failed_issuance_leaves_the_request_pending_for_credentials_process(app, build, session, run, caplog):
    slug = build.published()
    build.reviewer(slug=slug)
    attempt = build.submitted(slug)

    earn_in_a_command(app, attempt.id)  # no signing keys yet: issuing fails after the decision committed

    assert "microcred keys generate" in caplog.text
    assert session.scalar(select(IssuedCredential.id)) is None
    assert session.scalars(select(IssuanceRequest.processed_at)).all() == [None]
    still_no_keys = run("credentials", "process")
    assert still_no_keys.stdout == "Issued 0 of 1 pending credential(s).\n"
    assert still_no_keys.stderr.startswith(f"attempt {attempt.id}: ")
    assert "microcred keys generate" in still_no_keys.stderr
    build.issuer_keys()
    result = run("credentials", "process")
    assert result.output == "Issued 1 of 1 pending credential(s).\n"
    session.rollback()
    assert session.scalar(select(IssuedCredential.attempt_id)) == attempt.id


def test_a_domain_error_rolls_back_runs_no_step_and_becomes_the_command_error(app, build, session):
    user = build.user("teacher", name="Ana Ruiz")
    ran = []

    class Step:
        name = "a step that must not run"

        def __call__(self, services):
            ran.append(self)

    refused = pytest.raises(click.ClickException, match=r"^Refused\.$")
    with app.app_context(), refused, in_transaction() as (command_session, _now):
        command_session.get(User, user.id).name = "Someone Else"
        command_session.flush()
        follow_with(command_session, Step())
        raise Conflict("Refused.")

    assert ran == []
    assert session.get(User, user.id).name == "Ana Ruiz"


def test_the_caller_may_handle_a_domain_error_itself(app):
    with app.app_context(), pytest.raises(NoSigningKey), in_transaction(caller_handles=(NoSigningKey,)):
        raise NoSigningKey("No active key.")


def test_a_failing_step_is_logged_and_the_commit_stands(app, build, session, caplog):
    user = build.user("teacher", name="Ana Ruiz")

    class Step:
        name = "a step that breaks"

        def __call__(self, services):
            raise RuntimeError("broken")

    with app.app_context(), in_transaction() as (command_session, _now):
        command_session.get(User, user.id).name = "Ana Ruiz Ode"
        follow_with(command_session, Step())

    assert session.get(User, user.id).name == "Ana Ruiz Ode"
    assert "a step that breaks failed after the commit" in caplog.text
