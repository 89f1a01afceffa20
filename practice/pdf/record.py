"""A couple's whole record as one PDF: a cover, then every session note in order (each with
its addenda), numbered "Page X of Y" across the whole document."""

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from practice.pdf.common import ACCENT, FRAME_WIDTH, RULE, PageState, render, styles
from practice.pdf.data import RecordPdf
from practice.pdf.grid import Grid
from practice.pdf.session import agreement_flowables, facts_table, session_story
from practice.pdf.text import para


def title_of(data: RecordPdf) -> str:
    return f"Record: {data.couple}"


def _contents(data: RecordPdf) -> Grid:
    s = styles()
    rows = [[Paragraph(h, s["cellbold"]) for h in ("#", "Session", "Kind", "Signed by")]]
    for number, session in enumerate(data.sessions, 1):
        rows.append(
            [
                Paragraph(str(number), s["cell"]),
                para(session.when, s["cell"]),
                para(session.kind, s["cell"]),
                para(session.signed_by or "not signed (draft)", s["cell"]),
            ]
        )
    widths = [10 * mm, 55 * mm, FRAME_WIDTH - 110 * mm, 45 * mm]
    return Grid(rows, widths, header=True, rule=RULE, header_rule=ACCENT, pad_left=3)


def record_story(data: RecordPdf) -> list[Flowable]:
    s = styles()
    partners = [
        para(f"{p.name} ({p.role})" if p.role else p.name, s["body"]) for p in data.partners
    ]
    story: list[Flowable] = [
        PageState(f"{data.practice_name} · Record of {data.couple}", draft=False),
        para(data.practice_name, s["subtitle"]),
        para(data.couple, s["title"], prefix="Record: "),
        Spacer(1, 6),
        facts_table(
            [
                ("Couple", para(data.couple, s["body"])),
                ("Partners", partners or Paragraph("—", s["body"])),
                ("Exported", para(data.exported, s["body"])),
                ("Sessions", Paragraph(str(len(data.sessions)), s["body"])),
            ]
        ),
    ]
    story += agreement_flowables(data.agreements)
    story.append(Paragraph("Sessions in this record", s["h2"]))
    if data.sessions:
        story.append(_contents(data))
    else:
        story.append(Paragraph("There are no signed sessions yet.", s["small"]))
    for session in data.sessions:
        story.append(PageBreak())
        story += session_story(session)
    return story


def build_record_pdf(data: RecordPdf) -> bytes:
    return render(
        record_story(data),
        title=title_of(data),
        author=data.practice_name,
        subject="Couple's record",
        created=data.created,
        creator=data.practice_name,
    )
