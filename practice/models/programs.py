"""Programs of ordered steps, each with exercises. Programs are data loaded from files."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice.models.base import Base, utcnow

BOTH = "both"


class Program(Base):
    __tablename__ = "practice_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    # [{"key": "recovering", "label": "Partner in recovery"}, ...]
    roles: Mapped[list]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    steps: Mapped[list["Step"]] = relationship(
        back_populates="program", order_by="Step.position", cascade="all, delete-orphan"
    )

    def role_label(self, key: str) -> str:
        if key == BOTH:
            return "Both partners"
        return next((r["label"] for r in self.roles if r["key"] == key), key)


class Step(Base):
    __tablename__ = "practice_steps"
    __table_args__ = (UniqueConstraint("program_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("practice_programs.id"), index=True)
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(120))
    guidance: Mapped[str] = mapped_column(Text, default="")

    program: Mapped[Program] = relationship(back_populates="steps")
    exercises: Mapped[list["Exercise"]] = relationship(
        back_populates="step", order_by="Exercise.position", cascade="all, delete-orphan"
    )


class Exercise(Base):
    __tablename__ = "practice_exercises"
    __table_args__ = (UniqueConstraint("step_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("practice_steps.id"), index=True)
    position: Mapped[int]
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(160))
    audience: Mapped[str] = mapped_column(String(40), default=BOTH)
    instructions: Mapped[str] = mapped_column(Text, default="")
    prompts: Mapped[list]
    # [{"key": "trust", "label": "...", "low": "...", "high": "..."}], answered 1-10
    ratings: Mapped[list]
    # Each partner answers alone; both see both answers once both have submitted.
    reveal_together: Mapped[bool] = mapped_column(default=False, server_default=false())
    # One entry per prompt ({"kind", "required", "options"}, practice.programs.kinds), or
    # empty when every prompt is long text and optional, as a program file of old says.
    prompt_kinds: Mapped[list] = mapped_column(default=list, server_default="[]")
    # What the assign page suggests: how often it repeats, and a due date this many days on.
    repeat: Mapped[str] = mapped_column(String(10), default="once", server_default="once")
    due_in_days: Mapped[int | None]

    step: Mapped[Step] = relationship(back_populates="exercises")
