"""Hardening: API tokens expire; the audit log refuses UPDATE and DELETE (triggers on SQLite and PostgreSQL)

Revision ID: 0007_hardening
Revises: 0006_rules_hold
Create Date: 2026-12-07 19:40:00

"""
from alembic import op
import sqlalchemy as sa

from portal.core import audit_guard  # the trigger SQL lives with the sanctioned way around it



revision = '0007_hardening'
down_revision = '0006_rules_hold'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    for sql in audit_guard.create_statements(op.get_bind().dialect.name):
        op.execute(sql)


def downgrade():
    for sql in audit_guard.drop_statements(op.get_bind().dialect.name):
        op.execute(sql)
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
