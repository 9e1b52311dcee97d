"""The routing rules bench/routing.py checks over its result (PostgreSQL), and what still waits.

Eligibility is judged by the rule routing itself uses (``eligibility.eligible_pairs``): an assignment whose reviewer
is not among those eligible for the attempt on the day it was made is a violation. Capacity and the number of
reviewers per attempt are about the result as a whole, so those are plain SQL over it.
"""

from __future__ import annotations

from routing_district import NOW
from sqlalchemy import Date, cast, except_all, func, select, text

from credentials.domain.review import eligibility, routing
from credentials.storage.models import Assignment

RESULT_RULES = (
    (
        "reviewer over capacity (open assignments)",
        """SELECT count(*) FROM (
             SELECT a.reviewer_id FROM review_assignments a
             LEFT JOIN reviewer_profiles p ON p.user_id = a.reviewer_id
             WHERE a.status = 'assigned'
             GROUP BY a.reviewer_id, p.capacity HAVING count(*) > coalesce(p.capacity, :default_capacity)) AS over""",
    ),
    (
        "attempt with more active primary reviewers than required",
        """SELECT count(*) FROM (
             SELECT t.id FROM attempts t
             JOIN microcredential_versions v ON v.id = t.version_id
             JOIN review_assignments a ON a.attempt_id = t.id
             WHERE a.role = 'primary' AND a.status IN ('assigned', 'submitted')
             GROUP BY t.id, v.definition ->> 'reviewers_required'
             HAVING count(*) > CAST(v.definition ->> 'reviewers_required' AS integer)) AS over""",
    ),
    (
        "attempt assigned the same reviewer twice",
        """SELECT count(*) FROM (
             SELECT attempt_id, reviewer_id FROM review_assignments
             GROUP BY attempt_id, reviewer_id HAVING count(*) > 1) AS twice""",
    ),
)
INELIGIBLE = "reviewer not eligible on the day (eligibility.py's rule)"

WAITING = """
    SELECT count(*) FILTER (WHERE active = 0), count(*) FILTER (WHERE active > 0)
    FROM (
      SELECT t.id, CAST(v.definition ->> 'reviewers_required' AS integer) AS required,
             (SELECT count(*) FROM review_assignments a WHERE a.attempt_id = t.id AND a.role = 'primary'
                AND a.status IN ('assigned', 'submitted')) AS active
      FROM attempts t JOIN microcredential_versions v ON v.id = t.version_id
      WHERE t.status IN ('submitted', 'in_review')) AS counts
    WHERE active < required"""

LOADS = """
    SELECT coalesce(a.open, 0), p.capacity FROM reviewer_profiles p
    LEFT JOIN (SELECT reviewer_id, count(*) AS open FROM review_assignments WHERE status = 'assigned'
               GROUP BY reviewer_id) a ON a.reviewer_id = p.user_id"""


def check_rules(services) -> int:
    """Print the violations of every rule; returns their total."""
    with services.session_factory() as session:
        counts = [(INELIGIBLE, ineligible_assignments(session))]
        default = {"default_capacity": eligibility.DEFAULT_CAPACITY}
        counts += [(label, session.execute(text(sql), default).scalar_one()) for label, sql in RESULT_RULES]
    for label, violations in counts:
        print(f"  {label:<58}{violations:>6}{'' if violations == 0 else '  VIOLATED'}")
    return sum(violations for _, violations in counts)


def ineligible_assignments(session) -> int:
    """Assignments whose reviewer was not eligible for the attempt on the (UTC) day the assignment was made, by every
    rule but capacity (checked over the result instead)."""
    day = cast(func.timezone("UTC", Assignment.assigned_at), Date)
    found = 0
    for today in session.scalars(select(day).distinct()):
        made = select(Assignment.attempt_id, Assignment.reviewer_id).where(day == today)
        attempt_ids = list(session.scalars(made.with_only_columns(Assignment.attempt_id).distinct()))
        eligible = eligibility.eligible_pairs_query(for_existing_assignments=True)
        # A set difference, not NOT EXISTS: the planner hashes both sides even when its statistics lag the bulk insert.
        found += session.scalar(
            select(func.count()).select_from(except_all(made, eligible).subquery()),
            {"attempt_ids": attempt_ids, "today": today},
        )
    return found


def waiting(services) -> tuple[int, int]:
    """Attempts without any reviewer, and attempts with one of the two they need."""
    with services.engine.connect() as conn:
        none, partial = conn.execute(text(WAITING)).one()
    return none, partial


def waiting_with_room(services) -> int:
    """Waiting attempts for which an eligible reviewer with room exists right now (work routing left behind)."""
    with services.session_factory() as session:
        found = 0
        for attempt in routing.waiting_attempts(session, limit=1_000_000):
            found += bool(eligibility.eligible_reviewers(session, attempt, today=NOW.date()))
        return found


def print_loads(services) -> None:
    with services.engine.connect() as conn:
        rows = conn.execute(text(LOADS)).all()
    full = sum(1 for load, capacity in rows if load >= capacity)
    idle = sum(1 for load, _ in rows if load == 0)
    used, offered = sum(load for load, _ in rows), sum(capacity for _, capacity in rows)
    print(
        f"reviewers: {full} of {len(rows)} at capacity, {idle} with no open assignment; "
        f"{used:,} of {offered:,} places used"
    )
