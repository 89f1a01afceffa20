"""A couple's whole record as one PDF: a cover, then every session note in order (each with
its addenda), numbered "Page X of Y" across the whole document."""

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from practice.pdf.common import ACCENT, FRAME_WIDTH, RULE, PageState, headed, render, styles
from practice.pdf.data import RELEASE, RecordPdf
from practice.pdf.grid import Grid
from practice.pdf.session import (
    agreement_flowables,
    charts_flowables,
    facts_table,
    measures_flowables,
    session_story,
)
from practice.pdf.text import para


def title_of(data: RecordPdf) -> str:
    if data.kind == RELEASE:
        return f"Release copy for {data.for_partner}: record of {data.couple}"
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
    release = data.kind == RELEASE
    facts = [
        ("Couple", para(data.couple, s["body"])),
        ("Partners", partners or Paragraph("—", s["body"])),
        ("Exported", para(data.exported, s["body"])),
        ("Sessions", Paragraph(str(len(data.sessions)), s["body"])),
    ]
    if release:
        facts.insert(0, ("Copy for", para(data.for_partner, s["body"])))
    story: list[Flowable] = [
        PageState(f"{data.practice_name} · {title_of(data)}", draft=False),
        para(data.practice_name, s["subtitle"]),
        para(title_of(data), s["title"]),
        Spacer(1, 6),
        facts_table(facts),
    ]
    if data.left_out:
        story += headed(
            Paragraph("What this copy leaves out", s["h2"]),
            [para(line, s["body"]) for line in data.left_out],
        )
    story += agreement_flowables(data.agreements)
    story += headed(
        Paragraph("Sessions in this record", s["h2"]),
        [_contents(data)]
        if data.sessions
        else [Paragraph("There are no signed sessions yet.", s["small"])],
    )
    for session in data.sessions:
        story.append(PageBreak())
        story += session_story(session, charts=False)
    names = [p.name for p in data.partners]
    charts = charts_flowables(data.ratings, names, data.charts_until)
    charts += measures_flowables(data.measures, names)
    if charts:
        story += [PageBreak(), PageState(f"{data.practice_name} · {title_of(data)}", draft=False)]
        story += charts
    return story


def build_record_pdf(data: RecordPdf) -> bytes:
    return render(
        record_story(data),
        title=title_of(data),
        author=data.practice_name,
        subject="Release copy of a couple's record" if data.kind == RELEASE else "Couple's record",
        created=data.created,
        creator=data.practice_name,
    )
