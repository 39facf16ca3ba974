"""alliance member state: contributions and match runs

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alliance_contributions',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('indicator_key', sa.String(length=256), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('contributed_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('org', 'indicator_key', name=op.f('pk_alliance_contributions'))
    )
    op.create_table('alliance_match_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('key_epoch', sa.Integer(), nullable=False),
    sa.Column('pool_version', sa.Integer(), nullable=False),
    sa.Column('bytes_sent', sa.BigInteger(), nullable=False),
    sa.Column('bytes_received', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alliance_match_runs'))
    )
    with op.batch_alter_table('alliance_match_runs', schema=None) as batch_op:
        batch_op.create_index('ix_alliance_match_runs_org', ['org'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alliance_match_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_alliance_match_runs_org')

    op.drop_table('alliance_match_runs')
    op.drop_table('alliance_contributions')
