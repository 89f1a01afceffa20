"""What every ratings chart shares, on a page or in a PDF: the palette, the 1-10 scale,
and the time axis. The renderers (``practice.charts.svg``, ``practice.pdf.charts``) only
turn these numbers into SVG attributes or reportlab shapes."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

LOWEST, HIGHEST = 1, 10
# The ratings shown side by side for both partners: the heart of trust-rebuilding work.
SIDE_BY_SIDE = ("trust", "safety", "connection")


@dataclass(frozen=True)
class Look:
    """How one partner's line looks. Colour, dash AND marker differ from one partner to the
    next, so the lines stay apart in grey print and for colour-blind readers."""

    colour: str  # "#rrggbb"
    dash: tuple[float, ...]  # on/off lengths in line widths; () is a solid line
    marker: str  # "circle", "square", "diamond" or "triangle"
    description: str  # the look in words, for screen readers

    def dash_lengths(self, line_width: float) -> tuple[float, ...]:
        """The dash pattern for a line this wide, in the drawing's own units."""
        return tuple(round(length * line_width, 2) for length in self.dash)


# The first colour is the site's accent; couples have two partners, the rest is for
# series with more names (a partner renamed between sessions, say).
PALETTE = (
    Look("#2f6f8f", (), "circle", "solid line, circles"),
    Look("#b5562f", (3, 2), "square", "dashed line, squares"),
    Look("#15803d", (1, 1.25), "diamond", "dotted line, diamonds"),
    Look("#7e22ce", (3.75, 1.25, 1, 1.25), "triangle", "dash-dot line, triangles"),
)


def look(index: int) -> Look:
    """The look of the index-th partner (in the couple's order)."""
    return PALETTE[index % len(PALETTE)]


def looks_for(names: Iterable) -> dict:
    """One look per partner, by name or id, in the order given."""
    return {name: look(i) for i, name in enumerate(names)}


def rating_height(value: float, low: float = LOWEST, high: float = HIGHEST) -> float:
    """Where a rating sits on the 1-10 scale (or a measure's own): 0 at the bottom, 1 at the
    top."""
    return (max(low, min(high, value)) - low) / (high - low)


def day_number(moment: date | datetime) -> float:
    """Days on one number line, the time of day as a fraction, so two ratings given on one
    day stay apart and dates and datetimes share an axis."""
    if isinstance(moment, datetime):
        seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
        return moment.toordinal() + (seconds + moment.microsecond / 1e6) / 86400
    return float(moment.toordinal())


def day_of(number: float) -> date:
    """The calendar day a day number falls on (rounded to the nearest)."""
    return date.fromordinal(max(1, int(round(number))))


def time_span(all_series) -> tuple:
    """One time axis for all of a couple's charts, so they line up when read together:
    (first moment, last moment) over every series' points."""
    moments = [m for series in all_series for pts in series.points.values() for m, _ in pts]
    return min(moments, key=day_number), max(moments, key=day_number)


@dataclass(frozen=True)
class TimeAxis:
    """A stretch of time mapped onto 0..1 across the chart, with its ticks (day numbers)."""

    low: float
    high: float
    ticks: tuple[float, ...] = ()

    def across(self, moment: date | datetime) -> float:
        """Where a moment falls: 0 at the left end, 1 at the right; the middle when the
        axis is a single moment."""
        if self.high == self.low:
            return 0.5
        return (day_number(moment) - self.low) / (self.high - self.low)

    def tick_across(self, tick: float) -> float:
        return 0.5 if self.high == self.low else (tick - self.low) / (self.high - self.low)


def exact_axis(span: tuple) -> TimeAxis:
    """From the first moment to the last, labelled at both ends (the pages' charts)."""
    start, end = span
    return TimeAxis(day_number(start), day_number(end))


def day_axis(span: tuple, most: int = 6) -> TimeAxis:
    """Whole days, at most ``most`` ticks, at least two days wide (the PDFs' charts)."""
    low, high = day_number(span[0]), day_number(span[1])
    if high - low < 1:
        low, high = low - 1, high + 1
    first, last = int(low), int(high + 0.999)
    days = max(1, last - first)
    step = max(1, -(-days // (most - 1)))
    ticks = [float(first + i * step) for i in range(days // step + 1)] or [float(first)]
    return TimeAxis(min(low, ticks[0]), max(high, ticks[-1]), tuple(ticks))


def axis_label(span: tuple, moment: datetime) -> str:
    """A date at an end of a page's time axis; with the time of day when all points fall on
    one day."""
    start, end = span
    return f"{moment:%d %b %H:%M}" if start.date() == end.date() else f"{moment:%d %b}"


def tick_label(tick: float) -> str:
    """A day under a PDF chart's tick: "3 Mar 25"."""
    day = day_of(tick)
    return f"{day.day} {day:%b} {day:%y}"
