"""People who sign in: the owner, practitioners and clients."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow


class Role(StrEnum):
    OWNER = "owner"
    PRACTITIONER = "practitioner"
    CLIENT = "client"


class PracticeProfile(Base):
    """The practice itself: one row, created with the owner account."""

    __tablename__ = "practice_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Practitioners must turn on two-factor sign-in before they can reach anything else.
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(UserMixin, Base):
    __tablename__ = "practice_users"
    # One owner, whatever happens at once: four people submitting the first-run page
    # together make one owner, and the others are told the practice already has one.
    __table_args__ = (
        Index(
            "uq_practice_users_one_owner",
            "role",
            unique=True,
            sqlite_where=text("role = 'owner'"),
            postgresql_where=text("role = 'owner'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    credentials: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The host account this person signs in through, when Practice is mounted with
    # ``identity=`` (``practice.identity.HostIdentity.key``); unique, so one host account
    # is one Practice person.
    host_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    partner: Mapped["Partner | None"] = relationship(  # noqa: F821
        back_populates="user", uselist=False
    )

    @property
    def is_active(self) -> bool:
        # An invited person cannot sign in until they chose a password.
        return not self.disabled and self.password_hash is not None

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_practitioner(self) -> bool:
        """Owners run a caseload too: most small practices are one therapist."""
        return self.role in (Role.OWNER, Role.PRACTITIONER)

    @property
    def is_client(self) -> bool:
        return self.role == Role.CLIENT

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)


class Invitation(Base):
    """A single-use, expiring link to choose a password, for an account that has none yet.

    Looked up by the token's hash. The token itself is kept encrypted only while the link
    still works, so the one who made it can read it again on their page (never in a
    cookie); using, cancelling or replacing the link erases it.
    """

    __tablename__ = "practice_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    token: Mapped[str | None] = mapped_column(EncryptedText)
    # The e-mail that carried the link, if one went out (its record may be pruned later).
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_outbox.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship()
    mail: Mapped["OutboxMail | None"] = relationship()  # noqa: F821


class PasswordReset(Base):
    """A single-use, one-hour link to choose a new password. Only the token's hash is kept."""

    __tablename__ = "practice_password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
