"""No live formula in any file the portal writes (issue 12, point 1).

The demo county gets formula-like text in every free-text column a clerk, reviewer or admin can type
(names, bank names, addresses, post titles, workshop names, references, place names); then every .xlsx and
.csv route of the app is downloaded and every cell is read back. A new export route that this walk does not
know fails the test, so it cannot be forgotten.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text

from portal.reports.cells import TRIGGERS, neutralise, restore, safe_row

EVIL = '=HYPERLINK("http://evil.example/x","点")'
HOSTILE = {
    "people": ("name", "bank_name", "training_wish", "note"),
    "households": ("address",),
    "villages": ("name",),
    "townships": ("name",),
    "counties": ("name",),
    "posts": ("title",),
    "payroll_lines": ("person_name", "bank_name", "post_title", "reason"),
    "payrolls": ("bank_reference",),
    "workshops": ("name", "enterprise"),
    "workshop_assessments": ("bank_reference",),
    "users": ("full_name",),
}
PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+86 1", "'+86 1"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("张三", "张三"), ("a=b", "a=b"), ("", ""), (12, 12), (None, None),
])
def test_a_formula_character_at_the_start_gets_an_apostrophe(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("value", ["=1+1", "-3", "张三", "'quoted", "''=x"])
def test_restore_gives_back_what_neutralise_was_given(value):
    assert restore(neutralise(value)) == value


def test_safe_row_neutralises_text_and_keeps_numbers():
    from decimal import Decimal

    assert safe_row(["=1", Decimal("2.50"), 3, "ok"]) == ["'=1", Decimal("2.50"), 3, "ok"]


def test_the_ledger_import_reads_an_exported_formula_text_as_typed():
    from portal.registry.ledger.format import read_text

    assert read_text("'=1+1") == "=1+1"
    assert read_text("'abc") == "'abc"


def _poison(db) -> None:
    """Formula text in every free-text column (several prefixes, so each one is seen in a file)."""
    for table, columns in HOSTILE.items():
        for i, column in enumerate(columns):
            prefix = PREFIXES[i % len(PREFIXES)]
            value = EVIL if prefix == "=" else prefix + "1+1" + column
            # each row gets a distinct value (place names and titles may be unique); the id keeps it so, and the
            # value leaves room for it within the column's size (PostgreSQL refuses a longer one)
            length = getattr(db.metadata.tables[table].c[column].type, "length", None) or 200
            db.session.execute(text(f'UPDATE "{table}" SET "{column}" = :v || CAST(id AS VARCHAR)'),  # noqa: S608
                               {"v": value[:length - 7]})
    db.session.commit()


def _cells_of(resp) -> list:
    data = resp.get_data()
    if resp.mimetype == "text/csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        return [(v, "s") for row in rows for v in row]
    wb = load_workbook(io.BytesIO(data))
    return [(c.value, c.data_type) for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def _export_requests(ids) -> dict[str, list[tuple[str, str, str, dict]]]:
    """endpoint -> [(user, method, url, form)] covering every export route."""
    payroll, village, year, exit_id, workshop_year = ids
    return {
        "payroll_files.bank_csv": [("admin", "POST", f"/payroll/{payroll}/bank.csv", {})],
        "payroll_files.bank_xlsx": [("admin", "POST", f"/payroll/{payroll}/bank.xlsx", {})],
        "payroll_files.village_ledger": [("admin", "GET", f"/payroll/ledger/{village}/{year}.xlsx", {})],
        "ledger.export": [("admin", "GET", "/registry/export.xlsx", {}),
                          ("admin", "POST", "/registry/export.xlsx", {"unmasked": "1"})],
        "ledger.lists": [("admin", "GET", "/registry/lists/working.xlsx", {}),
                         ("admin", "GET", "/registry/lists/willing.xlsx", {})],
        "ledger.import_template": [("clerk01", "GET", "/registry/import/template.xlsx", {})],
        "plan_pages.ledger_xlsx": [("admin", "GET", "/posts/ledger.xlsx", {})],
        "workshop_files.assessment_xlsx": [("admin", "GET", f"/workshops/assessments/{workshop_year}.xlsx", {})],
        "workshop_files.exit_followup_xlsx": [("admin", "GET", f"/workshops/exits/{exit_id}/followup.xlsx", {})],
        "places.import_template": [("admin", "GET", "/places/import/template.csv", {})],
        "audit_desk.report_xlsx": [("auditor", "GET", f"/audit/report.xlsx?from={year}-01&to={year}-12", {})],
        "audit_desk.log_export": [("auditor", "GET", "/audit/log/export", {})],
    }


@pytest.fixture
def demo_login(app):
    """The demo county built, and a login to it by username."""
    from portal.demo.county import DEMO_PASSWORD, build_demo
    from tests.conftest import PortalClient

    with app.app_context():
        build_demo()

    def _login(username: str) -> PortalClient:
        c = PortalClient(app.test_client())
        assert c.login(username, DEMO_PASSWORD).status_code == 302
        return c

    return _login


def test_every_export_carries_no_live_formula(app, demo_login):
    from portal.extensions import db
    from portal.payroll.models import Payroll
    from portal.workshops.models import Assessment, WorkshopExit

    with app.app_context():
        payroll = db.session.execute(select(Payroll).where(Payroll.state == "approved")
                                     .order_by(Payroll.id)).scalars().first()
        exit_id = db.session.execute(select(WorkshopExit.id)).scalars().first()
        workshop_year = db.session.execute(select(Assessment.year)).scalars().first()
        ids = (payroll.id, payroll.village_id, payroll.year, exit_id, workshop_year)
        _poison(db)
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.rule.endswith((".xlsx", ".csv"))}
    requests = _export_requests(ids)
    known = {e.split(".")[-1] for e in requests}
    assert {r.split(".")[-1] for r in routes} <= known, "an export route the walk does not download"
    seen_neutralised, files = 0, 0
    for _endpoint, calls in requests.items():
        for username, method, url, form in calls:
            client = demo_login(username)
            resp = client.post(url, data=form) if method == "POST" else client.get(url)
            assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:300])
            files += 1
            for value, data_type in _cells_of(resp):
                assert data_type != "f", (url, value)
                if isinstance(value, str):
                    assert not value.startswith(TRIGGERS), (url, value)
                    seen_neutralised += value.startswith("'")
    assert files >= 12
    assert seen_neutralised > 50  # the hostile text is there, readable, behind its apostrophe
