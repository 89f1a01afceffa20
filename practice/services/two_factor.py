"""Two-factor sign-in with an authenticator app (TOTP) and one-time recovery codes.

Only owners and practitioners use it; clients never do. Services flush, never commit; a
sign-in code alone is counted, before it is checked, in a transaction of its own
(``practice.kept``).
"""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

import pyotp
from sqlalchemy import delete, func, or_, select, update

from practice import kept
from practice.db import session
from practice.models import (
    PracticeProfile,
    RecoveryCode,
    Role,
    TwoFactor,
    TwoFactorAttempt,
    User,
    utcnow,
)
from practice.services.errors import PracticeError

INTERVAL = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
MAX_WRONG_CODES = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)
# Letters and digits nobody confuses when copying from paper: no 0/o, 1/l/i.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def uses_two_factor(user: User) -> bool:
    """Whether two-factor sign-in can apply to this person at all."""
    return user.is_practitioner


def record_for(user: User) -> TwoFactor | None:
    return session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id))


def is_enabled(user: User) -> bool:
    if not uses_two_factor(user):
        return False
    return (
        session.scalar(
            select(func.count())
            .select_from(TwoFactor)
            .where(TwoFactor.user_id == user.id, TwoFactor.enabled_at.is_not(None))
        )
        > 0
    )


def required_for(user: User) -> bool:
    """The owner asked every practitioner to use two-factor sign-in."""
    if user.role != Role.PRACTITIONER:
        return False
    return bool(session.scalar(select(PracticeProfile.require_two_factor).limit(1)))


def must_set_up(user: User) -> bool:
    return required_for(user) and not is_enabled(user)


def pending_secret(user: User) -> TwoFactor:
    """The secret being set up: made once, kept until confirmed, so a reload shows the
    same QR code the person may already have scanned."""
    record = record_for(user)
    if record is not None and record.enabled_at is not None:
        raise PracticeError("Two-factor sign-in is already on.")
    if record is None:
        record = TwoFactor(user_id=user.id, secret=pyotp.random_base32())
        session.add(record)
        session.flush()
    return record


def provisioning_uri(record: TwoFactor, user: User, issuer: str) -> str:
    return pyotp.TOTP(record.secret, interval=INTERVAL).provisioning_uri(
        name=user.email, issuer_name=issuer
    )


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code: classes and presentation attributes only, no
    style attribute, so the Content-Security-Policy holds. (segno is imported here: only
    the set-up page draws a code, and its tables cost every process start a third of a
    second otherwise.)"""
    import segno

    return segno.make(uri, error="m").svg_inline(
        scale=5, svgclass="qr", lineclass="qr-line", title="QR code for your authenticator app"
    )


def _digits(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step (now, or one either side for a slow clock) the code belongs to."""
    totp = pyotp.TOTP(secret, interval=INTERVAL)
    current = int(now) // INTERVAL
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(record: TwoFactor, step: int) -> bool:
    """Claim the step; False when it (or a later one) was used already, even by a request
    racing this one, since only one UPDATE can match."""
    claimed = session.execute(
        update(TwoFactor)
        .where(
            TwoFactor.id == record.id,
            or_(TwoFactor.last_used_step.is_(None), TwoFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        record.last_used_step = step
    return claimed == 1


def check_totp(record: TwoFactor, code: str, field: str = "code", now: float | None = None):
    """Accept a current code once, or raise a PracticeError for the field."""
    code = _digits(code or "")
    if not (len(code) == 6 and code.isdigit()):
        raise PracticeError("Enter the 6-digit code from your authenticator app.", field)
    step = _matching_step(record.secret, code, time.time() if now is None else now)
    if step is None:
        raise PracticeError(
            "That code does not match. Check the time on your phone and try the newest code.",
            field,
        )
    if not _use_step(record, step):
        raise PracticeError("That code was just used. Wait for the next one to appear.", field)


def confirm(user: User, code: str) -> list[str]:
    """Switch two-factor on once a current code proves the app has the secret; returns
    the recovery codes, to be shown once."""
    record = pending_secret(user)
    check_totp(record, code)
    record.enabled_at = utcnow()
    codes = new_recovery_codes(user)
    session.flush()
    return codes


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes; every earlier one stops working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODES)
    ]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)) for code in codes)
    session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(user: User, code: str) -> int | None:
    """Spend a recovery code; the number left, or None when it is unknown or used."""
    normalized = _normalize_recovery(code)
    if len(normalized) != 10:
        return None
    claimed = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    return session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def recent_wrong_codes(user: User, within=None) -> int:
    since = utcnow() - WRONG_CODE_WINDOW
    return (within or session).scalar(
        select(func.count())
        .select_from(TwoFactorAttempt)
        .where(TwoFactorAttempt.user_id == user.id, TwoFactorAttempt.at > since)
    )


def claim_code_attempt(user: User) -> int | None:
    """Count a code about to be checked, in one atomic step with the check of the limit
    (``kept.exclusive``), kept even when the request is rolled back: which attempt in the
    window this is (1 to MAX_WRONG_CODES), or None when the limit is reached and the code
    must not be checked at all. A right code forgets the count (``sign_in_with_code``)."""
    with kept.exclusive(f"twofactor:{user.id}") as own:
        own.execute(
            delete(TwoFactorAttempt).where(
                TwoFactorAttempt.user_id == user.id,
                TwoFactorAttempt.at <= utcnow() - WRONG_CODE_WINDOW,
            )
        )
        earlier = recent_wrong_codes(user, within=own)
        if earlier >= MAX_WRONG_CODES:
            return None
        own.add(TwoFactorAttempt(user_id=user.id))
        return earlier + 1


def sign_in_with_code(user: User, code: str) -> str:
    """Check a sign-in code: "code" or "recovery" for what worked, else a PracticeError
    for the field. The caller counts wrong codes."""
    record = record_for(user)
    if record is None or record.enabled_at is None:
        raise PracticeError("Two-factor sign-in is off for this account.", "code")
    typed = _digits(code or "")
    if not typed:
        raise PracticeError("Enter the code from your app, or a recovery code.", "code")
    if len(_normalize_recovery(typed)) not in (6, 10):
        raise PracticeError(
            "Enter the 6-digit code from your app, or a recovery code of 10 letters and digits.",
            "code",
        )
    # A recovery code is 10 letters and digits (rarely all digits), an app code 6 digits.
    if len(typed) == 6:
        check_totp(record, typed)
        session.execute(delete(TwoFactorAttempt).where(TwoFactorAttempt.user_id == user.id))
        return "code"
    if use_recovery_code(user, typed) is None:
        raise PracticeError(
            "That recovery code does not match, or it was used already. Each works once.",
            "code",
        )
    session.execute(delete(TwoFactorAttempt).where(TwoFactorAttempt.user_id == user.id))
    return "recovery"


def recovery_codes_left(user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def check_password(user: User, password: str, field: str = "password") -> None:
    if not user.check_password(password or ""):
        raise PracticeError("That is not your password.", field)


def disable(user: User, password: str, code: str) -> None:
    """Switch two-factor off: the password and a current code, so a borrowed signed-in
    browser alone cannot do it."""
    record = record_for(user)
    if record is None or record.enabled_at is None:
        raise PracticeError("Two-factor sign-in is already off.")
    if required_for(user):
        raise PracticeError(
            "Your practice asks every practitioner to use two-factor sign-in, so it stays on."
        )
    check_password(user, password)
    check_totp(record, code)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.delete(record)
    session.flush()


def regenerate(user: User, password: str, field: str = "password") -> list[str]:
    if not is_enabled(user):
        raise PracticeError("Turn on two-factor sign-in first.")
    check_password(user, password, field)
    return new_recovery_codes(user)


def set_required(profile: PracticeProfile, required: bool) -> bool:
    """Change the practice's rule; True when it changed."""
    if profile.require_two_factor == required:
        return False
    profile.require_two_factor = required
    session.flush()
    return True


def staff_status() -> list[tuple[User, bool]]:
    """Every owner and practitioner with whether two-factor is on, in one query."""
    rows = session.execute(
        select(User, TwoFactor.enabled_at)
        .outerjoin(TwoFactor, TwoFactor.user_id == User.id)
        .where(User.role.in_([Role.OWNER, Role.PRACTITIONER]))
        .order_by(User.name, User.id)
    ).all()
    return [(user, enabled_at is not None) for user, enabled_at in rows]
