"""What both routers (one submission in ``routing``, many at once in ``batch_routing``) share once a reviewer is
chosen: the system actor they assign as, the holidays a due date skips, and the code the reviewer knows the
submission by."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...storage.models import Holiday
from ..audit import Actor

ROUTER = Actor.system("review-routing")


def anonymous_code(attempt_id: int) -> str:
    """The code reviewers see instead of the teacher's name and school: stable for an attempt."""
    digest = hashlib.sha256(f"microcred-review:{attempt_id}".encode()).hexdigest()
    return f"S-{digest[:8].upper()}"


def holidays(session: Session) -> set[date]:
    """The district's holidays, which business-day deadlines skip."""
    return set(session.scalars(select(Holiday.day)))
