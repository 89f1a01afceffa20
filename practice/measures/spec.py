"""A measure file (TOML): read and check it (every problem, each with its line), write it
back, and score a set of answers by its rules. Plain data in and out: no database here.

The file (see the README, "Measures"): ``[measure]`` names it, with its version, whether it
is a validated instrument (and then its citation and licence), and the answer options its
items share; ``[[items]]`` are the questions, each with a key, its text, and optionally its
own options, ``reverse = true`` and ``risk_above = N``; ``[[scales]]`` are the scores, each
the sum or mean of some items, with its range, and optionally a clinical cutoff and the
smallest change that counts as reliable.
"""

import json
import re
import tomllib
from dataclasses import dataclass

from practice.programs.loader import SLUG
from practice.services.names import has_control_characters

KEY = re.compile(r"^[a-z][a-z0-9_]*$")
METHODS = ("sum", "mean")
HIGHER_IS = ("better", "worse")
CLINICAL = ("at-or-above", "at-or-below")
MAX_ITEMS = 200


class MeasureFileError(ValueError):
    """A measure file that cannot be loaded; ``problems`` lists every reason, with its line."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _Lines:
    """Where each table and key of the file starts, so a problem names its line. TOML's
    reader gives no positions: the headers and ``key =`` lines are read here instead."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
    ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str):
        self.at: dict[tuple, int] = {}
        counts: dict[tuple, int] = {}
        current: tuple = ()
        in_multiline = False
        for number, line in enumerate(text.splitlines(), 1):
            if in_multiline:
                if line.count('"""') % 2 == 1:
                    in_multiline = False
                continue
            header = self.HEADER.match(line)
            if header:
                names = header.group(2).split(".")
                path: tuple = ()
                for name in names[:-1]:
                    path += (name,)
                    if path in counts:
                        path += (counts[path] - 1,)
                path += (names[-1],)
                if header.group(1) == "[[":
                    counts[path] = counts.get(path, 0) + 1
                    # A new table resets the counts of the arrays inside the previous one.
                    for key in [k for k in counts if len(k) > len(path) and k[: len(path)] == path]:
                        del counts[key]
                    self.at.setdefault(path, number)
                    path += (counts[path] - 1,)
                current = path
                self.at.setdefault(current, number)
                continue
            assign = self.ASSIGN.match(line)
            if assign:
                self.at.setdefault(current + (assign.group(1),), number)
                if line.count('"""') % 2 == 1:
                    in_multiline = True

    def line(self, path: tuple) -> int | None:
        for end in range(len(path), 0, -1):
            if path[:end] in self.at:
                return self.at[path[:end]]
        return None


class _Checker:
    def __init__(self, lines: _Lines):
        self.lines = lines
        self.found: list[tuple[int, str]] = []

    def problem(self, path: tuple, message: str) -> None:
        line = self.lines.line(path)
        where = f"line {line}: " if line else ""
        self.found.append((line or 0, f"{where}{_dotted(path)}: {message}"))

    def table(self, data, path: tuple, required: dict, optional: dict) -> dict:
        if not isinstance(data, dict):
            self.problem(path, "expected a table")
            return {}
        for key in data:
            if key not in required and key not in optional:
                self.problem(path + (key,), "unknown key")
        out = {}
        for key, kind in {**required, **optional}.items():
            if key not in data:
                if key in required:
                    self.problem(path + (key,), "missing")
                continue
            value = data[key]
            if kind == "number":
                if not _number(value):
                    self.problem(path + (key,), "expected a number")
                    continue
            elif kind is str:
                if not isinstance(value, str) or not value.strip():
                    self.problem(path + (key,), "expected a text that is not empty")
                    continue
                value = value.strip()
            elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                self.problem(
                    path + (key,), f"expected {'a whole number' if kind is int else kind.__name__}"
                )
                continue
            out[key] = value
        return out

    def key(self, data: dict, path: tuple, seen: set):
        """An item's or scale's key: a lowercase word, used once."""
        key = data.get("key")
        if key is not None and not KEY.match(key):
            self.problem(path + ("key",), "use a lowercase word (letters, digits, _)")
        if key in seen:
            self.problem(path + ("key",), f"'{key}' is used twice")
        seen.add(key)
        return key

    def one_line(self, data: dict, path: tuple, *keys: str) -> None:
        for key in keys:
            if has_control_characters(data.get(key, "")):
                self.problem(path + (key,), "must be one line, without line breaks or tabs")


def _options(check: _Checker, raw, path: tuple) -> list[dict]:
    if not isinstance(raw, list):
        check.problem(path, "expected a list of options")
        return []
    options, values = [], set()
    for i, item in enumerate(raw):
        option = check.table(item, path + (i,), {"value": int, "label": str}, {})
        check.one_line(option, path + (i,), "label")
        if "value" in option:
            if option["value"] in values:
                check.problem(path + (i, "value"), f"{option['value']} is used twice")
            values.add(option["value"])
        if len(option) == 2:
            options.append(option)
    if len(raw) < 2:
        check.problem(path, "give at least two answer options")
    return options


def parse_measure(text: str, source: str = "measure") -> dict:
    """Check a measure file's text and return its spec (plain, JSON-ready data), or raise
    MeasureFileError listing every problem, by line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MeasureFileError(source, [f"not valid TOML: {error}"]) from None
    check = _Checker(_Lines(text))
    top = check.table(data, (), {"measure": dict, "items": list, "scales": list}, {})
    head = (
        check.table(
            top.get("measure", {}),
            ("measure",),
            {"slug": str, "name": str, "version": int, "validated": bool},
            {"instructions": str, "citation": str, "licence": str, "options": list},
        )
        if "measure" in top
        else {}
    )
    if "slug" in head and not SLUG.match(head["slug"]):
        check.problem(("measure", "slug"), "use lowercase letters, digits and hyphens")
    if "version" in head and head["version"] < 1:
        check.problem(("measure", "version"), "versions start at 1")
    check.one_line(head, ("measure",), "name")
    if head.get("validated"):
        for key in ("citation", "licence"):
            if key not in head:
                check.problem(("measure", key), "a validated instrument names its " + key)
    shared = _options(check, head["options"], ("measure", "options")) if "options" in head else None
    if shared is not None:
        head["options"] = shared

    items, keys = [], set()
    raw_items = top.get("items", [])
    if "items" in top and not raw_items:
        check.problem(("items",), "a measure needs at least one item")
    if len(raw_items) > MAX_ITEMS:
        check.problem(("items",), f"at most {MAX_ITEMS} items")
    for i, raw in enumerate(raw_items):
        path = ("items", i)
        item = check.table(
            raw,
            path,
            {"key": str, "text": str},
            {"reverse": bool, "risk_above": "number", "options": list},
        )
        check.one_line(item, path, "text")
        key = check.key(item, path, keys)
        own = _options(check, item["options"], path + ("options",)) if "options" in item else None
        options = own if own is not None else shared
        if options is None and isinstance(raw, dict) and "options" not in raw:
            check.problem(path + ("options",), "missing (give them here or in [[measure.options]])")
        values = [o["value"] for o in options or []]
        if "risk_above" in item and values and item["risk_above"] >= max(values):
            check.problem(path + ("risk_above",), f"no answer is above {item['risk_above']}")
        entry = {"key": key or "", "text": item.get("text", "")}
        if item.get("reverse"):
            entry["reverse"] = True
        if "risk_above" in item:
            entry["risk_above"] = item["risk_above"]
        if own is not None:
            entry["options"] = own
        entry["_values"] = values
        items.append(entry)

    by_key = {item["key"]: item for item in items}
    scales, scale_keys = [], set()
    if "scales" in top and not top["scales"]:
        check.problem(("scales",), "a measure needs at least one scale (its score)")
    for i, raw in enumerate(top.get("scales", [])):
        scales.append(_scale(check, raw, ("scales", i), by_key, scale_keys))

    if check.found:
        raise MeasureFileError(source, [m for _, m in sorted(check.found, key=lambda f: f[0])])
    for item in items:
        del item["_values"]
    spec = {"measure": {k: head[k] for k in _HEAD_ORDER if k in head}, "items": items}
    spec["scales"] = scales
    return spec


def _scale(check: _Checker, raw, path: tuple, by_key: dict, seen: set) -> dict:
    scale = check.table(
        raw,
        path,
        {"key": str, "label": str, "items": list, "method": str, "higher_is": str},
        {"range": list, "cutoff": "number", "clinical": str, "reliable_change": "number"},
    )
    check.one_line(scale, path, "label")
    check.key(scale, path, seen)
    if "method" in scale and scale["method"] not in METHODS:
        check.problem(path + ("method",), "use 'sum' or 'mean'")
    if "higher_is" in scale and scale["higher_is"] not in HIGHER_IS:
        check.problem(path + ("higher_is",), "use 'better' or 'worse'")
    members = scale.get("items", [])
    if "items" in scale and not members:
        check.problem(path + ("items",), "a scale needs at least one item")
    for name in members:
        if name not in by_key:
            check.problem(path + ("items",), f"there is no item '{name}'")
    if len(set(map(str, members))) != len(members):
        check.problem(path + ("items",), "an item is listed twice")
    known = [by_key[n] for n in members if n in by_key and by_key[n]["_values"]]
    low = high = None
    if known and len(known) == len(members) and scale.get("method") in METHODS:
        low = sum(min(i["_values"]) for i in known)
        high = sum(max(i["_values"]) for i in known)
        if scale["method"] == "mean":
            low, high = _tidy(low / len(known)), _tidy(high / len(known))
    given = scale.get("range")
    if given is not None and low is not None:
        if len(given) != 2 or not all(_number(v) for v in given):
            check.problem(path + ("range",), "give the lowest and highest score, like [0, 30]")
        elif list(given) != [low, high]:
            check.problem(path + ("range",), f"the items give {_num(low)} to {_num(high)}")
    if "cutoff" in scale and low is not None and not low <= scale["cutoff"] <= high:
        check.problem(path + ("cutoff",), f"must lie within {_num(low)} to {_num(high)}")
    if ("cutoff" in scale) != ("clinical" in scale):
        missing = "clinical" if "cutoff" in scale else "cutoff"
        check.problem(path + (missing,), "a cutoff and its clinical side go together")
    if "clinical" in scale and scale["clinical"] not in CLINICAL:
        check.problem(path + ("clinical",), "use 'at-or-above' or 'at-or-below'")
    change = scale.get("reliable_change")
    if change is not None and (change <= 0 or (low is not None and change > high - low)):
        check.problem(path + ("reliable_change",), "must be more than 0 and within the range")
    out = {k: scale[k] for k in _SCALE_ORDER if k in scale}
    if low is not None:
        out["range"] = [low, high]
    return out


def _tidy(value: float):
    """A mean as the file would write it: 2 rather than 2.0, 0.67 for two thirds."""
    value = round(value, 2)
    return int(value) if float(value).is_integer() else value


def _num(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# --- writing a spec back ----------------------------------------------------------------------

_HEAD_ORDER = (
    "slug",
    "name",
    "version",
    "validated",
    "instructions",
    "citation",
    "licence",
    "options",
)
_SCALE_ORDER = (
    "key",
    "label",
    "items",
    "method",
    "higher_is",
    "range",
    "cutoff",
    "clinical",
    "reliable_change",
)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    # A JSON string is a TOML basic string, once DEL is escaped too.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")


def _options_toml(header: str, options: list[dict]) -> list[str]:
    out = []
    for option in options:
        out += ["", f"[[{header}]]", f"value = {_value(option['value'])}"]
        out.append(f"label = {_value(option['label'])}")
    return out


def export_measure(spec: dict) -> str:
    """The spec as a measure file, in the layout the README shows: loading what this writes
    gives the same spec, and a file written in this layout comes back byte for byte."""
    head = spec["measure"]
    out = ["[measure]"]
    out += [f"{k} = {_value(head[k])}" for k in _HEAD_ORDER if k in head and k != "options"]
    if "options" in head:
        out += _options_toml("measure.options", head["options"])
    for item in spec["items"]:
        out += ["", "[[items]]", f"key = {_value(item['key'])}", f"text = {_value(item['text'])}"]
        out += [f"{k} = {_value(item[k])}" for k in ("reverse", "risk_above") if k in item]
        if "options" in item:
            out += _options_toml("items.options", item["options"])
    for scale in spec["scales"]:
        out += ["", "[[scales]]"] + [
            f"{k} = {_value(scale[k])}" for k in _SCALE_ORDER if k in scale
        ]
    return "\n".join(out) + "\n"


# --- scoring ----------------------------------------------------------------------------------


def options_of(spec: dict, item: dict) -> list[dict]:
    return item.get("options") or spec["measure"]["options"]


def risk_items(spec: dict, answers: dict) -> list[str]:
    """The risk items answered above their threshold (the raw answer, before any reversal)."""
    return [
        item["key"]
        for item in spec["items"]
        if "risk_above" in item and answers.get(item["key"], float("-inf")) > item["risk_above"]
    ]


def check_answers(spec: dict, answers: dict) -> str | None:
    """The first item left unanswered or answered with a value it does not offer, or None."""
    for item in spec["items"]:
        if answers.get(item["key"]) not in [o["value"] for o in options_of(spec, item)]:
            return item["key"]
    return None


def item_value(spec: dict, item: dict, answer: int) -> int:
    """An answer's value in the scale's direction: a reverse item counts from the other end."""
    if not item.get("reverse"):
        return answer
    values = [o["value"] for o in options_of(spec, item)]
    return min(values) + max(values) - answer


def scores(spec: dict, answers: dict) -> dict:
    """Each scale's score for complete answers (check_answers first)."""
    items = {item["key"]: item for item in spec["items"]}
    out = {}
    for scale in spec["scales"]:
        values = [item_value(spec, items[k], answers[k]) for k in scale["items"]]
        total = sum(values)
        out[scale["key"]] = total if scale["method"] == "sum" else _tidy(total / len(values))
    return out


@dataclass(frozen=True)
class Change:
    """A partner's change on a scale, from their first score to their latest."""

    first: float
    latest: float
    reliable: bool
    better: bool | None  # None: no reliable change

    @property
    def words(self) -> str:
        if not self.reliable:
            return "no reliable change"
        return "a reliable improvement" if self.better else "a reliable worsening"


def change(scale: dict, first: float, latest: float) -> Change | None:
    """Whether the change counts as reliable, where the scale defines it."""
    threshold = scale.get("reliable_change")
    if threshold is None:
        return None
    difference = latest - first
    reliable = abs(difference) >= threshold
    better = None if not reliable else (difference > 0) == (scale["higher_is"] == "better")
    return Change(first, latest, reliable, better)


def in_clinical_range(scale: dict, score: float) -> bool | None:
    """Whether a score lies on the clinical side of the cutoff; None without a cutoff."""
    if "cutoff" not in scale:
        return None
    if scale["clinical"] == "at-or-above":
        return score >= scale["cutoff"]
    return score <= scale["cutoff"]
