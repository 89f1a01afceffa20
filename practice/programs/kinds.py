"""The kinds of prompt an exercise asks, as a program file writes them and as they are stored.

A prompt in a program file is either a text (long text, optional: every file of old) or a
table: ``{ text = "...", kind = "short", required = true, options = [...] }``. 1-10 ratings
stay in the exercise's ``ratings`` (each may say ``required = true``).

Stored beside the prompt texts (``prompts`` stays a list of texts, so everything that shows
a prompt keeps working): ``prompt_kinds`` has one ``{"kind", "required", "options"}`` per
prompt, or is empty when every prompt is long text and optional.
"""

LONG, SHORT, YES_NO, CHOICE = "long", "short", "yes_no", "choice"
KINDS = (LONG, SHORT, YES_NO, CHOICE)
YES, NO = "yes", "no"
ANSWER_WORDS = {YES: "Yes", NO: "No"}
SHORT_LIMIT = 300
REPEATS = ("once", "daily", "weekly")
MAX_DUE_IN_DAYS = 365


def default_kind() -> dict:
    return {"kind": LONG, "required": False, "options": []}


def prompt_specs(item) -> list[dict]:
    """One kind per prompt of an exercise or an assignment, defaults filled in."""
    kinds = list(item.prompt_kinds or [])
    return [kinds[i] if i < len(kinds) else default_kind() for i in range(len(item.prompts))]


def stored_kinds(kinds: list[dict]) -> list[dict]:
    """What is stored: nothing when every prompt is long text and optional."""
    return [] if all(k == default_kind() for k in kinds) else kinds


def parse_prompt(check, raw, where: str) -> tuple[str, dict]:
    """A prompt of a program file: its text and its kind (problems go to ``check``)."""
    if isinstance(raw, str):
        if not raw.strip():
            check.problems.append(f"{where}: expected a non-empty text")
        return raw.strip(), default_kind()
    if not isinstance(raw, dict):
        check.problems.append(f"{where}: expected a non-empty text or a table with text and kind")
        return "", default_kind()
    item = check.table(raw, where, {"text": str}, {"kind": str, "required": bool, "options": list})
    kind = item.get("kind", LONG)
    if kind not in KINDS:
        check.problems.append(f"{where}.kind: '{kind}' is not one of {', '.join(KINDS)}")
    options = item.get("options", [])
    if kind == CHOICE:
        if len(options) < 2:
            check.problems.append(f"{where}.options: a choice lists at least two options")
        for k, option in enumerate(options):
            if not isinstance(option, str) or not option.strip():
                check.problems.append(f"{where}.options[{k}]: expected a non-empty text")
            elif check.has_control(option):
                check.problems.append(f"{where}.options[{k}]: must be one line")
        texts = [o.strip() for o in options if isinstance(o, str)]
        if len(set(texts)) != len(texts):
            check.problems.append(f"{where}.options: each option is listed once")
    elif "options" in item:
        check.problems.append(f"{where}.options: only a choice lists options")
    spec = {
        "kind": kind,
        "required": item.get("required", False),
        "options": [o.strip() for o in options if isinstance(o, str)] if kind == CHOICE else [],
    }
    return item.get("text", ""), spec


def parse_exercise_extras(check, item: dict, where: str) -> dict:
    """The exercise's suggested repeat and due offset."""
    repeat = item.get("repeat", "once")
    if repeat not in REPEATS:
        check.problems.append(f"{where}.repeat: '{repeat}' is not one of {', '.join(REPEATS)}")
    due = item.get("due_in_days")
    if due is not None and not 1 <= due <= MAX_DUE_IN_DAYS:
        check.problems.append(f"{where}.due_in_days: a number of days from 1 to {MAX_DUE_IN_DAYS}")
    return {"repeat": repeat, "due_in_days": due}


def prompt_for_file(text: str, spec: dict):
    """A prompt as a program file writes it (the reverse of parse_prompt)."""
    if spec == default_kind():
        return text
    out = {"text": text}
    if spec["kind"] != LONG:
        out["kind"] = spec["kind"]
    if spec["required"]:
        out["required"] = True
    if spec["kind"] == CHOICE:
        out["options"] = list(spec["options"])
    return out


# --- answers ---------------------------------------------------------------------------------


def answer_problem(spec: dict, answer: str) -> str | None:
    """Why this answer does not fit its prompt's kind, or None."""
    if not answer:
        return None
    if spec["kind"] == SHORT and (len(answer) > SHORT_LIMIT or "\n" in answer):
        return f"Keep this to one line of at most {SHORT_LIMIT} characters."
    if spec["kind"] == YES_NO and answer not in ANSWER_WORDS:
        return "Choose yes or no."
    if spec["kind"] == CHOICE and answer not in spec["options"]:
        return "Choose one of the options."
    return None


def shown_answer(spec: dict, answer: str) -> str:
    """An answer as a reader sees it: "Yes" rather than the stored "yes"."""
    if spec["kind"] == YES_NO:
        return ANSWER_WORDS.get(answer, answer)
    return answer
