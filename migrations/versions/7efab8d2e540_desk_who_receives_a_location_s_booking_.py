"""desk: who receives a location's booking notifications

The owner chooses, per location: its own address (on by default, as before), staff
members of the clinic (owners and front desk; the row goes when the membership does),
and other addresses.

Revision ID: 7efab8d2e540
Revises: 18772b195213
Create Date: 2026-11-24 06:48:13.384701

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7efab8d2e540'
down_revision = '18772b195213'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('location_notify_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['location_id', 'tenant_id'], ['location.id', 'location.tenant_id'], name=op.f('fk_location_notify_member_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['membership.tenant_id', 'membership.user_id'], name=op.f('fk_location_notify_member_tenant_id_membership'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_location_notify_member_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location_notify_member')),
    sa.UniqueConstraint('location_id', 'user_id', name=op.f('uq_location_notify_member_location_id_user_id'))
    )
    with op.batch_alter_table('location_notify_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_notify_member_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_location_notify_member_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_location_notify_member_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_location_email', sa.Boolean(), server_default=sa.text('true'), nullable=False))
        batch_op.add_column(sa.Column('notify_addresses', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_column('notify_addresses')
        batch_op.drop_column('notify_location_email')

    with op.batch_alter_table('location_notify_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_notify_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_location_notify_member_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_location_notify_member_location_id'))

    op.drop_table('location_notify_member')
