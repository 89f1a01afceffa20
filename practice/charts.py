"""Ratings over time as an accessible SVG line chart, drawn on the server."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 560, 200, 34, 12, 12, 26
COLOURS = ("#2f6f8f", "#b5562f")
DASHES = ("", "6 4")  # the second partner's line differs in shape too, not only colour
MARKERS = ("circle", "square")  # and in its markers, for print and for colour blindness
# The ratings shown side by side for both partners: the heart of trust-rebuilding work.
SIDE_BY_SIDE = ("trust", "safety", "connection")
PANEL_WIDTH, PANEL_HEIGHT = 240, 170


@dataclass
class Line:
    name: str
    colour: str
    dash: str
    points: str
    dots: list[tuple[float, float, str]]
    marker: str = "circle"


def time_span(all_series) -> tuple:
    """One time axis for all of a couple's charts, so they line up when read together."""
    moments = [m for series in all_series for pts in series.points.values() for m, _ in pts]
    return min(moments), max(moments)


def line_chart(series, partners, span, width=WIDTH, height=HEIGHT) -> dict:
    """Geometry for one rating question: one line per partner on a shared time axis, 1-10."""
    start, end = span
    seconds = (end - start).total_seconds() or 1.0
    inner_w = width - PAD_LEFT - PAD_RIGHT
    inner_h = height - PAD_TOP - PAD_BOTTOM

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
                MARKERS[index % 2],
            )
        )
    grid = [(value, round(y(value), 1)) for value in (1, 4, 7, 10)]
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "grid": grid,
        "left": PAD_LEFT,
        "right": width - PAD_RIGHT,
        "bottom": height - PAD_BOTTOM,
        "start": start,
        "end": end,
        "start_label": _axis_label(start, end, start),
        "end_label": _axis_label(start, end, end),
    }


def side_by_side(all_series, partners, keys=SIDE_BY_SIDE) -> list[tuple]:
    """Small multiples: one narrow panel per rating in ``keys`` (trust, safety, connection),
    both partners in each, on one time axis. [(series, chart)], for the ratings given."""
    chosen = [s for key in keys for s in all_series if s.key == key]
    if not chosen:
        return []
    span = time_span(chosen)
    return [(s, line_chart(s, partners, span, PANEL_WIDTH, PANEL_HEIGHT)) for s in chosen]


def _axis_label(start, end, moment) -> str:
    """Dates on the time axis; with the time of day when all points fall on one day."""
    return f"{moment:%d %b %H:%M}" if start.date() == end.date() else f"{moment:%d %b}"
