"""The roles a person can hold, as stored (``user_roles.role``) and as the pages name them."""

TEACHER = "teacher"
REVIEWER = "reviewer"
ISSUER_ADMIN = "issuer_admin"
ROLES = (TEACHER, REVIEWER, ISSUER_ADMIN)
ROLE_LABELS = {TEACHER: "Teacher", REVIEWER: "Reviewer", ISSUER_ADMIN: "Issuer admin"}
