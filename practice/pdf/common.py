"""What every Practice PDF shares: styles, the page (header, confidentiality footer,
"Page X of Y", DRAFT mark), metadata, and turning a story into bytes."""

import io
from datetime import UTC, datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageTemplate, Spacer

from practice.pdf.text import para
from practice.pdf.typefaces import BOLD, REGULAR, ensure_fonts

CONFIDENTIAL = (
    "Confidential: contains health information. Do not share or copy without the client's consent."
)
DRAFT = "DRAFT"

PAGE = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN_X

INK = colors.HexColor("#1d232a")
MUTED = colors.HexColor("#5b6570")
RULE = colors.HexColor("#c9cfd6")
SHADE = colors.HexColor("#eef2f6")
ACCENT = colors.HexColor("#2b5d8a")
PRIVATE = colors.HexColor("#a3262e")

_styles: dict[str, ParagraphStyle] | None = None


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles, made once per process (after the fonts are registered)."""
    global _styles
    if _styles is None:
        ensure_fonts()
        base = ParagraphStyle("base", fontName=REGULAR, fontSize=9.5, leading=13, textColor=INK)
        _styles = {
            "body": base,
            "title": ParagraphStyle(
                "title", parent=base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=2
            ),
            "subtitle": ParagraphStyle(
                "subtitle", parent=base, fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=8
            ),
            "h2": ParagraphStyle(
                "h2",
                parent=base,
                fontName=BOLD,
                fontSize=12.5,
                leading=16,
                spaceBefore=12,
                spaceAfter=5,
                textColor=ACCENT,
            ),
            "h3": ParagraphStyle(
                "h3",
                parent=base,
                fontName=BOLD,
                fontSize=10.5,
                leading=14,
                spaceBefore=8,
                spaceAfter=2,
            ),
            "label": ParagraphStyle("label", parent=base, fontName=BOLD, fontSize=9),
            "prompt": ParagraphStyle(
                "prompt", parent=base, fontName=BOLD, spaceBefore=4, spaceAfter=1
            ),
            "answer": ParagraphStyle("answer", parent=base, spaceAfter=4),
            "small": ParagraphStyle(
                "small", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED
            ),
            "private": ParagraphStyle(
                "private",
                parent=base,
                fontName=BOLD,
                fontSize=8.5,
                leading=11.5,
                textColor=PRIVATE,
            ),
            "shared": ParagraphStyle(
                "shared", parent=base, fontSize=8.5, leading=11.5, textColor=MUTED
            ),
            "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
            "cellbold": ParagraphStyle(
                "cellbold", parent=base, fontName=BOLD, fontSize=9, leading=12
            ),
            "header": ParagraphStyle(
                "header", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED
            ),
            "draftbox": ParagraphStyle(
                "draftbox",
                parent=base,
                fontName=BOLD,
                fontSize=11,
                leading=15,
                textColor=PRIVATE,
                alignment=TA_CENTER,
            ),
        }
    return _styles


# How much of what follows a heading must fit under it on the same page: a few lines of text,
# or the whole of a short table or chart.
_FOLLOW_LINES = 3
_FOLLOW_MOST = 70 * mm


class KeepWithNext(CondPageBreak):
    """Goes before a heading: starts a new page unless the heading and the start of what
    follows it fit on this one, so no heading is left alone at a page's foot. Unlike
    reportlab's keepWithNext (a KeepTogether of both), a long text after the heading still
    starts on this page; only its first lines must fit."""

    def __init__(self, heads: list[Flowable], following: Flowable | None):
        super().__init__(0)
        self.heads, self.following = heads, following

    def needed(self, width: float, available: float) -> float:
        """The heading's height and the start of what follows (when that is a heading kept
        with its own next, all of that)."""
        total = 0.0
        for flowable in self.heads:
            total += flowable.wrap(width, available)[1] + flowable.getSpaceAfter()
            total += flowable.getSpaceBefore()
        following = self.following
        if following is None:
            return total
        if isinstance(following, KeepWithNext):
            return total + following.needed(width, available)
        style = getattr(following, "style", None)
        if style is not None:  # text: its first lines (never broken into lines here)
            return total + style.spaceBefore + _FOLLOW_LINES * style.leading
        return total + min(following.wrap(width, available)[1], _FOLLOW_MOST)

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        self.height = self.needed(availWidth, availHeight)
        return super().wrap(availWidth, availHeight)


def headed(heads: Flowable | list[Flowable], following: list[Flowable]) -> list[Flowable]:
    """A heading (or a heading and its byline) kept with the start of what follows it."""
    heads = [heads] if isinstance(heads, Flowable) else list(heads)
    first = next(
        (f for f in following if isinstance(f, KeepWithNext) or not isinstance(f, Spacer)),
        None,
    )
    return [KeepWithNext(heads, first), *heads, *following]


class PageState(Flowable):
    """Zero-size marker: from here on, pages carry this header and (un)draft mark.
    A record switches it at each session."""

    def __init__(self, header: str, draft: bool):
        super().__init__()
        self.header = header
        self.draft = draft
        self.width = self.height = 0
        self._header_flowable = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        return 0, 0

    def draw(self):
        self.canv._practice_page = self

    def header_flowable(self):
        if self._header_flowable is None:
            flowable = para(self.header, styles()["header"])
            flowable.wrap(FRAME_WIDTH - 40 * mm, 12 * mm)
            self._header_flowable = flowable
        return self._header_flowable


def _decorate(canvas, doc) -> None:
    """At the end of each page: the running header and, on drafts, the DRAFT mark."""
    state = getattr(canvas, "_practice_page", None)
    if state is None:
        return
    canvas.saveState()
    header = state.header_flowable()
    header.drawOn(canvas, MARGIN_X, PAGE[1] - 13 * mm)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN_X, PAGE[1] - 15 * mm, PAGE[0] - MARGIN_X, PAGE[1] - 15 * mm)
    if state.draft:
        canvas.setFillColor(colors.Color(0.75, 0.1, 0.12, alpha=0.16))
        canvas.setFont(BOLD, 120)
        canvas.translate(PAGE[0] / 2, PAGE[1] / 2)
        canvas.rotate(52)
        canvas.drawCentredString(0, -40, DRAFT)
        canvas.rotate(-52)
        canvas.translate(-PAGE[0] / 2, -PAGE[1] / 2)
        canvas.setFillColor(PRIVATE)
        canvas.setFont(BOLD, 8)
        canvas.drawRightString(PAGE[0] - MARGIN_X, PAGE[1] - 12 * mm, "DRAFT: not signed")
    canvas.restoreState()


def _timestamp(moment: datetime) -> TimeStamp:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    stamp = TimeStamp(invariant=1)
    stamp.t = moment.replace(tzinfo=UTC).timestamp()
    stamp.lt = moment.timetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
    return stamp


def _canvas_maker(created: datetime, footer: str):
    class PagedCanvas(Canvas):
        """Keeps every page until the end, then draws footer and "Page X of Y" on each."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _timestamp(created)
            self._kept: list[dict] = []

        def showPage(self):  # noqa: N802 - reportlab's name
            self._kept.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._kept)
            for number, state in enumerate(self._kept, 1):
                self.__dict__.update(state)
                self._footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, 14 * mm, PAGE[0] - MARGIN_X, 14 * mm)
            self.setFillColor(MUTED)
            self.setFont(REGULAR, 7.5)
            if footer:
                self.drawString(MARGIN_X, 10 * mm, footer)
            self.setFont(BOLD, 7.5)
            self.drawRightString(PAGE[0] - MARGIN_X, 10 * mm, f"Page {number} of {total}")
            self.restoreState()

    return PagedCanvas


def render(
    story: list,
    *,
    title: str,
    author: str,
    subject: str,
    created,
    creator: str,
    footer: str = CONFIDENTIAL,
):
    """Lay the story out on Practice's pages and return the PDF's bytes. Output depends only
    on the story and the metadata: the same input gives the same bytes. ``footer``: the
    line left of the page number (the clinical confidentiality notice unless told)."""
    ensure_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author=author,
        subject=subject,
        creator=creator,
        producer="Practice (reportlab)",
        invariant=1,
        initialFontName=REGULAR,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=_decorate)])
    doc.build(story, canvasmaker=_canvas_maker(created or datetime.now(UTC), footer))
    return out.getvalue()
