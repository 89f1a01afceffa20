"""Accounts: the owner, staff, invitations and signing in."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select, update
from werkzeug.security import generate_password_hash

from practice.db import session
from practice.models import Invitation, PracticeProfile, Role, User, utcnow
from practice.services.errors import PracticeError

MIN_PASSWORD_LENGTH = 10
NAME_LENGTH = 120
# Checked when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def load_user(user_id: str) -> User | None:
    try:
        user = session.get(User, int(user_id))
    except ValueError:
        return None
    return user if user is not None and user.is_active else None


def has_owner() -> bool:
    return session.scalar(select(exists().where(User.role == Role.OWNER)))


def practice_profile() -> PracticeProfile | None:
    return session.scalar(select(PracticeProfile).limit(1))


def required_name(name: str, field: str = "name", what: str = "a name") -> str:
    name = name.strip()
    if not name:
        raise PracticeError(f"Enter {what}.", field)
    if len(name) > NAME_LENGTH:
        raise PracticeError(f"Keep it to {NAME_LENGTH} characters.", field)
    return name


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PracticeError(
            f"Use at least {MIN_PASSWORD_LENGTH} characters; a short sentence works well.",
            "password",
        )


def email_taken(email: str) -> bool:
    return session.scalar(select(exists().where(User.email == normalize_email(email))))


def create_owner(practice_name: str, name: str, email: str, password: str) -> User:
    if has_owner():
        raise PracticeError("This practice already has an owner.")
    check_password_rules(password)
    owner = User(
        email=normalize_email(email),
        name=required_name(name),
        role=Role.OWNER,
        timezone=current_app.config["PRACTICE_TIMEZONE"],
    )
    owner.set_password(password)
    session.add_all(
        [
            owner,
            PracticeProfile(
                name=required_name(practice_name, "practice_name", "the practice's name")
            ),
        ]
    )
    session.flush()
    return owner


def authenticate(email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or user.password_hash is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def add_practitioner(name: str, email: str, credentials: str = "") -> tuple[User, str]:
    if email_taken(email):
        raise PracticeError("Someone in this practice already uses this e-mail.", "email")
    user = User(
        email=normalize_email(email),
        name=required_name(name),
        role=Role.PRACTITIONER,
        credentials=credentials.strip(),
        timezone=current_app.config["PRACTICE_TIMEZONE"],
    )
    session.add(user)
    session.flush()
    return user, issue_invitation(user)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(user: User) -> str:
    """A new link for the user to choose a password; earlier unused links stop working."""
    now = utcnow()
    session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id, Invitation.used_at.is_(None), Invitation.expires_at > now
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    days = current_app.config["PRACTICE_INVITATION_DAYS"]
    session.add(
        Invitation(
            user_id=user.id, token_hash=_hash_token(token), expires_at=now + timedelta(days=days)
        )
    )
    session.flush()
    return token


def find_invitation(token: str) -> Invitation | None:
    """The invitation for a token if it can still be used, else None."""
    if not token or len(token) > 200:
        return None
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None or invitation.used_at is not None:
        return None
    if invitation.expires_at <= utcnow() or invitation.user.disabled:
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str, agreed: bool = False) -> User:
    """Set the password. A partner whose couple has a confidentiality policy must have
    agreed to it (``agreed``); the agreement is kept with the exact words they read."""
    from practice.services import agreements

    check_password_rules(password)
    partner = invitation.user.partner
    asks_agreement = agreements.needs_agreement(partner)
    if asks_agreement and not agreed:
        raise PracticeError("Tick the box to say you have read and agree to the policy.", "agree")
    # Single use even if two tabs submit at once: only one UPDATE finds it unused.
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise PracticeError("This invitation link has already been used.")
    user = invitation.user
    user.set_password(password)
    if asks_agreement:
        agreements.agree(partner)
    session.flush()
    return user
