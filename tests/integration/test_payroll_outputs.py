"""Payroll outputs: the sheet PDF (补贴发放表) read back with pdftotext, the bank file (CSV, XLSX) with full
accounts and an audit row per download, the village ledger in Excel; the routes' roles and scopes.

Payrolls are built directly with the models (holders from tests/payroll_factories.make_holders), so these
tests depend on the payroll service only through the shapes of Payroll and PayrollLine.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.core.auditlog import AuditEntry
from portal.core.errors import NotAllowed, RuleViolation
from portal.extensions import db
from portal.payroll import bank_file
from portal.payroll.ledger_export import village_ledger
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.sheet_pdf import township_sheet, village_sheet
from portal.places.models import County, Township, Village
from portal.posts.models import Appointment
from tests.payroll_factories import make_holders, user

# October 2026: 18 working days. Holder 0 full duty, 1 seventeen and a half days, 2 nine, 3 none (all leave).
DUTY = (Decimal(18), Decimal("17.5"), Decimal(9), Decimal(0))
PAY = (Decimal("600.00"), Decimal("583.33"), Decimal("300.00"), Decimal("0.00"))
ADJUSTMENT = Decimal("50.00")
TOTAL = sum(PAY) + ADJUSTMENT  # 1533.33


def _line(payroll: Payroll, appointment: Appointment, **kw) -> PayrollLine:
    person = appointment.person
    values = dict(payroll=payroll, village_id=payroll.village_id, kind="duty", appointment_id=appointment.id,
                  person_id=person.id, post_id=appointment.post_id, person_name=person.name,
                  id_number=person.id_number, post_title=appointment.post.title, bank_name=person.bank_name,
                  bank_account=person.bank_account, schedule="full_time", subsidy=Decimal("600.00"),
                  required_days=18, duty_days=Decimal(0), window_days=18, month_days=18, amount=Decimal("0.00"))
    values.update(kw)
    return PayrollLine(**values)


def build_payroll(world, village_key: str = "a1a", state: str = "approved", *, month: int = 10,
                  adjustment: bool = True) -> int:
    """A payroll of four holders (one earning nothing) and, optionally, a +50 adjustment for holder 0."""
    clerk, reviewer = user("clerk" if village_key == "a1a" else "clerk_b"), user("reviewer")
    appointments = [db.session.get(Appointment, a) for a in make_holders(world, village_key, len(DUTY))]
    payroll = Payroll(village_id=world.ids[village_key], year=2026, month=month, state=state, required_days=18,
                      created_by=clerk.id)
    if state != "draft":
        payroll.submitted_by, payroll.submitted_at = clerk.id, datetime(2026, 11, 2, 17, 30, tzinfo=UTC)
    if state in ("approved", "paid", "returned"):
        payroll.decided_by, payroll.decided_at = reviewer.id, datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    if state in ("approved", "paid"):
        payroll.approved_on = date(2026, 11, 5)
    if state == "paid":
        payroll.paid_on, payroll.bank_reference, payroll.paid_by = date(2026, 11, 12), "NX20261112-0042", reviewer.id
    for appointment, duty, pay in zip(appointments, DUTY, PAY, strict=True):
        db.session.add(_line(payroll, appointment, duty_days=duty, present_days=int(duty), half_days=int(duty % 1 * 2),
                             amount=pay))
    if adjustment:
        db.session.add(_line(payroll, appointments[0], kind="adjustment", amount=ADJUSTMENT, adjusts_year=2026,
                             adjusts_month=9, reason="9月20日调休上班日漏记出勤", duty_days=Decimal(0)))
    payroll.total = sum(PAY) + (ADJUSTMENT if adjustment else 0)
    payroll.line_count = len(DUTY)
    db.session.add(payroll)
    db.session.commit()
    return payroll.id


def get(payroll_id: int) -> Payroll:
    db.session.expire_all()
    return db.session.get(Payroll, payroll_id)


def pdf_text(data: bytes, tmp_path, name: str = "sheet.pdf") -> str:
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


def people_of(payroll: Payroll) -> list:
    return [ln for ln in payroll.lines if ln.kind == "duty"]


# ---- the sheet PDF --------------------------------------------------------------------------------


def test_the_village_sheet_reads_back_with_names_masked_ids_totals_and_signatures(world, ctx, tmp_path):
    payroll = get(build_payroll(world))
    data = village_sheet(payroll)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    for needle in ("乡村公益性岗位补贴发放表", "云溪县", "白石镇", "青竹村", "2026年10月", "签字", "应出勤天数",
                   "实际出勤天数", "补贴标准", "发放金额", "序号", "身份证号", "岗位", "村庄保洁员", "审核通过"):
        assert needle in text, needle
    for line in people_of(payroll):
        assert line.person_name in text
        assert f"{line.id_number[:4]}**********{line.id_number[-4:]}" in text
        assert line.id_number not in text  # never the full ID
    assert "583.33" in text and "17.5" in text and "600.00" in text
    assert "¥1,533.33" in text and "壹仟伍佰叁拾叁元叁角叁分" in text
    assert "人数：4 人" in text
    assert "调整" in text and "2026年9月" in text and "+50.00" in text and "漏记出勤" in text
    assert "制表人：测试clerk" in text and "提交日期：2026年11月3日" in text  # 17:30 UTC is the 3rd in the county
    assert "审核人：测试reviewer" in text and "审核日期：2026年11月5日" in text
    assert "第1页共1页" in squeeze(text)
    assert "草稿" not in text


def test_the_sheet_page_renders_landscape(world, ctx, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "sheet.pdf").write_bytes(village_sheet(get(build_payroll(world))))
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(tmp_path / "sheet.pdf"),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png")).read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > height  # landscape A4 at 60 dpi: 701 × 496


def test_a_draft_sheet_says_so_and_names_no_approver(world, ctx, tmp_path):
    text = pdf_text(village_sheet(get(build_payroll(world, state="draft", adjustment=False))), tmp_path)
    assert "草稿" in text
    assert "测试reviewer" not in text and "审核日期：____年__月__日" in text
    assert "¥1,483.33" in text and "调整（" not in text


def test_a_submitted_sheet_waits_for_review(world, ctx, tmp_path):
    text = pdf_text(village_sheet(get(build_payroll(world, state="submitted"))), tmp_path)
    assert "待审核" in text and "制表人：测试clerk" in text and "测试reviewer" not in text


def test_a_paid_sheet_shows_the_payment_date_and_bank_reference(world, ctx, tmp_path):
    text = pdf_text(village_sheet(get(build_payroll(world, state="paid"))), tmp_path)
    assert "发放日期：2026年11月12日" in text and "NX20261112-0042" in text and "已发放" in text


def test_the_township_sheet_sums_up_its_villages_and_prints_each_one(world, ctx, tmp_path):
    approved = get(build_payroll(world, "a1a"))
    draft = get(build_payroll(world, "a1b", state="draft", adjustment=False))
    township = db.session.get(Township, world.ids["a1"])
    data = township_sheet(township, 2026, 10, [approved, draft])
    text = pdf_text(data, tmp_path)
    assert "乡村公益性岗位补贴发放汇总表" in text and "白石镇" in text and "2026年10月" in text
    summary, first, second = text.split("\f")[:3]
    assert "青竹村" in summary and "石门村" in summary and "审核通过" in summary and "草稿" in summary
    assert "¥3,016.66" in summary  # 1 533.33 + 1 483.33
    assert "审核通过及已发放：4 人" in summary and "¥1,533.33" in summary and "¥1,483.33" in summary
    assert "青竹村" in first and "草稿" not in first
    assert "石门村" in second and "发放表（草稿）" in second
    for line in approved.lines + draft.lines:
        assert line.person_name in text and line.id_number not in text
    pages = pdf_pages(data, tmp_path)
    assert pages == 3
    assert f"第1页共{pages}页" in squeeze(text) and f"第{pages}页共{pages}页" in squeeze(text)


def test_a_village_with_no_payroll_is_listed_as_not_generated(world, ctx, tmp_path):
    township = db.session.get(Township, world.ids["a1"])
    text = pdf_text(township_sheet(township, 2026, 10, []), tmp_path)
    assert text.count("未生成") == 2 and "¥0.00" in text and "零元整" in text
    assert pdf_pages(township_sheet(township, 2026, 10, []), tmp_path) == 1


# ---- long sheets, built in memory -----------------------------------------------------------------


def memory_township(villages: int, lines: int) -> tuple[Township, list[Payroll]]:
    """A township with `lines` payroll lines spread over `villages` villages, never written to the database."""
    county = County(code="422899000000", name="测试县")
    township = Township(county=county, code="422899101000", name="测试镇")
    township.villages = [Village(id=90000 + v, township=township, code=f"4228991012{v:02d}", name=f"测试{v + 1}村")
                         for v in range(villages)]
    payrolls, k = [], 0
    for village in township.villages:
        payroll = Payroll(village=village, village_id=village.id, year=2026, month=10, state="approved",
                          required_days=18, approved_on=date(2026, 11, 5))
        payroll.lines = []
        for j in range(lines // villages):
            k += 1
            duty = Decimal(j % 18 + 1)
            payroll.lines.append(PayrollLine(
                kind="duty", person_id=k, person_name=f"持岗人{k}", id_number=f"42289919700101{k:04d}",
                post_title="护林员（北坡林区巡护及防火宣传）" if j % 7 == 0 else "村庄保洁员", schedule="full_time",
                subsidy=Decimal("600.00"), required_days=18, duty_days=duty, window_days=18, month_days=18,
                amount=(Decimal("600.00") * duty / 18).quantize(Decimal("0.01"))))
        payroll.total = sum(ln.amount for ln in payroll.lines)
        payroll.line_count = len(payroll.lines)
        payrolls.append(payroll)
    return township, payrolls


def test_a_long_sheet_repeats_its_header_and_counts_its_pages(ctx, tmp_path):
    _township, (payroll,) = memory_township(1, 60)
    data = village_sheet(payroll)
    pages = pdf_pages(data, tmp_path)
    assert pages >= 4
    text = pdf_text(data, tmp_path)
    for number, page in enumerate(text.split("\f")[:pages], start=1):
        assert "身份证号" in page and "签字" in page, number  # the header on every page
        assert f"第{number}页共{pages}页" in squeeze(page)
    assert "持岗人60" in text and "4228**********0060" in text
    assert "护林员（北坡林区巡护" in text  # a title too wide for its column wraps instead of overflowing


def test_a_2000_line_township_sheet_carries_every_line(ctx, tmp_path):
    """Its speed is a benchmark (benchmarks/payroll.py), never a timed test: here every line must be on the sheet."""
    township, payrolls = memory_township(8, 2000)
    data = township_sheet(township, 2026, 10, payrolls)
    assert data.startswith(b"%PDF")
    text = squeeze(pdf_text(data, tmp_path))
    assert all(f"持岗人{k}" in text for k in (1, 1000, 2000))


# ---- the bank file --------------------------------------------------------------------------------


def audit_rows() -> list[dict]:
    rows = db.session.execute(select(AuditEntry).where(AuditEntry.action == "payroll.bank_file")
                              .order_by(AuditEntry.seq)).scalars()
    return [{"actor": r.actor_name, "entity": (r.entity_type, r.entity_id), **json.loads(r.after)} for r in rows]


def test_the_bank_csv_carries_full_accounts_one_row_per_paid_person_and_is_audited(world, ctx):
    payroll = get(build_payroll(world))
    data = bank_file.bank_csv(user("reviewer"), payroll)
    assert data.startswith("\ufeff".encode())  # Excel reads the BOM as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["序号", "户名", "身份证号", "开户行", "银行账号", "金额", "摘要"]
    body = rows[1:]
    duty = people_of(payroll)
    assert [r[1] for r in body] == [ln.person_name for ln in duty[:3]]  # the holder earning 0 is left out
    assert [r[4] for r in body] == [ln.bank_account for ln in duty[:3]]  # full accounts
    assert [r[2] for r in body] == [ln.id_number for ln in duty[:3]]
    assert [r[5] for r in body] == ["650.00", "583.33", "300.00"]  # holder 0: duty pay and the adjustment
    assert {r[6] for r in body} == {"2026年10月公益性岗位补贴"} and {r[3] for r in body} == {"农村商业银行"}
    assert sum(Decimal(r[5]) for r in body) == TOTAL
    assert b"\r\n" in data
    (row,) = audit_rows()
    assert row["actor"] == "reviewer" and row["entity"] == ("payroll", str(payroll.id))
    assert (row["format"], row["lines"], Decimal(row["total"])) == ("csv", 3, TOTAL)


def test_the_bank_xlsx_keeps_accounts_as_text_and_sums_up(world, ctx):
    payroll = get(build_payroll(world, state="paid"))
    wb = load_workbook(io.BytesIO(bank_file.bank_xlsx(user("admin"), payroll)))
    assert wb.sheetnames == ["代发明细", "汇总"]
    ws = wb["代发明细"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "户名", "身份证号", "开户行", "银行账号", "金额", "摘要")
    duty = people_of(payroll)
    assert [r[4] for r in rows[1:]] == [ln.bank_account for ln in duty[:3]]
    assert all(isinstance(r[4], str) and isinstance(r[2], str) for r in rows[1:])
    assert ws["E2"].number_format == "@" and ws["F2"].number_format == "0.00"
    assert sum(Decimal(str(r[5])) for r in rows[1:]) == TOTAL
    assert ws.freeze_panes == "A2"
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r[0]}
    assert summary["笔数"] == 3 and Decimal(str(summary["金额合计（元）"])) == TOTAL
    assert summary["金额合计（大写）"] == "壹仟伍佰叁拾叁元叁角叁分"
    assert summary["审核人"] == "测试reviewer" and summary["付款单位"] == "白石镇青竹村村民委员会"
    (row,) = audit_rows()
    assert (row["actor"], row["format"], row["lines"]) == ("admin", "xlsx", 3)


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_no_bank_file_before_approval(world, ctx, state):
    payroll = get(build_payroll(world, state=state))
    for make in (bank_file.bank_csv, bank_file.bank_xlsx):
        with pytest.raises(RuleViolation) as refused:
            make(user("reviewer"), payroll)
        assert refused.value.code == "payroll_not_approved"
    assert audit_rows() == []


@pytest.mark.parametrize("username", ["clerk", "auditor"])
def test_the_bank_file_is_refused_to_the_clerk_and_the_auditor(world, ctx, username):
    payroll = get(build_payroll(world))
    with pytest.raises(NotAllowed):
        bank_file.bank_csv(user(username), payroll)
    assert audit_rows() == []


def test_a_person_without_any_bank_account_refuses_the_file_by_name(world, ctx):
    payroll = get(build_payroll(world))
    line = people_of(payroll)[1]
    line.bank_account = line.bank_name = ""
    db.session.get(Appointment, line.appointment_id).person.bank_account = ""
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        bank_file.bank_csv(user("reviewer"), get(payroll.id))
    assert refused.value.code == "no_bank_account" and line.person_name in refused.value.message
    assert audit_rows() == []


def test_a_line_computed_without_an_account_takes_it_from_the_register(world, ctx):
    payroll = get(build_payroll(world))
    line = people_of(payroll)[2]
    account = line.bank_account
    line.bank_account = line.bank_name = ""
    db.session.commit()
    rows = list(csv.reader(io.StringIO(bank_file.bank_csv(user("reviewer"), get(payroll.id)).decode("utf-8-sig"))))
    assert rows[3][4] == account
    assert audit_rows()[0]["accounts_from_register"] == 1


def test_a_negative_net_is_left_out_and_named_on_the_summary(world, ctx):
    payroll = get(build_payroll(world, adjustment=False))
    zero = people_of(payroll)[3]  # earned nothing this month; recovers 80 from an earlier one
    db.session.add(PayrollLine(payroll_id=payroll.id, village_id=payroll.village_id, kind="adjustment",
                               appointment_id=zero.appointment_id, person_id=zero.person_id, post_id=zero.post_id,
                               person_name=zero.person_name, id_number=zero.id_number, post_title=zero.post_title,
                               bank_name=zero.bank_name, bank_account=zero.bank_account, schedule="full_time",
                               subsidy=zero.subsidy, required_days=18, duty_days=Decimal(0), window_days=18,
                               month_days=18, amount=Decimal("-80.00"), adjusts_year=2026, adjusts_month=8,
                               reason="8月多发"))
    db.session.commit()
    wb = load_workbook(io.BytesIO(bank_file.bank_xlsx(user("reviewer"), get(payroll.id))))
    names = [r[1] for r in wb["代发明细"].iter_rows(min_row=2, values_only=True)]
    assert zero.person_name not in names and len(names) == 3
    left_out = [r for r in wb["汇总"].iter_rows(values_only=True) if r[0] == zero.person_name]
    assert left_out and Decimal(str(left_out[0][1])) == Decimal("-80.00")
    assert audit_rows()[0]["left_out_negative"] == 1


# ---- the village ledger ---------------------------------------------------------------------------


def test_the_village_ledger_has_a_row_per_person_a_column_per_month_and_every_line(world, ctx):
    october = get(build_payroll(world))
    november_id = build_payroll(world, state="draft", month=11, adjustment=False)
    village = db.session.get(Village, world.ids["a1a"])
    wb = load_workbook(io.BytesIO(village_ledger(village, 2026)))
    assert wb.sheetnames == ["发放台账", "明细"]
    ws = wb["发放台账"]
    assert "青竹村" in ws["A1"].value and "2026年" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:4] == ["序号", "姓名", "身份证号", "岗位"] and header[4] == "1月" and header[-1] == "全年合计"
    states = [c.value for c in ws[3]]
    assert states[4] == "未生成" and states[13] == "审核通过" and states[14] == "草稿"
    assert ws.freeze_panes == "E4"
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] and r[0] != "合计"}
    first = people_of(october)[0]
    assert Decimal(str(rows[first.person_name][13])) == Decimal("650.00")  # October: duty and adjustment
    assert rows[first.person_name][2] == f"{first.id_number[:4]}**********{first.id_number[-4:]}"
    assert ws.cell(4, 14).number_format == "0.00"
    total_row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] == "合计")
    november = get(november_id)
    assert Decimal(str(total_row[13])) == TOTAL and Decimal(str(total_row[14])) == november.total
    assert Decimal(str(total_row[-1])) == TOTAL + november.total
    details = list(wb["明细"].iter_rows(values_only=True))
    assert details[0][:4] == ("月份", "状态", "序号", "姓名")
    assert len(details) - 1 == len(october.lines) + len(november.lines)
    adjustment = next(r for r in details if r[6] == "调整")
    assert adjustment[15] == "2026年9月" and "漏记出勤" in adjustment[16]
    every_id = {ln.id_number for ln in october.lines} | {ln.bank_account for ln in october.lines}
    cells = {str(v) for r in details + list(ws.iter_rows(values_only=True)) for v in r if v is not None}
    assert not cells & every_id  # masked IDs and accounts only


# ---- the routes -----------------------------------------------------------------------------------


def disposition_has(resp, text: str) -> bool:
    return quote(text) in resp.headers["Content-Disposition"] and "filename*=UTF-8''" in resp.headers[
        "Content-Disposition"]


@pytest.mark.parametrize(("username", "status"), [
    ("clerk", 200), ("clerk_b", 404), ("reviewer", 200), ("auditor", 200), ("admin", 200), ("admin_b", 404)])
def test_the_sheet_route_follows_the_scope(world, app, login, username, status):
    with app.app_context():
        payroll_id = build_payroll(world)
    resp = login(username).get(f"/payroll/{payroll_id}/sheet.pdf")
    assert resp.status_code == status
    if status == 200:
        assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
        assert resp.headers["Content-Disposition"].startswith("inline")
        assert disposition_has(resp, "补贴发放表-青竹村-2026年10月.pdf")


@pytest.mark.parametrize(("username", "township", "status"), [
    ("clerk", "a1", 403), ("reviewer", "a1", 200), ("reviewer", "a2", 404), ("auditor", "a2", 200),
    ("admin", "a1", 200), ("admin_b", "a1", 404)])
def test_the_township_sheet_route_follows_role_and_scope(world, app, login, username, township, status):
    with app.app_context():
        build_payroll(world)
    resp = login(username).get(f"/payroll/township/{world.ids[township]}/2026/10/sheet.pdf")
    assert resp.status_code == status
    if status == 200:
        assert resp.data.startswith(b"%PDF")


def test_the_township_sheet_route_refuses_a_month_that_does_not_exist(world, login):
    c = login("reviewer")
    assert c.get(f"/payroll/township/{world.ids['a1']}/2026/13/sheet.pdf").status_code == 404
    assert c.get(f"/payroll/township/{world.ids['a1']}/1999/10/sheet.pdf").status_code == 404


@pytest.mark.parametrize(("username", "status"), [
    ("clerk", 403), ("clerk_b", 403), ("auditor", 403), ("reviewer", 200), ("admin", 200), ("admin_b", 404)])
def test_the_bank_routes_follow_role_and_scope_and_audit_each_download(world, app, login, username, status):
    with app.app_context():
        payroll_id = build_payroll(world)
    c = login(username)
    assert c.get(f"/payroll/{payroll_id}/bank.csv").status_code == 405  # a link cannot fetch it
    csv_resp = c.post(f"/payroll/{payroll_id}/bank.csv")
    xlsx_resp = c.post(f"/payroll/{payroll_id}/bank.xlsx")
    assert (csv_resp.status_code, xlsx_resp.status_code) == (status, status)
    with app.app_context():
        rows = audit_rows()
    if status == 200:
        assert csv_resp.data.startswith("\ufeff序号".encode())
        assert "no-store" in csv_resp.headers["Cache-Control"]  # full accounts stay out of caches
        assert disposition_has(csv_resp, "补贴代发-青竹村-2026年10月.csv")
        assert disposition_has(xlsx_resp, "补贴代发-青竹村-2026年10月.xlsx")
        assert [(r["actor"], r["format"]) for r in rows] == [(username, "csv"), (username, "xlsx")]
    else:
        assert rows == []


def test_a_refused_bank_download_explains_itself(world, app, login):
    with app.app_context():
        payroll_id = build_payroll(world, state="submitted")
    c = login("reviewer")
    resp = c.post(f"/payroll/{payroll_id}/bank.csv")
    assert resp.status_code == 302
    page = c.get(resp.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "has not been approved yet" in page or "尚未审核通过" in page
    with app.app_context():
        assert audit_rows() == []


@pytest.mark.parametrize(("username", "village", "status"), [
    ("clerk", "a1a", 200), ("clerk", "a1b", 404), ("reviewer", "a1b", 200), ("reviewer", "a2a", 404),
    ("auditor", "a2a", 200), ("admin_b", "a1a", 404)])
def test_the_ledger_route_follows_the_scope(world, app, login, username, village, status):
    with app.app_context():
        build_payroll(world)
    resp = login(username).get(f"/payroll/ledger/{world.ids[village]}/2026.xlsx")
    assert resp.status_code == status
    if status == 200:
        wb = load_workbook(io.BytesIO(resp.data))
        assert wb.sheetnames == ["发放台账", "明细"]
        assert disposition_has(resp, "补贴发放台账")
