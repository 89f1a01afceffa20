"""Measures: loading their files, scheduling them for a couple, each partner's answers and
scores, and risk answers. Who may read what is ``practice.privacy``'s (``# --- measures``)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from practice import privacy
from practice.db import session
from practice.measures import spec as specs
from practice.models import (
    Cadence,
    Couple,
    MeasureResponse,
    MeasureSchedule,
    MeasureVersion,
    Partner,
    User,
    utcnow,
)
from practice.services import alerts, audit, clock
from practice.services.errors import PracticeError

BUILT_IN = Path(__file__).resolve().parents[1] / "measures" / "relationship_check.toml"
MAX_EVERY_WEEKS = 52
# How many answers a couple's charts read at most (the newest): years of weekly answers.
CHART_LIMIT = 600


def _audit(action: str, thing, detail: str = "") -> None:
    subject = "measure_schedule" if isinstance(thing, MeasureSchedule) else "measure_response"
    audit.record(
        action, subject=subject, subject_id=thing.id, couple_id=thing.couple_id, detail=detail
    )


# --- files ------------------------------------------------------------------------------------


def read_measure_file(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise specs.MeasureFileError(str(path), [f"cannot be read: {error}"]) from None
    return specs.parse_measure(text, str(path))


def load_measure(spec: dict, source: str = "measure") -> tuple[MeasureVersion, str]:
    """Add this version of the measure; "created", or "unchanged" when it is loaded already.
    A loaded version never changes: answers keep the version they were given with, so a
    changed file needs a higher version."""
    head = spec["measure"]
    existing = session.scalar(
        select(MeasureVersion).where(
            MeasureVersion.slug == head["slug"], MeasureVersion.version == head["version"]
        )
    )
    if existing is not None:
        if existing.spec == spec:
            return existing, "unchanged"
        raise specs.MeasureFileError(
            source,
            [
                f"measure.version: version {head['version']} of '{head['slug']}' is loaded "
                "already with other content; give the changed file a higher version"
            ],
        )
    version = MeasureVersion(
        slug=head["slug"], version=head["version"], name=head["name"], spec=spec
    )
    session.add(version)
    session.flush()
    return version, "created"


def load_built_in() -> None:
    """The relationship check Practice ships (in its own words; not a validated instrument)."""
    load_measure(read_measure_file(BUILT_IN), str(BUILT_IN))


def built_in_loaded() -> bool:
    spec = read_measure_file(BUILT_IN)
    head = spec["measure"]
    return version_of(head["slug"], head["version"]) is not None


def version_of(slug: str, version: int | None = None) -> MeasureVersion | None:
    """That version of the measure, or its newest."""
    query = select(MeasureVersion).where(MeasureVersion.slug == slug)
    if version is not None:
        query = query.where(MeasureVersion.version == version)
    return session.scalar(query.order_by(MeasureVersion.version.desc()).limit(1))


def newest_versions() -> list[MeasureVersion]:
    """Each loaded measure at its newest version, by name (a practice has a handful)."""
    newest = (
        select(MeasureVersion.slug, func.max(MeasureVersion.version).label("version"))
        .group_by(MeasureVersion.slug)
        .subquery()
    )
    return list(
        session.scalars(
            select(MeasureVersion)
            .join(
                newest,
                (MeasureVersion.slug == newest.c.slug)
                & (MeasureVersion.version == newest.c.version),
            )
            .order_by(MeasureVersion.name, MeasureVersion.slug)
        )
    )


def is_validated(spec: dict) -> bool:
    return bool(spec["measure"]["validated"])


# --- schedules --------------------------------------------------------------------------------


CADENCE_WORDS = {
    Cadence.START: "once, now, as a starting point",
    Cadence.EVERY_WEEKS: "every few weeks",
    Cadence.STEP_CHANGE: "now and at each step change",
    Cadence.ONCE: "once, from a chosen day",
}


def cadence_words(schedule: MeasureSchedule) -> str:
    if schedule.cadence == Cadence.EVERY_WEEKS:
        n = schedule.every_weeks
        return "every week" if n == 1 else f"every {n} weeks"
    if schedule.cadence == Cadence.ONCE:
        return f"once, from {clock.format_date(schedule.from_day)}"
    return CADENCE_WORDS[Cadence(schedule.cadence)]


def schedule_measure(
    couple: Couple,
    by: User,
    *,
    slug: str,
    cadence: str,
    every_weeks: int | None,
    from_day: date | None,
    scores_shared: bool,
    today: date,
) -> MeasureSchedule:
    if version_of(slug) is None:
        raise PracticeError("Choose one of the loaded measures.", "measure")
    if cadence not in set(Cadence):
        raise PracticeError("Choose when the partners answer.", "cadence")
    if cadence == Cadence.EVERY_WEEKS:
        if every_weeks is None or not 1 <= every_weeks <= MAX_EVERY_WEEKS:
            raise PracticeError(
                f"Use a whole number of weeks from 1 to {MAX_EVERY_WEEKS}.", "every_weeks"
            )
    else:
        every_weeks = None
    if cadence == Cadence.ONCE:
        if from_day is None:
            raise PracticeError("Give the day they can answer from.", "from_day")
        if from_day < today:
            raise PracticeError("This day has passed; give today or a later day.", "from_day")
    else:
        from_day = today
    schedule = MeasureSchedule(
        couple_id=couple.id,
        measure_slug=slug,
        cadence=cadence,
        every_weeks=every_weeks,
        from_day=from_day,
        scores_shared=scores_shared,
        created_by_id=by.id,
    )
    session.add(schedule)
    session.flush()
    _audit("measure.scheduled", schedule, detail=f"{slug}, {cadence}")
    return schedule


def stop_schedule(schedule: MeasureSchedule) -> None:
    if schedule.stopped_at is None:
        schedule.stopped_at = utcnow()
        session.flush()
        _audit("measure.stopped", schedule)


def schedules_of(couple: Couple) -> list[MeasureSchedule]:
    """The couple's running schedules, oldest first."""
    return list(
        session.scalars(
            select(MeasureSchedule)
            .where(MeasureSchedule.couple_id == couple.id, MeasureSchedule.stopped_at.is_(None))
            .order_by(MeasureSchedule.id)
        )
    )


def schedule_for_practitioner(couple: Couple, schedule_id: int) -> MeasureSchedule | None:
    return session.scalar(
        select(MeasureSchedule).where(
            MeasureSchedule.id == schedule_id, MeasureSchedule.couple_id == couple.id
        )
    )


def schedule_for_client(user: User, schedule_id: int) -> MeasureSchedule | None:
    schedule = session.get(MeasureSchedule, schedule_id)
    if schedule is None or not privacy.may_answer_measure(user, schedule):
        return None
    return schedule


# --- what is due ------------------------------------------------------------------------------


@dataclass
class Last:
    answered_on: date  # in the partner's calendar
    step: int


def _last_answers(partner: Partner, schedules: list[MeasureSchedule]) -> dict[int, Last]:
    """The partner's latest answer to each schedule: one query."""
    if not schedules:
        return {}
    latest = (
        select(func.max(MeasureResponse.id))
        .where(
            MeasureResponse.partner_id == partner.id,
            MeasureResponse.schedule_id.in_([s.id for s in schedules]),
        )
        .group_by(MeasureResponse.schedule_id)
    )
    rows = session.execute(
        select(
            MeasureResponse.schedule_id, MeasureResponse.answered_at, MeasureResponse.step
        ).where(MeasureResponse.id.in_(latest))
    ).all()
    return {
        row.schedule_id: Last(clock.local(row.answered_at, partner.user).date(), row.step)
        for row in rows
    }


def is_due(schedule: MeasureSchedule, last: Last | None, today: date, step: int) -> bool:
    """Whether the partner has something to answer on this schedule today."""
    if not schedule.is_active or today < schedule.from_day:
        return False
    if schedule.cadence in (Cadence.START, Cadence.ONCE):
        return last is None
    if schedule.cadence == Cadence.STEP_CHANGE:
        return last is None or last.step != step
    period = timedelta(weeks=schedule.every_weeks or 1)
    start = schedule.from_day + period * ((today - schedule.from_day) // period)
    return last is None or last.answered_on < start


def due_for(partner: Partner, schedules: list[MeasureSchedule] | None = None) -> list:
    """What this partner has to answer now; two queries at any size (one when given the
    couple's running schedules)."""
    schedules = schedules_of(partner.couple) if schedules is None else schedules
    last = _last_answers(partner, schedules)
    today = clock.today_for(partner.user)
    step = partner.couple.current_step
    return [s for s in schedules if is_due(s, last.get(s.id), today, step)]


@dataclass
class HomePanel:
    """What a partner's home page shows: questionnaires to answer, or a way to their scores."""

    due: list[MeasureSchedule]


def home_panel(partner: Partner) -> HomePanel | None:
    """None when nothing is scheduled for the couple (one query)."""
    schedules = schedules_of(partner.couple)
    if not schedules:
        return None
    return HomePanel(due_for(partner, schedules))


def due_now(partner: Partner, schedule: MeasureSchedule) -> bool:
    last = _last_answers(partner, [schedule]).get(schedule.id)
    return is_due(schedule, last, clock.today_for(partner.user), partner.couple.current_step)


# --- answering --------------------------------------------------------------------------------


def answer(partner: Partner, schedule: MeasureSchedule, answers: dict) -> MeasureResponse:
    """Keep the partner's answers with the version they answered and its scores; a risk
    item above its threshold is flagged for the practitioner at once."""
    version = version_of(schedule.measure_slug)
    spec = version.spec
    missing = specs.check_answers(spec, answers)
    if missing is not None:
        raise PracticeError("Please choose one answer here.", missing)
    kept = {item["key"]: answers[item["key"]] for item in spec["items"]}
    risky = specs.risk_items(spec, kept)
    response = MeasureResponse(
        schedule_id=schedule.id,
        couple_id=schedule.couple_id,
        partner_id=partner.id,
        measure_id=version.id,
        step=partner.couple.current_step,
        answers=kept,
        scores=specs.scores(spec, kept),
        risk=bool(risky),
        risk_items=risky,
    )
    session.add(response)
    session.flush()
    _audit("measure.answered", response)
    if risky:
        # The event alerts read (risk_answers_since); the words stay out of the trail. The
        # practitioner hears of it the same day (practice.services.alerts), in neutral words.
        _audit("measure.risk_answer", response)
        alerts.record(alerts.RISK_ANSWER, partner.couple, response.id)
    return response


def risk_answered(response: MeasureResponse) -> bool:
    """Whether a risk item was answered above its threshold (for crisis resources and
    alerts: say nothing clinical with it)."""
    return response.risk


def risk_answers_since(moment: datetime, limit: int = 500) -> list[MeasureResponse]:
    """Risk answers given after ``moment``, oldest first, across the practice: for the
    alerts run, which keeps its own record of what it has sent."""
    return list(
        session.scalars(
            select(MeasureResponse)
            .where(MeasureResponse.risk.is_(True), MeasureResponse.answered_at > moment)
            .order_by(MeasureResponse.answered_at, MeasureResponse.id)
            .limit(limit)
        )
    )


# What pages show of an answer beside it: who gave it, and which measure.
_SHOWN = (
    joinedload(MeasureResponse.measure),
    joinedload(MeasureResponse.partner).joinedload(Partner.user),
)


def unseen_risk_answers(couple: Couple, limit: int = 20) -> list[MeasureResponse]:
    """Risk answers of the couple the practitioner has not marked as read."""
    return list(
        session.scalars(
            select(MeasureResponse)
            .where(
                MeasureResponse.couple_id == couple.id,
                MeasureResponse.risk.is_(True),
                MeasureResponse.risk_seen_at.is_(None),
            )
            .order_by(MeasureResponse.answered_at)
            .limit(limit)
            .options(*_SHOWN)
        )
    )


def response_of(couple: Couple, response_id: int) -> MeasureResponse | None:
    return session.scalar(
        select(MeasureResponse).where(
            MeasureResponse.id == response_id, MeasureResponse.couple_id == couple.id
        )
    )


def mark_risk_seen(response: MeasureResponse) -> None:
    if response.risk and response.risk_seen_at is None:
        response.risk_seen_at = utcnow()
        session.flush()
        _audit("measure.risk_seen", response)


def answer_rows(response: MeasureResponse) -> list[tuple[str, str, bool]]:
    """(item text, the option chosen, a risk item above its threshold) for reading back."""
    spec = response.measure.spec
    risky = set(response.risk_items)
    rows = []
    for item in spec["items"]:
        value = response.answers.get(item["key"])
        label = next(
            (o["label"] for o in specs.options_of(spec, item) if o["value"] == value), str(value)
        )
        rows.append((item["text"], label, item["key"] in risky))
    return rows


def recent_responses(reader: User, couple: Couple, limit: int = 20) -> list[MeasureResponse]:
    """The couple's latest answers that ``reader`` may read item by item, newest first."""
    found = list(
        session.scalars(
            select(MeasureResponse)
            .where(MeasureResponse.couple_id == couple.id)
            .order_by(MeasureResponse.answered_at.desc(), MeasureResponse.id.desc())
            .limit(limit)
            .options(*_SHOWN)
        )
    )
    return [r for r in found if privacy.may_read_measure_answers(reader, r)]


# --- scores over time -------------------------------------------------------------------------


@dataclass
class ScaleSeries:
    """One scale of one measure, each partner's scores over time (as charts want them)."""

    key: str
    label: str
    measure: str
    validated: bool
    scale: dict  # the newest version's scale: range, cutoff, reliable change
    points: dict[int, list[tuple[datetime, float]]] = field(default_factory=dict)
    changes: dict[int, specs.Change] = field(default_factory=dict)


def scores_over_time(reader: User, couple: Couple) -> list[ScaleSeries]:
    """Every scale's scores per partner that ``reader`` may read, oldest first: one chart per
    scale. Two queries at any size (the answers, then the measures' versions)."""
    rows = session.execute(
        select(
            MeasureResponse.answered_at,
            MeasureResponse.partner_id,
            MeasureResponse.scores,
            MeasureResponse.measure_id,
        )
        .where(MeasureResponse.couple_id == couple.id, privacy.measure_scores_readable_by(reader))
        .order_by(MeasureResponse.answered_at.desc(), MeasureResponse.id.desc())
        .limit(CHART_LIMIT)
    ).all()
    if not rows:
        return []
    versions = {
        v.id: v
        for v in session.scalars(
            select(MeasureVersion).where(
                MeasureVersion.slug.in_(
                    select(MeasureVersion.slug).where(
                        MeasureVersion.id.in_({row.measure_id for row in rows})
                    )
                )
            )
        )
    }
    newest: dict[str, MeasureVersion] = {}
    for version in versions.values():
        if version.slug not in newest or version.version > newest[version.slug].version:
            newest[version.slug] = version
    series: dict[tuple, ScaleSeries] = {}
    for version in sorted(newest.values(), key=lambda v: v.name):
        for scale in version.spec["scales"]:
            series[(version.slug, scale["key"])] = ScaleSeries(
                scale["key"], scale["label"], version.name, is_validated(version.spec), scale
            )
    for row in reversed(rows):
        slug = versions[row.measure_id].slug
        for key, score in row.scores.items():
            entry = series.get((slug, key))
            if entry is not None:
                entry.points.setdefault(row.partner_id, []).append((row.answered_at, score))
    out = [s for s in series.values() if s.points]
    for entry in out:
        for partner_id, points in entry.points.items():
            moved = specs.change(entry.scale, points[0][1], points[-1][1])
            if moved is not None and len(points) > 1:
                entry.changes[partner_id] = moved
    return out


# --- what pages show --------------------------------------------------------------------------


@dataclass
class CouplePanel:
    schedules: list[MeasureSchedule]
    series: list[ScaleSeries]
    risks: list[MeasureResponse]
    measures: dict[str, MeasureVersion]


def couple_panel(reader: User, couple: Couple) -> CouplePanel:
    """Three queries when nothing is scheduled or answered; seven at most at any size."""
    schedules = schedules_of(couple)
    measures = {v.slug: v for v in newest_versions()} if schedules else {}
    risks = [r for r in unseen_risk_answers(couple) if privacy.may_see_measure_risk(reader, r)]
    return CouplePanel(schedules, scores_over_time(reader, couple), risks, measures)
