"""`flask --app practice demo` gives a practice worth exploring, and the printed logins work."""

from sqlalchemy import func, select

from practice.db import session
from practice.models import Assignment, Couple, Partner, Reflection, SessionNote
from tests.helpers.demo import LOGIN
from tests.helpers.people import Browser


def test_demo_fills_a_believable_practice_and_prints_working_logins(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    logins = {email: (role, password) for role, email, password in LOGIN.findall(result.output)}
    assert {"owner@example.org", "sam.okafor@example.org"} <= set(logins)
    assert sum(role.startswith("client") for role, _ in logins.values()) == 6

    with app.app_context():
        steps = sorted(session.scalars(select(Couple.current_step)))
        assert len(steps) == 3 and len(set(steps)) == 3, "three couples at different steps"
        statuses = dict(
            session.execute(
                select(Reflection.status, func.count()).group_by(Reflection.status)
            ).all()
        )
        assert statuses["submitted"] > 0 and statuses["draft"] > 0
        reviewed = session.scalar(select(func.count()).where(Reflection.reviewed_at.is_not(None)))
        waiting = session.scalar(
            select(func.count()).where(
                Reflection.status == "submitted", Reflection.reviewed_at.is_(None)
            )
        )
        assert reviewed > 0 and waiting > 0
        assert session.scalar(select(func.count(SessionNote.id))) == 1

    sam = Browser(app).login("sam.okafor@example.org", logins["sam.okafor@example.org"][1])
    dashboard = sam.text("/dashboard")
    assert "Alex &amp; Morgan" in dashboard and "Waiting for your review" in dashboard
    casey = Browser(app).login("casey@example.org", logins["casey@example.org"][1])
    assert "Draft saved" in casey.text("/my/")

    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "already here" in again.output
    with app.app_context():
        assert session.scalar(select(func.count(Couple.id))) == 3
    new_password = dict((e, p) for _, e, p in LOGIN.findall(again.output))["casey@example.org"]
    assert casey.get("/my/").status_code == 302, "the old password's sign-in has ended"
    Browser(app).login("casey@example.org", new_password)


def test_demo_couples_move_through_paced_steps_and_see_a_revealed_exercise(app, runner):
    from practice.services import pacing

    result = runner.invoke(args=["demo"])
    logins = {email: password for _role, email, password in LOGIN.findall(result.output)}
    with app.app_context():
        opened = {c.name: pacing.open_step(c) for c in session.scalars(select(Couple))}
    assert opened == {"Jordan & Casey": 1, "Priya & Tom": 3, "Alex & Morgan": 5}

    casey = Browser(app).login("casey@example.org", logins["casey@example.org"])
    home = casey.text("/my/")
    assert "Step 2: Ownership</strong>" in home and "Waiting for:" in home

    priya = Browser(app).login("priya@example.org", logins["priya@example.org"])
    with app.app_context():
        mine = session.scalar(
            select(Reflection.id)
            .join(Reflection.assignment)
            .join(Assignment.couple)
            .join(Reflection.author)
            .where(
                Assignment.reveal_together.is_(True),
                Couple.name == "Priya & Tom",
                Partner.program_role == "hurt",
            )
        )
    page = priya.text(f"/my/reflections/{mine}")
    assert "You have both submitted, so you both see both answers." in page
    assert "He did not say" in page and "my apology mattered less" in page
