"""domains: verified_at and verification_token (DNS TXT proof of control)

Existing domains were put there by an operator (bundles), so they arrive verified.

Revision ID: b7d41c2e9f10
Revises: a626e27242bd
Create Date: 2026-11-24 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d41c2e9f10'
down_revision = 'a626e27242bd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('domain', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verification_token', sa.String(length=64), server_default='', nullable=False))
    op.execute(sa.text("UPDATE domain SET verified_at = CURRENT_TIMESTAMP"))


def downgrade():
    with op.batch_alter_table('domain', schema=None) as batch_op:
        batch_op.drop_column('verification_token')
        batch_op.drop_column('verified_at')
