"""themes: practitioner photograph from the media library

Revision ID: 5e1f0a7c9d21
Revises: d3170ce6da10
Create Date: 2026-11-24 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1f0a7c9d21'
down_revision = 'd3170ce6da10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_media_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_practitioner_photo_media_id_media_item'), 'media_item', ['photo_media_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_practitioner_photo_media_id_media_item'), type_='foreignkey')
        batch_op.drop_column('photo_media_id')
