"""The private safety screen and what it switches off.

A concerning answer turns the couple's joint features off (sharing a reflection with the
partner, mutual reveal; ``privacy.sharing_on`` reads the switch) until the practitioner
turns them back on. Nothing of this is ever shown to the other partner: their pages just
stop offering sharing, exactly as they do when the practitioner pauses sharing for the
couple (``pause_sharing``), so a pause never tells a partner that there was an alert.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import session
from practice.models import Couple, Partner, SafetyScreen, User, utcnow
from practice.services import alerts, audit
from practice.services.errors import PracticeError

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
    screen = SafetyScreen(
        partner_id=partner.id, couple_id=partner.couple_id, answers=answers, concerning=concerning
    )
    session.add(screen)
    now = utcnow()
    if partner.screened_at is None:
        partner.screened_at = now
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
                privacy.safety_alerts(),
            )
            .order_by(privacy.safety_alerts_order(), Couple.id)
        )
    )
