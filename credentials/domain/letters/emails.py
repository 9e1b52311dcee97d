"""What every e-mail the service sends says: one function per kind, each returning a ``letters.Letter``.

The wording lives here, in plain words and in one place; the code that causes an e-mail queues the letter with
``letters.queue_letter`` inside its transaction. Each letter links to the page where its reader acts, and dates are
written as "December 2, 2026" in the district's time zone (due dates are calendar days and are not shifted).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ...storage.models import Attempt, IssuedCredential
from . import Action, Letter, Letterhead, Quote


def submission_received(head: Letterhead, attempt: Attempt) -> Letter:
    """To the teacher: their evidence arrived, when to expect a decision, and their submission's page."""
    title = attempt.version.title
    expected = head.date(attempt.expected_decision_on)
    return Letter(
        subject=f"We received your evidence for {title}",
        to=attempt.teacher.name,
        paragraphs=(
            f"Thank you: your evidence for “{title}” (attempt {attempt.number}) has been submitted.",
            f"Reviewers will score it against the published rubric. We will e-mail you when there is a decision, "
            f"by {expected}.",
            "Until a reviewer starts, you can withdraw it from its page if you want to change something.",
        ),
        action=Action("See your submission", head.link(f"/attempts/{attempt.id}")),
        details=(("Submitted", head.date_time(attempt.submitted_at)), ("Decision expected by", expected)),
        signature=head.district,
    )


def decision(head: Letterhead, attempt: Attempt, *, earned: bool, next_step: str = "") -> Letter:
    """To the teacher: the decision on their attempt, and the page with the reviewers' feedback.

    ``next_step`` (for a "not yet") says whether and how often they may resubmit."""
    title = attempt.version.title
    if earned:
        subject = f"You earned {title}"
        paragraphs: tuple[str, ...] = (
            f"Congratulations! Reviewers found that your evidence for “{title}” (attempt {attempt.number}) meets "
            "every requirement: you have earned the micro-credential.",
            "Your credential is being issued now; a second e-mail brings its link.",
        )
        label, outcome = "Read the reviewers' comments", "Earned"
    else:
        subject = f"Feedback on {title}"
        paragraphs = (
            f"Reviewers have scored your evidence for “{title}” (attempt {attempt.number}). It does not meet every "
            "requirement yet, so the micro-credential is not earned this time.",
            "Their feedback on each part of the rubric says what is strong and what to work on.",
            *([next_step] if next_step else []),
        )
        label, outcome = "Read the feedback", "Not yet"
    return Letter(
        subject=subject,
        to=attempt.teacher.name,
        paragraphs=paragraphs,
        action=Action(label, head.link(f"/attempts/{attempt.id}")),
        details=(("Decision", outcome), ("Decided", head.date(attempt.decided_at))),
        signature=head.district,
    )


def returned_incomplete(head: Letterhead, attempt: Attempt, *, reason: str) -> Letter:
    """To the teacher: their evidence came back unscored, why, and the draft to fix."""
    title = attempt.version.title
    return Letter(
        subject=f"Your evidence for {title} needs attention",
        to=attempt.teacher.name,
        paragraphs=(
            f"Your evidence for “{title}” was returned to you before anyone scored it. The district's note:",
            Quote(reason),
            "It is a draft again: fix what the note mentions and submit it when it is ready. This does not count as "
            "one of your attempts.",
        ),
        action=Action("Open your draft", head.link(f"/attempts/{attempt.id}")),
        signature=head.district,
    )


def review_assigned(
    head: Letterhead, *, reviewer_name: str, title: str, code: str, due_on: date, assignment_id: int | None
) -> Letter:
    """To a reviewer: a submission waits for them, by when, and the review itself (or their queue)."""
    action = (
        Action("Open the review", head.link(f"/reviews/{assignment_id}"))
        if assignment_id
        else Action("Open your review queue", head.link("/reviews"))
    )
    return Letter(
        subject=f"New review: {title}",
        to=reviewer_name,
        paragraphs=(
            f"A submission for “{title}” ({code}) is waiting for your review.",
            f"Please score it by {head.date(due_on)}. The teacher's name is not shown to you, so the review stays "
            "fair.",
        ),
        action=action,
        also=(Action("All your reviews", head.link("/reviews")),) if assignment_id else (),
        details=(("Submission", code), ("Due", head.date(due_on))),
        signature=head.district,
    )


def overdue_review_moved(
    head: Letterhead, *, name: str, code: str, due_on: date, reassigned: bool, attempt_id: int, to_reviewer: bool
) -> Letter:
    """To the late reviewer and to each admin: an overdue review moved on (to someone else, or back to the queue)."""
    moved = "has been given to another reviewer" if reassigned else "has gone back to the queue of unassigned work"
    if to_reviewer:
        paragraphs = (
            f"The review of {code} was due on {head.date(due_on)} and {moved}.",
            "You do not need to do anything more for it.",
        )
        action = Action("Open your review queue", head.link("/reviews"))
    else:
        paragraphs = (
            f"The review of {code} was due on {head.date(due_on)} and {moved}.",
            *(() if reassigned else ("No other reviewer could take it yet; it waits until one can.",)),
        )
        action = Action("See the submission", head.link(f"/admin/reviews/attempts/{attempt_id}"))
    return Letter(
        subject=f"Overdue review {code} moved",
        to=name,
        paragraphs=paragraphs,
        action=action,
        signature=head.district,
    )


def credential_issued(head: Letterhead, credential: IssuedCredential, *, url: str) -> Letter:
    """To the earner: their credential, at ``url`` (its public page, which is also its id)."""
    title = credential.version.title
    return Letter(
        subject=f"Your credential: {title}",
        to=credential.recipient_name,
        paragraphs=(
            f"Congratulations! {head.district or 'The district'} has issued your credential for “{title}”.",
            "Its page shows what you earned. From there you can share it, add it to your LinkedIn profile, and "
            "download a certificate to print and the badge image.",
            "Anyone you share the link with can see that it is genuine, without an account.",
        ),
        action=Action("See your credential", url),
        also=(Action("All your micro-credentials", head.link("/my/microcredentials")),),
        details=(("Issued", head.date(credential.issued_at)),)
        + ((("Valid until", head.date(credential.valid_until)),) if credential.valid_until else ()),
        signature=head.district,
    )


def credential_status(head: Letterhead, credential: IssuedCredential, *, what: str, detail: str) -> Letter:
    """To the earner: the district revoked, suspended or reinstated their credential (``what``), and why."""
    title = credential.version.title
    return Letter(
        subject=f"Your credential was {what}: {title}",
        to=credential.recipient_name,
        paragraphs=(f"{head.district or 'The district'} has {what} your credential “{title}”. {detail}",),
        action=Action("See your credential", head.link(f"/c/{credential.uuid}")),
        postscript=(_questions(head),),
        signature=head.district,
    )


def expiry_reminder(head: Letterhead, credential: IssuedCredential) -> Letter:
    """To the earner: their credential expires soon, and how to renew it."""
    title = credential.version.title
    until = head.date(credential.valid_until)
    return Letter(
        subject=f"Your credential expires on {until}: {title}",
        to=credential.recipient_name,
        paragraphs=(
            f"Your credential “{title}” is valid until {until}.",
            "To renew it, earn the micro-credential again on its current version: start it from its page in the "
            "catalog.",
        ),
        action=Action("See your credential", head.link(f"/c/{credential.uuid}")),
        also=(Action("Renew it", head.link(f"/microcredentials/{credential.version.microcredential.slug}")),),
        details=(("Valid until", until),),
        signature=head.district,
    )


def invitation(head: Letterhead, *, name: str, email: str, district: str, roles: str, days: int, link: str) -> Letter:
    """To someone invited: who invited them, to what, and the link that lets them choose a password."""
    return Letter(
        subject=f"{district} invites you to its micro-credentials site",
        to=name,
        paragraphs=(
            f"{district} has invited you to its micro-credentials site, where teachers earn micro-credentials for "
            "their professional learning and reviewers score the evidence.",
            f"Your role: {roles}. To accept, choose your password within {days} days.",
        ),
        action=Action("Accept the invitation", link),
        details=(("You sign in with", email),),
        postscript=("If you did not expect this invitation, you can ignore this message.",),
        signature=district,
    )


def password_reset(head: Letterhead, *, name: str, minutes: int, link: str) -> Letter:
    """To someone who asked for it: the link that lets them choose a new password."""
    return Letter(
        subject="Reset your password",
        to=name,
        paragraphs=(
            "Someone (we hope you) asked to reset the password of your account.",
            f"To choose a new password, open this link within {minutes} minutes. It works once.",
        ),
        action=Action("Choose a new password", link),
        postscript=("If you did not ask for this, ignore this message: your password stays as it is.",),
        signature=head.district,
    )


def _questions(head: Letterhead) -> str:
    if head.email:
        return f"Questions? Write to the district's credentials office at {head.email}."
    return "Questions? Ask the district's credentials office."


# Growth plans (issue 17). Every step of a plan's workflow is told to the other party; each letter links to the plan.
PLAN_PATH = "/plans/{plan_id}"


def plan_path(plan_id: int) -> str:
    """The path of a plan's page (the one place it is spelled)."""
    return PLAN_PATH.format(plan_id=plan_id)


def plan_review_requested(head: Letterhead, *, coach: str, teacher: str, year: str, plan_id: int) -> Letter:
    """To each of the teacher's coaches: the teacher asks for a review of their plan."""
    return Letter(
        subject=f"{teacher} asks you to review their growth plan",
        to=coach,
        paragraphs=(
            f"{teacher} has finished a draft of their growth plan for the {year} school year and asks for your review.",
            "Open the plan to start the review. You can approve it, with comments, or send it back with comments "
            "on what to change.",
        ),
        action=Action("Open the plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


def plan_review_cancelled(head: Letterhead, *, coach: str, teacher: str, year: str, plan_id: int) -> Letter:
    """To the coach (or coaches) asked: the teacher took back the request, to change the plan first."""
    return Letter(
        subject=f"{teacher} took back their growth plan",
        to=coach,
        paragraphs=(
            f"{teacher} took back the request for a review of their growth plan for the {year} school year, to "
            "change it first. You do not need to review it now; you will hear when they ask again.",
        ),
        action=Action("See the plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


def plan_review_started(head: Letterhead, *, teacher: str, coach: str, year: str, plan_id: int) -> Letter:
    """To the teacher: a coach has started reviewing their plan."""
    return Letter(
        subject="Your coach is reviewing your growth plan",
        to=teacher,
        paragraphs=(
            f"{coach} has started reviewing your growth plan for the {year} school year. Until they approve it or "
            "send it back, the plan cannot be changed.",
        ),
        action=Action("See your plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


def plan_approved(
    head: Letterhead, *, teacher: str, coach: str, year: str, plan_id: int, comments: Sequence[str] = ()
) -> Letter:
    """To the teacher: their plan is approved and active, with the coach's comments."""
    return Letter(
        subject="Your growth plan is approved",
        to=teacher,
        paragraphs=(
            f"{coach} approved your growth plan for the {year} school year. It is active now: add check-ins to your "
            "goals as you measure your students' progress.",
            *(("Their comments:",) if comments else ()),
            *(Quote(comment) for comment in comments),
        ),
        action=Action("Open your plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


def plan_sent_back(
    head: Letterhead, *, teacher: str, coach: str, year: str, plan_id: int, comments: Sequence[str]
) -> Letter:
    """To the teacher: their plan came back with comments on what to change."""
    return Letter(
        subject="Your growth plan needs changes",
        to=teacher,
        paragraphs=(
            f"{coach} read your growth plan for the {year} school year and sent it back with comments:",
            *(Quote(comment) for comment in comments),
            "It is a draft again: change what the comments mention, then ask for a review again.",
        ),
        action=Action("Open your plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


def plan_completed(head: Letterhead, *, to: str, by: str, year: str, plan_id: int, year_ended: bool) -> Letter:
    """To the other party: the plan is complete (by the teacher or coach, or because the school year ended)."""
    said = (
        f"The {year} school year has ended, so this growth plan is now complete and kept as it was."
        if year_ended
        else f"{by} marked the growth plan for the {year} school year complete, with a final reflection and the end "
        "measure of each goal."
    )
    return Letter(
        subject="A growth plan is complete",
        to=to,
        paragraphs=(said, "A coach can reopen it if there is more to do this school year."),
        action=Action("See the plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


def plan_reopened(head: Letterhead, *, teacher: str, coach: str, year: str, plan_id: int) -> Letter:
    """To the teacher: a coach reopened their completed plan; it is active again."""
    return Letter(
        subject="Your growth plan is open again",
        to=teacher,
        paragraphs=(
            f"{coach} reopened your growth plan for the {year} school year. It is active again: you can add "
            "check-ins and complete it again when you are ready.",
        ),
        action=Action("Open your plan", head.link(plan_path(plan_id))),
        signature=head.district,
    )


# Plan templates (issue 17): a coach or admin applied a template; the teacher's plan is at /my/plan.
MY_PLAN_PATH = "/my/plan"


def plan_from_template(head: Letterhead, *, teacher: str, by: str, title: str, year: str, started: bool) -> Letter:
    """To a teacher: a coach or admin started their plan from a template (or added one to it); make it their own."""
    if started:
        said = (
            f"{by} started your growth plan for the {year} school year from the template “{title}”. It is a draft, "
            "and it is yours: the template's goals are there as ideas to adopt, change or leave aside."
        )
    else:
        said = (
            f"{by} shared the plan template “{title}” with you. Its goals now show in your growth plan for the "
            f"{year} school year as ideas you can adopt, change or leave aside."
        )
    return Letter(
        subject=f"A growth plan to make your own: {title}",
        to=teacher,
        paragraphs=(
            said,
            "Write each goal in your own words, with your students' baseline and your target, then ask your coach "
            "to review the plan.",
        ),
        action=Action("Open your plan", head.link(MY_PLAN_PATH)),
        signature=head.district,
    )
