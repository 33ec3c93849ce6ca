"""Performance: payroll lines keep only the foreign key a query or relationship uses (payroll_id); the
appointment and the creator are copies the payroll service writes, like the village, person and post

Every index of payroll_lines is read by a query, so all stay:
- payroll_id: a payroll's lines (sheet, detail, totals, recompute, approval, bank file, every audit
  detector's join to payrolls);
- appointment_id: the audit's lines of given holders (audit.detectors.people_common, over_limit);
- person_id: the lines of given people (audit.search, audit.detectors.double_benefit).
The foreign keys to appointments and users were checked by no query: on PostgreSQL each one cost a lookup
and a row lock (FOR KEY SHARE) on the referenced row per inserted line, 40 000 of them per county month.
Appointments and users are never deleted, and the service copies both ids from rows it has just read.

Revision ID: 0008_performance
Revises: 0007_hardening
Create Date: 2026-12-07 22:00:00

"""
from alembic import op


revision = '0008_performance'
down_revision = '0007_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payroll_lines', schema=None) as batch_op:
        batch_op.drop_constraint('fk_payroll_lines_appointment_id_appointments', type_='foreignkey')
        batch_op.drop_constraint('fk_payroll_lines_created_by_users', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('payroll_lines', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_payroll_lines_created_by_users', 'users', ['created_by'], ['id'])
        batch_op.create_foreign_key('fk_payroll_lines_appointment_id_appointments', 'appointments',
                                    ['appointment_id'], ['id'])
