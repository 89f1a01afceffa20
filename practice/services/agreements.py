"""The couple's confidentiality policy: the practice's wording, the couple's copy, and each
partner's agreement to it."""

from sqlalchemy import select

from practice import privacy
from practice.db import session
from practice.models import POLICY_LABELS, Couple, Partner, PolicyKind, PolicyWording, utcnow
from practice.services import audit
from practice.services.errors import PracticeError

POLICY_TEXT_LENGTH = 4000

_SAFETY_LINE = (
    " Whatever the policy, if someone's safety is at serious risk, your practitioner may have "
    "to act on what they know, as the law asks of them."
)

DEFAULT_WORDING = {
    PolicyKind.NO_SECRETS: (
        "We work with the two of you as a couple. If one of you tells your practitioner "
        "something alone, in an individual session, a message or a private reflection, and it "
        "matters for the work you do together, your practitioner will not keep it from your "
        "partner. Private reflections are not passed on word for word, but your practitioner "
        "will help you bring forward what your partner needs to know. If you are not ready "
        "for something to be shared, say so before you tell it." + _SAFETY_LINE
    ),
    PolicyKind.LIMITED_SECRETS: (
        "Most of what either of you tells your practitioner alone stays private, private "
        "reflections included. One exception: a secret that keeps the couple's work from "
        "moving forward, such as an ongoing affair or a hidden behaviour you are working to "
        "stop. Your practitioner will then ask you to tell your partner yourself, within a "
        "time you agree on, and will help you do it. Your practitioner will not tell the "
        "secret for you, but may pause the joint work rather than keep it." + _SAFETY_LINE
    ),
    PolicyKind.SECRETS_KEPT: (
        "What either of you tells your practitioner alone stays between you and your "
        "practitioner: private reflections and individual sessions are never passed on to "
        "your partner, even when that makes the joint work harder. Your practitioner may "
        "encourage you to share something yourself, but the choice stays yours." + _SAFETY_LINE
    ),
}


# How what a partner shares reaches the other: part of the agreement both partners accept,
# chosen per couple by the practitioner (privacy.releases_through_practitioner).
SHARING_WORDS = {
    False: (
        "When one of you chooses to share a reflection with the other, your partner can read "
        "it here straight away, ratings included."
    ),
    True: (
        "When one of you chooses to share a reflection with the other, your practitioner "
        "reads it first. They then release it for your partner to read here, or keep it to "
        "talk through together in a session, and then it is not shown here. Until then your "
        "partner sees nothing of it. Answers you each give alone and see together are "
        "released together, ratings included."
    ),
}


def sharing_words(couple: Couple) -> str:
    """The agreement's words on how shares reach the other partner, for this couple now."""
    return SHARING_WORDS[privacy.releases_through_practitioner(couple)]


def agreed_sharing_words(partner: Partner) -> str:
    """The sharing words the partner agreed to (before the choice existed: at once)."""
    return partner.agreed_sharing_text or SHARING_WORDS[False]


def label(kind: str) -> str:
    return POLICY_LABELS.get(kind, "")


def wordings() -> dict[str, str]:
    """The practice's current wording of each kind, defaults filled in; one query."""
    saved = {w.kind: w.text for w in session.scalars(select(PolicyWording))}
    return {kind.value: saved.get(kind.value, DEFAULT_WORDING[kind]) for kind in PolicyKind}


def field_name(kind: str) -> str:
    """The form field that holds a kind's wording: "no-secrets" -> "no_secrets"."""
    return kind.replace("-", "_")


def check_wording(kind: str, text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PracticeError("Write the words couples will read for this policy.", field_name(kind))
    if len(text) > POLICY_TEXT_LENGTH:
        raise PracticeError(
            f"This is {len(text):,} characters; keep it to {POLICY_TEXT_LENGTH:,}.",
            field_name(kind),
        )
    return text


def save_wordings(texts: dict[str, str], by) -> list[str]:
    """Store the practice's wording; returns the kinds that changed. Agreements already made
    keep the words they were given."""
    checked = {}
    for kind in PolicyKind:
        checked[kind.value] = check_wording(kind.value, texts.get(kind.value, ""))
    saved = {w.kind: w for w in session.scalars(select(PolicyWording))}
    current = wordings()
    changed = []
    for kind, text in checked.items():
        if text == current[kind]:
            continue
        changed.append(kind)
        row = saved.get(kind)
        if row is None:
            session.add(PolicyWording(kind=kind, text=text, updated_by_id=by.id))
        else:
            row.text, row.updated_at, row.updated_by_id = text, utcnow(), by.id
    session.flush()
    return changed


def choose_policy(couple: Couple, kind: str) -> None:
    """Give the couple the practice's current wording of the chosen policy, as a copy."""
    if kind not in {k.value for k in PolicyKind}:
        raise PracticeError("Choose the couple's confidentiality policy.", "policy")
    couple.policy_kind = kind
    couple.policy_text = wordings()[kind]


def needs_agreement(partner: Partner | None) -> bool:
    """Whether the partner is still to agree: never agreed, or the practitioner has changed
    how shares reach the other partner since (the earlier agreement is kept as it was)."""
    if partner is None or not partner.couple.policy_text:
        return False
    return partner.agreed_at is None or agreed_sharing_words(partner) != sharing_words(
        partner.couple
    )


def agree(partner: Partner) -> None:
    """Keep the exact words the partner read and agreed to, and when."""
    partner.agreed_policy_kind = partner.couple.policy_kind
    partner.agreed_policy_text = partner.couple.policy_text
    partner.agreed_sharing_text = sharing_words(partner.couple)
    partner.agreed_at = utcnow()
    session.flush()
    audit.record(
        "agreement.agreed",
        user=partner.user,
        subject="partner",
        subject_id=partner.id,
        couple_id=partner.couple_id,
        # Each agreement is logged with how shares reach the partner, so an earlier one
        # stays on record when a changed setting is agreed again.
        detail=f"{partner.agreed_policy_kind}; shares "
        + (
            "through the practitioner"
            if privacy.releases_through_practitioner(partner.couple)
            else "at once"
        ),
    )
