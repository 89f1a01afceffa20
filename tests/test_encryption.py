"""What clients and practitioners write is encrypted at rest, and keys can be rotated.

Everything goes through the real services, pages and CLI on the real database; the raw
tables are read with plain SQL, the way someone holding only a copy of the database would.
"""

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from practice.db import commit, session
from practice.encryption.keys import KEYS_FILE, UnreadableValue, keyring, parse_keys
from practice.encryption.rotation import encrypted_tables, unreadable_with
from practice.models import (
    Addendum,
    Assignment,
    Feedback,
    Reflection,
    SessionNote,
)
from tests.helpers.people import build_world
from tests.helpers.therapy import (
    ADDENDUM,
    ALL_WORDS,
    ANSWER,
    FEEDBACK,
    HOMEWORK,
    NOTE,
    write_therapy,
)


def raw_rows(app) -> list[str]:
    """Every row of every Practice table, as plain SQL returns it."""
    with app.app_context():
        found = []
        for table in encrypted_tables():
            rows = session.execute(text(f"SELECT * FROM {table.name}"))  # noqa: S608
            found += [repr(tuple(row)) for row in rows]
        return found


def raw_tokens(app) -> list[str]:
    """Every stored value of every encrypted column."""
    with app.app_context():
        tokens = []
        for table in encrypted_tables():
            columns = [table.raw.c[name] for name in table.columns]
            for row in session.execute(select(*columns)):
                tokens += [value for value in row if value is not None]
        return tokens


def texts(app, ids) -> dict:
    """Everything written, read back through the models."""
    with app.app_context():
        session.expire_all()
        reflection = session.get(Reflection, ids["reflection"])
        note = session.get(SessionNote, ids["session"])
        return {
            "answers": reflection.answers,
            "risk": (reflection.mentions_risk, reflection.risk_terms),
            "feedback": [f.body for f in reflection.feedback],
            "sections": note.sections,
            "addenda": [a.text for a in note.addenda],
            "homework": session.get(Assignment, ids["assignment"]).note,
            "signed": note.signed_at is not None,
            "version": note.version,
        }


def keys_file(app) -> Path:
    return Path(app.instance_path) / KEYS_FILE


def test_the_database_holds_no_plaintext_of_what_people_wrote(app, world):
    write_therapy(app, world)
    rows = raw_rows(app)
    assert len(rows) >= 5
    for word in ALL_WORDS:
        assert not [row for row in rows if word in row], word
    for token in raw_tokens(app):
        assert token.startswith("gAAAA")


def test_people_read_what_was_written_as_usual(app, world, browser):
    ids = write_therapy(app, world)
    alice = browser().login(world.alice)
    page = alice.text(f"/review/{ids['reflection']}")
    assert ANSWER in page
    assert FEEDBACK in page
    page = alice.text(f"/sessions/{ids['session']}")
    assert NOTE in page
    assert ADDENDUM in page
    # Harper has not answered yet: the homework note is on her list.
    assert HOMEWORK in browser().login(world.hurt).text("/my/")
    riley = browser().login(world.recovering)
    page = riley.text(f"/my/reflections/{ids['reflection']}")
    assert ANSWER in page
    assert FEEDBACK in page


def test_the_risk_flag_still_puts_a_reflection_on_top_of_the_queue(app, world, browser):
    ids = write_therapy(app, world)
    assert texts(app, ids)["risk"] == (True, ["threatened me", "knife"])
    alice = browser().login(world.alice)
    page = alice.text("/review/")
    assert f"/review/{ids['reflection']}" in page


def test_the_other_partner_still_sees_none_of_it(app, world, browser):
    ids = write_therapy(app, world)
    harper = browser().login(world.hurt)
    assert harper.get(f"/my/reflections/{ids['reflection']}").status_code == 404
    for url in ("/my/", "/my/shared"):
        page = harper.text(url)
        for word in ("Zanzibar", "Quokka", "Marzipan", "Tamarind"):
            assert word not in page


def test_the_keys_file_is_made_once_readable_by_its_owner_only(new_app, app, world):
    write_therapy(app, world)
    path = keys_file(app)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(parse_keys(path.read_text())) == 1
    again = new_app(app.config["PRACTICE_DATABASE_URL"], Path(app.instance_path).parent)
    with again.app_context():
        assert keyring().keys == parse_keys(path.read_text())


def test_the_keys_are_read_once_per_app_not_per_row(app, world):
    ids = write_therapy(app, world)
    path = keys_file(app)
    with app.app_context():
        first = keyring()
        away = path.rename(path.with_name("elsewhere"))  # a file read now would fail
        try:
            session.expire_all()
            reflection = session.get(Reflection, ids["reflection"])
            assert reflection.answers[0] == ANSWER
            assert [f.body for f in reflection.feedback] == [FEEDBACK]
            author = reflection.assignment.couple.practitioner_id
            session.add(Feedback(reflection=reflection, author_id=author, body="Still writing"))
            commit()
            assert keyring() is first
        finally:
            away.rename(path)


def test_values_written_under_an_old_key_read_after_a_new_key_is_added(
    new_app, database_url, tmp_path, world
):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = new_app(database_url, tmp_path / "a", PRACTICE_ENCRYPTION_KEYS=old)
    ids = write_therapy(before, world)
    after = new_app(database_url, tmp_path / "b", PRACTICE_ENCRYPTION_KEYS=f"{new},{old}")
    assert texts(after, ids)["answers"][0] == ANSWER
    assert not (tmp_path / "b" / "instance" / KEYS_FILE).exists()
    # What is written now uses the new key alone.
    with after.app_context():
        reflection = session.get(Reflection, ids["reflection"])
        author = reflection.assignment.couple.practitioner_id
        later = Feedback(reflection=reflection, author_id=author, body="Written later")
        session.add(later)
        commit()
        table = encrypted_table("practice_feedback").raw
        token = session.scalar(select(table.c.body).where(table.c.id == later.id))
    assert Fernet(new).decrypt(token.encode()) == b"Written later"
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(token.encode())


def encrypted_table(name):
    return next(t for t in encrypted_tables() if t.name == name)


def test_a_wrong_key_or_altered_value_is_a_clear_error_never_junk(
    new_app, database_url, tmp_path, world
):
    ids = write_therapy(new_app(database_url, tmp_path / "a"), world)
    stranger = new_app(
        database_url, tmp_path / "b", PRACTICE_ENCRYPTION_KEYS=Fernet.generate_key().decode()
    )
    with stranger.app_context(), pytest.raises(UnreadableValue, match="encryption keys"):
        _ = session.get(Reflection, ids["reflection"]).answers
    owner = new_app(database_url, tmp_path / "a")
    with owner.app_context():
        table = encrypted_table("practice_addenda").raw
        (token,) = session.execute(select(table.c.text)).one()
        altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
        session.execute(table.update().values(text=altered))
        commit()
        with pytest.raises(UnreadableValue):
            _ = session.scalars(select(Addendum)).one().text


def test_a_malformed_configured_key_stops_with_a_clear_message(new_app, database_url, tmp_path):
    app = new_app(database_url, tmp_path, PRACTICE_ENCRYPTION_KEYS="not-a-key")
    with app.app_context(), pytest.raises(ValueError, match="Key 1 in PRACTICE_ENCRYPTION_KEYS"):
        keyring()


# --- rotate-key with the instance file ---------------------------------------------------


def test_rotate_key_re_encrypts_everything_with_a_new_key_and_changes_no_word(app, world):
    ids = write_therapy(app, world)
    before = texts(app, ids)
    (old,) = parse_keys(keys_file(app).read_text())
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert result.exit_code == 0, result.output
    assert "practice_reflections: 1" in result.output
    assert "practice_session_notes: 1" in result.output
    new, kept = parse_keys(keys_file(app).read_text())
    assert kept == old
    assert keys_file(app).stat().st_mode & 0o777 == 0o600
    for token in raw_tokens(app):
        Fernet(new).decrypt(token.encode())
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(token.encode())
    # Same words; the signed note is still the signed note, its version untouched.
    assert texts(app, ids) == before


def test_rotate_key_drop_old_keeps_only_the_new_key(app, world, browser):
    ids = write_therapy(app, world)
    before = texts(app, ids)
    result = app.test_cli_runner().invoke(args=["rotate-key", "--drop-old"])
    assert result.exit_code == 0, result.output
    assert "old keys removed" in result.output
    (only,) = parse_keys(keys_file(app).read_text())
    for token in raw_tokens(app):
        Fernet(only).decrypt(token.encode())
    assert texts(app, ids) == before
    alice = browser().login(world.alice)
    assert NOTE in alice.text(f"/sessions/{ids['session']}")


def test_a_worker_running_during_rotation_reads_and_writes_with_the_new_key(new_app, app, world):
    ids = write_therapy(app, world)
    worker = new_app(app.config["PRACTICE_DATABASE_URL"], Path(app.instance_path).parent)
    with worker.app_context():
        keyring()  # the running worker has the old keys cached
    assert app.test_cli_runner().invoke(args=["rotate-key", "--drop-old"]).exit_code == 0
    assert texts(worker, ids)["answers"][0] == ANSWER
    with worker.app_context():
        reflection = session.get(Reflection, ids["reflection"])
        author = reflection.assignment.couple.practitioner_id
        session.add(Feedback(reflection=reflection, author_id=author, body="After rotation"))
        commit()
    (only,) = parse_keys(keys_file(app).read_text())
    for token in raw_tokens(app):
        Fernet(only).decrypt(token.encode())


def test_the_drop_old_check_finds_a_value_that_still_needs_an_old_key(app, world):
    write_therapy(app, world)
    (old,) = parse_keys(keys_file(app).read_text())
    assert app.test_cli_runner().invoke(args=["rotate-key"]).exit_code == 0
    new = parse_keys(keys_file(app).read_text())[0]
    with app.app_context():
        assert unreadable_with(new) == []
        table = encrypted_table("practice_feedback").raw
        row = session.scalar(select(table.c.id))
        session.execute(table.update().values(body=Fernet(old).encrypt(b"late").decode()))
        commit()
        assert unreadable_with(new) == [f"practice_feedback.body row {row}"]


def test_rotate_key_with_a_malformed_key_changes_nothing(app, world):
    write_therapy(app, world)
    file_before = keys_file(app).read_bytes()
    tokens_before = raw_tokens(app)
    for bad in ("nonsense", "x" * 44, f"{Fernet.generate_key().decode()},extra"):
        result = app.test_cli_runner().invoke(args=["rotate-key", "--new-key", bad])
        assert result.exit_code == 1
        assert "Nothing was changed" in result.output
    assert (
        "not a Fernet key"
        in app.test_cli_runner().invoke(args=["rotate-key", "--new-key", "nonsense"]).output
    )
    assert keys_file(app).read_bytes() == file_before
    assert raw_tokens(app) == tokens_before


def test_rotate_key_stops_on_an_unreadable_value_and_changes_nothing(app, world):
    write_therapy(app, world)
    with app.app_context():
        table = encrypted_table("practice_feedback").raw
        stray = Fernet(Fernet.generate_key()).encrypt(b"from elsewhere").decode()
        session.execute(table.update().values(body=stray))
        commit()
    file_before = keys_file(app).read_bytes()
    tokens_before = raw_tokens(app)
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert result.exit_code == 1
    assert "practice_feedback.body" in result.output
    assert "nothing was re-encrypted" in result.output
    assert keys_file(app).read_bytes() == file_before
    assert raw_tokens(app) == tokens_before


def test_rotate_key_given_a_key_makes_that_key_current(app, world):
    ids = write_therapy(app, world)
    chosen = Fernet.generate_key()
    result = app.test_cli_runner().invoke(args=["rotate-key", "--new-key", chosen.decode()])
    assert result.exit_code == 0, result.output
    assert parse_keys(keys_file(app).read_text())[0] == chosen
    for token in raw_tokens(app):
        Fernet(chosen).decrypt(token.encode())
    assert texts(app, ids)["feedback"] == [FEEDBACK]


# --- rotate-key with PRACTICE_ENCRYPTION_KEYS --------------------------------------------


@pytest.fixture
def env_keys(new_app, database_url, tmp_path):
    """An app whose one key comes from PRACTICE_ENCRYPTION_KEYS, on an empty database."""
    old = Fernet.generate_key().decode()
    app = new_app(database_url, tmp_path, PRACTICE_ENCRYPTION_KEYS=old)
    return app, old


def test_rotate_key_with_keys_from_the_environment_prints_the_value_to_set(
    new_app, env_keys, tmp_path
):
    app, old = env_keys
    ids = write_therapy(app, build_world(app))
    tokens_before = raw_tokens(app)
    result = app.test_cli_runner().invoke(args=["rotate-key"])
    assert result.exit_code == 0, result.output
    assert "Nothing was changed yet" in result.output
    line = next(x for x in result.output.splitlines() if "Set PRACTICE_ENCRYPTION_KEYS=" in x)
    value = line.split("Set PRACTICE_ENCRYPTION_KEYS=")[1]
    new, kept = parse_keys(value)
    assert kept.decode() == old
    assert f"--new-key {new.decode()}" in result.output
    assert raw_tokens(app) == tokens_before
    assert not (tmp_path / "instance" / KEYS_FILE).exists()

    # The operator sets the printed value, restarts, and runs the printed command.
    restarted = new_app(
        app.config["PRACTICE_DATABASE_URL"], tmp_path, PRACTICE_ENCRYPTION_KEYS=value
    )
    runner = restarted.test_cli_runner()
    result = runner.invoke(args=["rotate-key", "--new-key", new.decode(), "--drop-old"])
    assert result.exit_code == 0, result.output
    assert f"You can now set PRACTICE_ENCRYPTION_KEYS={new.decode()}" in result.output
    for token in raw_tokens(restarted):
        Fernet(new).decrypt(token.encode())
    alone = new_app(
        app.config["PRACTICE_DATABASE_URL"], tmp_path, PRACTICE_ENCRYPTION_KEYS=new.decode()
    )
    assert texts(alone, ids)["sections"] == {"note": NOTE}
    assert not (tmp_path / "instance" / KEYS_FILE).exists()


def test_rotate_key_refuses_an_environment_key_that_is_not_yet_current(env_keys):
    app, old = env_keys
    write_therapy(app, build_world(app))
    tokens_before = raw_tokens(app)
    result = app.test_cli_runner().invoke(
        args=["rotate-key", "--new-key", Fernet.generate_key().decode()]
    )
    assert result.exit_code == 1
    assert "must be the first one in PRACTICE_ENCRYPTION_KEYS" in result.output
    assert raw_tokens(app) == tokens_before


def test_the_encrypted_tables_are_the_ones_people_write_in():
    found = {t.name: set(t.columns) for t in encrypted_tables()}
    assert found == {
        "practice_assignments": {"note"},
        "practice_reflections": {"answers", "risk_terms"},
        "practice_feedback": {"body"},
        "practice_session_notes": {"sections"},
        "practice_addenda": {"text"},
        "practice_disclosure_parts": {"text", "comment"},
        "practice_safety_screens": {"answers", "resolution"},
        "practice_step_openings": {"reason"},
        "practice_checkins": {"triggers", "handled"},
        "practice_two_factor": {"secret"},
        # Links that open an account: an invitation's while it works, a mail's until sent.
        "practice_invitations": {"token"},
        "practice_outbox": {"body"},
        # A known value: a server whose keys do not read it refuses to start.
        "practice_key_check": {"token"},
        # A practitioner's unsaved note, feedback or addendum, as typed.
        "practice_practitioner_drafts": {"fields"},
        # A partner's answers to a measure, and which risk items they answered above.
        "practice_measure_responses": {"answers", "risk_items"},
        # How a partner was after reading a disclosure part, in their words.
        "practice_after_readings": {"note"},
    }


def test_a_host_app_keeps_the_keys_in_its_own_instance_folder_or_config(tmp_path):
    from practice import Practice
    from practice.encryption import EncryptedText
    from tests.helpers.host import host_app

    column = EncryptedText()
    with host_app(tmp_path, PRACTICE_DATABASE_URL=f"sqlite:///{tmp_path}/h.sqlite3") as host:
        Practice(host, url_prefix="/practice")
        with host.app_context():
            token = column.process_bind_param("Words for the therapist", None)
            assert column.process_result_value(token, None) == "Words for the therapist"
            assert keyring().path == tmp_path / "host-instance" / KEYS_FILE
        (key,) = parse_keys((tmp_path / "host-instance" / KEYS_FILE).read_text())
        assert Fernet(key).decrypt(token.encode()) == b"Words for the therapist"

    configured = Fernet.generate_key()
    second = tmp_path / "second"
    second.mkdir()
    with host_app(
        second,
        PRACTICE_DATABASE_URL=f"sqlite:///{second}/h.sqlite3",
        PRACTICE_ENCRYPTION_KEYS=configured.decode(),
    ) as host:
        Practice(host)
        with host.app_context():
            token = column.process_bind_param("Other words", None)
        assert Fernet(configured).decrypt(token.encode()) == b"Other words"
        assert not (second / "host-instance" / KEYS_FILE).exists()


def test_only_the_landed_migration_imports_the_old_keys_module():
    """practice/keys.py is a shim for migration 04066d06e46f; everything else uses
    practice.encryption, so the shim never grows back into a second home."""
    from pathlib import Path

    from practice import keys
    from practice.encryption import keyring as real

    root = Path(__file__).resolve().parents[1]
    users = sorted(
        str(path.relative_to(root))
        for folder in ("practice", "tests", "bench", "migrations")
        for path in (root / folder).rglob("*.py")
        if path.name != "keys.py"
        and re.search(r"practice\.keys\b|from practice import keys\b", path.read_text())
        and path != Path(__file__).resolve()
    )
    assert users == ["migrations/versions/04066d06e46f_security_and_couples_work_accounts_two_.py"]
    assert keys.keyring is real
