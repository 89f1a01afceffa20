"""Writes a stored program back as a program file that loads into the same program."""

import json

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice.db import session
from practice.models import BOTH, Program, Step
from practice.programs import kinds


def _value(value) -> str:
    """A TOML value: JSON's strings, numbers and booleans are TOML's too."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r}")


def _keys(out: list[str], values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, list) and value and not isinstance(value[0], dict | str):
            out.append(f"{key} = {_value(value)}")
        elif isinstance(value, list) and len(value) > 0:
            out.append(f"{key} = [")
            out.extend(f"  {_value(item)}," for item in value)
            out.append("]")
        else:
            out.append(f"{key} = {_value(value)}")


def program_for_export(slug: str) -> Program | None:
    return session.scalar(
        select(Program)
        .where(Program.slug == slug)
        .options(selectinload(Program.steps).selectinload(Step.exercises))
    )


def program_text(program: Program) -> str:
    """The program as a program file (UTF-8 TOML)."""
    out = [f"# {program.name}: exported from Practice.", "", "[program]"]
    head = {"slug": program.slug, "name": program.name, "version": program.version}
    if program.description:
        head["description"] = program.description
    _keys(out, head)
    for role in program.roles:
        out += ["", "[[program.roles]]"]
        _keys(out, {"key": role["key"], "label": role["label"]})
    for step in program.steps:
        out += ["", "", "[[steps]]"]
        values = {"slug": step.slug, "title": step.title}
        if step.guidance:
            values["guidance"] = step.guidance
        _keys(out, values)
        for exercise in step.exercises:
            out += ["", "[[steps.exercises]]"]
            specs = kinds.prompt_specs(exercise)
            values = {
                "slug": exercise.slug,
                "title": exercise.title,
                "audience": exercise.audience or BOTH,
                "instructions": exercise.instructions,
                "prompts": [
                    kinds.prompt_for_file(text, spec)
                    for text, spec in zip(exercise.prompts, specs, strict=True)
                ],
            }
            if exercise.reveal_together:
                values["reveal_together"] = True
            if (exercise.repeat or "once") != "once":
                values["repeat"] = exercise.repeat
            if exercise.due_in_days is not None:
                values["due_in_days"] = exercise.due_in_days
            _keys(out, values)
            for rating in exercise.ratings:
                out += ["", "[[steps.exercises.ratings]]"]
                _keys(out, dict(rating))
    return "\n".join(out) + "\n"
