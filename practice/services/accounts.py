"""Accounts: the owner, staff, invitations, passwords and their reset links.

Signing in (the password check, its throttle, two-factor, the session) is ``practice.signin``.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from zxcvbn import zxcvbn

from practice import session_store
from practice.db import refused_by_database, session
from practice.mail import NotSent
from practice.models import Invitation, PasswordReset, PracticeProfile, Role, User, utcnow
from practice.services import audit, clock, names, throttle
from practice.services.errors import PracticeError
from practice.session_store import Ended

MIN_PASSWORD_LENGTH = 10
# zxcvbn refuses longer input; a password whose first 72 characters are strong is strong.
_STRENGTH_CHARS = 72
_STRONG_ENOUGH = 3
NAME_LENGTH = 120


def normalize_email(email: str) -> str:
    return email.strip().lower()


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
    return names.one_line(name, field)


def _personal_words(texts) -> list[str]:
    """Names, e-mails and the practice's name, whole and word by word, for zxcvbn."""
    words = []
    for text in texts:
        if not text:
            continue
        text = text.strip().lower()
        words.extend([text, re.sub(r"\s+", "", text)])
        words.extend(part for part in re.split(r"[\W_]+", text) if len(part) >= 3)
    return words


def _weakness(sequence: list[dict]) -> str:
    """Why zxcvbn found a password guessable, in our words, from its longest matched part."""
    part = max(sequence, key=lambda match: len(match["token"]), default={})
    pattern, dictionary = part.get("pattern"), part.get("dictionary_name")
    if pattern == "dictionary" and dictionary == "user_inputs":
        return "it is built from your name, your e-mail or the practice's name."
    if pattern == "dictionary" and dictionary == "passwords":
        return "it is, or looks like, one of the passwords people use most."
    if pattern == "dictionary" and dictionary in ("surnames", "male_names", "female_names"):
        return "names are among the first things people try."
    if pattern == "dictionary":
        return "common words on their own are quick to guess."
    if pattern == "spatial":
        return "rows and patterns of keys on a keyboard are quick to guess."
    if pattern == "repeat":
        return "repeated letters or words add little."
    if pattern == "sequence":
        return "runs like abc or 6543 are quick to guess."
    if pattern in ("regex", "date"):
        return "dates and years are quick to guess."
    return "it would not take long to guess."


def check_password_rules(password: str, personal: tuple | list = ()) -> None:
    """Refuse a short or guessable password, saying why next to the password field.

    ``personal``: the person's name and e-mail and the practice's name, which a stranger
    would try first. Strength is judged by zxcvbn, not by rules about symbols and digits.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PracticeError(
            f"Use at least {MIN_PASSWORD_LENGTH} characters; a short sentence works well.",
            "password",
        )
    result = zxcvbn(password[:_STRENGTH_CHARS], user_inputs=_personal_words(personal))
    if result["score"] < _STRONG_ENOUGH:
        raise PracticeError(
            "This password would be easy to guess: "
            + _weakness(result["sequence"])
            + " Try a short sentence only you would think of.",
            "password",
        )


def personal_words_for(user: User) -> tuple:
    profile = practice_profile()
    return (user.name, user.email, profile.name if profile else "")


def set_new_password(user: User, password: str, keep=None) -> None:
    """Store a password already checked; the user's sign-ins (but ``keep``, the one that
    changed it) and reset links end."""
    user.set_password(password)
    session_store.end_all(user, Ended.PASSWORD_SET, keep=keep)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    session.flush()


def email_taken(email: str) -> bool:
    return session.scalar(select(exists().where(User.email == normalize_email(email))))


ALREADY_OWNED = "This practice already has an owner: sign in instead."


def set_timezone(user: User, typed: str) -> str:
    """The person's own time zone, in which every page and PDF shows them times; empty:
    the practice's (``PRACTICE_TIMEZONE``). Returns the zone now in use."""
    chosen = clock.known_zone(typed) if typed.strip() else current_app.config["PRACTICE_TIMEZONE"]
    if chosen is None:
        raise PracticeError(
            "That is not a time zone we know. Start typing a city or region and pick from "
            "the list, such as Europe/Berlin or America/New_York.",
            "timezone",
        )
    if chosen != user.timezone:
        audit.record("account.timezone_changed", subject="user", subject_id=user.id, detail=chosen)
    user.timezone = chosen
    session.flush()
    return chosen


def create_owner(practice_name: str, name: str, email: str, password: str) -> User:
    if has_owner():
        raise PracticeError(ALREADY_OWNED)
    check_password_rules(password, (name, email, practice_name))
    owner = User(
        email=normalize_email(email),
        name=required_name(name),
        role=Role.OWNER,
        timezone=current_app.config["PRACTICE_TIMEZONE"],
    )
    owner.set_password(password)
    profile = PracticeProfile(
        name=required_name(practice_name, "practice_name", "the practice's name")
    )
    session.add_all([owner, profile])
    try:
        session.flush()
    except IntegrityError:
        # Someone else's set-up won a moment ago: the database allows one owner.
        refused_by_database()
        raise PracticeError(ALREADY_OWNED) from None
    return owner


def add_practitioner(name: str, email: str, credentials: str = "") -> tuple[User, str]:
    name = required_name(name)
    credentials = names.one_line(credentials.strip(), "credentials")
    if email_taken(email):
        raise PracticeError("Someone in this practice already uses this e-mail.", "email")
    user = User(
        email=normalize_email(email),
        name=name,
        role=Role.PRACTITIONER,
        credentials=credentials,
        timezone=current_app.config["PRACTICE_TIMEZONE"],
    )
    session.add(user)
    session.flush()
    return user, issue_invitation(user)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


ALREADY_SIGNED_UP = (
    "{name} has already chosen a password, so there is no invitation to send: an invitation "
    "would let whoever holds it replace their password. If they cannot sign in, they choose "
    'a new password themselves with "Forgot your password?" on the sign-in page.'
)


def issue_invitation(user: User) -> str:
    """A new link for the user to choose a password; earlier unused links stop working.

    Only for an account with no password yet: for one in use, a link that sets a password
    would hand the account to whoever made or holds the link.
    """
    if user.password_hash is not None:
        raise PracticeError(ALREADY_SIGNED_UP.format(name=user.name))
    end_invitations(user)
    token = secrets.token_urlsafe(32)
    days = current_app.config["PRACTICE_INVITATION_DAYS"]
    session.add(
        Invitation(
            user_id=user.id,
            token_hash=_hash_token(token),
            token=token,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    session.flush()
    return token


def end_invitations(user: User) -> int:
    """Stop the user's working invitation links and forget their tokens; how many there were."""
    now = utcnow()
    ended = session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user.id, Invitation.used_at.is_(None), Invitation.expires_at > now
        )
        .values(expires_at=now, token=None)
    ).rowcount
    session.flush()
    return ended


def find_invitation(token: str) -> Invitation | None:
    """The invitation for a token if it can still be used, else None."""
    if not token or len(token) > 200:
        return None
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token))
    )
    if invitation is None or invitation.used_at is not None:
        return None
    user = invitation.user
    if invitation.expires_at <= utcnow() or user.disabled or user.password_hash is not None:
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str, agreed: bool = False) -> User:
    """Set the password. A partner whose couple has a confidentiality policy must have
    agreed to it (``agreed``); the agreement is kept with the exact words they read."""
    from practice.services import agreements

    check_password_rules(password, personal_words_for(invitation.user))
    partner = invitation.user.partner
    asks_agreement = agreements.needs_agreement(partner)
    if asks_agreement and not agreed:
        raise PracticeError("Tick the box to say you have read and agree to the policy.", "agree")
    # Single use even if two tabs submit at once: only one UPDATE finds it unused.
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), token=None)
    ).rowcount
    if claimed != 1:
        raise PracticeError("This invitation link has already been used.")
    user = invitation.user
    set_new_password(user, password)
    if asks_agreement:
        agreements.agree(partner)
    session.flush()
    return user


def change_password(user: User, current: str, new: str, keep=None) -> None:
    """A signed-in person's new password, once ``practice.signin.change_password`` has
    checked ``current`` (throttled like signing in); their sign-ins but ``keep`` end."""
    if current == new:
        raise PracticeError("Choose a password different from the current one.", "password")
    check_password_rules(new, personal_words_for(user))
    set_new_password(user, new, keep=keep)
    audit.record("password.changed", user=user, subject="user", subject_id=user.id)


def issue_password_reset(user: User) -> tuple[PasswordReset, str]:
    """A new one-hour reset link for the user, and its token; their earlier reset links stop
    working."""
    now = utcnow()
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    minutes = int(current_app.config["PRACTICE_RESET_MINUTES"])
    reset = PasswordReset(
        user_id=user.id, token_hash=_hash_token(token), expires_at=now + timedelta(minutes=minutes)
    )
    session.add(reset)
    session.flush()
    return reset, token


def find_active_user(email: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    return user if user is not None and user.is_active else None


def request_password_reset(email: str, address: str) -> None:
    """For an active account, a reset link e-mailed through the outbox (in this transaction:
    the mail goes only if the token is stored, and never from inside the request); for any
    other e-mail, nothing.

    Throttled alike for every e-mail typed, and no SMTP server is waited for either way, so
    the answer (and the time it takes) never tells whether the e-mail has an account.
    """
    typed = (email or "")[:254]
    wait = throttle.attempt(throttle.RESET, email, address).wait
    if wait:
        raise PracticeError(throttle.message(wait))
    user = find_active_user(email)
    audit.record(
        "password.reset_requested",
        user=user,
        subject="user" if user else None,
        subject_id=user.id if user else None,
        detail=typed,
    )
    if user is None:
        return
    from practice.services import account_mail

    reset, token = issue_password_reset(user)
    try:
        account_mail.queue_password_reset(reset, token)
    except NotSent as why:
        current_app.logger.warning(
            "Practice: a password reset was asked for, but no mail went out: %s", why.reason
        )


def find_password_reset(token: str) -> PasswordReset | None:
    """The reset for a token if it can still be used, else None."""
    if not token or len(token) > 200:
        return None
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _hash_token(token))
    )
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset if reset.user.is_active else None


def reset_password(reset: PasswordReset, password: str) -> User:
    user = reset.user
    # Check first: a refused password leaves the link usable.
    check_password_rules(password, personal_words_for(user))
    # Single use even if two tabs submit at once: only one UPDATE finds it unused.
    claimed = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow(),
        )
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise PracticeError("This link has already been used. Ask for a new one.")
    set_new_password(user, password)
    audit.record("password.reset", user=user, subject="user", subject_id=user.id)
    return user


def practitioner(user_id: int) -> User | None:
    """A practitioner of the practice (not the owner, not a client), or None."""
    return session.scalar(select(User).where(User.id == user_id, User.role == Role.PRACTITIONER))


def disable(user: User) -> None:
    """The owner closes a practitioner's account: it signs in no more, and every sign-in it
    has ends now, on every worker and server."""
    user.disabled = True
    session_store.end_all(user, Ended.DISABLED)
    session.flush()


def enable(user: User) -> None:
    """The owner opens a disabled account again; its password (if any) works again."""
    user.disabled = False
    session.flush()


# --- the link to a host's account (``Practice(app, identity=...)``) ---------------------

HOST_KEY_TAKEN = "That account is already linked to someone else here."


def linked_to_host(key: str) -> User | None:
    """The person linked to the host account with this key, or None."""
    return session.scalar(select(User).where(User.host_key == key))


def link_to_host(user: User, key: str) -> None:
    """From now on ``user`` may sign in through the host account with this key."""
    other = linked_to_host(key)
    if other is not None and other.id != user.id:
        raise PracticeError(HOST_KEY_TAKEN)
    user.host_key = key
    session.flush()
    audit.record("account.host_linked", subject="user", subject_id=user.id)


def unlink_from_host(user: User) -> None:
    """``user`` signs in with Practice's own password (and code) only, from now on."""
    user.host_key = None
    session.flush()
    audit.record("account.host_unlinked", subject="user", subject_id=user.id)
