"""Reads a program file (TOML), validates it with clear messages, and loads it idempotently."""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from practice import paths
from practice.db import session
from practice.models import BOTH, Exercise, Program, Step
from practice.programs import kinds
from practice.programs.lines import place_problems
from practice.services.names import has_control_characters

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RATING_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class ProgramFileError(ValueError):
    """A program file that cannot be loaded; ``problems`` lists every reason, with its place."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass
class ExerciseSpec:
    slug: str
    title: str
    audience: str
    instructions: str
    prompts: list[str]
    ratings: list[dict]
    reveal_together: bool = False
    prompt_kinds: list[dict] = field(default_factory=list)
    repeat: str = "once"
    due_in_days: int | None = None


@dataclass
class StepSpec:
    slug: str
    title: str
    guidance: str
    exercises: list[ExerciseSpec] = field(default_factory=list)


@dataclass
class ProgramSpec:
    slug: str
    name: str
    version: int
    description: str
    roles: list[dict]
    steps: list[StepSpec]


class _Checker:
    """Collects every problem with its path, so one run tells the author everything."""

    def __init__(self):
        self.problems: list[str] = []

    def table(self, data, where: str, required: dict, optional: dict | None = None) -> dict:
        optional = optional or {}
        if not isinstance(data, dict):
            self.problems.append(f"{where}: expected a table")
            return {}
        for key in data:
            if key not in required and key not in optional:
                self.problems.append(f"{where}: unknown key '{key}'")
        out = {}
        for key, kind in {**required, **optional}.items():
            if key not in data:
                if key in required:
                    self.problems.append(f"{where}.{key}: missing")
                continue
            value = data[key]
            if kind is str and isinstance(value, str):
                value = value.strip()
                if not value:
                    self.problems.append(f"{where}.{key}: must not be empty")
                    continue
            elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                self.problems.append(f"{where}.{key}: expected {kind.__name__}")
                continue
            out[key] = value
        return out

    def names(self, data: dict, where: str, *keys: str) -> None:
        """Names, titles and labels are one line (practice.services.names)."""
        for key in keys:
            if has_control_characters(data.get(key, "")):
                self.problems.append(
                    f"{where}.{key}: must be one line, without line breaks, tabs or other "
                    "control characters"
                )

    @staticmethod
    def has_control(value: str) -> bool:
        return has_control_characters(value)

    def slug(self, value, where: str) -> None:
        if value is not None and not SLUG.match(value):
            self.problems.append(
                f"{where}: '{value}' is not a slug (lowercase letters, digits and hyphens)"
            )


def parse_program(text: str, source: str = "program", wording: str | None = None) -> ProgramSpec:
    """Validate a program file's text and return its spec, or raise ProgramFileError.

    ``wording`` names one of the file's ``[variables]`` choices (its default when None).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProgramFileError(source, place_problems(text, [f"not valid TOML: {error}"])) from None
    check = _Checker()
    data = resolve_variables(data, check, wording)
    top = check.table(data, "file", {"program": dict, "steps": list})
    head = (
        {}
        if "program" not in top
        else check.table(
            top["program"],
            "program",
            {"slug": str, "name": str, "version": int, "roles": list},
            {"description": str},
        )
    )
    check.slug(head.get("slug"), "program.slug")
    check.names(head, "program", "name")

    roles = []
    for i, raw in enumerate(head.get("roles", [])):
        role = check.table(raw, f"program.roles[{i}]", {"key": str, "label": str})
        check.names(role, f"program.roles[{i}]", "label")
        if role.get("key") == BOTH:
            check.problems.append(f"program.roles[{i}].key: 'both' is reserved")
        roles.append(role)
    role_keys = [r.get("key") for r in roles]
    if head and len(roles) != 2:
        check.problems.append("program.roles: a couples program names exactly two roles")
    if len(set(role_keys)) != len(role_keys):
        check.problems.append("program.roles: role keys must differ")

    steps, step_slugs, exercise_slugs = [], set(), set()
    if "steps" in top and not top["steps"]:
        check.problems.append("steps: a program needs at least one step")
    for i, raw in enumerate(top.get("steps", [])):
        where = f"steps[{i}]"
        step = check.table(
            raw, where, {"slug": str, "title": str, "exercises": list}, {"guidance": str}
        )
        check.slug(step.get("slug"), f"{where}.slug")
        check.names(step, where, "title")
        if step.get("slug") in step_slugs:
            check.problems.append(f"{where}.slug: '{step['slug']}' is used twice")
        step_slugs.add(step.get("slug"))
        exercises = []
        if "exercises" in step and not step["exercises"]:
            check.problems.append(f"{where}.exercises: a step needs at least one exercise")
        for j, raw_exercise in enumerate(step.get("exercises", [])):
            exercises.append(
                _exercise(check, raw_exercise, f"{where}.exercises[{j}]", role_keys, exercise_slugs)
            )
        steps.append(
            StepSpec(
                step.get("slug", ""), step.get("title", ""), step.get("guidance", ""), exercises
            )
        )

    if check.problems:
        raise ProgramFileError(source, place_problems(text, check.problems))
    return ProgramSpec(
        head["slug"], head["name"], head["version"], head.get("description", ""), roles, steps
    )


def _exercise(check: _Checker, raw, where: str, role_keys: list, seen: set) -> ExerciseSpec:
    item = check.table(
        raw,
        where,
        {"slug": str, "title": str, "audience": str, "instructions": str, "prompts": list},
        {
            "ratings": list,
            "reveal_together": bool,
            "repeat": str,
            "due_in_days": int,
        },
    )
    check.slug(item.get("slug"), f"{where}.slug")
    check.names(item, where, "title")
    if item.get("slug") in seen:
        check.problems.append(f"{where}.slug: '{item['slug']}' is used twice in the program")
    seen.add(item.get("slug"))
    audience = item.get("audience")
    if audience is not None and audience != BOTH and audience not in role_keys:
        allowed = ", ".join([BOTH, *[k for k in role_keys if k]])
        check.problems.append(f"{where}.audience: '{audience}' is not one of {allowed}")
    reveal_together = item.get("reveal_together", False)
    if reveal_together and (audience or BOTH) != BOTH:
        check.problems.append(
            f"{where}.reveal_together: only an exercise meant for both partners can be "
            "revealed together"
        )
    prompts = item.get("prompts", [])
    if "prompts" in item and not prompts:
        check.problems.append(f"{where}.prompts: an exercise needs at least one prompt")
    parsed = [kinds.parse_prompt(check, p, f"{where}.prompts[{k}]") for k, p in enumerate(prompts)]
    extras = kinds.parse_exercise_extras(check, item, where)
    ratings, keys = [], set()
    for k, raw_rating in enumerate(item.get("ratings", [])):
        rating = check.table(
            raw_rating,
            f"{where}.ratings[{k}]",
            {"key": str, "label": str, "low": str, "high": str},
            {"required": bool},
        )
        if not rating.get("required", True):
            del rating["required"]  # optional is what a rating always was: stored as before
        check.names(rating, f"{where}.ratings[{k}]", "label", "low", "high")
        key = rating.get("key")
        if key is not None and not RATING_KEY.match(key):
            check.problems.append(f"{where}.ratings[{k}].key: '{key}' must be a lowercase word")
        if key in keys:
            check.problems.append(f"{where}.ratings[{k}].key: '{key}' is asked twice")
        keys.add(key)
        ratings.append(rating)
    return ExerciseSpec(
        item.get("slug", ""),
        item.get("title", ""),
        audience or BOTH,
        item.get("instructions", ""),
        [text for text, _ in parsed],
        ratings,
        reveal_together,
        kinds.stored_kinds([spec for _, spec in parsed]),
        **extras,
    )


def read_program_file(path: Path) -> ProgramSpec:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProgramFileError(str(path), [f"cannot be read: {error}"]) from None
    return parse_program(text, str(path), practice_wording())


def load_program(spec: ProgramSpec) -> tuple[Program, str]:
    """Create or update the program by slug; returns it and "created", "updated" or "unchanged".

    Steps and exercises are matched by slug. Nothing is deleted: assignments keep their
    own copy of the text anyway, and an exercise in use stays available.
    """
    program = session.scalar(
        select(Program)
        .where(Program.slug == spec.slug)
        .options(selectinload(Program.steps).selectinload(Step.exercises))
    )
    outcome = "unchanged"
    if program is None:
        program = Program(slug=spec.slug, name=spec.name, roles=[], steps=[])
        session.add(program)
        outcome = "created"

    def assign(obj, **values):
        nonlocal outcome
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                if outcome == "unchanged":
                    outcome = "updated"

    assign(
        program,
        name=spec.name,
        description=spec.description,
        version=spec.version,
        roles=spec.roles,
    )
    steps_by_slug = {step.slug: step for step in program.steps}
    for position, step_spec in enumerate(spec.steps, start=1):
        step = steps_by_slug.get(step_spec.slug)
        if step is None:
            step = Step(slug=step_spec.slug, position=position, title=step_spec.title, exercises=[])
            program.steps.append(step)
            outcome = "created" if outcome == "created" else "updated"
        assign(step, position=position, title=step_spec.title, guidance=step_spec.guidance)
        exercises_by_slug = {exercise.slug: exercise for exercise in step.exercises}
        for index, ex_spec in enumerate(step_spec.exercises, start=1):
            exercise = exercises_by_slug.get(ex_spec.slug)
            if exercise is None:
                exercise = Exercise(
                    slug=ex_spec.slug, position=index, title=ex_spec.title, prompts=[], ratings=[]
                )
                step.exercises.append(exercise)
                outcome = "created" if outcome == "created" else "updated"
            assign(
                exercise,
                position=index,
                title=ex_spec.title,
                audience=ex_spec.audience,
                instructions=ex_spec.instructions,
                prompts=ex_spec.prompts,
                ratings=ex_spec.ratings,
                reveal_together=ex_spec.reveal_together,
                prompt_kinds=ex_spec.prompt_kinds,
                repeat=ex_spec.repeat,
                due_in_days=ex_spec.due_in_days,
            )
    session.flush()
    return program, outcome


def load_founding_program() -> tuple[Program, str]:
    return load_program(read_program_file(paths.FOUNDING_PROGRAM))


def founding_program_loaded() -> bool:
    """Whether the founding program is in the database at the version its file has."""
    spec = read_program_file(paths.FOUNDING_PROGRAM)
    stored = session.scalar(select(Program.version).where(Program.slug == spec.slug))
    return stored is not None and stored == spec.version


# --- program variables ---
# A file may name words the practice chooses once, rather than copy the program to change
# them: the founding program says "compulsive sexual behaviour" or "porn use" as the
# practice prefers. The chosen words are written into the texts when the file is loaded, so
# the exercises, and every assignment's copy of them, hold the words themselves.
#
#     [variables]
#     default = "compulsive-sexual-behaviour"
#     [variables.choices.compulsive-sexual-behaviour]
#     label = "Compulsive sexual behaviour"
#     behaviour = "compulsive sexual behaviour"
#
# and "{behaviour}" in any text. A file without [variables] is read exactly as before.

PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]*)\}")


def resolve_variables(data, check: _Checker, wording: str | None = None):
    """Take the file's [variables] table out of ``data`` and put the words of the chosen
    choice (``wording``, else the file's default) in every text; problems go to ``check``."""
    if not isinstance(data, dict) or "variables" not in data:
        return data
    data = dict(data)
    table = check.table(data.pop("variables"), "variables", {"default": str, "choices": dict})
    choices = table.get("choices", {})
    if "choices" in table and not choices:
        check.problems.append("variables.choices: name at least one choice")
    names = None
    for key, choice in choices.items():
        where = f"variables.choices.{key}"
        check.slug(key, where)
        if not isinstance(choice, dict):
            check.problems.append(f"{where}: expected a table")
            continue
        if not isinstance(choice.get("label"), str) or not choice["label"].strip():
            check.problems.append(f"{where}.label: missing")
        words = {k: v for k, v in choice.items() if k != "label"}
        for name, value in words.items():
            if not RATING_KEY.match(name):
                check.problems.append(f"{where}.{name}: a variable's name is a lowercase word")
            if not isinstance(value, str) or not value.strip():
                check.problems.append(f"{where}.{name}: expected a non-empty text")
            elif has_control_characters(value):
                check.problems.append(f"{where}.{name}: must be one line")
        if names is None:
            names = set(words)
        elif set(words) != names:
            check.problems.append(
                f"{where}: names {', '.join(sorted(words)) or 'no words'}, where the other "
                f"choices name {', '.join(sorted(names))}"
            )
    default = table.get("default")
    if default is not None and choices and default not in choices:
        check.problems.append(f"variables.default: '{default}' is not one of {', '.join(choices)}")
    chosen = wording or default
    if wording is not None and choices and wording not in choices:
        check.problems.append(
            f"variables: the practice's wording '{wording}' (PRACTICE_PROGRAM_WORDING) is not "
            f"one of {', '.join(choices)}"
        )
    words = choices.get(chosen) if isinstance(choices.get(chosen), dict) else {}
    words = {k: v.strip() for k, v in words.items() if k != "label" and isinstance(v, str)}
    return _fill(data, "", words, check, names or set())


def _fill(value, where: str, words: dict, check: _Checker, named: set):
    """``value`` with every ``{name}`` replaced; an unknown name is a problem at its place.
    A name the choices define but no valid choice fills (a wrong default or wording, told
    once above) is left as it is, so one mistake is not reported at every text."""
    if isinstance(value, dict):
        return {
            k: _fill(v, f"{where}.{k}" if where else k, words, check, named)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fill(v, f"{where}[{i}]", words, check, named) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def word(match):
        name = match.group(1)
        if name in words:
            return words[name]
        if name in named:
            return match.group(0)
        known = ", ".join(f"{{{n}}}" for n in sorted(words or named)) or "none"
        check.problems.append(f"{where}: unknown placeholder '{{{name}}}' (known: {known})")
        return match.group(0)

    return PLACEHOLDER.sub(word, value)


# --- bundled programs ---
# The programs that ship with Practice, loaded on first run. The founding program's first
# version stays as it is for the couples already in it; its revision is a program of its
# own (its own slug), so loading it never changes a couple's program, steps or assignments.
BUNDLED_PROGRAMS = (
    paths.FOUNDING_PROGRAM,
    paths.PROGRAMS_DIR / "rebuilding_trust_2.toml",
    paths.PROGRAMS_DIR / "talking_and_listening.toml",
)


def practice_wording() -> str | None:
    """The practice's choice of wording for program variables (PRACTICE_PROGRAM_WORDING)."""
    from flask import current_app, has_app_context

    return current_app.config.get("PRACTICE_PROGRAM_WORDING") if has_app_context() else None


def read_bundled_programs() -> list[ProgramSpec]:
    wording = practice_wording()
    specs = []
    for path in BUNDLED_PROGRAMS:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ProgramFileError(str(path), [f"cannot be read: {error}"]) from None
        specs.append(parse_program(text, str(path), wording))
    return specs


def load_bundled_programs() -> list[tuple[Program, str]]:
    """Load every bundled program (first run, `upgrade-db`, the demo); idempotent."""
    return [load_program(spec) for spec in read_bundled_programs()]


def bundled_programs_loaded() -> bool:
    """Whether every bundled program is in the database at the version its file has, in the
    practice's wording (the description carries the words, so a changed
    PRACTICE_PROGRAM_WORDING reloads the texts at the next start)."""
    wanted = {spec.slug: (spec.version, spec.description) for spec in read_bundled_programs()}
    rows = session.execute(
        select(Program.slug, Program.version, Program.description).where(
            Program.slug.in_(list(wanted))
        )
    ).all()
    return {slug: (version, description) for slug, version, description in rows} == wanted
