"""Prompt kinds, suggested repeat and due offset on exercises; kinds kept with assignments

Revision ID: ca95c633b7f7
Revises: c0d076b2a6d0
Create Date: 2026-12-04 21:44:59.553035

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "ca95c633b7f7"
down_revision = "c0d076b2a6d0"
branch_labels = None
depends_on = None


def upgrade():
    # Empty kinds: every prompt long text and optional, as every exercise assigned so far.
    with op.batch_alter_table("practice_assignments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prompt_kinds", sa.JSON(), server_default="[]", nullable=False)
        )

    with op.batch_alter_table("practice_exercises", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prompt_kinds", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(
            sa.Column("repeat", sa.String(length=10), server_default="once", nullable=False)
        )
        batch_op.add_column(sa.Column("due_in_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("practice_exercises", schema=None) as batch_op:
        batch_op.drop_column("due_in_days")
        batch_op.drop_column("repeat")
        batch_op.drop_column("prompt_kinds")

    with op.batch_alter_table("practice_assignments", schema=None) as batch_op:
        batch_op.drop_column("prompt_kinds")
