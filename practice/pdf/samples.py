"""Realistic made-up documents, for the benchmark, the tests and looking at the layout."""

from datetime import datetime, timedelta

from practice.pdf.data import (
    AddendumItem,
    DiscussedReflection,
    FeedbackItem,
    HandoutPdf,
    HomeworkItem,
    PartnerLine,
    RatingSeries,
    RecordPdf,
    SessionPdf,
    StepRow,
)

SENTENCES = (
    "I noticed that I wanted to explain myself before I had really listened.",
    "When the evening got quiet I felt the old pull, and I texted my accountability partner.",
    "We sat on the porch for twenty minutes without phones and talked about the week.",
    "It still hurts when I remember how long I did not know, and I said so without shouting.",
    "I am learning to name what I feel instead of going silent for a day.",
    "The check-in felt less like a test this time and more like a conversation.",
    "I was angry on Tuesday, and I told Jordan that I needed an hour before we talked.",
    "Small things matter: the coffee on my desk, the message saying where he was.",
    "I caught myself getting defensive and stopped halfway through the sentence.",
    "We agreed to keep the phone out of the bedroom and it has held for nine days.",
)
STEPS = (
    "Transparency",
    "Ownership",
    "Boundaries",
    "Accountability",
    "Patience",
    "Rebuilding intimacy",
    "Professional support",
)


def words(count: int, seed: int = 0) -> str:
    out, total, i = [], 0, seed
    while total < count:
        sentence = SENTENCES[i % len(SENTENCES)]
        out.append(sentence)
        total += len(sentence.split())
        i += 3
    return " ".join(out)


def sample_session(
    *,
    reflections: int = 12,
    answer_words: int = 250,
    signed: bool = True,
    start: datetime = datetime(2026, 3, 3, 17, 0),  # noqa: B008 - an immutable value
    number: int = 1,
) -> SessionPdf:
    partners = [
        PartnerLine("Riley Morgan", "Partner in recovery"),
        PartnerLine("Jordan Morgan", "Partner who was hurt"),
    ]
    names = [p.name for p in partners]
    when = start + timedelta(days=7 * (number - 1))
    ratings = [
        RatingSeries(
            label,
            {
                name: [
                    (start + timedelta(days=7 * k), min(10, 2 + (k + j + offset) % 8))
                    for k in range(max(2, number + 5))
                ]
                for j, name in enumerate(names)
            },
        )
        for offset, label in enumerate(("Trust", "Safety", "Connection"))
    ]
    discussed = [
        DiscussedReflection(
            author=names[i % 2],
            exercise=f"{STEPS[i % 7]}: weekly reflection {i + 1}",
            submitted=f"Mon {i + 1} Mar 2026, 20:{10 + i:02d}",
            shared=i % 3 != 2,
            answers=[
                (
                    "What happened this week that you want to bring to the session?",
                    words(answer_words // 2, i),
                ),
                (
                    "What did you notice in yourself, and what do you need from your partner?",
                    words(answer_words - answer_words // 2, i + 1),
                ),
            ],
            ratings=[("Trust", 3 + i % 6), ("Safety", 4 + i % 5)],
        )
        for i in range(reflections)
    ]
    return SessionPdf(
        practice_name="Harbour Couples Practice",
        practitioner="Sam Okafor",
        credentials="LMFT",
        couple="Riley & Jordan Morgan",
        partners=partners,
        when=f"{when:%a} {when.day} {when:%b %Y, %H:%M}",
        duration_minutes=50,
        kind="Joint session",
        attendees=names,
        note_format="DAP",
        sections=[
            ("Data", words(220, 1) + "\n\n" + words(160, 4)),
            ("Assessment", words(200, 2) + "\n\n" + words(120, 5)),
            ("Plan", words(160, 3)),
        ],
        step="Step 5 of 7: Patience",
        reflections=discussed,
        progress=[
            StepRow(
                i + 1,
                title,
                ["Done" if i < 4 else ("In progress" if i == 4 else "Not yet")] * 2,
                current=i == 4,
            )
            for i, title in enumerate(STEPS)
        ],
        ratings=ratings,
        homework=[
            HomeworkItem(
                "Daily check-in",
                "Both partners",
                "Tue 10 Mar 2026",
                "Ten minutes each evening: one thing that went well, one that was hard.",
            ),
            HomeworkItem(
                "Impact letter, first draft",
                "Partner who was hurt",
                "Fri 13 Mar 2026",
                words(60, 7),
            ),
            HomeworkItem("Accountability plan review", "Partner in recovery", "", words(40, 8)),
        ],
        addenda=[
            AddendumItem(
                "Sam Okafor",
                "Wed 4 Mar 2026, 09:12",
                "Corrected the date of the next session in the plan.",
            )
        ],
        signed_by="Sam Okafor" if signed else None,
        signed_at="Tue 3 Mar 2026, 18:05" if signed else None,
        created=datetime(2026, 3, 3, 18, 5) + timedelta(days=7 * (number - 1)),
    )


def sample_handout() -> HandoutPdf:
    session = sample_session(reflections=2, answer_words=120)
    return HandoutPdf(
        practice_name=session.practice_name,
        practitioner="Sam Okafor, LMFT",
        partner="Riley Morgan",
        couple=session.couple,
        session_when=session.when,
        homework=[h for h in session.homework if h.for_whom != "Partner who was hurt"],
        feedback=[
            FeedbackItem(
                "Transparency: weekly reflection 1",
                "Wed 4 Mar 2026, 08:30",
                "Thank you for naming the Tuesday evening so plainly. " + words(60, 2),
            )
        ],
        own_reflections=[r for r in session.reflections if r.author == "Riley Morgan"],
        created=datetime(2026, 3, 3, 18, 5),
    )


def sample_record(sessions: int = 50, reflections: int = 4) -> RecordPdf:
    notes = [
        sample_session(reflections=reflections, answer_words=150, number=n + 1)
        for n in range(sessions)
    ]
    return RecordPdf(
        practice_name=notes[0].practice_name,
        couple=notes[0].couple,
        partners=notes[0].partners,
        sessions=notes,
        exported="Mon 1 Mar 2027, 10:00",
        created=datetime(2027, 3, 1, 10, 0),
    )
