"""couples: archived or discharged

practice_couples.archived_at: set while the couple is archived (discharged), its record
read-only and off the caseload until reopened (issue 15, item 7); archived_reason: why,
a short key. Nullable and empty by default, so existing couples stay open.

Revision ID: 064b018bc603
Revises: d4775072ec45
Create Date: 2026-12-04 20:12:03.418207

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '064b018bc603'
down_revision = 'd4775072ec45'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practice_couples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('archived_reason', sa.String(length=20), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('practice_couples', schema=None) as batch_op:
        batch_op.drop_column('archived_reason')
        batch_op.drop_column('archived_at')
