"""From the database to the PDFs' plain data. Times are shown in the practitioner's zone,
so a document reads the same whoever downloads it."""

from datetime import datetime

from practice import privacy
from practice.models import Couple, Partner, Reflection, SessionNote, utcnow
from practice.pdf.data import (
    AddendumItem,
    AgreementLine,
    DisclosureLine,
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
from practice.services import agreements as agreement_service
from practice.services import clock, progress
from practice.services import disclosure as disclosure_service

_when = clock.format_datetime
_day = clock.format_date


def _reflection(reflection: Reflection, user) -> DiscussedReflection:
    return DiscussedReflection(
        author=reflection.author.name,
        exercise=reflection.assignment.title,
        submitted=_when(reflection.submitted_at, user),
        shared=privacy.sharing_of(reflection) in (privacy.Sharing.SHARED, privacy.Sharing.PAUSED),
        answers=reflection.answered_prompts(),
        ratings=[(q["label"], v) for q, v in reflection.rating_items() if v is not None],
    )


def _homework(couple: Couple, assigned) -> list[HomeworkItem]:
    return [
        HomeworkItem(
            title=a.title,
            for_whom=couple.role_label(a.audience),
            due=_day(a.due_on),
            instructions=a.instructions,
        )
        for a in assigned
    ]


def _disclosure(note: SessionNote, user) -> list[DisclosureLine]:
    """The disclosure's status as it stood when the note was signed (so the signed document
    never drifts), or as it stands now for a draft. Statuses and dates only, never texts."""
    if note.snapshot is not None:
        lines = note.snapshot.get("disclosure", [])
    else:
        lines = disclosure_service.status_lines(disclosure_service.for_couple(note.couple_id))
    return [
        DisclosureLine(
            position=line["position"],
            title=line["title"],
            author=line["author"],
            state=line["state"],
            when=_when(datetime.fromisoformat(line["when"]), user) if line["when"] else "",
        )
        for line in lines
    ]


def _agreements(couple: Couple, user, until: datetime | None = None) -> list[AgreementLine]:
    """Each partner's agreement, in the words they agreed to; with ``until``, only those made
    by then, so a signed note's PDF never changes."""
    return [
        AgreementLine(
            partner=p.name,
            policy=agreement_service.label(p.agreed_policy_kind),
            agreed_at=_when(p.agreed_at, user),
            text=p.agreed_policy_text,
        )
        for p in couple.partners
        if p.agreed_at is not None and (until is None or p.agreed_at <= until)
    ]


def session_pdf(note: SessionNote, practice_name: str) -> SessionPdf:
    user = note.practitioner
    couple = note.couple
    snapshot = note.snapshot or progress.snapshot(couple)
    steps = couple.program.steps
    step = next((s for s in steps if s.position == note.step_position), None)
    return SessionPdf(
        practice_name=practice_name,
        practitioner=user.name,
        credentials=user.credentials,
        couple=couple.name,
        partners=[PartnerLine(p.name, couple.role_label(p.program_role)) for p in couple.partners],
        when=_when(note.starts_at, user),
        duration_minutes=note.duration_minutes,
        kind=note.kind_label(),
        attendees=[p.name for p in note.attendees],
        note_format=note.format_label,
        sections=[(heading, text) for _, heading, text in note.section_items()],
        step=f"Step {step.position} of {len(steps)}: {step.title}" if step else "",
        reflections=[_reflection(r, user) for r in note.reflections],
        progress=[
            StepRow(row["position"], row["title"], row["states"], row["current"])
            for row in snapshot["steps"]
        ],
        ratings=[
            RatingSeries(
                series["label"],
                {
                    name: [(datetime.fromisoformat(m), v) for m, v in points]
                    for name, points in series["points"].items()
                },
            )
            for series in snapshot["ratings"]
        ],
        homework=_homework(couple, note.homework),
        disclosure=_disclosure(note, user),
        addenda=[
            AddendumItem(a.author.name, _when(a.created_at, user), a.text) for a in note.addenda
        ],
        agreements=_agreements(couple, user, note.signed_at),
        signed_by=note.signed_by.name if note.signed_by else None,
        signed_at=_when(note.signed_at, user) if note.signed_at else None,
        created=note.signed_at or utcnow(),
    )


def handout_pdf(
    note: SessionNote, partner: Partner, practice_name: str, *, with_own_reflections: bool = False
) -> HandoutPdf:
    """One partner's handout: their homework and the feedback meant for them. Nothing else:
    not the note, not the other partner's words."""
    user = note.practitioner
    mine = [a for a in note.homework if a.is_for(partner.program_role)]
    homework = _homework(note.couple, mine)
    discussed_mine = privacy.handout_reflections(note, partner)
    feedback = [
        FeedbackItem(r.assignment.title, _when(f.created_at, user), f.body)
        for r in discussed_mine
        for f in r.feedback
    ]
    return HandoutPdf(
        practice_name=practice_name,
        practitioner=", ".join(filter(None, [user.name, user.credentials])),
        partner=partner.name,
        couple=note.couple.name,
        session_when=_when(note.starts_at, user),
        homework=homework,
        feedback=feedback,
        own_reflections=[_reflection(r, user) for r in discussed_mine]
        if with_own_reflections
        else [],
        created=note.signed_at or utcnow(),
    )


def record_pdf(couple: Couple, notes: list[SessionNote], practice_name: str) -> RecordPdf:
    user = couple.practitioner
    return RecordPdf(
        practice_name=practice_name,
        couple=couple.name,
        partners=[PartnerLine(p.name, couple.role_label(p.program_role)) for p in couple.partners],
        sessions=[session_pdf(note, practice_name) for note in notes],
        exported=_when(utcnow(), user),
        agreements=_agreements(couple, user),
    )
