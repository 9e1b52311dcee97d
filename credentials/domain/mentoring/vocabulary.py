"""The words of mentoring: a help request's statuses and the limits on what people write. Storage spells the same
statuses out in its CHECK constraint; tests/domain/mentoring/test_vocabulary.py keeps the two in step."""

from __future__ import annotations

ASKED = "asked"
ACCEPTED = "accepted"
DECLINED = "declined"
STATUSES = (ASKED, ACCEPTED, DECLINED)
STATUS_LABELS = {ASKED: "Waiting for an answer", ACCEPTED: "Accepted", DECLINED: "Declined"}

MAX_MESSAGE = 2000
MAX_NOTE = 300
# Enough to ask a few mentors about a few micro-credentials in a day; a flood of e-mails to colleagues is not.
ASKS_PER_DAY = 5
# A list a person can read; the mentors at the viewer's school come first, so they are never the ones cut.
MAX_MENTORS_LISTED = 50
