"""Issuer admins browse, filter and export the audit trail."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, render_template, request, send_file

from ..domain import audit
from ..domain.people.roles import ISSUER_ADMIN
from .forms import page_number
from .sessions import role_required
from .transaction import db, now

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


def _date(name: str) -> datetime | None:
    try:
        return datetime.combine(datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date(), time(), UTC)
    except ValueError:
        return None


def _criteria() -> audit.EventFilter:
    until = _date("until")
    return audit.EventFilter(
        action=request.args.get("action", "")[:80],
        actor=request.args.get("actor", "")[:254],
        subject_type=request.args.get("subject_type", "")[:40],
        subject_id=request.args.get("subject_id", "")[:80],
        since=_date("since"),
        until=until + timedelta(days=1) if until else None,
    )


@bp.get("")
@role_required(ISSUER_ADMIN)
def list_events():
    result = audit.find_events(db(), _criteria(), page=page_number())
    return render_template("audit/list.html", result=result, actions=audit.known_actions(db()), args=request.args)


@bp.get("/export.csv")
@role_required(ISSUER_ADMIN)
def export_events():
    # Written to a spooled file inside the request, so the export reads one consistent transaction.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    csv.writer(text).writerows(audit.events_as_csv_rows(audit.iter_events(db(), _criteria())))
    text.flush()
    text.detach()
    spool.seek(0)
    filename = f"microcred-audit-{now():%Y%m%d-%H%M%S}.csv"
    return send_file(spool, mimetype="text/csv", as_attachment=True, download_name=filename)
