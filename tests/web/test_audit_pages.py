"""The audit pages: the run page (a run inline under TESTING, its counts, its progress JSON, a second run and a
bad period refused with the input kept), the findings list (filters, scope, order), a finding's page (evidence,
links to the records, history) with the township's answer and the auditor's closing through the forms, the
home items, the audit settings, and who may open what (a clerk nothing, another township's finding a 404)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from flask_babel import gettext
from sqlalchemy import select

from tests.audit_factories import findings_by_village, plant, run_shared_account
from tests.payroll_factories import user

MONEY = "¥600.00"


@pytest.fixture
def planted(app, world):
    """A shared account with money at stake in 青竹村 (township A1) and one without in 柳岸村 (township A2),
    found by one run; returns the findings' ids by village key."""
    with app.app_context():
        plant(world, "a1a", paid=True)
        plant(world, "a2a")
        run_shared_account()
        found = findings_by_village(world)
        from portal.extensions import db

        db.session.remove()
    return found


def text_of(resp) -> str:
    return unescape(resp.get_data(as_text=True))


def translated(app, message: str, **values) -> str:
    """A service message as the page shows it (Chinese by default)."""
    with app.test_request_context():
        return gettext(message, **values)


def this_month(app) -> str:
    from portal.core.clock import county_today

    with app.app_context():
        return county_today().strftime("%Y-%m")


# ---- who may open what ----------------------------------------------------------------------------------


def test_every_audit_page_renders_for_the_roles_allowed(planted, login):
    a1a, a2a = planted["a1a"], planted["a2a"]
    pages = {
        "auditor": ["/audit/findings", f"/audit/findings/{a1a}", f"/audit/findings/{a2a}", "/audit/run",
                    "/audit/runs/1", "/audit/runs/1/progress", "/audit/"],  # the auditor's home (/ redirects)
        "admin": ["/audit/findings", f"/audit/findings/{a2a}", "/audit/run", "/audit/runs/1", "/audit/settings", "/"],
        "reviewer": ["/audit/findings", f"/audit/findings/{a1a}", "/"],
    }
    for username, urls in pages.items():
        c = login(username)
        for url in urls:
            resp = c.get(url)
            assert resp.status_code == 200, (username, url, resp.status_code)
            if not url.endswith("progress"):
                assert 'lang="zh-CN"' in text_of(resp)
    refused = {"reviewer": ["/audit/run", "/audit/runs/1", "/audit/runs/1/progress", "/audit/settings"],
               "auditor": ["/audit/settings"]}
    for username, urls in refused.items():
        c = login(username)
        for url in urls:
            assert c.get(url).status_code == 403, (username, url)


def test_a_clerk_is_refused_every_audit_page(planted, login):
    c = login("clerk")
    a1a = planted["a1a"]
    for url in ("/audit/findings", f"/audit/findings/{a1a}", "/audit/run", "/audit/runs/1",
                "/audit/runs/1/progress", "/audit/settings"):
        assert c.get(url).status_code == 403, url
    for url, data in ((f"/audit/findings/{a1a}/respond", {"response": "x", "action_taken": "y"}),
                      (f"/audit/findings/{a1a}/close", {"decision": "confirmed", "amount_recovered": "0",
                                                        "close_note": "x"}),
                      ("/audit/run", {"first": "2026-01", "last": "2026-02", "detectors": "shared_account"})):
        assert c.post(url, data).status_code == 403, url
    assert "/audit/" not in text_of(c.get("/")).split("<main")[0]  # no audit menu for a clerk


def test_another_townships_finding_is_a_404(planted, login, app):
    c = login("reviewer")
    other = planted["a2a"]
    assert c.get(f"/audit/findings/{other}").status_code == 404
    assert c.get("/audit/findings/999999").status_code == 404
    assert c.post(f"/audit/findings/{other}/respond", {"response": "x", "action_taken": "y"}).status_code == 404
    assert login("admin_b").get(f"/audit/findings/{planted['a1a']}").status_code == 404
    assert login("admin_b").get("/audit/runs/1").status_code == 404


# ---- the findings list -----------------------------------------------------------------------------------


def test_the_list_is_scoped_sorted_by_amount_and_filtered(planted, login):
    a1a, a2a = planted["a1a"], planted["a2a"]
    html = text_of(login("auditor").get("/audit/findings"))
    rows = re.findall(r'data-finding="(\d+)"', html)
    assert rows == [str(a1a), str(a2a)]  # ¥600.00 at stake first, then ¥0.00
    assert "共用账户" in html or "Shared bank account" in html
    assert MONEY in html and "2026年1月–12月" in html and "青竹村" in html and "白石镇" in html
    assert "622848******" in html  # the evidence, masked
    reviewer = text_of(login("reviewer").get("/audit/findings"))
    assert re.findall(r'data-finding="(\d+)"', reviewer) == [str(a1a)]
    assert 'id="f-township"' not in reviewer  # a reviewer has one township
    everything = text_of(login("auditor").get("/audit/findings?township=&state=&detector=nope&from=x"))
    assert len(re.findall(r'data-finding="', everything)) == 2  # empty or unknown filters filter nothing


@pytest.mark.parametrize("query, expected", [
    ("state=open", ["a1a", "a2a"]), ("state=closed", []), ("severity=high", ["a1a"]),
    ("severity=medium", ["a2a"]), ("detector=shared_account", ["a1a", "a2a"]),
    ("from=2026-03&to=2026-03", ["a1a", "a2a"]), ("from=2027-01", []), ("to=2025-12", []),
])
def test_list_filters(planted, world, login, query, expected):
    html = text_of(login("auditor").get(f"/audit/findings?{query}"))
    assert re.findall(r'data-finding="(\d+)"', html) == [str(planted[k]) for k in expected]


def test_list_filters_by_township_and_village(planted, world, login):
    c = login("auditor")
    html = text_of(c.get(f"/audit/findings?township={world.ids['a2']}"))
    assert re.findall(r'data-finding="(\d+)"', html) == [str(planted["a2a"])]
    html = text_of(c.get(f"/audit/findings?village={world.ids['a1a']}"))
    assert re.findall(r'data-finding="(\d+)"', html) == [str(planted["a1a"])]
    assert 'value="2026-03"' in text_of(c.get("/audit/findings?from=2026-03"))  # the filter is kept


# ---- a finding's page, answered and closed through the forms ---------------------------------------------


def test_the_finding_page_shows_evidence_records_and_history(planted, world, login):
    html = text_of(login("auditor").get(f"/audit/findings/{planted['a1a']}"))
    assert "622848******" in html and MONEY in html
    people = re.findall(r'data-kind="person_id" href="/registry/people/(\d+)"', html)
    assert len(people) == 2
    assert f'href="/places/villages/{world.ids["a1a"]}"' in html
    assert 'data-action="finding.open"' in html
    assert 'id="close-form"' in html and 'id="respond-form"' not in html


def test_the_township_answers_and_the_auditor_closes(planted, login, app):
    fid = planted["a1a"]
    reviewer = login("reviewer")
    page = text_of(reviewer.get(f"/audit/findings/{fid}"))
    assert 'id="respond-form"' in page and 'id="close-form"' not in page
    resp = reviewer.post(f"/audit/findings/{fid}/respond", {"response": "两人为夫妻", "action_taken": ""})
    assert resp.status_code == 422
    assert "两人为夫妻" in text_of(resp)  # what was typed stays
    resp = reviewer.post(f"/audit/findings/{fid}/respond", {"response": "两人为夫妻，共用一卡",
                                                            "action_taken": "已要求分别开户"})
    assert resp.status_code == 302
    page = text_of(reviewer.get(f"/audit/findings/{fid}"))
    assert "已要求分别开户" in page and 'data-action="finding.respond"' in page
    assert 'id="respond-form"' in page  # a better answer may replace it until the finding is closed

    auditor = login("auditor")
    resp = auditor.post(f"/audit/findings/{fid}/close", {"decision": "confirmed", "amount_recovered": "600.01",
                                                         "close_note": "追回多付"})
    assert resp.status_code == 422
    html = text_of(resp)
    assert translated(app, "The amount recovered cannot exceed the amount at stake.") in html
    assert 'value="600.01"' in html and "追回多付" in html
    resp = auditor.post(f"/audit/findings/{fid}/close", {"decision": "confirmed", "amount_recovered": "600.00",
                                                         "close_note": "已追回"})
    assert resp.status_code == 302
    html = text_of(auditor.get(f"/audit/findings/{fid}"))
    assert 'data-state="closed"' in html and 'id="closing-recovered">¥600.00' in html
    assert [a for a in re.findall(r'data-action="([^"]+)"', html)] == ["finding.open", "finding.respond",
                                                                       "finding.close"]
    assert 'id="close-form"' not in html
    # A stale form posted again is refused with the reason.
    resp = auditor.post(f"/audit/findings/{fid}/close", {"decision": "dismissed", "amount_recovered": "0",
                                                         "close_note": "x"})
    assert resp.status_code == 422
    assert reviewer.post(f"/audit/findings/{fid}/respond", {"response": "x", "action_taken": "y"}).status_code == 422
    with app.app_context():
        from portal.audit.models import Finding
        from portal.extensions import db

        finding = db.session.get(Finding, fid)
        assert (finding.state, finding.decision, finding.amount_recovered) == ("closed", "confirmed",
                                                                               Decimal("600.00"))


def test_the_admin_reads_but_does_not_close(planted, login):
    c = login("admin")
    assert 'id="close-form"' not in text_of(c.get(f"/audit/findings/{planted['a1a']}"))
    assert c.post(f"/audit/findings/{planted['a1a']}/close", {"decision": "dismissed", "amount_recovered": "0",
                                                               "close_note": "x"}).status_code == 403


# ---- running the audit -----------------------------------------------------------------------------------


def test_a_run_from_the_page_shows_its_counts_and_its_progress(world, app, login):
    with app.app_context():
        plant(world, "a1a")
    c = login("auditor")
    form = text_of(c.get("/audit/run"))
    assert 'value="shared_account"' in form and "checked" in form
    month = this_month(app)
    resp = c.post("/audit/run", {"first": f"{month[:4]}-01", "last": month, "detectors": "shared_account"})
    assert resp.status_code == 302
    run_url = resp.headers["Location"]
    html = text_of(c.get(run_url))
    assert 'id="run-done"' in html
    row = re.search(r'<tr data-detector="shared_account">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-col="hits">1<', row) and re.search(r'data-col="new">1<', row)
    assert "/audit/findings?detector=shared_account" in html
    data = c.get(run_url + "/progress").get_json()
    assert data["state"] == "done" and data["done"] == data["total"] == 1 and data["hits"] == 1
    assert re.search(r'href="/audit/runs/\d+"', text_of(c.get("/audit/run")))  # listed among past runs


def test_the_progress_of_a_running_run(world, app, login):
    from portal.audit import runs
    from portal.audit.rules import Month

    with app.app_context():
        run = runs.start_run(user("admin"), Month(2026, 1), Month(2026, 2), ["shared_account"])
        run_id = run.id
    data = login("auditor").get(f"/audit/runs/{run_id}/progress").get_json()
    assert data["state"] == "running" and (data["done"], data["total"]) == (0, 1)
    assert data["current"] and data["current_label"]
    html = text_of(login("auditor").get(f"/audit/runs/{run_id}"))
    assert 'id="run-progress"' in html and "js/audit.js" in html


def test_a_second_run_while_one_goes_is_refused_with_the_input_kept(world, app, login):
    from portal.audit import runs
    from portal.audit.rules import Month

    with app.app_context():
        runs.start_run(user("admin"), Month(2026, 1), Month(2026, 2), ["shared_account"])
    resp = login("auditor").post("/audit/run", {"first": "2026-01", "last": "2026-02",
                                                "detectors": "shared_account"})
    assert resp.status_code == 409
    html = text_of(resp)
    assert translated(app, "An audit run is already going; wait for it to finish.") in html
    assert 'value="2026-02"' in html


@pytest.mark.parametrize("first, last, message", [
    ("2026-05", "2026-04", "The period ends before it starts."),
    ("2026-01", "2099-01", "The period reaches into a month that has not begun."),
    ("2020-01", "2023-12", "A run covers at most 36 months."),
])
def test_a_bad_period_is_refused_and_keeps_what_was_typed(world, app, login, first, last, message):
    resp = login("auditor").post("/audit/run", {"first": first, "last": last, "detectors": "shared_account"})
    assert resp.status_code == 422
    html = text_of(resp)
    assert translated(app, message) in html
    assert f'value="{first}"' in html and f'value="{last}"' in html
    assert 'value="shared_account" checked' in html or re.search(r'checked[^>]*value="shared_account"', html)


def test_a_run_needs_a_detector(world, login):
    resp = login("auditor").post("/audit/run", {"first": "2026-01", "last": "2026-02"})
    assert resp.status_code == 422


# ---- home pages -------------------------------------------------------------------------------------------


def test_the_reviewer_home_lists_open_findings_oldest_first(planted, login):
    html = text_of(login("reviewer").get("/"))
    assert f'href="/audit/findings/{planted["a1a"]}"' in html
    assert f'href="/audit/findings/{planted["a2a"]}"' not in html
    assert "/audit/findings?state=open" in html


def test_the_auditor_home_counts_findings_and_links_the_run(planted, login):
    html = text_of(login("auditor").get("/", follow_redirects=True))  # the auditor's home is the desk
    assert "/audit/findings?state=open" in html and 'href="/audit/run"' in html
    nav = html.split("<main")[0]
    assert "/audit/findings" in nav and "/audit/run" in nav and "/audit/log" in nav
    assert "/audit/findings" in text_of(login("reviewer").get("/")).split("<main")[0]


# ---- settings -----------------------------------------------------------------------------------------------


def test_the_admin_sets_a_threshold_and_a_budget(world, app, login):
    from portal.core.settings import first_open_day

    with app.app_context():
        day = first_open_day().isoformat()
    c = login("admin")
    page = text_of(c.get("/audit/settings"))
    assert 'data-key="audit_late_mark_days"' in page and 'data-source="linkage_fund"' in page
    resp = c.post("/audit/settings", {"set-key": "audit_late_mark_days", "set-value": "abc",
                                      "set-effective_from": day})
    assert resp.status_code == 422
    assert "补录：考勤晚于当天多少天录入即视为补录：应为不小于 1 的整数，不接受“abc”。" in text_of(resp)
    assert 'value="abc"' in text_of(resp)
    assert c.post("/audit/settings", {"set-key": "audit_late_mark_days", "set-value": "10",
                                      "set-effective_from": day}).status_code == 302
    resp = c.post("/audit/settings", {"budget-source": "linkage_fund", "budget-amount": "120000.00",
                                      "budget-effective_from": "2020-01-01"})
    assert resp.status_code == 422 and 'value="120000.00"' in text_of(resp)
    assert c.post("/audit/settings", {"budget-source": "linkage_fund", "budget-amount": "120000.00",
                                      "budget-effective_from": day}).status_code == 302
    page = text_of(c.get("/audit/settings"))
    row = re.search(r'<tr data-key="audit_late_mark_days">(.*?)</tr>', page, re.S).group(1)
    assert "<code>10</code>" in row and "测试admin" in row
    assert "¥120,000.00" in re.search(r'<tr data-source="linkage_fund">(.*?)</tr>', page, re.S).group(1)
    with app.app_context():
        from portal.core.auditlog import AuditEntry
        from portal.extensions import db

        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("audit.set_%"))).all()
        assert sorted(actions) == ["audit.set_budget", "audit.set_setting"]


def test_links_are_built_from_every_record_id_in_the_facts(app):
    """Ids at any depth of the facts (lists of people included) link to their pages, named by the fact beside
    them; the finding's subject and village are linked too; a non-id value is not a link."""
    from datetime import date

    from portal.audit.links import record_links
    from portal.audit.models import Finding

    finding = Finding(id=1, detector="ghost_pay", subject_type="appointment", subject_id="7", village_id=3,
                      period_start=date(2026, 3, 1), period_end=date(2026, 3, 31))
    facts = {"payroll_id": 11, "month": "2026-03", "post_id": 5, "post": "村庄保洁员", "workshop_id": 4,
             "workshop": "竹编车间", "household_id": "9", "people": [{"person_id": 21, "name": "张三"},
                                                                  {"person_id": 22, "name": "李四"}],
             "nested": {"exit_id": 2}, "count": 2, "person_id": True}
    with app.test_request_context():
        links = {(link.kind, link.url): link.label for link in record_links(finding, facts, "青竹村")}
    assert links == {
        ("person_id", "/registry/people/21"): "人员：张三", ("person_id", "/registry/people/22"): "人员：李四",
        ("household_id", "/registry/households/9"): "户 #9", ("post_id", "/posts/5"): "岗位：村庄保洁员",
        ("appointment_id", "/posts/appointments/7"): "聘用 #7", ("payroll_id", "/payroll/11"): "发放表：2026年3月",
        ("workshop_id", "/workshops/4"): "车间：竹编车间", ("exit_id", "/posts/exits/2"): "退岗 #2",
        ("village_id", "/places/villages/3"): "行政村：青竹村",
    }
