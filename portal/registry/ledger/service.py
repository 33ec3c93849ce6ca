"""The village ledger (脱贫劳动力台账) in Excel: read, check every row, then write all or nothing.

parse_ledger() turns an .xlsx into rows; validate_ledger() checks every row with rules.py (the single
source of policy) plus what needs the database (resident IDs are unique county-wide); write_plan()
creates and updates in one transaction with its audit rows. Existing data is loaded in a few queries
and written in bulk, never a query per row. Exports live in ledger.export, the file's columns in
ledger.format, what a checked file becomes in ledger.plan.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import fields
from decimal import Decimal
from operator import attrgetter
from xml.etree.ElementTree import ParseError

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from python_calamine import CalamineWorkbook
from sqlalchemy import ARRAY, String, any_, bindparam, select
from sqlalchemy.orm import joinedload

from portal.core.imports import ImportRejected, ImportReport, RowError, UnreadableFile, collector_paused
from portal.core.xlsx_guard import Limits, UnsafeWorkbook, check_xlsx
from portal.extensions import db
from portal.registry import rules, service
from portal.registry.labels import problem_text
from portal.registry.ledger.export import export_list, export_register, template_workbook
from portal.registry.ledger.format import COLUMNS, HEADER_OF, HEADERS, CellError, choices_of
from portal.registry.ledger.format import normalise_header as _header
from portal.registry.ledger.plan import LedgerPlan, LedgerRow, Progress
from portal.registry.ledger.write import write_plan
from portal.registry.models import Household, Person

__all__ = ["LedgerRow", "export_list", "export_register", "import_ledger", "parse_ledger", "template_workbook",
           "validate_ledger", "write_plan"]

CHUNK = 1000  # rows between progress reports; IDs per IN (...) query
HEADER_SCAN_ROWS = 5  # a title line or two above the header is tolerated
MAX_ROWS = 100_000  # a village's ledger is a few thousand rows; a bigger sheet is a mistake or a zip bomb

CELL_PROBLEMS = {
    "id_as_number": _l("Format the resident ID cells as text (Excel turned this ID into a number)"),
    "account_as_number": _l("Format the bank account cells as text (Excel turned this account into a number)"),
    "yes_no": _l("write 是 or 否"),
    "grade": _l("disability grade is 1 to 4"),
    "money": _l("an amount in yuan, such as 2500 or 2500.50"),
    "text": _l("write this as text"),
    "masked": _l("a masked value (with *) cannot be imported; use a full export or type the real value"),
}
ENUM_FIELDS = ("category", "monitored_subtype", "relation_to_head", "labour_capacity", "employment_status")
HOUSEHOLD_FIELDS = tuple(c.field for c in COLUMNS if c.household)


# ---- reading --------------------------------------------------------------------------------------

LIMITS = Limits(max_rows=MAX_ROWS + HEADER_SCAN_ROWS + 10, max_cols=100)
UNSAFE = {
    "empty": _l("The file is empty."),
    "not_xlsx": _l("The file is not an Excel .xlsx workbook."),
    "encrypted_or_xls": _l("The workbook is password-protected or an old .xls file; remove the password or save "
                           "it as .xlsx, then retry."),
    "macros": _l("The workbook contains macros (.xlsm); save it as a plain .xlsx workbook."),
    "no_sheet": _l("The workbook has no sheet."),
    "bomb": _l("The file inflates to far more than a ledger can hold; it was not read."),
    "too_many_parts": _l("The file holds too many parts for a ledger; it was not read."),
    "dtd": _l("The workbook contains XML declarations a ledger never has; save it again from Excel."),
    "too_many_rows": _l("The sheet reaches beyond row %(n)s; a ledger has at most 100 000 rows. Delete the empty "
                        "rows and columns at its end, or split it by village."),
    "too_many_columns": _l("The sheet reaches beyond column %(n)s; a ledger has 21 columns. Delete the columns to the "
                           "right of the ledger."),
    "damaged": _l("The Excel file could not be read; save it again as .xlsx and retry."),
}


def check_upload(data: bytes) -> None:
    """Refuse a hostile or foreign file before any cell is read: dimensions, bombs, encryption, other formats."""
    try:
        check_xlsx(data, LIMITS)
    except UnsafeWorkbook as unsafe:
        raise UnreadableFile(str(UNSAFE[unsafe.code]) % {"n": unsafe.detail}) from None


def _sheet_rows(data: bytes) -> list[list]:
    """The ledger sheet's cell values, read with calamine (Rust; ~5x openpyxl on a 20 000-row file).

    Empty cells come back as "" (the readers take "" and None alike); numbers as int or float, dates as dates.
    """
    check_upload(data)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = wb.get_sheet_by_name("台账") if "台账" in wb.sheet_names else wb.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own errors for a damaged or foreign zip
        raise UnreadableFile(_("The Excel file could not be read; save it again as .xlsx and retry.")) from exc


def parse_ledger(data: bytes) -> list[LedgerRow]:
    """The ledger's person rows; refuses a file that is not .xlsx or lacks a column (rows all reported)."""
    with collector_paused():
        return _parse(data)


def _parse(data: bytes) -> list[LedgerRow]:
    rows = _sheet_rows(data)
    try:
        index, header_row = {}, 0
        for cells in rows:
            header_row += 1
            names = [_header(None if c == "" else c) for c in cells]
            if "身份证号" in names or "户编号" in names:
                index = {n: i for i, n in reversed(list(enumerate(names))) if n}
                break
            if header_row >= HEADER_SCAN_ROWS:
                break
        missing = [h for h in HEADERS if h not in index]
        if missing:
            raise ImportRejected(_("The header row lacks columns: %(cols)s.", cols="、".join(missing)),
                                 [RowError(header_row or 1, h, _("this column is missing")) for h in missing])
        width = max(index[c.header] for c in COLUMNS) + 1
        numbers, body = [], []
        for number, cells in enumerate(rows[header_row:], start=header_row + 1):
            cells = cells[:width]
            if cells.count("") + cells.count(None) == len(cells):
                continue
            if len(body) >= MAX_ROWS:
                raise UnreadableFile(_("The file has more than %(n)d rows; split it by village.", n=MAX_ROWS))
            numbers.append(number)
            body.append(cells if len(cells) == width else [*cells, *[""] * (width - len(cells))])
        return _read_rows(numbers, body, index)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ParseError, TypeError, ValueError) as exc:
        # a damaged sheet part shows only while streaming
        raise UnreadableFile(_("The Excel file could not be read; save it again as .xlsx and retry.")) from exc


def _read_column(column, cells: tuple) -> tuple[list, dict[int, str]]:
    """A column's values, each distinct cell read once (a ledger repeats its categories, 是/否 and banks thousands
    of times), and the refused cells: row index -> problem code (the row takes the column's default)."""
    read = column.reader()
    distinct = set(cells)
    if set(map(type, distinct)) <= {str}:  # text only (most columns): each value is its own key
        keys = cells
    else:  # 1, 1.0 and True are equal as keys but read differently
        keys = list(zip(map(type, cells), cells, strict=True))
        distinct = set(keys)
    done, refused = {}, {}
    for key in distinct:
        try:
            done[key] = read(key if keys is cells else key[1])
        except CellError as bad:
            done[key], refused[key] = COLUMN_DEFAULTS[column.kind], bad.code
    values = list(map(done.__getitem__, keys))
    if not refused:
        return values, {}
    return values, {k: refused[key] for k, key in enumerate(keys) if key in refused}


HOUSEHOLD_ORDER = tuple(f.name for f in fields(rules.HouseholdData))
PERSON_ORDER = tuple(f.name for f in fields(rules.PersonData))


def _read_rows(numbers: list[int], body: list[list], index: dict[str, int]) -> list[LedgerRow]:
    """The rows read column by column, then put together as households and people: the same values and cell
    problems as reading each cell on its own, in a fraction of the calls."""
    if not body:
        return []
    columns = list(zip(*body, strict=True))
    values, errors = {}, [{} for _row in body]
    for c in COLUMNS:
        values[c.field], refused = _read_column(c, columns[index[c.header]])
        for k, code in refused.items():
            errors[k][c.field] = code
    values["monitored_subtype"] = [v or None for v in values["monitored_subtype"]]
    households = map(rules.HouseholdData, *(values[f] for f in HOUSEHOLD_ORDER))
    people = map(rules.PersonData, *(values[f] for f in PERSON_ORDER))
    return list(map(LedgerRow, numbers, households, people, errors))


COLUMN_DEFAULTS = {"text": "", "id": "", "account": "", "phone": "", "enum": "", "bool": False, "grade": None,
                   "money": Decimal("0")}


# ---- checking -------------------------------------------------------------------------------------


def _reason(problem: rules.Problem, value: str | None) -> str:
    if problem.field == "number" and not value:
        return problem_text(rules.Problem("number", "required"))
    text = problem_text(problem)
    if problem.field in ENUM_FIELDS and problem.code != "subtype_only_for_monitored":
        text += _(" (one of: %(values)s)", values="、".join(choices_of(problem.field)))
    return text


_HOUSEHOLD_KEY = attrgetter(*(f.name for f in fields(rules.HouseholdData)))


def _row_errors(r: LedgerRow, household_checks: dict) -> tuple[list[RowError], rules.ResidentId | None]:
    """The row's problems; a household's fields are checked once for all the rows that give them alike."""
    errors = [RowError(r.row, HEADER_OF[f], str(CELL_PROBLEMS[code])) for f, code in r.cell_errors.items()] if (
        r.cell_errors) else []
    person_problems, parsed = rules.check_person(r.person)
    key = _HOUSEHOLD_KEY(r.household)
    household_problems = household_checks.get(key)
    if household_problems is None:
        household_problems = household_checks[key] = rules.check_household(r.household)
    for p in household_problems:
        if p.field not in r.cell_errors:
            errors.append(RowError(r.row, HEADER_OF[p.field], _reason(p, getattr(r.household, p.field))))
    for p in person_problems:
        if p.field not in r.cell_errors:
            errors.append(RowError(r.row, HEADER_OF[p.field], _reason(p, getattr(r.person, p.field, None))))
    return errors, (parsed if "id_number" not in r.cell_errors else None)


def refuse_masked_export(rows: list[LedgerRow]) -> None:
    """A masked register export (IDs like 4201**********123X) is recognised as such: one message naming the file to
    use instead of a cell error for every masked ID, phone and account."""
    masked = sum(1 for r in rows if r.cell_errors.get("id_number") == "masked")
    if masked * 2 > len(rows):  # most rows masked: the export itself, not a stray masked cell
        raise ImportRejected(_(
            "This file is the register export with masked personal data (IDs shown as 4201**********123X), so its "
            "rows cannot be imported. Import a full export instead (“%(full)s” on the register page, written to "
            "the audit log), or fill in the import template with the real IDs.",
            full=_("Export ledger (full, audited)")), [])


def _household_disagreement(r: LedgerRow, first: LedgerRow, bad: set[str]) -> RowError | None:
    """A household field given differently from the household's first row (fields already refused: skipped)."""
    for f in HOUSEHOLD_FIELDS[1:]:
        if HEADER_OF[f] not in bad and getattr(r.household, f) != getattr(first.household, f):
            return RowError(r.row, HEADER_OF[f], _("household %(n)s is filled in differently in row %(row)d",
                                                   n=r.household.number, row=first.row))
    return None


def _load_village(village_id: int) -> tuple[dict, dict]:
    households = {h.number: h for h in db.session.execute(
        select(Household.id, Household.number, *[getattr(Household, f) for f in HOUSEHOLD_FIELDS[1:]])
        .where(Household.village_id == village_id)).all()}
    people = {p.id_number: p for p in db.session.execute(
        select(Person.id, Person.household_id, Person.birth_date, Person.sex,
               *[getattr(Person, f) for f in service.PERSON_FIELDS])
        .where(Person.village_id == village_id)).all()}
    return households, people


def _registered_elsewhere(village_id: int, numbers: list[str]) -> dict[str, int]:
    """Resident ID -> person id for IDs of the file registered in another village (anywhere)."""
    elsewhere = Person.village_id != village_id
    if db.session.get_bind().dialect.name == "postgresql":
        # All IDs as one array parameter: twenty IN lists of 1 000 cost PostgreSQL ~0.3 s on 20 000 IDs, this ~0.04 s.
        ids = bindparam("ids", numbers, type_=ARRAY(String))
        return dict(db.session.execute(select(Person.id_number, Person.id).where(
            Person.id_number == any_(ids), elsewhere)).tuples().all())
    found = {}
    for i in range(0, len(numbers), CHUNK):
        found.update(db.session.execute(select(Person.id_number, Person.id).where(
            Person.id_number.in_(numbers[i:i + CHUNK]), elsewhere)).tuples().all())
    return found


def _conflicts(village_id: int, checked, households, people, elsewhere) -> list[RowError]:
    """Rows whose ID is registered in another village, or in another household of this village."""
    clashes = []
    for r, parsed in checked:
        if parsed.number in elsewhere:
            clashes.append((r, elsewhere[parsed.number]))
        elif parsed.number in people:
            home = households.get(r.household.number)
            if home is None or home.id != people[parsed.number].household_id:
                clashes.append((r, people[parsed.number].id))
    if not clashes:
        return []
    existing = {p.id: p for p in db.session.execute(select(Person).options(
        joinedload(Person.household).joinedload(Household.village))
        .where(Person.id.in_({pid for _r, pid in clashes}))).scalars()}
    errors = []
    for r, pid in clashes:
        other = existing[pid]
        reason = service.duplicate_id_message(other)
        if other.village_id == village_id:  # the household number is only named inside the village
            reason += " " + _("(household %(n)s)", n=other.household.number)
        errors.append(RowError(r.row, HEADER_OF["id_number"], reason))
    return errors


def validate_ledger(user, village_id: int, rows: list[LedgerRow], progress: Progress | None = None) -> LedgerPlan:
    """Check every row (rules, duplicates in the file and in the county); all problems at once, or the plan."""
    village = service._ensure_can_edit(user, village_id)
    if not rows:
        raise UnreadableFile(_("The file has no data rows."))
    refuse_masked_export(rows)
    errors: list[RowError] = []
    checked: list[tuple[LedgerRow, rules.ResidentId]] = []
    first_of_household: dict[str, tuple[LedgerRow, set[str]]] = {}  # number -> first row, its bad columns
    rows_of_id: dict[str, list[int]] = {}
    household_checks: dict[tuple, list[rules.Problem]] = {}
    for k, r in enumerate(rows, start=1):
        row_errors, parsed = _row_errors(r, household_checks)
        number = r.household.number
        if number:
            bad = {e.column for e in row_errors}
            first, first_bad = first_of_household.setdefault(number, (r, bad))
            if first is not r and (clash := _household_disagreement(r, first, bad | first_bad)):
                row_errors.append(clash)
        errors.extend(row_errors)
        if parsed is not None:
            rows_of_id.setdefault(parsed.number, []).append(r.row)
            checked.append((r, parsed))
        if progress and k % CHUNK == 0:
            progress(CHUNK)
    for rows_with in rows_of_id.values():
        for row in rows_with if len(rows_with) > 1 else ():
            others = "、".join(str(o) for o in rows_with if o != row)
            errors.append(RowError(row, HEADER_OF["id_number"], _("the same resident ID is in row %(rows)s",
                                                                  rows=others)))
    households, people = _load_village(village.id)
    elsewhere = _registered_elsewhere(village.id, list(rows_of_id))
    errors.extend(_conflicts(village.id, checked, households, people, elsewhere))
    if progress:
        progress(len(rows) % CHUNK)
    if errors:
        order = {h: i for i, h in enumerate(HEADERS)}
        errors.sort(key=lambda e: (e.row, order.get(e.column, 99)))
        raise ImportRejected(_("%(n)d problems found; nothing was imported.", n=len(errors)), errors)
    return LedgerPlan(user, village, checked, households, people)


def import_ledger(user, village_id: int, rows: list[LedgerRow], progress: Progress | None = None) -> ImportReport:
    """Import a village's ledger: every row checked first, then all written in one transaction, or nothing."""
    with collector_paused():
        return write_plan(validate_ledger(user, village_id, rows, progress), progress)

