"""The audit trail: who did what to which record, when and from where. Append-only.

INTERFACE (implemented by the audit-log work): call ``record`` from views and services
inside the request's transaction; the entry commits with the change it describes. For
sign-in failures and other refusals that commit nothing else, call ``record`` and then
``practice.db.commit()``.
"""


def record(
    action: str,
    *,
    user=None,
    subject: str | None = None,
    subject_id: int | None = None,
    couple_id: int | None = None,
    detail: str = "",
) -> None:
    """Append one entry. ``action`` is a short dotted name such as "signin.failed",
    "couple.viewed", "reflection.submitted", "session.signed"; ``user`` defaults to the
    signed-in user; ``subject``/``subject_id`` name the record ("couple", 12)."""
    return None
