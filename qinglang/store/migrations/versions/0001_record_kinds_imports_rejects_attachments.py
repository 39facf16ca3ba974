"""record kinds, imports, rejects, attachments

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 07:03:48.817988
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('imports',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.Text(), nullable=False),
    sa.Column('file_format', sa.String(length=16), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_ok', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports')),
    sa.UniqueConstraint('org', 'kind', 'sha256', name=op.f('uq_imports_org_kind_sha256'))
    )
    op.create_table('attachments',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=True),
    sa.Column('path', sa.Text(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_attachments_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'complaint_id', 'file_name', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_sha256', ['sha256'], unique=False)

    op.create_table('calls',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('call_id', sa.String(length=256), nullable=False),
    sa.Column('customer_id', sa.String(length=256), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('caller_number', sa.String(length=256), nullable=True),
    sa.Column('direction', sa.String(length=256), nullable=True),
    sa.Column('forwarded', sa.Boolean(), nullable=True),
    sa.Column('voiceprint_id', sa.String(length=256), nullable=True),
    sa.Column('voiceprint', sa.LargeBinary(), nullable=True),
    sa.Column('identity_check', sa.String(length=256), nullable=True),
    sa.Column('callback_denied', sa.Boolean(), nullable=True),
    sa.Column('claimed_role', sa.String(length=256), nullable=True),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_calls_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'call_id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_caller_number'), ['caller_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_voiceprint_id'), ['voiceprint_id'], unique=False)

    op.create_table('companies',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('credit_code', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('address_province', sa.String(length=256), nullable=True),
    sa.Column('address_city', sa.String(length=256), nullable=True),
    sa.Column('address_district', sa.String(length=256), nullable=True),
    sa.Column('address_adcode', sa.String(length=256), nullable=True),
    sa.Column('address_key', sa.String(length=256), nullable=True),
    sa.Column('address_building_key', sa.String(length=256), nullable=True),
    sa.Column('business_scope', sa.Text(), nullable=True),
    sa.Column('legal_representative', sa.String(length=256), nullable=True),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_companies_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'credit_code', name=op.f('pk_companies'))
    )
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companies_address_building_key'), ['address_building_key'], unique=False)

    op.create_table('complaints',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('complaint_id', sa.String(length=256), nullable=False),
    sa.Column('customer_id', sa.String(length=256), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('channel', sa.String(length=256), nullable=True),
    sa.Column('contact_phone', sa.String(length=256), nullable=True),
    sa.Column('contact_email', sa.String(length=256), nullable=True),
    sa.Column('mailing_address', sa.Text(), nullable=True),
    sa.Column('mailing_address_province', sa.String(length=256), nullable=True),
    sa.Column('mailing_address_city', sa.String(length=256), nullable=True),
    sa.Column('mailing_address_district', sa.String(length=256), nullable=True),
    sa.Column('mailing_address_adcode', sa.String(length=256), nullable=True),
    sa.Column('mailing_address_key', sa.String(length=256), nullable=True),
    sa.Column('mailing_address_building_key', sa.String(length=256), nullable=True),
    sa.Column('claimed_role', sa.String(length=256), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('demands', sa.JSON(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=True),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_complaints_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'complaint_id', name=op.f('pk_complaints'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_contact_phone'), ['contact_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_mailing_address_building_key'), ['mailing_address_building_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_received_at'), ['received_at'], unique=False)

    op.create_table('customers',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.String(length=256), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=True),
    sa.Column('id_number_digest', sa.String(length=64), nullable=True),
    sa.Column('id_number_masked', sa.String(length=32), nullable=True),
    sa.Column('id_number_enc', sa.Text(), nullable=True),
    sa.Column('reserved_phone', sa.String(length=256), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('address_province', sa.String(length=256), nullable=True),
    sa.Column('address_city', sa.String(length=256), nullable=True),
    sa.Column('address_district', sa.String(length=256), nullable=True),
    sa.Column('address_adcode', sa.String(length=256), nullable=True),
    sa.Column('address_key', sa.String(length=256), nullable=True),
    sa.Column('address_building_key', sa.String(length=256), nullable=True),
    sa.Column('email', sa.String(length=256), nullable=True),
    sa.Column('region', sa.String(length=256), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_customers_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'customer_id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_address_building_key'), ['address_building_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_id_number_digest'), ['id_number_digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_reserved_phone'), ['reserved_phone'], unique=False)

    op.create_table('intelligence',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('indicator_key', sa.String(length=256), nullable=False),
    sa.Column('indicator', sa.String(length=256), nullable=True),
    sa.Column('kind', sa.String(length=256), nullable=True),
    sa.Column('category', sa.String(length=256), nullable=True),
    sa.Column('source', sa.String(length=256), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=True),
    sa.Column('last_seen', sa.DateTime(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_intelligence_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'indicator_key', name=op.f('pk_intelligence'))
    )
    op.create_table('posts',
    sa.Column('org', sa.String(length=64), nullable=False),
    sa.Column('post_id', sa.String(length=256), nullable=False),
    sa.Column('platform', sa.String(length=256), nullable=True),
    sa.Column('account_id', sa.String(length=256), nullable=True),
    sa.Column('account_name', sa.String(length=256), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('url', sa.String(length=256), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('images', sa.JSON(), nullable=True),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.Column('originals', sa.JSON(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_posts_import_id_imports')),
    sa.PrimaryKeyConstraint('org', 'post_id', name=op.f('pk_posts'))
    )
    op.create_table('rejects',
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('column_name', sa.String(length=128), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_rejects_import_id_imports')),
    sa.PrimaryKeyConstraint('import_id', 'row_number', 'column_name', name=op.f('pk_rejects'))
    )


def downgrade() -> None:
    op.drop_table('rejects')
    op.drop_table('posts')
    op.drop_table('intelligence')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_reserved_phone'))
        batch_op.drop_index(batch_op.f('ix_customers_id_number_digest'))
        batch_op.drop_index(batch_op.f('ix_customers_address_building_key'))

    op.drop_table('customers')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_received_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_mailing_address_building_key'))
        batch_op.drop_index(batch_op.f('ix_complaints_customer_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_contact_phone'))

    op.drop_table('complaints')
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_companies_address_building_key'))

    op.drop_table('companies')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_voiceprint_id'))
        batch_op.drop_index(batch_op.f('ix_calls_customer_id'))
        batch_op.drop_index(batch_op.f('ix_calls_caller_number'))

    op.drop_table('calls')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_sha256')

    op.drop_table('attachments')
    op.drop_table('imports')
