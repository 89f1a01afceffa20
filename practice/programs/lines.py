"""Where in a program file each problem is: the line of the key or table it names.

tomllib gives no positions, so this reads the file's lines itself: table headers
(``[program]``, ``[[steps]]``, ``[[steps.exercises]]``...), keys, and the items of arrays
written one per line. Problems name their place as the loader does
(``steps[1].exercises[0].prompts[2]: ...``); the nearest place found gives the line.
"""

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\]?\s*(#.*)?$")
KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=\s*(.*)$")
TOML_AT = re.compile(r"\(at line (\d+), column \d+\)")


def key_lines(text: str) -> dict[str, int]:
    """Each place (``program.roles[1].label``) with the line it starts on (from 1)."""
    places: dict[str, int] = {}
    resolved: dict[str, str] = {}  # a header's dotted name -> its place now
    counts: dict[str, int] = {}
    table = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        header = HEADER.match(line)
        if header and not KEY.match(line):
            name = header.group(2).replace(" ", "")
            parent, _, last = name.rpartition(".")
            base = resolved.get(parent, parent)
            path = f"{base}.{last}" if base else last
            if header.group(1) == "[[":
                index = counts.get(path, 0)
                counts[path] = index + 1
                path = f"{path}[{index}]"
            resolved[name] = path
            places.setdefault(path, number)
            table = path
            i += 1
            continue
        key = KEY.match(line)
        if key:
            path = f"{table}.{key.group(1)}" if table else key.group(1)
            places.setdefault(path, number)
            value = key.group(2).strip()
            i = _skip_value(lines, i, value, path, places)
            continue
        i += 1
    return places


def _skip_value(lines, i, value, path, places) -> int:
    """Past a value that may run over lines; the items of an array get their own lines."""
    for quotes in ('"""', "'''"):
        if value.startswith(quotes) and value.count(quotes) == 1:
            i += 1
            while i < len(lines) and quotes not in lines[i]:
                i += 1
            return i + 1
    if value.startswith("[") and not _closes(value):
        # Walk the array's characters: an item starts at depth 1 after "[" or a comma.
        item, depth, quote, expecting = 0, 0, None, False
        number, text = i, value
        while True:
            for ch in text:
                if quote:
                    if ch == quote:
                        quote = None
                    continue
                if ch == "#":
                    break
                if ch in "[{":
                    depth += 1
                    if depth == 1:
                        expecting = True
                        continue
                elif ch in "]}":
                    depth -= 1
                    if depth == 0:
                        return number + 1
                    continue
                elif ch == "," and depth == 1:
                    expecting = True
                    continue
                if expecting and not ch.isspace():
                    places.setdefault(f"{path}[{item}]", number + 1)
                    item += 1
                    expecting = False
                if ch in "\"'":
                    quote = ch
            number += 1
            if number >= len(lines):
                return number
            text = lines[number]
    return i + 1


def _closes(value: str) -> bool:
    depth, quote = 0, None
    for ch in value:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return depth <= 0


def line_of(place: str, places: dict[str, int]) -> int | None:
    """The line of a place, or of the nearest place that holds it."""
    while place:
        if place in places:
            return places[place]
        cut = max(place.rfind("."), place.rfind("["))
        place = place[:cut] if cut > 0 else ""
    return None


def place_problems(text: str, problems: list[str]) -> list[str]:
    """Each problem starting with its line, "line 12: steps[0].title: must not be empty", in
    the order of the file."""
    places = key_lines(text)
    out = []
    for problem in problems:
        found = TOML_AT.search(problem)
        if found:
            out.append((int(found.group(1)), f"line {found.group(1)}: {problem}"))
            continue
        place, _, rest = problem.partition(": ")
        unknown = re.match(r"unknown key '([^']+)'", rest)
        if unknown:
            place = f"{place}.{unknown.group(1)}" if place != "file" else unknown.group(1)
        number = line_of(place, places)
        out.append((number or 0, f"line {number}: {problem}" if number else problem))
    # In the file's order, as an author reads it (the measure files' problems are too).
    return [problem for _, problem in sorted(out, key=lambda pair: pair[0])]
