"""Program files for tests: the founding program with every prompt kind in one exercise."""

from practice import paths

FOUNDING = paths.FOUNDING_PROGRAM.read_text(encoding="utf-8")
OLD_PROMPTS = """prompts = [
  "How often would you like updates to happen, and when is a good time for them?",
  "What kind of detail helps you, and what kind of detail does not?",
  "What did you agree on together, and what still feels unsettled?",
]
"""
NEW_PROMPTS = """prompts = [
  { text = "In a few words, how did this week feel?", kind = "short", required = true },
  { text = "Did you keep to the update time you agreed?", kind = "yes_no", required = true },
  { text = "Which evening suits you best?", kind = "choice", options = ["Sunday", "Wednesday"] },
  "What did you agree on together, and what still feels unsettled?",
]
repeat = "weekly"
due_in_days = 7
"""
assert FOUNDING.count(OLD_PROMPTS) == 1
WITH_KINDS = FOUNDING.replace(OLD_PROMPTS, NEW_PROMPTS)
