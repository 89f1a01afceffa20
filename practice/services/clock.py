"""Today's date where a person lives: due dates and daily exercises follow their calendar."""

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def now() -> datetime:
    return datetime.now(UTC)


def today_for(user) -> date:
    return datetime.now(UTC).astimezone(zone(user.timezone)).date()


def local(moment: datetime, user) -> datetime:
    return moment.astimezone(zone(user.timezone))


def format_datetime(moment: datetime | None, user=None) -> str:
    """A moment as people read it, in the user's zone (UTC without a user)."""
    return format_datetime_in(moment, zone(user.timezone) if user is not None else None)


def format_time(moment: datetime | None, user=None) -> str:
    return format_time_in(moment, zone(user.timezone) if user is not None else None)


def format_datetime_in(moment: datetime | None, where: ZoneInfo | None) -> str:
    """A moment as people read it, in the given zone (as stored, without one)."""
    if moment is None:
        return ""
    return f"{moment.astimezone(where) if where is not None else moment:%a %-d %b %Y, %H:%M}"


def format_time_in(moment: datetime | None, where: ZoneInfo | None) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(where) if where is not None else moment:%H:%M}"


def format_date(day: date | None) -> str:
    return "" if day is None else f"{day:%a %-d %b %Y}"


@cache
def zone_names() -> tuple[str, ...]:
    """The time zones a person may choose, by their IANA names ("Europe/Berlin"): the
    Area/Location ones and UTC, not the legacy aliases ("EST5EDT", "Factory")."""
    legacy = ("Etc/", "SystemV/")
    names = {n for n in available_timezones() if "/" in n and not n.startswith(legacy)}
    return tuple(sorted(names | {"UTC"}))


def known_zone(name: str) -> str | None:
    """The zone's name as listed (case as typed is forgiven), or None when it is none."""
    wanted = name.strip().casefold().replace(" ", "_")
    return next((n for n in zone_names() if n.casefold() == wanted), None)
