"""`flask --app practice seed-load` fills a database with a synthetic practice that keeps the
app's rules, encrypted as the app encrypts, whose printed accounts sign in through the forms;
it refuses a database with real people in it and sizes that make no practice."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import commit, session
from practice.encryption import keyring
from practice.encryption.rotation import unreadable_with
from practice.models import (
    AssignmentStatus,
    AuditEntry,
    Checkin,
    CheckinPlan,
    Couple,
    Exercise,
    Feedback,
    Partner,
    Program,
    Reflection,
    ReflectionStatus,
    Repeat,
    ReviewWaiting,
    Role,
    SessionNote,
    Step,
    StepOpening,
    User,
)
from practice.seeding import DEFAULT_PASSWORD, MAX_REFLECTIONS_PER_COUPLE, SEED_DOMAIN
from practice.services import accounts, pacing
from practice.services.risk import risk_terms
from tests.helpers.crawl import crawl, endpoint_of
from tests.helpers.people import Browser

SMALL = ["seed-load", "--practitioners", "2", "--couples", "20", "--reflections", "300"]
TINY = ["seed-load", "--practitioners", "1", "--couples", "2", "--reflections", "10"]
# "  practitioner  practitioner-001@seed.example  <password>", as the command prints them.
LOGIN = re.compile(r"^  (practitioner|client|owner)\s+(\S+@seed\.example)\s+(\S+)$", re.MULTILINE)


def _seed(runner, args=SMALL):
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    logins = {role: (email, password) for role, email, password in LOGIN.findall(result.stdout)}
    couple_id = int(re.search(r"\(/couples/(\d+)\)", result.stdout).group(1))
    return result, logins, couple_id


def _counts() -> dict:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model))
        for model in (User, Couple, Partner, Reflection, SessionNote, AuditEntry, Program, Step)
    }


def test_a_small_seed_makes_active_couples_of_two_on_paced_steps(app, runner):
    result, logins, _ = _seed(runner)
    assert set(logins) == {"practitioner", "client", "owner"}
    assert {password for _, password in logins.values()} == {DEFAULT_PASSWORD}

    with app.app_context():
        users = session.scalars(select(User)).all()
        assert all(u.email.endswith("@" + SEED_DOMAIN) and u.is_active for u in users)
        assert sum(u.role == Role.PRACTITIONER for u in users) == 2
        assert sum(u.role == Role.OWNER for u in users) == 1
        assert users[0].check_password(DEFAULT_PASSWORD)

        couples = session.scalars(
            select(Couple).options(selectinload(Couple.partners).selectinload(Partner.user))
        ).all()
        assert len(couples) == 20
        loads = sorted(
            session.scalars(select(func.count(Couple.id)).group_by(Couple.practitioner_id))
        )
        assert loads == [9, 11], "shared unevenly"
        for couple in couples:
            assert [p.program_role for p in couple.partners] == ["recovering", "hurt"]
            for partner in couple.partners:
                assert partner.user.role == Role.CLIENT
                assert partner.agreed_policy_text == couple.policy_text != ""
                assert partner.agreed_at is not None and partner.screened_at is not None
            # Steps open in order; the open one is not yet done, or it would have opened
            # the next.
            assert pacing.open_step(couple) == couple.current_step
            if couple.current_step < 7:
                assert not pacing.remaining(couple, couple.current_step).done

        openings = session.scalars(select(StepOpening)).all()
        assert len(openings) == sum(c.current_step - 1 for c in couples)

        created = session.scalar(select(func.count()).where(AuditEntry.action == "couple.created"))
        assert created == 20
    assert "reflections" in result.stdout and "300" in result.stdout


def test_seeded_reflections_come_in_every_state_and_keep_the_rules(app, runner):
    _seed(runner)
    with app.app_context():
        now = datetime.now(UTC)
        reflections = session.scalars(
            select(Reflection).options(
                selectinload(Reflection.assignment),
                selectinload(Reflection.author).selectinload(Partner.couple),
                selectinload(Reflection.feedback),
            )
        ).all()
        assert len(reflections) == 300
        for r in reflections:
            a, couple = r.assignment, r.author.couple
            assert a.couple_id == couple.id and a.is_for(r.author.program_role)
            assert a.step_position <= couple.current_step
            assert (r.status == ReflectionStatus.SUBMITTED) == (r.submitted_at is not None)
            assert r.created_at <= r.updated_at <= now
            if r.reviewed_at is not None:
                assert r.is_submitted and r.submitted_at <= r.reviewed_at <= now
                assert r.reviewed_by_id == couple.practitioner_id
            else:
                assert r.reviewed_by_id is None
            assert not r.feedback or r.is_submitted
            assert r.risk_terms == (risk_terms(*r.answers) if r.is_submitted else [])
            assert r.mentions_risk == bool(r.risk_terms)
            assert len(r.answers) == len(a.prompts)
            if a.repeat == Repeat.ONCE:
                assert r.occurrence == a.starts_on
            else:
                assert (r.occurrence - a.starts_on).days % 7 == 0
            if r.shared_with_partner:
                assert not privacy.answered_alone(a)
            if not r.is_submitted:
                assert a.status == AssignmentStatus.ACTIVE

        kinds = {
            "draft": [r for r in reflections if not r.is_submitted],
            "waiting": [r for r in reflections if r.is_submitted and not r.reviewed_at],
            "reviewed": [r for r in reflections if r.reviewed_at],
            "with feedback": [r for r in reflections if r.feedback],
            "shared": [r for r in reflections if r.is_submitted and r.shared_with_partner],
            "private": [r for r in reflections if r.is_submitted and not r.shared_with_partner],
            "answered alone": [r for r in reflections if privacy.answered_alone(r.assignment)],
            "weekly": [r for r in reflections if r.assignment.repeat == Repeat.WEEKLY],
        }
        assert [kind for kind, found in kinds.items() if not found] == []
        # The queue's own rows (practice.services.waiting) are exactly the waiting ones.
        rows = session.execute(
            select(
                ReviewWaiting.reflection_id, ReviewWaiting.practitioner_id, ReviewWaiting.queue_rank
            )
        ).all()
        assert sorted(map(tuple, rows)) == sorted(
            (r.id, r.assignment.couple.practitioner_id, 0 if r.mentions_risk else 1)
            for r in kinds["waiting"]
        )


def test_seeded_session_notes_and_check_ins_keep_the_rules(app, runner):
    _seed(runner)
    with app.app_context():
        now = datetime.now(UTC)
        notes = session.scalars(
            select(SessionNote).options(
                selectinload(SessionNote.attendees),
                selectinload(SessionNote.reflections).selectinload(Reflection.assignment),
                selectinload(SessionNote.couple),
            )
        ).all()
        signed = [n for n in notes if n.is_signed]
        assert len(signed) == 40, "two signed notes a couple"
        for note in notes:
            assert note.practitioner_id == note.couple.practitioner_id
            assert note.attendees and all(p.couple_id == note.couple_id for p in note.attendees)
            if note.kind == "individual":
                assert [p.id for p in note.attendees] == [note.individual_partner_id]
            assert all(text.strip() for _, _, text in note.section_items())
            for reflection in note.reflections:
                assert reflection.assignment.couple_id == note.couple_id
                assert reflection.submitted_at < note.starts_at
        for note in signed:
            assert note.signed_by_id == note.practitioner_id
            assert note.starts_at < note.signed_at <= now
            assert len(note.snapshot["steps"]) == 7 and note.snapshot["partners"]
        assert all(n.snapshot is None and n.signed_by_id is None for n in notes if not n.is_signed)

        plans = {p.couple_id: p for p in session.scalars(select(CheckinPlan))}
        checkins = session.scalars(select(Checkin)).all()
        assert checkins and plans
        for checkin in checkins:
            plan = plans[checkin.couple_id]
            assert checkin.partner_id == plan.partner_id
            if checkin.frequency == "weekly":
                assert checkin.period_start.weekday() == 0
            assert checkin.created_at <= now
            if checkin.told_at is not None:
                assert checkin.slip and checkin.slip_at <= checkin.told_at


def test_what_people_wrote_is_encrypted_at_rest_and_reads_back_through_the_models(app, runner):
    _seed(runner)
    with app.app_context():
        ring = keyring()
        rows = session.execute(
            text("SELECT id, answers, risk_terms FROM practice_reflections ORDER BY id LIMIT 20")
        ).all()
        for reflection_id, raw_answers, raw_terms in rows:
            words = session.get(Reflection, reflection_id).answers
            assert words and all(isinstance(answer, str) for answer in words)
            assert raw_answers.startswith("gAAAAA") and words[0][:20] not in raw_answers
            assert json.loads(ring.decrypt(raw_answers)) == words
            assert raw_terms.startswith("gAAAAA")
        # One token per value, as the app writes them: even the empty lists differ.
        tokens = session.scalars(text("SELECT risk_terms FROM practice_reflections")).all()
        assert len(set(tokens)) == len(tokens) == 300

        raw_body = session.scalar(text("SELECT body FROM practice_feedback ORDER BY id LIMIT 1"))
        body = session.scalar(select(Feedback.body).order_by(Feedback.id).limit(1))
        assert body and body not in raw_body and ring.decrypt(raw_body).decode() == body
        raw_note = session.scalar(
            text("SELECT sections FROM practice_session_notes ORDER BY id LIMIT 1")
        )
        sections = session.scalar(select(SessionNote.sections).order_by(SessionNote.id).limit(1))
        assert json.loads(ring.decrypt(raw_note)) == sections
        assert not any(text in raw_note for text in sections.values())
        # Every encrypted column of every table reads with the app's current key.
        assert unreadable_with(ring.current) == []


def test_the_printed_accounts_sign_in_and_every_page_they_reach_answers(app, runner):
    _, logins, couple_id = _seed(runner)
    email, password = logins["practitioner"]
    practitioner = Browser(app).login(email, password)
    for url in ("/dashboard", "/review/", f"/couples/{couple_id}"):
        assert practitioner.get(url).status_code == 200, url
    with app.app_context():
        couple = session.get(Couple, couple_id)
        assert couple.practitioner.email == email
        assert logins["client"][0] in {p.user.email for p in couple.partners}
        note_id = session.scalar(
            select(SessionNote.id)
            .where(SessionNote.couple_id == couple_id, SessionNote.signed_at.is_not(None))
            .limit(1)
        )
    # The signed snapshot is what the session PDF draws its progress and chart from.
    pdf = practitioner.get(f"/sessions/{note_id}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    reached = _endpoints(app, practitioner, "/dashboard")
    assert {
        "practice.caseload.couple",
        "practice.review.reflection",
        "practice.sessions.view",
        "practice.sessions.record",
        "practice.checkins.caseload.couple_checkins",
    } <= reached

    client = Browser(app).login(*logins["client"])
    assert client.get("/my/").status_code == 200, "no safety screen or agreement to answer first"
    reached = _endpoints(app, client, "/my/")
    assert {"practice.client.assignment", "practice.client.reflection"} <= reached
    owner = Browser(app).login(*logins["owner"])
    assert "practice.audit.log" in _endpoints(app, owner, "/")


def _endpoints(app, browser, start) -> set[str]:
    """Every kind of page a walk from ``start`` reaches (it fails on any 500)."""
    return {endpoint_of(app, page) for page in crawl(browser.client, start, per_endpoint=1).pages}


def test_a_database_with_real_people_is_refused_and_left_as_it_was(app, runner, world):
    with app.app_context():
        before = _counts()
    refused = runner.invoke(args=TINY)
    assert refused.exit_code != 0
    assert "real people" in refused.output and "--yes-add-to-real-data" in refused.output
    assert "Nothing was written" in refused.output
    with app.app_context():
        assert _counts() == before

    _, logins, _ = _seed(runner, [*TINY, "--yes-add-to-real-data"])
    assert "owner" not in logins, "the practice's own owner stays its only owner"
    with app.app_context():
        assert session.scalar(select(func.count()).where(User.role == Role.OWNER)) == 1
        assert session.scalar(select(func.count()).where(User.email.like("%@example.org"))) == 7


def test_seeding_again_adds_new_people_and_the_app_keeps_adding_after_them(app, runner):
    _, first, _ = _seed(runner, TINY)
    _, second, _ = _seed(runner, TINY)
    assert "owner" not in second
    assert first["practitioner"][0] != second["practitioner"][0]
    with app.app_context():
        assert session.scalar(select(func.count(Couple.id))) == 4
        # The ids seed-load handed out are behind the app's own from now on.
        user, _token = accounts.add_practitioner("Pat New", "pat@seed.example")
        commit()
        assert user.id == session.scalar(select(func.max(User.id)))


def test_the_founding_program_is_loaded_when_missing(app, runner):
    with app.app_context():
        for model in (Exercise, Step, Program):
            session.execute(delete(model))
        commit()
    _seed(runner, TINY)
    with app.app_context():
        program = session.scalar(select(Program))
        assert program.slug == "rebuilding-trust" and len(program.steps) == 7


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--practitioners", "0", "--couples", "5"], "--practitioners must be at least 1"),
        (["--practitioners", "-2", "--couples", "5"], "--practitioners must be at least 1"),
        (["--practitioners", "1", "--couples", "0"], "--couples must be at least 1"),
        (["--practitioners", "1", "--couples", "-10"], "--couples must be at least 1"),
        (["--practitioners", "4", "--couples", "3"], "--couples must be at least --practitioners"),
        (
            ["--practitioners", "1", "--couples", "10", "--reflections", "19"],
            "--reflections must be at least 2 per couple, 20 for 10 couples (got 19)",
        ),
        (
            ["--practitioners", "1", "--couples", "1", "--reflections", "0"],
            "--reflections must be at least 2 per couple",
        ),
        (
            ["--practitioners", "1", "--couples", "1", "--reflections", "100000"],
            f"--reflections can be at most {MAX_REFLECTIONS_PER_COUPLE} per couple",
        ),
        (["--couples", "ten"], "'ten' is not a valid integer"),
        (
            ["--practitioners", "1", "--couples", "1", "--reflections", "2", "--password", "abc"],
            "--password: Use at least 10 characters",
        ),
        (
            ["--practitioners", "1", "--couples", "1", "--reflections", "2"]
            + ["--password", "password1234"],
            "--password: This password would be easy to guess",
        ),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(app, runner, options, message):
    result = runner.invoke(args=["seed-load", *options])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert session.scalar(select(func.count(User.id))) == 0


def test_timestamps_lie_in_the_past(app, runner):
    """Nothing seeded happens in the future, whatever the time of day the seed runs."""
    _seed(runner)
    with app.app_context():
        soon = datetime.now(UTC) + timedelta(seconds=1)
        for column in (
            AuditEntry.at,
            Reflection.updated_at,
            Feedback.created_at,
            SessionNote.updated_at,
            Checkin.created_at,
            StepOpening.opened_at,
        ):
            assert session.scalar(select(func.max(column))) <= soon, column


def test_on_postgresql_the_planner_knows_the_seeded_tables(app, runner):
    """A bulk load leaves the planner guessing until ANALYZE (and autovacuum may be off):
    seed-load gathers the statistics itself."""
    with app.app_context():
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("statistics after a bulk load are PostgreSQL's")
    _seed(runner)
    with app.app_context():
        analysed = set(
            session.scalars(
                text("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema()")
            )
        )
    assert {"practice_reflections", "practice_review_waiting", "practice_couples"} <= analysed
