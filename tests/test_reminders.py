"""`flask send-reminders`: one discreet e-mail a day at most, never twice for the same thing,
none for people who turned them off, and a failed send kept in the outbox and sent by a
later run. Reminders go through the outbox like every mail; the command drains it. Mail
goes to a real local SMTP server."""

import re
import socket
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from practice.db import commit, session
from practice.models import Couple, Exercise, Partner, ReminderSent, User
from practice.services import assignments, clock
from practice.services import checkins as checkin_service
from tests.helpers.mailing import retries_due
from tests.helpers.people import Browser, build_world

BASE = "https://practice.example.org"
# Words that would tell whoever sees a lock screen what this is about.
FORBIDDEN = re.compile(
    r"therap|counsel|couple|partner|addict|porn|recover|exercise|homework|session|"
    r"check-in|checkin|slip|trust|relationship|marri|sex|harbour|practice|"
    r"reflection|program|step",
    re.IGNORECASE,
)


@pytest.fixture
def setup(mail_app):
    app, mailbox = mail_app
    app.config["PRACTICE_BASE_URL"] = BASE
    world = build_world(app)
    return app, mailbox, world


def assign_due_today(app, world, slug=None, audience="both", repeat="daily"):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        query = select(Exercise).order_by(Exercise.id)
        if slug:
            query = query.where(Exercise.slug == slug)
        exercise = session.scalars(query).first()
        made = assignments.assign(
            couple,
            [exercise],
            audience=audience,
            repeat=repeat,
            due_on=date.today() if repeat == "once" else None,
            note="",
            by=couple.practitioner,
            today=date.today() - timedelta(days=1),
        )
        commit()
        return made[0].id


def run(app, *args):
    return app.test_cli_runner().invoke(args=["send-reminders", *args])


def reminders_recorded(app) -> int:
    with app.app_context():
        return session.scalar(select(func.count(ReminderSent.id)))


def test_each_person_with_something_due_gets_one_email_and_a_second_run_sends_none(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    assign_due_today(app, world, repeat="once")
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "2 reminders for 2 people queued." in result.output
    assert "E-mail: 2 sent, 0 to try again later, 0 given up" in result.output
    assert len(mailbox.to(world.recovering)) == 1
    assert len(mailbox.to(world.hurt)) == 1
    assert not mailbox.to(world.outsider), "nothing is due for the other couple"
    again = run(app)
    assert again.exit_code == 0
    assert "0 reminders for 0 people queued." in again.output
    assert "E-mail: 0 sent" in again.output
    assert len(mailbox.messages) == 2


def test_reminder_wording_says_nothing_on_a_lock_screen(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    run(app)
    assert mailbox.messages
    for message in mailbox.messages:
        subject = message["Subject"]
        body = message.get_content()
        text_without_links = re.sub(r"https?://\S+", "", body)
        assert not FORBIDDEN.search(subject), subject
        assert not FORBIDDEN.search(text_without_links), text_without_links
        assert f"{BASE}/my/" in body
        assert f"{BASE}/my/reminders" in body


def test_the_greeting_uses_only_the_persons_own_first_name(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    run(app)
    (riley_mail,) = mailbox.to(world.recovering)
    body = riley_mail.get_content()
    assert body.startswith("Hello Riley,")
    assert "Harper" not in body and "Recovering" not in body


def test_a_new_thing_the_same_day_waits_for_tomorrow_and_old_things_are_never_repeated(setup):
    app, mailbox, world = setup
    assign_due_today(app, world, repeat="once")
    run(app)
    assert len(mailbox.messages) == 2
    assign_due_today(app, world, slug="small-victories", repeat="once")
    run(app)
    assert len(mailbox.messages) == 2, "one e-mail a day at most"
    with app.app_context():  # the day is over: yesterday's records
        session.execute(update(ReminderSent).values(day=ReminderSent.day - timedelta(days=1)))
        commit()
    result = run(app)
    assert "2 reminders for 2 people queued" in result.output, "the new thing is reminded of"
    run(app)
    with app.app_context():  # another day: only already-reminded things remain
        session.execute(update(ReminderSent).values(day=ReminderSent.day - timedelta(days=1)))
        commit()
    assert "0 reminders for 0 people queued" in run(app).output
    assert len(mailbox.messages) == 4


def test_people_who_turned_reminders_off_get_none(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    harper = Browser(app).login(world.hurt)
    response = harper.post("/my/reminders", {})  # the box left unticked
    assert response.status_code == 302
    assert "Reminders are off" in harper.text("/my/reminders")
    result = run(app)
    assert "1 reminder for 1 person queued." in result.output
    assert not mailbox.to(world.hurt)
    assert len(mailbox.to(world.recovering)) == 1
    harper.post("/my/reminders", {"wanted": "y"})
    run(app)
    assert len(mailbox.to(world.hurt)) == 1


def test_a_failed_send_stays_in_the_outbox_and_a_later_run_sends_it_once(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    port = app.config["PRACTICE_MAIL_PORT"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app.config["PRACTICE_MAIL_PORT"] = closed
    failed = run(app)
    assert failed.exit_code == 1
    assert "2 reminders for 2 people queued." in failed.output
    assert "E-mail: 0 sent, 2 to try again later" in failed.output
    app.config["PRACTICE_MAIL_PORT"] = port
    retries_due(app)
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "0 reminders for 0 people queued." in result.output, "never queued twice"
    assert "E-mail: 2 sent, 0 to try again later" in result.output
    assert len(mailbox.messages) == 2


def test_a_check_in_due_today_is_reminded_until_it_is_in(setup):
    app, mailbox, world = setup
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        checkin_service.save_plan(
            couple,
            partner_id=world.recovering_id,
            frequency="daily",
            tell_within_hours=24,
            summary_for_partner=True,
            today=date.today(),
        )
        commit()
    result = run(app)
    assert "1 reminder for 1 person queued" in result.output
    assert len(mailbox.to(world.recovering)) == 1
    assert not mailbox.to(world.hurt), "only the person who checks in"


def test_a_check_in_already_done_today_needs_no_reminder(setup):
    app, mailbox, world = setup
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        plan = checkin_service.save_plan(
            couple,
            partner_id=world.recovering_id,
            frequency="daily",
            tell_within_hours=24,
            summary_for_partner=False,
            today=date.today(),
        )
        partner = session.get(Partner, world.recovering_id)
        today = date.today()
        checkin_service.save_checkin(
            partner,
            plan,
            checkin_service.CheckinInput(3, "", "", False, None, False, None),
            today=today,
            now=datetime.now(UTC),
        )
        commit()
    assert "0 reminders for 0 people queued" in run(app).output


def test_the_day_follows_the_persons_time_zone(setup):
    app, _mailbox, world = setup
    assign_due_today(app, world)
    with app.app_context():
        for email, zone in ((world.recovering, "Pacific/Kiritimati"), (world.hurt, "Etc/GMT+12")):
            session.scalar(select(User).where(User.email == email)).timezone = zone
        commit()
    run(app)
    with app.app_context():
        for email in (world.recovering, world.hurt):
            user = session.scalar(select(User).where(User.email == email))
            days = set(
                session.scalars(select(ReminderSent.day).where(ReminderSent.user_id == user.id))
            )
            assert days == {clock.today_for(user)}


# --- bad input: the command's settings ---------------------------------------------


@pytest.mark.parametrize(
    ("base", "message"),
    [
        (None, "set PRACTICE_BASE_URL"),
        ("", "set PRACTICE_BASE_URL"),
        ("practice.example.org", "must start with https://"),
        ("ftp://practice.example.org", "must start with https://"),
    ],
)
def test_without_a_usable_base_url_it_says_so_and_sends_nothing(setup, base, message):
    app, mailbox, world = setup
    assign_due_today(app, world)
    app.config["PRACTICE_BASE_URL"] = base
    result = run(app)
    assert result.exit_code == 1
    assert message in result.output
    assert not mailbox.messages and reminders_recorded(app) == 0


def test_with_mail_off_it_says_so_and_records_nothing(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    app.config["PRACTICE_MAIL_SERVER"] = None
    result = run(app)
    assert result.exit_code == 1 and "Mail is off" in result.output
    assert reminders_recorded(app) == 0


def test_an_unknown_option_is_refused(setup):
    app, mailbox, _world = setup
    result = run(app, "--all")
    assert result.exit_code == 2 and "No such option" in result.output
    assert not mailbox.messages


def test_a_dry_run_counts_and_sends_nothing(setup):
    app, mailbox, world = setup
    assign_due_today(app, world)
    result = run(app, "--dry-run")
    assert result.exit_code == 0 and "2 people would get a reminder" in result.output
    assert not mailbox.messages and reminders_recorded(app) == 0
