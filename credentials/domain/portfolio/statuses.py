"""Where an attempt stands, as stored (``attempts.status``): a draft until submitted, in review once routed, then
not yet or earned; withdrawn by the teacher at any open stage. At most one open attempt per micro-credential."""

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
NOT_YET = "not_yet"
EARNED = "earned"
WITHDRAWN = "withdrawn"
STATUSES = (DRAFT, SUBMITTED, IN_REVIEW, NOT_YET, EARNED, WITHDRAWN)
OPEN_STATUSES = (DRAFT, SUBMITTED, IN_REVIEW)

# How each attempt status reads to teachers and admins.
STATUS_LABELS = {
    DRAFT: "Draft",
    SUBMITTED: "Submitted",
    IN_REVIEW: "In review",
    NOT_YET: "Not yet",
    EARNED: "Earned",
    WITHDRAWN: "Withdrawn",
}
