"""Couples on a caseload: creating them with both partners, and reading the caseload."""

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from practice.db import session
from practice.models import (
    Assignment,
    Couple,
    Partner,
    Program,
    ReviewWaiting,
    Role,
    User,
)
from practice.paging import Page, paginate
from practice.services import agreements, names, pacing
from practice.services.accounts import (
    NAME_LENGTH,
    email_taken,
    issue_invitation,
    normalize_email,
    required_name,
)
from practice.services.errors import PracticeError


@dataclass
class NewPartner:
    name: str
    email: str
    role: str


def create_couple(
    practitioner: User,
    program: Program,
    partners: list[NewPartner],
    name: str = "",
    policy: str | None = None,
    shares_wait: bool = False,
) -> tuple[Couple, dict[int, str]]:
    """Create the couple and both partners' accounts; returns invitation tokens by partner id.

    ``policy`` is the confidentiality policy's kind; the couple keeps a copy of the practice's
    wording of it, which each partner agrees to when accepting their invitation. None leaves
    the couple without a policy (data made outside the create-couple page). ``shares_wait``:
    what a partner shares waits for the practitioner's release (privacy.py).
    """
    roles = [r["key"] for r in program.roles]
    if len(partners) != 2:
        raise PracticeError("A couple has two partners.")
    emails = [normalize_email(p.email) for p in partners]
    if emails[0] == emails[1]:
        raise PracticeError("Each partner needs their own e-mail address.", "second_email")
    for index, partner in enumerate(partners):
        field = ("first", "second")[index]
        required_name(partner.name, f"{field}_name")
        if partner.role not in roles:
            raise PracticeError("Choose one of the program's roles.", f"{field}_role")
        if email_taken(partner.email):
            raise PracticeError(
                "Someone in this practice already uses this e-mail.", f"{field}_email"
            )
    _distinct_roles(program, partners)
    names.one_line(name, "name")
    couple = Couple(
        name=name.strip() or _default_name(partners),
        practitioner=practitioner,
        program=program,
        current_step=1,
        shares_wait_for_release=shares_wait,
    )
    if policy is not None:
        agreements.choose_policy(couple, policy)
    session.add(couple)
    for partner in partners:
        user = User(
            email=normalize_email(partner.email),
            name=partner.name.strip(),
            role=Role.CLIENT,
            timezone=practitioner.timezone,
        )
        couple.partners.append(Partner(user=user, program_role=partner.role))
    session.flush()
    tokens = {p.id: issue_invitation(p.user) for p in couple.partners}
    return couple, tokens


def _distinct_roles(program: Program, partners: list[NewPartner]) -> None:
    """Where the program names two roles or more (the founding program: the partner in
    recovery and the partner who was hurt), each partner takes a different one."""
    if len(program.roles) < 2 or partners[0].role != partners[1].role:
        return
    label = program.role_label(partners[0].role)
    others = [r["label"] for r in program.roles if r["key"] != partners[0].role]
    raise PracticeError(
        f"Both partners are “{label}” now; each partner has a role of their own. "
        f"Choose “{others[0]}” for one of them.",
        "second_role",
    )


def _default_name(partners: list[NewPartner]) -> str:
    """Both first names, shortened to fit when the names are long."""
    firsts = [p.name.strip().split()[0] if p.name.strip() else "" for p in partners]
    name = " & ".join(firsts)
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload: what the dashboard shows of a couple, nothing more."""

    id: int
    name: str
    current_step: int
    waiting_review: int
    risk: int


def caseload(practitioner: User, page: int, per_page: int, archived: bool = False) -> Page:
    """The practitioner's open couples (``archived``: the archived ones instead), those with
    work waiting first; two queries at any size.

    Plain rows, not ORM objects: a page of 50 couples costs what its columns cost.
    """
    state = Couple.archived_at.is_not(None) if archived else Couple.archived_at.is_(None)
    mine = and_(Couple.practitioner_id == practitioner.id, state)
    # Counted from this practitioner's waiting rows, in their index (practice.services.waiting):
    # never the whole practice, nor every assignment the couples ever had.
    waiting = (
        select(
            ReviewWaiting.couple_id.label("couple_id"),
            func.count().label("waiting"),
            func.count().filter(ReviewWaiting.queue_rank == ReviewWaiting.RISK).label("risk"),
        )
        .where(ReviewWaiting.practitioner_id == practitioner.id)
        .group_by(ReviewWaiting.couple_id)
        .subquery()
    )
    waiting_count = func.coalesce(waiting.c.waiting, 0)
    risk_count = func.coalesce(waiting.c.risk, 0)
    listing = paginate(
        select(Couple.id, Couple.name, Couple.current_step, waiting_count, risk_count)
        .outerjoin(waiting, waiting.c.couple_id == Couple.id)
        .where(mine)
        .order_by(risk_count.desc(), waiting_count.desc(), Couple.name, Couple.id),
        page,
        per_page,
        count=select(func.count(Couple.id)).where(mine),
        scalars=False,
    )
    listing.items = [CaseloadRow(*row) for row in listing.items]
    return listing


def couple_for_practitioner(practitioner: User, couple_id: int) -> Couple | None:
    return session.scalar(
        select(Couple)
        .where(and_(Couple.id == couple_id, Couple.practitioner_id == practitioner.id))
        .options(
            selectinload(Couple.partners).selectinload(Partner.user), selectinload(Couple.program)
        )
    )


def set_current_step(couple: Couple, position: int) -> None:
    """The step the practitioner is working on with the couple: one of those open to them.
    Moving past the open steps is opening the next one early (``practice.services.pacing``),
    with its reason, never a second way round it."""
    if not 1 <= position <= len(couple.program.steps):
        raise PracticeError("Choose one of the program's steps.", "step")
    opened = pacing.open_step(couple)
    if position > opened:
        raise PracticeError(
            f"Step {position} is not open to the couple yet: open it early first, "
            f"or choose one of steps 1 to {opened}.",
            "step",
        )
    couple.current_step = position
    session.flush()


def assignment_of(couple: Couple, assignment_id: int) -> Assignment | None:
    """One of the couple's assignments, or None."""
    return session.scalar(
        select(Assignment).where(Assignment.id == assignment_id, Assignment.couple_id == couple.id)
    )
