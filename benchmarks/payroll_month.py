"""A month's payroll for the whole county beside its floor: one INSERT … SELECT … GROUP BY that the database runs
alone (every holder's marks counted and the lines written in SQL, partial windows ignored), on the same data in
the same run; median of rounds, the ratio, and the generation's peak memory in a child process."""

from __future__ import annotations

import multiprocessing

from benchmarks.measure import paired, peak_rss_mb, row

LINE_COLUMNS = ("payroll_id", "village_id", "kind", "appointment_id", "person_id", "post_id", "person_name",
                "id_number", "post_title", "bank_name", "bank_account", "schedule", "subsidy", "required_days",
                "duty_days", "window_days", "month_days", "present_days", "half_days", "leave_days", "absent_days",
                "amount", "reason", "created_by")


def _floor_sql(villages: str) -> tuple[str, str]:
    """The payroll rows, then every line: marks counted per appointment (GROUP BY) and paid min(S×D/R, S) in SQL."""
    payrolls = ("INSERT INTO payrolls (village_id, year, month, state, line_count, total, required_days, created_by, "  # noqa: S608
                "created_at, computed_at, return_reason, bank_reference) SELECT id, :y, :m, 'draft', 0, 0, :days, "
                f":by, :now, :now, '', '' FROM villages WHERE id IN ({villages})")
    required = "CASE WHEN po.schedule = 'part_time' THEN po.required_days ELSE :days END"
    duty = "(COALESCE(c.present, 0) + COALESCE(c.half, 0) * 0.5)"
    counts = ", ".join(f"SUM(CASE WHEN mark = '{m}' THEN 1 ELSE 0 END) AS {m}"
                       for m in ("present", "half", "leave", "absent"))
    lines = (f"INSERT INTO payroll_lines ({', '.join(LINE_COLUMNS)}) "  # noqa: S608
             f"SELECT p.id, a.village_id, 'duty', a.id, a.person_id, a.post_id, pe.name, pe.id_number, po.title, "
             f"pe.bank_name, pe.bank_account, po.schedule, po.subsidy, {required}, {duty}, :days, :days, "
             f"COALESCE(c.present, 0), COALESCE(c.half, 0), COALESCE(c.leave, 0), COALESCE(c.absent, 0), "
             f"ROUND(CASE WHEN {duty} >= {required} THEN po.subsidy ELSE po.subsidy * {duty} / {required} END, 2), "
             f"'', :by FROM appointments a JOIN people pe ON pe.id = a.person_id JOIN posts po ON po.id = a.post_id "
             f"JOIN payrolls p ON p.village_id = a.village_id AND p.year = :y AND p.month = :m "
             f"LEFT JOIN (SELECT appointment_id, {counts} FROM attendance_marks WHERE village_id IN ({villages}) "
             f"AND day >= :first AND day <= :last GROUP BY appointment_id) c ON c.appointment_id = a.id "
             f"WHERE a.state IN ('approved', 'active', 'exiting', 'exited') AND a.start_date <= :last "
             f"AND a.end_date >= :first")
    return payrolls, lines


def clear_month(year: int, month: int) -> None:
    from sqlalchemy import delete, select

    from portal.extensions import db
    from portal.payroll.models import Payroll, PayrollLine

    ids = select(Payroll.id).where(Payroll.year == year, Payroll.month == month)
    db.session.execute(delete(PayrollLine).where(PayrollLine.payroll_id.in_(ids)))
    db.session.execute(delete(Payroll).where(Payroll.year == year, Payroll.month == month))
    db.session.commit()


def _floor(facts: dict, year: int, month: int, working_days: int) -> None:
    from sqlalchemy import text

    from portal.attendance.service import month_bounds
    from portal.core.types import utcnow
    from portal.extensions import db

    villages = ", ".join(str(v) for v in facts["village_ids"])
    first, last = month_bounds(year, month)
    params = {"y": year, "m": month, "days": working_days, "by": facts["admin_id"], "now": utcnow(),
              "first": first, "last": last}
    payrolls, lines = _floor_sql(villages)
    db.session.execute(text(payrolls), params)
    db.session.execute(text(lines), params)
    db.session.commit()


def _generate_in_child(url: str, admin_id: int, year: int, month: int, answer) -> None:
    """Spawned: generate the month once and answer (peak RSS before, peak RSS after, lines)."""
    from portal import create_app
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.payroll import service

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        admin = db.session.get(User, admin_id)
        db.session.commit()
        before = peak_rss_mb()
        batch = service.generate_month(admin, year, month)
        answer.put((before, peak_rss_mb(), batch.lines))
        db.session.remove()
        db.engine.dispose()


def peak_memory(url: str, facts: dict, year: int, month: int) -> tuple[float, float, int]:
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    child = context.Process(target=_generate_in_child, args=(url, facts["admin_id"], year, month, answer))
    child.start()
    result = answer.get(timeout=600)
    child.join()
    return result


def payroll_row(app, url: str, facts: dict, year: int, month: int) -> None:
    """Print the county's month of payrolls (median of rounds) beside the floor, and its peak memory."""
    from sqlalchemy import func, select

    from portal.accounts.models import User
    from portal.attendance import service as attendance
    from portal.extensions import db
    from portal.payroll import service as payroll_service
    from portal.payroll.models import PayrollLine

    with app.app_context():
        clear_month(year, month)
        working = len(attendance.county_calendar(facts["county_id"]).month_working_days(year, month))
        engine = db.engine
    engine.dispose()  # the child opens its own connections
    before, peak, lines = peak_memory(url, facts, year, month)
    with app.app_context():
        admin = db.session.get(User, facts["admin_id"])
        ours, floors = paired(lambda: payroll_service.generate_month(admin, year, month),
                              lambda: _floor(facts, year, month, working),
                              before=lambda: clear_month(year, month))
        floor_lines = db.session.scalar(select(func.count(PayrollLine.id)))
        row(f"a month's payroll, {len(facts['village_ids'])} villages ({lines:,} lines)", ours, floors,
            "target ≤ 1.5× the floor")
        print(f"  -> floor wrote {floor_lines:,} lines; peak memory of the generation (child process): "
              f"{peak:.0f} MB ({before:.0f} MB before it)   target < 300 MB")
        clear_month(year, month)
        payroll_service.generate_month(admin, year, month)  # the month as the rest of the suite reads it
