"""The month grid of one village, 80 holders × 22 working days, in a 20 000-holder county (marks of January to
June loaded), on SQLite then PostgreSQL; each figure beside a floor measured in the same run on the same data:
- a save with every cell changed, one POST through the page as its script sends it (changed cells only),
  beside the raw upsert of the same cells by the driver (target ≤ 50 ms per POST);
- the page under 20 users on a gunicorn server with the production settings (4 workers), each user loading the
  grid and thinking 0.5–1.5 s, for PORTAL_BENCH_LOAD_SECONDS (default 20): p50/p95 and bytes on the wire
  (Accept-Encoding as a browser sends it), beside a page that reads no data (the login page) under the same
  load (target p95 ≤ 100 ms, ≤ 120 KB).
`python -m benchmarks grid`; PORTAL_BENCH_HOLDERS scales the county down.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from urllib.parse import urlencode

from benchmarks.http_load import Client, under_load, warm_up
from benchmarks.measure import ROUNDS, load_text, paired, row
from benchmarks.payroll import GRID_MONTH, HOLDERS, YEAR, _timed, build_county, load_marks
from benchmarks.registry_import import ROOT, on_both_databases

PASSWORD = "Bench-grid-2026!"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WORKERS = 4  # as the README's production command
SAVES = max(ROUNDS, 3) * 3  # the WAL's checkpoints come every few saves: enough saves to see them


def _grid_cells(app, facts) -> tuple[list[int], list[date], str]:
    from portal.attendance import service as attendance
    from portal.extensions import db

    with app.app_context():
        start, end = attendance.month_bounds(YEAR, GRID_MONTH)
        holders = [a.id for a in attendance.holders(facts["village_ids"][0], start, end)]
        days = attendance.county_calendar(facts["county_id"]).month_working_days(YEAR, GRID_MONTH)
        db.session.remove()
    return holders, days, f"/attendance/grid?month={YEAR}-{GRID_MONTH:02d}"


def _set_password(app, user_id: int) -> None:
    from portal.accounts.models import User
    from portal.accounts.service import hash_password
    from portal.extensions import db

    with app.app_context():
        db.session.get(User, user_id).password_hash = hash_password(PASSWORD)
        db.session.commit()


def _raw_upsert(app, village_id: int, clerk_id: int, cells: list[tuple[int, date]], mark: str):
    """The floor: the same cells upserted by the driver itself, one executemany and a commit."""
    from portal.core.types import utcnow
    from portal.extensions import db

    def run():
        raw = db.engine.raw_connection()
        try:
            now = utcnow()
            pg = db.engine.dialect.name == "postgresql"
            p = "%s" if pg else "?"
            rows = [(a, village_id, d if pg else d.isoformat(), mark, clerk_id,
                     now if pg else now.strftime("%Y-%m-%d %H:%M:%S.%f")) for a, d in cells]
            raw.cursor().executemany(
                "INSERT INTO attendance_marks (appointment_id, village_id, day, mark, set_by, set_at) "  # noqa: S608
                f"VALUES ({p}, {p}, {p}, {p}, {p}, {p}) ON CONFLICT (appointment_id, day) DO UPDATE SET "
                "mark = excluded.mark, set_by = excluded.set_by, set_at = excluded.set_at", rows)
            raw.commit()
        finally:
            raw.close()

    return run


def save_row(app, facts) -> None:
    from portal.extensions import db

    holders, days, url = _grid_cells(app, facts)
    cells = [(a, d) for a in holders for d in days]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": CSRF.search(page).group(1), "username": "clerk", "password": PASSWORD})

    def form(symbol: str) -> bytes:
        """The body a browser sends (encoded once, outside the timing)."""
        token = CSRF.search(client.get(url).get_data(as_text=True)).group(1)
        return urlencode({"csrf_token": token, "action": "save",
                          **{f"c{a}_{d.day}": symbol for a, d in cells}}).encode()

    closing = []

    def post(body: bytes) -> None:
        resp = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
        started = time.perf_counter()
        resp.close()  # what the server does after the answer has gone (a WAL checkpoint on SQLite)
        closing.append(time.perf_counter() - started)

    post(form("√"))  # every cell present first
    print(f"  grid: {len(holders)} holders × {len(days)} days = {len(cells):,} cells, every one changed per save")
    with app.app_context():
        floor = _raw_upsert(app, facts["village_ids"][0], facts["clerk_id"], cells, "present")
        half = form("½")  # the project's saves set ½ on every cell, the floor's put √ back
        ours, floors = paired(lambda: post(half), floor, rounds=SAVES)
        row("save the month grid, every cell changed", ours, floors, "target ≤ 50 ms per POST", unit="ms")
        print(f"  -> after each answer the server spent a median {sorted(closing)[len(closing) // 2] * 1000:.1f} ms, "
              f"at most {max(closing) * 1000:.1f} ms (SQLite: checkpointing the WAL)")
        db.session.remove()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_row(url: str, facts, grid_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench", "PORTAL_SECURE_COOKIES": "0"}
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn, on 127.0.0.1)
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--log-level",
         "warning", "portal:create_app()"], cwd=ROOT, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                Client(base).get("/login")
                break
            except OSError:
                time.sleep(0.2)
        clerk = Client(base)
        clerk.login("clerk", PASSWORD)
        warm_up(lambda: clerk.fork(), [grid_url], WORKERS)
        warm_up(lambda: Client(base), ["/login"], WORKERS)
        grid = under_load(lambda: clerk.fork(), grid_url)
        floor = under_load(lambda: Client(base), "/login")
        print(f"  page: {len(facts['village_ids'])} villages; 20 users, think 0.5–1.5 s; {load_text()}")
        for name, found in (("month grid page, 80 holders", grid), ("floor: the login page (reads no data)", floor)):
            print(f"  {name:<46} p50 {found.p50 * 1000:7.1f} ms  p95 {found.p95 * 1000:7.1f} ms  "
                  f"{found.count:5d} requests  {found.wire / 1024:6.1f} KB on the wire ({found.encoding or 'plain'}; "
                  f"{found.size / 1024:6.1f} KB of HTML)")
        print(f"  -> p95 {grid.p95 / floor.p95:5.2f}× the floor's   target p95 ≤ 100 ms, ≤ 120 KB on the wire")
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(url: str) -> None:
    from portal import create_app
    from portal.attendance.summary import rebuild_months
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False})
    logging.getLogger("portal.requests").setLevel(logging.WARNING)
    facts, _took = _timed(f"build the county ({HOLDERS:,} holders)", lambda: build_county(app))
    total, _took = _timed("load the marks of January to June",
                          lambda: load_marks(app, facts["clerk_id"], last=date(YEAR, 6, 30)))
    print(f"  -> {total:,} marks")
    with app.app_context():
        rebuild_months(None, date(YEAR, 1, 1), date(YEAR, 6, 30))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    _set_password(app, facts["clerk_id"])
    save_row(app, facts)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    page_row(url, facts, _grid_cells(app, facts)[2])


def main() -> None:
    print(f"The month grid, {HOLDERS:,} holders; {YEAR}-{GRID_MONTH:02d}")
    on_both_databases("portal-bench-grid-", run)


if __name__ == "__main__":
    main()
