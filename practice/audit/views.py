"""The owner's audit log: newest first, filtered, paged, and exported as CSV."""

import csv
import io
from datetime import datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import func, select

from practice import access, privacy
from practice.audit.forms import AuditFilterForm
from practice.db import session as db_session
from practice.identity import current_user
from practice.models import AuditEntry, User
from practice.paging import Page, page_number, paginate
from practice.services import audit, clock

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
access.for_owner(bp)

CSV_COLUMNS = (
    "when ({zone})",
    "user id",
    "name",
    "role",
    "address",
    "browser",
    "action",
    "subject",
    "subject id",
    "couple",
    "detail",
)
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _filters(form: AuditFilterForm) -> list:
    conditions = [privacy.audit_readable_by(current_user)]
    if form.person.data:
        person = form.person.data
        by_email = select(User.id).where(func.lower(User.email) == person.lower())
        conditions.append(
            AuditEntry.user_name.icontains(person, autoescape=True)
            | AuditEntry.user_id.in_(by_email)
        )
    if form.action.data:
        conditions.append(AuditEntry.action.startswith(form.action.data, autoescape=True))
    if form.couple.data:
        conditions.append(AuditEntry.couple_id == form.couple.data)
    zone = clock.zone(current_user.timezone)
    if form.since.data:
        conditions.append(AuditEntry.at >= datetime.combine(form.since.data, time(0), zone))
    if form.until.data:
        end = datetime.combine(form.until.data + timedelta(days=1), time(0), zone)
        conditions.append(AuditEntry.at < end)
    return conditions


def _newest_first(conditions):
    return (
        select(AuditEntry).where(*conditions).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )


def _filter_args() -> dict:
    return {key: value for key, value in request.args.items() if key != "page" and value}


@bp.get("/")
def log():
    form = AuditFilterForm(formdata=request.args)
    per_page = current_app.config["PRACTICE_PAGE_SIZE"]
    page = page_number()
    entries = Page(per_page=per_page)
    if form.validate():
        conditions = _filters(form)
        count = select(func.count()).select_from(AuditEntry).where(*conditions)
        entries = paginate(_newest_first(conditions), page, per_page, count=count)
    return render_template(
        "practice/audit/log.html",
        form=form,
        entries=entries,
        filter_args=_filter_args(),
    )


def csv_safe(value) -> str:
    """The cell as text that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_row(entry: AuditEntry, zone) -> list[str]:
    """One entry; its moment in the reader's time zone, named in the header."""
    return [
        csv_safe(value)
        for value in (
            entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            entry.user_id,
            entry.user_name,
            entry.user_role,
            entry.ip,
            entry.user_agent,
            entry.action,
            entry.subject,
            entry.subject_id,
            entry.couple_id,
            entry.detail,
        )
    ]


@bp.get("/export.csv")
def export():
    form = AuditFilterForm(formdata=request.args)
    if not form.validate():
        return redirect(url_for(".log", **_filter_args()))
    query = _newest_first(_filters(form)).execution_options(yield_per=500)
    summary = ", ".join(f"{key}={value}" for key, value in sorted(_filter_args().items()))
    audit.record("audit.exported", detail=summary or "everything")

    zone = clock.zone(current_user.timezone)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([CSV_COLUMNS[0].format(zone=zone.key), *CSV_COLUMNS[1:]])
        for entry in db_session.scalars(query):
            writer.writerow(_csv_row(entry, zone))
            if buffer.tell() > 16_384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
