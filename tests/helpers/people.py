"""The people of a test practice and what they do: signing in and posting through the
forms as a browser does, the standard world of two practitioners with a couple each, and
assigning and recording work through the real services."""

import re
from dataclasses import dataclass
from functools import partial

from werkzeug.security import generate_password_hash

from practice.db import commit

PASSWORD = "a calm walk by the harbour"
# Scrypt costs most of a test's time: tests hash with this cheap method instead (conftest's
# quick_password_hashing), except the one test about the real hashing.
quick_password_hash = partial(generate_password_hash, method="pbkdf2:sha256:1000")
# The first-run set-up form as a newcomer fills it in.
FIRST_OWNER = {
    "practice_name": "Harbour",
    "name": "Olive",
    "email": "olive@example.org",
    "password": PASSWORD,
    "confirm": PASSWORD,
}
# The safety screen answered with nothing of concern.
SAFE_ANSWERS = {"afraid": False, "hurt": False, "controlled": False, "safe_together": True}

# A practitioner's new couple as the form is filled in: Riley (in recovery) and Harper.
NEW_COUPLE = {
    "name": "",
    "first_name": "Riley",
    "first_email": "riley@example.org",
    "first_role": "recovering",
    "second_name": "Harper",
    "second_email": "harper@example.org",
    "second_role": "hurt",
    "policy": "limited-secrets",
}


def invitation_link(page: str, name: str) -> str:
    """The invitation link shown for ``name`` on a couple's (or the practitioners') page."""
    match = re.search(
        r"Invitation link for "
        + re.escape(name)
        + r'</label>\s*<input[^>]*value="http://localhost(/invitation/[^"]+)"',
        page,
    )
    assert match, page
    return match.group(1)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Browser:
    """A signed-in (or anonymous) person using the site through its forms, CSRF included."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self, url) -> str:
        page = self.client.get(url)
        match = CSRF.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return match.group(1) or match.group(2)

    def post(self, url, data=None, form_url=None, **kwargs):
        """Post like a browser: take a fresh CSRF token from the page holding the form."""
        data = {**(data or {}), "csrf_token": self.token(form_url or url)}
        return self.client.post(url, data=data, **kwargs)

    def login(self, email, password=PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return self

    def text(self, url) -> str:
        response = self.client.get(url)
        return response.get_data(as_text=True)


def age_sign_ins(app, email: str, *, idle: int = 0, lived: int = 0) -> None:
    """Move a person's sign-ins back in time, as if ``idle`` seconds had passed since their
    last request and ``lived`` seconds since they signed in (the server keeps both)."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from practice.db import session
    from practice.models import SignIn, User, utcnow

    with app.app_context():
        user_id = session.scalar(select(User.id).where(User.email == email))
        now = utcnow()
        session.execute(
            update(SignIn)
            .where(SignIn.user_id == user_id)
            .values(
                last_seen_at=now - timedelta(seconds=idle),
                created_at=now - timedelta(seconds=max(idle, lived)),
            )
        )
        commit()


@dataclass
class World:
    """A practice with two practitioners, each with one couple, all accounts active."""

    owner: str
    alice: str
    bob: str
    couple_id: int
    other_couple_id: int
    recovering: str
    hurt: str
    recovering_id: int
    hurt_id: int
    outsider: str
    outsider_id: int
    outsider_partner: str


def build_world(app) -> World:
    from sqlalchemy import select

    from practice.db import session
    from practice.models import Program
    from practice.services import accounts, couples, safety

    with app.app_context():
        program = session.scalar(select(Program))
        accounts.create_owner(
            "Harbour Couples Therapy", "Olive Owner", "owner@example.org", PASSWORD
        )
        alice, _ = accounts.add_practitioner("Alice Adler", "alice@example.org", "LMFT")
        bob, _ = accounts.add_practitioner("Bob Brand", "bob@example.org", "LPC")
        alice.set_password(PASSWORD)
        bob.set_password(PASSWORD)
        couple, _ = couples.create_couple(
            alice,
            program,
            [
                couples.NewPartner("Riley Recovering", "riley@example.org", "recovering"),
                couples.NewPartner("Harper Hurt", "harper@example.org", "hurt"),
            ],
        )
        other, _ = couples.create_couple(
            bob,
            program,
            [
                couples.NewPartner("Quinn Other", "quinn@example.org", "recovering"),
                couples.NewPartner("Sage Other", "sage@example.org", "hurt"),
            ],
        )
        for partner in couple.partners + other.partners:
            partner.user.set_password(PASSWORD)
            # Past their first sign-in: the private safety screen is answered, all well.
            safety.take_screen(partner, dict(SAFE_ANSWERS))
        commit()
        riley, harper = couple.partners
        return World(
            "owner@example.org",
            "alice@example.org",
            "bob@example.org",
            couple.id,
            other.id,
            "riley@example.org",
            "harper@example.org",
            riley.id,
            harper.id,
            "quinn@example.org",
            other.partners[0].id,
            "sage@example.org",
        )


def assign_exercises(app, couple_id: int, *slugs: str, audience: str = "as-written") -> list[int]:
    """Assign program exercises (by slug) to a couple through the real service; their ids."""
    from datetime import date

    from sqlalchemy import select

    from practice.db import session
    from practice.models import Couple, Exercise
    from practice.services import assignments

    with app.app_context():
        couple = session.get(Couple, couple_id)
        exercises = [session.scalar(select(Exercise).where(Exercise.slug == s)) for s in slugs]
        made = assignments.assign(
            couple,
            exercises,
            audience=audience,
            repeat="once",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=date.today(),
        )
        commit()
        return [a.id for a in made]


def record_session(couple, practitioner, **changes):
    """A session note through the real service, with sensible defaults (call in app context)."""
    from datetime import UTC, datetime

    from practice.services import sessions

    data = {
        "starts_at": datetime(2026, 11, 20, 17, 0, tzinfo=UTC),
        "duration_minutes": 50,
        "kind": "joint",
        "individual_partner_id": None,
        "attendee_ids": [p.id for p in couple.partners],
        "note_format": "free",
        "sections": {"note": "Session text"},
        "reflection_ids": [],
    }
    data.update(changes)
    return sessions.save_session(None, couple, practitioner, sessions.SessionInput(**data))


def signed_session(app, couple_id: int, **changes) -> int:
    """A session of the couple recorded and signed by its practitioner (``record_session``'s
    defaults, with ``changes``); its id."""
    from practice.db import session
    from practice.models import Couple
    from practice.services import sessions

    with app.app_context():
        couple = session.get(Couple, couple_id)
        note = record_session(couple, couple.practitioner, **changes)
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        return note.id
