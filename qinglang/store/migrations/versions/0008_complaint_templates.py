"""complaint text signatures and template clusters

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_text_buckets',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('bucket', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.Column('latest_id', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('org', 'bucket', name=op.f('pk_complaint_text_buckets'))
    )
    op.create_table('complaint_templates',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.Column('template_id', sa.String(length=256), nullable=False),
    sa.Column('core_id', sa.String(length=256), nullable=False),
    sa.Column('similarity', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('org', 'complaint_id', name=op.f('pk_complaint_templates'))
    )
    with op.batch_alter_table('complaint_templates', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_templates_org_template_id',
                              ['org', 'template_id'], unique=False)
        batch_op.create_index('ix_complaint_templates_org_core_id',
                              ['org', 'core_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint_templates', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_templates_org_core_id')
        batch_op.drop_index('ix_complaint_templates_org_template_id')

    op.drop_table('complaint_templates')
    op.drop_table('complaint_text_buckets')
