"""Imports every feature's models so that Alembic and create_all see the whole schema."""

from portal.accounts.models import ApiToken, LoginSession, User  # noqa: F401
from portal.attendance.models import AttendanceMark, AttendanceMonth  # noqa: F401
from portal.audit.models import AuditRun, Finding  # noqa: F401
from portal.audit.sampling.models import AuditSample, AuditSampleLine  # noqa: F401
from portal.core.auditlog import AuditEntry, AuditHead  # noqa: F401
from portal.core.settings import CountySetting  # noqa: F401
from portal.core.workdays import MonthLock, WorkdayOverride  # noqa: F401
from portal.payroll.models import Payroll, PayrollLine  # noqa: F401
from portal.places.models import County, Township, Village  # noqa: F401
from portal.posts.models import Appointment, Exit, Objection, Post, SubsidyStandard, VillageQuota  # noqa: F401
from portal.registry.models import Household, Person, Relationship  # noqa: F401
from portal.workshops.models import Assessment, MonthlyReport, Workshop, WorkshopEmployee, WorkshopExit  # noqa: F401
