"""hub members, pool, categories, usage, audit and state

Revision ID: hub0001
Revises:
"""
from alembic import op
import sqlalchemy as sa


revision = 'hub0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hub_members',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_members')),
    sa.UniqueConstraint('name', name=op.f('uq_hub_members_name')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_hub_members_token_sha256'))
    )
    op.create_table('hub_categories',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_hub_categories'))
    )
    op.create_table('hub_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_epoch', sa.Integer(), nullable=False),
    sa.Column('pool_version', sa.Integer(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('default_quota', sa.Integer(), nullable=False),
    sa.Column('quota_period', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_state'))
    )
    op.create_table('hub_audit',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['hub_members.id'], name=op.f('fk_hub_audit_member_id_hub_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_audit'))
    )
    with op.batch_alter_table('hub_audit', schema=None) as batch_op:
        batch_op.create_index('ix_hub_audit_member_id', ['member_id'], unique=False)

    op.create_table('hub_pool',
    sa.Column('point', sa.LargeBinary(length=32), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('first_seen', sa.Date(), nullable=False),
    sa.Column('last_seen', sa.Date(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('contributed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['hub_members.id'], name=op.f('fk_hub_pool_member_id_hub_members')),
    sa.PrimaryKeyConstraint('point', 'member_id', name=op.f('pk_hub_pool'))
    )
    with op.batch_alter_table('hub_pool', schema=None) as batch_op:
        batch_op.create_index('ix_hub_pool_expires_at', ['expires_at'], unique=False)
        batch_op.create_index('ix_hub_pool_member_id', ['member_id'], unique=False)

    op.create_table('hub_usage',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('evaluations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['hub_members.id'], name=op.f('fk_hub_usage_member_id_hub_members')),
    sa.PrimaryKeyConstraint('member_id', 'period', name=op.f('pk_hub_usage'))
    )


def downgrade() -> None:
    op.drop_table('hub_usage')
    with op.batch_alter_table('hub_pool', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_pool_member_id')
        batch_op.drop_index('ix_hub_pool_expires_at')

    op.drop_table('hub_pool')
    with op.batch_alter_table('hub_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_audit_member_id')

    op.drop_table('hub_audit')
    op.drop_table('hub_state')
    op.drop_table('hub_categories')
    op.drop_table('hub_members')
