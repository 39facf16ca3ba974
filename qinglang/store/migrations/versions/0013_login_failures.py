"""login failures: the login throttle's counts, shared by every server process

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_failures',
        sa.Column('failure_id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('key_digest', sa.String(length=64), nullable=False),
        sa.Column('failed_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('failure_id', name=op.f('pk_login_failures')),
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_key_digest_failed_at',
                              ['key_digest', 'failed_at'], unique=False)
        batch_op.create_index('ix_login_failures_failed_at', ['failed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failures_failed_at')
        batch_op.drop_index('ix_login_failures_key_digest_failed_at')
    op.drop_table('login_failures')
