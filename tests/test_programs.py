"""The founding program as data: validated on load, loaded idempotently, in our own words."""

from pathlib import Path

import pytest
from sqlalchemy import func, select

from practice import paths
from practice.db import session
from practice.models import BOTH, Exercise, Program, Step
from practice.programs.loader import ProgramFileError, load_program, parse_program

FOUNDING = paths.FOUNDING_PROGRAM.read_text(encoding="utf-8")
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "rebuilding-trust-seven-steps.txt"


def test_founding_program_has_the_seven_steps_in_order():
    spec = parse_program(FOUNDING)
    assert [s.slug for s in spec.steps] == [
        "transparency",
        "ownership",
        "boundaries",
        "accountability",
        "patience",
        "intimacy",
        "professional-support",
    ]
    assert [r["key"] for r in spec.roles] == ["recovering", "hurt"]
    audiences = [e.audience for s in spec.steps for e in s.exercises]
    assert {BOTH, "recovering", "hurt"} <= set(audiences)
    for step in spec.steps:
        assert step.guidance
        assert 2 <= len(step.exercises) <= 4, step.slug
        for exercise in step.exercises:
            assert exercise.prompts and exercise.instructions
    keys = {r["key"] for s in spec.steps for e in s.exercises for r in e.ratings}
    assert {"trust", "safety", "connection"} <= keys


@pytest.mark.skipif(not SEED.exists(), reason="the seed article is beside the repository")
def test_founding_program_is_written_in_our_own_words():
    """No run of eight words from the seed article appears in the program's texts."""

    def runs(text):
        words = "".join(c.lower() if c.isalnum() else " " for c in text).split()
        return {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}

    assert not runs(SEED.read_text(encoding="utf-8")) & runs(FOUNDING)


def test_loading_twice_changes_nothing(app):
    with app.app_context():
        counts = session.scalar(select(func.count(Exercise.id)))
        program, outcome = load_program(parse_program(FOUNDING))
        assert outcome == "unchanged"
        assert session.scalar(select(func.count(Exercise.id))) == counts == 21
        assert session.scalar(select(func.count(Program.id))) == 1


def test_reloading_an_edited_file_updates_texts_in_place(app):
    edited = FOUNDING.replace('title = "Weekly openness log"', 'title = "Weekly open letter"')
    with app.app_context():
        before = session.scalar(select(Exercise.id).where(Exercise.slug == "weekly-openness-log"))
        _, outcome = load_program(parse_program(edited))
        session.flush()
        exercise = session.scalar(select(Exercise).where(Exercise.slug == "weekly-openness-log"))
        assert outcome == "updated"
        assert (exercise.id, exercise.title) == (before, "Weekly open letter")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('audience = "recovering"', 'audience = "partner-a"', 1),
            "audience: 'partner-a' is not one of both, recovering, hurt",
        ),
        (
            ('slug = "transparency"', 'slug = "Transparency!"', 1),
            "steps[0].slug: 'Transparency!' is not a slug",
        ),
        (
            ('slug = "ownership"', 'slug = "transparency"', 1),
            "steps[1].slug: 'transparency' is used twice",
        ),
        (("version = 1", 'version = "one"', 1), "program.version: expected int"),
        (('title = "Transparency"', 'titel = "Transparency"', 1), "steps[0]: unknown key 'titel'"),
        (("[program]", 'colour = "blue"\n[program]', 1), "file: unknown key 'colour'"),
        (('slug = "rebuilding-trust"', 'slug = "rebuilding-trust"\nname = [', 1), "not valid TOML"),
    ],
)
def test_a_bad_program_file_is_refused_with_where_and_why(change, message):
    with pytest.raises(ProgramFileError) as error:
        parse_program(FOUNDING.replace(*change), "edited.toml")
    assert message in str(error.value)


def test_cli_loads_a_program_file(runner, app, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(
        FOUNDING.replace('slug = "rebuilding-trust"', 'slug = "trust-two"').replace(
            'name = "Rebuilding Trust"', 'name = "Trust, second edition"'
        )
    )
    result = runner.invoke(args=["program", "load", str(other)])
    assert result.exit_code == 0, result.output
    assert "Trust, second edition (trust-two): created; 7 steps, 21 exercises." in result.output
    again = runner.invoke(args=["program", "load", str(other)])
    assert "unchanged" in again.output
    with app.app_context():
        assert session.scalar(select(func.count(Program.id))) == 2


def test_cli_refuses_a_bad_file_and_changes_nothing(runner, app, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        FOUNDING.replace('slug = "rebuilding-trust"', 'slug = "new-one"').replace(
            'audience = "hurt"', 'audience = "everyone"'
        )
    )
    result = runner.invoke(args=["program", "load", str(bad)])
    assert result.exit_code != 0
    assert "was not loaded" in result.output
    assert "audience: 'everyone' is not one of both, recovering, hurt" in result.output
    missing = runner.invoke(args=["program", "load", str(tmp_path / "nope.toml")])
    assert missing.exit_code != 0 and "cannot be read" in missing.output
    with app.app_context():
        assert session.scalar(select(func.count(Program.id))) == 1
        assert session.scalar(select(func.count(Step.id))) == 7
