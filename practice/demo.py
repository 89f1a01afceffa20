"""A small, believable demo practice for a newcomer to look around in."""

import secrets
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import session
from practice.models import Exercise, Program, Role, Step, User, Visibility
from practice.programs.loader import load_bundled_programs
from practice.services import (
    accounts,
    agreements,
    assignments,
    couples,
    disclosure,
    reflections,
    review,
    safety,
    sessions,
)

PRACTITIONER_EMAIL = "sam.okafor@example.org"
SAFETY_ANSWERS = {
    False: {"afraid": False, "hurt": False, "controlled": False, "safe_together": True},
    True: {"afraid": False, "hurt": False, "controlled": True, "safe_together": False},
}

# Made up, and saying so: the owner replaces them with their own country's helplines.
EXAMPLE_COUNTRY = "the demo's example country (replace these with your own)"
EXAMPLE_CRISIS_LINES = (
    "Example crisis line (not a real number) | 0000 000 000 | | | Day and night\n"
    "Example text line (not real) | | Text HELLO to 00000 | | Day and night\n"
    "Example domestic abuse helpline (not real) | 0000 111 111 | | https://example.org/help"
    " | Every day, 8am to 10pm"
)

ANSWERS = {
    "recovering": [
        "I told her about the evening I felt pulled back to old habits after a rough day at "
        "work. I went for a run instead and texted my accountability partner.",
        "I noticed I wanted to leave out how often I still think about it. Saying it out loud "
        "was hard, but less hard than last month.",
        "She was quiet at first and then thanked me. I wanted to fix her sadness and I tried "
        "to just sit with it instead.",
    ],
    "hurt": [
        "Hearing it before I had to ask made a difference. I felt less like a detective in my "
        "own home.",
        "Some of it was more detail than I needed; I would rather know what he did with the "
        "urge than every thought.",
        "Next time I would like to hear one thing that went well, too. I forget there are good "
        "days.",
    ],
}


# Answers to "Hearing and being heard", written alone and revealed to both once both submitted.
REVEALED = {
    "recovering": [
        "That she has been carrying this alone for months, and that my apology mattered less "
        "than my listening afterwards.",
        "Once, when I started to explain why. She stopped me gently and I started again.",
        "Some quiet evenings without big conversations, and a walk together on Saturday.",
    ],
    "hurt": [
        "He did not say 'but' once. He named the lying as the part that hurt most, and it was.",
        "He began to explain himself one time; I said so, and he listened instead.",
        "Time. Knowing he will not push me to be over it, and a walk together on Saturday.",
    ],
}


def _exercise(program: Program, slug: str) -> Exercise:
    return next(e for s in program.steps for e in s.exercises if e.slug == slug)


def _fresh_password() -> str:
    return "-".join(secrets.token_hex(3) for _ in range(3))


def make_demo(now: datetime | None = None) -> tuple[list[tuple[str, str, str]], bool]:
    """Create the demo practice; returns (role, e-mail, password) per account, and whether
    it was created now. Run again, it changes no data but gives its accounts new passwords.
    """
    now = now or datetime.now(UTC)
    load_bundled_programs()
    # The couple who started this week is in the founding program's second edition; the
    # two who started earlier stay in the first, as couples already in it do.
    programs = {
        p.slug: p
        for p in session.scalars(
            select(Program)
            .where(Program.slug.in_(["rebuilding-trust", "rebuilding-trust-2"]))
            .options(selectinload(Program.steps).selectinload(Step.exercises))
        )
    }
    editions = {"Jordan & Casey": programs["rebuilding-trust-2"]}
    existing = session.scalar(select(User).where(User.email == PRACTITIONER_EMAIL))
    if existing is not None:
        return _reset_passwords(), False

    logins = []
    if not accounts.has_owner():
        password = _fresh_password()
        accounts.create_owner(
            "Harbour Couples Therapy", "Dana Whitfield", "owner@example.org", password
        )
        logins.append(("owner", "owner@example.org", password))
    sam, _ = accounts.add_practitioner("Sam Okafor", PRACTITIONER_EMAIL, "LMFT")
    sam_password = _fresh_password()
    sam.set_password(sam_password)
    if not safety.crisis_resources().lines:
        safety.set_crisis_resources(EXAMPLE_COUNTRY, EXAMPLE_CRISIS_LINES, sam)
    logins.append(("practitioner", PRACTITIONER_EMAIL, sam_password))

    plans = [
        ("Jordan & Casey", [("Jordan", "recovering"), ("Casey", "hurt")], 1, 4, "no-secrets"),
        ("Priya & Tom", [("Tom", "recovering"), ("Priya", "hurt")], 3, 20, "limited-secrets"),
        ("Alex & Morgan", [("Alex", "recovering"), ("Morgan", "hurt")], 5, 40, "secrets-kept"),
    ]
    for couple_name, people, step, days, policy in plans:
        partners = [
            couples.NewPartner(name, f"{name.lower()}@example.org", role) for name, role in people
        ]
        program = editions.get(couple_name, programs["rebuilding-trust"])
        couple, _ = couples.create_couple(sam, program, partners, couple_name, policy=policy)
        couple.current_step = step
        start = now - timedelta(days=days)
        for partner in couple.partners:
            password = _fresh_password()
            partner.user.set_password(password)
            logins.append((f"client ({couple_name})", partner.user.email, password))
            agreements.agree(partner)
            partner.agreed_at = start - timedelta(hours=2)
        if couple_name == "Alex & Morgan":
            _disclosure(couple, sam, now)
        _history(couple, program, sam, sam_password, step, start, now)
        for partner in couple.partners:
            # Casey's answers ask for care: sharing is off and Sam sees the alert.
            worried = partner.user.name == "Casey"
            screen = safety.take_screen(partner, SAFETY_ANSWERS[worried])
            screen.taken_at = partner.screened_at = now - timedelta(days=1 if worried else days)
            if worried:
                couple.joint_features_off_since = screen.taken_at
        if couple_name == "Alex & Morgan":
            _checkins(couple, now)
    session.flush()
    return logins, True


CHECKIN_NOTES = [
    ("Tired after a long shift; scrolling late in bed.", "Put the phone in the kitchen."),
    ("An argument about money.", "Took a walk and said I needed ten minutes."),
    ("Nothing in particular.", "Went to the Tuesday group."),
    ("Home alone for the evening.", "Called my accountability partner and cooked dinner."),
]


def _checkins(couple, now: datetime) -> None:
    """Two weeks of daily check-ins for the partner in recovery: two days missed, one slip
    told the next morning, and the summary agreed for the partner; today is still to do."""
    from practice.services import checkins

    recovering = next(p for p in couple.partners if p.program_role == "recovering")
    today = now.date()
    plan = checkins.save_plan(
        couple,
        partner_id=recovering.id,
        frequency="daily",
        tell_within_hours=24,
        summary_for_partner=True,
        today=today - timedelta(days=14),
    )
    for back in range(14, 0, -1):
        if back in (5, 11):
            continue
        day = today - timedelta(days=back)
        triggers, handled = CHECKIN_NOTES[back % len(CHECKIN_NOTES)]
        slip = back == 4
        slip_at = datetime.combine(day, time(22, 30), tzinfo=UTC) if slip else None
        checkins.save_checkin(
            recovering,
            plan,
            checkins.CheckinInput(
                urges=2 + back % 5,
                triggers=triggers,
                handled=handled,
                slip=slip,
                slip_at=slip_at,
                told=slip,
                told_at=slip_at + timedelta(hours=10) if slip_at else None,
            ),
            today=day,
            now=now,
        )


def _history(couple, program, sam, sam_password, current_step, start, now):
    """Assignments up to the current step, answered over the weeks since the start.

    Each earlier step's last review opens the next step, as it would in practice.
    """
    steps = [s for s in program.steps if s.position <= current_step]
    span = (now - start) / max(len(steps), 1)
    discussed = []
    for index, step in enumerate(steps):
        day = start + span * index
        # The first two exercises of each step, and any the partners answer alone and then
        # see together (the demo's revealed exercise).
        chosen = [e for i, e in enumerate(step.exercises) if i < 2 or privacy.answered_alone(e)]
        made = assignments.assign(
            couple,
            chosen,
            audience="as-written",
            repeat="once",
            due_on=None,
            note="",
            by=sam,
            today=day.date(),
        )
        latest = step.position == current_step
        for n, assignment in enumerate(made):
            for p_index, partner in enumerate(couple.partners):
                if not assignment.is_for(partner.program_role):
                    continue
                source = REVEALED if privacy.answered_alone(assignment) else ANSWERS
                texts = source[partner.program_role][: len(assignment.prompts)]
                texts += [""] * (len(assignment.prompts) - len(texts))
                trend = min(10, 3 + index + p_index)
                ratings = {q["key"]: trend for q in assignment.ratings}
                draft_only = latest and n == 1 and p_index == 1
                reflection, _ = reflections.save(
                    partner,
                    assignment,
                    answers=texts,
                    ratings=ratings,
                    shared=p_index == 0,
                    submit=not draft_only,
                    today=day.date(),
                )
                if draft_only:
                    continue
                reflection.submitted_at = day + timedelta(days=1, hours=p_index * 3)
                if not latest:
                    review.respond(
                        reflection,
                        sam,
                        mark_reviewed=True,
                        flag_for_session=False,
                        feedback="Thank you for writing this so honestly. Let us "
                        "pick up the second answer next session.",
                    )
                    discussed.append(reflection)
            if not latest:
                assignments.close(assignment)
    if current_step >= 5 and discussed:
        starts = datetime.combine((now - timedelta(days=6)).date(), time(17, 0), tzinfo=UTC)
        note = sessions.save_session(
            None,
            couple,
            sam,
            sessions.SessionInput(
                starts_at=starts,
                duration_minutes=50,
                kind="joint",
                individual_partner_id=None,
                attendee_ids=[p.id for p in couple.partners],
                note_format="dap",
                sections={
                    "data": "Both partners arrived on time and engaged well. Reviewed the "
                    "boundary agreement; both report it is holding. Morgan named continuing "
                    "anxiety in the evenings; Alex listened without defending.",
                    "assessment": "Steady progress. Trust ratings rising for both; Morgan's "
                    "safety still lowest in the evenings, which fits the pattern she named.",
                    "plan": "Begin the patience step, with weekly check-ins kept to Sunday "
                    "evenings. Review the evening plan next session.",
                },
                reflection_ids=[r.id for r in discussed[-2:]],
            ),
        )
        assignments.assign(
            couple,
            [e for s in program.steps if s.position == current_step for e in s.exercises][:1],
            audience="as-written",
            repeat="weekly",
            due_on=None,
            note="Sunday evenings, as agreed.",
            by=sam,
            today=now.date(),
            set_in=note,
        )
        sessions.sign(note, sam, sam_password)


DISCLOSURE = {
    1: "Over the last three years I watched porn most evenings after you went to bed, and "
    "sometimes at work. I hid it with a second browser and deleted histories. Twice I told "
    "you I had stopped when I had not.",
    2: "When did it start? Were there times you nearly told me? Was there anyone else, or "
    "only screens?",
    3: "I am still working on these answers. The first question: it started before we met",
}


def _disclosure(couple, sam, now):
    """Part-way through: the disclosure read in the app, the questions kept for session,
    and the answers in draft."""
    sequence = disclosure.start(couple, sam)
    sequence.started_at = now - timedelta(days=30)
    recovering, hurt = (
        next(p for p in couple.partners if p.program_role == r) for r in ("recovering", "hurt")
    )
    parts = {p.position: p for p in sequence.parts}
    disclosure.save(recovering, parts[1], DISCLOSURE[1], submit=True)
    disclosure.release(parts[1], sam, Visibility.APP, couple)
    disclosure.save(hurt, parts[2], DISCLOSURE[2], submit=True)
    disclosure.comment(parts[2], "Hold the third question for the joint session.")
    disclosure.release(parts[2], sam, Visibility.SESSION, couple)
    disclosure.save(recovering, parts[3], DISCLOSURE[3], submit=False)
    for days, part in ((24, parts[1]), (12, parts[2])):
        part.submitted_at = now - timedelta(days=days)
        part.released_at = now - timedelta(days=days - 2)


def _reset_passwords() -> list[tuple[str, str, str]]:
    users = session.scalars(
        select(User).where(User.email.like("%@example.org")).order_by(User.id)
    ).all()
    logins = []
    for user in users:
        password = _fresh_password()
        # A new password as any other: whoever was signed in with the old one is signed out.
        accounts.set_new_password(user, password)
        role = user.role if user.role != Role.CLIENT else "client"
        logins.append((role, user.email, password))
    return logins
