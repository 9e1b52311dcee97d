"""The roles a person can hold, as stored (``user_roles.role``) and as the pages name them."""

TEACHER = "teacher"
REVIEWER = "reviewer"
ISSUER_ADMIN = "issuer_admin"
# An instructional coach, mentor teacher, principal or assistant principal: reviews the growth plans of the teachers
# at the schools they are assigned to (or the whole district).
COACH = "coach"
ROLES = (TEACHER, REVIEWER, ISSUER_ADMIN, COACH)
ROLE_LABELS = {TEACHER: "Teacher", REVIEWER: "Reviewer", ISSUER_ADMIN: "Issuer admin", COACH: "Coach"}
