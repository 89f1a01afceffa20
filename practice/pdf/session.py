"""The session note as a PDF: the signed clinical record of one session."""

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from practice.measures.pdf import measures_section
from practice.pdf.charts import ratings_section
from practice.pdf.common import (
    ACCENT,
    FRAME_WIDTH,
    PRIVATE,
    RULE,
    SHADE,
    PageState,
    headed,
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
from practice.pdf.text import para, paras

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


def rating_lines(ratings: list[tuple[str, int]]) -> str:
    """Ratings as plain lines: "How safe did you feel this week? — 7/10"."""
    return "\n".join(
        f"{label.strip().rstrip(':').strip()} — {value}/10" for label, value in ratings
    )


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
    body: list[Flowable] = []
    for prompt, answer in item.answers:
        body += headed(
            para(prompt, s["prompt"]),
            paras(answer, s["answer"], empty='<font color="#5b6570">No answer.</font>'),
        )
    if item.ratings:
        body += headed(
            Paragraph("Ratings", s["prompt"]), [para(rating_lines(item.ratings), s["answer"])]
        )
    return headed(head, [Spacer(1, 2), *body])


def homework_flowables(items: list[HomeworkItem], empty: str) -> list[Flowable]:
    s = styles()
    if not items:
        return [Paragraph(empty, s["small"])]
    out: list[Flowable] = []
    for item in items:
        due = item.due.strip() if item.due else ""
        when = f"Due: {due or 'no due date'}"
        byline = f"For: {item.for_whom} · {when}" if item.for_whom else when
        out += headed(
            [para(item.title, s["h3"]), para(byline, s["small"])],
            paras(item.instructions, s["answer"]),
        )
    return out


def addenda_flowables(addenda: list[AddendumItem]) -> list[Flowable]:
    s = styles()
    out: list[Flowable] = []
    for number, item in enumerate(addenda, 1):
        byline = f"Signed by {_or_dash(item.signed_by)} · {_or_dash(item.signed_at)}"
        out += headed(
            [Paragraph(f"Addendum {number}", s["h3"]), para(byline, s["small"])],
            paras(item.text, s["answer"], empty=NOTHING),
        )
    return out


def _policies(items: list[AgreementLine]) -> dict[tuple[str, str], list[AgreementLine]]:
    """The agreements grouped by policy and words: one group when both partners agreed to
    the same words."""
    groups: dict[tuple[str, str], list[AgreementLine]] = {}
    for item in items:
        groups.setdefault((item.policy, item.text), []).append(item)
    return groups


def _agreed(lines: list[AgreementLine]) -> str:
    return "; ".join(f"{line.partner} on {line.agreed_at}" for line in lines)


def policy_named(items: list[AgreementLine]) -> list[Flowable]:
    """The confidentiality policy by name, with who agreed when: a session note's line (the
    words themselves are in the couple's record, once)."""
    s = styles()
    if not items:
        return [Paragraph("No partner has agreed to a confidentiality policy yet.", s["body"])]
    return [
        para(f"{_or_dash(policy)}: agreed by {_agreed(lines)}", s["body"])
        for (policy, _), lines in _policies(items).items()
    ]


def agreement_flowables(items: list[AgreementLine]) -> list[Flowable]:
    """The couple's confidentiality agreement: who agreed when, then the exact words (once
    when both partners agreed to the same words)."""
    s = styles()
    heading = Paragraph("Confidentiality agreement", s["h2"])
    if not items:
        return headed(
            heading,
            [Paragraph("No partner has agreed to a confidentiality policy yet.", s["small"])],
        )
    out: list[Flowable] = []
    for (policy, text), lines in _policies(items).items():
        out += headed(
            [
                para(_or_dash(policy), s["h3"], prefix="Policy: "),
                para(_agreed(lines), s["small"], prefix="Agreed by "),
            ],
            paras(text, s["answer"], empty=NOTHING),
        )
    return headed(heading, out)


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
        return headed(Paragraph("Signature", s["h2"]), [box])
    table = facts_table(
        [
            ("Signed by", para(data.signed_by, s["body"])),
            ("Signed on", para(_or_dash(data.signed_at), s["body"])),
        ]
    )
    note = Paragraph(
        "By signing, the practitioner attests that this note is an accurate record of the "
        "session. It no longer changes: later corrections are added as dated, signed addenda.",
        s["small"],
    )
    return [KeepTogether([Paragraph("Signature", s["h2"]), table, Spacer(1, 3), note])]


def session_story(data: SessionPdf, *, charts: bool = True) -> list[Flowable]:
    """The flowables of one session note: its facts, the note, the signature right after it,
    addenda, then what was discussed and set; the ratings charts last (a record leaves them
    out, ``charts=False``, and draws them once at its end)."""
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
                ("Confidentiality", policy_named(data.agreements)),
            ]
        )
    )

    sections: list[Flowable] = []
    for heading, text in data.sections:
        sections += headed(para(heading, s["h3"]), paras(text, s["answer"], empty=NOTHING))
    story += headed(
        para(data.note_format, s["h2"], prefix="Note: "),
        sections or [Paragraph(NOTHING, s["body"])],
    )
    story += signature_flowables(data)
    if data.addenda:
        story += headed(Paragraph("Addenda", s["h2"]), addenda_flowables(data.addenda))

    discussed: list[Flowable] = []
    for item in data.reflections:
        discussed += reflection_flowables(item)
    story += headed(
        Paragraph("Reflections discussed", s["h2"]),
        discussed or [Paragraph("No reflections were discussed.", s["small"])],
    )
    story += headed(
        Paragraph("Homework for next time", s["h2"]),
        homework_flowables(data.homework, "No homework was set."),
    )
    if data.progress:
        story += headed(Paragraph("Progress through the program", s["h2"]), [_progress_table(data)])
    if data.disclosure:
        story += headed(Paragraph("Disclosure", s["h2"]), disclosure_flowables(data.disclosure))
    if charts:
        story += charts_flowables(data.ratings, names, data.charts_until)
        story += measures_flowables(data.measures, names)
    return story


def measures_flowables(scales: list[dict], names: list[str]) -> list[Flowable]:
    """ "Measures over time", one chart per scale, when there are scores; nothing otherwise."""
    if not scales:
        return []
    return headed(Paragraph("Measures over time", styles()["h2"]), measures_section(scales, names))


def charts_flowables(ratings, names: list[str], until) -> list[Flowable]:
    """ "Ratings over time", when some series has a line to draw; nothing otherwise."""
    section = ratings_section(ratings, names, until)
    if not section:
        return []
    return headed(Paragraph("Ratings over time", styles()["h2"]), section)


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
