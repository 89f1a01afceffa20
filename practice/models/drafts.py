"""What a practitioner is writing and has not saved yet: a note, feedback, an addendum."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from practice.encryption import EncryptedJSON
from practice.models.base import Base, utcnow
from practice.models.users import User  # noqa: F401  (the table the key points to)


class PractitionerDraft(Base):
    """One practitioner's unsaved text for one form, kept by autosave (``practice.autosave``).

    ``key`` names what is being written: the path the form posts to (a new note for one
    couple, one note's edit, feedback on one reflection, an addendum to one note), so any
    form that posts to its own URL can keep a draft. Only its author ever reads it
    (``privacy.may_read_draft``); it ends when the thing it was for is saved.
    """

    __tablename__ = "practice_practitioner_drafts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique with key: its index also serves "this person's drafts".
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"))
    key: Mapped[str] = mapped_column(String(300))
    # The form's fields by name, as typed (never a password).
    fields: Mapped[dict] = mapped_column(EncryptedJSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
