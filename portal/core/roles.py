"""The four roles of the portal, and the county's two: pure, so rules may name them (core.access re-exports them)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    VILLAGE_CLERK = "village_clerk"
    TOWNSHIP_REVIEWER = "township_reviewer"
    COUNTY_AUDITOR = "county_auditor"
    COUNTY_ADMIN = "county_admin"


COUNTY_ROLES = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_AUDITOR})
