"""Making repeated sign-in failures and reset requests wait, per account and per address.

Kept in the database, not in memory: several workers answer one practice. After ``limit``
events within 15 minutes the next attempt waits 30 seconds; every further event while the
run lasts doubles the wait (1, 2, 4 ... minutes), up to an hour. A run ends after 15 quiet
minutes following the last wait. Attempts made while waiting are not counted, so a person
who simply retries too early is not punished further.

Every attempt is counted before the password is checked, in the same atomic step as the
check of the wait (``attempt``), and forgotten when it succeeds: 30 wrong passwords sent at
once check 5, not as many as slip between a check and a count. Counts are written in a
transaction of their own (``practice.kept``): the request that counts a failure is refused
and rolled back, and the count must stay all the same.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from flask import current_app, request
from sqlalchemy import delete, or_, select

from practice import kept
from practice.db import session
from practice.models import ThrottleEvent, utcnow

SIGNIN = "signin.failed"
RESET = "reset.requested"
WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=60)
# Events older than a day are forgotten: a run kept alive that long starts over gently.
LOOKBACK = timedelta(hours=24)
KEY_LENGTH = 254
ADDRESS_LENGTH = 64


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_address: int


def limits(kind: str) -> Limits:
    config = current_app.config
    if kind == RESET:
        return Limits(
            int(config["PRACTICE_RESET_LIMIT_ACCOUNT"]), int(config["PRACTICE_RESET_LIMIT_ADDRESS"])
        )
    return Limits(
        int(config["PRACTICE_LOGIN_LIMIT_ACCOUNT"]), int(config["PRACTICE_LOGIN_LIMIT_ADDRESS"])
    )


def email_key(email: str) -> str:
    return (email or "").strip().lower()[:KEY_LENGTH]


def client_address() -> str:
    """The client's address; behind PRACTICE_PROXIES proxies, ProxyFix has already set it."""
    return (request.remote_addr or "")[:ADDRESS_LENGTH]


def _wait(count: int, limit: int) -> timedelta:
    if count < limit:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** (count - limit), LONGEST_WAIT)


def _ready_at(times: list[datetime], limit: int) -> datetime | None:
    """When the next attempt may be made after these events (oldest first), or None."""
    run: list[datetime] = []  # the events of the current run
    for moment in times:
        if len(run) < limit:
            # Not yet waiting: only the events of the last 15 minutes count.
            run = [earlier for earlier in run if moment - earlier < WINDOW]
        elif moment - run[-1] > _wait(len(run), limit) + WINDOW:
            run = []  # a quiet spell after the last wait: a fresh start
        run.append(moment)
    if len(run) < limit:
        return None
    return run[-1] + _wait(len(run), limit)


def minutes_to_wait(kind: str, email: str, address: str | None = None, *, within=None) -> int:
    """Whole minutes (at least 1) until the account or address may try again; 0 if now."""
    address = client_address() if address is None else address
    email, now = email_key(email), utcnow()
    rows = (
        (within or session)
        .execute(
            select(ThrottleEvent.email, ThrottleEvent.address, ThrottleEvent.created_at)
            .where(
                ThrottleEvent.kind == kind,
                ThrottleEvent.created_at > now - LOOKBACK,
                or_(ThrottleEvent.email == email, ThrottleEvent.address == address),
            )
            .order_by(ThrottleEvent.created_at, ThrottleEvent.id)
        )
        .all()
    )
    limit = limits(kind)
    moments = [
        _ready_at([row.created_at for row in rows if row.email == email], limit.per_account),
        _ready_at([row.created_at for row in rows if row.address == address], limit.per_address),
    ]
    ready = max((moment for moment in moments if moment is not None), default=None)
    if ready is None or ready <= now:
        return 0
    return max(1, ceil((ready - now).total_seconds() / 60))


@dataclass(frozen=True)
class Attempt:
    """One attempt asked for: how long to wait first (0: go ahead, it is counted)."""

    wait: int
    event_id: int | None = None


def attempt(kind: str, email: str, address: str | None = None) -> Attempt:
    """Check the wait and, when there is none, count this attempt: one atomic step
    (``kept.exclusive``), so of many attempts at once no more than the limit go ahead.

    The count is kept even when the request is rolled back. An attempt that succeeds (the
    right password) is forgotten by the caller (``clear_account`` or ``forget``); one made
    while waiting is not counted. This account's and address's events older than the
    lookback are forgotten on the way.
    """
    address = client_address() if address is None else address
    email, now = email_key(email), utcnow()
    with kept.exclusive(
        f"throttle:{kind}:account:{email}", f"throttle:{kind}:address:{address}"
    ) as own:
        wait = minutes_to_wait(kind, email, address, within=own)
        if wait:
            return Attempt(wait)
        own.execute(
            delete(ThrottleEvent).where(
                ThrottleEvent.created_at <= now - LOOKBACK,
                or_(ThrottleEvent.email == email, ThrottleEvent.address == address),
            )
        )
        event = ThrottleEvent(kind=kind, email=email, address=address, created_at=now)
        own.add(event)
        own.flush()
        return Attempt(0, event.id)


def forget(counted: Attempt) -> None:
    """The attempt succeeded: it does not count against the account or the address."""
    if counted.event_id is not None:
        session.execute(delete(ThrottleEvent).where(ThrottleEvent.id == counted.event_id))


def clear_account(kind: str, email: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    session.execute(
        delete(ThrottleEvent).where(
            ThrottleEvent.kind == kind, ThrottleEvent.email == email_key(email)
        )
    )


def message(minutes: int) -> str:
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many attempts. Try again in {minutes} {unit}."
