"""The audit trail: who did what to which record, when and from where. Append-only.

An entry says that something happened, never what anyone wrote: its ``detail`` holds names
of columns, kinds, counts and numbers, never a reason, note, answer or any other free text
(the clinical record keeps those, encrypted). What someone typed into an e-mail box goes in
only when it is an e-mail address (``typed_address``): a password typed into the wrong box
never reaches the log.

Call ``record`` from views and services inside the request's transaction; the entry
commits with the change it describes. A refusal that must stay on the trail although its
request is rolled back (a failed or throttled sign-in, a wrong two-factor code) is written
with ``record_kept``, in a transaction of its own.

Changes to client records are recorded here without anyone calling ``record``: a flush
listener writes one entry per inserted, updated or deleted row of an audited model, naming
the changed columns, never their values. Views of client records are recorded by the
table in ``practice.audit.reads``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain

from flask import has_request_context, request
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session as OrmSession

from practice import kept
from practice.db import session as db_session
from practice.identity import current_user
from practice.models import (
    Addendum,
    Assignment,
    Couple,
    Feedback,
    Invitation,
    Partner,
    Reflection,
    SessionNote,
    User,
)
from practice.models.audit import APPEND_ONLY_MESSAGE, AuditEntry

DETAIL_LIMIT = 500
AGENT_LIMIT = 200
# Bookkeeping columns that change with everything and say nothing.
_NOISE = {"updated_at", "version"}


_ADDRESS = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
NOT_AN_ADDRESS = "(not an e-mail address)"


def typed_address(typed: str) -> str:
    """What someone typed as an e-mail, fit for the log: the address, or a placeholder when
    it is not one (a password typed into the wrong box, say)."""
    typed = (typed or "").strip()[:254]
    return typed if _ADDRESS.fullmatch(typed) else NOT_AN_ADDRESS


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit entry."""


def record(
    action: str,
    *,
    user=None,
    subject: str | None = None,
    subject_id: int | None = None,
    couple_id: int | None = None,
    detail: str = "",
) -> None:
    """Append one entry. ``action`` is a short dotted name such as "signin.failed",
    "couple.viewed", "reflection.submitted", "session.signed"; ``user`` defaults to the
    signed-in user; ``subject``/``subject_id`` name the record ("couple", 12)."""
    if couple_id is None and subject == "couple":
        couple_id = subject_id
    db_session.add(
        AuditEntry(
            **_entry(
                action,
                user=user,
                subject=subject,
                subject_id=subject_id,
                couple_id=couple_id,
                detail=detail,
            )
        )
    )


def record_kept(
    action: str,
    *,
    user=None,
    subject: str | None = None,
    subject_id: int | None = None,
    detail: str = "",
) -> None:
    """Append one entry in a transaction of its own, kept even when the request that
    refused something is rolled back; the arguments are ``record``'s (a sign-in names no
    couple)."""
    # Who and where are read first: loading the signed-in user must not follow the write.
    row = _entry(
        action, user=user, subject=subject, subject_id=subject_id, couple_id=None, detail=detail
    )
    with kept.transaction() as own:
        own.add(AuditEntry(**row))


def _entry(action, *, user, subject, subject_id, couple_id, detail) -> dict:
    """The column values of one entry: the who and where filled in from the request."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    ip = agent = ""
    if has_request_context():
        ip = request.remote_addr or ""
        agent = request.user_agent.string or ""
    return {
        "user_id": getattr(user, "id", None),
        "user_name": (getattr(user, "name", "") or "")[:120],
        "user_role": (getattr(user, "role", "") or "")[:20],
        "ip": ip[:45],
        "user_agent": agent[:AGENT_LIMIT],
        "action": action[:60],
        "subject": (subject or "")[:40],
        "subject_id": subject_id,
        "couple_id": couple_id,
        "detail": (detail or "")[:DETAIL_LIMIT],
    }


# --- which models hold client records --------------------------------------------------


@dataclass(frozen=True)
class Audited:
    """A model whose rows are client records: its name in the trail and its couple."""

    subject: str
    couple_of: Callable[[OrmSession, object], int | None]


AUDITED: dict[type, Audited] = {}


def audited(model: type, subject: str, couple_of=None) -> None:
    """Record every change to ``model``'s rows. A model with a ``couple_id`` column is
    audited without asking; call this for others or for a nicer subject name."""
    AUDITED[model] = Audited(subject, couple_of or (lambda _session, obj: obj.couple_id))


def _loaded_or_get(session: OrmSession, obj, relation: str, model: type, key: str):
    """A related object without a query when it is already at hand."""
    loaded = inspect(obj).dict.get(relation)
    if loaded is not None:
        return loaded
    related_id = getattr(obj, key)
    return None if related_id is None else session.get(model, related_id)


def _reflection_couple(session, reflection) -> int | None:
    author = _loaded_or_get(session, reflection, "author", Partner, "author_id")
    return author.couple_id if author is not None else None


def _feedback_couple(session, feedback) -> int | None:
    reflection = _loaded_or_get(session, feedback, "reflection", Reflection, "reflection_id")
    return _reflection_couple(session, reflection) if reflection is not None else None


def _addendum_couple(session, addendum) -> int | None:
    note = _loaded_or_get(session, addendum, "session", SessionNote, "session_id")
    return note.couple_id if note is not None else None


def _user_couple(session, user) -> int | None:
    state = inspect(user)
    if "partner" in state.dict:
        partner = state.dict["partner"]
        return partner.couple_id if partner is not None else None
    if user.id is None:
        return None
    return session.scalar(select(Partner.couple_id).where(Partner.user_id == user.id))


def _invitation_couple(session, invitation) -> int | None:
    user = _loaded_or_get(session, invitation, "user", User, "user_id")
    return _user_couple(session, user) if user is not None else None


audited(Couple, "couple", lambda _session, couple: couple.id)
audited(Partner, "partner")
audited(Assignment, "assignment")
audited(Reflection, "reflection", _reflection_couple)
audited(Feedback, "feedback", _feedback_couple)
audited(SessionNote, "session")
audited(Addendum, "addendum", _addendum_couple)
audited(User, "user", _user_couple)
audited(Invitation, "invitation", _invitation_couple)


def audit_spec(model: type) -> Audited | None:
    """How ``model``'s changes are recorded, or None when they are not client records."""
    if model is AuditEntry:
        return None
    for cls in model.__mro__:
        if cls in AUDITED:
            return AUDITED[cls]
    mapper = inspect(model, raiseerr=False)
    if mapper is not None and "couple_id" in mapper.columns:
        name = mapper.local_table.name.removeprefix("practice_")
        spec = Audited(name, lambda _session, obj: obj.couple_id)
        AUDITED[model] = spec
        return spec
    return None


def changed_names(obj) -> list[str]:
    """The names of the columns (and many-to-many links) about to change; never values."""
    state = inspect(obj)
    names = [
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in _NOISE and state.attrs[attr.key].history.has_changes()
    ]
    names += [
        rel.key
        for rel in state.mapper.relationships
        if rel.secondary is not None and state.attrs[rel.key].history.has_changes()
    ]
    return names


def _becomes_signed(obj) -> bool:
    if not isinstance(obj, SessionNote):
        return False
    history = inspect(obj).attrs.signed_at.history
    before = history.deleted or history.unchanged
    return bool(history.added) and history.added[0] is not None and not (before and before[0])


# --- the listeners -----------------------------------------------------------------------


def listen(sessions) -> None:
    """Bind the trail's listeners to Practice's sessions (a Flask-SQLAlchemy ``db.session``
    or any sessionmaker); idempotent. Sessions from anywhere else never run them.

    When Practice shares a host's Flask-SQLAlchemy instance, the host's own writes go
    through these sessions too: each listener looks only at Practice's own models and the
    audit table, so a host's rows are neither recorded nor refused.
    """
    for name, listener in (
        ("before_flush", _refuse_changes_to_the_trail),
        ("do_orm_execute", _refuse_bulk_changes_to_the_trail),
        ("after_flush", _record_changes),
    ):
        if not event.contains(sessions, name, listener):
            event.listen(sessions, name, listener)


def _refuse_changes_to_the_trail(session, _context, _instances):
    """The ORM never updates or deletes an audit entry (the database refuses it too)."""
    for obj in session.deleted:
        if isinstance(obj, AuditEntry):
            raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) and session.is_modified(obj):
            raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)


def _refuse_bulk_changes_to_the_trail(state):
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEntry for mapper in state.all_mappers
    ):
        raise AuditLogIsAppendOnly(APPEND_ONLY_MESSAGE)


def _record_changes(session, _context):
    """One entry per changed client record, written in the same transaction.

    After the flush, new rows have their ids while the session still shows what was
    flushed and each attribute's history. The entries go in as a Core INSERT on the
    session's own connection, so writing them starts no flush and records nothing more.
    """
    rows = []
    changes = chain(
        ((obj, "created") for obj in session.new),
        ((obj, "updated") for obj in session.dirty),
        ((obj, "deleted") for obj in session.deleted),
    )
    for obj, kind in changes:
        spec = audit_spec(type(obj))
        if spec is None:
            continue
        detail = ""
        action = f"{spec.subject}.{kind}"
        if kind == "updated":
            names = changed_names(obj)
            if not names:
                continue
            detail = "changed: " + ", ".join(names)
            if _becomes_signed(obj):
                action = "session.signed"
        rows.append(
            _entry(
                action,
                user=None,
                subject=spec.subject,
                subject_id=getattr(obj, "id", None),
                couple_id=spec.couple_of(session, obj),
                detail=detail,
            )
        )
    if rows:
        bind = {"mapper": inspect(AuditEntry)}
        session.connection(bind_arguments=bind).execute(insert(AuditEntry.__table__), rows)
