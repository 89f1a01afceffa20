"""Structured disclosure: five parts in the order therapists use, each written by one
partner, read by the practitioner, and released before the next part opens.

What the other partner may read is decided in ``practice.privacy`` (``may_read_part``): a
part's text reaches them only once it is released for reading in the app, while joint
features are on.
"""

from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import claim, session
from practice.models import Couple, Disclosure, DisclosurePart, Partner, User, Visibility, utcnow
from practice.services import alerts, audit
from practice.services.errors import PracticeError
from practice.services.risk import risk_terms

RECOVERING = "recovering"
HURT = "hurt"


@dataclass(frozen=True)
class PartSpec:
    position: int
    kind: str
    title: str
    writer: str  # RECOVERING or HURT
    guidance: str


PARTS = (
    PartSpec(
        1,
        "disclosure",
        "Disclosure",
        RECOVERING,
        "Write down what happened, plainly and completely: what you did, roughly when, and "
        "for how long. Keep to the facts; reasons and feelings have their place later. Leave "
        "out graphic detail that would only add pictures to the pain. Your practitioner reads "
        "this first and decides with you how your partner will receive it.",
    ),
    PartSpec(
        2,
        "questions",
        "Questions",
        HURT,
        "Write the questions you need answered to make sense of what you learned. Ask what "
        "matters to you; you do not have to ask everything now. Your practitioner reads them "
        "first and may talk with you about any answer that could hurt more than it helps.",
    ),
    PartSpec(
        3,
        "answers",
        "Answers",
        RECOVERING,
        "Answer each of your partner's questions honestly and directly. If you do not know or "
        "do not remember, say so. Answer what was asked, without defending or explaining "
        "yourself.",
    ),
    PartSpec(
        4,
        "impact",
        "Impact letter",
        HURT,
        "Tell your partner how this has affected you: your trust, your sense of yourself, your "
        "days and nights, your body, your plans. There is no right length and no wrong "
        "feeling. Write it for yourself as much as for them.",
    ),
    PartSpec(
        5,
        "amends",
        "Amends letter",
        RECOVERING,
        "Having heard the impact, write to your partner: what you understand about the harm, "
        "what you take responsibility for without excuses, and what you are doing, and will "
        "keep doing, to rebuild trust. Promise only what you can keep.",
    ),
)
SPECS = {spec.position: spec for spec in PARTS}

IN_SESSION = "You will hear this together in session"


class State(StrEnum):
    LOCKED = "locked"
    OPEN = "open"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RELEASED_APP = "released in the app"
    RELEASED_SESSION = "released for session"


def spec(part: DisclosurePart) -> PartSpec:
    return SPECS[part.position]


def state(part: DisclosurePart, previous: DisclosurePart | None) -> State:
    release = privacy.release_of(part)
    if release.released:
        return State.RELEASED_APP if release.in_app else State.RELEASED_SESSION
    if part.is_submitted:
        return State.SUBMITTED
    if previous is not None and not privacy.release_of(previous).released:
        return State.LOCKED
    return State.DRAFT if part.saved_at is not None else State.OPEN


def states(disclosure: Disclosure) -> list[tuple[DisclosurePart, State]]:
    out, previous = [], None
    for part in disclosure.parts:
        out.append((part, state(part, previous)))
        previous = part
    return out


def _writers(couple: Couple) -> dict[str, Partner]:
    """The partner in recovery and the hurt partner. The founding program names the roles
    "recovering" and "hurt"; another program's first and last roles stand in for them."""
    keys = [r["key"] for r in couple.program.roles]
    by_role = {p.program_role: p for p in couple.partners}
    if RECOVERING in by_role and HURT in by_role:
        return {RECOVERING: by_role[RECOVERING], HURT: by_role[HURT]}
    if len(keys) >= 2 and keys[0] in by_role and keys[-1] in by_role and len(by_role) == 2:
        return {RECOVERING: by_role[keys[0]], HURT: by_role[keys[-1]]}
    raise PracticeError(
        "A disclosure needs one partner in recovery and one hurt partner; check the "
        "partners' roles first."
    )


def for_couple(couple_id: int) -> Disclosure | None:
    """The couple's disclosure with its parts and their authors, in two queries."""
    return session.scalar(
        select(Disclosure)
        .where(Disclosure.couple_id == couple_id)
        .options(selectinload(Disclosure.parts))
    )


def start(couple: Couple, practitioner: User) -> Disclosure:
    """Start the sequence: part 1 opens for the partner in recovery."""
    if for_couple(couple.id) is not None:
        raise PracticeError("A disclosure is already under way for this couple.")
    writers = _writers(couple)
    disclosure = Disclosure(couple=couple, started_by=practitioner)
    for item in PARTS:
        disclosure.parts.append(
            DisclosurePart(position=item.position, kind=item.kind, author=writers[item.writer])
        )
    try:
        # Two clicks at once: the unique couple key lets one win.
        with session.begin_nested():
            session.add(disclosure)
            session.flush()
    except IntegrityError:
        raise PracticeError("A disclosure is already under way for this couple.") from None
    audit.record(
        "disclosure.started",
        user=practitioner,
        subject="disclosure",
        subject_id=disclosure.id,
        couple_id=couple.id,
    )
    return disclosure


def _limit() -> int:
    return current_app.config["PRACTICE_MAX_ANSWER_CHARS"]


def _check_length(text: str, field: str) -> None:
    limit = _limit()
    if len(text) > limit:
        raise PracticeError(
            f"This is {len(text):,} characters; the limit is {limit:,}. Shorten it a little.",
            field,
        )


def save(partner: Partner, part: DisclosurePart, text: str, *, submit: bool) -> str:
    """Save a draft or submit. Returns "saved", "submitted", or "already-submitted" when it
    was submitted before (a double submit or a second tab): the first submission stands."""
    if part.author_id != partner.id:
        raise PracticeError("This part is for your partner to write.")
    if part.is_submitted:
        return "already-submitted"
    _check_length(text, "text")
    if submit and not text.strip():
        raise PracticeError(f"Write your {spec(part).title.lower()} before submitting it.", "text")
    # Of two submits at once the first stands and the second is told so.
    if not claim(part, DisclosurePart.submitted_at.is_(None)):
        return "already-submitted"
    part.text = text
    part.saved_at = utcnow()
    if submit:
        part.submitted_at = part.saved_at
        audit.record(
            "disclosure.submitted",
            user=partner.user,
            subject="disclosure_part",
            subject_id=part.id,
            couple_id=partner.couple_id,
            detail=spec(part).kind,
        )
    session.flush()
    if submit and risk_terms(text):
        alerts.record(alerts.DISCLOSURE_RISK_WORDS, partner.couple, part.id)
    return "submitted" if submit else "saved"


def comment(part: DisclosurePart, text: str) -> None:
    """The practitioner's private note on a part."""
    _check_length(text, "comment")
    part.comment = text
    session.flush()


def release(part: DisclosurePart, practitioner: User, visibility: str, couple: Couple) -> None:
    """Release a submitted part: the next part opens, and the other partner reads this one
    in the app, or hears it in session and never reads it here."""
    if not part.is_submitted:
        raise PracticeError("This part is not submitted yet.")
    if privacy.release_of(part).released:
        raise PracticeError("This part is already released.")
    if visibility not in (Visibility.APP, Visibility.SESSION):
        raise PracticeError("Choose how their partner receives it.", "visibility")
    if visibility == Visibility.APP and not privacy.sharing_on(couple):
        raise PracticeError(
            "Sharing between the partners is paused for this couple; release it for session.",
            "visibility",
        )
    part.visibility = visibility
    part.released_at = utcnow()
    part.released_by_id = practitioner.id
    session.flush()
    audit.record(
        "disclosure.released",
        user=practitioner,
        subject="disclosure_part",
        subject_id=part.id,
        couple_id=couple.id,
        detail=f"{spec(part).kind}: {visibility}",
    )


@dataclass
class ClientPart:
    """One part as a partner sees it: never the other partner's text unless it is theirs
    to read."""

    position: int
    title: str
    writer: Partner
    mine: bool
    state: State
    readable: bool  # this partner may open it
    note: str  # what they are told about it


def client_view(partner: Partner, disclosure: Disclosure, couple: Couple) -> list[ClientPart]:
    out = []
    for part, current in states(disclosure):
        mine = part.author_id == partner.id
        title = spec(part).title
        if mine:
            readable = current != State.LOCKED
            note = {
                State.LOCKED: "Opens later, when your practitioner is ready.",
                State.OPEN: "Your turn to write.",
                State.DRAFT: "Your turn: draft saved.",
                State.SUBMITTED: "Waiting for your practitioner.",
                State.RELEASED_APP: "Released: your partner can read it here.",
                State.RELEASED_SESSION: "Released: your partner will hear it in session.",
            }[current]
        elif privacy.may_read_part(partner.user, part):
            readable, note = True, "Ready to read."
        elif current == State.RELEASED_SESSION:
            readable, note = True, IN_SESSION + "."
        elif current == State.RELEASED_APP:
            readable, note = True, "Your practitioner will go through this with you in session."
        else:
            # Nothing about drafts or submissions: only that it is not theirs to read yet.
            readable, note = False, "Not ready to read yet."
        out.append(ClientPart(part.position, title, part.author, mine, current, readable, note))
    return out


def client_part(partner: Partner, disclosure: Disclosure, position: int):
    """(part, may write, may read the text) for a part this partner may open; else None."""
    for part, current in states(disclosure):
        if part.position != position:
            continue
        if part.author_id == partner.id:
            if current == State.LOCKED:
                return None
            return part, not part.is_submitted, True
        if current in (State.RELEASED_APP, State.RELEASED_SESSION):
            return part, False, privacy.may_read_part(partner.user, part)
        return None
    return None


def status_lines(disclosure: Disclosure | None) -> list[dict]:
    """Where each part stands, with dates and without any text: for the session PDF."""
    if disclosure is None:
        return []
    lines = []
    for part, current in states(disclosure):
        when = privacy.release_of(part).at or part.submitted_at
        lines.append(
            {
                "position": part.position,
                "title": spec(part).title,
                "author": part.author.name,
                "state": current.value,
                "when": when.isoformat() if when else None,
            }
        )
    return lines


def next_for(partner: Partner) -> str | None:
    """One line for the partner's home page: what the disclosure asks of them now; None
    when the couple has no disclosure."""
    disclosure = for_couple(partner.couple_id)
    if disclosure is None:
        return None
    parts = client_view(partner, disclosure, partner.couple)
    mine_now = next((p for p in parts if p.mine and p.state in (State.OPEN, State.DRAFT)), None)
    if mine_now is not None:
        return f"Your turn to write: {mine_now.title.lower()}."
    if any(p.mine and p.state == State.SUBMITTED for p in parts):
        return "Waiting for your practitioner."
    if all(p.state in (State.RELEASED_APP, State.RELEASED_SESSION) for p in parts):
        return "All five parts are done."
    return "Nothing for you to write right now."


def submitted_part(couple: Couple, position: int) -> DisclosurePart | None:
    """A part of the couple's disclosure the practitioner may open: submitted ones only
    (drafts stay their author's own until they submit)."""
    disclosure = for_couple(couple.id)
    if disclosure is None:
        return None
    part = next((p for p in disclosure.parts if p.position == position), None)
    if part is None or not part.is_submitted:
        return None
    return part


def openable_part(partner: Partner, position: int) -> DisclosurePart | None:
    """A part this partner may open (client_part), or None."""
    disclosure = for_couple(partner.couple_id)
    if disclosure is None:
        return None
    opened = client_part(partner, disclosure, position)
    return opened[0] if opened else None
