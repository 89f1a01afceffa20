"""One partner's handout: their homework and the feedback meant for them. Nothing else:
never the clinical note, never the other partner's words."""

from reportlab.platypus import Flowable, Paragraph, Spacer

from practice.pdf.common import PageState, headed, render, styles
from practice.pdf.data import HandoutPdf, HelpNow
from practice.pdf.session import facts_table, homework_flowables, reflection_flowables
from practice.pdf.text import para, paras

# The partner's own copy: not the clinicians' confidentiality notice, a line for them.
FOOTER = "This handout is yours. Keep it somewhere private."


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
    ]
    if data.guidance:
        about: list[Flowable] = []
        for step, guidance in data.guidance:
            about += headed(para(step, s["h3"]), paras(guidance, s["answer"]))
        title = "About this step" if len(data.guidance) == 1 else "About these steps"
        story += headed(Paragraph(title, s["h2"]), about)
    story += headed(
        Paragraph("Your homework", s["h2"]),
        homework_flowables(data.homework, "No homework was set for you this time."),
    )
    feedback: list[Flowable] = []
    for item in data.feedback:
        feedback += headed(
            [para(item.exercise, s["h3"]), para(item.written, s["small"], prefix="Written ")],
            paras(item.text, s["answer"]),
        )
    story += headed(
        Paragraph("Feedback for you", s["h2"]),
        feedback or [Paragraph("No feedback this time.", s["small"])],
    )
    if data.own_reflections:
        mine: list[Flowable] = []
        for reflection in data.own_reflections:
            mine += reflection_flowables(reflection, own=True)
        story += headed(Paragraph("Your reflections", s["h2"]), mine)
    if data.help_now is not None:
        story += headed(Paragraph("Where to turn straight away", s["h2"]), _help_now(data.help_now))
    return story


def _help_now(help_now: HelpNow) -> list[Flowable]:
    s = styles()
    found: list[Flowable] = [para(help_now.emergency, s["body"])]
    if help_now.country:
        found.append(para(f"Services in {help_now.country}", s["small"]))
    for line in help_now.lines:
        ways = [
            f"call {line.phone}" if line.phone else "",
            line.text,
            line.web,
            line.hours,
        ]
        # The owner's words are text, never markup: no prefix.
        found.append(para(f"{line.name}: " + " · ".join(w for w in ways if w), s["body"]))
    found.append(para(help_now.not_watched, s["small"]))
    return found


def build_handout_pdf(data: HandoutPdf) -> bytes:
    return render(
        handout_story(data),
        title=title_of(data),
        author=data.practitioner,
        subject="Client handout",
        created=data.created,
        creator=data.practice_name,
        footer=FOOTER,
    )
