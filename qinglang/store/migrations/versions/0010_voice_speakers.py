"""voice speakers: voiceprint ids and embeddings joined into speakers

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'voice_speakers',
        sa.Column('org', sa.String(length=64), nullable=False),
        sa.Column('voice_key', sa.String(length=256), nullable=False),
        sa.Column('speaker_id', sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint('org', 'voice_key', name=op.f('pk_voice_speakers')),
    )
    with op.batch_alter_table('voice_speakers', schema=None) as batch_op:
        batch_op.create_index('ix_voice_speakers_speaker_id', ['org', 'speaker_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('voice_speakers', schema=None) as batch_op:
        batch_op.drop_index('ix_voice_speakers_speaker_id')
    op.drop_table('voice_speakers')
