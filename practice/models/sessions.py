"""Sessions with a couple and the practitioner's note on them."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, String, Table, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedJSON, EncryptedText
from practice.models.assignments import Assignment
from practice.models.base import Base, utcnow
from practice.models.couples import Couple, Partner
from practice.models.reflections import Reflection
from practice.models.users import User

session_attendees = Table(
    "practice_session_attendees",
    Base.metadata,
    Column("session_id", ForeignKey("practice_session_notes.id"), primary_key=True),
    Column("partner_id", ForeignKey("practice_partners.id"), primary_key=True),
)

session_reflections = Table(
    "practice_session_reflections",
    Base.metadata,
    Column("session_id", ForeignKey("practice_session_notes.id"), primary_key=True),
    Column("reflection_id", ForeignKey("practice_reflections.id"), primary_key=True),
)


class SessionKind(StrEnum):
    JOINT = "joint"
    INDIVIDUAL = "individual"


# Each note format's sections, in order: (key, heading).
NOTE_FORMATS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "free": ("Free text", [("note", "Note")]),
    "dap": ("DAP", [("data", "Data"), ("assessment", "Assessment"), ("plan", "Plan")]),
    "soap": (
        "SOAP",
        [
            ("subjective", "Subjective"),
            ("objective", "Objective"),
            ("assessment", "Assessment"),
            ("plan", "Plan"),
        ],
    ),
    "birp": (
        "BIRP",
        [
            ("behavior", "Behavior"),
            ("intervention", "Intervention"),
            ("response", "Response"),
            ("plan", "Plan"),
        ],
    ),
}


class SignedNoteLocked(RuntimeError):
    """A signed note, or an addendum, was about to change. Corrections are addenda."""


class SessionNote(Base):
    __tablename__ = "practice_session_notes"
    # The dashboard's "today": one practitioner's sessions in a time range.
    __table_args__ = (
        Index("ix_practice_session_notes_practitioner_starts", "practitioner_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12), default=SessionKind.JOINT)
    # For an individual session: the one partner it was with (never shown to the other).
    individual_partner_id: Mapped[int | None] = mapped_column(ForeignKey("practice_partners.id"))
    note_format: Mapped[str] = mapped_column(String(8), default="free")
    sections: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    step_position: Mapped[int | None]
    signed_at: Mapped[datetime | None]
    # Progress and ratings as they stood when signed, so the signed document never drifts.
    snapshot: Mapped[dict | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    couple: Mapped[Couple] = relationship()
    practitioner: Mapped[User] = relationship(foreign_keys=[practitioner_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    individual_partner: Mapped[Partner | None] = relationship()
    attendees: Mapped[list[Partner]] = relationship(
        secondary=session_attendees, order_by=Partner.id
    )
    reflections: Mapped[list[Reflection]] = relationship(
        secondary=session_reflections, order_by=Reflection.submitted_at
    )
    # Homework set in this session (read-only here: assigning sets Assignment.session_id).
    homework: Mapped[list[Assignment]] = relationship(
        order_by=(Assignment.created_at, Assignment.id), viewonly=True
    )
    addenda: Mapped[list["Addendum"]] = relationship(
        back_populates="session", order_by="Addendum.created_at"
    )

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def format_label(self) -> str:
        return NOTE_FORMATS[self.note_format][0]

    def section_items(self) -> list[tuple[str, str, str]]:
        """(key, heading, text) for this note's format, in order."""
        return [
            (key, heading, self.sections.get(key, ""))
            for key, heading in NOTE_FORMATS[self.note_format][1]
        ]

    def kind_label(self) -> str:
        if self.kind == SessionKind.INDIVIDUAL and self.individual_partner is not None:
            return f"Individual session with {self.individual_partner.name}"
        return "Joint session"


class Addendum(Base):
    """A dated, signed correction appended to a signed note. Never edited."""

    __tablename__ = "practice_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("practice_session_notes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[SessionNote] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()


def _changed(note: SessionNote) -> bool:
    """Whether anything of the note itself changed; appending an addendum does not count."""
    state = inspect(note)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key != "addenda")


def _was_signed(note: SessionNote) -> bool:
    history = inspect(note).attrs.signed_at.history
    before = history.deleted or history.unchanged
    return bool(before) and before[0] is not None


def keep_signed_notes_locked(sessions) -> None:
    """Bind the signed-note lock to Practice's sessions (a Flask-SQLAlchemy ``db.session`` or
    any sessionmaker); idempotent. It acts on Practice's notes and addenda only."""
    if not event.contains(sessions, "before_flush", _keep_signed_notes_locked):
        event.listen(sessions, "before_flush", _keep_signed_notes_locked)


def _keep_signed_notes_locked(session, _context, _instances):
    """The last line of defence: whatever code path tries, a signed note does not change."""
    for obj in session.dirty:
        if isinstance(obj, SessionNote) and _was_signed(obj) and _changed(obj):
            raise SignedNoteLocked(f"Session note {obj.id} is signed and cannot change.")
        if isinstance(obj, Addendum) and session.is_modified(obj):
            raise SignedNoteLocked("An addendum cannot change once written.")
    for obj in session.deleted:
        if (isinstance(obj, SessionNote) and obj.signed_at is not None) or isinstance(
            obj, Addendum
        ):
            raise SignedNoteLocked("Signed notes and addenda are never deleted.")
