"""Rules the database holds: one open exit per appointment and reason (a partial unique index over the
open states proposed / approved / appealed)

Revision ID: 0006_rules_hold
Revises: 0005_audit
Create Date: 2026-12-07 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_rules_hold'
down_revision = '0005_audit'
branch_labels = None
depends_on = None

OPEN = sa.text("state IN ('proposed', 'approved', 'appealed')")


def upgrade():
    op.create_index('uq_exits_open_reason', 'exits', ['appointment_id', 'reason'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('uq_exits_open_reason', table_name='exits')
