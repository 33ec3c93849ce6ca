"""Workshop pages (Rule 5): the register by state, certification with the credit code checked on its field,
the detail with its monitoring, employees with overlap refusals, the monthly report beside the derived aided
employees, the monitoring overview with its chart, exits and the village board's delisting notice,
assessments and the county settings; each page per role, refusals with the input kept, scope (404) and
roles (403)."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.auditlog import AuditEntry
from portal.extensions import db
from portal.notice import views as notice_views
from portal.workshops import queries as ws_queries
from portal.workshops import settings as ws_settings
from portal.workshops.assessments import service as ws_assessments
from portal.workshops.certification import service
from portal.workshops.exits import service as ws_exits
from portal.workshops.models import Assessment, MonthlyReport, Workshop, WorkshopEmployee, WorkshopExit
from portal.workshops.monitoring import service as ws_monitoring
from portal.workshops.reports import service as ws_reports
from tests.workshop_factories import (
    TODAY,
    WAGE,
    credit_code,
    employ,
    file_reports,
    make_people,
    make_workshop,
    user,
)

TODAY_READERS = (service, ws_queries, ws_monitoring, ws_settings, ws_exits, ws_assessments, ws_reports, notice_views)


def set_today(monkeypatch, day: date) -> None:
    for module in TODAY_READERS:
        monkeypatch.setattr(module, "county_today", lambda day=day: day)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    set_today(monkeypatch, TODAY)


@contextmanager
def database(app):
    with app.app_context():
        yield db.session
        db.session.remove()


def _get(app, model, ident):
    with database(app) as s:
        obj = s.get(model, ident)
        s.expunge(obj)
        return obj


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    return found.group(1) if found else ""


def _workshops(app, world):
    """Three workshops of county A: 青竹村 (6 aided, normal), 石门村 (3 aided since June 2026: watch), 柳岸村."""
    with database(app):
        a = make_workshop(world, "a1a", aided=6, n=1)
        b = make_workshop(world, "a1b", aided=3, n=2, certified_on=date(2026, 6, 1))
        c = make_workshop(world, "a2a", aided=7, n=3)
        return a, b, c


CERTIFY = {"village": "", "name": "白石竹编车间", "enterprise": "云溪县白石竹艺有限公司", "address": "青竹村三组",
           "industry": "竹编", "certified_on": "2026-03-01", "accident_insurance": "y", "other_employees": "4"}


# ---- the register and certification ------------------------------------------------------------------------


def test_the_register_counts_workshops_by_state_and_filters_them(app, world, login):
    a, b, c = _workshops(app, world)
    admin = login("admin")
    html = _text(admin.get("/workshops/"))
    assert re.search(r'data-count="normal">2<', html) and re.search(r'data-count="watch">1<', html)
    assert all(f'data-workshop="{i}"' in html for i in (a, b, c))
    assert 'id="certify-link"' in html
    watch = _text(admin.get("/workshops/?state=watch"))
    assert f'data-workshop="{b}"' in watch and f'data-workshop="{a}"' not in watch
    assert "吸纳脱贫劳动力不足" in watch and "2026年6月" in watch  # the condition and since when
    township = _text(admin.get(f"/workshops/?township={world.ids['a2']}"))
    assert f'data-workshop="{c}"' in township and f'data-workshop="{a}"' not in township
    village = _text(admin.get(f"/workshops/?village={world.ids['a1b']}"))
    assert f'data-workshop="{b}"' in village and f'data-workshop="{a}"' not in village
    foreign = _text(admin.get(f"/workshops/?village={world.ids['b1a']}"))  # another county's village: ignored
    assert f'data-workshop="{a}"' in foreign

    reviewer = _text(login("reviewer").get("/workshops/"))
    assert f'data-workshop="{a}"' in reviewer and f'data-workshop="{c}"' not in reviewer
    assert 'id="certify-link"' not in reviewer
    clerk = _text(login("clerk").get("/workshops/"))
    assert f'data-workshop="{a}"' in clerk and f'data-workshop="{b}"' not in clerk
    assert "<select" not in clerk.split('id="workshops"')[0].split("state-counts")[1]  # no place filter for a clerk


def test_certify_keeps_the_input_and_shows_credit_code_errors_on_the_field(app, world, login):
    admin = login("admin")
    form = _text(admin.get("/workshops/new"))
    assert "青竹村" in form and "柳岸村" in form and "北坡村" not in form
    data = dict(CERTIFY, village=str(world.ids["a1a"]))
    bad = credit_code(5)[:-1] + ("1" if credit_code(5)[-1] != "1" else "2")
    resp = admin.post("/workshops/new", data | {"credit_code": bad})
    html = _text(resp)
    assert resp.status_code == 422
    assert "校验位" in html.split('name="credit_code"')[1].split('name="address"')[0]  # on the field
    assert _value(html, "credit_code") == bad and _value(html, "name") == "白石竹编车间"  # the input is kept
    short = _text(admin.post("/workshops/new", data | {"credit_code": "91422825"}))
    assert "18" in short.split('name="credit_code"')[1].split('name="address"')[0]

    resp = admin.post("/workshops/new", data | {"credit_code": credit_code(5).lower()})
    assert resp.status_code == 302
    workshop_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    with database(app) as s:
        w = s.get(Workshop, workshop_id)
        assert (w.credit_code, w.accident_insurance, w.other_employees, w.certified_on) == (
            credit_code(5), True, 4, date(2026, 3, 1))
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "workshop.certify"))
    again = admin.post("/workshops/new", data | {"credit_code": credit_code(5), "name": "另一个车间"})
    html = _text(again)
    assert again.status_code == 422
    assert "白石竹编车间" in html.split('name="credit_code"')[1].split('name="address"')[0]  # names the holder


def test_the_county_admin_edits_a_workshop(app, world, login):
    a, _b, _c = _workshops(app, world)
    admin = login("admin")
    form = _text(admin.get(f"/workshops/{a}/edit"))
    assert _value(form, "credit_code") == credit_code(1) and 'name="village"' not in form
    data = {"name": "青竹竹编车间", "enterprise": "云溪县青竹服饰有限公司1", "credit_code": credit_code(1),
            "address": "青竹村1组", "industry": "竹编", "certified_on": "2025-01-01", "other_employees": "9"}
    resp = admin.post(f"/workshops/{a}/edit", data | {"certified_on": "2026-12-01"})
    assert resp.status_code == 422 and _value(_text(resp), "certified_on") == "2026-12-01"
    assert "invalid-feedback" in _text(resp).split('name="certified_on"')[1].split("</div>")[0]
    assert admin.post(f"/workshops/{a}/edit", data).status_code == 302
    assert _get(app, Workshop, a).name == "青竹竹编车间"
    assert login("reviewer").get(f"/workshops/{a}/edit").status_code == 403


# ---- the detail and employees -------------------------------------------------------------------------------


def test_the_detail_shows_fields_monitoring_employees_months_exits_and_assessments(app, world, login):
    _a, b, _c = _workshops(app, world)
    with database(app):
        file_reports(b, (2026, 9), (2026, 10), by="clerk_b")
    for who in ("clerk_b", "reviewer", "auditor", "admin"):
        html = _text(login(who).get(f"/workshops/{b}"))
        assert credit_code(2) in html and "服装加工" in html
        assert 'id="watch-cause"' in html and "吸纳脱贫劳动力不足" in html and "2026年6月" in html
        assert 'data-condition="low_aided"' in html
        assert html.count('data-employee="') == 3 and "4228**********" in html  # masked IDs only
        assert 'id="m2026-10"' in html and "¥52,000.00" in html
        assert 'id="workshop-chart-json"' in html and 'data-chart="bars"' in html
        assert ('id="add-employee"' in html) == (who in ("clerk_b", "reviewer", "admin"))
        assert ('id="propose-exit"' in html) == (who in ("reviewer", "admin"))
        assert ('id="edit-link"' in html) == (who == "admin")
        assert ('id="file-report"' in html) == (who in ("clerk_b", "reviewer"))


def test_add_an_employee_by_search_with_overlap_refused_naming_the_other_workshop(app, world, login):
    a, b, _c = _workshops(app, world)
    with database(app):
        (person,) = make_people(world, "a1a", 1)
        service.add_employee(user("clerk"), db.session.get(Workshop, a), person, date(2026, 1, 1), WAGE,
                             today=TODAY)
        name = db.session.get(Workshop, a).name
    reviewer = login("reviewer")
    page = _text(reviewer.get(f"/workshops/{b}/employees/new?q=车间工"))
    assert f'value="{person}"' in page and name in page  # says where the person works now
    resp = reviewer.post(f"/workshops/{b}/employees/new?q=车间工", {
        "person_id": str(person), "hire_date": "2026-06-01", "monthly_wage": "2400.00"})
    html = _text(resp)
    assert resp.status_code == 422
    message = html.split('name="hire_date"')[1].split("</div>")[0]
    assert name in message and "2026年1月1日" in message
    assert _value(html, "hire_date") == "2026-06-01" and _value(html, "monthly_wage") == "2400.00"

    # the first workshop ends the employment; the other may hire from the next day
    with database(app) as s:
        row = s.execute(select(WorkshopEmployee.id).where(WorkshopEmployee.person_id == person)).scalar_one()
    clerk = login("clerk")
    end = clerk.post(f"/workshops/employees/{row}/end", {"leave_date": "2026-05-31"})
    assert end.status_code == 302
    assert _get(app, WorkshopEmployee, row).leave_date == date(2026, 5, 31)
    ok = reviewer.post(f"/workshops/{b}/employees/new", {
        "person_id": str(person), "hire_date": "2026-06-01", "monthly_wage": "2400.00"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/workshops/{b}#employees")
    assert "2026年5月31日" in _text(clerk.get(f"/workshops/{a}")).split(f'data-employee="{row}"')[1].split("</tr>")[0]


def test_employee_refusals_keep_the_input(app, world, login):
    a, _b, _c = _workshops(app, world)
    with database(app):
        (person,) = make_people(world, "a1a", 1)
    clerk = login("clerk")
    plain = _text(clerk.get(f"/workshops/{a}/employees/new"))
    assert f'value="{person}"' in plain  # the village's people without a search
    resp = clerk.post(f"/workshops/{a}/employees/new", {
        "person_id": str(person), "hire_date": "2026-12-01", "monthly_wage": "2400.555"})
    html = _text(resp)
    assert resp.status_code == 422 and _value(html, "hire_date") == "2026-12-01"
    assert "invalid-feedback" in html.split('name="monthly_wage"')[1]
    stranger = clerk.post(f"/workshops/{a}/employees/new", {
        "person_id": str(world.people["p_b1a"]), "hire_date": "2026-06-01", "monthly_wage": "2400"})
    assert stranger.status_code == 422  # a person outside the clerk's scope cannot be chosen
    with database(app) as s:
        assert s.scalar(select(WorkshopEmployee.id).where(WorkshopEmployee.person_id == person)) is None
        row = s.execute(select(WorkshopEmployee.id).where(WorkshopEmployee.workshop_id == a)).scalars().first()
    refused = clerk.post(f"/workshops/employees/{row}/end", {"leave_date": "2024-12-31"})
    assert refused.status_code == 422 and _value(_text(refused), "leave_date") == "2024-12-31"
    fixed = clerk.post(f"/workshops/employees/{row}/edit", {"hire_date": "2025-01-01", "leave_date": "",
                                                           "monthly_wage": "2800.00"})
    assert fixed.status_code == 302 and _get(app, WorkshopEmployee, row).monthly_wage == Decimal("2800.00")


# ---- monthly reports ------------------------------------------------------------------------------------------


def test_the_clerk_files_a_report_beside_the_derived_aided_employees(app, world, login):
    a, _b, _c = _workshops(app, world)
    clerk = login("clerk")
    page = _text(clerk.get(f"/workshops/{a}/reports/2026/10"))
    assert re.search(r'id="aided-count">6<', page) and page.count("<li>") >= 6
    assert 'name="aided' not in page  # derived, never typed
    data = {"operating": "1", "total_employees": "5", "wages_paid": "30000", "output_value": "120000.50"}
    resp = clerk.post(f"/workshops/{a}/reports/2026/10", data)
    html = _text(resp)
    assert resp.status_code == 422 and "6" in html.split('name="total_employees"')[1].split("</div>")[0]
    assert _value(html, "output_value") == "120000.50"
    note = clerk.post(f"/workshops/{a}/reports/2026/10", data | {"total_employees": "9", "violation": "y"})
    assert note.status_code == 422 and "invalid-feedback" in _text(note).split('name="violation_note"')[1]
    ok = clerk.post(f"/workshops/{a}/reports/2026/10", data | {"total_employees": "9"})
    assert ok.status_code == 302 and "/workshops/reports?month=2026-10" in ok.headers["Location"]
    listing = _text(clerk.get(ok.headers["Location"]))
    assert 'data-filed="1"' in listing and "2026年10月" in listing
    with database(app) as s:
        report = s.execute(select(MonthlyReport)).scalar_one()
        assert (report.total_employees, report.output_value, report.filed_by) == (
            9, Decimal("120000.50"), user("clerk").id)
    again = _text(clerk.get(f"/workshops/{a}/reports/2026/10"))
    assert _value(again, "total_employees") == "9" and 'id="filed-by"' in again
    future = _text(clerk.get(f"/workshops/{a}/reports/2026/12"))
    assert 'id="closed-month"' in future and 'id="report-form"' not in future
    refused = clerk.post(f"/workshops/{a}/reports/2026/12", data | {"total_employees": "9"}, follow_redirects=True)
    assert refused.status_code == 422 and "alert-danger" in _text(refused)


def test_who_files_reports(app, world, login):
    a, _b, _c = _workshops(app, world)
    data = {"operating": "0", "total_employees": "0", "wages_paid": "0", "output_value": "0"}
    for who in ("admin", "auditor"):
        c = login(who)
        html = _text(c.get(f"/workshops/{a}/reports/2026/10"))
        assert 'id="report-form"' not in html and 'id="not-filed"' in html
        assert c.post(f"/workshops/{a}/reports/2026/10", data).status_code == 403
    assert login("clerk_b").post(f"/workshops/{a}/reports/2026/10", data).status_code == 404
    assert login("reviewer").post(f"/workshops/{a}/reports/2026/10", data).status_code == 302
    assert login("clerk").get(f"/workshops/{a}/reports/2026/13").status_code == 404


def test_home_pages_show_missing_reports_of_last_month(app, world, login):
    a, b, _c = _workshops(app, world)
    reviewer = _text(login("reviewer").get("/"))
    item = re.search(r'href="/workshops/reports\?month=2026-10&amp;missing=1".*?</a>', reviewer, re.S).group(0)
    assert "2026年10月" in item and ">2<" in item
    clerk = _text(login("clerk").get("/"))
    item = re.search(r'href="/workshops/reports\?month=2026-10&amp;missing=1".*?</a>', clerk, re.S).group(0)
    assert ">1<" in item and "青竹帮扶车间1号" in item
    with database(app):
        file_reports(a, (2026, 10), (2026, 10))
    assert "/workshops/reports?month=2026-10" not in _text(login("clerk").get("/"))
    only_missing = _text(login("reviewer").get("/workshops/reports?month=2026-10&missing=1"))
    assert only_missing.count("data-workshop=") == 1 and f'data-workshop="{b}"' in only_missing
    listing = _text(login("reviewer").get("/workshops/reports?month=2026-10"))
    assert 'data-filed="0"' in listing and f'data-workshop="{b}"' in listing


# ---- monitoring --------------------------------------------------------------------------------------------------


def test_monitoring_groups_workshops_by_state_with_a_chart_of_aided_employment(app, world, login):
    a, b, c = _workshops(app, world)
    for who, shown in (("admin", {a, b, c}), ("reviewer", {a, b}), ("auditor", {a, b, c})):
        html = _text(login(who).get("/workshops/monitoring"))
        for w in shown:
            assert f'data-workshop="{w}"' in html, who
        watch = html.split('id="group-watch"')[1].split("</section>")[0]
        assert f'data-workshop="{b}"' in watch and "吸纳脱贫劳动力不足" in watch
        figures = json.loads(html.split('id="aided-chart-json">')[1].split("</script>")[0])
        total = 16 if who != "reviewer" else 9
        assert len(figures["values"]) == 12 and figures["values"][-1] == total
        assert figures["long"][0] == "2025年11月" and figures["months"][-1] == "10月"
        assert 'data-chart="bars"' in html and 'role="img"' in html and "vendor/echarts/echarts.min.js" in html
        table = html.split('id="aided-chart-data"')[1].split("</details>")[0]  # the same figures as a table
        assert table.count("<tr data-month=") == 12 and f'data-value="{total}"' in table
        assert "style=" not in html.split('id="aided-chart"')[1].split("</details>")[0]
    township = _text(login("admin").get(f"/workshops/monitoring?township={world.ids['a2']}"))
    assert f'data-workshop="{c}"' in township and f'data-workshop="{a}"' not in township


# ---- exits -------------------------------------------------------------------------------------------------------


def test_an_exit_through_the_pages_with_its_notice_on_the_village_board(app, world, login, monkeypatch, client):
    a, _b, _c = _workshops(app, world)
    reviewer = login("reviewer")
    assert login("clerk").get(f"/workshops/{a}/exits/new").status_code == 403
    empty = reviewer.post(f"/workshops/{a}/exits/new", {"condition": "other", "reason": "", "evidence": "营业执照"})
    assert empty.status_code == 422 and "营业执照</textarea>" in _text(empty)
    resp = reviewer.post(f"/workshops/{a}/exits/new", {"condition": "other", "reason": "企业主体注销",
                                                       "evidence": "营业执照注销通知书"})
    assert resp.status_code == 302
    exit_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    assert _get(app, Workshop, a).state == "exiting"
    assert "/workshops/exits?state=proposed" in _text(reviewer.get("/"))
    page = _text(reviewer.get(f"/workshops/exits/{exit_id}"))
    assert 'id="publish"' in page and 'id="decide"' not in page and page.count('data-person="') == 6
    assert reviewer.post(f"/workshops/exits/{exit_id}/publish").status_code == 302
    notice = _get(app, WorkshopExit, exit_id)
    assert (notice.state, notice.notice_start, notice.notice_end) == ("in_notice", TODAY, date(2026, 11, 27))

    board = _text(client.get("/notice/422825101201"))  # no login
    assert "青竹帮扶车间1号" in board and credit_code(1) in board and "2026年11月27日" in board
    assert "车间工" not in board  # no personal data
    boards = _text(client.get("/notice/"))
    assert re.search(r"青竹村</strong>.*?1", boards, re.S)

    admin = login("admin")
    early = admin.post(f"/workshops/exits/{exit_id}/approve", {"approve-effective_on": "2026-11-30"})
    assert early.status_code == 409 and "2026年11月27日" in _text(early) and 'id="notice-running"' in _text(early)
    assert "2026-11-27" not in _text(early).split('<main')[1].split('name="approve-effective_on"')[0]
    set_today(monkeypatch, date(2026, 11, 30))
    assert "/workshops/exits?state=in_notice" in _text(admin.get("/"))
    past = admin.post(f"/workshops/exits/{exit_id}/approve", {"approve-effective_on": "2026-11-29"})
    assert past.status_code == 409
    assert "invalid-feedback" in _text(past).split('name="approve-effective_on"')[1].split("</div>")[0]
    assert admin.post(f"/workshops/exits/{exit_id}/approve", {"approve-effective_on": "2026-11-30",
                                                              "approve-note": "同意摘牌"}).status_code == 302
    assert (_get(app, Workshop, a).state, _get(app, Workshop, a).exited_on) == ("exited", date(2026, 11, 30))
    done = _text(admin.get(f"/workshops/exits/{exit_id}"))
    assert done.count('data-person="') == 6 and 'id="effective-on"' in done and 'id="decide"' not in done
    assert 'id="add-employee"' not in _text(admin.get(f"/workshops/{a}"))


def test_the_county_admin_rejects_an_exit_with_a_note(app, world, login):
    a, _b, _c = _workshops(app, world)
    with database(app):
        proposal = ws_exits.propose_exit(user("reviewer"), db.session.get(Workshop, a), "other", "安全隐患",
                                        today=TODAY).id
    admin = login("admin")
    page = _text(admin.get(f"/workshops/exits/{proposal}"))
    assert 'id="reject-form"' in page and 'id="approve-form"' not in page  # not before the notice
    empty = admin.post(f"/workshops/exits/{proposal}/reject", {"reject-note": ""})
    assert empty.status_code == 422
    assert admin.post(f"/workshops/exits/{proposal}/reject", {"reject-note": "已整改到位"}).status_code == 302
    assert (_get(app, WorkshopExit, proposal).state, _get(app, Workshop, a).state) == ("rejected", "normal")
    assert login("reviewer").post(f"/workshops/exits/{proposal}/reject", {"reject-note": "x"}).status_code == 403
    listing = _text(admin.get("/workshops/exits?state=rejected"))
    assert f'data-exit="{proposal}"' in listing


# ---- assessments and settings --------------------------------------------------------------------------------


def test_the_county_admin_computes_approves_and_pays_the_assessment(app, world, login):
    a, _b, c = _workshops(app, world)
    admin = login("admin")
    assert admin.get("/workshops/assessments").headers["Location"].endswith("/workshops/assessments/2025")
    current = _text(admin.get("/workshops/assessments/2026"))
    assert 'id="not-ended"' in current and 'id="compute-button"' not in current
    refused = admin.post("/workshops/assessments/2026/compute", follow_redirects=True)
    assert "alert-danger" in _text(refused)
    assert admin.post("/workshops/assessments/2025/compute").status_code == 302
    html = _text(admin.get("/workshops/assessments/2025"))
    assert html.count('data-assessment="') == 2 and "¥10,000.00" in html and "新建一批" in html
    with database(app) as s:
        rows = {r.workshop_id: r.id for r in s.execute(select(Assessment)).scalars()}
    assert admin.post(f"/workshops/assessment/{rows[a]}/approve").status_code == 302
    item = _text(admin.get(f"/workshops/assessment/{rows[a]}"))
    assert 'id="pay"' in item and item.count("<code>4228") == 6
    future = admin.post(f"/workshops/assessment/{rows[a]}/pay", {"pay-paid_on": "2026-11-23",
                                                                  "pay-bank_reference": "ZF-001"})
    assert future.status_code == 409 and _value(_text(future), "pay-bank_reference") == "ZF-001"
    assert "invalid-feedback" in _text(future).split('name="pay-paid_on"')[1].split("</div>")[0]
    assert admin.post(f"/workshops/assessment/{rows[a]}/pay", {"pay-paid_on": "2026-11-22",
                                                                "pay-bank_reference": "ZF-001"}).status_code == 302
    assert _get(app, Assessment, rows[a]).state == "paid"
    assert "奖补已拨付" in _text(admin.get("/workshops/assessments/2025")).split(f'id="a{rows[a]}"')[1]
    for who in ("reviewer", "clerk"):
        c_ = login(who)
        assert c_.post("/workshops/assessments/2025/compute").status_code == 403
        assert c_.post(f"/workshops/assessment/{rows[c]}/approve").status_code == 403
    assert login("clerk").get(f"/workshops/assessment/{rows[a]}").status_code == 200
    assert login("clerk").get(f"/workshops/assessment/{rows[c]}").status_code == 404
    assert login("reviewer").get(f"/workshops/assessment/{rows[c]}").status_code == 404
    assert login("auditor").get("/workshops/assessments/2025").status_code == 200


def test_the_county_settings_page_shows_history_and_refusals(app, world, login):
    admin = login("admin")
    page = _text(admin.get("/workshops/settings"))
    assert "≥ 5：¥10,000.00；≥ 10：¥20,000.00" in page and _value(page, "set-effective_from") == "2026-11-01"
    bad = admin.post("/workshops/settings", {"set-key": "workshop_halt_months", "set-value": "0",
                                             "set-effective_from": "2026-11-01"})
    html = _text(bad)
    assert bad.status_code == 422 and _value(html, "set-value") == "0"
    assert "1 到 120" in html.split('name="set-value"')[1].split("</div>")[0]
    closed = admin.post("/workshops/settings", {"set-key": "workshop_halt_months", "set-value": "4",
                                                "set-effective_from": "2026-10-01"})
    assert closed.status_code == 422
    assert "invalid-feedback" in _text(closed).split('name="set-effective_from"')[1].split("</div>")[0]
    ok = admin.post("/workshops/settings", {"set-key": "workshop_halt_months", "set-value": "4",
                                            "set-effective_from": "2026-12-01"})
    assert ok.status_code == 302
    history = _text(admin.get("/workshops/settings"))
    row = history.split('data-key="workshop_halt_months"')[1].split("</tr>")[0]
    assert "2026年12月1日" in row and "<code>4</code>" in row
    for who in ("reviewer", "clerk", "auditor"):
        assert login(who).get("/workshops/settings").status_code == 403


def _tier_rows(*rows) -> dict[str, str]:
    data = {"tier-effective_from": "2026-12-01"}
    for i, (minimum, reward) in enumerate(rows):
        data[f"tier-tiers-{i}-minimum"], data[f"tier-tiers-{i}-reward"] = minimum, reward
    return data


def test_the_reward_tiers_are_an_editable_table(app, world, login):
    admin = login("admin")
    page = _text(admin.get("/workshops/settings"))
    assert 'value="workshop_tiers"' not in page  # no longer typed as 5:10000,10:20000,...
    assert [_value(page, f"tier-tiers-{i}-minimum") for i in range(6)] == ["5", "10", "20", "30", "", ""]
    assert _value(page, "tier-tiers-3-reward") == "50000.00"
    disordered = admin.post("/workshops/settings", _tier_rows(("5", "10000"), ("10", "5000")))
    html = _text(disordered)
    assert disordered.status_code == 422 and _value(html, "tier-tiers-1-reward") == "5000"
    assert "更高" in html
    half = admin.post("/workshops/settings", _tier_rows(("5", "10000"), ("12", "")))
    assert half.status_code == 422
    assert "invalid-feedback" in _text(half).split('name="tier-tiers-1-reward"')[1].split("</td>")[0]
    ok = admin.post("/workshops/settings", _tier_rows(("3", "8000"), ("", ""), ("15", "25000"), ("40", "60000.50")))
    assert ok.status_code == 302
    with app.app_context():
        assert ws_settings.history(world.ids["ca"], "workshop_tiers")[0].value == "3:8000,15:25000,40:60000.5"
    assert "2026年12月1日" in _text(admin.get(ok.headers["Location"]))


# ---- scope, roles, anonymous -----------------------------------------------------------------------------------


def test_another_places_workshop_is_404_and_roles_are_403(app, world, login):
    a, b, c = _workshops(app, world)
    with database(app) as s:
        row_b = s.execute(select(WorkshopEmployee.id).where(WorkshopEmployee.workshop_id == b)).scalars().first()
    clerk = login("clerk")
    for url in (f"/workshops/{b}", f"/workshops/{b}/reports/2026/10", f"/workshops/{b}/employees/new",
                f"/workshops/employees/{row_b}/end", f"/workshops/{c}"):
        assert clerk.get(url).status_code == 404, url
    assert clerk.get("/workshops/new").status_code == 403
    assert clerk.post("/workshops/new", dict(CERTIFY, village=str(world.ids["a1a"]),
                                             credit_code=credit_code(9))).status_code == 403
    assert clerk.get(f"/workshops/{a}/edit").status_code == 403
    assert login("reviewer").get(f"/workshops/{c}").status_code == 404
    admin_b = login("admin_b")
    assert admin_b.get(f"/workshops/{a}").status_code == 404
    assert admin_b.get(f"/workshops/{a}/edit").status_code == 404
    assert "青竹帮扶车间1号" not in _text(admin_b.get("/workshops/monitoring"))
    assert login("auditor").get(f"/workshops/{a}/employees/new").status_code == 403


def test_anonymous_users_go_to_the_login_page(app, world, client):
    a, _b, _c = _workshops(app, world)
    for url in ("/workshops/", f"/workshops/{a}", "/workshops/monitoring", "/workshops/reports",
                "/workshops/exits", "/workshops/assessments/2025", "/workshops/settings", "/workshops/new"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], url


def test_every_page_renders_in_chinese_for_every_role(app, world, login):
    a, _b, _c = _workshops(app, world)
    with database(app):
        file_reports(a, (2026, 10), (2026, 10))
        employ(a, make_people(world, "a1a", 1), date(2026, 2, 1))
        proposal = ws_exits.propose_exit(user("reviewer"), db.session.get(Workshop, a), "other", "理由",
                                        today=TODAY).id
        (assessment,) = [x.id for x in ws_assessments.compute_year(user("admin"), 2025, today=TODAY)
                         if x.workshop_id == a]
    pages = ["/workshops/", f"/workshops/{a}", f"/workshops/{a}?months=all", f"/workshops/{a}/reports/2026/10",
             "/workshops/reports", "/workshops/monitoring", "/workshops/exits", f"/workshops/exits/{proposal}",
             "/workshops/assessments/2025", f"/workshops/assessment/{assessment}"]
    for who in ("clerk", "reviewer", "auditor", "admin"):
        c = login(who)
        for url in pages:
            resp = c.get(url)
            assert resp.status_code == 200, (who, url)
            html = _text(resp)
            assert 'lang="zh-CN"' in html and "帮扶车间" in html, (who, url)
            assert "style=" not in html and "<script>" not in html, (who, url)
