"""The database session Practice uses, and the one place a request's work is committed.

A request to Practice is one unit of work: its blueprint commits once after a successful
response and rolls back after an error, a 4xx answer or a refused form, so a failed request
leaves the database as it was. Views and services never commit or roll back; a view that
refuses what was sent says so with ``refuse()`` (``PracticeForm`` does it for every form
that fails validation or gets a service error). What must be kept even when the request
fails (a failed sign-in's count and its audit row) is written by ``practice.kept``.
"""

from collections.abc import Callable

from flask import Blueprint, current_app, g, has_request_context
from werkzeug.local import LocalProxy


def _session():
    return current_app.extensions["practice"].db.session


session = LocalProxy(_session)


def commit() -> None:
    """Commit now: for command-line work, which has no request around it."""
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise


def claim(row, *still, **values) -> bool:
    """Whether ``row`` still meets ``still`` (a draft is still a draft, say), holding it for
    the rest of this transaction when it does; ``values`` are written with the claim (an
    outbox mail's lease, say).

    A conditional update, not a read then a write: of two requests changing the same row at
    once, the second waits for the first and then finds the row changed, so the first
    stands. When the row no longer meets ``still`` it is reloaded as it now stands.
    """
    from sqlalchemy import update

    from practice.models.base import utcnow

    model = type(row)
    claimed = session.execute(
        update(model)
        .where(model.id == row.id, *still)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:
        return True
    session.refresh(row)
    return False


def refuse() -> None:
    """This request refused what was sent: nothing it wrote is kept."""
    if has_request_context():
        g.practice_refused = True


def refused_by_database() -> None:
    """The database refused this request's write (a unique rule another request met a
    moment earlier, say): the transaction cannot go on, so it is rolled back here, now, and
    the request is refused. What it wrote before is gone with it."""
    session.rollback()
    refuse()


def refused() -> bool:
    return bool(g.get("practice_refused"))


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once this request's work is committed (e-mail with a stored token,
    say), never when it is rolled back."""
    g.setdefault("practice_after_commit", []).append(callback)


def install(bp: Blueprint) -> None:
    """Make ``bp`` (Practice's parent blueprint) the commit point of its requests. Register
    this before any other ``after_request`` on ``bp``: Flask runs them in reverse, so the
    commit comes after every other hook has had its say (the audit of reads, for one)."""

    @bp.after_request
    def finish_unit_of_work(response):
        unit = session()
        if response.status_code >= 400 or refused():
            unit.rollback()
            return response
        # The page is made: keep what it loaded rather than reload it in hooks still to run.
        expire, unit.expire_on_commit = unit.expire_on_commit, False
        try:
            unit.commit()
        except Exception:
            unit.rollback()
            raise
        finally:
            unit.expire_on_commit = expire
        for callback in g.pop("practice_after_commit", []):
            callback()
        return response

    @bp.teardown_request
    def roll_back_on_error(error):
        if error is not None:
            session().rollback()
