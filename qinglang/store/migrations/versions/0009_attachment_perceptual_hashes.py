"""attachment perceptual hashes

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phash64', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('phash256', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('phash256')
        batch_op.drop_column('phash64')
