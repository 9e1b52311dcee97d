"""The routing rules bench/routing.py checks over its result (one SQL query each, PostgreSQL), and what still waits."""

from __future__ import annotations

from routing_district import NOW
from sqlalchemy import text

from credentials.domain.review import routing

RULES = (
    (
        "reviewer over capacity (open assignments)",
        """SELECT count(*) FROM (
             SELECT a.reviewer_id FROM review_assignments a
             LEFT JOIN reviewer_profiles p ON p.user_id = a.reviewer_id
             WHERE a.status = 'assigned'
             GROUP BY a.reviewer_id, p.capacity HAVING count(*) > coalesce(p.capacity, 5)) AS over""",
    ),
    (
        "reviewer is the teacher or at the teacher's school",
        """SELECT count(*) FROM review_assignments a
           JOIN attempts t ON t.id = a.attempt_id
           JOIN users teacher ON teacher.id = t.teacher_id
           JOIN users reviewer ON reviewer.id = a.reviewer_id
           WHERE reviewer.school_id = teacher.school_id OR reviewer.id = teacher.id""",
    ),
    (
        "declared conflict violated",
        """SELECT count(*) FROM review_assignments a
           JOIN attempts t ON t.id = a.attempt_id
           JOIN review_conflicts c ON c.reviewer_id = a.reviewer_id AND c.teacher_id = t.teacher_id""",
    ),
    (
        "reviewer not qualified (micro-credential or tag)",
        """SELECT count(*) FROM review_assignments a
           JOIN attempts t ON t.id = a.attempt_id
           WHERE NOT EXISTS (
             SELECT 1 FROM reviewer_qualifications q
             WHERE q.reviewer_id = a.reviewer_id
               AND (q.microcredential_id = t.microcredential_id
                    OR q.tag IN (SELECT f.value FROM catalog_facets f WHERE f.version_id = t.version_id
                                 AND f.kind = 'tag')))""",
    ),
    (
        "reviewer inactive, without a password, or not a reviewer",
        """SELECT count(*) FROM review_assignments a
           JOIN users reviewer ON reviewer.id = a.reviewer_id
           WHERE NOT reviewer.is_active OR reviewer.password_hash IS NULL
              OR NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = reviewer.id AND r.role = 'reviewer')""",
    ),
    (
        "reviewer away on the day of the assignment",
        """SELECT count(*) FROM review_assignments a
           JOIN reviewer_profiles p ON p.user_id = a.reviewer_id
           WHERE p.away_from IS NOT NULL
             AND CAST(a.assigned_at AT TIME ZONE 'UTC' AS date)
                 BETWEEN p.away_from AND coalesce(p.away_until, p.away_from)""",
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
    total = 0
    with services.engine.connect() as conn:
        for label, sql in RULES:
            violations = conn.execute(text(sql)).scalar_one()
            total += violations
            print(f"  {label:<58}{violations:>6}{'' if violations == 0 else '  VIOLATED'}")
    return total


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
            found += bool(routing.eligible_reviewers(session, attempt, today=NOW.date()))
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
