"""practitioner drafts: unsaved notes, feedback and addenda kept by autosave

Revision ID: 9017d844092e
Revises: 064b018bc603
Create Date: 2026-12-04 20:11:10.340750

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9017d844092e'
down_revision = '064b018bc603'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_practitioner_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['practice_users.id'], name=op.f('fk_practice_practitioner_drafts_user_id_practice_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_practitioner_drafts')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_practice_practitioner_drafts_user_id_key'))
    )


def downgrade():
    op.drop_table('practice_practitioner_drafts')
