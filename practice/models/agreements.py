"""The confidentiality policy: the practice's own wording for each kind of policy."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from practice.models.base import Base, utcnow


class PolicyKind(StrEnum):
    NO_SECRETS = "no-secrets"
    LIMITED_SECRETS = "limited-secrets"
    SECRETS_KEPT = "secrets-kept"


POLICY_LABELS = {
    PolicyKind.NO_SECRETS: "No secrets",
    PolicyKind.LIMITED_SECRETS: "Limited secrets",
    PolicyKind.SECRETS_KEPT: "Secrets kept",
}


class PolicyWording(Base):
    """The practice's wording of one kind of policy. Absent: the built-in default applies.

    Couples keep their own copy of the wording they were given, so editing this never
    rewrites an agreement already made.
    """

    __tablename__ = "practice_policy_wordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), unique=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("practice_users.id"))
