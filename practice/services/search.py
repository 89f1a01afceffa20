"""Search across a practitioner's caseload: clients by name and e-mail, couples by name, status
and step, done in SQL.

Names and e-mail addresses are stored as plain text (only what clients and practitioners
write is encrypted), so the database matches them: case aside (``ILIKE`` on PostgreSQL;
on SQLite ``LIKE``, which sets case aside for ASCII letters only, helped by ``_spellings``),
``%`` and ``_`` taken literally. The search starts from the practitioner's own couples (``privacy
.couples_findable_by``, on the couples' practitioner index), so it reads one caseload,
never the practice.
"""

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import session
from practice.models import Couple, Partner, ReviewWaiting, Step, User
from practice.paging import Page, paginate

WAITING, SAFETY, PAUSED = "waiting", "safety", "paused"
OPEN, ARCHIVED = "open", "archived"
# Without a status, a search finds archived couples too (a discharged client is still
# looked up by name), each marked as archived.
STATUSES = {
    WAITING: "Work waiting for your review",
    SAFETY: "A safety answer asks for your care",
    PAUSED: "Sharing paused by you",
    OPEN: "Open (not archived)",
    ARCHIVED: "Archived or discharged",
}


@dataclass(frozen=True)
class Query:
    text: str = ""
    status: str | None = None
    step: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text and self.status is None and self.step is None


@dataclass(frozen=True)
class Result:
    couple: Couple
    waiting: int
    matching: frozenset  # ids of the partners whose name or e-mail matched


def steps_offered() -> int:
    """How many steps the longest program has: the step filter's choices."""
    return session.scalar(select(func.max(Step.position))) or 1


def _spellings(text: str) -> set[str]:
    """The term as typed, and, when it has letters beyond ASCII, in the cases names are
    usually written in: SQLite's LIKE sets case aside for ASCII letters only, so "émile"
    would otherwise never find "Émile" there (PostgreSQL's ILIKE finds it either way)."""
    if text.isascii():
        return {text}
    return {text, text.lower(), text.upper(), text.title(), text.capitalize()}


def _holds(column, text: str):
    return or_(*(column.icontains(t, autoescape=True) for t in sorted(_spellings(text))))


def _client_matches(text: str):
    return or_(_holds(User.name, text), _holds(User.email, text))


def caseload_search(practitioner: User, query: Query, page: int, per_page: int) -> Page:
    """The practitioner's couples matching ``query``, by name; four queries at any size."""
    conditions = [privacy.couples_findable_by(practitioner)]
    if query.text:
        client = (
            select(Partner.id)
            .join(User, User.id == Partner.user_id)
            .where(Partner.couple_id == Couple.id, _client_matches(query.text))
        )
        conditions.append(or_(_holds(Couple.name, query.text), exists(client)))
    if query.step is not None:
        conditions.append(Couple.current_step == query.step)
    waiting_here = select(ReviewWaiting.couple_id).where(
        ReviewWaiting.practitioner_id == practitioner.id
    )
    if query.status == WAITING:
        conditions.append(Couple.id.in_(waiting_here))
    elif query.status == SAFETY:
        conditions.append(privacy.safety_alerts())
    elif query.status == PAUSED:
        conditions.append(privacy.sharing_paused())
    elif query.status == OPEN:
        conditions.append(Couple.archived_at.is_(None))
    elif query.status == ARCHIVED:
        conditions.append(Couple.archived_at.is_not(None))
    listing = paginate(
        select(Couple)
        .where(*conditions)
        .options(selectinload(Couple.partners).selectinload(Partner.user))
        .order_by(Couple.name, Couple.id),
        page,
        per_page,
        count=select(func.count(Couple.id)).where(*conditions),
    )
    ids = [c.id for c in listing.items]
    waiting = dict(
        session.execute(
            select(ReviewWaiting.couple_id, func.count())
            .where(
                ReviewWaiting.practitioner_id == practitioner.id, ReviewWaiting.couple_id.in_(ids)
            )
            .group_by(ReviewWaiting.couple_id)
        ).all()
    )
    folded = query.text.casefold()
    listing.items = [
        Result(
            couple,
            waiting.get(couple.id, 0),
            frozenset(
                p.id
                for p in couple.partners
                if folded
                and (folded in p.user.name.casefold() or folded in p.user.email.casefold())
            ),
        )
        for couple in listing.items
    ]
    return listing


def empty(per_page: int) -> Page:
    return Page(per_page=per_page)
