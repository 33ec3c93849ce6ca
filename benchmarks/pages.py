"""Load test: gunicorn with the production settings on a county-scale database, 20 users with think time.

The county of the payroll benchmark (300 villages, 20 000 holders) with one month of marks and every village's
payroll of that month. Twenty users sign in (clerks of twenty villages, two township reviewers, a county admin)
and each, after a think time of 0.5–1.5 s, opens the register list, its payroll's detail page or the floor (a
signed-in page that reads no data), in turn. Only 127.0.0.1; the run stops itself after PORTAL_BENCH_SECONDS
(default 60, the most allowed). The measured window is cut in three: p50/p95 per page are the median of the
three parts' figures. Target: p95 ≤ 60 ms for the register list and the payroll detail.
"""

from __future__ import annotations

import calendar
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import UTC, date, datetime

from benchmarks.payroll import YEAR, build_county, write_marks
from benchmarks.registry_import import ROOT, on_both_databases

MONTH = 10
USERS = 20
SECONDS = min(60.0, float(os.environ.get("PORTAL_BENCH_SECONDS", "60")))
WARM_UP = 5.0
THINK = (0.5, 1.5)
PASSWORD = "Bench-pages-2026"
TARGET_MS = 60.0


def month_of_marks(app, year: int, month: int, clerk_id: int) -> int:
    """Every holder's working days of the month, mostly present, written with the driver's fastest path."""
    from sqlalchemy import select

    from portal.attendance.summary import rebuild_months
    from portal.core.calendar import WorkCalendar
    from portal.extensions import db
    from portal.posts.models import Appointment

    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    days = WorkCalendar().working_days(first, last)
    stamp = datetime(year, month, 28, 10, tzinfo=UTC)
    with app.app_context():
        rows = db.session.execute(select(Appointment.id, Appointment.village_id)).all()
        marks = [(a, v, d, "half" if (a + d.day) % 17 == 0 else "present", clerk_id, stamp)
                 for a, v in rows for d in days]
    write_marks(app, [marks])
    with app.app_context():
        rebuild_months(None, first, last)
        db.session.commit()
    return len(marks)


def build(url: str) -> list[tuple[str, int]]:
    """The county, a month of marks, every payroll of the month and the users: (username, payroll id) each."""
    from sqlalchemy import select

    from portal import create_app
    from portal.accounts.models import User
    from portal.accounts.service import hash_password
    from portal.extensions import db
    from portal.payroll import service as payroll_service
    from portal.payroll.models import Payroll
    from portal.places.models import Village

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    started = time.perf_counter()
    facts = build_county(app)
    marks = month_of_marks(app, YEAR, MONTH, facts["clerk_id"])
    with app.app_context():
        admin = db.session.get(User, facts["admin_id"])
        payroll_service.generate_month(admin, YEAR, MONTH)
        password = hash_password(PASSWORD)
        villages = db.session.execute(select(Village).order_by(Village.id)).scalars().all()
        payroll_of = dict(db.session.execute(select(Payroll.village_id, Payroll.id).where(
            Payroll.year == YEAR, Payroll.month == MONTH)).tuples().all())
        users = []
        for k, village in enumerate(villages[:USERS - 3]):
            name = "clerk" if village.id == villages[0].id else f"clerk{k:02d}"
            user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
            if user is None:
                user = User(username=name, full_name=f"经办员{k}", role="village_clerk", village_id=village.id,
                            locale="zh_CN", active=True, failed_logins=0, must_change_password=False)
                db.session.add(user)
            user.password_hash = password
            users.append((name, payroll_of[village.id]))
        for k, village in enumerate((villages[0], villages[-1])):
            name = f"reviewer{k}"
            db.session.add(User(username=name, full_name=f"审核员{k}", password_hash=password,
                                role="township_reviewer", township_id=village.township_id, locale="zh_CN",
                                active=True, failed_logins=0, must_change_password=False))
            users.append((name, payroll_of[village.id]))
        admin.password_hash = password
        users.append(("admin", payroll_of[villages[1].id]))
        if db.engine.dialect.name == "postgresql":
            db.session.commit()
            db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    print(f"  county built: {marks:,} marks, {len(payroll_of)} payrolls, {len(users)} users "
          f"({time.perf_counter() - started:.0f} s)")
    return users


class Browser:
    """One user's connection to 127.0.0.1 with its cookies (kept by hand: the production cookie is Secure)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Language": "zh-CN"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _eq, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, data

    def login(self, username: str) -> None:
        _status, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            rb'name="csrf_token" value="([^"]+)"', page)
        form = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "username": username,
                                       "password": PASSWORD})
        status, _page = self.request("POST", "/login", form)
        if status != 302:
            raise RuntimeError(f"{username} could not log in ({status})")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, tmp: str):
    """gunicorn as the README runs it in production (4 workers), on a free port of 127.0.0.1."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_DIR=tmp, PORTAL_SECRET_KEY="bench-" + "k" * 40,
               PORTAL_AUDIT_KEY="bench-audit-" + "k" * 40, PORTAL_AUDIT_CHECKPOINT_DIR=os.path.join(tmp, "cp"))
    log = open(os.path.join(tmp, "gunicorn.log"), "w")
    command = [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
               "benchmarks.pages_app:create_app()"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603  (our own command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                time.sleep(2)  # the other workers boot alongside the first
                return server, port, log
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start; see " + log.name)


def load(port: int, users: list[tuple[str, int]]) -> dict[str, list[list[float]]]:
    """Each user signs in, then opens its pages in turn with think time until the run's end: per page, the
    latencies (ms) in each third of the measured window."""
    from benchmarks.pages_app import FLOOR_PATH

    started = time.monotonic()
    window = (started + WARM_UP, started + SECONDS - 2)
    third = (window[1] - window[0]) / 3
    pages = {"register list": "/registry/", "payroll detail": None, "floor": FLOOR_PATH}
    found: dict[str, list[list[float]]] = {name: [[], [], []] for name in pages}
    errors: list[str] = []
    lock = threading.Lock()

    def user(k: int, username: str, payroll_id: int):
        rnd = random.Random(k)
        browser = Browser(port)
        browser.login(username)
        paths = dict(pages, **{"payroll detail": f"/payroll/{payroll_id}"})
        while True:
            for name in rnd.sample(list(paths), len(paths)):
                time.sleep(rnd.uniform(*THINK))
                if time.monotonic() >= window[1]:
                    return
                before = time.perf_counter()
                status, _body = browser.request("GET", paths[name])
                took = (time.perf_counter() - before) * 1000
                now = time.monotonic()
                with lock:
                    if status != 200:
                        errors.append(f"{username} {paths[name]} -> {status}")
                    elif now >= window[0]:
                        found[name][min(2, int((now - window[0]) // third))].append(took)

    threads = [threading.Thread(target=user, args=(k, *u), daemon=True) for k, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, started + SECONDS - time.monotonic()))
    if errors:
        print(f"  {len(errors)} failed requests, e.g. {errors[:3]}")
    return found


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else float("nan")


def report(found: dict[str, list[list[float]]]) -> None:
    floor95 = statistics.median(_percentile(part, 95) for part in found["floor"])
    for name, parts in found.items():
        p50 = statistics.median(_percentile(part, 50) for part in parts)
        p95 = statistics.median(_percentile(part, 95) for part in parts)
        target = "" if name == "floor" else f"target p95 ≤ {TARGET_MS:.0f} ms {'✓' if p95 <= TARGET_MS else '✗'}"
        print(f"  {name:<15} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {p95 / floor95:5.2f}× floor p95  "
              f"({sum(map(len, parts)):,} requests)  {target}")


def run(url: str) -> None:
    tmp = tempfile.mkdtemp(prefix="portal-bench-pages-")
    users = build(url)
    server, port, log = serve(url, tmp)
    try:
        print(f"  {USERS} users, think time {THINK[0]}–{THINK[1]} s, {SECONDS:.0f} s "
              f"(the first {WARM_UP:.0f} s not counted); median of the window's three parts")
        report(load(port, users))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def main() -> None:
    print(f"Pages under load: gunicorn (production settings, 4 workers), {USERS} users on 127.0.0.1")
    on_both_databases("portal-bench-pages-", run)


if __name__ == "__main__":
    main()
