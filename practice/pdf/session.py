"""The session record as a PDF."""

import io
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CONFIDENTIAL = "Confidential: contains health information. Do not share without consent."


@dataclass
class DiscussedReflection:
    author: str
    exercise: str
    submitted: str
    shared: bool
    answers: list[tuple[str, str]]
    ratings: list[tuple[str, int]]


@dataclass
class SessionDocument:
    practice_name: str
    practitioner: str
    couple: str
    partners: list[str]
    when: str
    duration_minutes: int
    attendees: list[str]
    note: str
    reflections: list[DiscussedReflection] = field(default_factory=list)
    created: datetime | None = None


def _text(value: str) -> str:
    """User text as paragraph markup: escaped, with its line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=16, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=12, spaceBefore=10),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=10, spaceBefore=6),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=13),
        "small": ParagraphStyle(
            "small", parent=base["BodyText"], fontSize=8, textColor=colors.HexColor("#555555")
        ),
    }


def build_session_pdf(doc: SessionDocument) -> bytes:
    styles = _styles()
    out = io.BytesIO()

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(template.leftMargin, 10 * mm, CONFIDENTIAL)
        canvas.drawRightString(
            A4[0] - template.rightMargin, 10 * mm, f"Page {canvas.getPageNumber()}"
        )
        canvas.restoreState()

    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"Session note: {doc.couple}, {doc.when}",
        author=doc.practitioner,
        subject="Session note",
        creator=doc.practice_name,
    )
    story = [
        Paragraph(_text(doc.practice_name), styles["small"]),
        Paragraph(f"Session note: {_text(doc.couple)}", styles["title"]),
    ]
    facts = [
        ["Practitioner", doc.practitioner],
        ["Couple", ", ".join(doc.partners)],
        ["Date and time", doc.when],
        ["Length", f"{doc.duration_minutes} minutes"],
        ["Attended", ", ".join(doc.attendees) or "—"],
    ]
    table = Table(
        [
            [Paragraph(_text(k), styles["body"]), Paragraph(_text(v), styles["body"])]
            for k, v in facts
        ],
        colWidths=[35 * mm, None],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
            ]
        )
    )
    story += [
        table,
        Paragraph("Note", styles["h2"]),
        Paragraph(_text(doc.note) or "<i>No note written.</i>", styles["body"]),
    ]
    if doc.reflections:
        story.append(Paragraph("Reflections discussed", styles["h2"]))
    for item in doc.reflections:
        privacy = "shared with partner" if item.shared else "private to its author"
        heading = f"{_text(item.exercise)} — {_text(item.author)}, {_text(item.submitted)}"
        story.append(Paragraph(f"{heading} ({privacy})", styles["h3"]))
        for prompt, answer in item.answers:
            story.append(Paragraph(f"<b>{_text(prompt)}</b>", styles["body"]))
            story.append(Paragraph(_text(answer) or "<i>No answer.</i>", styles["body"]))
            story.append(Spacer(1, 3))
        if item.ratings:
            story.append(
                Paragraph(
                    "Ratings: "
                    + "; ".join(f"{_text(label)} {value}/10" for label, value in item.ratings),
                    styles["small"],
                )
            )
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
