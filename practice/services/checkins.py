"""Accountability check-ins: the plan the couple agreed, check-ins, and the summary the
other partner may see. The summary never carries the check-ins' words, and counts "of the
last N" rather than a streak, so one missed day never wipes out the work of the others."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from practice import privacy
from practice.db import session
from practice.models import Checkin, CheckinPlan, Couple, Frequency, Partner, User
from practice.paging import Page, paginate
from practice.services import alerts, clock
from practice.services.errors import PracticeError
from practice.services.risk import risk_terms

MAX_TEXT = 5000
MAX_TELL_HOURS = 24 * 14
# How many periods the summary looks back over.
WINDOW = {Frequency.DAILY: 7, Frequency.WEEKLY: 4}
UNIT = {Frequency.DAILY: ("day", "days"), Frequency.WEEKLY: ("week", "weeks")}


def plan_for(couple: Couple) -> CheckinPlan | None:
    """The couple's plan, with the partner who checks in (whose calendar it follows)."""
    return session.scalar(
        select(CheckinPlan)
        .where(CheckinPlan.couple_id == couple.id)
        .options(joinedload(CheckinPlan.partner).joinedload(Partner.user))
    )


def save_plan(
    couple: Couple,
    *,
    partner_id: int,
    frequency: str,
    tell_within_hours: int | None,
    summary_for_partner: bool,
    today: date,
) -> CheckinPlan:
    """Set (or change) the couple's plan. Turning check-ins back on starts a fresh count."""
    partner = next((p for p in couple.partners if p.id == partner_id), None)
    if partner is None:
        raise PracticeError("Choose one of the two partners.", "partner")
    if frequency not in set(Frequency):
        raise PracticeError("Choose daily, weekly or off.", "frequency")
    if tell_within_hours is None or not 1 <= tell_within_hours <= MAX_TELL_HOURS:
        raise PracticeError(
            f"Use a whole number of hours from 1 to {MAX_TELL_HOURS}.", "tell_within_hours"
        )
    plan = plan_for(couple)
    if plan is None:
        plan = CheckinPlan(couple_id=couple.id, starts_on=today)
        session.add(plan)
    elif not plan.is_on or plan.partner_id != partner.id:
        plan.starts_on = today
    plan.partner_id = partner.id
    plan.frequency = frequency
    plan.tell_within_hours = tell_within_hours
    plan.summary_for_partner = summary_for_partner
    session.flush()
    return plan


def period_start(frequency: str, day: date) -> date:
    """A daily check-in's period is the day; a weekly one's, the week from Monday."""
    if frequency == Frequency.WEEKLY:
        return day - timedelta(days=day.weekday())
    return day


def period_end(frequency: str, start: date) -> date:
    return start + timedelta(days=6) if frequency == Frequency.WEEKLY else start


def _step(frequency: str) -> timedelta:
    return timedelta(days=7 if frequency == Frequency.WEEKLY else 1)


def plan_for_author(partner: Partner) -> CheckinPlan | None:
    """The plan, when this partner is the one who checks in and check-ins are on."""
    plan = session.scalar(select(CheckinPlan).where(CheckinPlan.couple_id == partner.couple_id))
    if plan is None or not plan.is_on or plan.partner_id != partner.id:
        return None
    return plan


def current_checkin(plan: CheckinPlan, today: date) -> Checkin | None:
    return session.scalar(
        select(Checkin).where(
            Checkin.partner_id == plan.partner_id,
            Checkin.period_start == period_start(plan.frequency, today),
        )
    )


@dataclass
class CheckinInput:
    urges: int | None
    triggers: str
    handled: str
    slip: bool
    slip_at: datetime | None  # timezone-aware
    told: bool
    told_at: datetime | None  # timezone-aware
    share: bool = False  # the author asks to let the other partner read it


def check(data: CheckinInput, now: datetime) -> None:
    """Refuse what cannot be right, naming the field it concerns."""
    if data.urges is None or not 0 <= data.urges <= 10:
        raise PracticeError("Choose a number from 0 (none) to 10 (very strong).", "urges")
    for name in ("triggers", "handled"):
        if len(getattr(data, name)) > MAX_TEXT:
            raise PracticeError(f"Please keep this under {MAX_TEXT:,} characters.", name)
    if not data.slip:
        return
    if data.slip_at is None:
        raise PracticeError("Say when the slip happened, as near as you can.", "slip_at")
    if data.slip_at > now:
        raise PracticeError("This time is still to come; give when it happened.", "slip_at")
    if not data.told:
        return
    if data.told_at is None:
        raise PracticeError("Say when you told your partner.", "told_at")
    if data.told_at > now:
        raise PracticeError("This time is still to come; give when you told them.", "told_at")
    if data.told_at < data.slip_at:
        raise PracticeError("This is before the slip; check both times.", "told_at")


def save_checkin(
    partner: Partner, plan: CheckinPlan, data: CheckinInput, *, today: date, now: datetime
) -> tuple[Checkin, bool]:
    """Record this period's check-in, or edit it while the period lasts. Returns
    (check-in, created)."""
    check(data, now)
    checkin = current_checkin(plan, today)
    created = checkin is None
    if created:
        checkin = Checkin(
            couple_id=partner.couple_id,
            partner_id=partner.id,
            period_start=period_start(plan.frequency, today),
            frequency=plan.frequency,
        )
        session.add(checkin)
    checkin.frequency = plan.frequency
    checkin.urges = data.urges
    checkin.triggers = data.triggers
    checkin.handled = data.handled
    checkin.slip = data.slip
    checkin.slip_at = data.slip_at if data.slip else None
    checkin.told_at = data.told_at if data.slip and data.told else None
    checkin.shared_with_partner = privacy.checkin_shares(partner.couple, data.share)
    session.flush()
    if checkin.slip:
        alerts.record(alerts.SLIP, partner.couple, checkin.id)
    if risk_terms(checkin.triggers, checkin.handled):
        alerts.record(alerts.CHECKIN_RISK_WORDS, partner.couple, checkin.id)
    return checkin, created


def history(couple: Couple, page: int = 1, per_page: int = 50) -> Page:
    """Every check-in of the couple, newest first, a page at a time."""
    return paginate(
        select(Checkin)
        .where(Checkin.couple_id == couple.id)
        .order_by(Checkin.period_start.desc(), Checkin.id.desc()),
        page,
        per_page,
        count=select(func.count(Checkin.id)).where(Checkin.couple_id == couple.id),
    )


def own_checkins(partner: Partner, limit: int = 14) -> list[Checkin]:
    """The author's own latest check-ins, newest first."""
    return list(
        session.scalars(
            select(Checkin)
            .where(Checkin.partner_id == partner.id)
            .order_by(Checkin.period_start.desc())
            .limit(limit)
        )
    )


def has_shared(partner: Partner) -> bool:
    """Whether the other partner has shared any check-in this partner may read."""
    return bool(
        session.scalar(
            select(select(Checkin.id).where(privacy.checkins_shared_with(partner)).exists())
        )
    )


def shared_checkins(partner: Partner, limit: int = 20) -> list[Checkin]:
    """Check-ins the other partner chose to let this partner read, newest first."""
    return list(
        session.scalars(
            select(Checkin)
            .where(privacy.checkins_shared_with(partner))
            .order_by(Checkin.period_start.desc())
            .limit(limit)
        )
    )


@dataclass
class Summary:
    on_time: str  # "Check-ins on time: 6 of the last 7 days"
    slips: str  # "One slip, told within 24 hours."
    done_now: bool  # this period's check-in is in


def _count(n: int, one: str, many: str) -> str:
    return f"{'One' if n == 1 else n} {one if n == 1 else many}"


# Enough days back for any summary: four weeks, the week in progress, and time zones.
RECENT_DAYS = 40


def plan_and_summary(couple: Couple, now: datetime) -> tuple[CheckinPlan | None, Summary | None]:
    """The couple's plan and its summary in one query, for pages that show both."""
    rows = session.execute(
        select(
            CheckinPlan,
            Checkin.period_start,
            Checkin.slip,
            Checkin.slip_at,
            Checkin.told_at,
            Checkin.frequency,
        )
        .outerjoin(
            Checkin,
            and_(
                Checkin.partner_id == CheckinPlan.partner_id,
                Checkin.period_start >= now.date() - timedelta(days=RECENT_DAYS),
            ),
        )
        .where(CheckinPlan.couple_id == couple.id)
        .options(joinedload(CheckinPlan.partner).joinedload(Partner.user))
    ).all()
    if not rows:
        return None, None
    plan = rows[0][0]
    recent = [row for row in rows if row.period_start is not None]
    return plan, summary(plan, clock.today_for(plan.partner.user), now, recent)


def summary(
    plan: CheckinPlan, today: date, now: datetime, recent: list | None = None
) -> Summary | None:
    """What the other partner may see: how many of the last periods had a check-in, and
    slips with whether they were told in the agreed time. A slip shows only once it was
    told or the agreed time has passed, so the partner hears it first from the person.
    One query at any size (none when given the ``recent`` rows). None when check-ins are off."""
    if not plan.is_on:
        return None
    frequency = Frequency(plan.frequency)
    step = _step(frequency)
    current = period_start(frequency, today)
    first = period_start(frequency, plan.starts_on)
    window_start = max(first, current - step * (WINDOW[frequency] - 1))
    if recent is None:
        recent = session.execute(
            select(
                Checkin.period_start,
                Checkin.slip,
                Checkin.slip_at,
                Checkin.told_at,
                Checkin.frequency,
            ).where(
                Checkin.partner_id == plan.partner_id,
                Checkin.period_start >= window_start - step,
            )
        ).all()
    rows = [
        row
        for row in recent
        if row.frequency == frequency and row.period_start >= window_start - step
    ]
    done = {row.period_start for row in rows}
    done_now = current in done
    # Until this period's check-in is in, count the periods before it: the day is not over.
    last = current if done_now else current - step
    start = max(first, last - step * (WINDOW[frequency] - 1))
    periods = []
    day = start
    while day <= last:
        periods.append(day)
        day += step
    one, many = UNIT[frequency]
    if not periods:
        on_time = "Check-ins start this " + one + "."
    else:
        n = len(periods)
        kept = sum(1 for p in periods if p in done)
        span = f"the last {n} {many}" if n == WINDOW[frequency] else _so_far(n, one, many)
        on_time = f"Check-ins on time: {kept} of {span}"
    return Summary(on_time, _slips(rows, start, plan.tell_within_hours, now), done_now)


def _so_far(n: int, one: str, many: str) -> str:
    return f"the {n} {many} so far" if n > 1 else f"1 {one} so far"


def _slips(rows, since: date, hours: int, now: datetime) -> str:
    agreed = timedelta(hours=hours)
    within = later = untold = 0
    for row in rows:
        if not row.slip or row.period_start < since or row.slip_at is None:
            continue
        if row.told_at is not None:
            if row.told_at - row.slip_at <= agreed:
                within += 1
            else:
                later += 1
        elif now - row.slip_at > agreed:
            untold += 1
    total = within + later + untold
    if not total:
        return "No slips."
    limit = f"{hours} hour{'s' if hours != 1 else ''}"
    parts = []
    if within:
        parts.append(f"{_n(within, total)}told within {limit}")
    if later:
        parts.append(f"{_n(later, total)}told later than {limit}")
    if untold:
        parts.append(f"{_n(untold, total)}not yet told")
    return f"{_count(total, 'slip', 'slips')}, " + ", ".join(parts) + "."


def _n(n: int, total: int) -> str:
    """'' when it is all of them ("One slip, told within 24 hours")."""
    return "" if n == total else f"{n} "


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CouplePanel:
    """What the couple page shows of check-ins: the plan and the summary."""

    plan: CheckinPlan | None
    summary: Summary | None


def couple_panel(couple: Couple) -> CouplePanel:
    return CouplePanel(*plan_and_summary(couple, _now()))


@dataclass
class HomePanel:
    """What a client's home page shows of check-ins: a prompt to check in, or a link to
    the summary for the other partner."""

    checks_in: bool
    plan: CheckinPlan
    done_now: bool = False
    summary: Summary | None = None
    shared: bool = False


def home_panel(partner: Partner) -> HomePanel | None:
    plan = plan_for(partner.couple)
    if plan is None or not plan.is_on:
        return None
    if plan.partner_id == partner.id:
        today = clock.today_for(partner.user)
        return HomePanel(True, plan, done_now=current_checkin(plan, today) is not None)
    summary = None
    if privacy.may_read_checkin_summary(partner.user, plan):
        summary = plan_and_summary(partner.couple, _now())[1]
    shared = has_shared(partner)
    if summary is None and not shared:
        return None
    return HomePanel(False, plan, summary=summary, shared=shared)


def summary_for(reader, plan: CheckinPlan) -> Summary | None:
    """The plan's summary, when ``reader`` may read it."""
    if not privacy.may_read_checkin_summary(reader, plan):
        return None
    return summary(plan, clock.today_for(plan.partner.user), _now())


# --- the practitioner's dashboard ----------------------------------------------------------

# How far back the dashboard looks for slips.
SLIP_DAYS = 7


@dataclass(frozen=True)
class CheckinAlert:
    """A couple whose check-ins ask for a look: slips lately, or check-ins missed."""

    couple_id: int
    couple_name: str
    partner_name: str
    frequency: str
    slips: int  # slips in the last SLIP_DAYS days
    untold: int  # of which not told within the agreed time
    missed: int  # periods without a check-in, of the last ``periods`` ended ones
    periods: int

    @property
    def missed_text(self) -> str:
        one, many = UNIT[Frequency(self.frequency)]
        return f"{self.missed} of the last {self.periods} {one if self.periods == 1 else many}"


def _ended_periods(frequency: str, today: date, starts_on: date) -> list[date]:
    """The last WINDOW periods that have ended by ``today``, since the plan began."""
    step = _step(frequency)
    first = period_start(frequency, starts_on)
    last = period_start(frequency, today) - step
    periods = [last - step * i for i in range(WINDOW[Frequency(frequency)])]
    return [p for p in periods if p >= first]


def dashboard_alerts(
    practitioner, now: datetime, limit: int = 10
) -> tuple[list[CheckinAlert], int]:
    """The practitioner's open couples with slips in the last week or missed check-ins, the
    most pressing first (slips not told in the agreed time, then slips, then missed): the
    first ``limit`` and how many in all. Two queries at any caseload size (the plans, then
    their recent check-ins: a few rows a couple); counts, never words.

    Periods follow the practitioner's calendar here, a day's difference at most from the
    partner's own (the couple's check-in page counts in the partner's)."""
    today = clock.today_for(practitioner)
    readable = and_(
        privacy.checkin_alerts_readable_by(practitioner), CheckinPlan.frequency != Frequency.OFF
    )
    plans = session.execute(
        select(
            CheckinPlan.couple_id,
            Couple.name,
            User.name,
            CheckinPlan.partner_id,
            CheckinPlan.frequency,
            CheckinPlan.starts_on,
            CheckinPlan.tell_within_hours,
        )
        .join(Couple, Couple.id == CheckinPlan.couple_id)
        .join(Partner, Partner.id == CheckinPlan.partner_id)
        .join(User, User.id == Partner.user_id)
        .where(readable)
    ).all()
    if not plans:
        return [], 0
    since = period_start(Frequency.WEEKLY, today) - timedelta(days=7 * WINDOW[Frequency.WEEKLY])
    recent = session.execute(
        select(
            Checkin.partner_id,
            Checkin.period_start,
            Checkin.frequency,
            Checkin.slip,
            Checkin.slip_at,
            Checkin.told_at,
        ).where(
            Checkin.partner_id.in_(select(CheckinPlan.partner_id).where(readable)),
            Checkin.period_start >= min(since, today - timedelta(days=SLIP_DAYS + 1)),
        )
    ).all()
    by_partner: dict[int, list] = {}
    for row in recent:
        by_partner.setdefault(row.partner_id, []).append(row)
    slip_since = now - timedelta(days=SLIP_DAYS)
    alerts = []
    for couple_id, name, partner, partner_id, frequency, starts_on, hours in plans:
        rows = by_partner.get(partner_id, [])
        done = {r.period_start for r in rows if r.frequency == frequency}
        periods = _ended_periods(frequency, today, starts_on)
        missed = sum(1 for p in periods if p not in done)
        slips = [r for r in rows if r.slip and r.slip_at is not None and r.slip_at >= slip_since]
        agreed = timedelta(hours=hours)
        late = sum(
            1
            for r in slips
            if (r.told_at is None and now - r.slip_at > agreed)
            or (r.told_at is not None and r.told_at - r.slip_at > agreed)
        )
        if slips or missed:
            alerts.append(
                CheckinAlert(
                    couple_id, name, partner, frequency, len(slips), late, missed, len(periods)
                )
            )
    alerts.sort(key=lambda a: (-a.untold, -a.slips, -a.missed, a.couple_name, a.couple_id))
    return alerts[:limit], len(alerts)
