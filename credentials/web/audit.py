"""Issuer admins browse, filter and export the audit trail."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, render_template, request, send_file, url_for

from ..domain import audit
from ..domain.audit import page as audit_page
from ..domain.people.roles import ISSUER_ADMIN
from ..text.dates import zone
from .formatting import district
from .forms import page_number
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _midnight(name: str, *, days_after: int = 0) -> datetime | None:
    """The start of the day named by the ``name`` argument (2026-12-02) plus ``days_after``, in the district's time
    zone (the day an admin means), as a UTC moment; None when the argument is missing or not a date."""
    try:
        day = datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date() + timedelta(days=days_after)
    except (ValueError, OverflowError):
        return None
    return datetime.combine(day, time(), zone(district().time_zone)).astimezone(UTC)


def _criteria() -> audit.EventFilter:
    return audit.EventFilter(
        action=request.args.get("action", "")[:80],
        actor=request.args.get("actor", "")[:254],
        subject_type=request.args.get("subject_type", "")[:40],
        subject_id=request.args.get("subject_id", "")[:80],
        since=_midnight("since"),
        until=_midnight("until", days_after=1),  # to the end of that day
    )


# Where each kind of link on the trail leads: (endpoint, the argument its key fills, or None).
LINKS = {
    audit_page.PERSON: ("accounts.show_person", "user_id"),
    audit_page.ATTEMPT: ("review_admin.attempt", "attempt_id"),
    audit_page.CREDENTIAL: ("credential_admin.show_credential", "uuid"),
    audit_page.MICROCREDENTIAL: ("catalog_admin.show_microcredential", "slug"),
    audit_page.SCHOOL: ("organizations.edit_school", "school_id"),
    audit_page.DISTRICT: ("organizations.edit_issuer", None),
    audit_page.CERTIFICATE: ("certificate_settings.edit", None),
    audit_page.HOLIDAYS: ("review_admin.holidays", None),
    audit_page.OUTBOX: ("outbox.list_messages", None),
}


def href(link: audit_page.Link) -> str:
    """The address of the page a link on the trail names."""
    endpoint, argument = LINKS[link.page]
    return url_for(endpoint, **({argument: link.key} if argument else {}))


@bp.get("")
@role_required(ISSUER_ADMIN)
def list_events():
    trail = audit_page.audit_page(db(), _criteria(), page=page_number())
    return render_template("audit/list.html", result=trail.events, actions=trail.actions, args=request.args, href=href)


@bp.get("/export.csv")
@role_required(ISSUER_ADMIN)
def export_events():
    # Written to a spooled file inside the request, so the export reads one consistent transaction.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    csv.writer(text).writerows(audit_page.export_rows(db(), _criteria()))
    text.flush()
    text.detach()
    spool.seek(0)
    filename = f"microcred-audit-{now():%Y%m%d-%H%M%S}.csv"
    return send_file(spool, mimetype="text/csv", as_attachment=True, download_name=filename)
