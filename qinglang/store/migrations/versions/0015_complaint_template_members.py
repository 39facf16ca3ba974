"""complaint templates carry each member's customer, date and channel, indexed by cluster
and by core in date order

Revision ID: 0015
Revises: 0014
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

COPIED = ('customer_id', 'received_at', 'channel')


def upgrade() -> None:
    with op.batch_alter_table('complaint_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_templates_org_core_id')
        batch_op.drop_index('ix_complaint_templates_org_template_id')
        batch_op.add_column(sa.Column('customer_id', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=256), nullable=True))
    # a store analysed before: its members' values copied now rather than at its next analysis
    for column in COPIED:
        op.execute(f"UPDATE complaint_templates SET {column} = (SELECT c.{column} FROM "
                   f"complaints c WHERE c.org = complaint_templates.org AND "
                   f"c.complaint_id = complaint_templates.complaint_id)")
    with op.batch_alter_table('complaint_templates', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_templates_cluster_dates',
                              ['org', 'template_id', 'received_at', 'complaint_id',
                               'customer_id', 'channel'], unique=False)
        batch_op.create_index('ix_complaint_templates_core_dates',
                              ['org', 'core_id', 'received_at', 'complaint_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_templates_core_dates')
        batch_op.drop_index('ix_complaint_templates_cluster_dates')
        for column in reversed(COPIED):
            batch_op.drop_column(column)
        batch_op.create_index('ix_complaint_templates_org_template_id',
                              ['org', 'template_id'], unique=False)
        batch_op.create_index('ix_complaint_templates_org_core_id',
                              ['org', 'core_id'], unique=False)
