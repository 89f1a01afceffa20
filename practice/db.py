"""The database session Practice uses, whichever Flask-SQLAlchemy instance owns it."""

from flask import current_app
from werkzeug.local import LocalProxy


def _session():
    return current_app.extensions["practice"].db.session


session = LocalProxy(_session)


def commit() -> None:
    """The one boundary where a unit of work is committed; services only flush."""
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
