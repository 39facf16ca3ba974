"""post assessments and the contacts extracted from posts

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('post_assessments',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('post_id', sa.String(length=256), nullable=False),
    sa.Column('is_black_gray', sa.Boolean(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('model_version', sa.String(length=128), nullable=False),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('org', 'post_id', name=op.f('pk_post_assessments'))
    )
    with op.batch_alter_table('post_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_post_assessments_org_is_black_gray', ['org', 'is_black_gray'], unique=False)

    op.create_table('post_contacts',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('post_id', sa.String(length=256), nullable=False),
    sa.Column('indicator_type', sa.String(length=16), nullable=False),
    sa.Column('indicator_value', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('org', 'post_id', 'indicator_type', 'indicator_value', name=op.f('pk_post_contacts'))
    )
    with op.batch_alter_table('post_contacts', schema=None) as batch_op:
        batch_op.create_index('ix_post_contacts_org_indicator_type_indicator_value', ['org', 'indicator_type', 'indicator_value'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('post_contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_post_contacts_org_indicator_type_indicator_value')

    op.drop_table('post_contacts')
    with op.batch_alter_table('post_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_post_assessments_org_is_black_gray')

    op.drop_table('post_assessments')
