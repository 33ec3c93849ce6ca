"""The audit log as people read it: filters (date range, user, village, record type), each row's before/after
as a field-by-field difference with labels, a link to the record, the filtered log as Excel, and the
chain's check in steps (so the page can show how far it has got).

Personal values that reach the log (an ID, an account, a phone) are masked again before they are shown.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import String, and_, cast, func, or_, select
from werkzeug.routing import BuildError

from portal.audit.labels import ENTITIES, action_label, entity_label, field_label
from portal.core.auditlog import GENESIS, AuditEntry, AuditHead, row_hash
from portal.core.clock import DEFAULT_ZONE
from portal.core.i18n import actor_label
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.extensions import db
from portal.reports.cells import neutralise

MAX_EXPORT = 50_000
SETTINGS = "settings"  # the filter's group of every record type that is a county setting
SETTING_ENTITIES = ("county_setting", "subsidy_standard", "village_quota", "workday_override")
MASKS = {"id_number": mask_id, "bank_account": mask_account, "account": mask_account, "phone": mask_phone}


@dataclass(frozen=True)
class LogFilter:
    start: date | None = None
    end: date | None = None
    actor: str = ""
    village_id: int | None = None
    entity: str = ""

    def args(self) -> dict:
        out = {"from": self.start.isoformat() if self.start else None, "to": self.end.isoformat() if self.end else None,
               "actor": self.actor, "village": self.village_id, "entity": self.entity}
        return {k: v for k, v in out.items() if v}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None


def filter_from_args(args) -> LogFilter:
    village = args.get("village", "")
    return LogFilter(_day(args.get("from")), _day(args.get("to")), (args.get("actor") or "").strip()[:80],
                     int(village) if str(village).isdigit() and len(str(village)) < 10 else None,
                     (args.get("entity") or "").strip()[:40])


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE))


def _village_models():
    from portal.audit.models import Finding
    from portal.payroll.models import Payroll
    from portal.posts.models import Appointment, Exit, Objection, Post, VillageQuota
    from portal.registry.models import Household, Person, Relationship
    from portal.workshops.models import MonthlyReport, Workshop, WorkshopEmployee

    return {"person": Person, "household": Household, "relationship": Relationship, "post": Post,
            "appointment": Appointment, "objection": Objection, "exit": Exit, "village_quota": VillageQuota,
            "payroll": Payroll, "workshop": Workshop, "workshop_employee": WorkshopEmployee,
            "workshop_report": MonthlyReport, "finding": Finding}


def _village_clause(village_id: int):
    """Rows about the village itself or about a record that belongs to it."""
    parts = [and_(AuditEntry.entity_type.in_(("village", "village_attendance")),
                  AuditEntry.entity_id == str(village_id))]
    for entity, model in _village_models().items():
        ids = select(cast(model.id, String)).where(model.village_id == village_id)
        parts.append(and_(AuditEntry.entity_type == entity, AuditEntry.entity_id.in_(ids)))
    return or_(*parts)


def log_stmt(f: LogFilter):
    stmt = select(AuditEntry)
    zone = _zone()
    if f.start:
        stmt = stmt.where(AuditEntry.ts >= datetime.combine(f.start, time.min, zone))
    if f.end:
        stmt = stmt.where(AuditEntry.ts < datetime.combine(f.end + timedelta(days=1), time.min, zone))
    if f.actor:
        stmt = stmt.where(AuditEntry.actor_name == f.actor)
    if f.entity == SETTINGS:
        stmt = stmt.where(AuditEntry.entity_type.in_(SETTING_ENTITIES))
    elif f.entity:
        stmt = stmt.where(AuditEntry.entity_type == f.entity)
    if f.village_id:
        stmt = stmt.where(_village_clause(f.village_id))
    return stmt


def count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def actor_choices() -> list[str]:
    return [n for (n,) in db.session.execute(select(AuditEntry.actor_name).distinct().order_by(AuditEntry.actor_name))]


def entity_choices() -> list[tuple[str, str]]:
    """Every record type, the group of all policy settings first."""
    seen = {t for (t,) in db.session.execute(select(AuditEntry.entity_type).distinct())}
    codes = sorted(set(ENTITIES) | seen, key=lambda c: entity_label(c))
    return [(SETTINGS, _("every policy setting")), *((c, entity_label(c)) for c in codes)]


def settings_changes(since: date) -> int:
    """Changes of county settings (standards, quotas, parameters, working days) logged from `since` on."""
    return count(log_stmt(LogFilter(start=since, entity=SETTINGS)))


# ---- a row, readable ---------------------------------------------------------------------------------

def _load(text: str):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def value_text(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(value_text(key, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{field_label(k)}：{value_text(k, v)}" for k, v in value.items())
    text = str(value)
    if key == "severity":
        from portal.audit.finding_labels import SEVERITY

        return str(SEVERITY.get(text, text))
    if key == "detector":
        from portal.audit import detectors

        found = detectors.get(text)
        return str(found.name) if found else text
    mask = MASKS.get(key)
    return mask(text) if mask and "*" not in text else text


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str
    changed: bool


def changes(entry: AuditEntry) -> list[Change]:
    """The row's before and after, field by field (unchanged fields of an update are left out); a grid save's
    compact row, cell by cell."""
    before, after = _load(entry.before), _load(entry.after)
    if entry.action == "attendance.set" and isinstance(before, dict) and isinstance(after, dict):
        return _cells(before, after)
    if not isinstance(before, dict) or not isinstance(after, dict):
        if before is None and after is None:
            return []
        if not isinstance(before, dict | None) or not isinstance(after, dict | None):
            return [Change("", _("Value"), value_text("", before), value_text("", after), before != after)]
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*after, *before]))
    out = []
    for key in keys:
        b, a = before.get(key), after.get(key)
        if entry.before and entry.after and key in before and key in after and b == a:
            continue
        out.append(Change(key, field_label(key), value_text(key, b) if key in before else "",
                          value_text(key, a) if key in after else "", b != a))
    return out


def _cells(before: dict, after: dict) -> list[Change]:
    from portal.attendance.audit_cells import cells_of_audit

    out = []
    for (appointment_id, day), (old, new) in sorted(cells_of_audit(before, after).items()):
        key = f"{appointment_id}/{day.isoformat()}"
        out.append(Change(key, key, value_text(key, old and str(old)), value_text(key, new and str(new)), True))
    return out


LINKS = {"person": ("registry.person", "person_id"), "household": ("registry.household", "household_id"),
         "post": ("plan_pages.detail", "post_id"), "appointment": ("hiring_pages.appointment", "appt_id"),
         "exit": ("exit_pages.detail", "exit_id"), "payroll": ("payroll_pages.detail", "payroll_id"),
         "workshop": ("workshop_pages.detail", "workshop_id"), "village": ("places.village", "village_id"),
         "village_attendance": ("places.village", "village_id"), "finding": ("audit.finding", "finding_id"),
         "audit_run": ("audit.run_detail", "run_id"), "audit_sample": ("audit_desk.sample", "sample_id")}


def record_url(entry: AuditEntry) -> str | None:
    """The page of the row's record, when it has one."""
    target = LINKS.get(entry.entity_type)
    if target is None or not str(entry.entity_id).isdigit() or target[0] not in current_app.view_functions:
        return None
    try:
        return url_for(target[0], **{target[1]: int(entry.entity_id)})
    except BuildError:
        return None


def local_time(entry: AuditEntry) -> str:
    return entry.ts.astimezone(_zone()).strftime("%Y-%m-%d %H:%M:%S")


# ---- Excel ----------------------------------------------------------------------------------------

def export_xlsx(f: LogFilter) -> bytes:
    """The filtered log, oldest row first, with readable actions, records and changes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Audit log")[:31]
    head = [_("No."), _("Time"), _("User"), _("Action"), _("Record type"), _("Record"), _("Changes"),
            _("Before"), _("After")]
    ws.append(head)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for width, col in zip((8, 20, 14, 22, 16, 10, 60, 40, 40), "ABCDEFGHI", strict=True):
        ws.column_dimensions[col].width = width
    rows = db.session.execute(log_stmt(f).order_by(AuditEntry.seq).limit(MAX_EXPORT)).scalars()
    for entry in rows:
        diff = "\n".join(f"{c.label}：{c.before} → {c.after}" if c.before else f"{c.label}：{c.after}"
                         for c in changes(entry))
        ws.append([neutralise(v) for v in (entry.seq, local_time(entry), actor_label(entry.actor_name),
                                          action_label(entry.action), entity_label(entry.entity_type),
                                          entry.entity_id, diff, entry.before, entry.after)])
        ws.cell(ws.max_row, 7).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ---- the chain, checked in steps --------------------------------------------------------------------

def verify_step(start: int, batch: int = 2000) -> dict:
    """Check rows start..start+batch−1 against their hashes and their predecessor (the row before `start`,
    itself checked by the step before); the last step also checks the head. Returns the progress."""
    total = db.session.scalar(select(func.count(AuditEntry.seq))) or 0
    start = max(1, start)
    prev = GENESIS
    if start > 1:
        prev = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == start - 1))
        if prev is None:
            return {"done": True, "ok": False, "checked": start - 1, "total": total, "broken_seq": start - 1,
                    "reason": "missing"}
    rows = db.session.execute(select(AuditEntry).where(AuditEntry.seq >= start).order_by(AuditEntry.seq)
                              .limit(batch)).scalars().all()
    expected = start
    for r in rows:
        problem = None
        if r.seq != expected:
            problem, where = "missing", expected
        elif r.prev_hash != prev:
            problem, where = "link", r.seq
        elif row_hash(r.seq, r.ts, r.actor_id, r.actor_name, r.action, r.entity_type, r.entity_id, r.before, r.after,
                      r.prev_hash) != r.hash:
            problem, where = "hash", r.seq
        if problem:
            return {"done": True, "ok": False, "checked": expected - 1, "total": total, "broken_seq": where,
                    "reason": problem}
        prev, expected = r.hash, r.seq + 1
    if len(rows) == batch:
        return {"done": False, "ok": True, "checked": expected - 1, "total": total, "next": expected}
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != expected - 1 or head.last_hash != prev):
        return {"done": True, "ok": False, "checked": expected - 1, "total": total, "broken_seq": expected,
                "reason": "missing"}
    return {"done": True, "ok": True, "checked": expected - 1, "total": total}


def village_choices(county_id: int) -> list[tuple[int, str]]:
    from portal.places.models import Township, Village

    return [(v, f"{t} {n}") for v, n, t in db.session.execute(
        select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        .where(Township.county_id == county_id).order_by(Township.code, Village.code))]
