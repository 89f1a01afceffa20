"""The practitioner's busiest pages read one practitioner's rows through indexes, never the
whole practice: every statement they run is explained by the database itself.

On SQLite, EXPLAIN QUERY PLAN must never SCAN a table that grows with the practice (a
SEARCH through an index is what keeps a page flat at 10,000 couples). On PostgreSQL, with
sequential scans priced out (``enable_seqscan = off``), the plans must name the indexes
made for these pages; a plan that still scans has no index it could use.
"""

import re

import pytest
from sqlalchemy import event

from tests.helpers.people import Browser

# Tables that grow with the practice's history (programs and steps stay small).
GROWING = (
    "practice_reflections",
    "practice_review_waiting",
    "practice_assignments",
    "practice_couples",
    "practice_partners",
    "practice_session_notes",
    "practice_feedback",
    "practice_checkins",
    "practice_audit_entries",
    "practice_sign_ins",  # every page finds its sign-in by the key's hash: never a scan
)
INTENDED = {
    # The caseload's counts and the first of the queue, from the practitioner's waiting rows.
    "/dashboard": {
        "ix_practice_review_waiting_queue",
        "ix_practice_session_notes_practitioner_starts",
    },
    "/review/": {"ix_practice_review_waiting_queue"},
    "couple": {"ix_practice_reflections_assignment_state"},
    # A couple's history and the search in its record: that couple's rows of each kind.
    "history": {"ix_practice_reflections_assignment_state", "ix_practice_checkins_couple_id"},
    "record search": {"ix_practice_checkins_couple_id", "ix_practice_session_notes_couple_id"},
    "caseload search": {"ix_practice_couples_practitioner_id"},
}
PATHS = {
    "couple": "/couples/{couple}",
    "history": "/couples/{couple}/history",
    "record search": "/couples/{couple}/history/search?q=words",
    "caseload search": "/search?q=harp",
}


def _engine(app):
    with app.app_context():
        return app.extensions["practice"].db.engine


def _statements(engine, client, path) -> list[tuple[str, object]]:
    """The SELECTs a page runs, with the parameters they were sent with."""
    seen = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _plans(engine, statements) -> list[tuple[str, str]]:
    plans = []
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            cursor.execute(explain + statement, parameters)
            rows = cursor.fetchall()
            text = "\n".join(str(row[-1] if not postgres else row[0]) for row in rows)
            plans.append((statement, text))
        connection.rollback()
    finally:
        connection.close()
    return plans


@pytest.mark.parametrize("page", ["/dashboard", "/review/", *PATHS])
def test_the_practitioners_pages_use_their_indexes(app, world, page):
    alice = Browser(app).login(world.alice)
    path = PATHS.get(page, page).format(couple=world.couple_id)
    engine = _engine(app)
    plans = _plans(engine, _statements(engine, alice.client, path))
    assert plans
    postgres = engine.dialect.name == "postgresql"
    scanning = re.compile(
        r"Seq Scan on (\w+)" if postgres else r"\bSCAN (\w+)(?! USING (?:COVERING )?INDEX)"
    )
    scans = [
        (table, statement)
        for statement, plan in plans
        for table in scanning.findall(plan)
        if table in GROWING
    ]
    assert not scans, "\n\n".join(f"{table} scanned by:\n{sql}" for table, sql in scans)
    named = "\n".join(plan for _, plan in plans)
    missing = {index for index in INTENDED[page] if index not in named}
    assert not missing, named
