"""desk: a private calendar feed token per staff membership (hashed)

Revision ID: e8a4b7c2d913
Revises: 5e1f0a7c9d21
Create Date: 2026-11-24 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8a4b7c2d913'
down_revision = '5e1f0a7c9d21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_membership_feed_token_hash'), ['feed_token_hash']
        )


def downgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_membership_feed_token_hash'), type_='unique')
        batch_op.drop_column('feed_token_hash')
