"""Ratings over time as line charts, drawn with reportlab's own graphics.

The palette, the 1-10 scale and the time axis come from ``practice.charts.core``, the
same as the pages' SVG charts; this module only turns them into reportlab shapes."""

from datetime import datetime

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, Path, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from practice.charts.core import (
    HIGHEST,
    LOWEST,
    Look,
    TimeAxis,
    day_axis,
    day_number,
    look,
    looks_for,
    rating_height,
    tick_label,
    time_span,
)
from practice.charts.core import SIDE_BY_SIDE as SIDE_BY_SIDE_KEYS
from practice.pdf.common import FRAME_WIDTH, MUTED, RULE, styles
from practice.pdf.data import RatingSeries
from practice.pdf.grid import Grid
from practice.pdf.text import para
from practice.pdf.typefaces import REGULAR

CHART_HEIGHT = 52 * mm
LINE_WIDTH = 1.6


def _colour(style: Look):
    return colors.HexColor(style.colour)


def _dash(style: Look) -> tuple[float, ...] | None:
    return style.dash_lengths(LINE_WIDTH) or None


def _marker_path(kind: str, points: list[tuple[float, float]], colour) -> Path:
    """All of one partner's markers as one filled path (one node to draw, not one each)."""
    r = 2.3
    if kind == "square":
        shape = [(-r, -r), (r, -r), (r, r), (-r, r)]
    elif kind == "diamond":
        shape = [(0, -1.35 * r), (1.35 * r, 0), (0, 1.35 * r), (-1.35 * r, 0)]
    elif kind == "triangle":
        shape = [(-1.2 * r, -r), (1.2 * r, -r), (0, 1.25 * r)]
    else:  # a circle, as an octagon: indistinguishable at this size
        shape = [
            (r * c, r * s)
            for c, s in (
                (1, 0),
                (0.71, 0.71),
                (0, 1),
                (-0.71, 0.71),
                (-1, 0),
                (-0.71, -0.71),
                (0, -1),
                (0.71, -0.71),
            )
        ]
    path = Path(fillColor=colour, strokeColor=None)
    for x, y in points:
        path.moveTo(x + shape[0][0], y + shape[0][1])
        for dx, dy in shape[1:]:
            path.lineTo(x + dx, y + dy)
        path.closePath()
    return path


LEFT, BOTTOM = 22.0, 16.0

_scales: dict[tuple[float, float], Drawing] = {}


def _scale(width: float, height: float) -> Drawing:
    """The part every ratings chart of this size shares: the 1-10 scale, its grid and the
    axes. Made once per process; drawn once per PDF (see RatingsChart)."""
    key = (round(width, 2), round(height, 2))
    scale = _scales.get(key)
    if scale is None:
        plot_w, plot_h = width - LEFT - 10, height - BOTTOM - 6
        scale = Drawing(width, height)
        grid = Path(strokeColor=RULE, strokeWidth=0.4, fillColor=None)
        for rating in range(LOWEST, HIGHEST + 1):
            y = BOTTOM + rating_height(rating) * plot_h
            grid.moveTo(LEFT, y)
            grid.lineTo(LEFT + plot_w, y)
            scale.add(
                String(
                    LEFT - 4,
                    y - 2.3,
                    str(rating),
                    fontName=REGULAR,
                    fontSize=6.5,
                    fillColor=MUTED,
                    textAnchor="end",
                )
            )
        scale.add(grid)
        scale.add(
            PolyLine(
                [LEFT, BOTTOM + plot_h, LEFT, BOTTOM, LEFT + plot_w, BOTTOM],
                strokeColor=MUTED,
                strokeWidth=0.6,
            )
        )
        _scales[key] = scale
    return scale


class RatingsChart(Flowable):
    """A line chart drawn with reportlab.graphics: the shared scale goes into the PDF once,
    as a form every chart of the document reuses; each chart adds its dates and lines."""

    def __init__(self, scale: Drawing, lines: Drawing):
        super().__init__()
        self.scale, self.lines = scale, lines
        self.width, self.height = lines.width, lines.height

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        name = f"PracticeRatingScale{int(self.width)}x{int(self.height)}"
        if not canvas.hasForm(name):
            canvas.beginForm(name, 0, 0, self.width, self.height)
            renderPDF.draw(self.scale, canvas, 0, 0)
            canvas.endForm()
        canvas.doForm(name)
        renderPDF.draw(self.lines, canvas, 0, 0)


def line_chart(
    series: RatingSeries,
    looks: dict[str, Look],
    width: float,
    ticks: int = 6,
    axis: TimeAxis | None = None,
) -> Flowable:
    """One series (e.g. "Trust"): a line per partner, 1-10 up the side, dates along.
    axis: a time axis shared with other charts; by default this series' own.
    Drawn from reportlab.graphics shapes (paths, polylines, strings): the same picture as
    the LinePlot widget at a fraction of the cost."""
    names = [name for name, points in series.points.items() if points]
    drawing = Drawing(width, CHART_HEIGHT)
    if not names:
        drawing.add(
            String(
                width / 2,
                CHART_HEIGHT / 2,
                "No ratings yet",
                fontName=REGULAR,
                fontSize=9,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
        return drawing
    axis = axis or day_axis(time_span([series]), ticks)
    plot_w, plot_h = width - LEFT - 10, CHART_HEIGHT - BOTTOM - 6

    def px(fraction: float) -> float:
        return LEFT + fraction * plot_w

    def py(value: float) -> float:
        return BOTTOM + rating_height(value) * plot_h

    ticks_path = Path(strokeColor=MUTED, strokeWidth=0.6, fillColor=None)
    for tick in axis.ticks:  # dates along the bottom
        x = px(axis.tick_across(tick))
        ticks_path.moveTo(x, BOTTOM)
        ticks_path.lineTo(x, BOTTOM - 3)
        drawing.add(
            String(
                x,
                BOTTOM - 10,
                tick_label(tick),
                fontName=REGULAR,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="middle",
            )
        )
    drawing.add(ticks_path)
    for i, name in enumerate(names):
        style = looks.get(name) or look(i)
        points = [(px(axis.across(when)), py(value)) for when, value in series.points[name]]
        draw_partner(drawing, style, points)
    return RatingsChart(_scale(width, CHART_HEIGHT), drawing)


def draw_partner(drawing: Drawing, style: Look, points: list[tuple[float, float]]) -> None:
    """One partner's points on a chart: a line through them (from two points on), in the
    partner's colour and dash, and the partner's marker at each."""
    colour = _colour(style)
    if len(points) > 1:
        drawing.add(
            PolyLine(
                [c for point in points for c in point],
                strokeColor=colour,
                strokeWidth=LINE_WIDTH,
                strokeDashArray=_dash(style),
                strokeLineJoin=1,
            )
        )
    drawing.add(_marker_path(style.marker, points, colour))


def _swatch(style: Look) -> Drawing:
    colour = _colour(style)
    swatch = Drawing(11 * mm, 3 * mm)
    swatch.add(
        Line(
            0,
            1.5 * mm,
            11 * mm,
            1.5 * mm,
            strokeColor=colour,
            strokeWidth=LINE_WIDTH,
            strokeDashArray=_dash(style),
        )
    )
    swatch.add(_marker_path(style.marker, [(5.5 * mm, 1.5 * mm)], colour))
    return swatch


def legend(names: list[str], looks: dict[str, Look]) -> Flowable:
    """Who is which line: the same colour, dash and marker, then the partner's name."""
    cells, widths = [], []
    for name in names:
        cells += [_swatch(looks[name]), para(name, styles()["small"])]
        widths += [13 * mm, 45 * mm]
    return Grid([cells], widths, pad=1)


def charted(ratings: list[RatingSeries]) -> list[RatingSeries]:
    """The series worth a chart: those in which some partner has at least two ratings (a
    line, not a lone dot), trust, safety and connection first."""
    drawn = [s for s in ratings if any(len(points) >= 2 for points in s.points.values())]
    first = {label: i for i, label in enumerate(SIDE_BY_SIDE)}
    return sorted(drawn, key=lambda s: first.get(s.label, len(first)))


def until_then(series: RatingSeries, until: datetime) -> RatingSeries:
    """The series as it stood at ``until``: later ratings left out."""
    points = {name: [p for p in pts if p[0] <= until] for name, pts in series.points.items()}
    return RatingSeries(series.label, {name: pts for name, pts in points.items() if pts})


def axis_until(span: tuple, until: datetime, most: int = 4) -> TimeAxis:
    """Whole days ending at ``until`` (the session, or the export): the last tick is its
    day, and the axis never runs past it; at least two days wide."""
    low, high = day_number(span[0]), day_number(until)
    last = int(high)
    first = min(int(low), last - 1)
    step = max(1, -(-(last - first) // (most - 1)))
    ticks = sorted(float(last - i * step) for i in range((last - first) // step + 1))
    return TimeAxis(min(low, ticks[0]), max(high, ticks[-1]), tuple(ticks))


def ratings_section(
    ratings: list[RatingSeries],
    partner_names: list[str],
    until: datetime | None = None,
    columns: int = 2,
) -> list[Flowable]:
    """Each series with at least two ratings, once: a legend, then the charts ``columns``
    to a row on one shared time axis that ends at ``until``; then the series not charted.
    [] when nothing is worth a chart."""
    if until is not None:
        ratings = [until_then(series, until) for series in ratings]
    drawn = charted(ratings)
    if not drawn:
        return []
    names = list(partner_names)
    for series in ratings:
        names += [n for n in series.points if n not in names]
    looks = looks_for(names)
    shown = [n for n in names if any(s.points.get(n) for s in drawn)]
    span = time_span(drawn)
    axis = axis_until(span, until) if until is not None else day_axis(span, 6)
    s = styles()
    width = FRAME_WIDTH / columns
    rows = []
    for i in range(0, len(drawn), columns):
        row = drawn[i : i + columns]
        cells = [
            [para(series.label, s["h3"]), line_chart(series, looks, width - 4, axis=axis)]
            for series in row
        ]
        rows.append(cells + [[]] * (columns - len(cells)))
    out: list[Flowable] = [legend(shown, looks), Grid(rows, [width] * columns, pad=1)]
    rest = [series.label for series in ratings if series not in drawn]
    if rest:
        out.append(
            para(", ".join(rest), s["small"], prefix="Fewer than two ratings, not charted: ")
        )
    return out


SIDE_BY_SIDE = tuple(key.title() for key in SIDE_BY_SIDE_KEYS)  # the series' labels
