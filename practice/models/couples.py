"""A couple on a practitioner's caseload, and its two partners."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.models.base import Base, utcnow
from practice.models.programs import Program
from practice.models.users import User


class Couple(Base):
    __tablename__ = "practice_couples"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("practice_programs.id"))
    current_step: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The confidentiality policy chosen for this couple, with its wording copied at the time.
    policy_kind: Mapped[str] = mapped_column(String(20), default="")
    policy_text: Mapped[str] = mapped_column(Text, default="")
    # Set when a safety answer asked for care: sharing between the partners stays off
    # until the practitioner turns it back on.
    joint_features_off_since: Mapped[datetime | None]
    # Set when the practitioner paused sharing between the partners, until they resume it.
    sharing_paused_at: Mapped[datetime | None]
    # Set when the practitioner archived (or discharged) the couple: its record is read-only
    # and off the caseload until reopened (``practice.services.archive``).
    archived_at: Mapped[datetime | None]
    # Why, one of ``practice.services.archive.REASONS``; empty while open.
    archived_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # Whether what a partner shares waits for the practitioner's release (privacy.py reads it).
    shares_wait_for_release: Mapped[bool] = mapped_column(default=False)

    practitioner: Mapped[User] = relationship()
    program: Mapped[Program] = relationship()
    partners: Mapped[list["Partner"]] = relationship(
        back_populates="couple", order_by="Partner.id", cascade="all, delete-orphan"
    )

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def role_label(self, role: str) -> str:
        return self.program.role_label(role)


class Partner(Base):
    """One person of a couple, with the role the program gives them."""

    __tablename__ = "practice_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("practice_couples.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), unique=True)
    program_role: Mapped[str] = mapped_column(String(40))
    # The confidentiality agreement as this partner read and accepted it.
    agreed_policy_kind: Mapped[str] = mapped_column(String(20), default="")
    agreed_policy_text: Mapped[str] = mapped_column(Text, default="")
    # How shares reach the other partner, in the words this partner agreed to; empty: agreed
    # before the couple had the choice, when shares always went at once.
    agreed_sharing_text: Mapped[str] = mapped_column(Text, default="")
    agreed_at: Mapped[datetime | None]
    # When the partner first answered the safety screen; None: still to answer.
    screened_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship(back_populates="partners")
    user: Mapped[User] = relationship(back_populates="partner")

    @property
    def name(self) -> str:
        return self.user.name

    def other(self) -> "Partner | None":
        return next((p for p in self.couple.partners if p.id != self.id), None)
