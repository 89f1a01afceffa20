"""A couple's history made through the real services, for the history and search tests:
reflections (shared, private, a draft, reviewed with feedback), a check-in, disclosure
parts and a signed session."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from practice.db import commit, session
from practice.models import Couple, Exercise, Reflection
from practice.services import assignments, checkins, disclosure, reflections, review, sessions
from tests.helpers.people import PASSWORD, record_session

# Words each kind holds, so a search can find exactly one of them.
RILEY_SHARED = "Sunday evenings by the harbour feel safe for talking."
HARPER_PRIVATE = "I keep a private worry about the lighthouse weekend."
HARPER_DRAFT = "An unsent draft about the marigold garden."
FEEDBACK = "Thank you; the harbour walks sound steady."
CHECKIN_TRIGGERS = "A late night alone with the tablet."
PART_TEXT = "The whole story of the copper kettle, told at last."
NOTE_TEXT = "We spoke about the juniper hedge and small steps."
ADDENDUM_TEXT = "Correction: the talk about the quince tree came later."


@dataclass
class Made:
    shared: int = 0  # Riley's shared reflection, reviewed, with feedback
    private: int = 0  # Harper's private reflection, waiting for review
    draft: int = 0  # Harper's unsubmitted draft
    feedback: int = 0
    checkin: int = 0
    part: int = 0
    session: int = 0
    exercise_id: int = 0
    extra: list = field(default_factory=list)


def _exercises(slugs):
    return [session.scalar(select(Exercise).where(Exercise.slug == s)) for s in slugs]


def make_history(app, couple_id: int, *, today: date | None = None) -> Made:
    """The standard couple's history through the services; ids of what was made."""
    today = today or date.today()
    made = Made()
    with app.app_context():
        couple = session.get(Couple, couple_id)
        alice = couple.practitioner
        riley, harper = couple.partners
        first, second, third = assignments.assign(
            couple,
            _exercises(["finding-the-right-amount", "boundary-agreement", "small-victories"]),
            audience="both",
            repeat="once",
            due_on=None,
            note="",
            by=alice,
            today=today,
        )

        def answer(partner, assignment, words, *, shared=False, submit=True):
            reflection, _ = reflections.save(
                partner,
                assignment,
                answers=[words] * len(assignment.prompts),
                ratings={q["key"]: 6 for q in assignment.ratings},
                shared=shared,
                submit=submit,
                today=today,
            )
            return reflection

        shared = answer(riley, first, RILEY_SHARED, shared=True)
        review.respond(shared, alice, feedback=FEEDBACK, mark_reviewed=True, flag_for_session=False)
        private = answer(harper, second, HARPER_PRIVATE)
        draft = answer(harper, third, HARPER_DRAFT, submit=False)
        plan = checkins.save_plan(
            couple,
            partner_id=riley.id,
            frequency="daily",
            tell_within_hours=24,
            summary_for_partner=False,
            today=today,
        )
        now = datetime.now(UTC)
        checkin, _ = checkins.save_checkin(
            riley,
            plan,
            checkins.CheckinInput(
                urges=3,
                triggers=CHECKIN_TRIGGERS,
                handled="Went for a walk.",
                slip=False,
                slip_at=None,
                told=False,
                told_at=None,
            ),
            today=today,
            now=now,
        )
        started = disclosure.start(couple, alice)
        part = started.parts[0]
        disclosure.save(part.author, part, PART_TEXT, submit=True)
        note = record_session(
            couple,
            alice,
            starts_at=now - timedelta(hours=2),
            sections={"note": NOTE_TEXT},
        )
        sessions.sign(note, alice, PASSWORD)
        sessions.add_addendum(note, alice, ADDENDUM_TEXT, PASSWORD)
        session.flush()
        made.shared, made.private, made.draft = shared.id, private.id, draft.id
        made.feedback = shared.feedback[0].id
        made.checkin, made.part, made.session = checkin.id, part.id, note.id
        made.exercise_id = first.exercise_id
        commit()
    return made


def grow_history(app, couple_id: int, rounds: int) -> None:
    """More of the same couple's history: ``rounds`` daily exercises answered by both, some
    reviewed with feedback, and sessions."""
    with app.app_context():
        couple = session.get(Couple, couple_id)
        alice = couple.practitioner
        exercise = _exercises(["small-victories"])[0]
        start = date.today() - timedelta(days=rounds + 1)
        (assignment,) = assignments.assign(
            couple,
            [exercise],
            audience="both",
            repeat="daily",
            due_on=None,
            note="",
            by=alice,
            today=start,
        )
        for day in range(rounds):
            for partner in couple.partners:
                reflection, _ = reflections.save(
                    partner,
                    assignment,
                    answers=[f"day {day} words"] * len(assignment.prompts),
                    ratings={q["key"]: 5 for q in assignment.ratings},
                    shared=day % 2 == 0,
                    submit=True,
                    today=start + timedelta(days=day),
                )
                if day % 3 == 0:
                    review.respond(
                        reflection,
                        alice,
                        feedback=f"feedback {day}",
                        mark_reviewed=True,
                        flag_for_session=False,
                    )
            if day % 5 == 0:
                record_session(
                    couple,
                    alice,
                    starts_at=datetime.now(UTC) - timedelta(days=rounds - day, hours=1),
                    sections={"note": f"session {day}"},
                )
        commit()


def reflection_ids(app, couple_id: int) -> list[int]:
    from practice.models import Assignment

    with app.app_context():
        return list(
            session.scalars(
                select(Reflection.id)
                .join(Assignment, Assignment.id == Reflection.assignment_id)
                .where(Assignment.couple_id == couple_id)
            )
        )


def grow_caseload(app, practitioner_email: str, couple_id: int, extra: int, label: str) -> None:
    """``extra`` more couples on the practitioner's caseload, each with both partners'
    answers to one exercise waiting for review (names and e-mails to search among)."""
    from practice.models import User
    from practice.services import couples

    with app.app_context():
        practitioner = session.scalar(select(User).where(User.email == practitioner_email))
        program = session.get(Couple, couple_id).program
        (exercise,) = _exercises(["finding-the-right-amount"])
        for n in range(extra):
            couple, _ = couples.create_couple(
                practitioner,
                program,
                [
                    couples.NewPartner(
                        f"P{n}a {label}", f"p{n}a-{label}@example.org", "recovering"
                    ),
                    couples.NewPartner(f"P{n}b {label}", f"p{n}b-{label}@example.org", "hurt"),
                ],
            )
            (assignment,) = assignments.assign(
                couple,
                [exercise],
                audience="both",
                repeat="once",
                due_on=None,
                note="",
                by=practitioner,
                today=date.today(),
            )
            for partner in couple.partners:
                reflections.save(
                    partner,
                    assignment,
                    answers=["words"] * len(assignment.prompts),
                    ratings={},
                    shared=False,
                    submit=True,
                    today=date.today(),
                )
        commit()
