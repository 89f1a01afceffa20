"""audit log: refuse an insert over an existing entry (SQLite REPLACE)

REPLACE INTO (and INSERT OR REPLACE) practice_audit_entries with an existing id deleted that
entry and wrote another in its place: SQLite's conflict resolution deletes without firing
the BEFORE DELETE trigger (recursive triggers are off). A BEFORE INSERT trigger now refuses
an insert whose id is already there. PostgreSQL has no REPLACE, and its INSERT ... ON
CONFLICT DO UPDATE fires the BEFORE UPDATE row trigger that already refuses it: nothing to
add there (tests/test_audit.py checks both).

Revision ID: 9269987b011c
Revises: e01503bc819e
Create Date: 2026-12-03 13:11:11.436596

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9269987b011c'
down_revision = 'e01503bc819e'
branch_labels = None
depends_on = None

# This revision's own copy of the statement (practice.models.audit holds the current one).
NO_REPLACE = (
    "CREATE TRIGGER practice_audit_no_replace BEFORE INSERT ON practice_audit_entries "
    "WHEN EXISTS (SELECT 1 FROM practice_audit_entries WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END"
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(NO_REPLACE)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS practice_audit_no_replace")
