"""A light table: rows of flowables in fixed-width columns, a rule under each row, an
optional repeated header row and shaded rows. It does a fraction of the work of reportlab's
Table (no spans, no per-cell style language), which matters for a 50-session record."""

from reportlab.platypus import Flowable


class Grid(Flowable):
    def __init__(
        self,
        rows: list[list],
        widths: list[float],
        *,
        header: bool = False,
        rule=None,
        header_rule=None,
        shaded: frozenset[int] = frozenset(),
        shade=None,
        pad: float = 3.0,
        pad_left: float = 0.0,
    ):
        super().__init__()
        self.rows = [[c if isinstance(c, list | tuple) else [c] for c in row] for row in rows]
        self.widths = widths
        self.header = header and bool(rows)
        self.rule, self.header_rule = rule, header_rule
        self.shaded, self.shade = shaded, shade
        self.pad, self.pad_left = pad, pad_left
        self._heights: list[float] | None = None

    def _cell_height(self, cell: list, width: float) -> float:
        total = 0.0
        for i, flowable in enumerate(cell):
            total += flowable.wrap(width, 1e6)[1]
            if i:
                total += flowable.getSpaceBefore()
        return total

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        if self._heights is None:
            self._heights = [
                max(
                    (
                        self._cell_height(c, w - self.pad_left - 2)
                        for c, w in zip(row, self.widths, strict=False)
                    ),
                    default=0.0,
                )
                + 2 * self.pad
                for row in self.rows
            ]
        self.width = sum(self.widths)
        self.height = sum(self._heights)
        return self.width, self.height

    def _part(self, rows: list[list], heights: list[float], shaded) -> "Grid":
        part = Grid(
            [],
            self.widths,
            rule=self.rule,
            header_rule=self.header_rule,
            shade=self.shade,
            pad=self.pad,
            pad_left=self.pad_left,
        )
        part.rows, part._heights, part.shaded = rows, heights, frozenset(shaded)
        part.header = self.header
        return part

    def split(self, availWidth, availHeight):  # noqa: N803
        self.wrap(availWidth, availHeight)
        first = 1 if self.header else 0
        used, fit = 0.0, 0
        for height in self._heights:
            if used + height > availHeight:
                break
            used += height
            fit += 1
        if fit >= len(self.rows):
            return [self]
        if fit <= first:
            if self._heights[first] > 600:  # a row taller than a page: give up the columns
                row = self.rows[first]
                loose = [f for cell in row for f in cell]
                rest = self.rows[:first] + self.rows[first + 1 :]
                tail = self._part(
                    rest,
                    self._heights[:first] + self._heights[first + 1 :],
                    {i - (i > first) for i in self.shaded if i != first},
                )
                return loose + ([tail] if len(rest) > first else [])
            return []
        head_rows = list(range(first))
        head = self._part(self.rows[:fit], self._heights[:fit], {i for i in self.shaded if i < fit})
        tail = self._part(
            [self.rows[i] for i in head_rows] + self.rows[fit:],
            [self._heights[i] for i in head_rows] + self._heights[fit:],
            {i - fit + first for i in self.shaded if i >= fit},
        )
        return [head, tail]

    def draw(self):
        canvas = self.canv
        y = self.height
        for index, (row, height) in enumerate(zip(self.rows, self._heights, strict=True)):
            y -= height
            if index in self.shaded and self.shade is not None:
                canvas.saveState()
                canvas.setFillColor(self.shade)
                canvas.rect(0, y, self.width, height, stroke=0, fill=1)
                canvas.restoreState()
            x = 0.0
            for cell, width in zip(row, self.widths, strict=False):
                top = y + height - self.pad
                for i, flowable in enumerate(cell):
                    if i:
                        top -= flowable.getSpaceBefore()
                    top -= flowable.height
                    flowable.drawOn(canvas, x + self.pad_left, top)
                x += width
            colour = self.header_rule if (self.header and index == 0) else self.rule
            if colour is not None:
                canvas.saveState()
                canvas.setStrokeColor(colour)
                canvas.setLineWidth(0.8 if (self.header and index == 0) else 0.4)
                canvas.line(0, y, self.width, y)
                canvas.restoreState()
