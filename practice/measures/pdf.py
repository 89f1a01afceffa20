"""Measures' scores in a PDF: one chart per scale, as reportlab flowables, for the session
PDF and the record to include (plain data in, flowables out: no request, no database).

The data comes from ``practice.services.measures.pdf_data`` (already filtered by
``practice.privacy`` for whoever the PDF is for); the look (palette, time axis) from
``practice.charts.core`` and the legend and markers from ``practice.pdf.charts``, so the
PDF's charts match the pages' and the ratings' charts.

Where to hook it (left for the PDFs' owner): in ``practice.services.documents``, beside the
ratings of the session PDF's and the record's data, add
``measures=charts.pdf_data(services.measures.scores_over_time(practitioner, couple), couple)``
(``practice.measures.charts``); in ``practice.pdf.session`` and ``practice.pdf.record``,
after the ratings section, ``story += measures_section(data.measures, partner_names)``. A
PDF for one partner passes that partner's user to ``scores_over_time`` instead, so it
carries only the scores ``practice.privacy`` lets them read."""

from reportlab.graphics.shapes import Drawing, Path, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from practice.charts.core import day_axis, looks_for, rating_height, tick_label
from practice.pdf.charts import draw_partner, legend
from practice.pdf.common import FRAME_WIDTH, MUTED, RULE, styles
from practice.pdf.text import para
from practice.pdf.typefaces import REGULAR

CHART_HEIGHT = 48 * mm
LEFT, BOTTOM = 24.0, 16.0
BAND = colors.HexColor("#f6dcd8")


def _label(value: float) -> str:
    return f"{value:g}"


def scale_chart(scale: dict, looks: dict, width: float, span: tuple) -> Drawing:
    """One scale: its range up the side, the cutoff band, step and session markers, a line
    per partner."""
    low, high = scale["range"]
    plot_w, plot_h = width - LEFT - 10, CHART_HEIGHT - BOTTOM - 6
    axis = day_axis(span)
    drawing = Drawing(width, CHART_HEIGHT)

    def px(moment) -> float:
        return LEFT + axis.across(moment) * plot_w

    def py(value: float) -> float:
        return BOTTOM + rating_height(value, low, high) * plot_h

    if scale.get("band"):
        bottom, top = py(scale["band"]["from"]), py(scale["band"]["to"])
        drawing.add(Rect(LEFT, bottom, plot_w, top - bottom, fillColor=BAND, strokeColor=None))
    grid = Path(strokeColor=RULE, strokeWidth=0.4, fillColor=None)
    for value in scale["grid"]:
        grid.moveTo(LEFT, py(value))
        grid.lineTo(LEFT + plot_w, py(value))
        drawing.add(
            String(
                LEFT - 4,
                py(value) - 2.3,
                _label(value),
                fontName=REGULAR,
                fontSize=6.5,
                fillColor=MUTED,
                textAnchor="end",
            )
        )
    drawing.add(grid)
    marks = Path(strokeColor=MUTED, strokeWidth=0.5, strokeDashArray=(1.5, 2), fillColor=None)
    for moment, _words in scale.get("markers", []):
        marks.moveTo(px(moment), BOTTOM)
        marks.lineTo(px(moment), BOTTOM + plot_h)
    drawing.add(marks)
    for tick in axis.ticks:
        x = LEFT + axis.tick_across(tick) * plot_w
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
    drawing.add(
        PolyLine(
            [LEFT, BOTTOM + plot_h, LEFT, BOTTOM, LEFT + plot_w, BOTTOM],
            strokeColor=MUTED,
            strokeWidth=0.6,
        )
    )
    for name, points in scale["points"].items():
        draw_partner(drawing, looks[name], [(px(moment), py(value)) for moment, value in points])
    return drawing


def measures_section(scales: list[dict], partner_names: list[str]) -> list[Flowable]:
    """A legend, then per scale: its title, its chart and what the chart shows in words
    (the band, each partner's reliable change, "not a validated instrument")."""
    if not scales:
        return []
    looks = looks_for(partner_names)
    moments = [m for s in scales for pts in s["points"].values() for m, _ in pts]
    span = (min(moments), max(moments))
    s = styles()
    out: list[Flowable] = [legend(partner_names, looks)]
    for scale in scales:
        low, high = scale["range"]
        out += [
            CondPageBreak(CHART_HEIGHT + 22 * mm),
            para(
                f"{scale['label']} ({scale['measure']}, {_label(low)} to {_label(high)})", s["h3"]
            ),
            scale_chart(scale, looks, FRAME_WIDTH, span),
        ]
        for words in scale["notes"]:
            out.append(para(words, s["small"]))
    return out
