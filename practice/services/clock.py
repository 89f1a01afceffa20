"""Today's date where a person lives: due dates and daily exercises follow their calendar."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def today_for(user) -> date:
    return datetime.now(UTC).astimezone(zone(user.timezone)).date()


def local(moment: datetime, user) -> datetime:
    return moment.astimezone(zone(user.timezone))
