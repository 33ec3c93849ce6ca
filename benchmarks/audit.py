"""The county audit at county scale: a year of a 300-village, 20 000-holder county (about 5 million marks,
240 000 payroll lines, 240 000 holder-month summaries). Targets: all detectors ≤ 2 s on SQLite and ≤ 1 s on
PostgreSQL. Each detector's time (median of 3) is printed beside the floor measured in the same run: a bare
GROUP BY over the year's marks (the read the detectors must not do).

`python -m benchmarks audit`; PORTAL_BENCH_HOLDERS scales the county down, PORTAL_BENCH_DATABASE_URL adds a
throwaway PostgreSQL database.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime

from benchmarks.payroll import HOLDERS, TOWNSHIPS, VILLAGES_PER_TOWNSHIP, YEAR, _timed, build_county, load_marks
from benchmarks.registry_import import on_both_databases

TODAY = date(YEAR + 1, 1, 20)
ROUNDS = 3


def _median(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(ROUNDS):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _payrolls(app, facts) -> int:
    """Every village's payroll of every month of the year, then paid (the last month approved, unpaid)."""
    from sqlalchemy import func, select, update

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.payroll import service as payroll_service
    from portal.payroll.models import Payroll, PayrollLine

    with app.app_context():
        admin = db.session.get(User, facts["admin_id"])
        for month in range(1, 13):
            payroll_service.generate_month(admin, YEAR, month)
        db.session.execute(update(Payroll).where(Payroll.month < 12).values(
            state="paid", submitted_by=facts["clerk_id"], approved_on=date(YEAR, 12, 5), paid_on=date(YEAR, 12, 10),
            bank_reference="BENCH"))
        db.session.execute(update(Payroll).where(Payroll.month == 12).values(
            state="approved", submitted_by=facts["clerk_id"], approved_on=date(YEAR + 1, 1, 6)))
        db.session.commit()
        return db.session.scalar(select(func.count(PayrollLine.id)))


def run(url: str) -> None:
    from sqlalchemy import func, select, update

    from portal import create_app
    from portal.accounts.models import User
    from portal.attendance.models import AttendanceMark, AttendanceMonth
    from portal.attendance.summary import rebuild_months
    from portal.audit import detectors, runs
    from portal.audit import findings as service
    from portal.audit.rules import Month
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    facts, _took = _timed(f"build the county ({HOLDERS:,} holders)", lambda: build_county(app))
    total, _took = _timed("load the year of marks (each saved on its day)",
                          lambda: load_marks(app, facts["clerk_id"], on_the_day=True))
    print(f"  -> {total:,} marks")
    with app.app_context():  # ten villages entered June a month late (补录): the detector has real hits
        late_villages = facts["village_ids"][-10:]
        db.session.execute(update(AttendanceMark).where(
            AttendanceMark.village_id.in_(late_villages), AttendanceMark.day >= date(YEAR, 6, 1),
            AttendanceMark.day <= date(YEAR, 6, 30)).values(set_at=datetime(YEAR, 7, 28, 2, tzinfo=UTC)))
        db.session.commit()
    with app.app_context():
        _timed("holder-month summaries from the marks (bulk rebuild)",
               lambda: (rebuild_months(None, date(YEAR, 1, 1), date(YEAR, 12, 31)), db.session.commit()))
        print(f"  -> {db.session.scalar(select(func.count(AttendanceMonth.id))):,} holder-months")
    lines, _took = _timed("generate and pay 12 months of payrolls", lambda: _payrolls(app, facts))
    print(f"  -> {lines:,} payroll lines")
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
        floor_stmt = (select(AttendanceMark.appointment_id, AttendanceMark.mark, func.count())
                      .where(AttendanceMark.day >= first, AttendanceMark.day <= last)
                      .group_by(AttendanceMark.appointment_id, AttendanceMark.mark))
        floor, _rows = _median(lambda: len(db.session.execute(floor_stmt).all()))
        print(f"  floor: bare GROUP BY over the year's marks {floor:8.3f} s (median of {ROUNDS})")
        scope = service._scope(facts["county_id"], Month(YEAR, 1), Month(YEAR, 12), TODAY)
        all_found = 0
        sum_median = 0.0
        for code, detector in detectors.all_detectors().items():
            took, hits = _median(lambda d=detector: list(d.find(scope)))
            sum_median += took
            all_found += len(hits)
            print(f"  {code:<18} {took:8.3f} s  {took / floor:6.2f}× floor   {len(hits):>6,} hits")
        print(f"  {'all detectors':<18} {sum_median:8.3f} s  {sum_median / floor:6.2f}× floor   {all_found:>6,} hits   "
              f"target ≤ {'2' if db.engine.dialect.name == 'sqlite' else '1'} s")
        auditor = User(username="auditor", full_name="县审计员", password_hash="!", role="county_auditor",
                       county_id=facts["county_id"], locale="zh_CN", active=True, failed_logins=0,
                       must_change_password=False)
        db.session.add(auditor)
        db.session.commit()
        _timed("a full run with findings stored (first run)",
               lambda: runs.run_audit(auditor, Month(YEAR, 1), Month(YEAR, 12), today=TODAY))
        _timed("the same run again (findings refreshed)",
               lambda: runs.run_audit(auditor, Month(YEAR, 1), Month(YEAR, 12), today=TODAY))
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    print(f"County audit, {HOLDERS:,} holders in {TOWNSHIPS * VILLAGES_PER_TOWNSHIP} villages, year {YEAR}")
    on_both_databases("portal-bench-audit-", run)


if __name__ == "__main__":
    main()
