"""The session note as a PDF: the signed clinical record of one session."""

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from practice.pdf.charts import ratings_section, side_by_side_section
from practice.pdf.common import (
    ACCENT,
    FRAME_WIDTH,
    PRIVATE,
    RULE,
    SHADE,
    PageState,
    render,
    styles,
)
from practice.pdf.data import (
    AddendumItem,
    AgreementLine,
    DisclosureLine,
    DiscussedReflection,
    HomeworkItem,
    SessionPdf,
)
from practice.pdf.grid import Grid
from practice.pdf.text import markup, para, paras

DASH = "—"
NOTHING = '<font color="#5b6570">Nothing written.</font>'


def _or_dash(text: str | None) -> str:
    return text if text and text.strip() else DASH


def facts_table(rows: list[tuple[str, list[Flowable] | Flowable]]) -> Grid:
    """Label and value rows, e.g. the note's facts under its title."""
    s = styles()
    return Grid(
        [[para(label, s["label"]), value] for label, value in rows],
        [36 * mm, FRAME_WIDTH - 36 * mm],
        rule=RULE,
    )


def title_of(data: SessionPdf) -> str:
    return f"Session note: {data.couple}, {data.when}"


def reflection_flowables(item: DiscussedReflection, *, own: bool = False) -> list[Flowable]:
    """One reflection: exercise, author, date, who may read it, each prompt and answer."""
    s = styles()
    head: list[Flowable] = [
        para(item.exercise, s["h3"]),
        para(f"{_or_dash(item.author)} · submitted {_or_dash(item.submitted)}", s["small"]),
    ]
    if item.shared:
        head.append(Paragraph("Shared with partner", s["shared"]))
    elif own:
        head.append(Paragraph("Private to you: not shared with your partner", s["private"]))
    else:
        head.append(para(item.author, s["private"], prefix="Private to "))
    out: list[Flowable] = [CondPageBreak(40 * mm), *head, Spacer(1, 2)]
    for prompt, answer in item.answers:
        out += [CondPageBreak(22 * mm), para(prompt, s["prompt"])]
        out += paras(answer, s["answer"], empty='<font color="#5b6570">No answer.</font>')
    if item.ratings:
        text = " · ".join(f"{label}: {value}/10" for label, value in item.ratings)
        out.append(Paragraph("Ratings: " + markup(text), s["small"]))
    return out


def homework_flowables(items: list[HomeworkItem], empty: str) -> list[Flowable]:
    s = styles()
    if not items:
        return [Paragraph(empty, s["small"])]
    out: list[Flowable] = []
    for item in items:
        due = item.due.strip() if item.due else ""
        out += [CondPageBreak(25 * mm), para(item.title, s["h3"])]
        out.append(
            para(f"For: {_or_dash(item.for_whom)} · Due: {due or 'no due date'}", s["small"])
        )
        out += paras(item.instructions, s["answer"])
    return out


def addenda_flowables(addenda: list[AddendumItem]) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = []
    for number, item in enumerate(addenda, 1):
        out += [CondPageBreak(25 * mm), Paragraph(f"Addendum {number}", s["h3"])]
        out.append(
            para(f"Signed by {_or_dash(item.signed_by)} · {_or_dash(item.signed_at)}", s["small"])
        )
        out += paras(item.text, s["answer"], empty=NOTHING)
    return out


def agreement_flowables(items: list[AgreementLine]) -> list[Flowable]:
    """The couple's confidentiality agreement: who agreed when, then the exact words (once
    when both partners agreed to the same words)."""
    s = styles()
    out: list[Flowable] = [CondPageBreak(40 * mm), Paragraph("Confidentiality agreement", s["h2"])]
    if not items:
        return [
            *out,
            Paragraph("No partner has agreed to a confidentiality policy yet.", s["small"]),
        ]
    groups: dict[tuple[str, str], list[AgreementLine]] = {}
    for item in items:
        groups.setdefault((item.policy, item.text), []).append(item)
    for (policy, text), lines in groups.items():
        out.append(para(_or_dash(policy), s["h3"], prefix="Policy: "))
        agreed = "; ".join(f"{line.partner} on {line.agreed_at}" for line in lines)
        out.append(para(agreed, s["small"], prefix="Agreed by "))
        out += paras(text, s["answer"], empty=NOTHING)
    return out


def _progress_table(data: SessionPdf) -> Grid:
    s = styles()
    names = [p.name for p in data.partners]
    header = [Paragraph("Step", s["cellbold"])] + [para(n, s["cellbold"]) for n in names]
    rows = [header]
    current_rows = []
    for row in data.progress:
        style = s["cellbold"] if row.current else s["cell"]
        label = f"{row.position}. {row.title}" + ("  (current step)" if row.current else "")
        states = list(row.states) + [""] * (len(names) - len(row.states))
        rows.append([para(label, style)] + [para(_or_dash(st), s["cell"]) for st in states])
        if row.current:
            current_rows.append(len(rows) - 1)
    state_width = 38 * mm if names else 0
    widths = [FRAME_WIDTH - state_width * len(names)] + [state_width] * len(names)
    return Grid(
        rows,
        widths,
        header=True,
        rule=RULE,
        header_rule=ACCENT,
        shaded=frozenset(current_rows),
        shade=SHADE,
        pad_left=3,
    )


def disclosure_flowables(lines: list[DisclosureLine]) -> list[Flowable]:
    """Where each disclosure part stands, with dates; the texts stay out of the PDF."""
    s = styles()
    rows = [[Paragraph(h, s["cellbold"]) for h in ("Part", "Written by", "Status", "Date")]]
    for line in lines:
        rows.append(
            [
                para(f"{line.position}. {line.title}", s["cell"]),
                para(_or_dash(line.author), s["cell"]),
                para(_or_dash(line.state), s["cell"]),
                para(_or_dash(line.when), s["cell"]),
            ]
        )
    widths = [45 * mm, 40 * mm, 40 * mm, FRAME_WIDTH - 125 * mm]
    return [Grid(rows, widths, header=True, rule=RULE, header_rule=ACCENT, pad_left=3)]


def signature_flowables(data: SessionPdf) -> list[Flowable]:
    s = styles()
    if data.signed_by is None:
        box = Table(
            [[Paragraph("DRAFT: this note is not signed and may still change.", s["draftbox"])]],
            colWidths=[FRAME_WIDTH],
        )
        box.setStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, PRIVATE),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
        return [CondPageBreak(35 * mm), Paragraph("Signature", s["h2"]), box]
    table = facts_table(
        [
            ("Signed by", para(data.signed_by, s["body"])),
            ("Signed on", para(_or_dash(data.signed_at), s["body"])),
        ]
    )
    note = Paragraph(
        "Signed and locked. Later corrections are added as dated, signed addenda.", s["small"]
    )
    return [CondPageBreak(45 * mm), Paragraph("Signature", s["h2"]), table, Spacer(1, 3), note]


def session_story(data: SessionPdf) -> list[Flowable]:
    """The flowables of one session note (also used, one after another, in a record)."""
    s = styles()
    names = [p.name for p in data.partners]
    header = f"{data.practice_name} · Session note · {data.couple} · {data.when}"
    practitioner = ", ".join(x for x in (data.practitioner, data.credentials) if x and x.strip())
    story: list[Flowable] = [
        PageState(header, draft=data.signed_by is None),
        para(data.practice_name, s["subtitle"]),
        para(data.couple, s["title"], prefix="Session note: "),
        para(f"{data.when} · {data.kind}", s["subtitle"]),
    ]
    partners = [
        para(f"{p.name} ({p.role})" if p.role else p.name, s["body"]) for p in data.partners
    ]
    story.append(
        facts_table(
            [
                ("Practitioner", para(_or_dash(practitioner), s["body"])),
                ("Couple", para(data.couple, s["body"])),
                ("Partners", partners or para(DASH, s["body"])),
                ("Date and time", para(_or_dash(data.when), s["body"])),
                ("Length", Paragraph(f"{data.duration_minutes} minutes", s["body"])),
                ("Kind", para(_or_dash(data.kind), s["body"])),
                ("Attended", para(_or_dash(", ".join(data.attendees)), s["body"])),
                ("Note format", para(_or_dash(data.note_format), s["body"])),
                ("Program step", para(_or_dash(data.step), s["body"])),
            ]
        )
    )

    story += agreement_flowables(data.agreements)

    story += [CondPageBreak(45 * mm), para(data.note_format, s["h2"], prefix="Note: ")]
    if not data.sections:
        story.append(Paragraph(NOTHING, s["body"]))
    for heading, text in data.sections:
        story += [CondPageBreak(25 * mm), para(heading, s["h3"])]
        story += paras(text, s["answer"], empty=NOTHING)

    story += [CondPageBreak(50 * mm), Paragraph("Reflections discussed", s["h2"])]
    if not data.reflections:
        story.append(Paragraph("No reflections were discussed.", s["small"]))
    for item in data.reflections:
        story += reflection_flowables(item)

    if data.progress:
        story += [CondPageBreak(60 * mm), Paragraph("Progress through the program", s["h2"])]
        story.append(_progress_table(data))

    side_by_side = side_by_side_section(data.ratings, names)
    if side_by_side:
        story += [CondPageBreak(80 * mm), Paragraph("Trust, safety and connection", s["h2"])]
        story += side_by_side

    if data.disclosure:
        story += [CondPageBreak(45 * mm), Paragraph("Disclosure", s["h2"])]
        story += disclosure_flowables(data.disclosure)

    story.append(CondPageBreak(70 * mm))
    story.append(Paragraph("Ratings over time", s["h2"]))
    if any(points for series in data.ratings for points in series.points.values()):
        story += ratings_section(data.ratings, names)
    else:
        story.append(Paragraph("No ratings yet.", s["small"]))

    story += [CondPageBreak(35 * mm), Paragraph("Homework for next time", s["h2"])]
    story += homework_flowables(data.homework, "No homework was set.")

    story += signature_flowables(data)

    if data.addenda:
        story += [CondPageBreak(35 * mm), Paragraph("Addenda", s["h2"])]
        story += addenda_flowables(data.addenda)
    return story


def build_session_pdf(data: SessionPdf) -> bytes:
    """The session note's PDF. A signed note gives the same bytes on every build (given
    data.created, which the app sets to the signing time)."""
    return render(
        session_story(data),
        title=title_of(data),
        author=", ".join(x for x in (data.practitioner, data.credentials) if x),
        subject="Session note" + ("" if data.signed_by else " (draft)"),
        created=data.created,
        creator=data.practice_name,
    )
