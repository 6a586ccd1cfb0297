"""desk: booking attribution to the post it came from

A booking remembers the post whose booking button the visitor followed; deleting the
post keeps the booking (SET NULL).

Revision ID: 18772b195213
Revises: 6c8b26f0b09a
Create Date: 2026-11-24 06:37:56.157365

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '18772b195213'
down_revision = '6c8b26f0b09a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_post_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_booking_from_post_id'), ['from_post_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_booking_from_post_id_post'), 'post', ['from_post_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_booking_from_post_id_post'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_booking_from_post_id'))
        batch_op.drop_column('from_post_id')
