"""entity graph, gangs and agent profiles

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# narrow covering copies of the record columns the graph is built from
GRAPH_INDEXES = {
    'customers': ['customer_id', 'reserved_phone', 'email', 'address_building_key'],
    'complaints': ['customer_id', 'complaint_id', 'contact_phone', 'contact_email',
                   'mailing_address_building_key'],
    'calls': ['customer_id', 'caller_number', 'voiceprint_id'],
}


def upgrade() -> None:
    op.create_table('gangs',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('gang_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('n_customers', sa.Integer(), nullable=False),
    sa.Column('n_complaints', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=True),
    sa.Column('last_seen', sa.DateTime(), nullable=True),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('identifiers', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('org', 'gang_id', name=op.f('pk_gangs'))
    )
    op.create_table('gang_members',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('gang_id', sa.String(length=32), nullable=False),
    sa.Column('member_type', sa.String(length=16), nullable=False),
    sa.Column('member_key', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('org', 'gang_id', 'member_type', 'member_key',
                            name=op.f('pk_gang_members'))
    )
    with op.batch_alter_table('gang_members', schema=None) as batch_op:
        batch_op.create_index('ix_gang_members_org_member_type_member_key',
                              ['org', 'member_type', 'member_key', 'gang_id'], unique=False)
    for table, columns in GRAPH_INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(f'ix_graph_{table}', ['org', *columns], unique=False)


def downgrade() -> None:
    for table in GRAPH_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_graph_{table}')
    with op.batch_alter_table('gang_members', schema=None) as batch_op:
        batch_op.drop_index('ix_gang_members_org_member_type_member_key')

    op.drop_table('gang_members')
    op.drop_table('gangs')
