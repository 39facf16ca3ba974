"""complaint assessments and rule hits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 08:07:58.187265
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessments',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.Column('ruleset_version', sa.String(length=64), nullable=False),
    sa.Column('risk_score', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('org', 'complaint_id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_outcome'), ['outcome'], unique=False)

    op.create_table('rule_hits',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.Column('rule_id', sa.String(length=16), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('org', 'complaint_id', 'rule_id', name=op.f('pk_rule_hits'))
    )
    with op.batch_alter_table('rule_hits', schema=None) as batch_op:
        batch_op.create_index('ix_rule_hits_rule_id', ['rule_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rule_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_hits_rule_id')

    op.drop_table('rule_hits')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_outcome'))

    op.drop_table('assessments')
