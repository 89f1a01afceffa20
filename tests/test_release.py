"""Release through the practitioner: per couple, what a partner shares can wait until the
practitioner has read it, then go to the other partner in the app or stay for the session."""

import io
import re

import pytest
from sqlalchemy import select

from practice.db import commit, session
from practice.models import AuditEntry, Couple, Partner, Reflection, User
from practice.services import agreements, pacing
from tests.helpers.database import counted_queries
from tests.helpers.people import Browser, assign_exercises

RILEY_WORDS = "RILEY-LETTER-FOR-THE-THERAPIST-FIRST"
HARPER_WORDS = "HARPER-ANSWER-HELD-BACK"
TAGS = re.compile(r"<[^>]+>")


def open_steps_to(app, world, position: int) -> None:
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        while pacing.open_step(couple) < position:
            pacing.open_early(couple, couple.practitioner, "Worked on this in session.")
        commit()


def plain(html: str) -> str:
    return " ".join(TAGS.sub(" ", html).split())


def set_release(alice: Browser, couple_id: int, value: str):
    return alice.post(
        f"/couples/{couple_id}/release-setting",
        {"release": value},
        form_url=f"/couples/{couple_id}",
    )


@pytest.fixture
def held(app, world):
    """World's couple A with shares waiting for Alice's release; one exercise for both."""
    alice = Browser(app).login(world.alice)
    assert set_release(alice, world.couple_id, "through-practitioner").status_code == 302
    (aid,) = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    return aid, alice, Browser(app).login(world.recovering), Browser(app).login(world.hurt)


def share(browser, aid, words, **extra):
    data = {"answer_0": words, "rating_connection": "3", "action": "submit"}
    return browser.post(f"/my/assignments/{aid}", data | extra, form_url=f"/my/assignments/{aid}")


def reflection_id(app, email) -> int:
    with app.app_context():
        return session.scalar(
            select(Reflection.id).join(Reflection.author).join(User).where(User.email == email)
        )


def harper_sees(harper, rid) -> str:
    pages = [harper.text(u) for u in ("/my/", "/my/shared")]
    pages.append(str(harper.get(f"/my/reflections/{rid}").status_code))
    return "\n".join(pages)


def test_a_new_couple_takes_the_practices_default_and_the_practitioners_choice(app, world):
    alice = Browser(app).login(world.alice)
    page = alice.text("/couples/new")
    assert "What a partner shares" in page
    assert re.search(r'checked id="release-0"[^>]*value="at-once"', page)
    form = {
        "first_name": "Ash Able",
        "first_email": "ash@example.org",
        "first_role": "recovering",
        "second_name": "Bo Baker",
        "second_email": "bo@example.org",
        "second_role": "hurt",
        "policy": "limited-secrets",
        "release": "through-practitioner",
    }
    assert alice.post("/couples/new", form).status_code == 302
    wrong = alice.post("/couples/new", form | {"first_email": "c@example.org", "release": "x"})
    assert "Not a valid choice" in wrong.get_data(as_text=True)
    assert 'value="c@example.org"' in wrong.get_data(as_text=True)
    with app.app_context():
        couples = session.scalars(select(Couple).order_by(Couple.id)).all()
        assert len(couples) == 3
        assert couples[-1].shares_wait_for_release is True
        assert couples[0].shares_wait_for_release is False
    app.config["PRACTICE_RELEASE_THROUGH_PRACTITIONER"] = True
    assert re.search(
        r'checked id="release-1"[^>]*value="through-practitioner"', alice.text("/couples/new")
    )


def test_the_agreement_names_the_setting_and_a_change_asks_to_agree_again(app, world):
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        agreements.choose_policy(couple, "limited-secrets")
        for partner in couple.partners:
            agreements.agree(partner)
        commit()
        assert couple.partners[0].agreed_sharing_text == agreements.SHARING_WORDS[False]
    riley = Browser(app).login(world.recovering)
    assert "changed agreement" not in riley.text("/my/")
    alice = Browser(app).login(world.alice)
    set_release(alice, world.couple_id, "through-practitioner")
    couple_page = plain(alice.text(f"/couples/{world.couple_id}"))
    assert "Riley Recovering agreed on" in couple_page and "asked to agree" in couple_page
    assert "Read the changed agreement" in riley.text("/my/")
    page = plain(riley.text("/my/agreement"))
    assert "your practitioner reads it first" in page
    refused = riley.post("/my/agreement", {})
    assert "Tick the box" in refused.get_data(as_text=True)
    assert riley.post("/my/agreement", {"agree": "y"}).status_code == 302
    assert "changed agreement" not in riley.text("/my/")
    with app.app_context():
        riley_row = session.get(Partner, world.recovering_id)
        assert riley_row.agreed_sharing_text == agreements.SHARING_WORDS[True]
        assert (
            session.get(Partner, world.hurt_id).agreed_sharing_text
            == (agreements.SHARING_WORDS[False])
        )
        logged = session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "agreement.agreed")
        ).all()
        assert logged[-1] == "limited-secrets; shares through the practitioner"


def test_a_shared_reflection_waits_and_the_author_is_told(app, world, held):
    aid, alice, riley, harper = held
    response = share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    assert response.status_code == 302
    home = riley.text("/my/")
    assert "It waits for your practitioner" in home
    assert "shared, waiting for your practitioner" in home
    rid = reflection_id(app, world.recovering)
    page = plain(riley.text(f"/my/reflections/{rid}"))
    assert "Waiting for your practitioner." in page
    assert "Your partner sees nothing of it until your practitioner releases it" in page
    seen = harper_sees(harper, rid)
    assert RILEY_WORDS not in seen and "Shared with you" not in seen
    assert "Nothing shared with you yet" in seen and seen.endswith("404")
    # The practitioner sees it waiting: on the reflection and, counted, on the couple page.
    review = plain(alice.text(f"/review/{rid}"))
    assert "Waiting for your release." in review and "every answer and rating" in review
    assert "1 waiting for your release" in plain(alice.text(f"/couples/{world.couple_id}"))


def test_released_in_the_app_the_partner_reads_it(app, world, held):
    aid, alice, riley, harper = held
    share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    rid = reflection_id(app, world.recovering)
    done = alice.post(f"/review/{rid}/release", {"release": "app"}, form_url=f"/review/{rid}")
    assert done.status_code == 302
    assert "can read it in the app" in alice.text(f"/review/{rid}")
    assert RILEY_WORDS in harper.text(f"/my/reflections/{rid}")
    assert "Finding the right amount" in harper.text("/my/shared")
    assert "Your partner can read it" in riley.text(f"/my/reflections/{rid}")
    assert "Nothing waits for your release" in alice.text(f"/couples/{world.couple_id}")
    again = alice.post(f"/review/{rid}/release", {"release": "session"}, form_url=f"/review/{rid}")
    assert again.status_code == 302
    assert "not waiting for your release" in alice.text(f"/review/{rid}")
    with app.app_context():
        assert session.get(Reflection, rid).release_state == "app"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "reflection.released"))
        assert (entry.subject_id, entry.detail) == (rid, "app")


def test_kept_for_the_session_it_is_never_shown_to_the_partner(app, world, held):
    aid, alice, riley, harper = held
    share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    rid = reflection_id(app, world.recovering)
    alice.post(f"/review/{rid}/release", {"release": "session"}, form_url=f"/review/{rid}")
    assert "Kept for your session." in riley.text(f"/my/reflections/{rid}")
    assert "kept for your session" in riley.text("/my/")
    seen = harper_sees(harper, rid)
    assert RILEY_WORDS not in seen and seen.endswith("404")


def test_a_release_refused_changes_nothing_and_says_why(app, world, held):
    aid, alice, riley, harper = held
    share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    rid = reflection_id(app, world.recovering)
    odd = alice.post(f"/review/{rid}/release", {"release": "later"}, form_url=f"/review/{rid}")
    assert odd.status_code == 302
    assert "Choose how their partner receives it." in alice.text(f"/review/{rid}")
    alice.post(
        f"/couples/{world.couple_id}/sharing/pause", {}, form_url=f"/couples/{world.couple_id}"
    )
    page = alice.text(f"/review/{rid}")
    assert "Sharing between the partners is off" in page and 'value="app"' not in page
    alice.post(f"/review/{rid}/release", {"release": "app"}, form_url=f"/review/{rid}")
    refused = alice.text(f"/review/{rid}")
    assert '<p class="error" id="release-error">Sharing between the partners is off' in refused
    with app.app_context():
        assert session.get(Reflection, rid).release_state == "waiting"
    # Nobody else releases: another practitioner, or either partner, meets a 404.
    bob = Browser(app).login(world.bob)
    for who, home in ((bob, "/dashboard"), (harper, "/my/"), (riley, "/my/")):
        answer = who.post(f"/review/{rid}/release", {"release": "app"}, form_url=home)
        assert answer.status_code == 404
    with app.app_context():
        assert session.get(Reflection, rid).release_state == "waiting"


def test_private_reflections_and_couples_sharing_at_once_are_untouched(app, world):
    (aid,) = assign_exercises(app, world.couple_id, "finding-the-right-amount")
    riley, harper = Browser(app).login(world.recovering), Browser(app).login(world.hurt)
    share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    rid = reflection_id(app, world.recovering)
    assert RILEY_WORDS in harper.text(f"/my/reflections/{rid}")
    text = plain(harper.text(f"/my/reflections/{rid}"))
    assert "How connected do you feel to your partner today? 3 / 10" in text
    with app.app_context():
        assert session.get(Reflection, rid).release_state is None


def test_what_was_waiting_keeps_waiting_when_shares_go_at_once_again(app, world, held):
    aid, alice, riley, harper = held
    share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    rid = reflection_id(app, world.recovering)
    set_release(alice, world.couple_id, "at-once")
    assert "1 still waiting for your release" in plain(alice.text(f"/couples/{world.couple_id}"))
    assert harper.get(f"/my/reflections/{rid}").status_code == 404


def test_the_setting_refuses_a_value_it_does_not_know(app, world):
    alice = Browser(app).login(world.alice)
    set_release(alice, world.couple_id, "sometimes")
    assert "Not a valid choice" in alice.text(f"/couples/{world.couple_id}")
    with app.app_context():
        assert session.get(Couple, world.couple_id).shares_wait_for_release is False


# --- mutual reveal with release -------------------------------------------------------------


@pytest.fixture
def held_reveal(app, world, held):
    _aid, alice, riley, harper = held
    open_steps_to(app, world, 2)
    (aid,) = assign_exercises(app, world.couple_id, "hearing-and-being-heard")
    share(riley, aid, RILEY_WORDS)
    share(harper, aid, HARPER_WORDS)
    ids = (reflection_id(app, world.recovering), reflection_id(app, world.hurt))
    return ids, alice, riley, harper


def release(alice, rid, how):
    return alice.post(f"/review/{rid}/release", {"release": how}, form_url=f"/review/{rid}")


def test_a_reveal_waits_until_both_answers_are_released(app, world, held_reveal):
    (rid, hid), alice, riley, harper = held_reveal
    riley_page = plain(riley.text(f"/my/reflections/{rid}"))
    assert "Waiting for your practitioner." in riley_page
    assert "your partner will see everything above" in riley_page
    assert HARPER_WORDS not in riley_page
    release(alice, rid, "app")
    # One released is not enough: neither reads the other's answer before the other can.
    assert HARPER_WORDS not in riley.text(f"/my/reflections/{rid}")
    assert RILEY_WORDS not in harper.text(f"/my/reflections/{hid}")
    assert harper.get(f"/my/reflections/{rid}").status_code == 404
    release(alice, hid, "app")
    riley_page = plain(riley.text(f"/my/reflections/{rid}"))
    assert HARPER_WORDS in riley_page
    assert "Your partner sees yours above, ratings included" in riley_page
    assert RILEY_WORDS in harper.text(f"/my/reflections/{hid}")


def test_a_reveal_kept_for_the_session_shows_neither_answer(app, world, held_reveal):
    (rid, hid), alice, riley, harper = held_reveal
    release(alice, rid, "session")
    release(alice, hid, "app")
    assert "Kept for your session." in riley.text(f"/my/reflections/{rid}")
    assert HARPER_WORDS not in riley.text(f"/my/reflections/{rid}")
    harper_page = harper.text(f"/my/reflections/{hid}")
    assert RILEY_WORDS not in harper_page and "Kept for your session" not in harper_page
    assert harper.get(f"/my/reflections/{rid}").status_code == 404


# --- query counts ---------------------------------------------------------------------------


def test_the_release_lines_cost_the_same_with_more_waiting(app, world, held):
    _aid, alice, riley, _harper = held

    def counts():
        rid = reflection_id(app, world.recovering)
        result = []
        for url in (f"/couples/{world.couple_id}", f"/review/{rid}"):
            with counted_queries(app) as statements:
                assert alice.get(url).status_code == 200
            result.append(len(statements))
        return result

    def share_more(n):
        made = assign_exercises(app, world.couple_id, *["finding-the-right-amount"] * n)
        for aid in made:
            share(riley, aid, RILEY_WORDS, shared_with_partner="y")

    share_more(1)
    small = counts()
    share_more(12)
    assert counts() == small
    assert "13 waiting for your release" in plain(alice.text(f"/couples/{world.couple_id}"))


# --- the migration --------------------------------------------------------------------------

RELEASE_REVISION = "8ca68e4aa3f1"


def test_the_migration_keeps_existing_couples_sharing_at_once(empty_url, tmp_path):
    """Couples and agreements from before keep today's behaviour; the downgrade drops the
    new columns again."""
    from alembic import command
    from sqlalchemy import inspect, text

    from practice import create_app
    from practice.setup import alembic_config, upgrade_database

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PRACTICE_AUTO_SETUP": False,
            "PRACTICE_DATABASE_URL": empty_url,
            "PRACTICE_INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        engine = app.extensions["practice"].db.engine
        upgrade_database("d4775072ec45")
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO practice_users (id, email, name, role, credentials, timezone, "
                "disabled, created_at) VALUES (1, 'a@example.org', 'A', 'practitioner', '', "
                "'UTC', false, '2026-01-01'), (2, 'r@example.org', 'R', 'client', '', 'UTC', "
                "false, '2026-01-01')",
                "INSERT INTO practice_programs (id, slug, name, description, version, roles, "
                "created_at, updated_at) VALUES (1, 'p', 'P', '', 1, '[]', '2026-01-01', "
                "'2026-01-01')",
                "INSERT INTO practice_couples (id, name, practitioner_id, program_id, "
                "current_step, created_at) VALUES (1, 'C', 1, 1, 1, '2026-01-01')",
                "INSERT INTO practice_partners (id, couple_id, user_id, program_role) "
                "VALUES (1, 1, 2, 'recovering')",
            ):
                connection.execute(text(statement))
        upgrade_database(RELEASE_REVISION)
        with engine.connect() as connection:
            wait = connection.scalar(text("SELECT shares_wait_for_release FROM practice_couples"))
            words = connection.scalar(text("SELECT agreed_sharing_text FROM practice_partners"))
        assert (bool(wait), words) == (False, "")
        command.downgrade(alembic_config(), "d4775072ec45")
        columns = {c["name"] for c in inspect(engine).get_columns("practice_reflections")}
        assert not {"release_state", "released_at", "released_by_id"} & columns
        columns = {c["name"] for c in inspect(engine).get_columns("practice_couples")}
        assert "shares_wait_for_release" not in columns
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT name FROM practice_couples")) == "C"
        engine.dispose()


def test_a_share_waiting_or_kept_for_the_session_is_not_labelled_private(app, world, held):
    """For the practitioner, "private" means the author kept it; a share that waits or is
    kept for the session was meant for the partner, on the note's page and in its PDF."""
    from pypdf import PdfReader

    from tests.helpers.people import signed_session

    aid, alice, riley, harper = held
    share(riley, aid, RILEY_WORDS, shared_with_partner="y")
    rid = reflection_id(app, world.recovering)
    for how in ("waiting", "session"):
        if how == "session":
            alice.post(f"/review/{rid}/release", {"release": "session"}, form_url=f"/review/{rid}")
        note = signed_session(app, world.couple_id, reflection_ids=[rid])
        page = plain(alice.text(f"/sessions/{note}"))
        assert "Finding the right amount" in page and "(private to" not in page, how
        pdf = PdfReader(io.BytesIO(alice.get(f"/sessions/{note}/pdf").data))
        text = " ".join(p.extract_text() for p in pdf.pages)
        assert RILEY_WORDS in text and "Private to" not in text, how
