"""A synthetic practice at the size of a real one, for benchmarks: ``flask --app practice
seed-load``.

The rows are the app's own. They go in as bulk INSERTs on the models' tables, so every
encrypted column passes through its column type and is encrypted with the app's keyring
exactly as the app writes it, one token per value. They keep the rules the services keep:
two partners per couple, steps opened in order once the step before is done, submitted
before reviewed, signed notes with their snapshot and signer. Whether a partner's words
reach the other partner is asked of ``practice.privacy``, risk terms of
``services.risk``, the policy wording of ``services.agreements``.

Every seeded account has an e-mail at ``SEED_DOMAIN`` and one password, so a benchmark
signs in through the real forms. A database holding real people is refused unless the
caller says otherwise. Like a service, this never commits: the caller's one
transaction holds all of it, so a failure leaves the database as it was.

Ids are handed out here, from the highest id already in each table (a bulk INSERT then
needs no RETURNING); on PostgreSQL the sequences are moved past them at the end. Seed a
database the app is not writing to at the same moment.
"""

import bisect
import hashlib
import math
import random
import secrets
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import Table, func, insert, inspect, select, text
from sqlalchemy.orm import selectinload

from practice import privacy
from practice.db import session
from practice.models import (
    BOTH,
    NOTE_FORMATS,
    Addendum,
    AssignmentStatus,
    AuditEntry,
    Base,
    Checkin,
    CheckinPlan,
    Couple,
    Feedback,
    Frequency,
    Invitation,
    Partner,
    PolicyKind,
    PracticeProfile,
    Program,
    Reflection,
    ReflectionStatus,
    Repeat,
    ReviewWaiting,
    Role,
    SafetyScreen,
    SessionKind,
    SessionNote,
    Step,
    StepOpening,
    User,
    session_attendees,
    session_reflections,
)
from practice.models import Assignment as AssignmentModel
from practice.programs.loader import load_founding_program
from practice.services import accounts, agreements
from practice.services.checkins import period_start
from practice.services.clock import zone
from practice.services.errors import PracticeError
from practice.services.risk import risk_terms
from practice.services.safety import QUESTIONS

SEED_DOMAIN = "seed.example"  # reserved for examples (RFC 2606): never a real mailbox
# Documented in the README; only ever given to seeded (synthetic) accounts.
DEFAULT_PASSWORD = "seeded-practice-not-for-real-clients"  # noqa: S105
DEFAULTS = {"practitioners": 50, "couples": 10_000, "reflections": 500_000}
MIN_REFLECTIONS_PER_COUPLE = 2  # each partner has written at least once
MAX_REFLECTIONS_PER_COUPLE = 400  # two a week for four years
NOTES_PER_COUPLE = 2
# The practitioner with the most couples holds this much more than the mean, the one with
# the fewest this much less: at 10,000 couples and 50 practitioners, 220 down to 180.
CASELOAD_SPREAD = 0.1
ROWS_PER_INSERT = 2_000
COUPLES_PER_FLUSH = 50

SAFE_ANSWERS = {q.key: not q.concerning_answer for q in QUESTIONS}
CONCERNING_ANSWERS = {**SAFE_ANSWERS, QUESTIONS[-1].key: QUESTIONS[-1].concerning_answer}
SEED_ADDRESS = "192.0.2.10"  # TEST-NET-1 (RFC 5737): no real address
SEED_AGENT = "seed-load (synthetic data)"


# Rows the summary counts: (what, table).
SUMMARY_TABLES = [
    ("practitioners", "practitioners"),
    ("couples", Couple.__tablename__),
    ("accounts", User.__tablename__),
    ("assignments", AssignmentModel.__tablename__),
    ("reflections", Reflection.__tablename__),
    ("feedback", Feedback.__tablename__),
    ("session notes", SessionNote.__tablename__),
    ("addenda", Addendum.__tablename__),
    ("check-ins", Checkin.__tablename__),
    ("safety screens", SafetyScreen.__tablename__),
    ("audit entries", AuditEntry.__tablename__),
]


class SeedError(Exception):
    """seed-load refused; nothing was written."""


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    name: str
    detail: str = ""


@dataclass
class SeedResult:
    counts: Counter  # rows added, per table
    practitioner: Login
    client: Login
    owner: Login | None
    couple_id: int
    password: str

    def summary(self, seconds: float) -> list[str]:
        """What the command prints: what was made, the password, whom to sign in as."""
        counts = self.counts
        lines = [f"Seeded in {seconds:.1f} s:"]
        for label, table in SUMMARY_TABLES:
            lines.append(f"  {label:<17} {counts[table]:>11,}")
        lines += [
            f"Every seeded account has an e-mail at @{SEED_DOMAIN} and the password: "
            f"{self.password}",
            "Sign in as:",
        ]
        people = [self.practitioner, self.client] + ([self.owner] if self.owner else [])
        width = max(len(login.email) for login in people)
        for login in people:
            lines.append(f"  {login.role:<12}  {login.email:<{width}}  {self.password}")
        lines += [
            f"The practitioner: {self.practitioner.name}, {self.practitioner.detail}.",
            f"The client: {self.client.name}, {self.client.detail} (/couples/{self.couple_id}).",
        ]
        return lines


def check_sizes(practitioners: int, couples: int, reflections: int) -> None:
    """Refuse sizes that cannot make a practice, saying which option and why."""
    problems = []
    if practitioners < 1:
        problems.append(f"--practitioners must be at least 1 (got {practitioners:,}).")
    if couples < 1:
        problems.append(f"--couples must be at least 1 (got {couples:,}).")
    elif couples < practitioners:
        problems.append(
            f"--couples must be at least --practitioners ({practitioners:,}), so every "
            f"practitioner has a couple (got {couples:,})."
        )
    if couples >= 1:
        low, high = MIN_REFLECTIONS_PER_COUPLE * couples, MAX_REFLECTIONS_PER_COUPLE * couples
        if reflections < low:
            problems.append(
                f"--reflections must be at least {MIN_REFLECTIONS_PER_COUPLE} per couple, "
                f"{low:,} for {couples:,} couples (got {reflections:,})."
            )
        elif reflections > high:
            problems.append(
                f"--reflections can be at most {MAX_REFLECTIONS_PER_COUPLE} per couple, "
                f"{high:,} for {couples:,} couples (got {reflections:,})."
            )
    if problems:
        raise SeedError(" ".join(problems))


def real_accounts() -> int:
    """How many accounts in the database are not seeded ones: real people, presumably."""
    return session.scalar(
        select(func.count(User.id)).where(User.email.not_like(f"%@{SEED_DOMAIN}"))
    )


def prepare(
    practitioners: int = DEFAULTS["practitioners"],
    couples: int = DEFAULTS["couples"],
    reflections: int = DEFAULTS["reflections"],
    *,
    password: str = DEFAULT_PASSWORD,
    rng_seed: int = 1,
    add_to_real_data: bool = False,
) -> "Seeding":
    """Check everything that can refuse, then load the founding program if it is missing
    (as the first run does); ``run()`` on the result adds the practice.

    Raises SeedError, before writing anything, for sizes that make no practice, a password
    the app would refuse, or a database with real people in it (unless
    ``add_to_real_data``).
    """
    check_sizes(practitioners, couples, reflections)
    try:
        accounts.check_password_rules(password, (SEED_DOMAIN,))
    except PracticeError as error:
        raise SeedError(f"--password: {error.message}") from None
    real = real_accounts()
    if real and not add_to_real_data:
        raise SeedError(
            f"This database holds {real:,} account{'s' if real != 1 else ''} that seed-load "
            f"did not make (e-mails outside @{SEED_DOMAIN}): real people, presumably. "
            "Nothing was written. Seed a database of its own, or, to add synthetic couples "
            "beside them anyway, run again with --yes-add-to-real-data."
        )
    load_founding_program()
    rng = random.Random(rng_seed)  # noqa: S311 (synthetic data, not secrets)
    return Seeding(_Seeder(rng, password), practitioners, couples, reflections)


@dataclass
class Seeding:
    """A seed-load that passed its checks, ready to run."""

    seeder: "_Seeder"
    practitioners: int
    couples: int
    reflections: int

    def run(self, progress: Callable[[int], None] | None = None) -> SeedResult:
        """Add the practice; the caller commits. ``progress`` gets each number of couples
        written."""
        return self.seeder.run(
            self.practitioners, self.couples, self.reflections, progress or (lambda _n: None)
        )


# --- what the program offers, read once ------------------------------------------------


@dataclass(frozen=True)
class _Exercise:
    id: int
    step: int
    step_title: str
    title: str
    instructions: str
    prompts: list
    ratings: list
    audience: str
    alone: bool  # answered alone and revealed to both (privacy.answered_alone)


@dataclass(frozen=True)
class _Assigned:
    """What privacy.shares reads of an assignment."""

    reveal_together: bool


@dataclass(frozen=True)
class _Switch:
    """What privacy reads of a couple: its joint-features switches at one moment (the seed
    makes safety alerts, never a practitioner's pause)."""

    joint_features_off_since: datetime | None
    sharing_paused_at: datetime | None = None


_ON = _Switch(None)


@dataclass
class _CouplePlan:
    """One couple's shape, decided before any row is made."""

    number: int
    practitioner: int
    reflections: int
    step: int = 1
    openings: list = field(default_factory=list)  # when each step up to ``step`` opened
    start: datetime | None = None
    weekly: date | None = None  # the first occurrence of the weekly exercise, if any
    weekly_at: datetime | None = None  # when the weekly exercise was assigned
    notes: int = 0
    paused_at: datetime | None = None  # a safety answer turned joint features off
    resolved: tuple | None = None  # (off, back on): a safety answer the practitioner resolved
    checkins: bool = False
    # Its first partner, once made: whom to sign in as.
    email: str = ""
    name: str = ""
    couple_name: str = ""


@dataclass
class _Person:
    id: int
    name: str
    role: str
    email: str = ""


@dataclass
class _CoupleState:
    """What the couple's later rows need of its earlier ones."""

    id: int
    plan: _CouplePlan
    practitioner: _Person
    partners: list  # [(_Person, partner id, program role)]
    # (submitted_at, partner index, ratings, rating questions, reflection id)
    submitted: list = field(default_factory=list)
    first_submitted: dict = field(default_factory=dict)  # (exercise id, index) -> when

    def switch_at(self, moment: datetime) -> _Switch:
        paused, resolved = self.plan.paused_at, self.plan.resolved
        if paused is not None and moment >= paused:
            return _Switch(paused)
        if resolved is not None and resolved[0] <= moment < resolved[1]:
            return _Switch(resolved[0])
        return _ON


class _Writer:
    """Rows per table, inserted in foreign-key order, a few thousand per statement."""

    def __init__(self, connection):
        self.connection = connection
        self.rows: dict[Table, list[dict]] = defaultdict(list)
        self.counts: Counter = Counter()
        self.next_ids: dict[Table, int] = {}

    def take_id(self, table: Table) -> int:
        if table not in self.next_ids:
            highest = self.connection.scalar(select(func.max(table.c.id)))
            self.next_ids[table] = (highest or 0) + 1
        taken = self.next_ids[table]
        self.next_ids[table] += 1
        return taken

    def add(self, table: Table, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        for table in Base.metadata.sorted_tables:
            rows = self.rows.pop(table, None)
            if not rows:
                continue
            for start in range(0, len(rows), ROWS_PER_INSERT):
                self.connection.execute(insert(table), rows[start : start + ROWS_PER_INSERT])
            self.counts[table.name] += len(rows)

    def gather_statistics(self) -> None:
        """PostgreSQL: what the planner knows of the tables, gathered now that they are full
        (the documented step after a bulk load; autovacuum may be off or not yet come by,
        and without statistics a couple's page took seconds at 10,000 couples). The tables
        written are listed: nothing else of a shared database is touched."""
        if self.connection.dialect.name != "postgresql":
            return
        written = sorted(name for name in self.counts if name in Base.metadata.tables)
        tables = ", ".join(f'"{name}"' for name in written)
        if tables:
            self.connection.execute(text(f"ANALYZE {tables}"))

    def advance_sequences(self) -> None:
        """PostgreSQL: the next id the app takes comes after the ones handed out here."""
        if self.connection.dialect.name != "postgresql":
            return
        for table, next_id in self.next_ids.items():
            self.connection.execute(
                text(
                    "SELECT setval(s, GREATEST(:last, COALESCE(pg_sequence_last_value(s), 0))) "
                    "FROM CAST(pg_get_serial_sequence(:table, 'id') AS regclass) AS s"
                ),
                {"table": table.fullname, "last": next_id - 1},
            )


# The tables, by what they hold.
USERS, PROFILE, INVITATIONS = User.__table__, PracticeProfile.__table__, Invitation.__table__
COUPLES, PARTNERS, SCREENS = Couple.__table__, Partner.__table__, SafetyScreen.__table__
ASSIGNMENTS, REFLECTIONS = AssignmentModel.__table__, Reflection.__table__
WAITING = ReviewWaiting.__table__
FEEDBACK, NOTES, ADDENDA = Feedback.__table__, SessionNote.__table__, Addendum.__table__
OPENINGS, PLANS, CHECKINS = StepOpening.__table__, CheckinPlan.__table__, Checkin.__table__
AUDIT = AuditEntry.__table__


class _Seeder:
    def __init__(self, rng: random.Random, password: str):
        self.rng = rng
        self.password = password
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.timezone = current_app.config["PRACTICE_TIMEZONE"]
        self.today = self.now.astimezone(zone(self.timezone)).date()
        hashed = User()
        hashed.set_password(password)  # once: every seeded account shares the password
        self.password_hash = hashed.password_hash
        self.wordings = agreements.wordings()
        self.program = session.scalar(
            select(Program)
            .where(Program.slug == "rebuilding-trust")
            .options(selectinload(Program.steps).selectinload(Step.exercises))
        )
        # The first partner takes the program's first role, the second its last.
        self.roles = [self.program.roles[0]["key"], self.program.roles[-1]["key"]]
        self.steps = [
            [
                _Exercise(
                    e.id,
                    s.position,
                    s.title,
                    e.title,
                    e.instructions,
                    list(e.prompts),
                    [dict(r) for r in e.ratings],
                    e.audience,
                    privacy.answered_alone(e),
                )
                for e in s.exercises
            ]
            for s in self.program.steps
        ]
        self.step_titles = [s.title for s in self.program.steps]
        self.answer_sets: dict = {}
        self.owner: _Person | None = None

    # --- the practice and its practitioners ------------------------------------------

    def run(self, practitioners, couples, reflections, progress) -> SeedResult:
        self.writer = _Writer(session.connection(bind_arguments={"mapper": inspect(User)}))
        owner = self._owner()
        self.practitioners = self._practitioners(practitioners)
        self.writer.counts["practitioners"] = practitioners
        plans = self._plans(couples, reflections)
        made: dict[int, int] = {}
        for start in range(0, len(plans), COUPLES_PER_FLUSH):
            chunk = plans[start : start + COUPLES_PER_FLUSH]
            for plan in chunk:
                made[plan.number] = self._couple(plan)
            self.writer.flush()
            progress(len(chunk))
        self.writer.advance_sequences()
        self.writer.gather_statistics()
        return self._result(plans, made, owner)

    def _user(self, email, name, role, created_at, credentials="") -> int:
        user_id = self.writer.take_id(USERS)
        self.writer.add(
            USERS,
            {
                "id": user_id,
                "email": email,
                "name": name,
                "role": role,
                "password_hash": self.password_hash,
                "credentials": credentials,
                "timezone": self.timezone,
                "disabled": False,
                "created_at": created_at,
            },
        )
        return user_id

    def _invitation(self, user_id, created_at, used_at, by: _Person | None, couple_id=None):
        invitation_id = self.writer.take_id(INVITATIONS)
        # A real secret, as issuing one makes (hashed, never kept), so no two seeds collide;
        # it was used to set the password, so it works no more.
        token = secrets.token_urlsafe(32).encode()
        days = current_app.config["PRACTICE_INVITATION_DAYS"]
        self.writer.add(
            INVITATIONS,
            {
                "id": invitation_id,
                "user_id": user_id,
                "token_hash": hashlib.sha256(token).hexdigest(),
                "created_at": created_at,
                "expires_at": created_at + timedelta(days=days),
                "used_at": used_at,
                "note": "",
            },
        )
        self._audit(created_at, by, "invitation.created", "invitation", invitation_id, couple_id)

    def _owner(self) -> Login | None:
        """A seeded owner when the practice has none, so its pages ask for no first run."""
        if accounts.has_owner():
            return None
        email, name = f"owner@{SEED_DOMAIN}", "Morgan Seedwell"
        created = self.now - timedelta(days=1000)
        owner_id = self._user(email, name, Role.OWNER, created)
        self.owner = _Person(owner_id, name, Role.OWNER, email)
        if accounts.practice_profile() is None:
            self.writer.add(
                PROFILE,
                {
                    "id": self.writer.take_id(PROFILE),
                    "name": "Seeded practice (synthetic data)",
                    "require_two_factor": False,
                    "created_at": created,
                },
            )
        self._audit(created, self.owner, "signin.succeeded", "user", owner_id)
        return Login("owner", email, name)

    def _practitioners(self, count: int) -> list[_Person]:
        first = self._existing("practitioner-%") + 1
        width = max(3, len(str(first + count - 1)))
        owner = self.owner
        people = []
        for number in range(first, first + count):
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            created = self.now - timedelta(days=self.rng.uniform(700, 950))
            email = f"practitioner-{number:0{width}d}@{SEED_DOMAIN}"
            user_id = self._user(
                email, name, Role.PRACTITIONER, created, self.rng.choice(CREDENTIALS)
            )
            person = _Person(user_id, name, Role.PRACTITIONER, email)
            self._audit(created, owner, "user.created", "user", user_id)
            self._invitation(user_id, created, created + timedelta(hours=3), owner)
            self._audit(created + timedelta(hours=3), person, "signin.succeeded", "user", user_id)
            people.append(person)
        return people

    def _existing(self, pattern: str) -> int:
        return session.scalar(
            select(func.count(User.id)).where(User.email.like(f"{pattern}@{SEED_DOMAIN}"))
        )

    # --- the shape of each couple ---------------------------------------------------

    def _plans(self, couples: int, reflections: int) -> list[_CouplePlan]:
        rng = self.rng
        loads = _spread_caseloads(couples, len(self.practitioners))
        owners = [i for i, load in enumerate(loads) for _ in range(load)]
        rng.shuffle(owners)  # caseloads grew side by side: each one's couples spread over ids
        budgets = _shares(
            reflections - MIN_REFLECTIONS_PER_COUPLE * couples,
            [rng.uniform(0.2, 1.8) for _ in range(couples)],
        )
        first = self._existing("couple-%") // 2 + 1
        self.couple_width = max(5, len(str(first + couples - 1)))
        plans = []
        for index, practitioner in enumerate(owners):
            budget = budgets[index] + MIN_REFLECTIONS_PER_COUPLE
            budget = min(budget, MAX_REFLECTIONS_PER_COUPLE)
            plans.append(_CouplePlan(first + index, practitioner, budget))
        _even_out(plans, reflections)
        for plan in plans:
            self._shape(plan)
        days = [(self.now - plan.start).total_seconds() / 86400 for plan in plans]
        for plan, notes in zip(plans, _shares(NOTES_PER_COUPLE * couples, days), strict=True):
            plan.notes = notes
        return plans

    def _cost(self, step: int) -> int:
        """Reflections that one step's exercises take, each partner answering once."""
        return sum(self._meant_for(e) for e in self.steps[step - 1])

    def _meant_for(self, exercise: _Exercise) -> int:
        return 2 if exercise.audience == BOTH else int(exercise.audience in self.roles)

    def _shape(self, plan: _CouplePlan) -> None:
        """Its step, when each step opened, and how many weeks of a weekly exercise fill the
        rest of its reflections."""
        rng = self.rng
        steps = len(self.steps)
        step = rng.randint(1, steps)
        done = [0]
        for position in range(1, steps + 1):
            done.append(done[-1] + self._cost(position))
        while step > 1 and done[step - 1] >= plan.reflections:
            step -= 1
        plan.step = step
        left = plan.reflections - done[step - 1] - self._cost(step)
        now = self.now
        if left > 0:
            weekly = self._weekly_exercise(step)
            weeks = math.ceil(left / self._meant_for(weekly))
            plan.weekly = self.today - timedelta(days=7 * (weeks - 1) + rng.randint(0, 6))
            plan.weekly_at = min(_at(plan.weekly, 9), now - timedelta(hours=1))
            current = plan.weekly_at - timedelta(days=rng.uniform(1, 10))
        else:
            current = now - timedelta(days=rng.uniform(4, 45))
        openings = [current]
        for _ in range(step - 1):
            openings.insert(0, openings[0] - timedelta(days=rng.uniform(10, 35)))
        plan.openings = openings
        plan.start = openings[0] - timedelta(days=rng.uniform(1, 6))
        roll = rng.random()
        if roll < 0.03:
            plan.paused_at = _between(rng, openings[0], now - timedelta(days=1))
        elif roll < 0.05:
            off = _between(rng, openings[0], now - timedelta(days=3))
            plan.resolved = (off, off + timedelta(days=rng.uniform(0.5, 2.5)))
        plan.checkins = step >= 3 and rng.random() < 0.45

    def _weekly_exercise(self, step: int) -> _Exercise:
        """The exercise a couple repeats weekly: one for both partners, answered openly, of
        the latest step open to them."""
        for position in range(step, 0, -1):
            for exercise in self.steps[position - 1]:
                if exercise.audience == BOTH and not exercise.alone:
                    return exercise
        return next(e for e in self.steps[0] if self._meant_for(e))

    # --- one couple's rows ----------------------------------------------------------

    def _couple(self, plan: _CouplePlan) -> int:
        rng, writer = self.rng, self.writer
        practitioner = self.practitioners[plan.practitioner]
        couple_id = writer.take_id(COUPLES)
        firsts = rng.sample(FIRST_NAMES, 2)
        names = [f"{first} {rng.choice(LAST_NAMES)}" for first in firsts]
        kind = rng.choice(list(PolicyKind)).value
        wording = self.wordings[kind]
        created = plan.start
        plan.couple_name = f"{firsts[0]} & {firsts[1]}"
        writer.add(
            COUPLES,
            {
                "id": couple_id,
                "name": plan.couple_name,
                "practitioner_id": practitioner.id,
                "program_id": self.program.id,
                "current_step": plan.step,
                "created_at": created,
                "policy_kind": kind,
                "policy_text": wording,
                "joint_features_off_since": plan.paused_at,
            },
        )
        self._audit(created, practitioner, "couple.created", "couple", couple_id, couple_id)
        partners = []
        for index, (name, role) in enumerate(zip(names, self.roles, strict=True)):
            email = f"couple-{plan.number:0{self.couple_width}d}-{role}@{SEED_DOMAIN}"
            user_id = self._user(email, name, Role.CLIENT, created)
            partner_id = writer.take_id(PARTNERS)
            agreed = created + timedelta(hours=rng.uniform(1, 20))
            screened = agreed + timedelta(minutes=rng.uniform(2, 30))
            writer.add(
                PARTNERS,
                {
                    "id": partner_id,
                    "couple_id": couple_id,
                    "user_id": user_id,
                    "program_role": role,
                    "agreed_policy_kind": kind,
                    "agreed_policy_text": wording,
                    "agreed_at": agreed,
                    "screened_at": screened,
                },
            )
            person = _Person(user_id, name, Role.CLIENT, email)
            self._audit(created, practitioner, "user.created", "user", user_id, couple_id)
            self._audit(created, practitioner, "partner.created", "partner", partner_id, couple_id)
            self._invitation(user_id, created, agreed, practitioner, couple_id)
            self._audit(agreed, person, "signin.succeeded", "user", user_id)
            self._audit(agreed, person, "agreement.agreed", "partner", partner_id, couple_id, kind)
            self._screen(partner_id, couple_id, person, screened, concerning=False)
            partners.append((person, partner_id, role))
            if index == 0:
                plan.email, plan.name = email, name
        state = _CoupleState(couple_id, plan, practitioner, partners)
        self._safety_events(state)
        self._steps(state)
        self._notes(state)
        if plan.checkins:
            self._checkins(state)
        return couple_id

    def _screen(self, partner_id, couple_id, person, at, *, concerning, resolved=None, by=None):
        """One answered safety screen; ``resolved``: (when, why) the practitioner turned joint
        features back on after reading it."""
        self.writer.add(
            SCREENS,
            {
                "id": self.writer.take_id(SCREENS),
                "partner_id": partner_id,
                "couple_id": couple_id,
                "answers": dict(CONCERNING_ANSWERS if concerning else SAFE_ANSWERS),
                "concerning": concerning,
                "taken_at": at,
                "resolved_at": resolved[0] if resolved else None,
                "resolved_by_id": by.id if resolved else None,
                "resolution": resolved[1] if resolved else "",
            },
        )
        self._audit(at, person, "safety.screen_taken", "partner", partner_id, couple_id)

    def _safety_events(self, state: _CoupleState) -> None:
        """A later screen that asked for care: still pausing sharing, or resolved."""
        plan = state.plan
        person, partner_id, _role = state.partners[1]
        if plan.paused_at is not None:
            self._screen(partner_id, state.id, person, plan.paused_at, concerning=True)
        elif plan.resolved is not None:
            off, on = plan.resolved
            by, reason = state.practitioner, self.rng.choice(RESOLUTIONS)
            self._screen(
                partner_id, state.id, person, off, concerning=True, resolved=(on, reason), by=by
            )
            self._audit(on, by, "safety.joint_features_on", "couple", state.id, state.id, reason)

    def _steps(self, state: _CoupleState) -> None:
        """Every step up to the couple's: done and reviewed before the next opened, the open
        one part-way; then the weekly exercise, if the couple has one."""
        plan, rng = state.plan, self.rng
        budget = plan.reflections
        for position in range(1, plan.step + 1):
            opened = plan.openings[position - 1]
            if position > 1:
                self._opening(state, position, opened)
            current = position == plan.step
            ends = self.now if current else plan.openings[position]
            work = []
            for exercise in self.steps[position - 1]:
                assignment = self._assign(state, exercise, opened, active=current)
                for index, (_person, _pid, role) in enumerate(state.partners):
                    if exercise.audience in (BOTH, role):
                        work.append((assignment, exercise, index))
            if current:
                rng.shuffle(work)
                work = work[:budget]
            budget -= len(work)
            statuses = [self._once_status(current) for _ in work]
            last_step = plan.step == len(self.steps)
            if current and not last_step and all(s == "reviewed" for s in statuses):
                # Every answer in and reviewed would have opened the next step already.
                statuses[-1] = "submitted"
            for (assignment, exercise, index), status in zip(work, statuses, strict=True):
                if status == "draft":
                    saved = _between(rng, opened, self.now)
                else:
                    saved = _between(rng, opened, opened + (ends - opened) * 0.7)
                reviewed = None
                if status == "reviewed":
                    # Before the next step opened: the last review is what opened it.
                    reviewed = saved + (ends - saved) * rng.uniform(0.1, 1.0)
                self._reflection(
                    state,
                    assignment,
                    exercise,
                    index,
                    opened.date(),
                    opened,
                    status,
                    saved,
                    reviewed,
                )
        if plan.weekly is not None:
            self._weekly(state, budget)

    def _once_status(self, current: bool) -> str:
        if not current:
            return "reviewed"
        roll = self.rng.random()
        return "draft" if roll < 0.2 else "submitted" if roll < 0.5 else "reviewed"

    def _opening(self, state: _CoupleState, position: int, opened: datetime) -> None:
        early = self.rng.random() < 0.03
        self.writer.add(
            OPENINGS,
            {
                "id": self.writer.take_id(OPENINGS),
                "couple_id": state.id,
                "step_position": position,
                "opened_at": opened,
                "opened_by_id": state.practitioner.id,
                "early": early,
                "reason": self.rng.choice(EARLY_REASONS) if early else "",
            },
        )
        action = "step.opened_early" if early else "step.opened"
        self._audit(
            opened, state.practitioner, action, "couple", state.id, state.id, f"Step {position}"
        )

    def _assign(self, state, exercise: _Exercise, at: datetime, *, active, weekly=False):
        """One assignment, with its copy of the exercise; returns (id, what privacy reads)."""
        rng = self.rng
        assignment_id = self.writer.take_id(ASSIGNMENTS)
        due = None
        if not weekly and rng.random() < 0.4:
            due = at.date() + timedelta(days=7 * rng.randint(1, 2))
        # As assigning copies it: answered alone only when meant for both.
        alone = exercise.alone and exercise.audience == BOTH
        self.writer.add(
            ASSIGNMENTS,
            {
                "id": assignment_id,
                "couple_id": state.id,
                "exercise_id": exercise.id,
                "assigned_by_id": state.practitioner.id,
                "session_id": None,
                "step_position": exercise.step,
                "step_title": exercise.step_title,
                "title": exercise.title,
                "instructions": exercise.instructions,
                "prompts": exercise.prompts,
                "ratings": exercise.ratings,
                "audience": exercise.audience,
                "reveal_together": alone,
                "note": rng.choice(ASSIGNMENT_NOTES) if rng.random() < 0.15 else "",
                "repeat": (Repeat.WEEKLY if weekly else Repeat.ONCE).value,
                "starts_on": at.date(),
                "due_on": due,
                "status": (AssignmentStatus.ACTIVE if active else AssignmentStatus.CLOSED).value,
                "created_at": at,
            },
        )
        self._audit(
            at, state.practitioner, "assignment.created", "assignment", assignment_id, state.id
        )
        return assignment_id, _Assigned(alone)

    def _weekly(self, state: _CoupleState, budget: int) -> None:
        """The weekly exercise from its first week to this one: older weeks reviewed, the last
        few waiting for review, this week's maybe still a draft."""
        plan, rng, now = state.plan, self.rng, self.now
        exercise = self._weekly_exercise(plan.step)
        assigned = plan.weekly_at
        assignment = self._assign(state, exercise, assigned, active=True, weekly=True)
        writers = [
            index
            for index, (_person, _pid, role) in enumerate(state.partners)
            if exercise.audience in (BOTH, role)
        ]
        week = 0
        while budget > 0:
            occurrence = plan.weekly + timedelta(days=7 * week)
            begins = max(_at(occurrence, 0), assigned)
            latest = min(_at(occurrence, 0) + timedelta(days=7), now - timedelta(minutes=1))
            weeks_back = (self.today - occurrence).days // 7
            for index in writers[:budget]:
                saved = _between(rng, begins, latest)
                roll = rng.random()
                if weeks_back == 0:
                    status = "draft" if roll < 0.4 else "submitted"
                elif weeks_back <= 2:
                    status = "reviewed" if roll < 0.5 else "submitted"
                else:
                    status = "reviewed" if roll < 0.96 else "submitted"
                reviewed = None
                if status == "reviewed":
                    # Older weeks were reviewed within days, the latest ones lately.
                    soon = timedelta(days=rng.uniform(0.1, 4))
                    reviewed = saved + soon if weeks_back > 2 else _between(rng, saved, now)
                    reviewed = min(reviewed, now)
                self._reflection(
                    state,
                    assignment,
                    exercise,
                    index,
                    occurrence,
                    begins,
                    status,
                    saved,
                    reviewed,
                )
            budget -= len(writers[:budget])
            week += 1

    def _reflection(
        self, state, assignment, exercise, index, occurrence, begun, status, saved, reviewed
    ):
        """One partner's answer to one occurrence; ``begun``: when it could first be written."""
        rng, writer = self.rng, self.writer
        assignment_id, assigned = assignment
        person, partner_id, _role = state.partners[index]
        reflection_id = writer.take_id(REFLECTIONS)
        submitted = status != "draft"
        answers, terms = self._answers(index, len(exercise.prompts), draft=not submitted)
        progress = (saved - state.plan.start) / (self.now - state.plan.start)
        base = 3 + 5 * progress + (0.5 if index == 0 else -0.5)
        ratings = {
            q["key"]: max(1, min(10, round(base + rng.uniform(-1.5, 1.5))))
            for q in exercise.ratings
        }
        created = min(saved, max(begun, saved - timedelta(minutes=rng.uniform(5, 900))))
        wanted = rng.random() < 0.55
        writer.add(
            REFLECTIONS,
            {
                "id": reflection_id,
                "assignment_id": assignment_id,
                "author_id": partner_id,
                "occurrence": occurrence,
                "answers": answers,
                "ratings": ratings,
                "status": (
                    ReflectionStatus.SUBMITTED if submitted else ReflectionStatus.DRAFT
                ).value,
                # What "share with my partner" means when saved: privacy decides.
                "shared_with_partner": privacy.shares(assigned, state.switch_at(saved), wanted),
                "mentions_risk": submitted and bool(terms),
                "risk_terms": terms if submitted else [],
                "flagged_for_session": submitted and rng.random() < 0.05,
                "created_at": created,
                "updated_at": saved,
                "submitted_at": saved if submitted else None,
                "reviewed_at": reviewed,
                "reviewed_by_id": state.practitioner.id if reviewed else None,
            },
        )
        self._audit(created, person, "reflection.created", "reflection", reflection_id, state.id)
        if not submitted:
            return
        if reviewed is None:
            writer.add(
                WAITING,
                {
                    "reflection_id": reflection_id,
                    "practitioner_id": state.practitioner.id,
                    "couple_id": state.id,
                    "queue_rank": ReviewWaiting.RISK if terms else ReviewWaiting.CALM,
                    "submitted_at": saved,
                },
            )
        state.submitted.append((saved, index, ratings, reflection_id))
        key = (exercise.id, index)
        if key not in state.first_submitted or saved < state.first_submitted[key]:
            state.first_submitted[key] = saved
        if reviewed is not None and rng.random() < 0.35:
            self._feedback(state, reflection_id, reviewed)
        elif reviewed is None and rng.random() < 0.05:
            self._feedback(state, reflection_id, _between(rng, saved, self.now))

    def _feedback(self, state: _CoupleState, reflection_id: int, at: datetime) -> None:
        feedback_id = self.writer.take_id(FEEDBACK)
        self.writer.add(
            FEEDBACK,
            {
                "id": feedback_id,
                "reflection_id": reflection_id,
                "author_id": state.practitioner.id,
                "body": self.rng.choice(FEEDBACK_TEXTS),
                "created_at": at,
            },
        )
        self._audit(at, state.practitioner, "feedback.created", "feedback", feedback_id, state.id)

    def _answers(self, index: int, prompts: int, *, draft: bool) -> tuple[list, list]:
        """One of a few hundred answer sets per role and prompt count, with its risk terms
        (found by services.risk once per set, as saving a reflection would find them)."""
        key = (index, prompts, draft)
        if key not in self.answer_sets:
            pool = RECOVERING_ANSWERS if index == 0 else HURT_ANSWERS
            made = []
            for number in range(200):
                answers = []
                for prompt in range(prompts):
                    count = self.rng.randint(1, 3)
                    words = " ".join(self.rng.sample(pool, count))
                    if number % 97 == 5 and prompt == 0:
                        words += " " + self.rng.choice(RISK_SENTENCES)
                    if draft and prompt > 0 and self.rng.random() < 0.5:
                        words = ""
                    answers.append(words)
                made.append((answers, risk_terms(*answers)))
            self.answer_sets[key] = made
        return self.rng.choice(self.answer_sets[key])

    # --- sessions -------------------------------------------------------------------

    def _notes(self, state: _CoupleState) -> None:
        plan, rng = state.plan, self.rng
        state.submitted.sort(key=_when)
        first = plan.openings[0] + timedelta(days=2)
        last = self.now - timedelta(days=1)
        if last <= first:
            first = plan.start
        days = sorted(_between(rng, first, last).date() for _ in range(plan.notes))
        for day in days:
            starts = max(_at(day, rng.randint(9, 18)), plan.start + timedelta(hours=1))
            self._note(state, starts, signed=True)
        if rng.random() < 0.03:
            recent = (self.now - timedelta(hours=rng.uniform(2, 60))).replace(minute=0, second=0)
            self._note(state, max(recent, plan.start), signed=False)

    def _note(self, state: _CoupleState, starts: datetime, *, signed: bool) -> None:
        rng, writer = self.rng, self.writer
        note_id = writer.take_id(NOTES)
        duration = rng.choice((50, 50, 60, 75, 90))
        individual = rng.random() < 0.15
        alone = rng.randrange(2)
        # Now and then one partner comes to a joint session alone.
        attending = [alone] if individual or rng.random() < 0.05 else [0, 1]
        note_format = rng.choice(list(NOTE_FORMATS))
        sections = {
            key: " ".join(rng.sample(NOTE_TEXTS[key], 2)) for key, _ in NOTE_FORMATS[note_format][1]
        }
        written = min(starts + timedelta(minutes=duration + rng.uniform(5, 120)), self.now)
        signed_at = None
        if signed:
            signed_at = min(written + timedelta(hours=rng.uniform(0.2, 30)), self.now)
        writer.add(
            NOTES,
            {
                "id": note_id,
                "couple_id": state.id,
                "practitioner_id": state.practitioner.id,
                "starts_at": starts,
                "duration_minutes": duration,
                "kind": (SessionKind.INDIVIDUAL if individual else SessionKind.JOINT).value,
                "individual_partner_id": state.partners[alone][1] if individual else None,
                "note_format": note_format,
                "sections": sections,
                "step_position": self._step_at(state, starts),
                "signed_at": signed_at,
                "snapshot": self._snapshot(state, signed_at) if signed else None,
                "signed_by_id": state.practitioner.id if signed else None,
                # Saved once and signed once: each write moves the version on.
                "version": 2 if signed else 1,
                "created_at": written,
                "updated_at": signed_at or written,
            },
        )
        for index in attending:
            partner_id = state.partners[index][1]
            writer.add(session_attendees, {"session_id": note_id, "partner_id": partner_id})
        # Discussed: a reflection or two submitted before the session.
        before = bisect.bisect_left(state.submitted, starts, key=_when)
        for entry in state.submitted[max(0, before - rng.randint(0, 2)) : before]:
            writer.add(session_reflections, {"session_id": note_id, "reflection_id": entry[3]})
        by = state.practitioner
        viewed = starts - timedelta(minutes=10)
        self._audit(viewed, by, "couple.viewed", "couple", state.id, state.id)
        self._audit(written, by, "session.created", "session", note_id, state.id)
        if not signed:
            return
        self._audit(
            signed_at,
            by,
            "session.signed",
            "session",
            note_id,
            state.id,
            "changed: signed_at, snapshot, signed_by_id",
        )
        if rng.random() < 0.02 and signed_at < self.now - timedelta(days=1):
            addendum_id = writer.take_id(ADDENDA)
            at = _between(rng, signed_at, self.now)
            writer.add(
                ADDENDA,
                {
                    "id": addendum_id,
                    "session_id": note_id,
                    "author_id": by.id,
                    "text": rng.choice(ADDENDUM_TEXTS),
                    "created_at": at,
                },
            )
            self._audit(at, by, "addendum.created", "addendum", addendum_id, state.id)

    def _step_at(self, state: _CoupleState, moment: datetime) -> int:
        return max(1, bisect.bisect_right(state.plan.openings, moment))

    def _snapshot(self, state: _CoupleState, at: datetime) -> dict:
        """Progress and ratings as they stood when signed, in the shape signing keeps
        (services.progress.snapshot)."""
        current = self._step_at(state, at)
        names = [person.name for person, _pid, _role in state.partners]
        steps = []
        for position, exercises in enumerate(self.steps, 1):
            states = []
            for index, (_person, _pid, role) in enumerate(state.partners):
                mine = [e for e in exercises if e.audience in (BOTH, role)]
                if position > current or not mine:
                    states.append("not started")
                    continue
                done = sum(1 for e in mine if state.first_submitted.get((e.id, index), at) < at)
                states.append(f"{done} of {len(mine)} done")
            steps.append(
                {
                    "position": position,
                    "title": self.step_titles[position - 1],
                    "current": position == current,
                    "states": states,
                }
            )
        upto = bisect.bisect_left(state.submitted, at, key=_when)
        series: dict[str, dict] = {}
        for moment, index, ratings, _id in state.submitted[max(0, upto - 400) : upto]:
            for key, value in ratings.items():
                entry = series.setdefault(key, {"label": key.title(), "points": {}})
                entry["points"].setdefault(names[index], []).append([moment.isoformat(), value])
        return {
            "partners": names,
            "steps": steps,
            "ratings": [series[key] for key in sorted(series)],
            "disclosure": [],
        }

    # --- check-ins ------------------------------------------------------------------

    def _checkins(self, state: _CoupleState) -> None:
        rng, writer = self.rng, self.writer
        person, partner_id, _role = state.partners[0]
        daily = rng.random() < 0.6
        frequency = (Frequency.DAILY if daily else Frequency.WEEKLY).value
        opened = state.plan.openings[-1].astimezone(zone(self.timezone)).date()
        back = rng.randint(10, 28) if daily else 7 * rng.randint(4, 12)
        starts = max(opened, self.today - timedelta(days=back))
        hours = rng.choice((24, 24, 48))
        plan_id = writer.take_id(PLANS)
        made = min(max(_at(starts, 8), state.plan.openings[-1]), self.now)
        writer.add(
            PLANS,
            {
                "id": plan_id,
                "couple_id": state.id,
                "partner_id": partner_id,
                "frequency": frequency,
                "tell_within_hours": hours,
                "summary_for_partner": rng.random() < 0.6,
                "starts_on": starts,
                "created_at": made,
                "updated_at": made,
            },
        )
        by = state.practitioner
        self._audit(made, by, "checkin_plans.created", "checkin_plans", plan_id, state.id)
        step = timedelta(days=1 if daily else 7)
        period = period_start(frequency, starts)
        while period <= self.today:
            latest = min(_at(period, 23) + (step - timedelta(days=1)), self.now)
            earliest = max(_at(period, 6), latest - timedelta(hours=20), made)
            if rng.random() < 0.85 and earliest < latest:
                at = _between(rng, earliest, latest)
                self._checkin(state, person, partner_id, frequency, period, at, hours)
            period += step

    def _checkin(self, state, person, partner_id, frequency, period, at, hours):
        """This period's check-in of the partner in recovery, made at ``at``."""
        rng = self.rng
        slip_at = told_at = None
        if rng.random() < 0.05:
            slip_at = _between(rng, _at(period, 0), at)
            if rng.random() < 0.8:
                told_at = min(slip_at + timedelta(hours=rng.uniform(0.5, hours * 1.3)), at)
        checkin_id = self.writer.take_id(CHECKINS)
        triggers, handled = rng.choice(CHECKIN_TEXTS)
        self.writer.add(
            CHECKINS,
            {
                "id": checkin_id,
                "couple_id": state.id,
                "partner_id": partner_id,
                "period_start": period,
                "frequency": frequency,
                "urges": rng.randint(0, 8),
                "triggers": triggers,
                "handled": handled,
                "slip": slip_at is not None,
                "slip_at": slip_at,
                "told_at": told_at,
                "shared_with_partner": privacy.checkin_shares(
                    state.switch_at(at), rng.random() < 0.4
                ),
                "created_at": at,
                "updated_at": at,
            },
        )
        self._audit(at, person, "checkins.created", "checkins", checkin_id, state.id)

    # --- the audit trail ------------------------------------------------------------

    def _audit(self, at, user, action, subject="", subject_id=None, couple_id=None, detail=""):
        if couple_id is None and subject == "couple":
            couple_id = subject_id
        self.writer.add(
            AUDIT,
            {
                "id": self.writer.take_id(AUDIT),
                "at": at,
                "user_id": user.id if user else None,
                "user_name": user.name if user else "",
                "user_role": user.role if user else "",
                "ip": SEED_ADDRESS,
                "user_agent": SEED_AGENT,
                "action": action,
                "subject": subject,
                "subject_id": subject_id,
                "couple_id": couple_id,
                "detail": detail,
            },
        )

    # --- what to print --------------------------------------------------------------

    def _result(self, plans, made, owner) -> SeedResult:
        loads = Counter(plan.practitioner for plan in plans)
        busiest = max(loads, key=lambda index: (loads[index], -index))
        practitioner = self.practitioners[busiest]
        theirs = sorted(
            (p for p in plans if p.practitioner == busiest and p.paused_at is None),
            key=lambda p: (p.reflections, p.number),
        ) or [p for p in plans if p.practitioner == busiest]
        couple = theirs[len(theirs) // 2]  # a couple with a middling amount of work
        return SeedResult(
            counts=self.writer.counts,
            practitioner=Login(
                "practitioner",
                practitioner.email,
                practitioner.name,
                f"{loads[busiest]:,} couples, the most of any practitioner",
            ),
            client=Login(
                "client",
                couple.email,
                couple.name,
                f"of {couple.couple_name}, on that practitioner's caseload",
            ),
            owner=owner,
            couple_id=made[couple.number],
            password=self.password,
        )


# --- sizes and times --------------------------------------------------------------------


def _spread_caseloads(couples: int, practitioners: int) -> list[int]:
    """Couples per practitioner, unevenly: the first holds the most, the last the fewest."""
    if practitioners == 1:
        return [couples]
    weights = [
        1 + CASELOAD_SPREAD - 2 * CASELOAD_SPREAD * i / (practitioners - 1)
        for i in range(practitioners)
    ]
    loads = _shares(couples - practitioners, weights)
    return [load + 1 for load in loads]


def _shares(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up exactly."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _even_out(plans: list[_CouplePlan], total: int) -> None:
    """After capping couples at the maximum, hand what was cut to couples below it."""
    missing = total - sum(plan.reflections for plan in plans)
    for plan in plans:
        if missing <= 0:
            return
        room = MAX_REFLECTIONS_PER_COUPLE - plan.reflections
        plan.reflections += min(room, missing)
        missing -= min(room, missing)


def _when(submitted: tuple) -> datetime:
    return submitted[0]


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + (end - start) * rng.random()


# --- the words ----------------------------------------------------------------------------
# Written for this command: plausible homework, feedback and notes, nobody's real words.

FIRST_NAMES = [
    "Alex", "Avery", "Bailey", "Blake", "Cameron", "Casey", "Charlie", "Dakota", "Drew",
    "Eden", "Elliot", "Emerson", "Finley", "Frankie", "Gray", "Harper", "Hayden", "Indigo",
    "Jamie", "Jesse", "Jordan", "Jules", "Kai", "Kendall", "Lane", "Lee", "Logan", "Marlowe",
    "Micah", "Morgan", "Noel", "Oakley", "Parker", "Peyton", "Quinn", "Reese", "Remy",
    "Riley", "River", "Robin", "Rowan", "Sage", "Sam", "Shay", "Skyler", "Sol", "Tatum",
    "Taylor", "Toby", "Val", "Wren", "Yael", "Zion", "Ines", "Mateo", "Priya", "Tomas",
    "Amara", "Kenji", "Leila", "Nikos", "Oluwa", "Sven", "Mira", "Dara", "Anouk",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Achebe", "Baptiste", "Bergstrom", "Castillo", "Chen", "Dalton", "Delacroix",
    "Eriksen", "Farouk", "Fischer", "Garcia", "Haddad", "Hartley", "Ibarra", "Iverson",
    "Jansen", "Kaur", "Kowalski", "Lindqvist", "Lopez", "Mbeki", "Moreau", "Nakamura",
    "Novak", "Okafor", "Olsen", "Patel", "Quintero", "Rahman", "Rossi", "Sato", "Schmidt",
    "Silva", "Tanaka", "Thorne", "Udall", "Varga", "Walsh", "Weber", "Xu", "Yilmaz",
    "Young", "Zamora", "Zhou", "Brennan", "Costa", "Duarte", "Ferreira", "Kim",
]  # fmt: skip
CREDENTIALS = ["LMFT", "LPC", "LCSW", "PsyD", "PhD", "MSc, CSAT", "Coach"]

RECOVERING_ANSWERS = [
    "I told her about the evening I felt pulled back to old habits, before she asked.",
    "I went for a run instead of sitting alone with my phone, and texted my sponsor.",
    "Saying it out loud was hard, but less hard than keeping it in.",
    "I noticed I wanted to explain myself; I listened instead.",
    "I caught myself minimising again and said so.",
    "The late nights are still the riskiest time, so the laptop stays downstairs.",
    "I felt ashamed after the session and wanted to withdraw, but I stayed in the room.",
    "I shared one struggle and one small win, the way we agreed.",
    "I am learning that her questions are not attacks.",
    "My accountability partner called on Thursday and it helped more than I expected.",
    "I kept the agreement about screens in the bedroom all week.",
    "I was tempted to skip the check-in because the week went badly. We did it anyway.",
    "It still surprises me how much lighter I feel after telling the truth.",
    "I wrote down my triggers this week: tiredness, boredom, feeling criticised.",
    "I apologised for the hurt, not for getting caught, and I think she heard the difference.",
    "Some days I want this to be over faster than it can be.",
    "I noticed the urge, named it, and let it pass.",
    "Group on Tuesday gave me words for things I could not say at home.",
    "I could see how tired she was of asking, so I offered first.",
    "I am trying to answer her questions without getting defensive.",
    "We cooked together on Sunday and talked about something other than this.",
    "I told my brother what is going on; one less secret.",
    "I am not proud of last month, but I am telling it straight.",
    "I want to earn trust back through what I do, not what I promise.",
]
HURT_ANSWERS = [
    "Hearing it before I had to ask made a difference.",
    "I felt less like a detective in my own home this week.",
    "Some of it was more detail than I needed.",
    "I would rather know what he did with the urge than every passing thought.",
    "I was angry on Wednesday and I let myself be angry without apologising for it.",
    "The small things are what I notice: the phone face up, the laptop downstairs.",
    "I still check his face for signs, and I hate that I do.",
    "Talking to my friend helped; I am not carrying this alone any more.",
    "I felt safe enough to ask a question I had been holding back.",
    "Some evenings I want closeness and some evenings I need space; both are allowed.",
    "I slept better this week than I have in months.",
    "The apology felt real this time, because he did not say but.",
    "I do not want to be his supervisor. I want a partner.",
    "It helps when he tells me about a hard day before I notice it myself.",
    "I am allowing myself to notice the good days too.",
    "I do not know yet if I can trust this, and I am saying so honestly.",
    "The check-in was calmer than last week. We kept to the time.",
    "My own therapist asked what I need, and I did not have an answer yet.",
    "I cried after the session and it was a relief, not a collapse.",
    "I noticed I was waiting for the next lie. This week it did not come.",
    "We laughed together on Saturday for the first time in a while.",
    "I want the truth even when it hurts; the secrets hurt more.",
    "Boundaries make me feel less crazy, not more controlling.",
    "I am learning to say what I feel without turning it into a test.",
]
# Rare, as in a real practice: they send a reflection to the top of the review queue.
RISK_SENTENCES = [
    "Some nights I feel I would be better off dead, and I have not told anyone that.",
    "During the argument I was afraid for my safety for a moment.",
    "I have been thinking about hurting myself again.",
]
FEEDBACK_TEXTS = [
    "Thank you for writing this so honestly. Let us pick up the second answer next session.",
    "You named something important here. Notice how you stayed with the feeling.",
    "This is real progress: you offered the update before being asked.",
    "I hear how tired you are. It makes sense, and it is part of the work.",
    "Good to see the agreement holding. What helped most this week?",
    "Let us look at this together in session; there is a lot in your third answer.",
    "You were clear about what you need. That takes courage.",
    "Small steps count. This is one of them.",
    "I noticed the shift from explaining to listening. Keep that going.",
    "Thank you. Please bring the question you wrote at the end to our next session.",
]
ASSIGNMENT_NOTES = [
    "Take your time with this one; we will read it together next session.",
    "Answer on your own first, then talk about it on your usual evening.",
    "Short answers are fine. Honest matters more than long.",
    "Pick a calm moment for this, not late at night.",
]
EARLY_REASONS = [
    "Both partners asked to move on; the remaining exercise is covered in session.",
    "Travel for work this month: opening the next step so they have something to do.",
]
RESOLUTIONS = [
    "Talked it through in an individual session; both feel safe to share again.",
    "Answer was about a past relationship; checked in with both, sharing can resume.",
]
ADDENDUM_TEXTS = [
    "Correction: the session lasted 60 minutes, not 50.",
    "Addendum: the partner in recovery phoned after the session to add a detail, noted here.",
    "Correction to the plan: the next session is in two weeks, not one.",
]
CHECKIN_TEXTS = [
    ("Tired after a long shift; scrolling late in bed.", "Put the phone in the kitchen."),
    ("An argument about money.", "Took a walk and said I needed ten minutes."),
    ("Nothing in particular.", "Went to the Tuesday group."),
    ("Home alone for the evening.", "Called my accountability partner and cooked dinner."),
    ("A stressful call with my manager.", "Wrote it down and told my partner at dinner."),
    ("Bored on a rainy Sunday.", "Went to the gym with a friend."),
    ("Could not sleep.", "Read downstairs until I was tired, laptop stayed off."),
    ("", "A quiet day; nothing to report."),
]
NOTE_TEXTS = {
    "note": [
        "Both partners attended and engaged well.",
        "Reviewed the week's homework; the agreement is holding.",
        "The partner who was hurt named continuing anxiety in the evenings.",
        "The partner in recovery listened without defending.",
        "We agreed to revisit the boundary about screens in two weeks.",
        "Homework: the weekly check-in, kept to thirty minutes.",
    ],
    "data": [
        "Arrived on time; both completed the week's reflections.",
        "Reported one difficult evening, discussed openly.",
        "Trust ratings rising slowly for both partners.",
        "The partner who was hurt asked two questions from her list.",
    ],
    "assessment": [
        "Steady progress; the repair attempts are landing.",
        "Anxiety still highest in the evenings, which fits the pattern named earlier.",
        "Some defensiveness early in the session, which eased once named.",
        "Both show more capacity to stay with difficult feelings.",
    ],
    "plan": [
        "Continue the current step; next session in one week.",
        "Begin the next step once the open reflections are reviewed.",
        "Individual session for each partner before the next joint one.",
        "Keep the weekly check-in to Sunday evenings.",
    ],
    "subjective": [
        "Both describe the week as calmer than the last.",
        "The partner in recovery says the urges were weaker.",
        "The partner who was hurt says she felt heard on Tuesday.",
    ],
    "objective": [
        "Both engaged, with good eye contact and a calm pace.",
        "Visible tension at the start that eased over the hour.",
        "Homework completed by both partners.",
    ],
    "behavior": [
        "Took turns speaking without interrupting.",
        "One partner withdrew briefly, then re-engaged when invited.",
        "Both brought written notes from the week.",
    ],
    "intervention": [
        "Reflective listening exercise; reframing of the week's argument.",
        "Psychoeducation on triggers and the urge cycle.",
        "Structured time-out practised in session.",
    ],
    "response": [
        "Both found the exercise useful and want to repeat it at home.",
        "The partner who was hurt felt more at ease by the end.",
        "Some resistance to the homework, agreed to try a shorter version.",
    ],
}
