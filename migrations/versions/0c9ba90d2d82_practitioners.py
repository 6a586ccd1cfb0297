"""practitioners: hours, services, time off; bookings and claims per practitioner

Revision ID: 0c9ba90d2d82
Revises: a41d66c67092
Create Date: 2026-11-23 23:57:14.949918

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0c9ba90d2d82'
down_revision = 'a41d66c67092'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('practitioner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('photo', sa.String(length=200), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_practitioner_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner')),
    sa.UniqueConstraint('id', 'tenant_id', name=op.f('uq_practitioner_id_tenant_id')),
    sa.UniqueConstraint('tenant_id', 'slug', name=op.f('uq_practitioner_tenant_id_slug'))
    )
    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioner_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('practitioner_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('opens < closes', name=op.f('ck_practitioner_hours_opens_before_closes')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_practitioner_hours_weekday_range')),
    sa.ForeignKeyConstraint(['location_id', 'tenant_id'], ['location.id', 'location.tenant_id'], name=op.f('fk_practitioner_hours_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practitioner_id', 'tenant_id'], ['practitioner.id', 'practitioner.tenant_id'], name=op.f('fk_practitioner_hours_practitioner_id_practitioner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_practitioner_hours_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner_hours'))
    )
    with op.batch_alter_table('practitioner_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioner_hours_location_id'), ['location_id'], unique=False)
        batch_op.create_index('ix_practitioner_hours_practitioner', ['practitioner_id', 'location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practitioner_hours_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('practitioner_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practitioner_id', 'tenant_id'], ['practitioner.id', 'practitioner.tenant_id'], name=op.f('fk_practitioner_service_practitioner_id_practitioner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id', 'tenant_id'], ['service.id', 'service.tenant_id'], name=op.f('fk_practitioner_service_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_practitioner_service_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practitioner_service')),
    sa.UniqueConstraint('practitioner_id', 'service_id', name=op.f('uq_practitioner_service_practitioner_id_service_id'))
    )
    with op.batch_alter_table('practitioner_service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practitioner_service_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practitioner_service_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('time_off',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practitioner_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('starts_at < ends_at', name=op.f('ck_time_off_starts_before_ends')),
    sa.ForeignKeyConstraint(['practitioner_id', 'tenant_id'], ['practitioner.id', 'practitioner.tenant_id'], name=op.f('fk_time_off_practitioner_id_practitioner'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_time_off_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index('ix_time_off_practitioner', ['practitioner_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_off_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_from', sa.String(length=254), server_default='', nullable=False))

    # Bookings move to a practitioner: nullable first, filled, then required.
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practitioner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('slot_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practitioner_id', sa.Integer(), nullable=True))

    _one_practitioner_per_location()

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.alter_column('practitioner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('calendar_uid', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_booking_practitioner_starts', ['practitioner_id', 'starts_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_booking_practitioner_id_practitioner'), 'practitioner', ['practitioner_id', 'tenant_id'], ['id', 'tenant_id'], ondelete='CASCADE')

    with op.batch_alter_table('slot_claim', schema=None) as batch_op:
        batch_op.alter_column('practitioner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_slot_claim_location_id_granule_start'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_slot_claim_practitioner_id_granule_start'), ['practitioner_id', 'granule_start'])
        batch_op.drop_constraint(batch_op.f('fk_slot_claim_location_id_location'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_slot_claim_practitioner_id_practitioner'), 'practitioner', ['practitioner_id', 'tenant_id'], ['id', 'tenant_id'], ondelete='CASCADE')
        batch_op.drop_column('location_id')

    # PostgreSQL: the second lock follows the practitioner, not the location. One
    # practitioner never has two overlapping confirmed bookings, at any location.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE booking DROP CONSTRAINT IF EXISTS ex_booking_no_overlap")
        op.execute(
            "ALTER TABLE booking ADD CONSTRAINT ex_booking_practitioner_no_overlap "
            "EXCLUDE USING gist (practitioner_id WITH =, "
            "tstzrange(starts_at, blocked_until, '[)') WITH &&) "
            "WHERE (status = 'confirmed')"
        )


_location = sa.table(
    'location', sa.column('id'), sa.column('tenant_id'), sa.column('slug'),
    sa.column('name'), sa.column('position'),
)
_practitioner = sa.table(
    'practitioner', sa.column('id'), sa.column('tenant_id'), sa.column('slug'),
    sa.column('name'), sa.column('title'), sa.column('bio'), sa.column('photo'),
    sa.column('languages', sa.JSON()), sa.column('position'), sa.column('active'),
)


def _one_practitioner_per_location():
    """Before practitioners, each location was one diary: it becomes one practitioner
    (named after the location, working its opening hours, offering every service) and
    keeps every booking and claim. Owners rename or retire them in the studio; a bundle
    that lists its practitioners retires the ones it does not list."""
    bind = op.get_bind()
    locations = bind.execute(
        sa.select(_location.c.id, _location.c.tenant_id, _location.c.slug,
                  _location.c.name, _location.c.position).order_by(_location.c.id)
    ).all()
    for location_id, tenant_id, slug, name, position in locations:
        team_slug = f"{slug[:57]}-team"
        bind.execute(
            _practitioner.insert().values(
                tenant_id=tenant_id, slug=team_slug, name=f"{name[:114]} team",
                title="", bio="", photo=None, languages=[], position=position, active=True,
            )
        )
        practitioner_id = bind.execute(
            sa.select(_practitioner.c.id).where(
                _practitioner.c.tenant_id == tenant_id, _practitioner.c.slug == team_slug
            )
        ).scalar_one()
        values = {"p": practitioner_id, "l": location_id, "t": tenant_id}
        bind.execute(sa.text(
            "INSERT INTO practitioner_hours "
            "(tenant_id, practitioner_id, location_id, weekday, opens, closes) "
            "SELECT tenant_id, :p, location_id, weekday, opens, closes "
            "FROM opening_hours WHERE location_id = :l"
        ), values)
        bind.execute(sa.text(
            "INSERT INTO practitioner_service (tenant_id, practitioner_id, service_id) "
            "SELECT tenant_id, :p, id FROM service WHERE tenant_id = :t"
        ), values)
        bind.execute(
            sa.text("UPDATE booking SET practitioner_id = :p WHERE location_id = :l"), values
        )
    bind.execute(sa.text("UPDATE booking SET calendar_uid = reference"))
    bind.execute(sa.text(
        "UPDATE slot_claim SET practitioner_id = "
        "(SELECT booking.practitioner_id FROM booking WHERE booking.id = slot_claim.booking_id)"
    ))


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE booking DROP CONSTRAINT IF EXISTS ex_booking_practitioner_no_overlap")

    with op.batch_alter_table('slot_claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_id', sa.Integer(), nullable=True))
    bind.execute(sa.text(
        "UPDATE slot_claim SET location_id = "
        "(SELECT booking.location_id FROM booking WHERE booking.id = slot_claim.booking_id)"
    ))
    with op.batch_alter_table('slot_claim', schema=None) as batch_op:
        batch_op.alter_column('location_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_slot_claim_practitioner_id_practitioner'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_slot_claim_location_id_location'), 'location', ['location_id', 'tenant_id'], ['id', 'tenant_id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('uq_slot_claim_practitioner_id_granule_start'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_slot_claim_location_id_granule_start'), ['location_id', 'granule_start'])
        batch_op.drop_column('practitioner_id')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_booking_practitioner_id_practitioner'), type_='foreignkey')
        batch_op.drop_index('ix_booking_practitioner_starts')
        batch_op.drop_column('calendar_sequence')
        batch_op.drop_column('calendar_uid')
        batch_op.drop_column('practitioner_id')

    with op.batch_alter_table('tenant', schema=None) as batch_op:
        batch_op.drop_column('mail_from')

    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_off_tenant_id'))
        batch_op.drop_index('ix_time_off_practitioner')

    op.drop_table('time_off')
    with op.batch_alter_table('practitioner_service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practitioner_service_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_practitioner_service_service_id'))

    op.drop_table('practitioner_service')
    with op.batch_alter_table('practitioner_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practitioner_hours_tenant_id'))
        batch_op.drop_index('ix_practitioner_hours_practitioner')
        batch_op.drop_index(batch_op.f('ix_practitioner_hours_location_id'))

    op.drop_table('practitioner_hours')
    with op.batch_alter_table('practitioner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practitioner_tenant_id'))

    op.drop_table('practitioner')

    if bind.dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE booking ADD CONSTRAINT ex_booking_no_overlap "
            "EXCLUDE USING gist (location_id WITH =, "
            "tstzrange(starts_at, blocked_until, '[)') WITH &&) "
            "WHERE (status = 'confirmed')"
        )
