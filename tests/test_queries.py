"""No page's SQL query count grows with the number of couples or reflections."""

from datetime import date

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Exercise, User
from practice.services import assignments, couples, reflections, review
from tests.helpers.database import counted_queries
from tests.helpers.people import Browser

PAGES = (
    "/dashboard",
    "/review/",
    "/couples/{couple}",
    "/my/",
    "/my/shared",
    "/couples/{couple}/sessions/new",
    "/couples/{couple}/brief",
    "/couples/{couple}/sessions/new?format=dap&prefill=brief",
)


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


def query_counts(app, world) -> dict[str, int]:
    alice, riley = Browser(app).login(world.alice), Browser(app).login(world.recovering)
    counts = {}
    for page in PAGES:
        person = riley if page.startswith("/my/") else alice
        url = page.format(couple=world.couple_id)
        with counted_queries(app) as statements:
            response = person.get(url)
        assert response.status_code == 200, url
        counts[page] = len(statements)
    return counts


def test_query_counts_do_not_grow_with_the_data(app, world):
    grow(app, world, extra_couples=1, rounds=2)
    small = query_counts(app, world)
    grow(app, world, extra_couples=12, rounds=6)
    large = query_counts(app, world)
    print("queries per page:", small)
    assert small == large, f"small data: {small}, larger data: {large}"
    # A ceiling, so a new per-page query is a decision: the couple page (19) now also loads
    # paced steps, the agreement, the safety state, the check-in plan and summary, counts
    # what waits for review for its summary, and records the view in the audit trail; the
    # client home (17) likewise.
    assert max(large.values()) <= 19, large
