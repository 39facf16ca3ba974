"""incremental gangs: stored components, build state, import ids in the graph indexes

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# the narrow covering indexes of 0004, now ending with the import id
GRAPH_INDEXES = {
    'customers': ['customer_id', 'reserved_phone', 'email', 'address_building_key'],
    'complaints': ['customer_id', 'complaint_id', 'contact_phone', 'contact_email',
                   'mailing_address_building_key'],
    'calls': ['customer_id', 'caller_number', 'voiceprint_id'],
}


def _graph_indexes(with_import_id: bool) -> None:
    for table, columns in GRAPH_INDEXES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_graph_{table}')
            batch_op.create_index(f'ix_graph_{table}',
                                  ['org', *columns, *(['import_id'] if with_import_id else [])],
                                  unique=False)
        # A new index has no planner statistics: SQLite would take its `org` prefix — the
        # whole institution — over the index on a phone number until the next import.
        if op.get_bind().dialect.name == 'sqlite':
            op.execute('PRAGMA analysis_limit=1000')
        op.execute(f'ANALYZE "{table}"')


def upgrade() -> None:
    op.create_table('graph_components',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('node_type', sa.String(length=16), nullable=False),
    sa.Column('node_key', sa.String(length=256), nullable=False),
    sa.Column('component', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('org', 'node_type', 'node_key', name=op.f('pk_graph_components'))
    )
    with op.batch_alter_table('graph_components', schema=None) as batch_op:
        batch_op.create_index('ix_graph_components_component_org', ['component', 'org'], unique=False)
    op.create_table('graph_state',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('declarations', sa.String(length=64), nullable=False),
    sa.Column('derived', sa.LargeBinary(), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('org', name=op.f('pk_graph_state'))
    )
    _graph_indexes(with_import_id=True)


def downgrade() -> None:
    _graph_indexes(with_import_id=False)
    with op.batch_alter_table('graph_components', schema=None) as batch_op:
        batch_op.drop_index('ix_graph_components_component_org')
    op.drop_table('graph_state')
    op.drop_table('graph_components')
