"""The ledger import and the register export beside their floors: each round in a fresh process, median of 3.

Import floor: the raw read and insert (calamine's rows; households and people written by the driver's fastest path,
COPY or one executemany, values barely typed). Export floor: XlsxWriter alone (constant memory) writing the very
cells the export wrote, already in memory. Each import round runs in a new process on a new copy of an empty county,
after a small import into another village (a serving process has its translations, ID tables and SQL loaded), and
prints its peak memory.
"""

from __future__ import annotations

import io
import multiprocessing
import resource
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROUNDS = 3
MEMORY_LIMIT_MB = 300


def _engine(url: str):
    from sqlalchemy import create_engine

    from portal.config import normalise_database_url

    return create_engine(normalise_database_url(url))


def import_floor(url: str, data: bytes, village_id: int) -> None:
    """Read the sheet's rows and insert its households and people with no checks: the least an import can do."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    engine = _engine(url)
    pg = engine.dialect.name == "postgresql"
    now = datetime.now(UTC) if pg else datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    households = {}
    for r in rows[1:]:
        households.setdefault(r[0], (village_id, r[0], r[1], r[2] or None, r[3] == "是", r[4], now, now))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _insert(cursor, pg, "households (village_id, number, category, monitored_subtype, risk_eliminated, address, "
                "created_at, updated_at)", list(households.values()))
        cursor.execute(f"SELECT number, id FROM households WHERE village_id = {int(village_id)}")  # noqa: S608
        ids = dict(cursor.fetchall())
        people = []  # calamine reads every number as a float: the grade goes to an integer column (COPY refuses 1.0)
        for r in rows[1:]:
            number = r[6]
            born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            people.append((ids[r[0]], village_id, r[5], number, born if pg else born.isoformat(),
                           "M" if int(number[16]) % 2 else "F", r[7], r[8], r[9] == "是",
                           int(r[10]) if r[10] else None, r[11], r[12], r[13], r[14], r[15] or 0, r[16],
                           r[17] == "是", r[19] == "是", r[18] == "是", r[20], now, now))
        _insert(cursor, pg, "people (household_id, village_id, name, id_number, birth_date, sex, relation_to_head, "
                "labour_capacity, disabled, disability_grade, phone, bank_name, bank_account, employment_status, "
                "monthly_income, training_wish, willing_to_migrate, deceased, is_cadre, note, created_at, "
                "updated_at)", people)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def _insert(cursor, pg: bool, target: str, rows: list[tuple]) -> None:
    if pg:
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(rows[0]))
        cursor.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)  # noqa: S608  (our own names)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, url: str, path: str, villages: tuple[int, int], out) -> None:
    """One round in this (fresh) process: 'floor' or 'import' of the ledger at `path` into the first village, or
    'export' rounds. A small ledger goes into the second village first, untimed, so the round sees a process
    that has served before (translations, ID tables and SQL loaded), as a server's does."""
    import logging

    from benchmarks.registry_import import ledger_xlsx
    from portal import create_app

    logging.getLogger("alembic").setLevel(logging.WARNING)
    data = Path(path).read_bytes()  # read before the clock starts, as an upload arrives in memory
    small = ledger_xlsx(40, start=100_000)
    village_id, warm_id = villages
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if kind == "floor":
            import_floor(url, small, warm_id)
            out.put(_clocked(lambda: import_floor(url, data, village_id)) | {"peak_mb": _peak_mb()})
        elif kind == "import":
            _import(warm_id, small)
            out.put(_clocked(lambda: _import(village_id, data)) | {"peak_mb": _peak_mb()})
        else:
            out.put(_export_rounds(village_id))


def _clocked(fn) -> dict:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "result": result}


def _import(village_id: int, data: bytes) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from portal.accounts.models import User
    from portal.core.auditlog import AuditEntry
    from portal.extensions import db
    from portal.registry.ledger import service as ledger

    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    before = db.session.scalar(select(func.count(AuditEntry.seq)))
    report = ledger.import_ledger(admin, village_id, ledger.parse_ledger(data))
    return report.created, report.unchanged, db.session.scalar(select(func.count(AuditEntry.seq))) - before


def export_floor(rows: list[list], headers: list[str], widths: list[float], text_columns) -> bytes:
    """XlsxWriter alone, constant memory, the export's layout: the cells already in memory, written."""
    import xlsxwriter

    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("台账")
    text = wb.add_format({"num_format": "@"})
    for i, width in enumerate(widths):
        ws.set_column(i, i, width, text if i in text_columns else None)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, headers, wb.add_format({"bold": True, "bg_color": "#DDEBF7", "pattern": 1}))
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    wb.close()
    return out.getvalue()


def _export_rounds(village_id: int) -> dict:
    """The masked register export of the village (county admin), and its floor, alternately, ROUNDS times each."""
    from python_calamine import CalamineWorkbook
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.extensions import db
    from portal.registry.ledger import service as ledger
    from portal.registry.ledger.export import REGISTER_TEXT_COLUMNS
    from portal.registry.ledger.format import COLUMNS

    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    data = ledger.export_register(admin, village_id=village_id)
    written = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    cells = [[None if v == "" else v for v in row] for row in written[1:]]
    widths = [c.width for c in COLUMNS] + [12]
    times = {"export": [], "floor": [], "export_cpu": [], "floor_cpu": []}
    for _round in range(ROUNDS):
        for name, fn in (("floor", lambda: export_floor(cells, list(written[0]), widths, REGISTER_TEXT_COLUMNS)),
                         ("export", lambda: ledger.export_register(admin, village_id=village_id))):
            took = _clocked(fn)
            times[name].append(took["wall"])
            times[f"{name}_cpu"].append(took["cpu"])
    return times | {"people": len(cells), "bytes": len(data), "peak_mb": _peak_mb()}


def in_child(kind: str, url: str, path: str, villages: tuple[int, int]) -> dict:
    """Run one round in a new interpreter (spawned: nothing inherited but the environment) and return its figures."""
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    process = ctx.Process(target=_child, args=(kind, url, path, villages, out))
    process.start()
    try:
        return out.get(timeout=900)
    finally:
        process.join(timeout=60)


def line(label: str, figure: float, floor: float, unit: str = "s", note: str = "") -> str:
    return f"  {label:<34} {figure:8.3f} {unit}   floor {floor:8.3f} {unit}   {figure / floor:5.2f}× floor   {note}"


def median(values) -> float:
    return statistics.median(values)
