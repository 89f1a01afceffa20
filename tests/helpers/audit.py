"""Reading the audit log back in tests."""

from sqlalchemy import select

from practice.db import session
from practice.models import AuditEntry


def entries(app, **where) -> list[dict]:
    """Audit rows, oldest first, as plain dicts (optionally only those matching ``where``)."""
    with app.app_context():
        rows = session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).mappings()
        found = [dict(row) for row in rows]
        session.remove()
    return [row for row in found if all(row[key] == value for key, value in where.items())]
