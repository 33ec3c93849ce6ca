"""The per holder-month summary of attendance marks (`attendance_months`), kept right by every writer of marks.

The county audit reads these ~240 000 rows a year instead of the five million marks. A row holds, for one
appointment and one calendar month:
- the counts by mark (present / half / leave / absent);
- `pattern`: the month's marks day by day as four 31-bit day masks (present, half, leave, absent; bit d-1 set
  when day d carries that mark), written as 32 hex digits. Two holders share a pattern exactly when they have
  the same mark on the same days (no hash collisions, and computable in SQL, so the bulk rebuild and the
  migration need no pass in Python);
- `delays`: a histogram "days:count,…" (ascending days) of how long after its day each mark was saved — the
  county date of `set_at` (UTC, read in the county's zone like portal.core.clock) minus the marked day, never
  below 0 (a loader may stamp a mark before its day; the service cannot);
- `max_delay`: the longest of those delays.
A month without marks has no row.

Writers: `refresh_months(pairs)` after a save (attendance.service.save_marks: the touched holders' rows of the
touched months deleted and summarised again by one INSERT … SELECT; in Python only for a zone with summer time
on SQLite), `rebuild_months(village_ids, first, last)` for bulk loaders (demo, benchmarks, test factories): one
set-based INSERT … SELECT per call. Neither commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import and_, delete, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from portal.attendance.models import AttendanceMark, AttendanceMonth
from portal.core.clock import DEFAULT_ZONE
from portal.extensions import db

MARKS = ("present", "half", "leave", "absent")
CHUNK = 500  # appointment ids per IN list


# ---- pure ---------------------------------------------------------------------------------------


def pattern_of(marks: Iterable[tuple[int, str]]) -> str:
    """The fingerprint of a month's (day of month, mark) pairs: four day masks in hex (see the module doc)."""
    masks = dict.fromkeys(MARKS, 0)
    for day, mark in marks:
        if mark in masks:
            masks[mark] |= 1 << (day - 1)
    return "".join(f"{masks[m]:08x}" for m in MARKS)


def delays_text(delays: Iterable[int]) -> str:
    """The histogram "days:count,…" of save delays, ascending days ("" for no marks)."""
    counts: dict[int, int] = {}
    for d in delays:
        counts[d] = counts.get(d, 0) + 1
    return ",".join(f"{d}:{counts[d]}" for d in sorted(counts))


def parse_delays(value: str) -> dict[int, int]:
    """"0:20,7:1" → {0: 20, 7: 1}; blanks and malformed parts are skipped."""
    result: dict[int, int] = {}
    for part in (value or "").split(","):
        days, _sep, count = part.partition(":")
        try:
            result[int(days)] = result.get(int(days), 0) + int(count)
        except ValueError:
            continue
    return result


def save_delay(day: date, set_at: datetime, zone: ZoneInfo) -> int:
    """Whole days from the marked day to the county date it was saved on (0 when saved before it)."""
    if set_at.tzinfo is None:
        set_at = set_at.replace(tzinfo=UTC)
    return max(0, (set_at.astimezone(zone).date() - day).days)


def summarise(rows: Iterable[tuple[date, str, datetime]], zone: ZoneInfo) -> dict:
    """One holder-month's summary columns from its (day, mark, set_at) rows."""
    rows = list(rows)
    counts = dict.fromkeys(MARKS, 0)
    for _day, mark, _at in rows:
        if mark in counts:
            counts[mark] += 1
    delays = [save_delay(day, at, zone) for day, _mark, at in rows]
    return {**counts, "pattern": pattern_of((day.day, mark) for day, mark, _at in rows),
            "delays": delays_text(delays), "max_delay": max(delays, default=0)}


# ---- the county's zone --------------------------------------------------------------------------------


def county_zone() -> ZoneInfo:
    """The county's time zone (BABEL_DEFAULT_TIMEZONE), as portal.core.clock reads it."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def fixed_offset_seconds(zone: ZoneInfo, first: date, last: date) -> int | None:
    """The zone's UTC offset in seconds when it is the same all through first..last (Asia/Shanghai: 28 800,
    no summer time since 1991); None when it changes (the bulk rebuild then works in Python)."""
    offsets = set()
    for year in range(first.year, last.year + 1):
        for month in (1, 4, 7, 10):
            offsets.add(datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset())
    if len(offsets) != 1:
        return None
    return int(next(iter(offsets)).total_seconds())


# ---- writing after a save -------------------------------------------------------------------------------


def _month_span(pairs) -> tuple[date, date]:
    months = sorted({(y, m) for _a, y, m in pairs})
    (y0, m0), (y1, m1) = months[0], months[-1]
    last = date(y1 + (m1 == 12), m1 % 12 + 1, 1)
    return date(y0, m0, 1), date.fromordinal(last.toordinal() - 1)


def refresh_months(pairs: Iterable[tuple[int, int, int]]) -> None:
    """Recompute the summary rows of the given (appointment_id, year, month) from the marks in the database
    (the caller's transaction; not committed). Set-based when the county's zone keeps one offset (always on
    PostgreSQL): the rows of those holders in the months from the first to the last asked for are deleted and
    summarised again from their marks (summary_select), so nothing goes through Python; otherwise one read of
    those months' marks, one upsert, and a delete of the months left without marks."""
    wanted = {(int(a), int(y), int(m)) for a, y, m in pairs}
    if not wanted:
        return
    zone = county_zone()
    start, end = _month_span(wanted)
    ids = sorted({a for a, _y, _m in wanted})
    dialect = db.session.get_bind().dialect.name
    params: dict = {"start": start, "end": end}
    if dialect == "postgresql":
        params["zone"] = zone.key
    else:
        offset = fixed_offset_seconds(zone, start, end)
        if offset is None:
            _refresh_in_python(wanted, zone, start, end, ids)
            return
        params["shift"] = f"{offset:+d} seconds"
    span = [AttendanceMonth.year * 12 + AttendanceMonth.month >= start.year * 12 + start.month,
            AttendanceMonth.year * 12 + AttendanceMonth.month <= end.year * 12 + end.month]
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        db.session.execute(delete(AttendanceMonth).where(AttendanceMonth.appointment_id.in_(part), *span))
        where = f"appointment_id IN ({', '.join(str(a) for a in part)}) AND day >= :start AND day <= :end"
        db.session.execute(text(f"INSERT INTO attendance_months ({', '.join(INSERT_COLUMNS)}) "
                                + summary_select(dialect, where)), params)


def _refresh_in_python(wanted: set[tuple[int, int, int]], zone: ZoneInfo, start: date, end: date,
                       ids: list[int]) -> None:
    found: dict[tuple[int, int, int], list] = {}
    villages: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        rows = db.session.execute(select(
            AttendanceMark.appointment_id, AttendanceMark.village_id, AttendanceMark.day, AttendanceMark.mark,
            AttendanceMark.set_at).where(AttendanceMark.appointment_id.in_(part), AttendanceMark.day >= start,
                                         AttendanceMark.day <= end))
        for appointment_id, village_id, day, mark, set_at in rows:
            key = (appointment_id, day.year, day.month)
            if key in wanted:
                found.setdefault(key, []).append((day, mark, set_at))
                villages[appointment_id] = village_id
    upserts = [{"appointment_id": a, "village_id": villages[a], "year": y, "month": m,
                **summarise(found[(a, y, m)], zone)} for a, y, m in sorted(found)]
    if upserts:
        _upsert(upserts)
    empty = sorted(wanted - set(found))
    for i in range(0, len(empty), CHUNK):
        part = empty[i:i + CHUNK]
        db.session.execute(delete(AttendanceMonth).where(or_(*(and_(
            AttendanceMonth.appointment_id == a, AttendanceMonth.year == y, AttendanceMonth.month == m)
            for a, y, m in part))))


def _upsert(rows: list[dict]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(AttendanceMonth.__table__)
    columns = ("village_id", *MARKS, "pattern", "delays", "max_delay")
    stmt = stmt.on_conflict_do_update(index_elements=["appointment_id", "year", "month"],
                                      set_={c: stmt.excluded[c] for c in columns})
    db.session.execute(stmt, rows)


# ---- bulk rebuild ---------------------------------------------------------------------------------------


_SQLITE_PARTS = {  # SQLite keeps a date as its ISO text: its parts are read off it
    "year": "CAST(substr(day, 1, 4) AS INTEGER)",
    "month": "CAST(substr(day, 6, 2) AS INTEGER)",
    "dom": "CAST(substr(day, 9, 2) AS INTEGER)",
    "delay": "MAX(0, CAST(julianday(set_at, :shift, 'start of day') - julianday(day) AS INTEGER))",
    "hex": "printf('%08x', {})",
    "histogram": "group_concat(delay || ':' || n, ',')",
    "fence": " LIMIT -1",  # keeps the per-mark step a step of its own: each part computed once per mark
}
_POSTGRES_PARTS = {
    "year": "CAST(EXTRACT(YEAR FROM day) AS INTEGER)",
    "month": "CAST(EXTRACT(MONTH FROM day) AS INTEGER)",
    "dom": "CAST(EXTRACT(DAY FROM day) AS INTEGER)",
    "delay": "GREATEST(0, CAST(set_at AT TIME ZONE :zone AS DATE) - day)",
    "hex": "lpad(to_hex(CAST({} AS BIGINT)), 8, '0')",
    "histogram": "string_agg(delay || ':' || n, ',' ORDER BY delay)",
    "fence": "",
}


def summary_select(dialect: str, where: str) -> str:
    """The SELECT that turns the marks matching `where` (SQL over attendance_marks) into summary rows, in the
    column order of INSERT_COLUMNS. Per mark: its holder-month, day bit and save delay; per holder-month and
    delay: the counts and day masks; per holder-month: the sums, the masks in hex and the histogram (ascending
    delays: the rows before come ordered)."""
    p = _SQLITE_PARTS if dialect == "sqlite" else _POSTGRES_PARTS
    per_mark = (f"SELECT appointment_id, village_id, {p['year']} AS y, {p['month']} AS mo, "  # noqa: S608
                f"1 << ({p['dom']} - 1) AS bit, mark, {p['delay']} AS delay FROM attendance_marks "
                f"WHERE {where}{p['fence']}")
    masks = ", ".join(f"SUM(CASE WHEN mark = '{m}' THEN bit ELSE 0 END) AS m_{m}" for m in MARKS)
    counts = ", ".join(f"SUM(CASE WHEN mark = '{m}' THEN 1 ELSE 0 END) AS c_{m}" for m in MARKS)
    per_delay = (f"SELECT appointment_id, MIN(village_id) AS village_id, y, mo, delay, COUNT(*) AS n, {masks}, "  # noqa: S608
                 f"{counts} FROM ({per_mark}) AS per_mark GROUP BY 1, 3, 4, 5 ORDER BY 1, 3, 4, 5")
    sums = ", ".join(f"SUM(c_{m})" for m in MARKS)
    pattern = " || ".join(p["hex"].format(f"SUM(m_{m})") for m in MARKS)
    return (f"SELECT appointment_id, MIN(village_id), y, mo, {sums}, {pattern}, {p['histogram']}, "  # noqa: S608
            f"MAX(delay) FROM ({per_delay}) AS per_delay GROUP BY appointment_id, y, mo")


INSERT_COLUMNS = ("appointment_id", "village_id", "year", "month", *MARKS, "pattern", "delays", "max_delay")


def _whole_months(first: date, last: date) -> tuple[date, date]:
    start = first.replace(day=1)
    nxt = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    return start, date.fromordinal(nxt.toordinal() - 1)


def rebuild_months(village_ids: Iterable[int] | None, first: date, last: date) -> None:
    """Rewrite the summaries of every holder-month of the villages (None: all) in the months from first's to
    last's, from the marks, set-based (one DELETE and one INSERT … SELECT). The caller commits."""
    start, end = _whole_months(first, last)
    ids = None if village_ids is None else sorted({int(v) for v in village_ids})
    if ids is not None and not ids:
        return
    params: dict = {"start": start, "end": end}
    village_sql = ""
    if ids is not None:
        village_sql = " AND village_id IN (" + ", ".join(str(v) for v in ids) + ")"
    month_filter = [AttendanceMonth.year * 12 + AttendanceMonth.month >= start.year * 12 + start.month,
                    AttendanceMonth.year * 12 + AttendanceMonth.month <= end.year * 12 + end.month]
    if ids is not None:
        month_filter.append(AttendanceMonth.village_id.in_(ids))
    db.session.execute(delete(AttendanceMonth).where(*month_filter))
    dialect = db.session.get_bind().dialect.name
    zone = county_zone()
    if dialect == "postgresql":
        params["zone"] = zone.key
    else:
        offset = fixed_offset_seconds(zone, start, end)
        if offset is None:
            _rebuild_in_python(ids, start, end)
            return
        params["shift"] = f"{offset:+d} seconds"
    where = "day >= :start AND day <= :end" + village_sql
    db.session.execute(text(f"INSERT INTO attendance_months ({', '.join(INSERT_COLUMNS)}) "
                            + summary_select(dialect, where)), params)


def _rebuild_in_python(ids: list[int] | None, start: date, end: date) -> None:
    """The rebuild for a zone with summer time on SQLite: the holder-months found, refreshed in chunks."""
    stmt = select(AttendanceMark.appointment_id, AttendanceMark.day).where(
        AttendanceMark.day >= start, AttendanceMark.day <= end)
    if ids is not None:
        stmt = stmt.where(AttendanceMark.village_id.in_(ids))
    pairs = sorted({(a, d.year, d.month) for a, d in db.session.execute(stmt)})
    for i in range(0, len(pairs), CHUNK * 4):
        refresh_months(pairs[i:i + CHUNK * 4])


def months_of(appointment_ids: Iterable[int]) -> list[tuple[int, int, int]]:
    """The stored (appointment_id, year, month) summaries of these appointments (for tests and checks)."""
    ids = list(appointment_ids)
    return [tuple(r) for r in db.session.execute(
        select(AttendanceMonth.appointment_id, AttendanceMonth.year, AttendanceMonth.month)
        .where(AttendanceMonth.appointment_id.in_(ids))
        .order_by(AttendanceMonth.appointment_id, AttendanceMonth.year, AttendanceMonth.month))]
