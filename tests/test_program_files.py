"""Program files: the prompt kinds, problems named by line, export that loads back the same,
and answering each kind on the exercise page (answered, refused, kept)."""

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from practice.db import commit, session
from practice.models import Assignment, Couple, Exercise, Program, Reflection
from practice.programs.export import program_for_export, program_text
from practice.programs.loader import ProgramFileError, load_program, parse_program
from practice.services import assignments, clock, reflections, sessions
from tests.helpers.database import counted_queries
from tests.helpers.growth import grow
from tests.helpers.pages import make_assignment
from tests.helpers.people import PASSWORD, Browser, record_session
from tests.helpers.programs import FOUNDING, WITH_KINDS


def _line(text: str, fragment: str, after: str = "") -> int:
    """The line number (from 1) of the first line holding fragment, after a line with after."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and fragment in line) + 1


# --- the file ----------------------------------------------------------------------------


def test_every_file_of_old_loads_as_before_long_text_and_optional():
    spec = parse_program(FOUNDING)
    exercises = [e for step in spec.steps for e in step.exercises]
    assert len(exercises) == 21
    assert all(e.prompt_kinds == [] and e.repeat == "once" for e in exercises)
    assert all(e.due_in_days is None for e in exercises)
    assert all("required" not in r for e in exercises for r in e.ratings)


def test_the_new_kinds_are_read_with_their_options_and_required():
    spec = parse_program(WITH_KINDS)
    exercise = next(
        e for s in spec.steps for e in s.exercises if e.slug == "finding-the-right-amount"
    )
    assert exercise.prompts[0] == "In a few words, how did this week feel?"
    assert [k["kind"] for k in exercise.prompt_kinds] == ["short", "yes_no", "choice", "long"]
    assert [k["required"] for k in exercise.prompt_kinds] == [True, True, False, False]
    assert exercise.prompt_kinds[2]["options"] == ["Sunday", "Wednesday"]
    assert (exercise.repeat, exercise.due_in_days) == ("weekly", 7)


def test_several_problems_are_listed_at_once_each_with_its_line():
    bad = (
        WITH_KINDS.replace('kind = "short"', 'kind = "essay"')
        .replace('options = ["Sunday", "Wednesday"]', 'options = ["Sunday"]')
        .replace('repeat = "weekly"', 'repeat = "monthly"')
        .replace('title = "Ownership"', 'titel = "Ownership"')
        .replace('label = "Partner who was hurt"', 'label = ""')
        .replace('low = "Held a lot back"', 'low = ""', 1)
    )
    with pytest.raises(ProgramFileError) as error:
        parse_program(bad, "mine.toml")
    problems = error.value.problems
    expected = [
        (_line(bad, 'kind = "essay"'), "prompts[0].kind: 'essay' is not one of"),
        (_line(bad, 'options = ["Sunday"]'), "options: a choice lists at least two options"),
        (_line(bad, 'repeat = "monthly"'), "repeat: 'monthly' is not one of once, daily, weekly"),
        (_line(bad, 'titel = "Ownership"'), "steps[1]: unknown key 'titel'"),
        # A missing key is named at its table's header, the line before the step's slug.
        (_line(bad, 'slug = "ownership"') - 1, "steps[1].title: missing"),
        (_line(bad, 'label = ""'), "program.roles[1].label: must not be empty"),
        (_line(bad, 'low = ""'), "steps[0].exercises[0].ratings[0].low: must not be empty"),
    ]
    for number, words in expected:
        assert any(p.startswith(f"line {number}: ") and words in p for p in problems), (
            number,
            words,
            problems,
        )
    assert len(problems) == len(expected)
    numbers = [int(p.split()[1].rstrip(":")) for p in problems]
    assert numbers == sorted(numbers), "listed in the file's order"


def test_a_toml_mistake_is_named_by_its_line():
    bad = FOUNDING.replace('name = "Rebuilding Trust"', 'name = "Rebuilding Trust" extra')
    with pytest.raises(ProgramFileError) as error:
        parse_program(bad)
    (problem,) = error.value.problems
    assert problem.startswith(f"line {_line(bad, 'extra')}: not valid TOML")


def test_the_cli_lists_the_lines_and_imports_nothing(runner, app, tmp_path):
    bad = tmp_path / "bad.toml"
    text = WITH_KINDS.replace('slug = "rebuilding-trust"', 'slug = "other-one"').replace(
        'kind = "yes_no"', 'kind = "maybe"'
    )
    bad.write_text(text.replace('audience = "hurt"', 'audience = "everyone"', 1))
    result = runner.invoke(args=["program", "load", str(bad)])
    assert result.exit_code != 0
    assert "was not loaded" in result.output
    maybe, everyone = _line(text, 'kind = "maybe"'), _line(text, 'audience = "hurt"')
    assert f"line {maybe}: " in result.output
    assert f"line {everyone}: " in result.output
    with app.app_context():
        assert session.scalar(select(Program).where(Program.slug == "other-one")) is None


# --- export --------------------------------------------------------------------------------


def test_the_founding_program_exported_loads_back_the_same(app):
    with app.app_context():
        exported = program_text(program_for_export("rebuilding-trust"))
        assert parse_program(exported) == parse_program(FOUNDING)
        _, outcome = load_program(parse_program(exported))
        assert outcome == "unchanged"


def test_a_program_with_every_kind_round_trips_through_the_cli(runner, app, tmp_path):
    source = tmp_path / "kinds.toml"
    text = WITH_KINDS.replace('slug = "rebuilding-trust"', 'slug = "with-kinds"')
    text = text.replace('low = "Not at all safe"', 'low = "Not at all safe"\nrequired = true')
    source.write_text(text)
    assert runner.invoke(args=["program", "load", str(source)]).exit_code == 0
    out = tmp_path / "out.toml"
    result = runner.invoke(args=["program", "export", "with-kinds", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert parse_program(out.read_text()) == parse_program(text)
    again = runner.invoke(args=["program", "load", str(out)])
    assert "unchanged" in again.output, again.output
    printed = runner.invoke(args=["program", "export", "with-kinds"])
    assert printed.output == out.read_text()
    missing = runner.invoke(args=["program", "export", "no-such-program"])
    assert missing.exit_code != 0 and "There is no program 'no-such-program'" in missing.output


# --- the snapshot --------------------------------------------------------------------------


def _with_kinds(app):
    with app.app_context():
        load_program(parse_program(WITH_KINDS))
        commit()


def _assign(app, world) -> int:
    return make_assignment(app, world, "finding-the-right-amount")


def test_assigned_work_keeps_its_kinds_when_the_program_file_changes(app, world):
    _with_kinds(app)
    assignment_id = _assign(app, world)
    changed = WITH_KINDS.replace('kind = "yes_no", required = true', 'kind = "long"').replace(
        '"Sunday", "Wednesday"', '"Monday", "Tuesday"'
    )
    with app.app_context():
        load_program(parse_program(changed))
        commit()
        exercise = session.scalar(
            select(Exercise).where(Exercise.slug == "finding-the-right-amount")
        )
        assert exercise.prompt_kinds[1]["kind"] == "long"
        assignment = session.get(Assignment, assignment_id)
        assert assignment.prompt_kinds[1] == {"kind": "yes_no", "required": True, "options": []}
        assert assignment.prompt_kinds[2]["options"] == ["Sunday", "Wednesday"]


# --- answering each kind -------------------------------------------------------------------


def _error_beside(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]*)<', page)
    return found.group(1) if found else ""


def _form(**changes):
    return {
        "answer_0": "Steadier",
        "answer_1": "yes",
        "answer_2": "Wednesday",
        "answer_3": "",
        "action": "submit",
        **changes,
    }


def test_each_kind_is_shown_with_its_own_control(app, world):
    _with_kinds(app)
    url = f"/my/assignments/{_assign(app, world)}"
    page = Browser(app).login(world.recovering).text(url)
    assert re.search(
        r'<input[^>]*id="answer_0"[^>]*maxlength="300"|maxlength="300"[^>]*id="answer_0"', page
    )
    assert "<legend>Did you keep to the update time you agreed?</legend>" in page
    assert 'type="radio" value="yes"> Yes</label>' in page
    assert 'type="radio" value="Wednesday"> Wednesday</label>' in page
    assert "<textarea" in page and 'id="answer_3"' in page
    assert page.count("Please answer this one before you submit.") == 2


def test_required_prompts_left_empty_are_named_beside_each_and_the_rest_kept(app, world):
    _with_kinds(app)
    url = f"/my/assignments/{_assign(app, world)}"
    riley = Browser(app).login(world.recovering)
    response = riley.post(url, _form(answer_0="", answer_1="", answer_3="Sunday talks."))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This one needs an answer before you submit." in _error_beside(page, "answer_0")
    assert "This one needs an answer before you submit." in _error_beside(page, "answer_1")
    assert _error_beside(page, "answer_2") == ""
    assert "Sunday talks.</textarea>" in page
    assert 'checked id="answer_2-1"' in page
    with app.app_context():
        assert session.scalars(select(Reflection)).all() == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"answer_0": "x" * 301}, "answer_0", "at most 300 characters"),
        ({"answer_0": "two\nlines"}, "answer_0", "one line"),
        ({"answer_1": "perhaps"}, "answer_1", "Choose one of the options."),
        ({"answer_2": "Friday"}, "answer_2", "Choose one of the options."),
    ],
)
def test_an_answer_that_does_not_fit_its_kind_is_refused_beside_it(
    app, world, changes, field, message
):
    _with_kinds(app)
    url = f"/my/assignments/{_assign(app, world)}"
    riley = Browser(app).login(world.recovering)
    response = riley.post(url, _form(answer_3="Kept words.", **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in _error_beside(page, field)
    assert "Kept words.</textarea>" in page
    with app.app_context():
        assert session.scalars(select(Reflection)).all() == []


def test_each_kind_answered_is_submitted_and_read_back_in_words(app, world):
    _with_kinds(app)
    url = f"/my/assignments/{_assign(app, world)}"
    riley = Browser(app).login(world.recovering)
    response = riley.post(url, _form(answer_3="We agreed on Sundays."))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        reflection = session.scalars(select(Reflection)).one()
        assert reflection.is_submitted
        assert reflection.answers == ["Steadier", "yes", "Wednesday", "We agreed on Sundays."]
        assert [a for _, a in reflection.answered_prompts()][:3] == ["Steadier", "Yes", "Wednesday"]
        reflection_id = reflection.id
    page = riley.text(f"/my/reflections/{reflection_id}")
    assert '<div class="answer">Yes</div>' in page
    assert '<div class="answer">Wednesday</div>' in page


def test_a_draft_saves_with_required_prompts_still_empty(app, world):
    _with_kinds(app)
    url = f"/my/assignments/{_assign(app, world)}"
    riley = Browser(app).login(world.recovering)
    response = riley.post(
        url, _form(answer_0="", answer_1="no", action="save"), headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "saved" in response.json
    page = riley.text(url)
    assert 'checked id="answer_1-1"' in page


def test_the_pages_that_show_each_kind_keep_their_query_counts_flat(app, world):
    _with_kinds(app)
    url = f"/my/assignments/{_assign(app, world)}"
    riley, alice = Browser(app).login(world.recovering), Browser(app).login(world.alice)
    riley.post(url, _form(answer_3="Sundays."))
    with app.app_context():
        reflection_id = session.scalars(select(Reflection)).one().id
    kinds_url = f"/my/assignments/{_assign(app, world)}"
    pages = [
        (riley, kinds_url),
        (riley, f"/my/reflections/{reflection_id}"),
        (alice, f"/review/{reflection_id}"),
    ]

    def counts():
        out = []
        for person, page in pages:
            with counted_queries(app) as statements:
                response = person.get(page)
            assert response.status_code == 200, page
            out.append(len(statements))
        return out

    grow(app, world, extra_couples=1, rounds=1)
    small = counts()
    # (The first two exercises: grow() answers with plain words, which a yes/no refuses.)
    grow(app, world, extra_couples=6, rounds=2)
    assert counts() == small
    assert "Yes" in alice.text(f"/review/{reflection_id}")


def test_the_session_pdf_shows_each_kind_in_words(app, world):
    _with_kinds(app)
    assignment_id = _assign(app, world)
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        reflection, _ = reflections.save(
            couple.partners[0],
            session.get(Assignment, assignment_id),
            answers=["Steadier", "no", "Sunday", ""],
            ratings={},
            shared=False,
            submit=True,
            today=clock.today_for(couple.practitioner),
        )
        note = record_session(
            couple,
            couple.practitioner,
            note_format="dap",
            sections={"data": "Talked.", "assessment": "Calmer.", "plan": "Keep going."},
            reflection_ids=[reflection.id],
        )
        sessions.sign(note, couple.practitioner, PASSWORD)
        commit()
        note_id = note.id
    data = Browser(app).login(world.alice).get(f"/sessions/{note_id}/pdf").data
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Did you keep to the update time you agreed?" in text
    kept = text.index("Did you keep to the update time you agreed?")
    assert text[kept:].split("?", 1)[1].lstrip(" —:").startswith("No"), text[kept : kept + 120]
    assert "Sunday" in text[kept:]


def test_assigning_as_each_exercise_suggests_takes_its_repeat_and_due_offset(app, world):
    from datetime import timedelta

    _with_kinds(app)
    with app.app_context():
        couple = session.get(Couple, world.couple_id)
        suggested = session.scalar(
            select(Exercise).where(Exercise.slug == "finding-the-right-amount")
        )
        plain = session.scalar(select(Exercise).where(Exercise.slug == "receiving-updates"))
        today = clock.today_for(couple.practitioner)
        made = assignments.assign(
            couple,
            [suggested, plain],
            audience="as-written",
            repeat="as-written",
            due_on=None,
            note="",
            by=couple.practitioner,
            today=today,
        )
        assert [(a.repeat, a.due_on) for a in made] == [
            ("weekly", today + timedelta(days=7)),
            ("once", None),
        ]
        chosen = assignments.assign(
            couple,
            [suggested],
            audience="both",
            repeat="daily",
            due_on=today + timedelta(days=3),
            note="",
            by=couple.practitioner,
            today=today,
        )
        assert (chosen[0].repeat, chosen[0].due_on) == ("daily", today + timedelta(days=3))
