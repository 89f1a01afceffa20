"""Spotting reflections that mention risk, so the practitioner reads them first.

A small curated list, matched on whole words and phrases, case-insensitively. It is a
prompt for a human to look, not a judgement: it errs towards showing a reflection early.
"""

import re

RISK_TERMS = (
    # self-harm and suicide
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "want to die",
    "better off dead",
    "self-harm",
    "self harm",
    "harm myself",
    "hurt myself",
    "hurting myself",
    "cut myself",
    "cutting myself",
    "overdose",
    # violence
    "violence",
    "violent",
    "hit me",
    "hits me",
    "hitting me",
    "hit her",
    "hit him",
    "choked",
    "choking me",
    "strangled",
    "threatened me",
    "threatens me",
    "kill you",
    "kill him",
    "kill her",
    "weapon",
    "gun",
    "knife",
    "abused me",
    "afraid for my safety",
)

_PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in RISK_TERMS) + r")(?!\w)",
    re.IGNORECASE,
)


def risk_terms(*texts: str) -> list[str]:
    """The risk terms that appear in the texts, each once, in list order."""
    found = {re.sub(r"\s+", " ", m.group(1).lower()) for t in texts for m in _PATTERN.finditer(t)}
    return [term for term in RISK_TERMS if term in found]
