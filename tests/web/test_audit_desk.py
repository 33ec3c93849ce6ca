"""The auditor's desk over HTTP: every page for the auditor and the admin, refused to reviewers and clerks;
drawing a sample and recording a failed check from the pages; the search (POST only, audited, masked);
the readable audit log with its filters, its Excel export (read back, no live formulas) and the stepwise
chain check; the report files."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.payroll_factories import make_holders, make_payroll, user

TODAY = date(2026, 11, 22)
DESK = ["/audit/", "/audit/samples", "/audit/search", "/audit/report", "/audit/log"]


@pytest.fixture
def county(app, world):
    """October 2026 paid in 青竹村 (4 holders) and approved in 石门村 (2); two holders share an account;
    a shared-account run has raised one finding."""
    from portal.audit import runs
    from portal.audit.rules import Month
    from portal.extensions import db
    from portal.posts.models import Appointment
    from portal.registry.models import Person

    with app.app_context():
        make_payroll(world, "a1a", 2026, 10, holders=4, state="paid")
        make_payroll(world, "a1b", 2026, 10, holders=2, state="approved")
        ids = make_holders(world, "a1a", 2)
        people = [db.session.get(Person, db.session.get(Appointment, a).person_id) for a in ids]
        people[1].bank_account = people[0].bank_account
        people[0].phone = "13812345678"
        db.session.commit()
        runs.run_audit(user("auditor"), Month(2026, 1), Month(2026, 10), ["shared_account"], today=TODAY)
        info = {"id_number": people[0].id_number, "account": people[0].bank_account, "name": people[0].name,
                "person_id": people[0].id}
        db.session.remove()
    return info


@pytest.mark.parametrize("who", ["auditor", "admin"])
def test_every_desk_page_renders_for_county_roles(county, login, who):
    c = login(who)
    for url in DESK:
        resp = c.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        assert 'lang="zh-CN"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("who", ["reviewer", "clerk"])
def test_reviewers_and_clerks_are_refused(county, login, who):
    c = login(who)
    for url in [*DESK, "/audit/report.pdf", "/audit/report.xlsx", "/audit/log/export"]:
        assert c.get(url).status_code == 403, url
    assert c.post("/audit/search", {"kind": "id", "query": county["id_number"]}).status_code == 403
    assert c.post("/audit/samples", {"period": "2026-10", "method": "percent"}).status_code == 403


def test_the_dashboard_shows_the_heat_table_money_and_chart_data(county, login):
    html = login("auditor").get("/audit/?year=2026").get_data(as_text=True)
    assert 'id="heat-table"' in html and 'data-count="1"' in html and "白石镇" in html
    assert 'type="application/json" id="desk-data"' in html and "echarts.min.js" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert 'id="risk-table"' in html and "青竹村" in html


def test_drawing_a_sample_and_a_failed_check_from_the_pages(county, login, app):
    from portal.audit.models import Finding
    from portal.audit.sampling.models import AuditSampleLine
    from portal.extensions import db

    c = login("auditor")
    resp = c.post("/audit/samples", {"period": "2026-10", "method": "percent", "percent": "50", "seed": "99",
                                     "confidence": "95", "margin": "5"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    page = c.get(resp.headers["Location"]).get_data(as_text=True)
    assert "99" in page and "⌈6 × 50%⌉ = 3" in page
    line_url = re.search(r'href="(/audit/samples/lines/\d+)"', page).group(1)
    assert "本人确认在岗" in c.get(line_url).get_data(as_text=True)
    refused = c.post(line_url, {"on_duty_confirmed": "no", "amount_matches": "", "account_is_own": "", "note": ""})
    assert refused.status_code == 422
    done = c.post(line_url, {"on_duty_confirmed": "no", "amount_matches": "yes", "account_is_own": "",
                             "note": "本人不知情"})
    assert done.status_code == 302
    with app.app_context():
        line = db.session.get(AuditSampleLine, int(line_url.rsplit("/", 1)[1]))
        finding = db.session.get(Finding, line.finding_id)
        assert finding.detector == "field_check" and finding.township_id is not None
        finding_id = finding.id
    assert c.get("/audit/").status_code == 200
    reviewer_view = login("reviewer").get(f"/audit/findings/{finding_id}")
    assert reviewer_view.status_code == 200 and "本人不知情" in reviewer_view.get_data(as_text=True)
    assert login("admin").post(line_url, {"on_duty_confirmed": "yes"}).status_code == 403


def test_search_by_id_is_a_post_audited_and_masked(county, login, app):
    from portal.core.auditlog import AuditEntry
    from portal.core.masking import mask_account, mask_id
    from portal.extensions import db

    c = login("auditor")
    resp = c.post("/audit/search", {"kind": "id", "query": county["id_number"]})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and county["name"] in html
    assert county["id_number"] not in html and mask_id(county["id_number"]) in html
    assert county["account"] not in html and mask_account(county["account"]) in html  # with the shared-account finding
    assert 'class="findings-list"' in html
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "audit.search")).scalar_one()
        assert entry.actor_name == "auditor" and county["id_number"] not in entry.after
        assert mask_id(county["id_number"]) in entry.after
    assert c.get(f"/audit/search?query={county['id_number']}").get_data(as_text=True).count(county["name"]) == 0
    short = c.post("/audit/search", {"kind": "id", "query": county["id_number"][:17]})
    assert short.status_code == 422


@pytest.mark.parametrize("kind, key", [("account", "account"), ("phone", None), ("name", "name")])
def test_search_by_account_phone_or_name(county, login, kind, key):
    query = county[key] if key else "13812345678"
    html = login("admin").post("/audit/search", {"kind": kind, "query": query}).get_data(as_text=True)
    assert county["name"] in html
    assert county["account"] not in html and "13812345678" not in html


def test_the_log_reads_in_chinese_and_filters(county, login, app):
    c = login("auditor")
    c.post("/audit/search", {"kind": "name", "query": "持岗人"})
    html = c.get("/audit/log").get_data(as_text=True)
    assert "搜索" in html or "查询" in html
    assert 'id="f-actor"' in html and 'id="f-village"' in html and 'id="f-entity"' in html
    only_findings = c.get("/audit/log?entity=finding").get_data(as_text=True)
    assert "涉及金额" in only_findings and 'href="/audit/findings/' in only_findings
    nobody = c.get("/audit/log?actor=nobody").get_data(as_text=True)
    assert "没有" in nobody
    future = c.get("/audit/log?from=2099-01-01").get_data(as_text=True)
    assert "没有" in future
    village = c.get(f"/audit/log?village={_village(app, 'a1a')}").get_data(as_text=True)
    assert 'href="/payroll/1"' in village and 'href="/payroll/2"' not in village  # 青竹村's, not 石门村's
    assert 'href="/audit/findings/1"' in village  # the shared account of two 青竹村 holders


def _village(app, key):
    from portal.extensions import db
    from portal.places.models import Village

    with app.app_context():
        code = {"a1a": "422825101201"}[key]
        return db.session.execute(select(Village.id).where(Village.code == code)).scalar_one()


def test_the_log_exports_to_excel_without_live_formulas(county, login, app):
    from portal.core import auditlog
    from portal.extensions import db

    with app.app_context():
        auditlog.record(user("admin"), "update", "person", county["person_id"], {"note": ""},
                        {"note": "=HYPERLINK(\"http://x\")"})
        db.session.commit()
    resp = login("auditor").get("/audit/log/export?entity=person")
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) >= 2
    texts = [str(v) for row in rows[1:] for v in row if v is not None]
    assert not any(t.startswith("=") for t in texts)
    assert any("'=HYPERLINK" in t or "=HYPERLINK" in t[1:] for t in texts)
    assert all(row[4] for row in rows[1:])  # the record type, readable


def test_the_chain_is_verified_in_steps(county, login):
    c = login("auditor")
    first = c.post("/audit/log/verify-step", {"start": "1"}).get_json()
    assert first["done"] and first["ok"] and first["checked"] == first["total"] > 0
    html = c.post("/audit/log", {}).get_data(as_text=True)
    assert 'id="verify-result"' in html


def test_the_report_files(county, login):
    c = login("auditor")
    pdf = c.get("/audit/report.pdf?from=2026-01&to=2026-12")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = c.get("/audit/report.xlsx?from=2026-01&to=2026-12")
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb.sheetnames == ["审计发现", "抽查核查", "汇总"]
    findings = list(wb["审计发现"].iter_rows(values_only=True))
    assert len(findings) == 2 and "******" in findings[1][10] and findings[1][6] == 0
