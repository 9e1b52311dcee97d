"""The words of growth plans: a plan's statuses, a goal's visibilities, the kinds of learning action and of entry in
a goal's thread. Storage spells the same values out in its CHECK constraints; tests/domain/plans/test_vocabulary.py
keeps the two in step."""

from __future__ import annotations

# A plan's workflow, as in Moodle's learning plans: draft -> waiting for review -> in review -> active -> complete.
DRAFT = "draft"
WAITING_FOR_REVIEW = "waiting_for_review"
IN_REVIEW = "in_review"
ACTIVE = "active"
COMPLETE = "complete"
PLAN_STATUSES = (DRAFT, WAITING_FOR_REVIEW, IN_REVIEW, ACTIVE, COMPLETE)
PLAN_STATUS_LABELS = {
    DRAFT: "Draft",
    WAITING_FOR_REVIEW: "Waiting for review",
    IN_REVIEW: "In review",
    ACTIVE: "Active",
    COMPLETE: "Complete",
}
# The statuses in which the teacher may change goals and actions (a plan under review waits for its coach).
EDITABLE_STATUSES = (DRAFT, ACTIVE)

# Who may see a goal: the teacher and their coaches; their school; the district; everyone.
PRIVATE = "private"
SCHOOL = "school"
DISTRICT = "district"
PUBLIC = "public"
VISIBILITIES = (PRIVATE, SCHOOL, DISTRICT, PUBLIC)
DEFAULT_VISIBILITY = SCHOOL
VISIBILITY_LABELS = {
    PRIVATE: "Only me and my coaches",
    SCHOOL: "My school",
    DISTRICT: "The district",
    PUBLIC: "Everyone (public)",
}

# A goal's learning actions: a micro-credential from the catalog, a learning activity, collaboration with colleagues.
MICROCREDENTIAL = "microcredential"
ACTIVITY = "activity"
COLLABORATION = "collaboration"
ACTION_KINDS = (MICROCREDENTIAL, ACTIVITY, COLLABORATION)
ACTION_KIND_LABELS = {
    MICROCREDENTIAL: "Earn a micro-credential",
    ACTIVITY: "Learning activity",
    COLLABORATION: "Collaboration with colleagues",
}

# The entries of a goal's thread: comments, and the workflow steps that were taken with words attached.
COMMENT = "comment"
REVIEW_REQUESTED = "review_requested"
REVIEW_CANCELLED = "review_cancelled"
REVIEW_STARTED = "review_started"
APPROVED = "approved"
SENT_BACK = "sent_back"
COMPLETED = "completed"
REOPENED = "reopened"
EARNED = "earned"  # written by the service when the teacher earns a micro-credential the goal lists
COMMENT_KINDS = (
    COMMENT,
    REVIEW_REQUESTED,
    REVIEW_CANCELLED,
    REVIEW_STARTED,
    APPROVED,
    SENT_BACK,
    COMPLETED,
    REOPENED,
    EARNED,
)
COMMENT_KIND_LABELS = {
    COMMENT: "Comment",
    REVIEW_REQUESTED: "Asked for a review",
    REVIEW_CANCELLED: "Took back the request for a review",
    REVIEW_STARTED: "Started the review",
    APPROVED: "Approved",
    SENT_BACK: "Sent back with comments",
    COMPLETED: "Completed",
    REOPENED: "Reopened",
    EARNED: "Earned a micro-credential",
}

# How a micro-credential listed as a goal's action stands for the teacher, live from their attempts.
NOT_STARTED = "not_started"
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_NOT_YET = "not_yet"
STATE_EARNED = "earned"
ACTION_STATES = (NOT_STARTED, STATE_DRAFT, STATE_SUBMITTED, STATE_NOT_YET, STATE_EARNED)
ACTION_STATE_LABELS = {
    NOT_STARTED: "Not started",
    STATE_DRAFT: "Draft",
    STATE_SUBMITTED: "Submitted",
    STATE_NOT_YET: "Not yet",
    STATE_EARNED: "Earned",
}

MAX_GOALS = 3
