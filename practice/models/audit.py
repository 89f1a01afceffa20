"""The audit trail: one row per view or change of a client record, per sign-in. Append-only.

Rows name people and records by id and keep a copy of the person's name and role as they
were; they never carry client content (no reflection, note or feedback text).

The database itself refuses UPDATE and DELETE on the table, and on SQLite an INSERT over an
existing entry (REPLACE): the triggers below are created with the table (``create_all``),
and the migrations create the same ones, each with its own copy of the statements (a landed
migration never changes); tests/test_migrations.py checks both ways end with the same
triggers.
"""

from datetime import datetime

from sqlalchemy import DDL, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from practice.models.base import Base, utcnow

TABLE = "practice_audit_entries"
APPEND_ONLY_MESSAGE = "The audit log is append-only."


class AuditEntry(Base):
    __tablename__ = TABLE
    __table_args__ = (Index("ix_practice_audit_entries_couple_at", "couple_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Plain ids, no foreign keys: the trail outlives what it mentions.
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_name: Mapped[str] = mapped_column(String(120), default="")
    user_role: Mapped[str] = mapped_column(String(20), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[int | None]
    couple_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(String(500), default="")


# --- the database refuses changes ---------------------------------------------------

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER practice_audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    f"CREATE TRIGGER practice_audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    # REPLACE (and INSERT OR REPLACE) deletes the entry it conflicts with without firing the
    # delete trigger: an insert over an existing id is refused before it starts. (An upsert's
    # DO UPDATE fires the update trigger; on PostgreSQL too, whose ON CONFLICT DO UPDATE runs
    # the BEFORE UPDATE row trigger, and which has no REPLACE.)
    "CREATE TRIGGER practice_audit_no_replace BEFORE INSERT ON practice_audit_entries "
    "WHEN EXISTS (SELECT 1 FROM practice_audit_entries WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'The audit log is append-only.'); END",
)
SQLITE_TRIGGERS_DROP = (
    "DROP TRIGGER IF EXISTS practice_audit_no_update",
    "DROP TRIGGER IF EXISTS practice_audit_no_delete",
    "DROP TRIGGER IF EXISTS practice_audit_no_replace",
)

POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION practice_audit_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; "
    "END $$",
    f"CREATE TRIGGER practice_audit_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION practice_audit_append_only()",
    f"CREATE TRIGGER practice_audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION practice_audit_append_only()",
)
POSTGRESQL_TRIGGERS_DROP = (
    f"DROP TRIGGER IF EXISTS practice_audit_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS practice_audit_no_change ON {TABLE}",
    "DROP FUNCTION IF EXISTS practice_audit_append_only()",
)

for _statement in SQLITE_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_TRIGGERS:
    # DDL() formats with %; a literal percent sign would need doubling (there is none).
    event.listen(
        AuditEntry.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
