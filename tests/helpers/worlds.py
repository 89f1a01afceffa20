"""A world with work in it: assignments, reflections (shared, private, draft), a session."""

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Exercise
from tests.helpers.people import PASSWORD, build_world, record_session


def populate(app) -> dict:
    """The world, plus assignments, reflections (shared, private, draft) and a session."""
    from datetime import date

    from practice.models import Couple
    from practice.services import (
        assignments,
        checkins,
        disclosure,
        measures,
        reflections,
        sessions,
    )

    world = build_world(app)
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        riley, harper = couple.partners
        exercises = {e.slug: e for e in session.scalars(select(Exercise))}
        today = date.today()
        both, for_recovering, open_, spare = assignments.assign(
            couple,
            [
                exercises["finding-the-right-amount"],
                exercises["weekly-openness-log"],
                # A second assignment of a step-1 exercise: open, so both may work on it.
                exercises["finding-the-right-amount"],
                exercises["support-map"],
            ],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=today,
        )
        # Step 5 has not opened for the couple: its work waits (pages show, saving refused).
        (locked,) = assignments.assign(
            couple,
            [exercises["small-victories"]],
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=today,
        )
        shared, _ = reflections.save(
            riley,
            both,
            answers=["Riley shares this", "", ""],
            ratings={},
            shared=True,
            submit=True,
            today=today,
        )
        private, _ = reflections.save(
            harper,
            both,
            answers=["Harper keeps this", "", ""],
            ratings={},
            shared=False,
            submit=True,
            today=today,
        )
        draft, _ = reflections.save(
            riley,
            for_recovering,
            answers=["Riley drafts", "", ""],
            ratings={},
            shared=False,
            submit=False,
            today=today,
        )
        note = record_session(couple, couple.practitioner, reflection_ids=[shared.id])
        signed = record_session(couple, couple.practitioner, sections={"note": "Joint, signed"})
        alone = record_session(
            couple,
            couple.practitioner,
            kind="individual",
            individual_partner_id=harper.id,
            attendee_ids=[harper.id],
            sections={"note": "Harper alone"},
        )
        for finished in (signed, alone):
            sessions.sign(finished, couple.practitioner, PASSWORD)
        sequence = disclosure.start(couple, couple.practitioner)
        disclosure.save(riley, sequence.parts[0], "Riley discloses", submit=True)
        disclosure.release(sequence.parts[0], couple.practitioner, "app", couple)
        disclosure.save(harper, sequence.parts[1], "Harper drafts questions", submit=False)
        checkins.save_plan(
            couple,
            partner_id=riley.id,
            frequency="daily",
            tell_within_hours=24,
            summary_for_partner=True,
            today=today,
        )
        # The relationship check for both partners; Riley has answered it.
        measures.load_built_in()
        check = measures.schedule_measure(
            couple,
            couple.practitioner,
            slug="relationship-check",
            cadence="start",
            every_weeks=None,
            from_day=None,
            scores_shared=False,
            today=today,
        )
        answered = measures.answer(riley, check, {"trust": 5, "safety": 6, "connection": 7})
        commit()
        alice_id = couple.practitioner_id
        return {
            "couple": couple.id,
            "other_couple": world.other_couple_id,
            "alice": alice_id,
            "riley": riley.id,
            "riley_user": riley.user_id,
            "harper": harper.id,
            "open": open_.id,
            "locked": locked.id,
            "spare": spare.id,
            "for_recovering": for_recovering.id,
            "shared": shared.id,
            "private": private.id,
            "draft": draft.id,
            "session": note.id,
            "signed": signed.id,
            "alone": alone.id,
            "measure_schedule": check.id,
            "measure_response": answered.id,
            "emails": {
                "owner": world.owner,
                "alice": world.alice,
                "bob": world.bob,
                "riley": world.recovering,
                "harper": world.hurt,
                "quinn": world.outsider,
            },
        }
