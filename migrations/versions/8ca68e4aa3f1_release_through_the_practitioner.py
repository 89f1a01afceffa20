"""Release through the practitioner: the couple's setting and each reflection's release

practice_couples.shares_wait_for_release: whether what a partner shares waits for the
practitioner's release (false for every couple so far: today's behaviour, shares go at once).
practice_reflections.release_state / released_at / released_by_id: where a shared
reflection of such a couple stands (waiting, released in the app, in session only), and who
released it when.
practice_partners.agreed_sharing_text: how shares reach the other partner, in the words the
partner agreed to (empty for agreements made before: shares went at once).

Revision ID: 8ca68e4aa3f1
Revises: 9017d844092e
Create Date: 2026-12-04 20:11:30.951044

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ca68e4aa3f1'
down_revision = '9017d844092e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practice_couples', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'shares_wait_for_release', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )

    with op.batch_alter_table('practice_partners', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('agreed_sharing_text', sa.Text(), server_default='', nullable=False)
        )

    with op.batch_alter_table('practice_reflections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_state', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('released_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('released_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_practice_reflections_released_by_id_practice_users'),
            'practice_users',
            ['released_by_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('practice_reflections', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_practice_reflections_released_by_id_practice_users'), type_='foreignkey'
        )
        batch_op.drop_column('released_by_id')
        batch_op.drop_column('released_at')
        batch_op.drop_column('release_state')

    with op.batch_alter_table('practice_partners', schema=None) as batch_op:
        batch_op.drop_column('agreed_sharing_text')

    with op.batch_alter_table('practice_couples', schema=None) as batch_op:
        batch_op.drop_column('shares_wait_for_release')
