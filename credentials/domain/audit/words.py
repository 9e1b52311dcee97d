"""The words of the audit trail: each recorded action as a sentence, naming people and things (with links to
their pages) from names loaded beforehand; an action without its own phrase still reads plainly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ...storage.models import AuditEvent
from ...text.dates import us_date_time
from ..credentials.revocation import CATEGORIES
from .references import (
    CERTIFICATE,
    OUTCOMES,
    SOURCES,
    EventWords,
    Link,
    Names,
    Part,
    day_words,
    int_or_none,
    listed_words,
    roles_words,
    shortened,
)

Phrase = Callable[[EventWords], list[Part]]


def _mc_version(verb: str, tail: Callable[[EventWords], str] = lambda e: "") -> Phrase:
    return lambda e: [e.actor, f" {verb} version {e.s.get('version', '?')} of ", e.subject, tail(e)]


PHRASES: dict[str, Phrase] = {
    # The catalog
    "microcredential.create": lambda e: [e.actor, " created the micro-credential ", e.subject],
    "microcredential.new_version": lambda e: [
        e.actor, f" started version {e.s.get('version', '?')} of ", e.subject,
        f" (a copy of version {e.s['from_version']})" if e.s.get("from_version") else ""],
    "microcredential.save_draft": _mc_version(
        "saved the draft,", lambda e: f": changed {listed_words(e.s['changed'])}" if e.s.get("changed") else ""),
    "microcredential.publish": _mc_version(
        "published", lambda e: f", replacing version {e.s['replaces']}" if e.s.get("replaces") else ""),
    "microcredential.retire": _mc_version("retired"),
    "microcredential.discard_draft": _mc_version(
        "discarded the draft,", lambda e: " (it had no other version, so it is gone)"
        if e.s.get("removed_microcredential") else ""),
    # Credentials
    "credential.issued": lambda e: [e.actor, " issued ", e.subject, *(
        [" after the review of ", e.attempt(e.s["attempt"], short=True)] if e.s.get("attempt")
        else [" ", SOURCES.get(str(e.s.get("source")), f"({e.s.get('source')})")] if e.s.get("source") else [])],
    "credential.revoked": lambda e: [e.actor, " revoked ", e.subject, ": ",
        _lower_first(CATEGORIES.get(str(e.s.get("category")), str(e.s.get("category") or "no category"))),
        e.quote("reason", lead=" — ")],
    "credential.suspended": lambda e: [e.actor, " suspended ", e.subject, e.quote("reason")],
    "credential.unsuspended": lambda e: [e.actor, " lifted the suspension of ", e.subject],
    "certificate_design.saved": lambda e: [e.actor, " saved the ", Link("certificate design", CERTIFICATE),
        f", signed by {e.s['signatory']}" if e.s.get("signatory") else "",
        {"new": " with a new signature image", "removed": " and removed the signature image"}.get(
            str(e.s.get("signature")), "")],
    "key.generated": lambda e: [e.actor, " generated a new ", f"{e.s['algorithm']} " if e.s.get("algorithm") else "",
                                "signing key, ", e.event.subject_id],
    "key.retired": lambda e: [e.actor, " retired ", e.subject],
    "key.revoked": lambda e: [e.actor, " revoked ", e.subject, e.quote("reason")],
    # Reviews
    "review.assign": lambda e: [e.actor, " assigned ", e.subject, " to ",
        *_joined([e.person(r) for r in e.s.get("reviewers") or []]),
        " as tie-breaker" if e.s.get("role") == "tiebreak" else "",
        f", due {day_words(e.s['due_on'])}" if e.s.get("due_on") else ""],
    "review.assign_batch": lambda e: [e.actor, f" assigned {_count(len(e.s.get('assignments') or []), 'review')}"
                                      " in one batch"],
    "review.qualify": lambda e: [e.actor, " qualified ", e.subject, " to review ",
        e.microcredential(e.s["microcredential"]) if e.s.get("microcredential")
        else f"every micro-credential tagged “{e.s.get('tag')}”"],
    "review.unqualify": lambda e: [e.actor, " removed a review qualification from ", e.subject],
    "review.profile": lambda e: [e.actor, " set ", e.subject, f" to review at most {e.s.get('capacity')} at a time",
        f", away {day_words(e.s['away_from'])} to {day_words(e.s.get('away_until'))}" if e.s.get("away_from") else ""],
    "review.conflict": lambda e: [e.actor, " recorded a conflict of interest: ", e.subject, " will not review ",
                                  e.person(e.s.get("teacher")), e.quote("reason", lead=" — ")],
    "review.holiday": lambda e: [e.actor, f" added the holiday {e.s.get('name', '')} on ", e.subject],
    "review.reassign": lambda e: [e.actor, " took ", e.subject, " from ", e.person(e.s.get("from")),
                                  " for another reviewer", e.quote("reason", lead=" — ")],
    "review.submit": lambda e: [e.actor, " scored ", e.subject, f": {e.outcome()}"],
    "review.disagreement": lambda e: [e.actor, ": the reviewers of ", e.subject,
        f" disagreed ({listed_words([OUTCOMES.get(o, str(o)) for o in e.s.get('outcomes') or []])}); a tie-breaker "
        "was asked for"],
    "review.recuse": lambda e: [e.actor, " stepped back from reviewing ", e.subject, e.quote("reason")],
    # Attempts
    "attempt.start": lambda e: [e.actor, " started ", e.subject,
                                " (a resubmission)" if e.s.get("resubmission_of") else ""],
    "attempt.submit": lambda e: [e.actor, " submitted ", e.subject,
        f" with {_count(len(e.s.get('artifacts') or []), 'file')}",
        f"; decision expected by {day_words(e.s['expected_decision_on'])}" if e.s.get("expected_decision_on") else ""],
    "attempt.withdraw": lambda e: [e.actor, " withdrew ", e.subject],
    "attempt.decide": lambda e: [e.actor, " decided ", e.subject, f": {e.outcome()}"],
    "attempt.override": lambda e: [e.actor, " changed the decision on ", e.subject,
        f" from {e.outcome('from')} to {e.outcome('to')}", e.quote("reason", lead=" — ")],
    "attempt.return_incomplete": lambda e: [e.actor, " returned ", e.subject, " as incomplete", e.quote("reason")],
    "attempt.upload": lambda e: [e.actor, f" uploaded “{shortened(str(e.s.get('filename', 'a file')))}” to ",
                                 e.subject],
    "attempt.remove_file": lambda e: [e.actor, " removed a file from ", e.subject],
    # Suggestions (growth plans)
    "suggestion.dismiss": lambda e: [e.actor, " dismissed the suggestion to earn ", e.subject],
    "suggestion.undo_dismiss": lambda e: [e.actor, " asked to see the suggestion to earn ", e.subject, " again"],
    # People
    "user.create": lambda e: [e.actor, " added ", e.subject, f" as {roles_words(e.s.get('roles') or [])}",
                              f" at {e.s['school']}" if e.s.get("school") else ""],
    "user.update": lambda e: [e.actor, " changed ", e.subject, f"'s {_changes(e.s)}"],
    "user.deactivate": lambda e: [e.actor, " deactivated the account of ", e.subject],
    "user.reactivate": lambda e: [e.actor, " reactivated the account of ", e.subject],
    "coach.assign": lambda e: [e.actor, " assigned ", e.subject, " to coach ",
                               f"at {e.s['school']}" if e.s.get("school_id") else "the whole district"],
    "coach.unassign": lambda e: [e.actor, " ended ", e.subject, "'s coaching ",
                                 f"at {e.s['school']}" if e.s.get("school_id") else "of the whole district"],
    "user.invite": lambda e: [e.actor, " invited ", e.subject, f" ({e.s['email']})" if e.s.get("email") else "",
                              f" as {e.roles(e.event.subject_id)}"],
    "user.resend_invitation": lambda e: [e.actor, " sent a new invitation to ", e.subject],
    "user.accept_invitation": lambda e: [e.actor, " accepted the invitation and set a password"],
    "user.sign_in": lambda e: [e.actor, " signed in", f" from {e.s['client_address']}" if e.s.get("client_address")
                               else ""],
    "user.sign_out": lambda e: [e.actor, " signed out everywhere"],
    "user.change_password": lambda e: [e.actor, " changed their password"],
    "user.request_password_reset": lambda e: ["Someone asked for a password-reset link for ", e.subject],
    "user.reset_password": lambda e: [e.actor, " set a new password with a reset link"],
    # The district
    "issuer.set_up": lambda e: [e.actor, " set up the district", f": {e.s['name']}" if e.s.get("name") else ""],
    "issuer.update": lambda e: [e.actor, " changed ", e.subject, f": {_changes(e.s)}"],
    "school.create": lambda e: [e.actor, " added the school ", e.subject],
    "school.rename": lambda e: [e.actor, " renamed the school ", *(
        [f"“{e.s['from']}” to ", e.subject] if e.s.get("from") else [e.subject])],
    "school.close": lambda e: [e.actor, " closed the school ", e.subject],
    "school.reopen": lambda e: [e.actor, " reopened the school ", e.subject],
    # Coaching and growth plans
    "school_year.create": lambda e: [e.actor, f" set up the {e.s.get('name', '')} school year",
        f" ({day_words(e.s['starts_on'])} to {day_words(e.s.get('ends_on'))})" if e.s.get("starts_on") else ""],
    "plan.start": lambda e: [e.actor, " started ", *_plan(e),
                             f" for {e.s['school_year']}" if e.s.get("school_year") else ""],
    "plan.add_goal": lambda e: [e.actor, f" added goal {e.s.get('position', '')} to ", *_plan(e)],
    "plan.edit_goal": lambda e: [e.actor, " changed a goal of ", *_plan(e),
        f": {listed_words(str(c).replace('_', ' ') for c in e.s['changed'])}" if e.s.get("changed") else ""],
    "plan.remove_goal": lambda e: [e.actor, " removed a goal from ", *_plan(e)],
    "plan.share_goal": lambda e: [e.actor, " set who may see a goal of ", *_plan(e),
        f": {str(e.s.get('visibility', '')).replace('_', ' ')}",
        ", numbers shared" if e.s.get("share_progress") else ""],
    "plan.add_action": lambda e: [e.actor, " planned ", *(
        [e.microcredential(e.s["microcredential"])] if e.s.get("microcredential")
        else [f"a {str(e.s.get('kind', 'learning')).replace('_', ' ')}"]), " in ", *_plan(e)],
    "plan.remove_action": lambda e: [e.actor, " removed a learning action from ", *_plan(e)],
    "plan.comment": lambda e: [e.actor, " commented on a goal of ", *_plan(e)],
    "plan.check_in": lambda e: [e.actor, " added a check-in to ", *_plan(e),
        f" ({day_words(e.s['checked_on'])})" if e.s.get("checked_on") else ""],
    "plan.request_review": lambda e: [e.actor, " asked for a review of ", *_plan(e), e.quote("note")],
    "plan.cancel_request": lambda e: [e.actor, " took back the request for a review of ", *_plan(e)],
    "plan.start_review": lambda e: [e.actor, " started reviewing ", *_plan(e)],
    "plan.approve": lambda e: [e.actor, " approved ", *_plan(e)],
    "plan.send_back": lambda e: [e.actor, " sent back ", *_plan(e), " with comments"],
    "plan.complete": lambda e: [e.actor, " completed ", *_plan(e)],
    "plan.complete_due": lambda e: [f"The {e.s.get('school_year', '')} school year ended, so ", *_plan(e),
                                    " is now complete"],
    "plan.reopen": lambda e: [e.actor, " reopened ", *_plan(e)],
    # Plan pages: check-in files, goal ideas, micro-credentials earned (issue 17)
    "plan.check_in_file": lambda e: [e.actor, " added the file ", f"“{e.s.get('filename', '')}”",
                                     " to a check-in of ", *_plan(e)],

    # Plan templates (issue 17)
    "plan_template.create": lambda e: [e.actor, " wrote the plan template ", *_template(e),
                                       f" with {_count(e.s['goals'], 'goal')}" if isinstance(e.s.get("goals"), int)
                                       else ""],
    "plan_template.edit": lambda e: [e.actor, " changed the plan template ", *_template(e)],
    "plan_template.archive": lambda e: [e.actor, " archived the plan template ", *_template(e)],
    "plan_template.apply": lambda e: [e.actor, " applied the plan template ", *_template(e), " to ",
        e.s["school"] if e.s.get("school") else _count(int(e.s.get("teachers") or 0), "teacher"),
        f": {_count(int(e.s.get('started') or 0), 'plan')} started",
        f", added to {_count(int(e.s['added_to']), 'plan')}" if e.s.get("added_to") else "",
        f", {_count(int(e.s['left']), 'teacher')} left as they were" if e.s.get("left") else ""],
    "plan.use_template": lambda e: [e.actor, " added the plan template ", *_template(e), " to ", *_plan(e)],

    # What teachers teach, goals boards (issue 17)
    "user.set_teaching": lambda e: [e.actor, *([" said what they teach"]
                                     if e.event.actor_id == int_or_none(e.event.subject_id)
                                     else [" said what ", e.subject, " teaches"]),
                                    f": {e.s['words']}" if e.s.get("words") else " (nothing set)"],

    # Mentoring (issue 18: mentors)
    "mentor.volunteer": lambda e: [e.actor, " volunteered to mentor on ", e.subject, e.quote("note")],
    "mentor.change_note": lambda e: [e.actor, " changed their mentoring note on ", e.subject, e.quote("note")],
    "mentor.withdraw": lambda e: [e.actor, " stopped mentoring on ", e.subject],
    "help.ask": lambda e: [e.actor, f" asked {e.s.get('mentor') or 'a mentor'} for help with ", e.subject],
    "help.accept": lambda e: [e.actor, f" accepted {e.s.get('asker') or 'a colleague'}'s request for help with ",
                              e.subject],
    "help.decline": lambda e: [e.actor, f" declined {e.s.get('asker') or 'a colleague'}'s request for help with ",
                               e.subject],

    # Operations
    "backup.created": lambda e: [e.actor, " made a backup", f" of {_count(e.s['files'], 'file')}"
                                 if isinstance(e.s.get("files"), int) else "",
                                 f" in {e.s['directory']}" if e.s.get("directory") else ""],
    "backup.restored": lambda e: [e.actor, " restored the backup",
        f" made {_moment(e.s['backup_created_at'], e.names.time_zone)}" if e.s.get("backup_created_at") else ""],
    "outbox.requeue": lambda e: [e.actor, " queued ", e.subject,
                                 f" to {e.s['recipient']} again" if e.s.get("recipient") else " again"],
}  # fmt: skip


def sentence_parts(event: AuditEvent, names: Names) -> tuple[tuple[Part, ...], dict]:
    """The event as a sentence (text and links), and its summary (an empty dict when it is not one)."""
    words = EventWords(event, names)
    try:
        parts = PHRASES.get(event.action, _generic)(words)
    except (KeyError, TypeError, ValueError, AttributeError):  # a summary of an unexpected shape: say it plainly
        parts = _generic(words)
    return tuple(part for part in parts if part), words.s


def _generic(e: EventWords) -> list[Part]:
    words = e.event.action.replace(".", ": ").replace("_", " ")
    return [e.actor, f" — {words} — ", e.subject]


def _plan(e: EventWords) -> list[Part]:
    """Whose growth plan: "their" when the teacher acts, else the teacher's name (with a link)."""
    teacher = e.s.get("teacher")
    if teacher is None or int_or_none(teacher) == e.event.actor_id:
        return ["their growth plan" if teacher is not None else f"growth plan #{e.event.subject_id}"]
    return [e.person(teacher), "'s growth plan"]


def _template(e: EventWords) -> list[Part]:
    """A plan template by its title as recorded (templates have no page in the audit trail's links)."""
    return [f"“{shortened(str(e.s['title']))}”" if e.s.get("title") else f"#{e.event.subject_id}"]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _joined(parts: list[Part]) -> list[Part]:
    """Parts joined as "A", "A and B", "A, B and C"."""
    if not parts:
        return ["nobody"]
    out: list[Part] = []
    for i, part in enumerate(parts):
        if i:
            out.append(" and " if i == len(parts) - 1 else ", ")
        out.append(part)
    return out


def _changes(summary: dict) -> str:
    """``{"name": {"from": a, "to": b}, ...}`` as: name from “a” to “b”; ... (a new or removed logo in words)."""
    said = []
    for key, change in summary.items():
        label = {"url": "web address", "email": "e-mail", "time_zone": "time zone"}.get(key, key.replace("_", " "))
        if not isinstance(change, dict):
            said.append(label)
        elif key == "logo":
            said.append("logo (a new one)" if change.get("to") else "logo (removed)")
        else:
            ends = (change.get("from"), change.get("to"))
            before, after = (listed_words(v) if isinstance(v, list) else v for v in ends)
            said.append(f"{label} from “{shortened(str(before))}” to “{shortened(str(after))}”")
    return "; ".join(said) or "details"


def _moment(value: object, time_zone: str) -> str:
    try:
        return us_date_time(datetime.fromisoformat(str(value)), time_zone)
    except ValueError:
        return str(value)
