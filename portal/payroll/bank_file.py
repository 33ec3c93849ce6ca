"""The bank batch file (代发文件) of an approved payroll: CSV and XLSX, full accounts, every download audited.

Decisions where the specification is silent:
- Only an approved or paid payroll has one (a paid one may be downloaded again for the records); only
  the township reviewer of its township and the county admin may download it.
- One transfer per person: a holder's duty line and adjustment lines are added up. A person whose net
  amount is zero is left out (nothing to pay); a negative net (a recovery larger than this month's pay)
  cannot be paid by a bank, so it is left out too and named on the XLSX's summary sheet.
- The file is the one export that carries full bank accounts (domain: Masking). It carries the full
  resident ID too: county subsidy payments go through the 惠民惠农 "一卡通" channel, where the bank
  checks name, ID number and account together before it pays. The file is refused to everyone else.
- The account is the one copied onto the line when the payroll was computed; a line computed without
  one takes the person's account from the register at download time (the audit row counts them). A
  person with no account at all refuses the whole file, naming them: a bank cannot pay them, and a file
  that silently pays fewer people than the sheet invites mistakes.
- No total row among the transfers: a bank's batch import reads every row as a payment. The CSV has
  only the transfers (UTF-8 with BOM, CRLF, so Excel shows the Chinese); the XLSX adds a 汇总 sheet
  with the count, the total in figures and in capitals, and who approved the payroll.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from portal.accounts.models import User
from portal.core import auditlog
from portal.core.access import Role
from portal.core.errors import NotAllowed, RuleViolation
from portal.extensions import db
from portal.payroll.models import Payroll
from portal.payroll.rules import PayrollState
from portal.payroll.sheet_pdf import cn_date
from portal.registry.models import Person
from portal.reports.cells import safe_row, workbook_bytes
from portal.reports.rmb import capital_yuan

COLUMNS = ("序号", "户名", "身份证号", "开户行", "银行账号", "金额", "摘要")
WIDTHS = (6, 12, 22, 24, 26, 12, 28)
FILE_STATES = frozenset({PayrollState.APPROVED, PayrollState.PAID})
MAY_DOWNLOAD = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Transfer:
    """One payment the bank makes: to whom, where, how much."""

    name: str
    id_number: str
    bank_name: str
    account: str
    amount: Decimal


@dataclass(frozen=True)
class Batch:
    """What goes to the bank for one payroll, and who is left out because their net amount is negative."""

    payroll: Payroll
    memo: str
    transfers: list[Transfer]
    negative: list[tuple[str, Decimal]]
    from_register: int

    @property
    def total(self) -> Decimal:
        return sum((t.amount for t in self.transfers), ZERO)


def memo(payroll: Payroll) -> str:
    """摘要 on the holder's bank statement."""
    return f"{payroll.year}年{payroll.month}月公益性岗位补贴"


def ensure_may_download(user, payroll: Payroll) -> None:
    """The township's reviewer and the county admin only, and only for an approved or paid payroll."""
    if Role(user.role) not in MAY_DOWNLOAD:
        raise NotAllowed(_("Only the township reviewer and the county admin may download the bank file."))
    if payroll.state not in FILE_STATES:
        raise RuleViolation(_("The bank file exists once the township has approved the payroll; this payroll "
                              "has not been approved yet."), code="payroll_not_approved")


def batch(payroll: Payroll) -> Batch:
    """The payroll's transfers, one per person, in line order; refused when someone has no bank account."""
    people: dict[int, dict] = {}
    for line in payroll.lines:
        entry = people.setdefault(line.person_id, {"name": line.person_name, "id_number": line.id_number,
                                                   "bank_name": "", "account": "", "amount": ZERO})
        entry["amount"] += line.amount
        if line.bank_account and not entry["account"]:
            entry["account"], entry["bank_name"] = line.bank_account, line.bank_name
    payable = {pid: e for pid, e in people.items() if e["amount"] > 0}
    lacking = [pid for pid, e in payable.items() if not e["account"]]
    if lacking:
        for person in db.session.execute(select(Person).where(Person.id.in_(lacking))).scalars():
            if person.bank_account:
                payable[person.id].update(account=person.bank_account, bank_name=person.bank_name)
    missing = [e["name"] for e in payable.values() if not e["account"]]
    if missing:
        raise RuleViolation(_("No bank account for %(names)s: enter it in the labour register, then download the "
                              "bank file again.", names="、".join(missing)), code="no_bank_account")
    transfers = [Transfer(e["name"], e["id_number"], e["bank_name"], e["account"], e["amount"])
                 for e in payable.values()]
    negative = [(e["name"], e["amount"]) for e in people.values() if e["amount"] < 0]
    return Batch(payroll, memo(payroll), transfers, negative,
                 from_register=len([pid for pid in lacking if payable[pid]["account"]]))


def _audit(user, b: Batch, fmt: str) -> None:
    p = b.payroll
    auditlog.record(user, "payroll.bank_file", "payroll", p.id, None, {
        "format": fmt, "village_id": p.village_id, "year": p.year, "month": p.month, "state": p.state,
        "lines": len(b.transfers), "total": b.total, "left_out_negative": len(b.negative),
        "accounts_from_register": b.from_register})
    db.session.commit()


def _rows(b: Batch) -> list[list]:
    return [[i, t.name, t.id_number, t.bank_name, t.account, t.amount, b.memo]
            for i, t in enumerate(b.transfers, start=1)]


def bank_csv(user, payroll: Payroll) -> bytes:
    """The transfers as CSV for the bank's batch import: UTF-8 with BOM, amounts with two decimals. Audited."""
    ensure_may_download(user, payroll)
    b = batch(payroll)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _rows(b):
        row[5] = f"{row[5]:.2f}"
        writer.writerow(safe_row(row))
    _audit(user, b, "csv")
    return buf.getvalue().encode("utf-8-sig")


def bank_xlsx(user, payroll: Payroll) -> bytes:
    """The transfers as XLSX (IDs and accounts as text, so every digit stays) and a 汇总 sheet. Audited."""
    ensure_may_download(user, payroll)
    b = batch(payroll)
    wb = Workbook()
    ws = wb.active
    ws.title = "代发明细"
    ws.append(list(COLUMNS))
    for row in _rows(b):
        ws.append(row)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for letter, width in zip("ABCDEFG", WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        row[2].number_format = row[4].number_format = "@"
        row[5].number_format = "0.00"
    ws.freeze_panes = "A2"
    _summary_sheet(wb, b)
    data = workbook_bytes(wb)
    _audit(user, b, "xlsx")
    return data


def _summary_sheet(wb: Workbook, b: Batch) -> None:
    p = b.payroll
    village = p.village
    approver = db.session.get(User, p.decided_by) if p.decided_by else None
    ws = wb.create_sheet("汇总")
    rows = [
        ("付款单位", f"{village.township.name}{village.name}村民委员会"),
        ("所属月份", f"{p.year}年{p.month}月"),
        ("摘要", b.memo),
        ("笔数", len(b.transfers)),
        ("金额合计（元）", b.total),
        ("金额合计（大写）", capital_yuan(b.total)),
        ("审核人", approver.full_name if approver else ""),
        ("审核日期", cn_date(p.approved_on)),
    ]
    for row in rows:
        ws.append(list(row))
    ws["B5"].number_format = "0.00"
    if b.negative:
        ws.append([])
        ws.append(["未列入（净额为负，须另行追回）"])
        for name, amount in b.negative:
            ws.append([name, amount])
            ws.cell(ws.max_row, 2).number_format = "0.00"
    for cell in ws["A"]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 40
