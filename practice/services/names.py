"""Names are one line: a person's, the practice's, a couple's, a practitioner's credentials,
and in a program file its name, roles, steps and exercises.

A name reaches e-mail bodies, PDFs and headings; a line break or other control character
in it would add lines of someone else's choosing there, so it is refused with a message,
never silently dropped. What counts: Unicode's control characters (Cc: tab, CR, LF, NUL,
escape, the C1 range) and its line and paragraph separators. Everything else people write
names in (accents, right-to-left scripts, CJK, emoji with joiners) is a name.
"""

import re

from practice.services.errors import PracticeError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MESSAGE = "Keep it on one line: a name cannot hold line breaks, tabs or other control characters."


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text or ""))


def one_line(text: str, field: str | None = None) -> str:
    """``text`` when it is one line; else PracticeError, shown next to ``field``."""
    if has_control_characters(text):
        raise PracticeError(MESSAGE, field)
    return text


def as_one_line(text: str) -> str:
    """For output: a name stored before names were checked, as one line."""
    return " ".join(_CONTROL.sub(" ", text or "").split())
