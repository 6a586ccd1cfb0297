"""desk: a booking taken by phone may have no e-mail; erasure is marked by erased_at

Until now an erased booking was the one with an empty client_email. The front desk may
now book a client who has no e-mail address, so erasure gets its own column; existing
erased bookings are marked.

Revision ID: b3e1c0d2a9f4
Revises: 7efab8d2e540
Create Date: 2026-11-24 07:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3e1c0d2a9f4'
down_revision = '7efab8d2e540'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    booking = sa.table(
        'booking',
        sa.column('client_email', sa.String),
        sa.column('created_at', sa.DateTime(timezone=True)),
        sa.column('erased_at', sa.DateTime(timezone=True)),
    )
    # The time of erasure was not kept: the booking's own time marks it.
    op.execute(
        booking.update()
        .where(booking.c.client_email == '')
        .values(erased_at=booking.c.created_at)
    )


def downgrade():
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
