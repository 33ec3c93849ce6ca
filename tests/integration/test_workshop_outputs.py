"""Workshop outputs: the annual assessment report (就业帮扶车间考核奖补情况表) as PDF read back with pdftotext
and as Excel read back with openpyxl and calamine; the routes per role and scope; the exit's follow-up
list; the daily command `flask workshops-daily`.

The county's 2025: six workshops built through the workshop service (certified, employees, the 2024 and
2025 assessments computed, two rewards approved and one paid, one workshop exited in June).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.extensions import db
from portal.places.models import County
from portal.workshops.assessments import report_pdf, report_xlsx
from portal.workshops.assessments import service as assessments_service
from portal.workshops.certification import service
from portal.workshops.exits import service as exits
from portal.workshops.models import Assessment, Workshop, WorkshopExit
from tests.workshop_factories import TODAY, employ, make_people, make_workshop, user, workshop

SHOTS = Path("/tmp/shots/workshop_files")
TITLE = "2025年度就业帮扶车间考核奖补情况表"
NAMES = {n: f"青竹帮扶车间{n}号" for n in range(1, 7)}


@dataclass
class Year:
    ws: dict[int, int]  # n -> workshop id
    assessments: dict[int, int]  # n -> the 2025 assessment id
    exit_id: int


def build_year(world) -> Year:
    """2025 in the county: by workshop n — 1 a1a 32 stable (≥30, paid), 2 a1b 12 (approved), 3 a2a 6, 4 a1a 3
    (low aided: an exit proposed), 5 a2a certified 2024 with 8 then 13 (upgraded), 6 a1b exited in June."""
    ws = {1: make_workshop(world, "a1a", aided=32, n=1), 2: make_workshop(world, "a1b", aided=12, n=2),
          3: make_workshop(world, "a2a", aided=6, n=3), 4: make_workshop(world, "a1a", aided=3, n=4),
          5: make_workshop(world, "a2a", aided=8, n=5, certified_on=date(2024, 1, 1)),
          6: make_workshop(world, "a1b", aided=7, n=6)}
    employ(ws[5], make_people(world, "a2a", 5), date(2025, 1, 1))
    proposal = exits.propose_exit(user("reviewer"), workshop(ws[6]), "other", "企业停产转产，申请摘牌",
                                    today=date(2025, 6, 3))
    exits.publish_notice(user("reviewer"), proposal, today=date(2025, 6, 3))
    exits.approve_exit(user("admin"), db.session.get(WorkshopExit, proposal.id), date(2025, 6, 20),
                         today=date(2025, 6, 20))
    assessments_service.compute_year(user("admin"), 2024, today=TODAY)
    by_workshop = {a.workshop_id: a.id for a in assessments_service.compute_year(user("admin"), 2025, today=TODAY)}
    assessments = {n: by_workshop[w] for n, w in ws.items()}
    for n in (1, 2):
        assessments_service.approve_assessment(user("admin"), db.session.get(Assessment, assessments[n]), today=TODAY)
    assessments_service.record_payment(user("admin"), db.session.get(Assessment, assessments[1]), TODAY, "YX2026112201",
                           today=TODAY)
    db.session.expire_all()
    return Year(ws, assessments, proposal.id)


def county(world) -> County:
    return db.session.get(County, world.ids["ca"])


def rows_2025(user_name: str = "admin") -> list[Assessment]:
    db.session.expire_all()
    return assessments_service.assessments_for(user(user_name), 2025)


def pdf_text(data: bytes, tmp_path, name: str = "report.pdf") -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def squeeze(text: str) -> str:
    """pdftotext may or may not keep the spaces between CJK characters and digits."""
    return "".join(text.split())


def pdf_pages(data: bytes, tmp_path) -> int:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def names_in_xlsx(data: bytes) -> list[str]:
    ws = load_workbook(io.BytesIO(data))["考核奖补"]
    return [row[3] for row in ws.iter_rows(min_row=3, values_only=True) if isinstance(row[0], int)]


# ---- the PDF --------------------------------------------------------------------------------------

def test_the_county_report_lists_every_workshop_with_tiers_rewards_and_totals(world, ctx, tmp_path):
    year = build_year(world)
    rows = rows_2025()
    got = {a.workshop_id: (a.stable_aided, a.level, a.reward, a.classification, a.state) for a in rows}
    assert got == {
        year.ws[1]: (32, 4, Decimal("50000.00"), "new", "paid"),
        year.ws[2]: (12, 2, Decimal("20000.00"), "new", "approved"),
        year.ws[3]: (6, 1, Decimal("10000.00"), "new", "computed"),
        year.ws[4]: (3, 0, Decimal("0.00"), "adjusted", "computed"),
        year.ws[5]: (13, 2, Decimal("20000.00"), "upgraded", "computed"),
        year.ws[6]: (0, 0, Decimal("0.00"), "adjusted", "computed"),
    }
    data = report_pdf.assessment_report(county(world), 2025, rows, today=TODAY)
    assert data.startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "assessment-2025.pdf").write_bytes(data)
    text = pdf_text(data, tmp_path)
    flat = squeeze(text)
    assert f"{TITLE}（待审批）" in flat and "云溪县" in text and "考核年度：2025年1月1日至2025年12月31日" in flat
    for n, name in NAMES.items():
        assert name in flat, name
        assert workshop(year.ws[n]).credit_code in flat
    for needle in ("统一社会信用代码", "稳定就业", "奖补档次", "奖补金额", "30人及以上", "10–19人", "5–9人",
                   "未达档（不足5人）", "新建一批", "升级一批", "调整一批", "白石镇青竹村", "柳河乡柳岸村",
                   "云溪县青竹服饰有限公司1",
                   "50,000.00", "20,000.00", "10,000.00", "年内退出不予奖补", "已退出", "2025.6.20", "未达档",
                   "摘牌程序中", "已审批2026.11.22", "已发放2026.11.22", "待审批"):
        assert needle in flat, needle
    assert "奖补金额合计：¥100,000.00" in flat and "大写：壹拾万元整" in flat
    assert "车间：6个" in flat and "稳定就业帮扶：66人" in flat
    assert "已发放：¥50,000.00" in flat and "已审批待发放：¥20,000.00" in flat and "待审批：¥30,000.00" in flat
    assert "审批人：测试admin" in flat and "审批日期：2026年11月22日" in flat and "核算人：测试admin" in flat
    assert "5–9人10,000元；10–19人20,000元；20–29人30,000元；30人及以上50,000元" in flat
    pages = pdf_pages(data, tmp_path)
    assert f"第1页共{pages}页" in flat and f"第{pages}页共{pages}页" in flat

    if shutil.which("pdftoppm"):  # page 1 as a picture, to be looked at
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(SHOTS / "assessment-2025.pdf"),
                        str(SHOTS / "assessment-2025")], check=True)
        png = next(SHOTS.glob("assessment-2025*.png")).read_bytes()
        assert int.from_bytes(png[16:20], "big") > int.from_bytes(png[20:24], "big")  # landscape


def test_a_fully_approved_year_carries_no_watermark_and_tier_and_class_totals_add_up(world, ctx, tmp_path):
    year = build_year(world)
    for n in (3, 4, 5, 6):
        assessments_service.approve_assessment(user("admin"), db.session.get(Assessment, year.assessments[n]),
                                               today=TODAY)
    rows = rows_2025()
    found = report_pdf.totals(rows)
    assert [(r[0], r[1], r[3]) for r in report_pdf.tier_rows(found)] == [
        ("30人及以上", 1, Decimal("50000.00")), ("10–19人", 2, Decimal("40000.00")), ("5–9人", 1, Decimal("10000.00")),
        ("未达档（不足5人）", 2, Decimal("0.00"))]
    assert [(r[0], r[1]) for r in report_pdf.class_rows(found)] == [("新建一批", 3), ("升级一批", 1), ("调整一批", 2)]
    text = squeeze(pdf_text(report_pdf.assessment_report(county(world), 2025, rows, today=TODAY), tmp_path))
    assert TITLE in text and "（待审批）" not in text and "待审批：¥0.00" in text
    assert "无需发放" in text  # an approved reward of 0 is never paid


def test_a_long_report_repeats_its_header_and_counts_its_pages(world, ctx, tmp_path):
    for n in range(1, 46):
        service.certify(user("admin"), world.ids[("a1a", "a1b", "a2a")[n % 3]],
                        report_pdf_data(n), today=date(2025, 3, 1))
    rows = assessments_service.compute_year(user("admin"), 2025, today=TODAY)
    assert len(rows) == 45
    data = report_pdf.assessment_report(county(world), 2025, rows, today=TODAY)
    pages = pdf_pages(data, tmp_path)
    assert pages >= 3
    text = pdf_text(data, tmp_path)
    chunks = text.split("\f")
    assert all("统一社会信用代码" in squeeze(c) for c in chunks[:pages - 1])  # the header on every page of the table
    assert f"第{pages}页共{pages}页" in squeeze(text) and "车间：45个" in squeeze(text)


def report_pdf_data(n: int):
    from tests.workshop_factories import workshop_data

    return workshop_data(n, certified_on=date(2025, 3, 1), name=f"测试帮扶车间{n:02d}号")


def test_an_empty_year_still_makes_a_report(world, ctx, tmp_path):
    text = squeeze(pdf_text(report_pdf.assessment_report(county(world), 2025, [], today=TODAY), tmp_path))
    assert "本年度尚无考核结果" in text and "奖补金额合计：¥0.00" in text and "零元整" in text
    wb = load_workbook(io.BytesIO(report_xlsx.assessment_report(county(world), 2025, [], today=TODAY)))
    assert wb.sheetnames == ["考核奖补", "汇总", "稳定就业人员"]


# ---- the Excel workbook ---------------------------------------------------------------------------

def test_the_workbook_has_numbers_a_frozen_header_a_summary_and_masked_people(world, ctx):
    year = build_year(world)
    rows = rows_2025()
    data = report_xlsx.assessment_report(county(world), 2025, rows, today=TODAY)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["考核奖补", "汇总", "稳定就业人员"]
    main = wb["考核奖补"]
    assert TITLE in main["A1"].value and main.freeze_panes == "E3"
    header = [c.value for c in main[2]]
    assert header[:8] == ["序号", "乡镇", "村", "车间名称", "经营主体", "统一社会信用代码", "认定日期",
                          "稳定就业帮扶人数"]
    assert {"奖补档次", "奖补金额（元）", "分类", "考核状态", "审批人", "审批日期", "发放日期",
            "银行流水号"} <= set(header)
    money = header.index("奖补金额（元）") + 1
    by_name = {r[3].value: r for r in main.iter_rows(min_row=3) if isinstance(r[0].value, int)}
    assert set(by_name) == set(NAMES.values())
    first = by_name[NAMES[1]]
    assert first[money - 1].value == 50000 and first[money - 1].number_format == "0.00"
    assert [first[header.index(h)].value for h in ("奖补档次", "分类", "考核状态", "审批人", "银行流水号")] == [
        "30人及以上", "新建一批", "已发放", "测试admin", "YX2026112201"]
    assert by_name[NAMES[5]][header.index("上年档次")].value == "5–9人"
    assert by_name[NAMES[6]][header.index("年内退出不予奖补")].value == "是"
    total = next(r for r in main.iter_rows(min_row=3) if r[0].value == "合计")
    assert total[money - 1].value == 100000 and total[header.index("稳定就业帮扶人数")].value == 66

    summary = [[c for c in row] for row in wb["汇总"].iter_rows(values_only=True)]
    flat = [c for row in summary for c in row if c is not None]
    assert "壹拾万元整" in flat and "30人及以上" in flat and "升级一批" in flat and "已发放" in flat
    assert ["合计", 6, 66, 100000] in [list(r[:4]) for r in summary]

    people = list(wb["稳定就业人员"].iter_rows(min_row=2, values_only=True))
    assert len(people) == 66
    assert all("**********" in p[4] and len(p[4]) == 18 for p in people)

    from python_calamine import CalamineWorkbook  # a second, independent reader

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("考核奖补").to_python()
    assert sheet[1][:4] == ["序号", "乡镇", "村", "车间名称"] and len(sheet) == 2 + 6 + 1
    assert year.ws


# ---- the routes -----------------------------------------------------------------------------------

def test_the_report_routes_follow_the_role_and_scope(world, app, login, tmp_path):
    with app.app_context():
        build_year(world)
    expect = {"admin": set(NAMES.values()), "auditor": set(NAMES.values()),
              "reviewer": {NAMES[1], NAMES[2], NAMES[4], NAMES[6]}, "clerk": {NAMES[1], NAMES[4]},
              "clerk_b": {NAMES[2], NAMES[6]}, "admin_b": set()}
    for name, visible in expect.items():
        c = login(name)
        pdf = c.get("/workshops/assessments/2025.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", name
        assert pdf.headers["Cache-Control"] == "no-store" and "inline" in pdf.headers["Content-Disposition"]
        xlsx = c.get("/workshops/assessments/2025.xlsx")
        assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"], name
        assert set(names_in_xlsx(xlsx.data)) == visible, name
        text = squeeze(pdf_text(pdf.data, tmp_path, f"{name}.pdf"))
        assert all(v in text for v in visible) and not any(n in text for n in set(NAMES.values()) - visible), name
        assert c.get("/workshops/assessments/1999.pdf").status_code == 404
    assert "白石镇" in squeeze(pdf_text(login("reviewer").get("/workshops/assessments/2025.pdf").data, tmp_path))
    anon = app.test_client().get("/workshops/assessments/2025.xlsx")
    assert anon.status_code == 302 and "/login" in anon.headers["Location"]


def test_the_follow_up_list_of_an_exit(world, app, login):
    with app.app_context():
        year = build_year(world)
    resp = login("clerk_b").get(f"/workshops/exits/{year.exit_id}/followup.xlsx")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert "摘牌后帮扶对象跟踪名单" in ws["A1"].value and "2025年6月20日" in ws["A2"].value
    people = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(people) == 7
    assert all("**********" in p[2] and p[6] == "2025年6月19日" and p[7] == 2600 for p in people)
    assert {p[8] for p in people} == {"帮扶车间"}  # the register's own word, in Chinese
    assert login("clerk").get(f"/workshops/exits/{year.exit_id}/followup.xlsx").status_code == 404
    assert login("admin").get(f"/workshops/exits/{year.exit_id}/followup.xlsx").status_code == 200


# ---- the daily command ----------------------------------------------------------------------------

def test_the_daily_command_proposes_exits_due_and_exits_approved_ones(world, app):
    with app.app_context():
        low = make_workshop(world, "a1a", aided=3, n=1, certified_on=date(2026, 6, 1))  # June..October: watch
        leaving = make_workshop(world, "a1b", aided=6, n=2)
        proposal = exits.propose_exit(user("reviewer"), workshop(leaving), "other", "经营主体注销",
                                        today=date(2026, 11, 2))
        exits.publish_notice(user("reviewer"), proposal, today=date(2026, 11, 2))
        exits.approve_exit(user("admin"), db.session.get(WorkshopExit, proposal.id), date(2026, 12, 1),
                             today=date(2026, 11, 20))
        assert (workshop(low).state, workshop(leaving).state) == ("watch", "exiting")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["workshops-daily", "--date", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["workshops-daily 2026-11-30", "checked: 2", "watch: 1", "proposed: 0",
                                          "exited: 0"]
    result = runner.invoke(args=["workshops-daily", "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert "proposed: 1" in result.output and "exited: 1" in result.output  # November was the sixth month under 5
    with app.app_context():
        assert (workshop(low).state, workshop(leaving).state, workshop(leaving).exited_on) == (
            "exiting", "exited", date(2026, 12, 1))
        assert db.session.scalar(select(WorkshopExit.condition).where(WorkshopExit.workshop_id == low)) == "low_aided"
        assert db.session.get(Workshop, leaving).state == "exited"
    again = runner.invoke(args=["workshops-daily", "--date", "2026-12-01"])
    assert "proposed: 0" in again.output and "exited: 0" in again.output  # idempotent
    assert runner.invoke(args=["workshops-daily", "--date", "2026-13-01"]).exit_code == 2
