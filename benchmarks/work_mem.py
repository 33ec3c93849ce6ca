"""PostgreSQL's work_mem against the audit's year: EXPLAIN ANALYZE of a year's GROUP BY at several settings.

`python -m benchmarks work_mem` (PostgreSQL only: PORTAL_BENCH_DATABASE_URL): builds the audit benchmark's county
(300 villages, 20 000 holders, a year of marks, about 5 million), then runs the year's GROUP BY over the marks (the
audit benchmark's floor) and the holder-month summary rebuild's SELECT under each work_mem, and prints the plan's
aggregate line, whether it spilled to disk, and the time. The figures back the README's advice.
"""

from __future__ import annotations

import re
from datetime import date

from benchmarks.payroll import HOLDERS, YEAR, build_county, load_marks
from benchmarks.registry_import import on_both_databases

SETTINGS = ("4MB", "16MB", "64MB")
QUERIES = {
    "year's marks by holder and mark (the audit floor)":
        "SELECT appointment_id, mark, count(*) FROM attendance_marks WHERE day BETWEEN :first AND :last "
        "GROUP BY appointment_id, mark",
    "holder-months of the year (summary rebuild)":
        "SELECT appointment_id, date_trunc('month', day), mark, count(*) FROM attendance_marks "
        "WHERE day BETWEEN :first AND :last GROUP BY 1, 2, 3",
}
KEEP = re.compile(r"(Aggregate|Sort Method|Disk Usage|Batches|Execution Time|Memory Usage)")


def run(url: str) -> None:
    from sqlalchemy import text

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            print("  (PostgreSQL only: set PORTAL_BENCH_DATABASE_URL)")
            return
    facts = build_county(app)
    marks = load_marks(app, facts["clerk_id"], on_the_day=True)
    print(f"  {marks:,} marks of {HOLDERS:,} holders")
    params = {"first": date(YEAR, 1, 1), "last": date(YEAR, 12, 31)}
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        for label, sql in QUERIES.items():
            print(f"  {label}:")
            for setting in SETTINGS:
                db.session.execute(text(f"SET work_mem = '{setting}'"))
                db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"), params)  # warm the cache once
                plan = [r[0] for r in db.session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"), params)]
                kept = "; ".join(line.strip(" ->") for line in plan if KEEP.search(line))
                print(f"    work_mem {setting:>5}: {kept}")
            db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    print("work_mem and the audit's year of marks (EXPLAIN ANALYZE)")
    on_both_databases("portal-bench-workmem-", run)


if __name__ == "__main__":
    main()
