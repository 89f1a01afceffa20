"""Two-factor sign-in: an authenticator app's secret per person, and one-time recovery codes."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from practice.encryption import EncryptedText
from practice.models.base import Base, utcnow


class TwoFactor(Base):
    """A person's TOTP secret. It signs nobody in until ``enabled_at`` is set, which happens
    only after they typed a current code from their app."""

    __tablename__ = "practice_two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), unique=True)
    # Its own column so it can be encrypted at rest without touching anything else.
    secret: Mapped[str] = mapped_column(EncryptedText)
    enabled_at: Mapped[datetime | None]
    # The last 30-second time step a code was accepted for: a code never works twice.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(Base):
    """One of ten codes for when the phone is gone. Only the hash is kept; each works once."""

    __tablename__ = "practice_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TwoFactorAttempt(Base):
    """A wrong code typed at sign-in. Counted in the database, not the cookie, so replaying
    an old cookie never buys more guesses."""

    __tablename__ = "practice_two_factor_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
