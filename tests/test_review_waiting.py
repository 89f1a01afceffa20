"""What waits for review is kept as rows of its own (practice.services.waiting): the queue
and the caseload read them, so they must be exactly the submitted reflections nobody has
reviewed, after every submit, every review and every upgrade."""

import re

from alembic import command
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Assignment, Couple, Reflection, ReflectionStatus, ReviewWaiting
from practice.services import review
from practice.setup import alembic_config, upgrade_database
from tests.helpers.pages import submit_reflection
from tests.helpers.people import Browser

BEFORE_THE_ROWS = "e273d3591995"  # the revision before practice_review_waiting


def _rows(app) -> set:
    with app.app_context():
        rows = session.execute(
            select(
                ReviewWaiting.reflection_id,
                ReviewWaiting.practitioner_id,
                ReviewWaiting.couple_id,
                ReviewWaiting.queue_rank,
            )
        ).all()
        session.remove()
    return set(map(tuple, rows))


def _waiting_by_definition(app) -> set:
    """Worked out from the reflections themselves, as the queue once read them."""
    with app.app_context():
        rows = session.execute(
            select(
                Reflection.id,
                Couple.practitioner_id,
                Couple.id,
                Reflection.mentions_risk,
            )
            .join(Assignment, Assignment.id == Reflection.assignment_id)
            .join(Couple, Couple.id == Assignment.couple_id)
            .where(
                Reflection.status == ReflectionStatus.SUBMITTED, Reflection.reviewed_at.is_(None)
            )
        ).all()
        session.remove()
    return {(r, p, c, ReviewWaiting.RISK if risk else ReviewWaiting.CALM) for r, p, c, risk in rows}


def _waiting_on_dashboard(page: str) -> int:
    return int(re.search(r"Waiting for your review \((\d+)\)", page).group(1))


def test_the_rows_follow_every_submit_and_review(app, world):
    alice = Browser(app).login(world.alice)
    assert _waiting_on_dashboard(alice.text("/dashboard")) == 0
    first = submit_reflection(app, world, world.recovering_id, "finding-the-right-amount")
    second = submit_reflection(app, world, world.hurt_id, "finding-the-right-amount")
    elsewhere = submit_reflection(
        app, world, world.outsider_id, "finding-the-right-amount", couple_id=world.other_couple_id
    )

    assert {row[0] for row in _rows(app)} == {first, second, elsewhere}
    assert _rows(app) == _waiting_by_definition(app)
    dashboard = alice.text("/dashboard")
    assert _waiting_on_dashboard(dashboard) == 2, "Bob's couple's work is not Alice's"
    queue = alice.text("/review/")
    assert f"/review/{first}" in queue and f"/review/{second}" in queue
    assert f"/review/{elsewhere}" not in queue

    alice.post(f"/review/{first}", {"feedback": "", "mark_reviewed": "y"})
    assert {row[0] for row in _rows(app)} == {second, elsewhere}
    assert _rows(app) == _waiting_by_definition(app)
    assert _waiting_on_dashboard(alice.text("/dashboard")) == 1
    assert f"/review/{first}" not in alice.text("/review/")

    # Feedback without marking it reviewed leaves it waiting.
    alice.post(f"/review/{second}", {"feedback": "Thank you for this.", "mark_reviewed": ""})
    assert _waiting_on_dashboard(alice.text("/dashboard")) == 1


def test_an_upgrade_finds_what_was_already_waiting(app, world):
    waiting = submit_reflection(app, world, world.recovering_id, "finding-the-right-amount")
    reviewed = submit_reflection(app, world, world.hurt_id, "finding-the-right-amount")
    with app.app_context():
        reflection = session.get(Reflection, reviewed)
        review.respond(
            reflection,
            reflection.assignment.couple.practitioner,
            feedback="",
            mark_reviewed=True,
            flag_for_session=False,
        )
        commit()
    expected = _waiting_by_definition(app)
    assert {row[0] for row in expected} == {waiting}

    try:
        with app.app_context():
            # The test's database is made from the models: mark it as at head, then go back.
            command.stamp(alembic_config(), "head")
            command.downgrade(alembic_config(), BEFORE_THE_ROWS)
            upgrade_database()
            session.remove()
        assert _rows(app) == expected
        alice = Browser(app).login(world.alice)
        assert _waiting_on_dashboard(alice.text("/dashboard")) == 1
    finally:
        _rebuild_shared_schema(app)


def _rebuild_shared_schema(app) -> None:
    """On PostgreSQL the worker's tests share one schema, filled by copying a template's rows
    column by column (INSERT ... SELECT *); a downgrade and upgrade re-add columns at the end
    of their tables, so the tables are made again from the models for the tests after."""
    from sqlalchemy import text

    from practice.models import Base

    with app.app_context():
        engine = app.extensions["practice"].db.engine
        if engine.dialect.name != "postgresql":
            return
        session.remove()
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            Base.metadata.create_all(connection)
