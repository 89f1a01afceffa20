"""The private safety screen and what it switches off.

A concerning answer turns the couple's joint features off (sharing a reflection with the
partner, mutual reveal; ``privacy.sharing_on`` reads the switch) until the practitioner
turns them back on. Nothing of this is ever shown to the other partner: their pages just
stop offering sharing, exactly as they do when the practitioner pauses sharing for the
couple (``pause_sharing``), so a pause never tells a partner that there was an alert.
"""

import re
from dataclasses import dataclass
from datetime import UTC, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import session
from practice.models import (
    AfterReading,
    Couple,
    CrisisLine,
    DisclosurePart,
    Partner,
    SafetyScreen,
    User,
    utcnow,
)
from practice.services import alerts, audit
from practice.services.errors import PracticeError
from practice.services.risk import risk_terms

REASON_LENGTH = 1000


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    concerning_answer: bool  # the answer that asks for the practitioner's care


QUESTIONS = [
    Question("afraid", "Are there times you feel afraid of your partner?", True),
    Question(
        "hurt",
        "In the past year, has your partner hurt you, pushed you, or threatened to harm you?",
        True,
    ),
    Question(
        "controlled",
        "Does your partner check your phone or messages, control your money, or decide where "
        "you may go and whom you may see?",
        True,
    ),
    Question(
        "safe_together",
        "Do you feel safe doing this work together, including writing honestly here?",
        False,
    ),
]


def screen_due(partner: Partner | None) -> bool:
    return partner is not None and partner.screened_at is None


def take_screen(partner: Partner, answers: dict[str, bool]) -> SafetyScreen:
    """Keep the partner's answers; a concerning one turns joint features off for the couple."""
    missing = [q.key for q in QUESTIONS if answers.get(q.key) not in (True, False)]
    if missing:
        raise PracticeError("Choose yes or no.", missing[0])
    answers = {q.key: answers[q.key] for q in QUESTIONS}
    concerning = any(answers[q.key] == q.concerning_answer for q in QUESTIONS)
    now = utcnow()
    screen = SafetyScreen(
        partner_id=partner.id,
        couple_id=partner.couple_id,
        answers=answers,
        concerning=concerning,
        taken_at=now,
    )
    session.add(screen)
    partner.screened_at = now  # the last time: the questions are offered again from it
    couple = partner.couple
    if concerning and privacy.safety_alert_since(couple) is None:
        couple.joint_features_off_since = now
    session.flush()
    if concerning:
        alerts.record(alerts.SAFETY_SCREEN, couple, screen.id)
    audit.record(
        "safety.screen_taken", subject="partner", subject_id=partner.id, couple_id=couple.id
    )
    return screen


def turn_joint_features_on(couple: Couple, by: User, reason: str) -> None:
    """The practitioner has read the answers and decided sharing may resume."""
    reason = (reason or "").strip()
    if not reason:
        raise PracticeError("Say in a few words why sharing can resume.", "reason")
    if len(reason) > REASON_LENGTH:
        raise PracticeError(f"Keep it to {REASON_LENGTH:,} characters.", "reason")
    if privacy.safety_alert_since(couple) is None:
        raise PracticeError("Joint features are already on for this couple.")
    now = utcnow()
    for screen in session.scalars(
        select(SafetyScreen).where(
            SafetyScreen.couple_id == couple.id,
            SafetyScreen.concerning.is_(True),
            SafetyScreen.resolved_at.is_(None),
        )
    ):
        screen.resolved_at, screen.resolved_by_id, screen.resolution = now, by.id, reason
    couple.joint_features_off_since = None
    session.flush()
    # The reason is clinical: it stays, encrypted, with the screens it resolves; the audit
    # log says only that sharing resumed.
    audit.record(
        "safety.joint_features_on",
        user=by,
        subject="couple",
        subject_id=couple.id,
        couple_id=couple.id,
    )


def pause_sharing(couple: Couple, by: User) -> None:
    """The practitioner pauses sharing between the partners, for whatever reason of theirs;
    the partners' pages read as after a safety answer, so neither can tell which it was."""
    if privacy.paused_by_practitioner_since(couple) is not None:
        raise PracticeError("Sharing is already paused for this couple.")
    couple.sharing_paused_at = utcnow()
    session.flush()
    audit.record("sharing.paused", user=by, subject="couple", subject_id=couple.id)


def resume_sharing(couple: Couple, by: User) -> None:
    """End the practitioner's pause; sharing comes back unless a safety answer still holds
    it off (the practitioner turns that on again on the safety page, with a reason)."""
    if privacy.paused_by_practitioner_since(couple) is None:
        raise PracticeError("Sharing is not paused for this couple.")
    couple.sharing_paused_at = None
    session.flush()
    audit.record("sharing.resumed", user=by, subject="couple", subject_id=couple.id)


def screens_of(couple: Couple) -> list[SafetyScreen]:
    """Every screen of the couple, newest first: for the practitioner only."""
    return list(
        session.scalars(
            select(SafetyScreen)
            .where(SafetyScreen.couple_id == couple.id)
            .options(selectinload(SafetyScreen.resolved_by))
            .order_by(SafetyScreen.taken_at.desc(), SafetyScreen.id.desc())
        )
    )


def alerts_for(practitioner: User) -> list[Couple]:
    """The practitioner's couples whose joint features a safety answer turned off."""
    return list(
        session.scalars(
            select(Couple)
            .where(
                Couple.practitioner_id == practitioner.id,
                Couple.archived_at.is_(None),
                privacy.safety_alerts(),
            )
            .order_by(privacy.safety_alerts_order(), Couple.id)
        )
    )


# --- crisis resources: where a client can turn straight away --------------------------------

CRISIS_LINES_MAX = 12
CRISIS_TEXT_LENGTH = 5000
_LIMITS = {"country": 80, "name": 120, "phone": 40, "text": 80, "web": 300, "hours": 80}
_PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]*$")


@dataclass(frozen=True)
class CrisisLineData:
    name: str
    phone: str = ""  # as written, "116 123"
    text: str = ""  # how to text them, "Text SHOUT to 85258"
    web: str = ""  # an http(s) address
    hours: str = ""  # "Day and night", "Weekdays 9-5"

    @property
    def tel(self) -> str:
        """The number for a tel: link (digits and a leading +)."""
        return re.sub(r"[^0-9+]", "", self.phone)


EMERGENCY = "If you or someone else is in danger right now, call your local emergency number."
NOT_WATCHED = (
    "Nobody watches messages here around the clock. Your practitioner reads what you write, "
    "but not straight away, so please don't wait for a reply if you need someone now."
)


@dataclass(frozen=True)
class CrisisResources:
    """The practice's list, as plain data: for the Help now page, the pages after a worrying
    answer, and the client's handout PDF (``emergency`` and ``not_watched`` are the words
    that go with it wherever it is shown)."""

    country: str
    lines: tuple[CrisisLineData, ...]
    emergency: str = EMERGENCY
    not_watched: str = NOT_WATCHED


def crisis_resources() -> CrisisResources:
    """What the practice's owner listed (one small query; the list is short)."""
    rows = session.scalars(select(CrisisLine).order_by(CrisisLine.position, CrisisLine.id)).all()
    return CrisisResources(
        country=rows[0].country if rows else "",
        lines=tuple(CrisisLineData(r.name, r.phone, r.text, r.web, r.hours) for r in rows),
    )


def crisis_lines_as_text(resources: CrisisResources) -> str:
    """The list in the owner's form: one line each, "name | phone | text | web | hours"."""
    return "\n".join(
        " | ".join([line.name, line.phone, line.text, line.web, line.hours]).rstrip(" |")
        for line in resources.lines
    )


def read_crisis_lines(text: str) -> list[CrisisLineData]:
    """Parse the owner's lines; a PracticeError names every line that is wrong."""
    if len(text or "") > CRISIS_TEXT_LENGTH:
        raise PracticeError(f"Keep it to {CRISIS_TEXT_LENGTH:,} characters.", "lines")
    lines, problems = [], []
    for number, raw in enumerate((text or "").splitlines(), 1):
        if not raw.strip():
            continue
        cells = [c.strip() for c in raw.split("|")]
        if len(cells) > 5:
            problems.append(f"Line {number}: at most five parts, separated by |.")
            continue
        cells += [""] * (5 - len(cells))
        line = CrisisLineData(*cells)
        wrong = _line_problem(line)
        if wrong:
            problems.append(f"Line {number}: {wrong}")
        else:
            lines.append(line)
    if len(lines) > CRISIS_LINES_MAX:
        problems.append(f"Keep it to {CRISIS_LINES_MAX} lines.")
    if problems:
        raise PracticeError(" ".join(problems), "lines")
    return lines


def _line_problem(line: CrisisLineData) -> str | None:
    if not line.name:
        return "start with a name."
    if not (line.phone or line.text or line.web):
        return "give a phone number, a way to text, or a web address."
    for key in ("name", "phone", "text", "web", "hours"):
        if len(getattr(line, key)) > _LIMITS[key]:
            return f"the {key} is longer than {_LIMITS[key]} characters."
    if line.phone and not _PHONE.match(line.phone):
        return f"{line.phone!r} is not a phone number (digits, spaces and a leading +)."
    if line.web and not re.match(r"^https?://[^\s/]+\.[^\s]+$", line.web):
        return f"{line.web!r} is not a web address; start it with https://."
    return None


def set_crisis_resources(country: str, text: str, by: User) -> CrisisResources:
    """Replace the practice's list. Nothing changes unless every line reads."""
    country = (country or "").strip()
    if len(country) > _LIMITS["country"]:
        raise PracticeError(f"Keep it to {_LIMITS['country']} characters.", "country")
    lines = read_crisis_lines(text)
    if lines and not country:
        raise PracticeError("Say which country these numbers are for.", "country")
    session.execute(delete(CrisisLine))
    for position, line in enumerate(lines):
        session.add(
            CrisisLine(
                position=position,
                country=country,
                name=line.name,
                phone=line.phone,
                text=line.text,
                web=line.web,
                hours=line.hours,
            )
        )
    session.flush()
    audit.record("safety.crisis_resources_saved", user=by, detail=f"{len(lines)} lines")
    return CrisisResources(country, tuple(lines))


# --- the screen again, every few weeks -----------------------------------------------------


def screen_offered(partner: Partner, now=None) -> bool:
    """Whether to offer the safety questions again: the practice's PRACTICE_SAFETY_SCREEN_WEEKS
    have passed since the partner last answered them (0: never offer)."""
    weeks = current_app.config["PRACTICE_SAFETY_SCREEN_WEEKS"]
    if not weeks or partner.screened_at is None:
        return False
    last = partner.screened_at
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return (now or utcnow()) - last >= timedelta(weeks=weeks)


# --- reading the other partner's disclosure part: prepared first, asked after -------------

AFTER_NOTE_LENGTH = 2000
FEELINGS = {"okay": "okay", "unsettled": "shaken, managing", "struggling": "struggling"}


def reading_of(partner: Partner, part: DisclosurePart) -> AfterReading | None:
    return session.scalar(
        select(AfterReading).where(
            AfterReading.part_id == part.id, AfterReading.partner_id == partner.id
        )
    )


def prepared(partner: Partner, part: DisclosurePart) -> AfterReading:
    """The partner has read what to expect and chose to go on; once is enough per part."""
    reading = reading_of(partner, part)
    if reading is None:
        reading = AfterReading(part_id=part.id, partner_id=partner.id, couple_id=partner.couple_id)
        try:
            with session.begin_nested():  # two tabs at once: the unique key lets one win
                session.add(reading)
                session.flush()
        except IntegrityError:
            reading = reading_of(partner, part)
    return reading


def answer_after_reading(
    partner: Partner, part: DisclosurePart, feeling: str | None, note: str
) -> AfterReading:
    """How the partner is after reading, for the practitioner; answered again, it is updated."""
    if feeling not in FEELINGS:
        raise PracticeError("Choose the answer closest to how you feel.", "feeling")
    note = (note or "").strip()
    if len(note) > AFTER_NOTE_LENGTH:
        raise PracticeError(f"Keep it to {AFTER_NOTE_LENGTH:,} characters.", "note")
    reading = prepared(partner, part)
    reading.feeling, reading.note, reading.answered_at = feeling, note, utcnow()
    session.flush()
    audit.record(
        "disclosure.after_reading",
        user=partner.user,
        subject="disclosure_part",
        subject_id=part.id,
        couple_id=partner.couple_id,
    )
    return reading


def readings_of(couple: Couple, reader: User) -> dict[int, list[AfterReading]]:
    """The couple's after-reading answers by part that the reader may see (on the
    practitioner's disclosure page: all of them)."""
    out: dict[int, list[AfterReading]] = {}
    for reading in session.scalars(
        select(AfterReading)
        .where(AfterReading.couple_id == couple.id, privacy.after_readings_readable_by(reader))
        .options(selectinload(AfterReading.partner))
        .order_by(AfterReading.id)
    ):
        out.setdefault(reading.part_id, []).append(reading)
    return out


def needs_help_now(*texts: str) -> bool:
    """Whether what a client just sent may mean they are at risk, so that the page after it
    shows where to turn straight away (the same words that put a reflection first in the
    practitioner's queue)."""
    return bool(risk_terms(*texts))


HELP_AFTER = (
    "If things are hard right now, you don't have to wait for your practitioner: "
    "here is where to turn today."
)
