"""Measures: each loaded version of a measure, the couples' schedules, the partners' answers

Revision ID: e28b2c92c0de
Revises: 8ca68e4aa3f1
Create Date: 2026-12-04 20:16:39.218354

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e28b2c92c0de"
down_revision = "8ca68e4aa3f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "practice_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_measures")),
        sa.UniqueConstraint("slug", "version", name=op.f("uq_practice_measures_slug_version")),
    )
    op.create_table(
        "practice_measure_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("measure_slug", sa.String(length=80), nullable=False),
        sa.Column("cadence", sa.String(length=20), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=True),
        sa.Column("from_day", sa.Date(), nullable=False),
        sa.Column("scores_shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["practice_couples.id"],
            name=op.f("fk_practice_measure_schedules_couple_id_practice_couples"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["practice_users.id"],
            name=op.f("fk_practice_measure_schedules_created_by_id_practice_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_measure_schedules")),
    )
    with op.batch_alter_table("practice_measure_schedules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_practice_measure_schedules_couple_id"), ["couple_id"], unique=False
        )

    op.create_table(
        "practice_measure_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("couple_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("risk", sa.Boolean(), nullable=False),
        sa.Column("risk_items", sa.Text(), nullable=False),
        sa.Column("risk_seen_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["couple_id"],
            ["practice_couples.id"],
            name=op.f("fk_practice_measure_responses_couple_id_practice_couples"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["practice_measures.id"],
            name=op.f("fk_practice_measure_responses_measure_id_practice_measures"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["practice_partners.id"],
            name=op.f("fk_practice_measure_responses_partner_id_practice_partners"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["practice_measure_schedules.id"],
            name=op.f("fk_practice_measure_responses_schedule_id_practice_measure_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_measure_responses")),
    )
    with op.batch_alter_table("practice_measure_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_practice_measure_responses_couple_at", ["couple_id", "answered_at"], unique=False
        )
        batch_op.create_index(
            "ix_practice_measure_responses_risk", ["risk", "answered_at"], unique=False
        )
        batch_op.create_index(
            "ix_practice_measure_responses_schedule_partner",
            ["schedule_id", "partner_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("practice_measure_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_practice_measure_responses_schedule_partner")
        batch_op.drop_index("ix_practice_measure_responses_risk")
        batch_op.drop_index("ix_practice_measure_responses_couple_at")

    op.drop_table("practice_measure_responses")
    with op.batch_alter_table("practice_measure_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_practice_measure_schedules_couple_id"))

    op.drop_table("practice_measure_schedules")
    op.drop_table("practice_measures")
