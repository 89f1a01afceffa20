"""How ratings charts are drawn: the one home for it, on pages and in PDFs alike.

- ``core``: the palette (one look per partner), the 1-10 scale and the time axis;
- ``svg``: the pages' charts, as geometry the templates write out as SVG;
- ``practice.pdf.charts``: the PDFs' charts, as reportlab drawings over the same ``core``
  (it lives with the PDF builders: plain data in, bytes out).

Pages call ``charts.time_span``, ``charts.line_chart`` and ``charts.side_by_side``.
"""

from practice.charts.core import PALETTE, SIDE_BY_SIDE, Look, time_span
from practice.charts.svg import line_chart, side_by_side

__all__ = ["PALETTE", "SIDE_BY_SIDE", "Look", "line_chart", "side_by_side", "time_span"]
