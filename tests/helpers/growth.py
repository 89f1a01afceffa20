"""More of the same data: couples on Alice's caseload and answered exercises, for tests that
check a page's SQL query count does not grow with the data."""

from datetime import date

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Exercise, User
from practice.services import assignments, couples, reflections, review


def grow(app, world, extra_couples: int, rounds: int) -> None:
    """Add couples to Alice's caseload and answered exercises to every one of her couples."""
    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        program = session.get(Couple, world.couple_id).program
        for n in range(extra_couples):
            couples.create_couple(
                alice,
                program,
                [
                    couples.NewPartner(f"P{n}a", f"p{n}a-{rounds}@example.org", "recovering"),
                    couples.NewPartner(f"P{n}b", f"p{n}b-{rounds}@example.org", "hurt"),
                ],
            )
        exercises = list(session.scalars(select(Exercise).order_by(Exercise.id)))
        for couple in session.scalars(select(Couple).where(Couple.practitioner_id == alice.id)):
            made = assignments.assign(
                couple,
                exercises[:rounds],
                audience="both",
                repeat="once",
                due_on=None,
                note="",
                by=alice,
                today=date.today(),
            )
            for index, assignment in enumerate(made):
                for partner in couple.partners:
                    answers = ["words"] * len(assignment.prompts)
                    ratings = {q["key"]: 5 for q in assignment.ratings}
                    reflection, _ = reflections.save(
                        partner,
                        assignment,
                        answers=answers,
                        ratings=ratings,
                        shared=index % 2 == 0,
                        submit=True,
                        today=date.today(),
                    )
                    if index % 3 == 0:
                        review.respond(
                            reflection,
                            alice,
                            feedback="Thanks",
                            mark_reviewed=True,
                            flag_for_session=False,
                        )
        commit()
