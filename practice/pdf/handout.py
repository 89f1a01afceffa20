"""One partner's handout: their homework and the feedback meant for them. Nothing else:
never the clinical note, never the other partner's words."""

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from practice.pdf.common import PageState, render, styles
from practice.pdf.data import HandoutPdf
from practice.pdf.session import facts_table, homework_flowables, reflection_flowables
from practice.pdf.text import para, paras


def title_of(data: HandoutPdf) -> str:
    return f"Handout for {data.partner}: session of {data.session_when}"


def handout_story(data: HandoutPdf) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [
        PageState(
            f"{data.practice_name} · Handout for {data.partner} · {data.session_when}", draft=False
        ),
        para(data.practice_name, s["subtitle"]),
        para(data.partner, s["title"], prefix="Handout for "),
        Spacer(1, 6),
        facts_table(
            [
                ("Session", para(data.session_when, s["body"])),
                ("Couple", para(data.couple, s["body"])),
                ("Practitioner", para(data.practitioner, s["body"])),
            ]
        ),
        Paragraph("Your homework", s["h2"]),
    ]
    story += homework_flowables(data.homework, "No homework was set for you this time.")
    story.append(Paragraph("Feedback for you", s["h2"]))
    if not data.feedback:
        story.append(Paragraph("No feedback this time.", s["small"]))
    for item in data.feedback:
        story += [CondPageBreak(25 * mm), para(item.exercise, s["h3"])]
        story.append(para(item.written, s["small"], prefix="Written "))
        story += paras(item.text, s["answer"])
    if data.own_reflections:
        story.append(Paragraph("Your reflections", s["h2"]))
        for reflection in data.own_reflections:
            story += reflection_flowables(reflection, own=True)
    return story


def build_handout_pdf(data: HandoutPdf) -> bytes:
    return render(
        handout_story(data),
        title=title_of(data),
        author=data.practitioner,
        subject="Client handout",
        created=data.created,
        creator=data.practice_name,
    )
