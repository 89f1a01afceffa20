"""Names are one line: a line break, tab or other control character in a name is refused
with a message next to the field, on every form and command that takes one, so no name can
add lines to an e-mail; names stored before the rule reach mail as one line."""

import re

import pytest
from sqlalchemy import select

from practice.db import commit, session
from practice.models import User
from practice.programs.loader import ProgramFileError, parse_program
from practice.services.names import MESSAGE
from tests.helpers.mailing import deliver
from tests.helpers.pages import (
    assert_refused,
    assert_unchanged,
    couple_form,
    practitioners_form,
    setup_form,
    snapshot,
)
from tests.helpers.people import Browser, build_world

INJECTED = "Riley\r\nBcc: everyone@example.org"
BREAKING = [
    INJECTED,
    "Riley\nRecovering",
    "Riley\tRecovering",
    "Riley\x85Recovering",  # NEXT LINE, a C1 control
    "Riley\u2028Recovering",  # LINE SEPARATOR
    "Riley\x00Recovering",
    "Riley\x1b[2JRecovering",  # a terminal's clear-screen
]
FORMS = [
    (setup_form, "name"),
    (setup_form, "practice_name"),
    (practitioners_form, "name"),
    (practitioners_form, "credentials"),
    (couple_form, "first_name"),
    (couple_form, "second_name"),
    (couple_form, "name"),
]


@pytest.mark.parametrize(
    "typed", BREAKING, ids=["crlf", "lf", "tab", "nel", "u2028", "nul", "escape"]
)
@pytest.mark.parametrize(("make_form", "field"), FORMS, ids=[f"{m.__name__}-{f}" for m, f in FORMS])
def test_a_name_with_a_line_break_or_control_character_is_refused(app, make_form, field, typed):
    form = make_form(app)
    before = snapshot(app)
    page = form.send(**{field: typed})
    assert_refused(page, field, MESSAGE)
    assert "\x00" not in page.html and "\x1b" not in page.html, "shown back without them"
    assert_unchanged(app, before)


def test_names_in_any_script_with_emoji_are_still_names(app):
    form = couple_form(app)
    page = form.send(first_name="José 李小龍 👩\u200d❤️\u200d👨", second_name="שלום مرحبا")
    assert page.status == 302, page.html


def test_a_name_stored_before_the_rule_reaches_a_mail_as_one_line(mail_app):
    app, mailbox = mail_app
    app.config["PRACTICE_BASE_URL"] = "https://practice.example.org"
    world = build_world(app)
    with app.app_context():
        session.scalar(select(User).where(User.email == world.alice)).name = INJECTED
        commit()
    Browser(app).post("/password/forgot", {"email": world.alice})
    deliver(app)
    [message] = mailbox.to(world.alice)
    lines = message.get_content().splitlines()
    assert lines[:2] == ["Hello Riley Bcc: everyone@example.org,", ""]
    assert not any(line.startswith("Bcc:") for line in lines)
    assert message["Bcc"] is None


PROGRAM = """
[program]
slug = "two-steps"
name = "{name}"
version = 1
roles = [{{ key = "one", label = "{label}" }}, {{ key = "two", label = "Second" }}]

[[steps]]
slug = "first"
title = "{title}"

[[steps.exercises]]
slug = "talk"
title = "Talk"
audience = "both"
instructions = "Talk.\\nThen listen."
prompts = ["What did you hear?"]
"""


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": "Two\\nsteps"}, "program.name: must be one line"),
        ({"label": "First\\rrole"}, "program.roles[0].label: must be one line"),
        ({"title": "Begin\\tnow"}, "steps[0].title: must be one line"),
    ],
    ids=["name", "role", "step"],
)
def test_a_program_file_with_a_name_on_two_lines_is_refused(changes, problem):
    values = {"name": "Two steps", "label": "First", "title": "Begin", **changes}
    with pytest.raises(ProgramFileError) as refused:
        parse_program(PROGRAM.format(**values))
    # Each problem names its line first, then the field.
    assert any(
        re.fullmatch(rf"line \d+: {re.escape(problem)}.*", p) for p in refused.value.problems
    ), refused.value.problems
    parse_program(PROGRAM.format(name="Two steps", label="First", title="Begin"))


def test_program_load_says_which_name_is_on_two_lines(runner, tmp_path):
    path = tmp_path / "program.toml"
    path.write_text(PROGRAM.format(name="Two\\r\\nsteps", label="First", title="Begin"))
    result = runner.invoke(args=["program", "load", str(path)])
    assert result.exit_code == 1
    assert "program.name: must be one line" in result.output
