"""Preparing for a session: the couple page's summary at a glance, and the one-page brief of
everything since the last session (practitioner only; ``privacy.may_read_brief``).

Both start from one couple and read a bounded slice of it, so their query counts stay flat
however long the couple has been in the program. Free text is decrypted here, in the app,
for this one couple.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import load_only, selectinload

from practice import privacy
from practice.db import session
from practice.models import (
    Checkin,
    CheckinPlan,
    Couple,
    Partner,
    Reflection,
    ReviewWaiting,
    SessionNote,
    User,
)
from practice.models.sessions import session_reflections
from practice.services import checkins, clock, disclosure, pacing, progress

# --- the couple page's summary ----------------------------------------------------------------


@dataclass
class Glance:
    """What a practitioner reads first on the couple page."""

    overdue: list  # open assignments past their due date, soonest first
    due: list  # open assignments with a due date still to come, soonest first
    open_count: int
    waiting: int  # submitted reflections not yet reviewed
    waiting_risk: int  # of which mention risk
    last_session: SessionNote | None
    next_session: SessionNote | None


def glance(couple: Couple, active: list, sessions: list, today: date, now: datetime) -> Glance:
    """From what the couple page has loaded already, and one count of what waits for
    review (``ReviewWaiting``, indexed by practitioner)."""
    waiting, risky = session.execute(
        select(
            func.count(ReviewWaiting.reflection_id),
            func.count(ReviewWaiting.reflection_id).filter(
                ReviewWaiting.queue_rank == ReviewWaiting.RISK
            ),
        ).where(
            ReviewWaiting.practitioner_id == couple.practitioner_id,
            ReviewWaiting.couple_id == couple.id,
        )
    ).one()
    dated = sorted((a for a in active if a.due_on), key=lambda a: a.due_on)
    past = [s for s in sessions if s.starts_at <= now]  # sessions come newest first
    future = [s for s in sessions if s.starts_at > now]
    return Glance(
        overdue=[a for a in dated if a.due_on < today],
        due=[a for a in dated if a.due_on >= today],
        open_count=len(active),
        waiting=waiting,
        waiting_risk=risky,
        last_session=past[0] if past else None,
        next_session=future[-1] if future else None,
    )


# --- the brief ------------------------------------------------------------------------------

# What one brief reads at most: enough for any gap between sessions, bounded all the same.
MOST_REFLECTIONS = 60
MOST_FLAGGED = 20
# Without any session yet, the brief covers this many days.
FIRST_BRIEF_DAYS = 28


@dataclass
class ExerciseRow:
    """One exercise answered since the last session: each partner's answer side by side."""

    title: str
    step_position: int
    occurrence: date
    answers: dict[int, Reflection] = field(default_factory=dict)  # partner id -> reflection


@dataclass
class RatingChange:
    label: str
    partner: Partner
    before: int | None  # the last rating before the last session, if any
    now: int
    count: int  # ratings given since

    @property
    def change(self) -> int | None:
        return None if self.before is None else self.now - self.before


@dataclass
class CheckinBrief:
    plan: CheckinPlan | None
    done: int = 0
    slips: list = field(default_factory=list)  # Checkin rows with a slip, oldest first
    missed: list[date] = field(default_factory=list)  # periods with no check-in
    highest_urges: int | None = None


@dataclass
class Brief:
    couple: Couple
    since: datetime  # the last session's start, or FIRST_BRIEF_DAYS back
    last_session: SessionNote | None
    rows: list[ExerciseRow]
    more_reflections: bool  # more than MOST_REFLECTIONS were submitted since
    ratings: list[RatingChange]
    checkins: CheckinBrief
    flagged: list[Reflection]  # to discuss or mentioning risk, not yet in a signed session
    disclosure: list[dict]
    pace: pacing.Pace
    safety_alert_since: datetime | None
    paused_since: datetime | None

    def count_for(self, partner: Partner) -> int:
        return sum(1 for row in self.rows if partner.id in row.answers)


def brief_for(reader: User, couple: Couple, now: datetime) -> Brief | None:
    """The brief, or None when ``reader`` may not read it (the view answers 404)."""
    if not privacy.may_read_brief(reader, couple):
        return None
    last = session.scalar(
        select(SessionNote)
        .options(load_only(SessionNote.id, SessionNote.starts_at, SessionNote.kind))
        .where(SessionNote.couple_id == couple.id, SessionNote.starts_at <= now)
        .order_by(SessionNote.starts_at.desc())
        .limit(1)
    )
    since = last.starts_at if last is not None else now - timedelta(days=FIRST_BRIEF_DAYS)
    new = list(
        session.scalars(
            select(Reflection)
            .where(privacy.brief_reflections(couple), Reflection.submitted_at >= since)
            .options(selectinload(Reflection.assignment))
            .order_by(Reflection.submitted_at)
            .limit(MOST_REFLECTIONS + 1)
        )
    )
    more = len(new) > MOST_REFLECTIONS
    new = new[:MOST_REFLECTIONS]
    flagged = list(
        session.scalars(
            select(Reflection)
            .where(
                privacy.brief_reflections(couple),
                Reflection.flagged_for_session.is_(True) | Reflection.mentions_risk.is_(True),
                Reflection.id.not_in(_in_signed_sessions(couple)),
            )
            .options(selectinload(Reflection.assignment))
            .order_by(Reflection.submitted_at.desc())
            .limit(MOST_FLAGGED)
        )
    )
    return Brief(
        couple=couple,
        since=since,
        last_session=last,
        rows=_side_by_side(new),
        more_reflections=more,
        ratings=_rating_changes(couple, since),
        checkins=_checkins_since(couple, since, now),
        flagged=flagged,
        disclosure=disclosure.status_lines(disclosure.for_couple(couple.id)),
        pace=pacing.pace(couple),
        safety_alert_since=privacy.safety_alert_since(couple),
        paused_since=privacy.paused_by_practitioner_since(couple),
    )


def _in_signed_sessions(couple: Couple):
    """SQL: the ids of reflections already discussed in one of the couple's signed sessions."""
    return (
        select(session_reflections.c.reflection_id)
        .join(SessionNote, SessionNote.id == session_reflections.c.session_id)
        .where(SessionNote.couple_id == couple.id, SessionNote.signed_at.is_not(None))
    )


def _side_by_side(reflections: list[Reflection]) -> list[ExerciseRow]:
    """One row per exercise and occurrence, each partner's latest answer in it."""
    rows: dict[tuple, ExerciseRow] = {}
    for r in reflections:
        a = r.assignment
        row = rows.setdefault(
            (a.id, r.occurrence), ExerciseRow(a.title, a.step_position, r.occurrence)
        )
        row.answers[r.author_id] = r
    return list(rows.values())


def _rating_changes(couple: Couple, since: datetime) -> list[RatingChange]:
    changes = []
    for series in progress.ratings_over_time(couple):
        for partner in couple.partners:
            points = series.points.get(partner.id, [])
            before = [v for m, v in points if m < since]
            after = [v for m, v in points if m >= since]
            if after:
                changes.append(
                    RatingChange(
                        series.label, partner, before[-1] if before else None, after[-1], len(after)
                    )
                )
    return changes


def _checkins_since(couple: Couple, since: datetime, now: datetime) -> CheckinBrief:
    plan = checkins.plan_for(couple)
    if plan is None:
        return CheckinBrief(None)
    today = clock.today_for(plan.partner.user)
    first_day = clock.local(since, plan.partner.user).date()
    start = checkins.period_start(plan.frequency, max(first_day, plan.starts_on))
    rows = list(
        session.scalars(
            select(Checkin)
            .options(
                load_only(
                    Checkin.period_start,
                    Checkin.frequency,
                    Checkin.urges,
                    Checkin.slip,
                    Checkin.slip_at,
                    Checkin.told_at,
                )
            )
            .where(Checkin.partner_id == plan.partner_id, Checkin.period_start >= start)
            .order_by(Checkin.period_start)
        )
    )
    result = CheckinBrief(plan, done=len(rows))
    result.slips = [c for c in rows if c.slip]
    result.highest_urges = max((c.urges for c in rows), default=None)
    if plan.is_on:
        done = {c.period_start for c in rows if c.frequency == plan.frequency}
        step = timedelta(days=7 if plan.frequency == "weekly" else 1)
        period, current = start, checkins.period_start(plan.frequency, today)
        # The period in progress is not missed yet: its day (or week) is not over.
        while period < current:
            if period not in done:
                result.missed.append(period)
            period += step
    return result


# --- the brief's summary, for the new note ----------------------------------------------------


def note_summary(brief: Brief, reader: User) -> str:
    """The brief as plain lines the practitioner edits in the note's first section (Data,
    Subjective, Behavior): facts and counts, none of the partners' own words."""
    couple = brief.couple
    since = clock.format_datetime(brief.since, reader)
    lines = [f"Since {'the last session' if brief.last_session else 'the start'} ({since}):"]
    for partner in couple.partners:
        titles = [row.title for row in brief.rows if partner.id in row.answers]
        if titles:
            lines.append(
                f"- {partner.name} submitted {len(titles)} reflection"
                f"{'s' if len(titles) != 1 else ''}: {'; '.join(titles)}."
            )
        else:
            lines.append(f"- {partner.name} submitted no reflections.")
    for change in brief.ratings:
        was = "" if change.before is None else f"{change.before} → "
        lines.append(f"- {change.partner.name}, {change.label.lower()}: {was}{change.now}/10.")
    cb = brief.checkins
    if cb.plan is not None:
        missed = len(cb.missed)
        lines.append(
            f"- Check-ins ({cb.plan.partner.name}): {cb.done} in, {missed} missed, "
            f"{len(cb.slips)} slip{'s' if len(cb.slips) != 1 else ''}"
            + (f", urges at most {cb.highest_urges}/10." if cb.highest_urges is not None else ".")
        )
    for r in brief.flagged:
        why = "mentions risk" if r.mentions_risk else "to discuss"
        lines.append(f"- {r.assignment.title} ({_name(couple, r.author_id)}): {why}.")
    if brief.safety_alert_since:
        lines.append("- A safety answer asks for care; sharing between the partners is off.")
    elif brief.paused_since:
        lines.append("- Sharing between the partners is paused.")
    released = [d for d in brief.disclosure if d["state"].startswith("released")]
    if brief.disclosure:
        lines.append(f"- Disclosure: {len(released)} of {len(brief.disclosure)} parts released.")
    lines.append(f"- Open step: {brief.pace.open_step}.")
    return "\n".join(lines)


def _name(couple: Couple, partner_id: int) -> str:
    return next((p.name for p in couple.partners if p.id == partner_id), "")


def note_summary_for(reader: User, couple: Couple, now: datetime) -> str:
    """The summary a new note starts with when opened from the brief ("" when the reader
    may not read the brief)."""
    prepared = brief_for(reader, couple, now)
    return "" if prepared is None else note_summary(prepared, reader)
