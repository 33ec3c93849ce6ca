"""The database goes away and comes back; concurrent writers wait instead of failing.

PostgreSQL restarts are simulated with pg_terminate_backend on this test's own database (the server is
shared by other developers and may not be stopped): what the portal sees is the same — every pooled
connection is cut. A request in flight answers 503 "please retry"; the next one succeeds on a fresh
connection (pool_pre_ping). On SQLite, 20 grid saves and a payroll submission in one village race.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from portal.extensions import db
from tests.payroll_factories import TODAY, get_payroll, make_holders, mark_month, user


@pytest.fixture
def pg_admin(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to lose")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    yield admin, url.database
    admin.dispose()


def _terminate_all(admin, name: str) -> int:
    with admin.connect() as conn:
        return len(conn.execute(text(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name}).all())


def test_the_pool_recovers_after_every_connection_is_cut(app, world, login, pg_admin):
    admin, name = pg_admin
    clerk = login("clerk")
    assert clerk.get("/account").status_code == 200
    assert _terminate_all(admin, name) >= 1  # the pool's idle connections are gone
    assert clerk.get("/account").status_code == 200  # pre-ping noticed and reconnected
    assert clerk.get("/healthz").status_code == 200


def test_a_request_in_flight_when_the_connection_dies_answers_503_then_the_next_succeeds(app, world, login,
                                                                                         pg_admin):
    admin, _name = pg_admin
    clerk = login("clerk")
    killed = []

    def cut_my_connection(conn, cursor, statement, parameters, context, executemany):
        if not killed:
            pid = conn.connection.dbapi_connection.info.backend_pid
            with admin.connect() as a:
                a.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            killed.append(pid)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", cut_my_connection)
    try:
        page = clerk.get("/account")
    finally:
        event.remove(engine, "before_cursor_execute", cut_my_connection)
    assert killed
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    assert "Traceback" not in page.get_data(as_text=True)
    assert clerk.get("/account").status_code == 200


def test_twenty_grid_saves_and_a_payroll_submission_in_one_village_wait_instead_of_failing(app, world):
    """Every save either lands before the submission (and is paid from) or is refused as locked; none fails."""
    from portal.attendance import service as attendance
    from portal.attendance.models import AttendanceMark
    from portal.attendance.rules import Mark
    from portal.attendance.service import Change, MarksRefused
    from portal.payroll import service as payroll
    from portal.payroll.models import PayrollLine

    village = world.ids["a1a"]
    with app.app_context():
        holders = make_holders(world, "a1a", 20)
        mark_month(holders, 2026, 10)
        payroll_id = payroll.generate(user("clerk"), village, 2026, 10, TODAY).id
        db.session.remove()
    start = threading.Barrier(21)
    outcome: dict[str, object] = {}

    def save(i: int) -> None:
        with app.app_context():
            clerk = user("clerk")
            db.session.remove()  # no connection held while waiting at the start line
            start.wait(30)
            try:
                attendance.save_marks(clerk, village, [Change(holders[i], date(2026, 10, 9), Mark.ABSENT)],
                                      today=TODAY)
                outcome[f"save{i}"] = "saved"
            except MarksRefused as refused:
                outcome[f"save{i}"] = refused.cells[0].code
            except Exception as err:
                outcome[f"save{i}"] = repr(err)
            finally:
                db.session.remove()

    def submit() -> None:
        with app.app_context():
            start.wait(30)
            try:
                payroll.submit(user("clerk"), get_payroll(payroll_id))
                outcome["submit"] = "submitted"
            except Exception as err:
                outcome["submit"] = repr(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(20)] + [threading.Thread(target=submit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcome["submit"] == "submitted"
    assert set(outcome.values()) <= {"saved", "locked", "submitted"}, outcome
    with app.app_context():
        absent = dict(db.session.execute(
            select(AttendanceMark.appointment_id, func.count()).where(
                AttendanceMark.mark == "absent", AttendanceMark.appointment_id.in_(holders))
            .group_by(AttendanceMark.appointment_id)).all())
        lines = dict(db.session.execute(select(PayrollLine.appointment_id, PayrollLine.absent_days).where(
            PayrollLine.payroll_id == payroll_id, PayrollLine.kind == "duty")).all())
        assert get_payroll(payroll_id).state == "submitted"
        for i, appointment in enumerate(holders):
            saved = outcome[f"save{i}"] == "saved"
            assert absent.get(appointment, 0) == (1 if saved else 0), (i, outcome[f"save{i}"])
            assert lines[appointment] == absent.get(appointment, 0)  # the payroll pays exactly the locked marks
