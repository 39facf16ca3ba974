"""complaint rare marker grams for the template detector's copied-passage links

Revision ID: 0014
Revises: 0013
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('complaint_rare_markers',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('marker', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('org', 'marker', 'complaint_id', name=op.f('pk_complaint_rare_markers'))
    )


def downgrade() -> None:
    op.drop_table('complaint_rare_markers')
