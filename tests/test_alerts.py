"""Same-day alerts to the practitioner: risk words, a concerning safety screen, a reported
slip (and a measure's risk answer, recorded by that feature) each e-mail the couple's
practitioner once, in words that say nothing clinical and name nobody, whether `flask alerts`
or `send-reminders` runs, however often, and with two workers at once. Mail goes to a real
local SMTP server, as the reminders' does."""

import re
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice.db import commit, session
from practice.models import AlertEvent, Couple, Partner
from practice.services import alerts, safety
from practice.services import checkins as checkin_service
from tests.helpers.people import SAFE_ANSWERS, Browser, assign_exercises, build_world

BASE = "https://practice.example.org"
# Nothing clinical, nothing that names the couple, a partner or what happened.
CLINICAL = re.compile(
    r"risk|safety|safe\b|slip|suicid|harm|dead|danger|screen|reflection|check-in|couple|"
    r"partner|riley|harper|recover|hurt|urgent|crisis",
    re.IGNORECASE,
)


@pytest.fixture
def setup(mail_app):
    app, mailbox = mail_app
    app.config["PRACTICE_BASE_URL"] = BASE
    world = build_world(app)
    return app, mailbox, world


def run(app, *args, command="alerts"):
    return app.test_cli_runner().invoke(args=[command, *args])


def unsent(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(AlertEvent.id)).where(AlertEvent.sent_at.is_(None)))


def riley_writes(app, world, words: str) -> None:
    """Riley submits a reflection through the page, as a client would."""
    (assignment_id,) = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    riley = Browser(app).login(world.recovering)
    url = f"/my/assignments/{assignment_id}"
    assert riley.post(url, {"answer_0": words, "action": "submit"}).status_code == 302


def harper_answers_worried(app, world) -> None:
    with app.app_context():
        harper = session.get(Partner, world.hurt_id)
        safety.take_screen(harper, {**SAFE_ANSWERS, "hurt": True})
        commit()


def riley_reports_a_slip(app, world) -> int:
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        checkin_service.save_plan(
            couple,
            partner_id=world.recovering_id,
            frequency="daily",
            tell_within_hours=24,
            summary_for_partner=False,
            today=date.today() - timedelta(days=3),
        )
        now = datetime.now(UTC)
        data = checkin_service.CheckinInput(
            urges=6,
            triggers="A long day",
            handled="Told Harper",
            slip=True,
            slip_at=now - timedelta(hours=2),
            told=True,
            told_at=now - timedelta(hours=1),
            share=False,
        )
        checkin, _ = checkin_service.save_checkin(
            session.get(Partner, world.recovering_id),
            checkin_service.plan_for(couple),
            data,
            today=date.today(),
            now=now,
        )
        commit()
        return checkin.id


def test_each_event_reaches_the_practitioner_once_in_one_neutral_email(setup):
    app, mailbox, world = setup
    riley_writes(app, world, "Some nights I think they would be better off dead without me.")
    harper_answers_worried(app, world)
    riley_reports_a_slip(app, world)
    assert unsent(app) == 3

    result = run(app)
    assert result.exit_code == 0, result.output
    assert "1 alert for 1 person queued." in result.output
    assert "E-mail: 1 sent" in result.output
    (message,) = mailbox.messages
    assert message["To"] == "alice@example.org"
    assert not mailbox.to("bob@example.org") and not mailbox.to("owner@example.org")
    body = message.get_content()
    assert body.startswith("Hello Alice,")
    assert "Something needs your attention in Practice." in body
    assert f"{BASE}/dashboard" in body
    for shown in (message["Subject"], re.sub(r"https?://\S+", "", body)):
        assert not CLINICAL.search(shown), shown
    assert unsent(app) == 0

    again = run(app)
    assert again.exit_code == 0, again.output
    assert "0 alerts for 0 people queued." in again.output
    assert len(mailbox.messages) == 1, "an event is e-mailed once, however often this runs"


def test_a_second_thing_later_is_a_second_email_and_an_edit_is_not(setup):
    app, mailbox, world = setup
    checkin_id = riley_reports_a_slip(app, world)
    run(app)
    assert len(mailbox.messages) == 1
    with app.app_context():  # Riley edits the same check-in: still the one slip
        couple = session.get(Couple, world.couple_id)
        alerts.record(alerts.SLIP, couple, checkin_id)
        commit()
    run(app)
    assert len(mailbox.messages) == 1
    harper_answers_worried(app, world)
    run(app)
    assert len(mailbox.messages) == 2


def test_send_reminders_sends_the_alerts_too(setup):
    app, mailbox, world = setup
    harper_answers_worried(app, world)
    result = run(app, command="send-reminders")
    assert result.exit_code == 0, result.output
    assert "1 alert for 1 person queued." in result.output
    assert len(mailbox.to("alice@example.org")) == 1
    assert "0 alerts for 0 people queued." in run(app).output


def test_a_dry_run_counts_and_sends_nothing(setup):
    app, mailbox, world = setup
    harper_answers_worried(app, world)
    riley_reports_a_slip(app, world)
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "1 person would get an alert (2 events); nothing was sent." in result.output
    assert not mailbox.messages
    assert unsent(app) == 2


def test_a_calm_screen_and_ordinary_words_raise_no_alert(setup):
    app, mailbox, world = setup
    riley_writes(app, world, "A quiet week; we walked by the river on Sunday.")
    with app.app_context():
        safety.take_screen(session.get(Partner, world.hurt_id), dict(SAFE_ANSWERS))
        commit()
    assert unsent(app) == 0
    assert "0 alerts for 0 people queued." in run(app).output
    assert not mailbox.messages


def test_without_a_public_address_or_mail_it_says_what_to_set(setup):
    app, _mailbox, world = setup
    harper_answers_worried(app, world)
    app.config["PRACTICE_BASE_URL"] = None
    result = run(app)
    assert result.exit_code == 1
    assert "No alert can link to the site" in result.output
    app.config["PRACTICE_BASE_URL"] = BASE
    app.config["PRACTICE_MAIL_SERVER"] = None
    result = run(app)
    assert result.exit_code == 1
    assert "Mail is off: set PRACTICE_MAIL_SERVER to send alerts." in result.output
    assert unsent(app) == 1, "nothing was marked sent"


def test_two_workers_at_once_send_each_alert_once(setup, new_app):
    """Worker one has read what is due; worker two sends it meanwhile; worker one's claim
    then finds nothing left, and sends nothing."""
    app, mailbox, world = setup
    harper_answers_worried(app, world)
    # Another worker of the same site: same database, same instance folder (and keys).
    other = new_app(
        app.config["PRACTICE_DATABASE_URL"],
        Path(app.instance_path).parent,
        PRACTICE_MAIL_SERVER=app.config["PRACTICE_MAIL_SERVER"],
        PRACTICE_MAIL_PORT=app.config["PRACTICE_MAIL_PORT"],
        PRACTICE_BASE_URL=BASE,
    )
    with app.app_context():
        (due,) = alerts.due_alerts()
        session.rollback()
        outcome = {}
        thread = threading.Thread(target=lambda: outcome.update(result=run(other)))
        thread.start()
        thread.join(30)
        assert "1 alert for 1 person queued." in outcome["result"].output
        assert alerts.claim(due) == 0, "the other worker has sent it"
        session.rollback()
    assert len(mailbox.messages) == 1
    assert "0 alerts for 0 people queued." in run(app).output
    assert len(mailbox.messages) == 1
