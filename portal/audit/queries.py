"""Reads for the audit pages and API: the findings list with its filters (scoped by service.finding_scope),
runs of the user's county, a finding's history, and what the home pages count. No writes here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app
from flask_babel import get_locale
from sqlalchemy import case, func, select

from portal.accounts.models import User
from portal.audit import detectors as registry
from portal.audit import findings as service
from portal.audit import runs
from portal.audit.models import AuditRun, Finding
from portal.audit.rules import SEVERITY_ORDER, FindingState, Month, Severity
from portal.core.access import COUNTY_ROLES, Role, scoped
from portal.core.auditlog import AuditEntry
from portal.core.i18n import actor_label, date_label, month_label
from portal.extensions import db
from portal.places.models import Township, Village

SEVERITY_RANK = case({str(k): v for k, v in SEVERITY_ORDER.items()}, value=Finding.severity, else_=len(SEVERITY_ORDER))


# ---- words ------------------------------------------------------------------------------------------


def detector_names() -> dict[str, str]:
    """Every registered detector's code → its name in the reader's language, in the detectors' order."""
    return {code: str(d.name) for code, d in registry.all_detectors().items()}


def detector_name(code: str) -> str:
    detector = registry.get(code)
    return str(detector.name) if detector else code


def period_label(start: date, end: date) -> str:
    """A finding's period as the reader writes it: 2026年3月, 2026年1月–12月, 2025年11月–2026年2月."""
    whole = start.day == 1 and Month.of(end).last == end
    if whole and Month.of(start) == Month.of(end):
        return month_label(start)
    if not whole:
        return f"{date_label(start)}–{date_label(end)}"
    if str(get_locale() or "zh_CN").startswith("zh") and start.year == end.year:
        return f"{start.year}年{start.month}月–{end.month}月"
    return f"{month_label(start)}–{month_label(end)}"


def county_day(moment: datetime | None) -> date | None:
    """A stored UTC timestamp as the county's date."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def days_open(finding: Finding, today: date) -> int:
    """Days since the finding was raised, until it was closed (or today)."""
    end = county_day(finding.closed_at) or today
    return max(0, (end - county_day(finding.created_at)).days)


# ---- the findings list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingFilter:
    detector: str = ""
    township_id: int | None = None
    village_id: int | None = None
    state: str = ""
    severity: str = ""
    first: Month | None = None
    last: Month | None = None

    def query_args(self) -> dict:
        """The filter as the list page's query string (for links and the pager)."""
        args = {"detector": self.detector, "township": self.township_id, "village": self.village_id,
                "state": self.state, "severity": self.severity,
                "from": str(self.first) if self.first else None, "to": str(self.last) if self.last else None}
        return {k: v for k, v in args.items() if v}


def month_or_none(text: str | None) -> Month | None:
    try:
        return Month.parse(text) if text else None
    except ValueError:
        return None


def filter_from_args(args) -> FindingFilter:
    """The list page's filter from its query string; unknown values are ignored."""
    detector = args.get("detector", "")
    state, severity = args.get("state", ""), args.get("severity", "")
    return FindingFilter(detector=detector if detector in registry.all_detectors() else "",
                         township_id=args.get("township", type=int), village_id=args.get("village", type=int),
                         state=state if state in set(FindingState) else "",
                         severity=severity if severity in set(Severity) else "",
                         first=month_or_none(args.get("from")), last=month_or_none(args.get("to")))


def findings_stmt(user, f: FindingFilter):
    """The user's findings matching the filter, the most money at stake first, then the most severe."""
    stmt = select(Finding).where(service.finding_scope(user))
    for column, value in ((Finding.detector, f.detector), (Finding.township_id, f.township_id),
                          (Finding.village_id, f.village_id), (Finding.state, f.state),
                          (Finding.severity, f.severity)):
        if value:
            stmt = stmt.where(column == value)
    if f.first:  # the finding's period overlaps the chosen months
        stmt = stmt.where(Finding.period_end >= f.first.first)
    if f.last:
        stmt = stmt.where(Finding.period_start <= f.last.last)
    return stmt.order_by(Finding.amount_at_stake.desc(), SEVERITY_RANK, Finding.id)


def page_of(stmt, page: int, size: int) -> tuple[list, int]:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.limit(size).offset((max(page, 1) - 1) * size)).scalars().all()
    return list(rows), total


def place_names(findings) -> tuple[dict[int, str], dict[int, str]]:
    """Village and township names of the findings (id → name)."""
    village_ids = {f.village_id for f in findings if f.village_id}
    township_ids = {f.township_id for f in findings if f.township_id}
    villages = dict(db.session.execute(select(Village.id, Village.name).where(Village.id.in_(village_ids))).all())
    townships = dict(db.session.execute(select(Township.id, Township.name).where(
        Township.id.in_(township_ids))).all())
    return villages, townships


def townships(user) -> list[Township]:
    return list(db.session.execute(scoped(select(Township), Township, user).order_by(Township.code)).scalars())


def villages(user) -> list[Village]:
    return list(db.session.execute(scoped(select(Village), Village, user).order_by(Village.code)).scalars())


# ---- a finding's history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    ts: datetime
    who: str
    action: str
    before: dict
    after: dict


def _json(text: str) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def history(finding: Finding) -> list[HistoryRow]:
    """The finding's rows of the audit log, oldest first, with the users' full names."""
    rows = db.session.execute(select(AuditEntry).where(
        AuditEntry.entity_type == "finding", AuditEntry.entity_id == str(finding.id)).order_by(AuditEntry.seq)
    ).scalars().all()
    names = user_names(r.actor_id for r in rows)
    return [HistoryRow(r.ts, names.get(r.actor_id) or actor_label(r.actor_name), r.action, _json(r.before),
                       _json(r.after)) for r in rows]


def user_names(ids) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all())


# ---- runs ------------------------------------------------------------------------------------------------


def ensure_runner(user) -> None:
    """The run pages are the county auditor's and the county admin's."""
    if getattr(user, "role", None) not in COUNTY_ROLES:
        abort(403)


def recent_runs(user, limit: int = 20) -> list[AuditRun]:
    return list(db.session.execute(select(AuditRun).where(AuditRun.county_id == user.county_id)
                                   .order_by(AuditRun.id.desc()).limit(limit)).scalars())


def get_run_or_404(run_id: int, user) -> AuditRun:
    run = db.session.execute(select(AuditRun).where(AuditRun.id == run_id, AuditRun.county_id == user.county_id)
                             ).scalar_one_or_none()
    if run is None:
        abort(404)
    return run


def run_codes(run: AuditRun) -> list[str]:
    return [c for c in (run.detectors or "").split(",") if c]


def run_period(run: AuditRun) -> str:
    return period_label(run.first_month, Month.of(run.last_month).last)


def progress(run: AuditRun) -> dict:
    """How far a run is: detectors done of all, the one running now, and its state."""
    codes = run_codes(run)
    running = run.state == "running" and run.done_count < len(codes)
    return {"id": run.id, "state": run.state, "done": run.done_count, "total": len(codes),
            "current": detector_name(codes[run.done_count]) if running else "",
            "hits": sum(c.get("hits", 0) for c in runs.run_counts(run).values())}


# ---- what waits ----------------------------------------------------------------------------------------


def state_counts(user) -> dict[str, int]:
    rows = db.session.execute(select(Finding.state, func.count(Finding.id)).where(service.finding_scope(user))
                              .group_by(Finding.state)).all()
    return {state: count for state, count in rows}


def oldest_open(user, limit: int) -> list[Finding]:
    """The user's open findings, the longest waiting first."""
    return list(db.session.execute(select(Finding).where(service.finding_scope(user),
                                                         Finding.state == FindingState.OPEN)
                                   .order_by(Finding.created_at, Finding.id).limit(limit)).scalars())


def last_finished_run(user) -> AuditRun | None:
    return db.session.execute(select(AuditRun).where(AuditRun.county_id == user.county_id,
                                                     AuditRun.state == "done")
                              .order_by(AuditRun.id.desc()).limit(1)).scalar_one_or_none()


def is_reviewer(user) -> bool:
    return getattr(user, "role", None) == Role.TOWNSHIP_REVIEWER
