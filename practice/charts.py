"""Ratings over time as an accessible SVG line chart, drawn on the server."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 560, 200, 34, 12, 12, 26
COLOURS = ("#2f6f8f", "#b5562f")
DASHES = ("", "6 4")  # the second partner's line differs in shape too, not only colour


@dataclass
class Line:
    name: str
    colour: str
    dash: str
    points: str
    dots: list[tuple[float, float, str]]


def time_span(all_series) -> tuple:
    """One time axis for all of a couple's charts, so they line up when read together."""
    moments = [m for series in all_series for pts in series.points.values() for m, _ in pts]
    return min(moments), max(moments)


def line_chart(series, partners, span) -> dict:
    """Geometry for one rating question: one line per partner on a shared time axis, 1-10."""
    start, end = span
    seconds = (end - start).total_seconds() or 1.0
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(moment):
        if end == start:
            return PAD_LEFT + inner_w / 2
        return PAD_LEFT + inner_w * (moment - start).total_seconds() / seconds

    def y(value):
        return PAD_TOP + inner_h * (10 - value) / 9

    lines = []
    for index, partner in enumerate(partners):
        points = series.points.get(partner.id, [])
        if not points:
            continue
        coords = [(round(x(m), 1), round(y(v), 1), f"{m:%d %b}: {v}") for m, v in points]
        lines.append(
            Line(
                partner.name,
                COLOURS[index % 2],
                DASHES[index % 2],
                " ".join(f"{cx},{cy}" for cx, cy, _ in coords),
                coords,
            )
        )
    grid = [(value, round(y(value), 1)) for value in (1, 4, 7, 10)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "lines": lines,
        "grid": grid,
        "left": PAD_LEFT,
        "right": WIDTH - PAD_RIGHT,
        "bottom": HEIGHT - PAD_BOTTOM,
        "start": start,
        "end": end,
    }


def _axis_label(start, end, moment) -> str:
    """Dates on the time axis; with the time of day when all points fall on one day."""
    return f"{moment:%d %b %H:%M}" if start.date() == end.date() else f"{moment:%d %b}"
