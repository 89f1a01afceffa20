"""The audit trail: who read or changed which client record, when and from where.

It never holds what clients or practitioners wrote, and nothing can change or delete an
entry: not the ORM, not raw SQL, not any route of the app.
"""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from flask import url_for
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from practice.audit import reads
from practice.db import commit, session
from practice.models import AuditEntry, Couple, Reflection, SessionNote, User
from practice.services import audit, review, sessions
from practice.services.audit import AuditLogIsAppendOnly
from tests.helpers.audit import entries
from tests.helpers.database import counted_queries
from tests.helpers.people import PASSWORD, Browser, assign_exercises, record_session

SECRET = "Only-for-my-therapist 🌱 קשה"
COLUMNS = [c.name for c in AuditEntry.__table__.columns]


def user_id(app, email) -> int:
    with app.app_context():
        return session.scalar(select(User.id).where(User.email == email))


def assert_no_secret(app) -> None:
    for row in entries(app):
        assert not any(SECRET[:10] in str(value) for value in row.values()), row


# --- record() -----------------------------------------------------------------------------


def test_recorded_sign_ins_keep_who_and_where_even_after_a_rename(app, world):
    with app.test_request_context(
        "/login", environ_base={"REMOTE_ADDR": "203.0.113.9"}, headers={"User-Agent": "Tester/1"}
    ):
        alice = session.scalar(select(User).where(User.email == world.alice))
        audit.record("signin.succeeded", user=alice)
        audit.record("signin.failed", detail="unknown e-mail")
        commit()
        alice.name = "Alice Renamed"
        commit()

    succeeded = entries(app, action="signin.succeeded")
    assert len(succeeded) == 1
    row = succeeded[0]
    assert (row["user_id"], row["user_name"], row["user_role"]) == (
        user_id(app, world.alice),
        "Alice Adler",
        "practitioner",
    )
    assert (row["ip"], row["user_agent"]) == ("203.0.113.9", "Tester/1")
    assert row["at"].tzinfo is not None
    assert abs((datetime.now(UTC) - row["at"]).total_seconds()) < 120
    failed = entries(app, action="signin.failed")
    assert len(failed) == 1
    assert failed[0]["user_id"] is None and failed[0]["detail"] == "unknown e-mail"
    # The rename is itself a change of a user record, by column name only.
    renamed = entries(app, action="user.updated", subject_id=user_id(app, world.alice))
    assert renamed[-1]["detail"] == "changed: name"


def test_record_outside_a_request_names_nobody(app, world):
    with app.app_context():
        audit.record("program.loaded", subject="couple", subject_id=world.couple_id)
        commit()
    (row,) = entries(app, action="program.loaded")
    assert row["user_id"] is None and row["ip"] == "" and row["couple_id"] == world.couple_id


# --- reads ----------------------------------------------------------------------------------


def test_opening_a_couple_records_who_what_and_where(app, world):
    alice = Browser(app).login(world.alice)
    assert alice.get(f"/couples/{world.couple_id}").status_code == 200
    (row,) = entries(app, action="couple.viewed")
    assert row["user_id"] == user_id(app, world.alice)
    assert (row["user_name"], row["user_role"]) == ("Alice Adler", "practitioner")
    assert (row["subject"], row["subject_id"], row["couple_id"]) == (
        "couple",
        world.couple_id,
        world.couple_id,
    )
    assert row["ip"] == "127.0.0.1" and row["user_agent"].startswith("Werkzeug")


def test_a_page_out_of_reach_records_nothing(app, world):
    bob = Browser(app).login(world.bob)
    assert bob.get(f"/couples/{world.couple_id}").status_code == 404
    assert entries(app, action="couple.viewed") == []


def test_reading_reflections_and_downloading_pdfs_is_recorded_with_the_couple(app, populated):
    ids = populated
    harper = Browser(app).login(ids["emails"]["harper"])
    assert harper.get(f"/my/reflections/{ids['shared']}").status_code == 200
    assert harper.get("/my/shared").status_code == 200
    alice = Browser(app).login(ids["emails"]["alice"])
    assert alice.get(f"/review/{ids['private']}").status_code == 200
    assert alice.get(f"/sessions/{ids['session']}/pdf").status_code == 200
    assert alice.get(f"/couples/{ids['couple']}/record/pdf").status_code == 200

    harper_id = user_id(app, ids["emails"]["harper"])
    alice_id = user_id(app, ids["emails"]["alice"])
    got = {
        (r["user_id"], r["action"], r["subject"], r["subject_id"], r["couple_id"])
        for r in entries(app)
        if r["action"].endswith((".viewed", ".downloaded"))
    }
    c = ids["couple"]
    assert got == {
        (harper_id, "reflection.viewed", "reflection", ids["shared"], c),
        (harper_id, "shared.viewed", "couple", None, c),
        (alice_id, "reflection.viewed", "reflection", ids["private"], c),
        (alice_id, "session.downloaded", "session", ids["session"], c),
        (alice_id, "record.downloaded", "couple", c, c),
    }


def test_every_page_that_may_show_client_records_is_classified(app):
    endpoints = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    classified = set(reads.READS) | set(reads.NOT_AUDITED)
    unclassified = {
        name for name in endpoints if not name.startswith(reads.OUTSIDE) and name not in classified
    }
    assert not unclassified, f"add these to READS or NOT_AUDITED: {sorted(unclassified)}"
    assert not set(reads.READS) & set(reads.NOT_AUDITED)
    assert classified <= set(endpoints), "the table names a route that no longer exists"
    for name, read in reads.READS.items():
        assert "GET" in endpoints[name].methods
        assert read.key is None or read.key in endpoints[name].arguments, name


# --- changes ---------------------------------------------------------------------------------


def test_a_submitted_reflection_is_recorded_by_column_names_never_its_text(app, world):
    (assignment_id,) = assign_exercises(
        app, world.couple_id, "finding-the-right-amount", audience="both"
    )
    riley = Browser(app).login(world.recovering)
    url = f"/my/assignments/{assignment_id}"
    answers = {"answer_0": SECRET, "answer_1": "", "answer_2": ""}
    assert riley.post(url, {**answers, "action": "save"}).status_code == 302
    assert riley.post(url, {**answers, "answer_1": SECRET, "action": "submit"}).status_code == 302

    with app.app_context():
        reflection_id = session.scalar(select(Reflection.id))
    rows = entries(app, subject="reflection", subject_id=reflection_id)
    riley_id = user_id(app, world.recovering)
    assert rows[0]["action"] == "reflection.created"
    assert {r["action"] for r in rows[1:]} == {"reflection.updated"}
    assert {(r["user_id"], r["couple_id"]) for r in rows} == {(riley_id, world.couple_id)}
    changed = rows[-1]["detail"]
    assert "answers" in changed and "status" in changed and "submitted_at" in changed
    assert entries(app, action="assignment.created", couple_id=world.couple_id)
    assert_no_secret(app)


def test_feedback_is_recorded_with_its_couple_and_without_its_words(app, populated):
    ids = populated
    with app.app_context():
        reflection = session.get(Reflection, ids["shared"])
        alice = session.get(User, ids["alice"])
        review.respond(
            reflection, alice, feedback=SECRET, mark_reviewed=True, flag_for_session=False
        )
        commit()
    (row,) = entries(app, action="feedback.created")
    assert row["couple_id"] == ids["couple"]
    assert entries(app, action="reflection.updated", subject_id=ids["shared"])
    assert_no_secret(app)


def test_signing_a_session_is_recorded_once_as_a_signature(app, world):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note_id = record_session(couple, couple.practitioner, sections={"note": SECRET}).id
        commit()
    created = entries(app, action="session.created", subject_id=note_id)
    assert len(created) == 1 and created[0]["couple_id"] == world.couple_id
    alice = Browser(app).login(world.alice)
    response = alice.post(
        f"/sessions/{note_id}/sign", {"password": PASSWORD}, form_url=f"/sessions/{note_id}"
    )
    assert response.status_code == 302
    with app.app_context():
        assert session.get(SessionNote, note_id).is_signed
    (signed,) = entries(app, action="session.signed")
    assert signed["user_id"] == user_id(app, world.alice)
    assert (signed["subject_id"], signed["couple_id"]) == (note_id, world.couple_id)
    assert "signed_at" in signed["detail"]
    assert entries(app, action="session.updated", subject_id=note_id) == []
    assert_no_secret(app)


def test_an_addendum_and_a_step_change_are_recorded_with_their_couple(app, world):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        note = record_session(couple, couple.practitioner)
        sessions.sign(note, couple.practitioner, PASSWORD)
        sessions.add_addendum(note, couple.practitioner, SECRET, PASSWORD)
        couple.current_step = 2
        commit()
    (added,) = entries(app, action="addendum.created")
    assert added["couple_id"] == world.couple_id
    (moved,) = entries(app, action="couple.updated")
    assert (moved["subject_id"], moved["detail"]) == (world.couple_id, "changed: current_step")
    assert_no_secret(app)


# --- append-only ----------------------------------------------------------------------------


@pytest.fixture
def one_entry(app, world):
    with app.app_context():
        audit.record("couple.viewed", subject="couple", subject_id=world.couple_id)
        commit()
    return entries(app)


def test_the_orm_refuses_to_change_or_delete_an_entry(app, one_entry):
    with app.app_context():
        entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        entry.detail = "rewritten"
        with pytest.raises(AuditLogIsAppendOnly):
            commit()
        entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
        session.delete(entry)
        with pytest.raises(AuditLogIsAppendOnly):
            commit()
        with pytest.raises(AuditLogIsAppendOnly):
            session.execute(update(AuditEntry).values(detail="rewritten"))
        session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            session.execute(delete(AuditEntry))
        session.rollback()
    assert entries(app) == one_entry


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE practice_audit_entries SET detail = 'rewritten'",
        "UPDATE practice_audit_entries SET at = at",
        "DELETE FROM practice_audit_entries",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(app, one_entry, statement):
    with app.app_context():
        engine = app.extensions["practice"].db.engine
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text("TRUNCATE practice_audit_entries"))
    assert entries(app) == one_entry


# Statements that rewrite an entry by inserting over it: SQLite's REPLACE deletes the row it
# conflicts with without firing the delete trigger; an upsert updates it.
_OVER_IT = (
    "(id, at, user_id, user_name, user_role, ip, user_agent, action, subject, subject_id, "
    "couple_id, detail) SELECT id + :shift, at, user_id, user_name, user_role, ip, user_agent, "
    "action, subject, subject_id, couple_id, 'rewritten' FROM practice_audit_entries "
    "WHERE id = :id"
)
_UPSERT = " ON CONFLICT (id) DO UPDATE SET detail = excluded.detail"
REWRITES = {
    "sqlite": [
        "REPLACE INTO practice_audit_entries " + _OVER_IT,
        "INSERT OR REPLACE INTO practice_audit_entries " + _OVER_IT,
        "INSERT INTO practice_audit_entries " + _OVER_IT + _UPSERT,
    ],
    "postgresql": ["INSERT INTO practice_audit_entries " + _OVER_IT + _UPSERT],
}


def test_the_database_refuses_to_insert_over_an_entry(app, one_entry):
    with app.app_context():
        engine = app.extensions["practice"].db.engine
    statements = REWRITES[engine.dialect.name]
    last = {"id": one_entry[-1]["id"]}
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement), {**last, "shift": 0})
    assert entries(app) == one_entry
    # A new entry still goes in, with an id of its own given, as the upsert would have.
    with engine.begin() as connection:
        connection.execute(text(statements[-1]), {**last, "shift": 1000})
    assert len(entries(app)) == len(one_entry) + 1


def test_no_route_changes_or_removes_an_entry(app, populated):
    ids = populated
    with app.app_context():
        audit.record("signin.failed", detail="=cmd|' /C calc'!A0")
        commit()
    values = {
        "couple_id": ids["couple"],
        "reflection_id": ids["shared"],
        "session_id": ids["session"],
        "partner_id": ids["riley"],
        "assignment_id": ids["open"],
        "user_id": ids["alice"],
        "token": "no-such-token",
        "filename": "practice.css",
        "position": 1,
        "sign_in_id": 999_999,  # nobody's: ending the owner's own would end the walk
        "measure_schedule_id": ids["measure_schedule"],
        "measure_response_id": ids["measure_response"],
    }
    owner = Browser(app).login(ids["emails"]["owner"])
    token = owner.token("/admin/practitioners")
    before = entries(app)
    # Signing out comes last, so every other route is reached signed in.
    routes = sorted(
        (rule.endpoint == "practice.auth.logout", method, rule.endpoint, rule.arguments)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )
    with app.test_request_context():
        urls = [
            (method, url_for(endpoint, **{key: values[key] for key in arguments}))
            for _last, method, endpoint, arguments in routes
        ]
    for method, url in urls:
        if method == "GET":
            owner.client.get(url).close()
        else:
            owner.client.post(url, data={"csrf_token": token}).close()
    after = entries(app)
    assert after[: len(before)] == before
    assert len(after) > len(before), "the walk itself left a trail"


# --- the owner's pages -----------------------------------------------------------------------


@pytest.fixture
def dated(app, world):
    """Three entries on known days: Alice in January, Bob in February, an odd one in March."""
    with app.app_context():
        bob = session.scalar(select(User).where(User.email == world.bob))
        session.add_all(
            [
                AuditEntry(
                    at=datetime(2026, 1, 10, 12, tzinfo=UTC),
                    user_name="Alice Adler",
                    user_role="practitioner",
                    action="couple.viewed",
                    subject="couple",
                    subject_id=9001,
                    couple_id=5,
                ),
                AuditEntry(
                    at=datetime(2026, 2, 10, 12, tzinfo=UTC),
                    user_id=bob.id,
                    user_name="Bob Brand",
                    user_role="practitioner",
                    action="session.signed",
                    subject="session",
                    subject_id=9002,
                    couple_id=6,
                ),
                AuditEntry(
                    at=datetime(2026, 3, 10, 12, tzinfo=UTC),
                    user_name="@SUM(1+1)",
                    action="signin.failed",
                    subject="user",
                    subject_id=9003,
                    detail='=HYPERLINK("http://evil.example")',
                ),
            ]
        )
        commit()
    return Browser(app).login(world.owner)


def shown(page: str) -> list[int]:
    """The marker record numbers on a page, in the order shown."""
    return [int(n) for n in re.findall(r"#(900\d)", page)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("since=2026-01-01&until=2026-03-31", [9003, 9002, 9001]),
        ("person=alice", [9001]),
        ("person=BOB@example.org", [9002]),
        ("action=session.", [9002]),
        ("couple=5", [9001]),
        ("since=2026-02-01&until=2026-02-10", [9002]),
        ("until=2026-01-10", [9001]),
        ("person=%25", []),
    ],
)
def test_owner_filters_the_log(app, dated, query, expected):
    page = dated.text(f"/admin/audit/?{query}")
    assert shown(page) == expected
    if not expected:
        assert "No entries match these filters." in page


def test_the_log_pages_newest_first_and_keeps_the_filters(app, dated):
    app.config["PRACTICE_PAGE_SIZE"] = 2
    first = dated.text("/admin/audit/?since=2026-01-01&until=2026-03-31")
    assert shown(first) == [9003, 9002]
    assert "Page 1 of 2" in first
    older = re.search(r'href="([^"]+)">Older', first).group(1).replace("&amp;", "&")
    assert "since=2026-01-01" in older and "until=2026-03-31" in older
    assert shown(dated.text(older)) == [9001]


@pytest.mark.parametrize(
    ("query", "field", "message", "typed"),
    [
        ("since=2026-13-45", "since", "Enter a date like 2026-11-23.", "2026-13-45"),
        ("until=yesterday", "until", "Enter a date like 2026-11-23.", "yesterday"),
        (
            "since=2026-03-01&until=2026-02-01",
            "until",
            "The end date is before the start date.",
            "2026-02-01",
        ),
        ("couple=twelve", "couple", "Enter a couple's number, such as 12.", "twelve"),
        ("action=" + "x" * 61, "action", "Use at most 60 characters.", "x" * 61),
    ],
)
def test_bad_filters_say_what_is_wrong_and_keep_what_was_typed(
    app, dated, query, field, message, typed
):
    response = dated.get(f"/admin/audit/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">{re.escape(message)}<', page.replace("&#39;", "'"))
    assert f'value="{typed}"' in page
    assert shown(page) == []
    export = dated.get(f"/admin/audit/export.csv?{query}")
    assert export.status_code == 302 and "/admin/audit/" in export.location


def test_csv_export_is_the_filtered_set_and_defuses_formulas(app, dated):
    response = dated.get("/admin/audit/export.csv?since=2026-01-01&until=2026-03-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, *body = rows
    assert header[0] == "when (UTC)"
    assert [row[8] for row in body] == ["9003", "9002", "9001"]
    odd = body[0]
    assert odd[2] == "'@SUM(1+1)"
    assert odd[10] == '\'=HYPERLINK("http://evil.example")'
    assert body[2][0] == "2026-01-10 12:00:00"
    (exported,) = entries(app, action="audit.exported")
    assert "since=2026-01-01" in exported["detail"]


def test_the_log_page_query_count_does_not_grow_with_entries(app, dated, world):
    def count() -> int:
        with counted_queries(app) as statements:
            assert dated.get("/admin/audit/").status_code == 200
        return len(statements)

    few = count()
    with app.app_context():
        for n in range(120):
            audit.record("couple.viewed", subject="couple", subject_id=n + 1, detail=f"n{n}")
        commit()
    assert count() == few
    assert few <= 8


def test_only_the_owner_reads_the_log(app, world):
    for email in (world.alice, world.recovering):
        person = Browser(app).login(email)
        assert person.get("/admin/audit/").status_code == 404
        assert person.get("/admin/audit/export.csv").status_code == 404
    assert "Audit log" in Browser(app).login(world.owner).text("/admin/practitioners")


def test_signing_in_through_the_page_leaves_a_trail_of_success_and_failure(app, world):
    visitor = Browser(app)
    response = visitor.post("/login", {"email": world.alice, "password": "not the password"})
    assert response.status_code == 200
    visitor.login(world.alice)
    alice = user_id(app, world.alice)
    [failed] = entries(app, action="signin.failed")
    assert failed["user_id"] is None and failed["detail"] == world.alice
    assert failed["ip"] == "127.0.0.1"
    [succeeded] = entries(app, action="signin.succeeded")
    assert succeeded["user_id"] == alice and succeeded["user_name"] == "Alice Adler"
    assert "not the password" not in str(entries(app))


def test_a_password_typed_into_the_e_mail_box_never_reaches_the_log(app, world, browser):
    """The log names what was typed as an e-mail at sign-in only when it is one: a password
    typed into the wrong box is not kept (the reset form refuses anything but an address)."""
    visitor = browser()
    secret = "my harbour walk 1987 h4x-TYPED"
    visitor.post("/login", {"email": secret, "password": secret})
    owner = Browser(app).login(world.owner)
    log = owner.text("/admin/audit/")
    csv = owner.get("/admin/audit/export.csv").get_data(as_text=True)
    assert "signin.failed" in csv
    assert "h4x-TYPED" not in log + csv + str(entries(app))
    assert "(not an e-mail address)" in csv
