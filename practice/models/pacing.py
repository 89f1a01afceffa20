"""Which of a program's steps a couple has open. Step 1 is open from the start (no row)."""

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow
from practice.models.users import User


class StepOpening(Base):
    """A step opened for a couple: on the last review of the step before it, or early by the
    practitioner with a reason. Steps open in order, so the highest position is the open step."""

    __tablename__ = "practice_step_openings"
    __table_args__ = (UniqueConstraint("couple_id", "step_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    step_position: Mapped[int]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who opened it: the practitioner whose review completed the step, or who opened it early.
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))
    early: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(EncryptedText, default="")

    opened_by: Mapped[User | None] = relationship()
