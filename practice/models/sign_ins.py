"""Who is signed in where: one row per sign-in, so the server can end any of them."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.models.base import Base, utcnow
from practice.models.users import User


class SignIn(Base):
    """One person signed in on one browser (``practice.session_store``).

    The browser's cookie carries a random key; only its hash is kept, so a copy of the
    database signs nobody in. Live while ``ended_at`` is empty, the account is active, and
    neither the idle limit (from ``last_seen_at``) nor the absolute one (from
    ``created_at``) has passed.
    """

    __tablename__ = "practice_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("practice_users.id"), index=True)
    # Read from the User-Agent once, at sign-in: "Firefox on Android".
    device: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute (session_store.SEEN_EVERY), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # A code from session_store.Ended, never free text.
    end_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User] = relationship()
