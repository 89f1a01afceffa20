"""Who may read what: the one answer, for every kind of thing a person can read in Practice.

Each kind has a predicate for one object (``may_read_<kind>(reader, thing)``, or
``may_read(reader, thing)`` for any of them) and, where pages list them, a SQL filter
(``<kinds>_readable_by(reader)``) that says the same thing to the database. Services, views,
templates, PDFs and e-mails ask here; none of them re-decides.

The rules (see the product brief):
- A practitioner reads everything of the couples on their own caseload, except a client's
  unsubmitted drafts. The owner reads the audit log and no client content, unless also the
  couple's practitioner.
- A partner reads their own words and the feedback on them. Of the other partner's words,
  only what the other chose to share, or what a mutual reveal has revealed, and only while
  the couple's joint features are on (a concerning safety answer or the practitioner's
  pause turns them off, and the partners' pages do not say which). Never a
  session note, an addendum or the safety answers.
- Where and when a person is signed in is theirs alone, and so is a practitioner's unsaved
  draft (of a note, feedback or an addendum).
- Where the couple's agreement says so, what a partner shares waits for the practitioner's
  release (in the app, or in session only) before the other partner meets any of it.
- The facts these rules rest on (a reflection's or check-in's sharing flag, the couple's
  joint-features switches, reveal-together, a disclosure part's or shared reflection's
  release and the couple's release setting, the check-in summary switch) are read in this
  module and nowhere else; tests/test_privacy.py checks it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import aliased

from practice.db import session
from practice.models import (
    AfterReading,
    AlertEvent,
    Assignment,
    AuditEntry,
    Checkin,
    CheckinPlan,
    Couple,
    CrisisLine,
    DisclosurePart,
    Feedback,
    Invitation,
    MeasureResponse,
    MeasureSchedule,
    Partner,
    PractitionerDraft,
    Reflection,
    ReflectionStatus,
    ReleaseState,
    SafetyScreen,
    SessionKind,
    SessionNote,
    SignIn,
    User,
    Visibility,
)
from practice.models.sessions import Addendum

# --- the couple's joint-features switch ------------------------------------------------------
#
# Two things turn the features that bring the partners' words together off: a safety answer
# that asks for the practitioner's care (until the practitioner, having read it, turns them
# back on), and the practitioner pausing sharing for the couple (until they resume it).
# Either way the partners' pages are the same: neither partner can tell which it was, so a
# pause never tells one partner that the other raised an alarm.


def sharing_on(couple: Couple) -> bool:
    """Whether features that bring the partners' words together (sharing, mutual reveal,
    reading a released disclosure part in the app) are on for this couple."""
    return couple.joint_features_off_since is None and couple.sharing_paused_at is None


def safety_alert_since(couple: Couple) -> datetime | None:
    """When a safety answer turned the couple's joint features off: for the practitioner."""
    return couple.joint_features_off_since


def paused_by_practitioner_since(couple: Couple) -> datetime | None:
    """When the practitioner paused sharing for the couple: for the practitioner."""
    return couple.sharing_paused_at


def safety_alerts() -> ColumnElement[bool]:
    """SQL: couples whose joint features a safety answer turned off."""
    return Couple.joint_features_off_since.is_not(None)


def safety_alerts_order():
    """SQL: to list couples with a safety alert, the longest-standing first."""
    return Couple.joint_features_off_since


def _partner_of(reader: User) -> Partner | None:
    return reader.partner if reader.is_client else None


def _practises(reader: User, couple_id: int) -> bool:
    return reader.is_practitioner and _couple(couple_id).practitioner_id == reader.id


def _couple(couple_id: int) -> Couple:
    return session.get(Couple, couple_id)


def _caseload(reader: User):
    """SQL: the ids of the reader's own couples."""
    return select(Couple.id).where(Couple.practitioner_id == reader.id).scalar_subquery()


# --- reflections and their ratings -----------------------------------------------------------


class Sharing(StrEnum):
    """Who, besides the author and the practitioner, reads a submitted reflection."""

    ALONE = "alone"  # a reveal-together exercise: both read both once both have submitted
    SHARED = "shared"  # the author shared it and the partner reads it
    PAUSED = "paused"  # the author shared it, but joint features are off: nobody else reads it
    WAITING = "waiting"  # the author shared it; it waits for the practitioner's release
    SESSION = "session"  # the author shared it; the practitioner keeps it for the session
    PRIVATE = "private"


def answered_alone(exercise) -> bool:
    """An exercise (or assignment) each partner answers alone, revealed to both together."""
    return bool(exercise.reveal_together)


def shares(assignment: Assignment, couple: Couple, wanted: bool) -> bool:
    """What the author's "share with my partner" means when saved: a reveal-together answer
    reaches the partner only through the reveal, and nothing is shared while joint features
    are off, whatever the form said."""
    return bool(wanted) and not answered_alone(assignment) and sharing_on(couple)


def author_shared(reflection: Reflection) -> bool:
    """The author's own choice to share (what their form shows), whatever else applies."""
    return reflection.shared_with_partner


# What sharing_of reads of a reflection and of its assignment: a list that loads only the
# columns it shows (load_only) loads these too.
SHARING_OF_READS = (Reflection.shared_with_partner, Reflection.author_id, Reflection.release_state)
SHARING_OF_READS_ASSIGNMENT = (Assignment.reveal_together,)


def sharing_of(reflection: Reflection) -> Sharing:
    if answered_alone(reflection.assignment):
        return Sharing.ALONE
    if reflection.shared_with_partner:
        if not sharing_on(reflection.author.couple):
            return Sharing.PAUSED
        return _HELD.get(reflection.release_state, Sharing.SHARED)
    return Sharing.PRIVATE


def shared_by_author(reflection: Reflection) -> bool:
    """Whether the author meant the other partner to read it: shared, whether it reaches
    them now, waits for the practitioner's release, is kept for the session, or is held
    while sharing is off (for the practitioner's labels: "private" means the author kept it)."""
    return sharing_of(reflection) in (
        Sharing.SHARED,
        Sharing.PAUSED,
        Sharing.WAITING,
        Sharing.SESSION,
    )


def may_read_reflection(reader: User, reflection: Reflection) -> bool:
    """The reflection's words and ratings."""
    couple_id = reflection.assignment.couple_id
    partner = _partner_of(reader)
    if partner is None:
        return reflection.is_submitted and _practises(reader, couple_id)
    if partner.couple_id != couple_id:
        return False
    if reflection.author_id == partner.id:
        return True
    if not reflection.is_submitted or not sharing_on(partner.couple):
        return False
    if not released_to_partner(reflection):
        return False
    if reflection.shared_with_partner and not answered_alone(reflection.assignment):
        return True
    return _revealed(partner, reflection)


def reflections_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``Reflection``: what ``may_read_reflection`` allows, for lists."""
    partner = _partner_of(reader)
    submitted = Reflection.status == ReflectionStatus.SUBMITTED
    if partner is None:
        if not reader.is_practitioner:
            return false()
        return and_(
            submitted,
            Reflection.assignment_id.in_(
                select(Assignment.id).where(Assignment.couple_id.in_(_caseload(reader)))
            ),
        )
    own = Reflection.author_id == partner.id
    other = partner.other()
    if other is None or not sharing_on(partner.couple):
        return own
    return or_(
        own,
        and_(
            Reflection.author_id == other.id,
            submitted,
            _released_sql(Reflection),
            _theirs_readable(partner),
        ),
    )


def shared_with(partner: Partner) -> ColumnElement[bool]:
    """SQL on ``Reflection``: what the other partner shared with this one (not reveals)."""
    other = partner.other()
    if other is None or not sharing_on(partner.couple):
        return false()
    return and_(
        Reflection.author_id == other.id,
        Reflection.status == ReflectionStatus.SUBMITTED,
        Reflection.shared_with_partner.is_(True),
        _released_sql(Reflection),
        Reflection.assignment_id.in_(
            select(Assignment.id).where(
                Assignment.couple_id == partner.couple_id, Assignment.reveal_together.is_(False)
            )
        ),
    )


def _theirs_readable(partner: Partner) -> ColumnElement[bool]:
    """SQL on the other partner's submitted ``Reflection``: shared, or revealed to ``partner``
    (a reveal-together answer whose counterpart ``partner`` has submitted too, and, where
    shares wait for the practitioner, released in the app as well). The reflection's own
    release is the caller's to add (``_released_sql``)."""
    mine = aliased(Reflection)
    alone = select(Assignment.id).where(
        Assignment.couple_id == partner.couple_id, Assignment.reveal_together.is_(True)
    )
    shared = and_(
        Reflection.shared_with_partner.is_(True),
        Reflection.assignment_id.not_in(alone),
    )
    revealed = and_(
        Reflection.assignment_id.in_(alone),
        select(mine.id)
        .where(
            mine.assignment_id == Reflection.assignment_id,
            mine.occurrence == Reflection.occurrence,
            mine.author_id == partner.id,
            mine.status == ReflectionStatus.SUBMITTED,
            _released_sql(mine),
        )
        .exists(),
    )
    return or_(shared, revealed)


def _counterpart(author_id: int, reflection: Reflection) -> Reflection | None:
    """``author_id``'s submitted answer to the same exercise and occurrence."""
    return session.scalar(
        select(Reflection).where(
            Reflection.assignment_id == reflection.assignment_id,
            Reflection.author_id == author_id,
            Reflection.occurrence == reflection.occurrence,
            Reflection.status == ReflectionStatus.SUBMITTED,
        )
    )


def _revealed(partner: Partner, theirs: Reflection) -> bool:
    if not answered_alone(theirs.assignment) or not theirs.is_submitted:
        return False
    if theirs.author_id == partner.id or not sharing_on(partner.couple):
        return False
    mine = _counterpart(partner.id, theirs)
    return mine is not None and released_to_partner(theirs) and released_to_partner(mine)


class RevealState(StrEnum):
    WAITING = "waiting"
    UNAVAILABLE = "unavailable"
    REVEALED = "revealed"
    # The reader's own answer waits for the practitioner, or is kept for the session: they
    # are told so, and nothing about the other partner's answer.
    HELD = "held"
    IN_SESSION = "in-session"


@dataclass
class Reveal:
    state: RevealState
    theirs: Reflection | None = None
    # Whether the couple's shares wait for the practitioner: the reveal page says so.
    through_practitioner: bool = False


def reveal_for(partner: Partner, mine: Reflection) -> Reveal | None:
    """What the partner sees beside their own answer to a reveal-together exercise: the
    other's answer once both have submitted; nothing before, nothing while joint features
    are off. Where shares wait for the practitioner, both answers once the practitioner has
    released both in the app: never one without the other, and while the other's waits the
    reader is told only what they would be told before the other submitted. Nobody changes
    an answer after seeing the other's: a submitted one never changes
    (services.reflections.save)."""
    if not answered_alone(mine.assignment):
        return None
    through = releases_through_practitioner(partner.couple)
    if not sharing_on(partner.couple):
        return Reveal(RevealState.UNAVAILABLE, through_practitioner=through)
    if mine.release_state == ReleaseState.SESSION:
        return Reveal(RevealState.IN_SESSION, through_practitioner=through)
    other = partner.other()
    theirs = _counterpart(other.id, mine) if mine.is_submitted and other is not None else None
    if theirs is not None and _revealed(partner, theirs):
        return Reveal(RevealState.REVEALED, theirs, through_practitioner=through)
    if mine.release_state == ReleaseState.WAITING:
        return Reveal(RevealState.HELD, through_practitioner=through)
    return Reveal(RevealState.WAITING, through_practitioner=through)


# --- release through the practitioner ---------------------------------------------------------
#
# Per couple, the practitioner chooses whether what a partner shares goes to the other at
# once, or waits until the practitioner has read it and released it: to read in the app, or
# for the session only (discussed there, never shown to the other partner here), as the
# disclosure parts are. What waits is the author's and the practitioner's alone: the other
# partner meets nothing of it, not even that it exists. A reveal-together pair is revealed
# only when both answers are released in the app, so neither partner reads the other's
# answer while their own is held back. A change of the setting applies to what is shared
# from then on: what already waits keeps waiting, what already went stays with the partner.


def releases_through_practitioner(couple: Couple) -> bool:
    """Whether the couple's shares wait for the practitioner's release."""
    return couple.shares_wait_for_release


def release_on_submit(assignment: Assignment, couple: Couple, shared: bool) -> str | None:
    """The release state a reflection takes when submitted: waiting, where the couple's
    shares wait and this one would reach the partner (shared, or answered to be revealed
    together); None, when there is nothing to release."""
    if not releases_through_practitioner(couple):
        return None
    return ReleaseState.WAITING if shared or answered_alone(assignment) else None


def released_to_partner(reflection: Reflection) -> bool:
    """Whether the practitioner's release (where one is needed) lets the partner read it."""
    return reflection.release_state in (None, ReleaseState.APP)


def _released_sql(table) -> ColumnElement[bool]:
    """SQL on ``Reflection`` (or an alias of it): what ``released_to_partner`` says."""
    return or_(table.release_state.is_(None), table.release_state == ReleaseState.APP)


_HELD = {ReleaseState.WAITING: Sharing.WAITING, ReleaseState.SESSION: Sharing.SESSION}


@dataclass(frozen=True)
class ReflectionRelease:
    """Where a reflection stands with the practitioner's release: for the author's and the
    practitioner's pages."""

    state: str | None  # a ReleaseState, or None: nothing to release
    at: datetime | None

    @property
    def waiting(self) -> bool:
        return self.state == ReleaseState.WAITING


def reflection_release(reflection: Reflection) -> ReflectionRelease:
    return ReflectionRelease(reflection.release_state, reflection.released_at)


def may_release(reader: User, reflection: Reflection) -> bool:
    """Only the couple's practitioner releases, and only what waits."""
    return (
        _partner_of(reader) is None
        and reflection.release_state == ReleaseState.WAITING
        and _practises(reader, reflection.assignment.couple_id)
    )


def waiting_for_release(couple_id: int) -> ColumnElement[bool]:
    """SQL on ``Reflection``: the couple's submitted reflections that wait for the
    practitioner's release (for the practitioner's own pages)."""
    return and_(
        Reflection.release_state == ReleaseState.WAITING,
        Reflection.status == ReflectionStatus.SUBMITTED,
        Reflection.assignment_id.in_(
            select(Assignment.id).where(Assignment.couple_id == couple_id)
        ),
    )


# --- feedback --------------------------------------------------------------------------------


def may_read_feedback(reader: User, feedback: Feedback) -> bool:
    """Feedback is for its reflection's author and the practitioner, never the partner."""
    reflection = feedback.reflection
    partner = _partner_of(reader)
    if partner is None:
        return _practises(reader, reflection.assignment.couple_id)
    return reflection.author_id == partner.id


def feedback_for(reader: User, reflection: Reflection) -> list[Feedback]:
    """The feedback on ``reflection`` that ``reader`` may read."""
    return [f for f in reflection.feedback if may_read_feedback(reader, f)]


# --- session notes and addenda ---------------------------------------------------------------


def may_read_note(reader: User, note: SessionNote) -> bool:
    """A session note is the practitioner's: clients never read one, nor its addenda."""
    return _partner_of(reader) is None and _practises(reader, note.couple_id)


def notes_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``SessionNote``."""
    if _partner_of(reader) is not None or not reader.is_practitioner:
        return false()
    return SessionNote.couple_id.in_(_caseload(reader))


def may_read_addendum(reader: User, addendum: Addendum) -> bool:
    return may_read_note(reader, addendum.session)


# --- handouts: what a partner takes home from a session --------------------------------------


def _handout_meant_for(note: SessionNote, partner: Partner) -> bool:
    if note.couple_id != partner.couple_id:
        return False
    return note.kind == SessionKind.JOINT or note.individual_partner_id == partner.id


def may_take_handout(reader: User, note: SessionNote, partner: Partner) -> bool:
    """``partner``'s handout of ``note``: for a joint session or their own individual one
    (never the other partner's); the partner takes it once signed, the practitioner any
    time."""
    if not _handout_meant_for(note, partner):
        return False
    own = _partner_of(reader)
    if own is None:
        return may_read_note(reader, note)
    return own.id == partner.id and note.signed_at is not None


def handouts_of(partner: Partner) -> ColumnElement[bool]:
    """SQL on ``SessionNote``: the signed sessions ``partner`` may take a handout from."""
    return and_(
        SessionNote.couple_id == partner.couple_id,
        SessionNote.signed_at.is_not(None),
        or_(
            SessionNote.kind == SessionKind.JOINT,
            SessionNote.individual_partner_id == partner.id,
        ),
    )


def handout_reflections(note: SessionNote, partner: Partner) -> list[Reflection]:
    """Of the reflections discussed in the session, those the handout may carry: the
    partner's own (and so only the feedback meant for them)."""
    return [r for r in note.reflections if r.author_id == partner.id]


# --- structured disclosure -------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """How a submitted disclosure part reaches the partner who did not write it."""

    released: bool
    in_app: bool  # they read it here (while joint features are on)
    at: datetime | None


def release_of(part: DisclosurePart) -> Release:
    return Release(
        released=part.is_released,
        in_app=part.is_released and part.visibility == Visibility.APP,
        at=part.released_at,
    )


def may_read_part(reader: User, part: DisclosurePart) -> bool:
    """A disclosure part's text: its author; the practitioner once it is submitted (drafts
    stay the author's own); the other partner once released to read in the app, while
    joint features are on."""
    couple = part.disclosure.couple
    partner = _partner_of(reader)
    if partner is None:
        return part.is_submitted and _practises(reader, couple.id)
    if partner.couple_id != couple.id:
        return False
    if part.author_id == partner.id:
        return True
    return release_of(part).in_app and sharing_on(couple)


# --- check-ins and their summary -------------------------------------------------------------


def checkin_shares(couple: Couple, wanted: bool) -> bool:
    """What the author's "let my partner read this" means when saved: nothing is shared
    while joint features are off."""
    return bool(wanted) and sharing_on(couple)


def checkin_shared(checkin: Checkin) -> bool:
    """Whether the author chose to let the other partner read this check-in."""
    return checkin.shared_with_partner


def may_read_checkin(reader: User, checkin: Checkin) -> bool:
    partner = _partner_of(reader)
    if partner is None:
        return _practises(reader, checkin.couple_id)
    if partner.couple_id != checkin.couple_id:
        return False
    if checkin.partner_id == partner.id:
        return True
    return checkin.shared_with_partner and sharing_on(partner.couple)


def checkins_shared_with(partner: Partner) -> ColumnElement[bool]:
    """SQL on ``Checkin``: the other partner's check-ins this partner may read."""
    other = partner.other()
    if other is None or not sharing_on(partner.couple):
        return false()
    return and_(Checkin.partner_id == other.id, Checkin.shared_with_partner.is_(True))


def summary_shared(plan: CheckinPlan) -> bool:
    """Whether the couple agreed the other partner sees the check-in summary."""
    return plan.summary_for_partner


def may_read_checkin_summary(reader: User, plan: CheckinPlan) -> bool:
    """The summary (on time N of the last M, slips told or not; never the words): the
    practitioner, and both partners when the couple agreed to it."""
    partner = _partner_of(reader)
    if partner is None:
        return _practises(reader, plan.couple_id)
    return partner.couple_id == plan.couple_id and plan.summary_for_partner


# --- the dashboard's check-in alerts ------------------------------------------------------


def checkin_alerts_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``CheckinPlan``: the plans whose counts (slips, missed check-ins; never the
    words) a practitioner's dashboard shows: those of the couples on their own caseload,
    open ones only (an archived couple is closed, ``practice.services.archive``)."""
    if _partner_of(reader) is not None or not reader.is_practitioner:
        return false()
    mine = select(Couple.id).where(
        Couple.practitioner_id == reader.id, Couple.archived_at.is_(None)
    )
    return CheckinPlan.couple_id.in_(mine)


# --- measures --------------------------------------------------------------------------------
#
# Each partner answers a measure alone. The answers (item by item) are the partner's own and
# the practitioner's, never the other partner's. The scores reach the other partner only when
# the couple agreed to it for that schedule (``scores_shared``), and only while the couple's
# joint features are on. Whether a risk item was answered is the practitioner's alone.


def measure_scores_shared(schedule: MeasureSchedule) -> bool:
    """Whether the couple agreed each partner sees the other's scores on this schedule."""
    return schedule.scores_shared


def may_answer_measure(reader: User, schedule: MeasureSchedule) -> bool:
    """A partner of the schedule's couple, while the schedule runs."""
    partner = _partner_of(reader)
    return partner is not None and partner.couple_id == schedule.couple_id and schedule.is_active


def may_read_measure_answers(reader: User, response: MeasureResponse) -> bool:
    """The item-by-item answers: the partner who gave them and the practitioner."""
    partner = _partner_of(reader)
    if partner is None:
        return _practises(reader, response.couple_id)
    return response.partner_id == partner.id


def may_read_measure_score(reader: User, response: MeasureResponse) -> bool:
    """The scores: whoever reads the answers, and the other partner when the couple agreed."""
    if may_read_measure_answers(reader, response):
        return True
    partner = _partner_of(reader)
    if partner is None or partner.couple_id != response.couple_id:
        return False
    return response.schedule.scores_shared and sharing_on(partner.couple)


def measure_scores_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``MeasureResponse``: what ``may_read_measure_score`` allows, for charts."""
    partner = _partner_of(reader)
    if partner is None:
        if not reader.is_practitioner:
            return false()
        return MeasureResponse.couple_id.in_(_caseload(reader))
    own = MeasureResponse.partner_id == partner.id
    other = partner.other()
    if other is None or not sharing_on(partner.couple):
        return own
    shared = select(MeasureSchedule.id).where(
        MeasureSchedule.couple_id == partner.couple_id, MeasureSchedule.scores_shared.is_(True)
    )
    return or_(
        own, and_(MeasureResponse.partner_id == other.id, MeasureResponse.schedule_id.in_(shared))
    )


def may_see_measure_risk(reader: User, response: MeasureResponse) -> bool:
    """That a risk item was answered above its threshold: the practitioner's alone (the
    partner who answered sees their own answers, never a flag)."""
    return _partner_of(reader) is None and _practises(reader, response.couple_id)


# --- the safety screen -----------------------------------------------------------------------


def may_read_safety_answers(reader: User, screen: SafetyScreen) -> bool:
    """The private screen's answers go to the practitioner only, never to either partner."""
    return _partner_of(reader) is None and _practises(reader, screen.couple_id)


# --- safety net ------------------------------------------------------------------------------


def may_read_crisis_resources(_reader: User, _line: CrisisLine | None = None) -> bool:
    """The places to turn to straight away are for everyone: nothing in them is private."""
    return True


def may_read_alert(reader: User, event: AlertEvent) -> bool:
    """An alert event (risk words, a risk answer, a safety screen, a slip) is the couple's
    practitioner's alone: never a partner's, not even the one it is about, nor the owner's."""
    return _partner_of(reader) is None and _practises(reader, event.couple_id)


def alerts_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``AlertEvent``."""
    if _partner_of(reader) is not None or not reader.is_practitioner:
        return false()
    return AlertEvent.couple_id.in_(_caseload(reader))


def may_read_after_reading(reader: User, reading: AfterReading) -> bool:
    """How a partner said they were after reading the other's disclosure part: theirs and
    their practitioner's; never the partner who wrote the part."""
    partner = _partner_of(reader)
    if partner is None:
        return _practises(reader, reading.couple_id)
    return reading.partner_id == partner.id


def after_readings_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``AfterReading``."""
    partner = _partner_of(reader)
    if partner is not None:
        return AfterReading.partner_id == partner.id
    if not reader.is_practitioner:
        return false()
    return AfterReading.couple_id.in_(_caseload(reader))


# --- invitation links ------------------------------------------------------------------------


def may_read_invitation(reader: User, invitation: Invitation) -> bool:
    """A working invitation link sets the account's password, so only whoever answers for
    the account sees it: a partner's, their couple's practitioner; a practitioner's, the
    owner. Nobody, once the account has a password."""
    user = invitation.user
    if user.password_hash is not None:
        return False
    if user.is_client:
        return user.partner is not None and _practises(reader, user.partner.couple_id)
    return reader.is_owner and not user.is_owner


# --- the audit log ---------------------------------------------------------------------------


def may_read_audit(reader: User, _entry: AuditEntry | None = None) -> bool:
    """The owner reads the whole audit log; nobody else reads any of it."""
    return reader.is_owner


def audit_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``AuditEntry``."""
    return true() if may_read_audit(reader) else false()


# --- sign-ins ------------------------------------------------------------------------------


def may_read_sign_in(reader: User, sign_in: SignIn) -> bool:
    """Where and when someone is signed in is theirs alone: not the owner's, not a partner's."""
    return sign_in.user_id == reader.id


def sign_ins_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``SignIn``."""
    return SignIn.user_id == reader.id


# --- history and search ----------------------------------------------------------------------
#
# A couple's history (everything written in it, to reread) and the searches (of the caseload,
# and within one couple's record) are the practitioner's: the couple's own practitioner reaches
# them, and finds there what they may read one by one, submitted words only (a client's draft
# is never history). A partner reaches neither (their own words are on their own pages), nor
# the owner, unless also the couple's practitioner. The filters below are SQL on one kind, to
# be used with the kind's own ``couple_id`` condition; for anyone else they hold nothing.


def may_read_history(reader: User, couple: Couple) -> bool:
    """The couple's history and the search within its record: its practitioner's alone."""
    return _partner_of(reader) is None and _practises(reader, couple.id)


def couples_findable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``Couple``: the couples a caseload search may find (their practitioner's own)."""
    if _partner_of(reader) is not None or not reader.is_practitioner:
        return false()
    return Couple.practitioner_id == reader.id


def sharing_paused() -> ColumnElement[bool]:
    """SQL on ``Couple``: couples whose practitioner paused sharing between the partners."""
    return Couple.sharing_paused_at.is_not(None)


def reflections_in_history(reader: User, couple: Couple) -> ColumnElement[bool]:
    """SQL on ``Reflection`` (of the couple's assignments): the submitted ones."""
    if not may_read_history(reader, couple):
        return false()
    return Reflection.status == ReflectionStatus.SUBMITTED


def parts_in_history(reader: User, couple: Couple) -> ColumnElement[bool]:
    """SQL on ``DisclosurePart`` (of the couple's disclosure): the submitted ones."""
    if not may_read_history(reader, couple):
        return false()
    return DisclosurePart.submitted_at.is_not(None)


def all_in_history(reader: User, couple: Couple) -> ColumnElement[bool]:
    """SQL on ``Feedback``, ``Checkin``, ``SessionNote`` or ``Addendum`` of the couple: all
    of them (the practitioner wrote the feedback, notes and addenda; a check-in has no
    draft)."""
    return true() if may_read_history(reader, couple) else false()


# --- practitioner drafts ---------------------------------------------------------------------


def may_read_draft(reader: User, draft: PractitionerDraft) -> bool:
    """What a practitioner has typed and not saved is theirs alone: not another
    practitioner's (of the same couple or not), not the owner's, never a client's."""
    return draft.user_id == reader.id


def drafts_readable_by(reader: User) -> ColumnElement[bool]:
    """SQL on ``PractitionerDraft``."""
    return PractitionerDraft.user_id == reader.id


# --- the release copy: a couple's record made for one partner -----------------------------
#
# The practitioner's chart holds both partners' words. A copy released to one partner (who
# asked for their records) holds what that partner may read and nothing else: the joint
# sessions and their own individual ones, of the reflections only those they may read in
# the app (their own; the other's shared, released or revealed ones), and ratings likewise.


def may_take_release_copy(reader: User, couple: Couple, partner: Partner) -> bool:
    """Only the couple's practitioner makes a release copy, and only for one of its partners."""
    return (
        _partner_of(reader) is None
        and partner.couple_id == couple.id
        and _practises(reader, couple.id)
    )


def in_release_copy(partner: Partner, note: SessionNote) -> bool:
    """A signed session goes into ``partner``'s copy if it was joint or their own individual
    one; never the other partner's individual session, not even its date."""
    return note.signed_at is not None and _handout_meant_for(note, partner)


def release_copy_reflections(partner: Partner, note: SessionNote) -> list[Reflection]:
    """Of the reflections discussed in ``note``, those ``partner``'s copy may carry."""
    return [r for r in note.reflections if may_read_reflection(partner.user, r)]


def release_copy_ratings(partner: Partner) -> ColumnElement[bool]:
    """SQL on ``Reflection``: the reflections whose ratings ``partner``'s copy may chart."""
    return reflections_readable_by(partner.user)


# --- the session brief -----------------------------------------------------------------------
#
# The brief gathers everything since the last session in one page: both partners' words side
# by side, their check-ins and slips, safety flags, the disclosure's state. It is the
# practitioner's preparation, so it is theirs alone: never a partner's (not even the words
# they wrote themselves sit there beside the other's), never the owner's unless also the
# couple's practitioner; and, as everywhere, never a client's unsubmitted draft.


def may_read_brief(reader: User, couple: Couple) -> bool:
    """The couple's practitioner, and nobody else."""
    return _partner_of(reader) is None and _practises(reader, couple.id)


def brief_reflections(couple: Couple) -> ColumnElement[bool]:
    """SQL on ``Reflection``: what a brief of ``couple`` may list: its submitted
    reflections, private or shared alike (the practitioner reads both), never a draft."""
    return and_(
        Reflection.status == ReflectionStatus.SUBMITTED,
        Reflection.assignment_id.in_(
            select(Assignment.id).where(Assignment.couple_id == couple.id)
        ),
    )


# --- any kind --------------------------------------------------------------------------------

_PREDICATES = {
    Reflection: may_read_reflection,
    Feedback: may_read_feedback,
    SessionNote: may_read_note,
    Addendum: may_read_addendum,
    DisclosurePart: may_read_part,
    Checkin: may_read_checkin,
    CheckinPlan: may_read_checkin_summary,
    MeasureResponse: may_read_measure_answers,
    SafetyScreen: may_read_safety_answers,
    CrisisLine: may_read_crisis_resources,
    AlertEvent: may_read_alert,
    AfterReading: may_read_after_reading,
    Invitation: may_read_invitation,
    AuditEntry: may_read_audit,
    SignIn: may_read_sign_in,
    PractitionerDraft: may_read_draft,
}


def may_read(reader: User, thing) -> bool:
    """Whether ``reader`` may read ``thing``, of any readable kind (handouts, which name a
    partner as well as a note, ask ``may_take_handout``)."""
    return _PREDICATES[type(thing)](reader, thing)


def template_helpers() -> dict:
    """What templates may ask (the facts themselves are never read in a template)."""
    return {
        "answered_alone": answered_alone,
        "sharing_of": sharing_of,
        "shared_by_author": shared_by_author,
        "safety_alert_since": safety_alert_since,
        "paused_by_practitioner_since": paused_by_practitioner_since,
        "release_of": release_of,
        "reflection_release": reflection_release,
        "sharing_on": sharing_on,
        "releases_through_practitioner": releases_through_practitioner,
        "checkin_shared": checkin_shared,
        "summary_shared": summary_shared,
        "measure_scores_shared": measure_scores_shared,
    }
