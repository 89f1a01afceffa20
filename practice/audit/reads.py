"""Reads of client records are recorded here, in one table, not in every view.

``READS`` maps an endpoint to what a successful GET of it records; ``NOT_AUDITED`` names,
with a reason, every other page of the blueprints that show client records. A route in
neither fails tests/test_audit.py, so a new page cannot slip past the trail.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, request
from sqlalchemy import select

from practice import access
from practice.identity import current_user
from practice.models import Assignment, Partner, Reflection, SessionNote
from practice.services import audit

# Blueprints whose pages never show client records; every other endpoint is classified.
OUTSIDE = (
    "practice.static",
    "practice.auth.",
    "practice.admin.",
    "practice.audit.",
    "practice.account.",
    "practice.security.",
    "practice.two_factor.",
    "practice_health.",  # /healthz: the database's state, no one's records
    "favicon",  # the standalone app's /favicon.ico: the site's icon
)


def _itself(couple_id):
    return couple_id


def _of_reflection(reflection_id):
    return (
        select(Partner.couple_id)
        .join(Reflection, Reflection.author_id == Partner.id)
        .where(Reflection.id == reflection_id)
        .scalar_subquery()
    )


def _of_session(session_id):
    return select(SessionNote.couple_id).where(SessionNote.id == session_id).scalar_subquery()


def _of_assignment(assignment_id):
    return select(Assignment.couple_id).where(Assignment.id == assignment_id).scalar_subquery()


def _readers_couple(_record_id):
    return select(Partner.couple_id).where(Partner.user_id == current_user.id).scalar_subquery()


@dataclass(frozen=True)
class Read:
    """What a GET of one endpoint records: the action, the record it names (the
    ``view_args`` key holding its id) and how to find the record's couple."""

    action: str
    subject: str
    key: str | None
    couple: Callable


READS: dict[str, Read] = {
    "practice.caseload.couple": Read("couple.viewed", "couple", "couple_id", _itself),
    "practice.review.reflection": Read(
        "reflection.viewed", "reflection", "reflection_id", _of_reflection
    ),
    "practice.sessions.view": Read("session.viewed", "session", "session_id", _of_session),
    "practice.sessions.edit": Read("session.viewed", "session", "session_id", _of_session),
    "practice.sessions.pdf": Read("session.downloaded", "session", "session_id", _of_session),
    "practice.sessions.handout": Read("handout.downloaded", "session", "session_id", _of_session),
    "practice.sessions.record": Read("record.downloaded", "couple", "couple_id", _itself),
    # The detail names the partner the copy was made for ("partner_id 12").
    "practice.sessions.release_copy": Read("record.released", "couple", "couple_id", _itself),
    "practice.client.assignment": Read(
        "assignment.viewed", "assignment", "assignment_id", _of_assignment
    ),
    "practice.client.reflection": Read(
        "reflection.viewed", "reflection", "reflection_id", _of_reflection
    ),
    "practice.client.shared": Read("shared.viewed", "couple", None, _readers_couple),
    "practice.client.handout": Read("handout.downloaded", "session", "session_id", _of_session),
    "practice.disclosure.overview": Read("disclosure.viewed", "couple", "couple_id", _itself),
    "practice.disclosure.part": Read("disclosure.viewed", "couple", "couple_id", _itself),
    "practice.my_disclosure.home": Read("disclosure.viewed", "couple", None, _readers_couple),
    "practice.my_disclosure.part_for_client": Read(
        "disclosure.viewed", "couple", None, _readers_couple
    ),
    "practice.checkins.caseload.couple_checkins": Read(
        "checkins.viewed", "couple", "couple_id", _itself
    ),
    "practice.checkins.mine.check_in": Read("checkins.viewed", "couple", None, _readers_couple),
    "practice.checkins.mine.partner_summary": Read(
        "checkins.viewed", "couple", None, _readers_couple
    ),
    "practice.safety_review.couple": Read("safety.viewed", "couple", "couple_id", _itself),
    "practice.history.couple": Read("history.viewed", "couple", "couple_id", _itself),
    "practice.history.reflection": Read(
        "reflection.viewed", "reflection", "reflection_id", _of_reflection
    ),
    "practice.history.search_record": Read("record.searched", "couple", "couple_id", _itself),
    "practice.caseload.session_brief": Read("brief.viewed", "couple", "couple_id", _itself),
    "practice.measures.caseload.couple_measures": Read(
        "measures.viewed", "couple", "couple_id", _itself
    ),
    # A partner's own scores, and the other's where the couple agreed to share them.
    "practice.measures.mine.my_measures": Read("measures.viewed", "couple", None, _readers_couple),
}

NOT_AUDITED: dict[str, str] = {
    "practice.caseload.dashboard": "a list of couples; opening one is recorded",
    "practice.caseload.new_couple": "an empty form",
    "practice.caseload.set_step": "a change, recorded with the change",
    "practice.caseload.reinvite": "a change, recorded with the change",
    "practice.caseload.cancel_invitation": "a change, recorded as invitation.cancelled",
    "practice.caseload.assign": "the exercise picker; assigning is recorded as a change",
    "practice.caseload.close_assignment": "a change, recorded with the change",
    "practice.caseload.archive_couple": "a form; archiving is recorded as couple.archived",
    "practice.caseload.reopen_couple": "a change, recorded as couple.reopened",
    "practice.review.queue": "a list of titles; opening a reflection is recorded",
    "practice.sessions.new_session": "a note form, empty or started from the brief's counts",
    "practice.sessions.sign": "a change, recorded as session.signed",
    "practice.sessions.add_addendum": "a change, recorded with the change",
    "practice.sessions.homework": "the exercise picker; assigning is recorded as a change",
    "practice.client.home": "the client's own list of what is due",
    "practice.disclosure.start": "a change, recorded with the change",
    "practice.pacing.open_early": "a form; opening a step is recorded as a change",
    "practice.safety.screen": "the person's own questions; answering is recorded",
    "practice.safety_review.pause_sharing": "a change, recorded as sharing.paused",
    "practice.safety_review.resume_sharing": "a change, recorded as sharing.resumed",
    "practice.checkins.mine.reminder_settings": "the person's own mail setting",
    "practice.history.caseload": "names and e-mails of one's own couples; opening one is recorded",
    "practice.history.exercise": "a redirect to a reflection, whose reading is recorded",
    "practice.safety.help_now": "the practice's helplines; nothing of anyone's",
    "practice.safety_settings.crisis_resources": "the practice's helplines; saving is recorded",
    "practice.my_disclosure.before_reading": "what to expect; the part itself is read (and "
    "recorded) on its own page",
    "practice.my_disclosure.after_reading": "a change, recorded as disclosure.after_reading",
    "practice.measures.mine.answer": "the person's own questions; answering is recorded as "
    "measure.answered",
    "practice.measures.caseload.stop": "a change, recorded as measure.stopped",
    "practice.measures.caseload.risk_seen": "a change, recorded as measure.risk_seen",
    "practice.caseload.release_setting": "a change, recorded as couple.release_setting",
    "practice.review.release": "a change, recorded as reflection.released",
    "practice.client.agreement": "the couple's agreement words, the same for both partners; "
    "agreeing is recorded as agreement.agreed",
}


def install(bp: Blueprint) -> None:
    @bp.after_request
    def record_reads(response):
        read = READS.get(request.endpoint or "")
        if (
            read is None
            or request.method != "GET"
            or not 200 <= response.status_code < 300
            or not current_user.is_authenticated
        ):
            return response
        args = access.url_ids()
        record_id = args.get(read.key) if read.key else None
        audit.record(
            read.action,
            subject=read.subject,
            subject_id=record_id,
            couple_id=read.couple(record_id),
            detail=", ".join(f"{key} {value}" for key, value in args.items() if key != read.key),
        )
        # Committed with the request's work, by the commit point (practice.db).
        return response
