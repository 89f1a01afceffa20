"""From the database to the PDFs' plain data. Times are shown in the zone of whoever asks
for the document (``where``: the reader's zone, or the practice's for the command line),
the ratings charts' days included."""

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from practice import privacy
from practice.measures import charts as measure_charts
from practice.models import BOTH, Couple, Partner, Reflection, SessionNote, utcnow
from practice.pdf.data import (
    RELEASE,
    AddendumItem,
    AgreementLine,
    DisclosureLine,
    DiscussedReflection,
    FeedbackItem,
    HandoutPdf,
    HelpLine,
    HelpNow,
    HomeworkItem,
    PartnerLine,
    RatingSeries,
    RecordPdf,
    SessionPdf,
    StepRow,
)
from practice.services import agreements as agreement_service
from practice.services import clock, progress, safety
from practice.services import disclosure as disclosure_service
from practice.services import measures as measure_service

_when = clock.format_datetime_in
_day = clock.format_date


def _reflection(reflection: Reflection, where: ZoneInfo) -> DiscussedReflection:
    return DiscussedReflection(
        author=reflection.author.name,
        exercise=reflection.assignment.title,
        submitted=_when(reflection.submitted_at, where),
        shared=privacy.shared_by_author(reflection),
        answers=reflection.answered_prompts(),
        ratings=[(q["label"], v) for q, v in reflection.rating_items() if v is not None],
    )


def _homework(couple: Couple, assigned, for_whom=None) -> list[HomeworkItem]:
    """``for_whom``: how to name an assignment's audience (the program's role labels unless
    told)."""
    for_whom = for_whom or couple.role_label
    return [
        HomeworkItem(
            title=a.title,
            for_whom=for_whom(a.audience),
            due=_day(a.due_on),
            instructions=a.instructions,
        )
        for a in assigned
    ]


def _disclosure(note: SessionNote, where: ZoneInfo) -> list[DisclosureLine]:
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
            when=_when(datetime.fromisoformat(line["when"]), where) if line["when"] else "",
        )
        for line in lines
    ]


def _agreements(
    couple: Couple, where: ZoneInfo, until: datetime | None = None
) -> list[AgreementLine]:
    """Each partner's agreement, in the words they agreed to; with ``until``, only those made
    by then, so a signed note's PDF never changes."""
    return [
        AgreementLine(
            partner=p.name,
            policy=agreement_service.label(p.agreed_policy_kind),
            agreed_at=_when(p.agreed_at, where),
            text=p.agreed_policy_text,
        )
        for p in couple.partners
        if p.agreed_at is not None and (until is None or p.agreed_at <= until)
    ]


def _charted(series_list, where: ZoneInfo) -> list[RatingSeries]:
    """Ratings for the charts, their moments in the reader's zone (so a rating falls on the
    reader's day). ``series_list``: (label, {name: [(moment, value), ...]})."""
    return [
        RatingSeries(
            label,
            {name: [(m.astimezone(where), v) for m, v in pts] for name, pts in points.items()},
        )
        for label, points in series_list
    ]


def session_pdf(
    note: SessionNote,
    practice_name: str,
    where: ZoneInfo,
    reflections: list[Reflection] | None = None,
) -> SessionPdf:
    """One session note; ``reflections``: those discussed that this copy may carry (all of
    them, for the practitioner's own)."""
    user = note.practitioner
    couple = note.couple
    snapshot = note.snapshot or progress.snapshot(couple)
    steps = couple.program.steps
    step = next((s for s in steps if s.position == note.step_position), None)
    ended = note.starts_at + timedelta(minutes=note.duration_minutes)
    discussed = note.reflections if reflections is None else reflections
    return SessionPdf(
        practice_name=practice_name,
        practitioner=user.name,
        credentials=user.credentials,
        couple=couple.name,
        partners=[PartnerLine(p.name, couple.role_label(p.program_role)) for p in couple.partners],
        when=_when(note.starts_at, where),
        duration_minutes=note.duration_minutes,
        kind=note.kind_label(),
        attendees=[p.name for p in note.attendees],
        note_format=note.format_label,
        sections=[(heading, text) for _, heading, text in note.section_items()],
        step=f"Step {step.position} of {len(steps)}: {step.title}" if step else "",
        reflections=[_reflection(r, where) for r in discussed],
        progress=[
            StepRow(row["position"], row["title"], row["states"], row["current"])
            for row in snapshot["steps"]
        ],
        ratings=_charted(
            (
                (
                    series["label"],
                    {
                        name: [(datetime.fromisoformat(m), v) for m, v in points]
                        for name, points in series["points"].items()
                    },
                )
                for series in snapshot["ratings"]
            ),
            where,
        ),
        homework=_homework(couple, note.homework),
        disclosure=_disclosure(note, where),
        addenda=[
            AddendumItem(a.author.name, _when(a.created_at, where), a.text) for a in note.addenda
        ],
        agreements=_agreements(couple, where, note.signed_at),
        signed_by=note.signed_by.name if note.signed_by else None,
        signed_at=_when(note.signed_at, where) if note.signed_at else None,
        created=note.signed_at or utcnow(),
        charts_until=ended.astimezone(where),
        measures=_measures(note.practitioner, couple, where, until=ended),
    )


def _measures(reader, couple: Couple, where: ZoneInfo, until=None, with_markers=True):
    """The measures' scores ``reader`` may read, up to ``until``, with moments in the
    reader's zone, as the PDF charts them."""
    kept = []
    for series in measure_service.scores_over_time(reader, couple):
        points = {
            pid: [(m.astimezone(where), v) for m, v in pts if until is None or m <= until]
            for pid, pts in series.points.items()
        }
        points = {pid: pts for pid, pts in points.items() if pts}
        if not points:
            continue
        cut = sum(map(len, points.values())) < sum(map(len, series.points.values()))
        # With later answers cut off, the change words would speak of them: leave them out.
        kept.append(replace(series, points=points, changes={} if cut else series.changes))
    return measure_charts.pdf_data(kept, couple, with_markers=with_markers)


def _for_one(audience: str) -> str:
    """Whom an assignment is for, said to the partner reading their own handout."""
    return "Both of you" if audience == BOTH else "You"


def _guidance(note: SessionNote, assigned) -> list[tuple[str, str]]:
    """The program's guidance for the steps the handout's homework comes from (the
    session's step when there is none), in step order."""
    positions = {a.step_position for a in assigned} or {note.step_position}
    return [
        (f"Step {step.position}: {step.title}", step.guidance)
        for step in note.couple.program.steps
        if step.position in positions and step.guidance and step.guidance.strip()
    ]


def handout_pdf(
    note: SessionNote,
    partner: Partner,
    practice_name: str,
    where: ZoneInfo,
    *,
    with_own_reflections: bool = False,
) -> HandoutPdf:
    """One partner's handout: their homework and the feedback meant for them, and the
    program's guidance for its step. Nothing else: not the note, not the other partner's
    words, not the program's role labels."""
    user = note.practitioner
    mine = [a for a in note.homework if a.is_for(partner.program_role)]
    discussed_mine = privacy.handout_reflections(note, partner)
    feedback = [
        FeedbackItem(r.assignment.title, _when(f.created_at, where), f.body)
        for r in discussed_mine
        for f in r.feedback
    ]
    return HandoutPdf(
        practice_name=practice_name,
        practitioner=", ".join(filter(None, [user.name, user.credentials])),
        partner=partner.name,
        couple=note.couple.name,
        session_when=_when(note.starts_at, where),
        homework=_homework(note.couple, mine, _for_one),
        feedback=feedback,
        own_reflections=[_reflection(r, where) for r in discussed_mine]
        if with_own_reflections
        else [],
        created=note.signed_at or utcnow(),
        guidance=_guidance(note, mine),
        help_now=_help_now(),
    )


def _help_now() -> HelpNow:
    resources = safety.crisis_resources()
    return HelpNow(
        emergency=resources.emergency,
        not_watched=resources.not_watched,
        country=resources.country,
        lines=[HelpLine(r.name, r.phone, r.text, r.web, r.hours) for r in resources.lines],
    )


def _partners(couple: Couple) -> list[PartnerLine]:
    return [PartnerLine(p.name, couple.role_label(p.program_role)) for p in couple.partners]


def _ratings_now(couple: Couple, where: ZoneInfo, readable=None) -> list[RatingSeries]:
    names = {p.id: p.name for p in couple.partners}
    return _charted(
        (
            (series.label, {names[pid]: pts for pid, pts in series.points.items() if pid in names})
            for series in progress.ratings_over_time(couple, readable=readable)
        ),
        where,
    )


def record_pdf(
    couple: Couple, notes: list[SessionNote], practice_name: str, where: ZoneInfo
) -> RecordPdf:
    """The clinical chart: every signed session as signed, the policy's words once, and
    the ratings charted once, at the end, up to now."""
    now = utcnow()
    return RecordPdf(
        practice_name=practice_name,
        couple=couple.name,
        partners=_partners(couple),
        sessions=[_in_record(session_pdf(note, practice_name, where)) for note in notes],
        exported=_when(now, where),
        agreements=_agreements(couple, where),
        ratings=_ratings_now(couple, where),
        charts_until=now.astimezone(where),
        measures=_measures(couple.practitioner, couple, where),
    )


def _in_record(data: SessionPdf) -> SessionPdf:
    """A session as a record carries it: its ratings and measures are charted once for the
    record."""
    data.ratings = []
    data.measures = []
    return data


def release_copy_pdf(
    couple: Couple,
    partner: Partner,
    notes: list[SessionNote],
    practice_name: str,
    where: ZoneInfo,
) -> RecordPdf:
    """The record as released to ``partner``: what privacy lets their copy carry, named
    for them, saying what it leaves out."""
    now = utcnow()
    other = partner.other()
    left_out = (
        [
            f"What {other.name} wrote and did not share with {partner.name}, and the ratings "
            "given with it.",
            f"The notes of any individual sessions with {other.name}.",
        ]
        if other is not None
        else []
    )
    return RecordPdf(
        practice_name=practice_name,
        couple=couple.name,
        partners=_partners(couple),
        sessions=[
            _in_record(
                session_pdf(
                    note,
                    practice_name,
                    where,
                    reflections=privacy.release_copy_reflections(partner, note),
                )
            )
            for note in notes
            if privacy.in_release_copy(partner, note)
        ],
        exported=_when(now, where),
        agreements=_agreements(couple, where),
        kind=RELEASE,
        for_partner=partner.name,
        left_out=left_out,
        ratings=_ratings_now(couple, where, privacy.release_copy_ratings(partner)),
        charts_until=now.astimezone(where),
        measures=_measures(partner.user, couple, where, with_markers=False),
    )
