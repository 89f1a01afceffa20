"""Two-factor for tests: switched on as if set up long ago, and the code a phone app shows
(pyotp, from the real secret)."""

import time

import pyotp
from sqlalchemy import select

from practice.db import commit, session
from practice.models import TwoFactor, User, utcnow
from practice.services import two_factor as service


def _user(email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def switch_on(app, email: str) -> tuple[str, list[str]]:
    """Two-factor on for the person, as if set up long ago; returns (secret, recovery codes)."""
    with app.app_context():
        user = _user(email)
        secret = pyotp.random_base32()
        session.add(TwoFactor(user_id=user.id, secret=secret, enabled_at=utcnow()))
        codes = service.new_recovery_codes(user)
        commit()
        return secret, codes


def code_now(secret: str, steps_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_from_now)
