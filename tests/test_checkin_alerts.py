"""The dashboard's slips and missed check-ins: the practitioner's own open couples only,
counts never words, the most pressing first, and the same number of queries at any size."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Checkin, Couple, User
from practice.services import archive, checkins, couples
from tests.helpers.database import counted_queries
from tests.helpers.people import Browser

SECRET_TRIGGER = "a lonely evening at the desk"


def _plan(couple, started: date, frequency: str = "daily") -> None:
    checkins.save_plan(
        couple,
        partner_id=couple.partners[0].id,
        frequency=frequency,
        tell_within_hours=24,
        summary_for_partner=False,
        today=started,
    )


def _checkin(couple, day: date, *, slip_at=None, told_at=None) -> None:
    session.add(
        Checkin(
            couple_id=couple.id,
            partner_id=couple.partners[0].id,
            period_start=day,
            frequency="daily",
            urges=3,
            triggers=SECRET_TRIGGER,
            handled="",
            slip=slip_at is not None,
            slip_at=slip_at,
            told_at=told_at,
        )
    )


def _alices_couple(app, world) -> None:
    """Riley checks in daily since ten days ago; two days missed, one slip not yet told."""
    today = date.today()
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        _plan(couple, today - timedelta(days=10))
        now = datetime.now(UTC)
        for back in range(1, 8):
            if back in (2, 5):
                continue  # missed
            slip = now - timedelta(days=3) if back == 3 else None
            _checkin(couple, today - timedelta(days=back), slip_at=slip)
        commit()


def test_the_dashboard_shows_slips_and_missed_check_ins_as_counts(app, world):
    _alices_couple(app, world)
    alice = Browser(app).login(world.alice)
    page = alice.text("/dashboard")
    assert "Slips and missed check-ins (1)" in page
    assert "1 slip in the last 7 days" in page and "1 not told in the agreed time" in page
    assert "Riley Recovering missed 2 of the last 7 days." in page
    assert f"/couples/{world.couple_id}/check-ins" in page
    assert SECRET_TRIGGER not in page
    # Not Bob's couple, nor on Bob's dashboard.
    assert "Slips and missed check-ins" not in Browser(app).login(world.bob).text("/dashboard")


def test_a_couple_keeping_its_check_ins_raises_nothing(app, world):
    today = date.today()
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        _plan(couple, today - timedelta(days=3))
        for back in range(1, 4):
            _checkin(couple, today - timedelta(days=back))
        commit()
    page = Browser(app).login(world.alice).text("/dashboard")
    assert "Slips and missed check-ins" not in page


def test_an_archived_couples_check_ins_leave_the_dashboard(app, world):
    _alices_couple(app, world)
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        archive.archive(couple, couple.practitioner, "completed")
        commit()
    assert "Slips and missed check-ins" not in Browser(app).login(world.alice).text("/dashboard")


def _grow(app, world, count: int, tag: str) -> None:
    """More couples for Alice, each checking in daily with a missed day and a slip."""
    today = date.today()
    with app.app_context():
        alice = session.scalar(select(User).where(User.email == world.alice))
        program = session.get(Couple, world.couple_id).program
        for n in range(count):
            couple, _ = couples.create_couple(
                alice,
                program,
                [
                    couples.NewPartner(f"A{n}", f"a{n}-{tag}@example.org", "recovering"),
                    couples.NewPartner(f"B{n}", f"b{n}-{tag}@example.org", "hurt"),
                ],
            )
            _plan(couple, today - timedelta(days=9))
            for back in (1, 3, 4):
                slip = datetime.now(UTC) - timedelta(days=1) if back == 1 else None
                _checkin(couple, today - timedelta(days=back), slip_at=slip)
        commit()


def test_the_dashboards_query_count_does_not_grow_with_the_caseload(app, world):
    _alices_couple(app, world)
    alice = Browser(app).login(world.alice)

    def count() -> tuple[int, str]:
        with counted_queries(app) as statements:
            page = alice.text("/dashboard")
        return len(statements), page

    _grow(app, world, 2, "small")
    small, page = count()
    assert "Slips and missed check-ins (3)" in page
    _grow(app, world, 25, "large")
    large, page = count()
    assert "Slips and missed check-ins (28)" in page
    assert "The 10 most pressing of 28" in page
    assert small == large, (small, large)
