"""Ratings over time as accessible SVG line charts, drawn on the server: the geometry the
couple page's figures (``practice.charts.html``) turn into SVG elements."""

from dataclasses import dataclass

from practice.charts.core import (
    HIGHEST,
    LOWEST,
    SIDE_BY_SIDE,
    axis_label,
    exact_axis,
    look,
    rating_height,
    time_span,
)

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 560, 200, 34, 12, 12, 26
PANEL_WIDTH, PANEL_HEIGHT = 240, 170
LINE_WIDTH = 2  # the templates' stroke-width
GRID = (1, 4, 7, 10)


@dataclass
class Line:
    name: str
    colour: str
    dash: str  # an SVG stroke-dasharray, "" for a solid line
    points: str
    dots: list[tuple[float, float, str]]
    marker: str = "circle"
    description: str = ""


def line_chart(
    series, partners, span, width=WIDTH, height=HEIGHT, low=LOWEST, high=HIGHEST, grid=GRID
) -> dict:
    """Geometry for one rating question: one line per partner on a shared time axis, 1-10
    (or a measure's scale from ``low`` to ``high``)."""
    axis = exact_axis(span)
    inner_w = width - PAD_LEFT - PAD_RIGHT
    inner_h = height - PAD_TOP - PAD_BOTTOM

    def x(moment):
        return PAD_LEFT + inner_w * axis.across(moment)

    def y(value):
        return PAD_TOP + inner_h * (1 - rating_height(value, low, high))

    lines = []
    for index, partner in enumerate(partners):
        points = series.points.get(partner.id, [])
        if not points:
            continue
        coords = [(round(x(m), 1), round(y(v), 1), f"{m:%d %b}: {v:g}") for m, v in points]
        style = look(index)
        lines.append(
            Line(
                partner.name,
                style.colour,
                " ".join(f"{length:g}" for length in style.dash_lengths(LINE_WIDTH)),
                " ".join(f"{cx},{cy}" for cx, cy, _ in coords),
                coords,
                style.marker,
                style.description,
            )
        )
    start, end = span
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "grid": [(value, round(y(value), 1)) for value in grid],
        "left": PAD_LEFT,
        "right": width - PAD_RIGHT,
        "bottom": height - PAD_BOTTOM,
        "start": start,
        "end": end,
        "start_label": axis_label(span, start),
        "end_label": axis_label(span, end),
        # Where a value or a moment falls, for what a chart draws under its lines.
        "y_of": y,
        "x_of": x,
    }


def side_by_side(all_series, partners, keys=SIDE_BY_SIDE) -> list[tuple]:
    """Small multiples: one narrow panel per rating in ``keys`` (trust, safety, connection),
    both partners in each, on one time axis. [(series, chart)], for the ratings given."""
    chosen = [s for key in keys for s in all_series if s.key == key]
    if not chosen:
        return []
    span = time_span(chosen)
    return [(s, line_chart(s, partners, span, PANEL_WIDTH, PANEL_HEIGHT)) for s in chosen]
