"""manual findings: analysts' findings on manual rules and their withdrawals

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'findings',
        sa.Column('finding_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('org', sa.String(length=64), nullable=False),
        sa.Column('complaint_id', sa.String(length=256), nullable=False),
        sa.Column('rule_id', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('added_by', sa.String(length=256), nullable=False),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_findings')),
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_org_complaint_id', ['org', 'complaint_id'],
                              unique=False)
    op.create_table(
        'finding_withdrawals',
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('org', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('withdrawn_by', sa.String(length=256), nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['finding_id'], ['findings.finding_id'],
                                name=op.f('fk_finding_withdrawals_finding_id_findings')),
        sa.PrimaryKeyConstraint('finding_id', name=op.f('pk_finding_withdrawals')),
    )


def downgrade() -> None:
    op.drop_table('finding_withdrawals')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_org_complaint_id')
    op.drop_table('findings')
