"""Importing a 20 000-person village ledger: parse, validate and write, timed phase by phase.

Builds a fresh county in a temporary SQLite file (and, when PORTAL_BENCH_DATABASE_URL names a PostgreSQL
server where we may create databases, in a throwaway database there), generates the ledger with valid,
fictional resident IDs, then on copies of that county: imports it end to end beside the floor (raw read +
insert), imports it again (which must change nothing), and exports the register beside the floor (XlsxWriter
alone). Targets: ≥ 15 000 rows/s end to end, peak memory < 300 MB; the export ≤ 1.3× its floor.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import tempfile
import time
import uuid
import zipfile
from datetime import date, timedelta
from pathlib import Path

from benchmarks import ledger_rounds as rounds

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = int(os.environ.get("PORTAL_BENCH_PEOPLE", "20000"))
HEADERS = ["户编号", "户类别", "监测户类型", "风险已消除", "家庭住址", "姓名", "身份证号", "与户主关系", "劳动能力",
           "是否残疾", "残疾等级", "联系电话", "开户银行", "银行账号", "就业状态", "月务工收入(元)", "培训意愿",
           "外出务工意愿", "村干部", "已故", "备注"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华建国军平伟芳秀英兰红霞玉桂珍凤梅丽强磊洋勇艳杰娟涛超"
RELATIONS = ["户主", "配偶", "子女", "子女", "父母", "孙子女"]
STATUSES = ["外出务工-省外", "外出务工-省内县外", "县内务工", "帮扶车间", "公益岗位", "自主创业", "未就业"]


def ledger_xlsx(n: int, start: int = 0) -> bytes:
    """A ledger of n fictional people in households of four, IDs valid under GB 11643 (region 422825); people
    numbered from `start` (another start, other IDs)."""
    from openpyxl import Workbook

    from portal.registry.rules import with_check_digit

    rnd = random.Random(2026)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(HEADERS)
    for i in range(start, start + n):
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


def build_county(app) -> tuple[int, int]:
    """The county, the village the ledger goes to, and a second village for a small import before the clock."""
    from flask_migrate import upgrade

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.places.models import County, Township, Village

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        county = County(code="422825000000", name="云溪县")
        township = Township(county=county, code="422825101000", name="白石镇")
        village = Village(township=township, code="422825101201", name="青竹村")
        warm = Village(township=township, code="422825101202", name="白竹村")  # a small import first, untimed
        db.session.add_all([county, township, village, warm])
        db.session.flush()
        db.session.add(User(username="admin", full_name="基准测试", password_hash="!", role="county_admin",
                            county_id=county.id, locale="zh_CN", active=True, failed_logins=0,
                            must_change_password=False))
        db.session.commit()
        return village.id, warm.id


def _copier(url: str):
    """copy() -> (url, drop): a fresh copy of the built database at `url` (a file copy, or a PostgreSQL template)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from portal.config import normalise_database_url

    base = make_url(normalise_database_url(url))
    if base.get_backend_name() == "sqlite":
        def copy():
            path = Path(base.database).with_name(f"copy-{uuid.uuid4().hex[:8]}.db")
            shutil.copyfile(base.database, path)
            return f"sqlite:///{path}", path.unlink
        return copy
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def copy():
        name = f"{base.database}_{uuid.uuid4().hex[:6]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"'))

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return base.set(database=name).render_as_string(hide_password=False), drop
    return copy


def run(url: str, path: str) -> None:
    """The import and the export of the ledger at `path`, each beside its floor, on copies of a built county."""
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    villages = build_county(app)
    with app.app_context():
        db.engine.dispose()
    copy = _copier(url)
    floors, imports, kept = [], [], None
    for _round in range(rounds.ROUNDS):
        floor_url, drop = copy()
        floors.append(rounds.in_child("floor", floor_url, path, villages))
        drop()
        import_url, drop = copy()
        imports.append(rounds.in_child("import", import_url, path, villages))
        if kept:
            kept[1]()
        kept = (import_url, drop)
    wall, floor = rounds.median(r["wall"] for r in imports), rounds.median(r["wall"] for r in floors)
    cpu, floor_cpu = rounds.median(r["cpu"] for r in imports), rounds.median(r["cpu"] for r in floors)
    created, _unchanged, audit_rows = imports[-1]["result"]
    peak = max(r["peak_mb"] for r in imports)
    print(rounds.line(f"import {PEOPLE:,} rows, end to end", wall, floor,
                      note=f"{PEOPLE / wall:,.0f} rows/s (target ≥ 15,000)"))
    print(f"  {'':<34} cpu {cpu:.3f} s vs {floor_cpu:.3f} s ({cpu / floor_cpu:.2f}×); created {created:,}, "
          f"{audit_rows:,} audit rows; peak memory {peak:.0f} MB (limit {rounds.MEMORY_LIMIT_MB} MB)")
    again = rounds.in_child("import", kept[0], path, villages)
    print(f"  {'the same file again (no change)':<34} {again['wall']:8.3f} s   {PEOPLE / again['wall']:,.0f} rows/s, "
          f"{again['result'][1]:,} unchanged, {again['result'][2]} audit rows")
    export = rounds.in_child("export", kept[0], path, villages)
    wall, floor = rounds.median(export["export"]), rounds.median(export["floor"])
    print(rounds.line(f"register export, {export['people']:,} people", wall, floor,
                      note=f"target ≤ 1.30× floor; masked; {export['bytes'] / 1e6:.1f} MB"))
    print(f"  {'':<34} cpu {rounds.median(export['export_cpu']):.3f} s vs {rounds.median(export['floor_cpu']):.3f} s "
          f"({rounds.median(export['export_cpu']) / rounds.median(export['floor_cpu']):.2f}×); "
          f"peak memory {export['peak_mb']:.0f} MB")
    kept[1]()


def _postgres(url: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from portal.config import normalise_database_url

    base = make_url(normalise_database_url(url))
    name = f"{os.environ.get('PORTAL_BENCH_DB_PREFIX', 'portal_bench')}_{uuid.uuid4().hex[:8]}"
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
    print(f"Ledger import and register export, {PEOPLE:,} people; figure, floor and ratio are medians of "
          f"{rounds.ROUNDS} (uptime: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f})")
    started = time.perf_counter()
    path = tmp / "ledger.xlsx"
    path.write_bytes(as_saved_by_excel(ledger_xlsx(PEOPLE)))
    print(f"  the ledger: {path.stat().st_size / 1e6:.1f} MB, made in {time.perf_counter() - started:.1f} s")
    on_both_databases("portal-bench-ledger-", lambda url: run(url, str(path)))
