"""A couple between two sessions, written through the real services: what the session brief
and the couple page's summary gather (reflections before and after the last session, rating
changes, check-ins with a slip and missed days, a risk mention, a disclosure part, a draft)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Checkin, Couple, Exercise
from practice.services import assignments, checkins, disclosure, reflections, review, sessions
from tests.helpers.people import PASSWORD, record_session

# Words that appear nowhere in the program, so finding one on a page says where it came from.
OLD_WORDS = "Before the session we walked by the Gannet pier"
RILEY_NEW = "This week I told Harper about the Ocelot evening myself"
HARPER_NEW = "I am still afraid for my safety when the Wombat subject comes up"
RILEY_PRIVATE = "Only for my therapist: the Narwhal habit came back once"
HARPER_DRAFT = "An unfinished thought about the Axolotl trip"
TRIGGERS = "Supercalifragilisticexpialidocious-long-evening-alone-with-the-phone"
LAST_SESSION = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


@dataclass
class Prepared:
    session_id: int
    rated_assignment_id: int
    private_assignment_id: int


def _rated_exercises():
    """Exercises for both partners that ask for a trust rating."""
    return [
        e
        for e in session.scalars(select(Exercise).order_by(Exercise.id))
        if "trust" in {q["key"] for q in e.ratings} and e.audience == "both"
    ]


def _answer(partner, assignment, words, trust, *, shared=False, submit=True):
    ratings = {q["key"]: (trust if q["key"] == "trust" else 5) for q in assignment.ratings}
    reflection, _ = reflections.save(
        partner,
        assignment,
        answers=[words] * len(assignment.prompts),
        ratings=ratings,
        shared=shared,
        submit=submit,
        today=date.today(),
    )
    return reflection


def prepare_between_sessions(app, world) -> Prepared:
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley, harper = couple.partners
        alice = couple.practitioner
        first, second = _rated_exercises()[:2]
        third = next(
            e
            for e in session.scalars(select(Exercise).order_by(Exercise.id))
            if e.audience == "both" and e not in (first, second)
        )
        old, rated, private = assignments.assign(
            couple,
            [first, second, third],
            audience="both",
            repeat="once",
            due_on=date.today() + timedelta(days=3),
            note="",
            by=alice,
            today=date.today(),
        )
        # Before the last session: one answer each, trust 3 (Riley) and 5 (Harper).
        for partner, trust in ((riley, 3), (harper, 5)):
            earlier = _answer(partner, old, OLD_WORDS, trust)
            earlier.submitted_at = LAST_SESSION - timedelta(days=5)
        note = record_session(couple, alice, starts_at=LAST_SESSION)
        sessions.sign(note, alice, PASSWORD)
        # Since: both answer one exercise side by side (trust 6 and 4, Harper mentions risk),
        # Riley answers another privately; Harper has only a draft of it.
        _answer(riley, rated, RILEY_NEW, 6, shared=True)
        harpers = _answer(harper, rated, HARPER_NEW, 4)
        _answer(riley, private, RILEY_PRIVATE, 6)
        _answer(harper, private, HARPER_DRAFT, 2, submit=False)
        review.respond(harpers, alice, feedback="", mark_reviewed=False, flag_for_session=True)
        plan = checkins.save_plan(
            couple,
            partner_id=riley.id,
            frequency="daily",
            tell_within_hours=24,
            summary_for_partner=False,
            today=LAST_SESSION.date(),
        )
        plan.starts_on = LAST_SESSION.date()
        today = date.today()
        for back in (1, 2, 4):
            day = today - timedelta(days=back)
            slip = back == 2
            session.add(
                Checkin(
                    couple_id=couple.id,
                    partner_id=riley.id,
                    period_start=day,
                    frequency="daily",
                    urges=7 if slip else 3,
                    triggers=TRIGGERS,
                    handled="Called my sponsor and went for a walk around the block",
                    slip=slip,
                    slip_at=datetime.combine(day, datetime.min.time(), UTC) if slip else None,
                    told_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=3)
                    if slip
                    else None,
                )
            )
        started = disclosure.start(couple, alice)
        part = started.parts[0]
        disclosure.save(part.author, part, "The first part, written out", submit=True)
        session.flush()
        prepared = Prepared(note.id, rated.id, private.id)
        commit()
    return prepared
