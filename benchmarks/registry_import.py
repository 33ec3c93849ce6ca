"""Importing a 20 000-person village ledger: parse, validate and write, timed phase by phase.

Builds a fresh county in a temporary SQLite file (and, when PORTAL_BENCH_DATABASE_URL names a PostgreSQL
server where we may create databases, in a throwaway database there), generates the ledger with valid,
fictional resident IDs, imports it, then imports it again (which must change nothing).
Target: at least 5 000 rows/s for validate + write.
"""

from __future__ import annotations

import io
import os
import random
import re
import tempfile
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = int(os.environ.get("PORTAL_BENCH_PEOPLE", "20000"))
HEADERS = ["户编号", "户类别", "监测户类型", "风险已消除", "家庭住址", "姓名", "身份证号", "与户主关系", "劳动能力",
           "是否残疾", "残疾等级", "联系电话", "开户银行", "银行账号", "就业状态", "月务工收入(元)", "培训意愿",
           "外出务工意愿", "村干部", "已故", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华建国军平伟芳秀英兰红霞玉桂珍凤梅丽强磊洋勇艳杰娟涛超"
RELATIONS = ["户主", "配偶", "子女", "子女", "父母", "孙子女"]
STATUSES = ["外出务工-省外", "外出务工-省内县外", "县内务工", "帮扶车间", "公益岗位", "自主创业", "未就业"]


def ledger_xlsx(n: int) -> bytes:
    """A ledger of n fictional people in households of four, IDs valid under GB 11643 (region 422825)."""
    from openpyxl import Workbook

    from portal.registry.rules import with_check_digit

    rnd = random.Random(2026)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(HEADERS)
    for i in range(n):
        born = date(1960, 1, 1) + timedelta(days=(i // 500) * 211)
        number = with_check_digit(f"422825{born:%Y%m%d}{i % 500:03d}")
        hh = i // 4
        category = ("脱贫户", "监测户", "低保/特困/低收入户", "一般户")[hh % 4]
        status = STATUSES[i % len(STATUSES)]
        disabled = i % 23 == 0
        ws.append([f"{hh + 1:05d}", category, "边缘易致贫户" if category == "监测户" else None, "否",
                   f"{hh % 12 + 1}组{hh}号", rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN), number,
                   RELATIONS[i % 4] if i % 4 else "户主", ("全劳力", "半劳力", "弱劳力")[i % 3],
                   "是" if disabled else "否", (i % 4) + 1 if disabled else None, f"139{i:08d}",
                   "农村商业银行", f"62258800{i:010d}", status, 0 if status == "未就业" else 2000 + i % 3000,
                   "电工" if i % 5 == 0 else "", "是" if i % 6 == 0 else "否", "否", "否", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


INLINE = re.compile(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>', re.S)
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def as_saved_by_excel(data: bytes) -> bytes:
    """openpyxl writes every string inline; Excel and WPS keep them in a shared-string table, which reads faster.
    Rewrite the workbook that way so the benchmark reads what a clerk uploads."""
    src = zipfile.ZipFile(io.BytesIO(data))
    table: dict[str, int] = {}

    def shared(m: re.Match) -> str:
        return f'<c r="{m.group(1)}" t="s"><v>{table.setdefault(m.group(2), len(table))}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            body = src.read(name).decode()
            if name.startswith("xl/worksheets/"):
                body = INLINE.sub(shared, body)
            elif name == "[Content_Types].xml":
                body = body.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST_TYPE}"/>'
                                    "</Types>")
            elif name == "xl/_rels/workbook.xml.rels":
                body = body.replace("</Relationships>", f'<Relationship Id="rIdSST" Type="{SST_REL}" '
                                    'Target="sharedStrings.xml"/></Relationships>')
            z.writestr(name, body)
        items = "".join(f'<si><t xml:space="preserve">{t}</t></si>' for t in table)
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   f'count="{len(table)}" uniqueCount="{len(table)}">{items}</sst>')
    return out.getvalue()


def build_county(app):
    from flask_migrate import upgrade

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.places.models import County, Township, Village

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        county = County(code="422825000000", name="云溪县")
        township = Township(county=county, code="422825101000", name="白石镇")
        village = Village(township=township, code="422825101201", name="青竹村")
        db.session.add_all([county, township, village])
        db.session.flush()
        db.session.add(User(username="admin", full_name="基准测试", password_hash="!", role="county_admin",
                            county_id=county.id, locale="zh_CN", active=True, failed_logins=0,
                            must_change_password=False))
        db.session.commit()
        return village.id


def _phase(name: str, rows: int, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"  {name:<22} {wall:7.2f} s  {rows / wall:9,.0f} rows/s   (cpu {cpu:6.2f} s, {rows / cpu:9,.0f} rows/s)")
    return result, wall


def run(url: str, data: bytes, inline: bytes | None = None) -> None:
    from sqlalchemy import func, select

    from portal import create_app
    from portal.accounts.models import User
    from portal.core.auditlog import AuditEntry
    from portal.extensions import db
    from portal.registry.ledger import service as ledger

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    village_id = build_county(app)
    with app.app_context():
        admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
        if inline is not None:
            print(" for comparison, the same ledger as openpyxl writes it (inline strings):")
            _phase("parse (calamine)", PEOPLE, lambda: ledger.parse_ledger(inline))
        for attempt in ("first import", "same file again"):
            print(f" {attempt}:")
            rows, t_parse = _phase("parse (calamine)", PEOPLE, lambda: ledger.parse_ledger(data))
            plan, t_check = _phase("validate", PEOPLE, lambda r=rows: ledger.validate_ledger(admin, village_id, r))
            report, t_write = _phase("write + audit + commit", PEOPLE, lambda p=plan: ledger.write_plan(p))
            print(f"  {'validate + write':<22} {t_check + t_write:7.2f} s  {PEOPLE / (t_check + t_write):9,.0f} rows/s")
            print(f"  {'total':<22} {t_parse + t_check + t_write:7.2f} s  "
                  f"{PEOPLE / (t_parse + t_check + t_write):9,.0f} rows/s")
            print(f"  -> created {report.created}, updated {report.updated}, unchanged {report.unchanged}; "
                  f"audit rows {db.session.scalar(select(func.count(AuditEntry.seq)))}")
        _phase("export (full, audited)", PEOPLE,
               lambda: ledger.export_register(admin, village_id=village_id, unmasked=True))
        db.session.remove()
        db.engine.dispose()


def _postgres(url: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from portal.config import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"portal_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def on_both_databases(prefix: str, run) -> None:
    """`run(url)` on a temporary SQLite file, then on a throwaway PostgreSQL database when
    PORTAL_BENCH_DATABASE_URL names a server."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("PORTAL_INSTANCE_DIR", str(tmp))
    print(f"SQLite ({tmp / 'bench.db'}):")
    run(f"sqlite:///{tmp / 'bench.db'}")
    pg = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if pg:
        url, drop = _postgres(pg)
        print(f"PostgreSQL ({url.rsplit('@', 1)[-1]}):")
        try:
            run(url)
        finally:
            drop()


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ.setdefault("PORTAL_INSTANCE_DIR", str(tmp))
    print(f"Generating a ledger of {PEOPLE:,} people ...")
    started = time.perf_counter()
    inline = ledger_xlsx(PEOPLE)
    data = as_saved_by_excel(inline)
    print(f"  {len(data) / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
    print(f"SQLite ({tmp / 'bench.db'}):")
    run(f"sqlite:///{tmp / 'bench.db'}", data, inline)
    pg = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    if pg:
        url, drop = _postgres(pg)
        print(f"PostgreSQL ({url.rsplit('@', 1)[-1]}):")
        try:
            run(url, data)
        finally:
            drop()
