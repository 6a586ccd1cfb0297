"""desk: attendance marks and the clinic's cancellation note on bookings

Revision ID: d35c0a1e7b21
Revises: 27e74c7010b8
Create Date: 2026-11-24 03:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd35c0a1e7b21'
down_revision = '27e74c7010b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('attendance_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('cancel_note', sa.String(length=200), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('cancel_note')
        batch_op.drop_column('attendance_at')
        batch_op.drop_column('attendance')
