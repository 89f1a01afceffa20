"""A couple's history: every reflection, feedback, check-in, disclosure part and session note,
newest first, filtered by step, partner and kind, a page at a time; and the search within
the couple's record, whose free text is encrypted and so is read and matched here, in the
app, one couple at a time.

What a reader finds is what ``practice.privacy`` lets them read (its ``*_in_history``
filters); nothing here decides it. A page costs the same number of
queries however long the couple's history is: one count, one page of plain rows from a
UNION of the five kinds, and a fixed few to fill in that page.
"""

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import Integer, String, cast, literal_column, null, select, union_all

from practice import privacy
from practice.db import session
from practice.models import (
    Addendum,
    Assignment,
    Checkin,
    Couple,
    Disclosure,
    DisclosurePart,
    Feedback,
    Reflection,
    SessionKind,
    SessionNote,
    User,
)
from practice.paging import Page, paginate
from practice.services import disclosure as disclosure_service

REFLECTION, FEEDBACK, CHECKIN, PART, SESSION = (
    "reflection",
    "feedback",
    "checkin",
    "part",
    "session",
)
KINDS = {
    REFLECTION: "Reflections",
    FEEDBACK: "Feedback",
    CHECKIN: "Check-ins",
    PART: "Disclosure parts",
    SESSION: "Session notes",
}
# A search term: long enough to mean something, short enough to read.
TERM_MIN, TERM_MAX = 2, 100
SNIPPET_CHARS = 70


@dataclass(frozen=True)
class Filters:
    """What a history page shows: any of them None means every one."""

    kind: str | None = None
    partner_id: int | None = None
    step: int | None = None
    exercise_id: int | None = None
    since: datetime | None = None  # from this moment (UTC) on
    until: datetime | None = None  # before this moment


@dataclass(frozen=True)
class Entry:
    """One line of the history: what it is, when, whose, and where it can be read."""

    kind: str
    id: int
    at: datetime
    partner_id: int | None  # None: a joint session, with both partners
    step: int | None
    title: str | None
    # Reflection: reviewed; session note: signed; check-in: a slip.
    mark: bool
    reflection_id: int | None = None  # feedback: the reflection it answers
    detail: object = None  # a check-in or disclosure part, to show in the line


def _kind(name: str):
    return literal_column(f"'{name}'", String).label("kind")


def _no_int():
    return cast(null(), Integer)


def _branches(reader: User, couple: Couple, filters: Filters) -> list:
    """One select per kind, each with the same columns, filters applied inside each (so
    every branch reads its own couple's index)."""
    reviewed = Reflection.reviewed_at.is_not(None)
    wanted = {filters.kind} if filters.kind else set(KINDS)
    if filters.exercise_id is not None:
        wanted &= {REFLECTION, FEEDBACK}
    branches = []
    if REFLECTION in wanted:
        branches.append(
            _filtered(
                select(
                    _kind(REFLECTION),
                    Reflection.id,
                    Reflection.submitted_at.label("at"),
                    Reflection.author_id.label("partner_id"),
                    Assignment.step_position.label("step"),
                    Assignment.title.label("title"),
                    cast(reviewed, Integer).label("mark"),
                    Reflection.id.label("reflection_id"),
                )
                .join(Assignment, Assignment.id == Reflection.assignment_id)
                .where(
                    Assignment.couple_id == couple.id,
                    privacy.reflections_in_history(reader, couple),
                ),
                filters,
                Reflection.submitted_at,
                Reflection.author_id,
                Assignment.step_position,
                Assignment.exercise_id,
            )
        )
    if FEEDBACK in wanted:
        branches.append(
            _filtered(
                select(
                    _kind(FEEDBACK),
                    Feedback.id,
                    Feedback.created_at.label("at"),
                    Reflection.author_id.label("partner_id"),
                    Assignment.step_position.label("step"),
                    Assignment.title.label("title"),
                    cast(reviewed, Integer).label("mark"),
                    Reflection.id.label("reflection_id"),
                )
                .join(Reflection, Reflection.id == Feedback.reflection_id)
                .join(Assignment, Assignment.id == Reflection.assignment_id)
                .where(
                    Assignment.couple_id == couple.id,
                    privacy.all_in_history(reader, couple),
                    privacy.reflections_in_history(reader, couple),
                ),
                filters,
                Feedback.created_at,
                Reflection.author_id,
                Assignment.step_position,
                Assignment.exercise_id,
            )
        )
    if CHECKIN in wanted:
        branches.append(
            _filtered(
                select(
                    _kind(CHECKIN),
                    Checkin.id,
                    Checkin.created_at.label("at"),
                    Checkin.partner_id.label("partner_id"),
                    _no_int().label("step"),
                    cast(null(), String).label("title"),
                    cast(Checkin.slip, Integer).label("mark"),
                    _no_int().label("reflection_id"),
                ).where(Checkin.couple_id == couple.id, privacy.all_in_history(reader, couple)),
                filters,
                Checkin.created_at,
                Checkin.partner_id,
                None,
            )
        )
    if PART in wanted:
        branches.append(
            _filtered(
                select(
                    _kind(PART),
                    DisclosurePart.id,
                    DisclosurePart.submitted_at.label("at"),
                    DisclosurePart.author_id.label("partner_id"),
                    _no_int().label("step"),
                    DisclosurePart.kind.label("title"),
                    literal_column("0", Integer).label("mark"),
                    _no_int().label("reflection_id"),
                )
                .join(Disclosure, Disclosure.id == DisclosurePart.disclosure_id)
                .where(
                    Disclosure.couple_id == couple.id,
                    privacy.parts_in_history(reader, couple),
                ),
                filters,
                DisclosurePart.submitted_at,
                DisclosurePart.author_id,
                None,
            )
        )
    if SESSION in wanted:
        partner = SessionNote.individual_partner_id
        branches.append(
            _filtered(
                select(
                    _kind(SESSION),
                    SessionNote.id,
                    SessionNote.starts_at.label("at"),
                    partner.label("partner_id"),
                    SessionNote.step_position.label("step"),
                    SessionNote.kind.label("title"),
                    cast(SessionNote.signed_at.is_not(None), Integer).label("mark"),
                    _no_int().label("reflection_id"),
                ).where(SessionNote.couple_id == couple.id, privacy.all_in_history(reader, couple)),
                filters,
                SessionNote.starts_at,
                # A joint session is with both partners: listed under either.
                partner,
                SessionNote.step_position,
                joint=SessionNote.kind == SessionKind.JOINT,
            )
        )
    return [branch for branch in branches if branch is not None]


def _filtered(query, filters: Filters, at, partner_column, step_column, exercise=None, joint=None):
    if filters.since is not None:
        query = query.where(at >= filters.since)
    if filters.until is not None:
        query = query.where(at < filters.until)
    if filters.partner_id is not None:
        mine = partner_column == filters.partner_id
        query = query.where(mine if joint is None else mine | joint)
    if filters.step is not None:
        if step_column is None:
            return None  # a kind without steps has nothing on any one step
        query = query.where(step_column == filters.step)
    if filters.exercise_id is not None and exercise is not None:
        query = query.where(exercise == filters.exercise_id)
    return query


def history(reader: User, couple: Couple, filters: Filters, page: int, per_page: int) -> Page:
    """One page of the couple's history, newest first; the same few queries at any size."""
    branches = _branches(reader, couple, filters)
    if not branches:
        return Page(per_page=per_page)
    rows = union_all(*branches).subquery("history")
    listing = paginate(
        select(rows).order_by(rows.c.at.desc(), rows.c.kind, rows.c.id.desc()),
        page,
        per_page,
        scalars=False,
    )
    entries = [Entry(*row) for row in listing.items]
    checkin_ids = [e.id for e in entries if e.kind == CHECKIN]
    # Always asked, so a page costs the same whatever kinds it happens to hold; a couple has
    # five disclosure parts at most.
    checkins = {
        c.id: c for c in session.scalars(select(Checkin).where(Checkin.id.in_(checkin_ids)))
    }
    parts = {
        p.id: p
        for p in session.scalars(
            select(DisclosurePart)
            .join(Disclosure, Disclosure.id == DisclosurePart.disclosure_id)
            .where(Disclosure.couple_id == couple.id)
        )
    }
    found = {CHECKIN: checkins, PART: parts}
    listing.items = [
        replace(e, mark=bool(e.mark), detail=found.get(e.kind, {}).get(e.id)) for e in entries
    ]
    return listing


def part_title(part: DisclosurePart) -> str:
    return disclosure_service.spec(part).title


def latest_reflection(reader: User, couple: Couple, partner_id: int, exercise_id: int):
    """The partner's newest readable reflection on one exercise of the program, and whether
    there are more (the progress table's cell links to it)."""
    rows = session.scalars(
        select(Reflection.id)
        .join(Assignment, Assignment.id == Reflection.assignment_id)
        .where(
            Assignment.couple_id == couple.id,
            Assignment.exercise_id == exercise_id,
            Reflection.author_id == partner_id,
            privacy.reflections_in_history(reader, couple),
        )
        .order_by(Reflection.submitted_at.desc(), Reflection.id.desc())
        .limit(2)
    ).all()
    return (rows[0] if rows else None), len(rows) > 1


def exercise_title(couple: Couple, exercise_id: int) -> str | None:
    """The title the couple was given for one exercise (their copy), if they had it."""
    return session.scalar(
        select(Assignment.title)
        .where(Assignment.couple_id == couple.id, Assignment.exercise_id == exercise_id)
        .order_by(Assignment.id.desc())
        .limit(1)
    )


# --- searching one couple's record -----------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A matching item with the words around the first match."""

    kind: str
    id: int
    at: datetime
    partner_id: int | None
    title: str | None
    before: str
    match: str
    after: str
    reflection_id: int | None = None
    detail: object = None


@dataclass
class Found:
    hits: Page
    searched: int = 0  # how many items were read
    kinds: dict = field(default_factory=dict)


def fold(text: str) -> str:
    """Text as compared: one Unicode form (an é typed either way is the same é)."""
    return unicodedata.normalize("NFC", text or "")


def check_term(term: str) -> str | None:
    """What is wrong with a search term, or None."""
    term = fold(term).strip()
    if len(term) < TERM_MIN:
        return f"Type at least {TERM_MIN} characters to search for."
    if len(term) > TERM_MAX:
        return f"Search for at most {TERM_MAX} characters."
    return None


def snippet(text: str, pattern: re.Pattern) -> tuple[str, str, str] | None:
    """(before, match, after) around the first match in ``text``, on word boundaries, or
    None when it does not match."""
    text = " ".join(fold(text).split())
    found = pattern.search(text)
    if found is None:
        return None
    start, end = found.span()
    before = text[max(0, start - SNIPPET_CHARS) : start]
    after = text[end : end + SNIPPET_CHARS]
    if start > SNIPPET_CHARS and " " in before:
        before = "…" + before.split(" ", 1)[1]
    if len(text) - end > SNIPPET_CHARS and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    return before, found.group(0), after


def _first(texts, pattern):
    for text in texts:
        if text and (found := snippet(text, pattern)):
            return found
    return None


def _streamed(query):
    return session.execute(query.execution_options(yield_per=200))


def search_record(
    reader: User, couple: Couple, term: str, page: int, per_page: int, kind: str | None = None
) -> Found:
    """Every item of the couple's record the reader may read whose words hold ``term``
    (case aside), newest first, a page at a time. The words are encrypted at rest, so they
    are decrypted and matched here: one query per kind, streamed, for this couple only."""
    pattern = re.compile(re.escape(fold(term).strip()), re.IGNORECASE)
    hits: list[Hit] = []
    searched = 0
    wanted = {kind} if kind else set(KINDS)

    def add(kind_, id_, at, partner_id, title, texts, reflection_id=None, detail=None):
        nonlocal searched
        searched += 1
        found = _first(texts, pattern)
        if found is not None:
            hits.append(Hit(kind_, id_, at, partner_id, title, *found, reflection_id, detail))

    if REFLECTION in wanted:
        for row in _streamed(
            select(
                Reflection.id,
                Reflection.submitted_at,
                Reflection.author_id,
                Assignment.title,
                Reflection.answers,
            )
            .join(Assignment, Assignment.id == Reflection.assignment_id)
            .where(
                Assignment.couple_id == couple.id, privacy.reflections_in_history(reader, couple)
            )
        ):
            add(REFLECTION, row[0], row[1], row[2], row[3], row[4] or [], row[0])
    if FEEDBACK in wanted:
        for row in _streamed(
            select(
                Feedback.id,
                Feedback.created_at,
                Reflection.author_id,
                Assignment.title,
                Feedback.body,
                Reflection.id,
            )
            .join(Reflection, Reflection.id == Feedback.reflection_id)
            .join(Assignment, Assignment.id == Reflection.assignment_id)
            .where(
                Assignment.couple_id == couple.id,
                privacy.all_in_history(reader, couple),
                privacy.reflections_in_history(reader, couple),
            )
        ):
            add(FEEDBACK, row[0], row[1], row[2], row[3], [row[4]], row[5])
    if CHECKIN in wanted:
        for (checkin,) in _streamed(
            select(Checkin).where(
                Checkin.couple_id == couple.id, privacy.all_in_history(reader, couple)
            )
        ):
            texts = [checkin.triggers, checkin.handled]
            add(
                CHECKIN,
                checkin.id,
                checkin.created_at,
                checkin.partner_id,
                None,
                texts,
                detail=checkin,
            )
    if PART in wanted:
        for (part,) in _streamed(
            select(DisclosurePart)
            .join(Disclosure, Disclosure.id == DisclosurePart.disclosure_id)
            .where(
                Disclosure.couple_id == couple.id,
                privacy.parts_in_history(reader, couple),
            )
        ):
            add(
                PART,
                part.id,
                part.submitted_at,
                part.author_id,
                part.kind,
                [part.text],
                detail=part,
            )
    if SESSION in wanted:
        addenda: dict[int, list[str]] = {}
        for session_id, text in _streamed(
            select(Addendum.session_id, Addendum.text)
            .join(SessionNote, SessionNote.id == Addendum.session_id)
            .where(SessionNote.couple_id == couple.id, privacy.all_in_history(reader, couple))
        ):
            addenda.setdefault(session_id, []).append(text)
        for row in _streamed(
            select(
                SessionNote.id,
                SessionNote.starts_at,
                SessionNote.individual_partner_id,
                SessionNote.kind,
                SessionNote.sections,
            ).where(SessionNote.couple_id == couple.id, privacy.all_in_history(reader, couple))
        ):
            texts = [str(v) for v in (row[4] or {}).values()] + addenda.get(row[0], [])
            add(SESSION, row[0], row[1], row[2], row[3], texts)

    hits.sort(key=lambda h: (h.at, h.id), reverse=True)
    per_page = max(1, per_page)
    pages = max(1, -(-len(hits) // per_page))
    page = min(max(1, page), pages)
    shown = hits[(page - 1) * per_page : page * per_page]
    kinds: dict[str, int] = {}
    for hit in hits:
        kinds[hit.kind] = kinds.get(hit.kind, 0) + 1
    return Found(Page(shown, len(hits), page, per_page), searched, kinds)
