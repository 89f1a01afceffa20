"""One chart home: the pages' SVG and the PDFs' drawings use one palette and one scale."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from reportlab.graphics.shapes import PolyLine

from practice import charts
from practice.charts.core import PALETTE, day_axis, exact_axis, rating_height
from practice.pdf.charts import line_chart as pdf_line_chart
from practice.pdf.data import RatingSeries

START = datetime(2025, 3, 3, 9, tzinfo=UTC)
RILEY, HARPER = SimpleNamespace(id=1, name="Riley"), SimpleNamespace(id=2, name="Harper")


def moments(*days):
    return [START + timedelta(days=d) for d in days]


def test_the_page_and_the_pdf_draw_each_partner_in_the_same_look():
    riley = list(zip(moments(0, 2, 5), (3, 5, 7), strict=True))
    harper = list(zip(moments(1, 4), (4, 6), strict=True))
    page_series = SimpleNamespace(key="trust", label="Trust", points={1: riley, 2: harper})
    page = charts.line_chart(page_series, [RILEY, HARPER], charts.time_span([page_series]))
    assert [line.colour for line in page["lines"]] == [PALETTE[0].colour, PALETTE[1].colour]
    assert [line.dash for line in page["lines"]] == ["", "6 4"]

    pdf_series = RatingSeries("Trust", {"Riley": riley, "Harper": harper})
    chart = pdf_line_chart(pdf_series, {}, 400)
    strokes = [s for s in chart.lines.contents if isinstance(s, PolyLine)]
    assert [s.strokeColor.hexval()[2:] for s in strokes] == [
        PALETTE[0].colour[1:],
        PALETTE[1].colour[1:],
    ]
    assert strokes[0].strokeDashArray is None and strokes[1].strokeDashArray


def test_the_scale_and_the_time_axes():
    assert rating_height(1) == 0 and rating_height(10) == 1 and rating_height(12) == 1
    span = (START, START + timedelta(days=4))
    assert exact_axis(span).across(START + timedelta(days=1)) == 0.25
    assert exact_axis((START, START)).across(START) == 0.5, "a single moment sits mid-axis"
    one_day = day_axis((START, START + timedelta(hours=2)))
    assert one_day.high - one_day.low >= 2, "a PDF axis is at least two days wide"
    assert all(tick == int(tick) for tick in one_day.ticks), "ticks fall on whole days"
