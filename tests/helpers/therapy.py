"""A practice's therapy written through the real services, with words that appear nowhere
else (so finding one in a raw row means a leak), and a second app on the same database."""

from datetime import date

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Exercise
from practice.services import assignments, reflections, review, sessions
from tests.helpers.people import PASSWORD, record_session

# Words that appear nowhere in the program, so finding one in a raw row means a leak.
ANSWER = "I told Harper about the Zanzibar lighthouse evening"
RISK_ANSWER = "Last week he threatened me with a knife near Quokka Bay"
FEEDBACK = "Thank you for naming the Marzipan argument so plainly"
NOTE = "Discussed the Tamarind weekend; both calmer than last time"
ADDENDUM = "Correction: the Tamarind weekend was in October"
HOMEWORK = "Try this on the Pelican walk on Sundays"
ALL_WORDS = ("Zanzibar", "Quokka", "knife", "Marzipan", "Tamarind", "Pelican")


def write_therapy(app, world) -> dict:
    """A reflection with a risk word, feedback, a signed note with an addendum, a homework note."""
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley, harper = couple.partners
        exercise = next(
            e
            for e in session.scalars(select(Exercise).order_by(Exercise.id))
            if e.audience == "both" and len(e.prompts) >= 2
        )
        (assignment,) = assignments.assign(
            couple,
            [exercise],
            audience="both",
            repeat="once",
            due_on=None,
            note=HOMEWORK,
            by=couple.practitioner,
            today=date.today(),
        )
        answers = [ANSWER, RISK_ANSWER] + [""] * (len(assignment.prompts) - 2)
        reflection, _ = reflections.save(
            riley,
            assignment,
            answers=answers,
            ratings={},
            shared=False,
            submit=True,
            today=date.today(),
        )
        review.respond(
            reflection,
            couple.practitioner,
            feedback=FEEDBACK,
            mark_reviewed=False,
            flag_for_session=True,
        )
        note = record_session(couple, couple.practitioner, sections={"note": NOTE})
        sessions.sign(note, couple.practitioner, PASSWORD)
        sessions.add_addendum(note, couple.practitioner, ADDENDUM, PASSWORD)
        commit()
        return {
            "reflection": reflection.id,
            "session": note.id,
            "assignment": assignment.id,
            "version": note.version,
            "harper": harper.user.email,
        }
