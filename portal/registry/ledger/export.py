"""The ledger as Excel going out: the import template, the register export and the two lists (两张清单).

Personal data is masked on the server before it is written. A full export (unmasked) is for those who
may reveal every exported person (the village's own clerk, the county admin) and is audited.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import contains_eager

from portal.core import auditlog
from portal.core.clock import county_today
from portal.core.errors import NotAllowed
from portal.core.i18n import month_label
from portal.extensions import db
from portal.registry import labels, rules, service
from portal.registry.ledger.format import COLUMNS, ENUMS, NO, REQUIRED_FIELDS, VILLAGE_HEADER, YES, write_value
from portal.registry.models import Household, Person
from portal.reports.cells import safe_row, workbook_bytes

SHEET = "台账"
TEXT_KINDS = {"text", "id", "account", "phone"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_ROW = 1048576

HELP = {
    "number": _l("Household number as in the national system: letters, digits or dashes; the same in every row "
                 "of the household."),
    "category": _l("The household category; choose from the list."),
    "monitored_subtype": _l("Only for monitored households (监测户): choose its type; leave empty otherwise."),
    "risk_eliminated": _l("是 when the monitored household's risk has been eliminated, else 否."),
    "address": _l("Up to 120 characters; the same in every row of the household."),
    "name": _l("Up to 40 characters."),
    "id_number": _l("18 characters. Format the column as text before typing or pasting, or Excel turns the ID "
                    "into a number and the row is refused."),
    "relation_to_head": _l("Relation to the head of the household; choose from the list."),
    "labour_capacity": _l("As assessed by the village; age and disability alone are no bar to a post."),
    "disabled": _l("是 or 否."),
    "disability_grade": _l("1 to 4, only for a disabled person; may be empty."),
    "phone": _l("A mobile number of 11 digits or a landline such as 0718-1234567; may be empty."),
    "bank_name": _l("Needed when a bank account is given."),
    "bank_account": _l("12 to 30 digits, formatted as text; may be empty."),
    "employment_status": _l("Choose from the list."),
    "monthly_income": _l("Yuan a month from work, at most two decimals; empty means 0."),
    "training_wish": _l("The training the person wishes, such as 电工 or 家政; may be empty."),
    "willing_to_migrate": _l("是 when the person is willing to go out to work."),
    "is_cadre": _l("是 when the person is a village cadre (村干部)."),
    "deceased": _l("是 when the person has died; the record is kept."),
    "note": _l("Free text."),
}
NOTES = (
    _l("One row per person. Rows with the same household number must agree on the household columns."),
    _l("People already registered are matched by resident ID and updated; nobody is deleted."),
    _l("Nothing is imported unless every row is valid; every problem is listed with its row and column."),
    _l("Household numbers, resident IDs, phones and bank accounts must be text cells."),
)


def _save(wb: Workbook) -> bytes:
    return workbook_bytes(wb)


def _layout(ws, columns) -> None:
    for i, c in enumerate(columns, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = c.width
        if c.kind in TEXT_KINDS:
            dim.number_format = "@"  # cells typed later stay text: IDs keep their 18 digits
    ws.freeze_panes = "A2"


def _header_cells(ws, headers: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, h)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cells.append(cell)
    return cells


def template_workbook() -> bytes:
    """The empty ledger to fill in: headers, dropdowns for enum and 是/否 columns, and a sheet of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([c.header for c in COLUMNS])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    _layout(ws, COLUMNS)
    for i, c in enumerate(COLUMNS, start=1):
        if c.kind not in ("enum", "bool"):
            continue
        values = list(ENUMS[c.field].values()) if c.kind == "enum" else [YES, NO]
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle=c.header, error=_("Choose a value from the list."))
        letter = get_column_letter(i)
        dv.add(f"{letter}2:{letter}{MAX_ROW}")
        ws.add_data_validation(dv)
    notes = wb.create_sheet("填写说明")
    notes.append([_("Column"), _("Required"), _("How to fill it in"), _("Allowed values")])
    for cell in notes[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for c in COLUMNS:
        allowed = "、".join(ENUMS[c.field].values()) if c.kind == "enum" else (f"{YES}、{NO}" if c.kind == "bool"
                                                                              else "")
        notes.append([c.header, YES if c.field in REQUIRED_FIELDS else "", str(HELP[c.field]), allowed])
    notes.append([])
    for note in NOTES:
        notes.append([str(note)])
    for letter, width in zip("ABCD", (16, 8, 70, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _save(wb)


# ---- the register --------------------------------------------------------------------------------


def _people(user, village_id: int | None, township_id: int | None) -> list[Person]:
    stmt = service.people_query(user, village_id=village_id, township_id=township_id)
    stmt = stmt.options(contains_eager(Person.household).joinedload(Household.village))
    return list(db.session.execute(stmt.order_by(None).order_by(
        Person.village_id, Household.number, Person.id)).scalars().unique())


def _ensure_may_export_unmasked(user, people: list[Person]) -> None:
    """The same rule as a reveal (service.can_reveal), for every exported person at once."""
    if not rules.may_reveal(user.role):
        raise NotAllowed(_("Your role may not export full personal data."))
    if user.role == "village_clerk" and any(p.village_id != user.village_id for p in people):
        raise NotAllowed(_("Only people of your own village may be exported in full."))


def _scope_key(user, village_id: int | None, township_id: int | None) -> str:
    if village_id or user.role == "village_clerk":
        return f"village:{village_id or user.village_id}"
    return f"township:{township_id}" if township_id else f"county:{user.scope_county_id}"


def export_register(user, *, village_id: int | None = None, township_id: int | None = None,
                    unmasked: bool = False) -> bytes:
    """The register of the user's scope in the ledger's layout; masked unless a full export is allowed (audited)."""
    if unmasked and not rules.may_reveal(user.role):
        raise NotAllowed(_("Your role may not export full personal data."))
    people = _people(user, village_id, township_id)
    if unmasked:
        _ensure_may_export_unmasked(user, people)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    _layout(ws, COLUMNS)
    ws.column_dimensions[get_column_letter(len(COLUMNS) + 1)].width = 12
    ws.append(_header_cells(ws, [c.header for c in COLUMNS] + [VILLAGE_HEADER]))
    mask = {} if unmasked else service.SENSITIVE
    for p in people:
        hh = p.household
        row = []
        for c in COLUMNS:
            value = getattr(hh if c.household else p, c.field)
            if c.field in mask and value:
                value = mask[c.field](value)
            row.append(write_value(c, value))
        row.append(hh.village.name)
        ws.append(safe_row(row))
    data = _save(wb)
    if unmasked:
        auditlog.record(user, "export_unmasked", "register", _scope_key(user, village_id, township_id), None, {
            "village_id": village_id, "township_id": township_id, "people": len(people)})
        db.session.commit()
    return data


# ---- the two lists (两张清单) ---------------------------------------------------------------------

LISTS = {
    "working": (_l("People in work"), _l("%(place)s people in work %(month)s"),
                lambda p: rules.in_work(p.employment_status, p.deceased)),
    "willing": (_l("Willing to work, not working"), _l("%(place)s people willing to work but not working %(month)s"),
                lambda p: rules.willing_but_not_working(p.employment_status, p.willing_to_migrate, p.deceased)),
}
LIST_COLUMNS = (
    (_l("Full name"), 10), (_l("Resident ID"), 21), (_l("Household number"), 12), (_l("Village"), 12),
    (_l("Employment status"), 18), (_l("Monthly income from work (yuan)"), 14), (_l("Phone"), 14),
    (_l("Training wish"), 16),
)




def export_list(user, kind: str) -> bytes:
    """A village's (or wider scope's) list of people in work, or willing but not working; masked."""
    name, title, wanted = LISTS[kind]
    people = [p for p in _people(user, None, None) if wanted(p)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(name)[:31])
    for i, (_header, width) in enumerate(LIST_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    heading = WriteOnlyCell(ws, str(title % {"place": user.place_name, "month": month_label(county_today())}))
    heading.font = Font(bold=True, size=14)
    ws.append(safe_row([heading]))
    ws.append(_header_cells(ws, [str(h) for h, _w in LIST_COLUMNS]))
    for p in people:
        ws.append(safe_row([p.name, service.masked(p, "id_number"), p.household.number, p.household.village.name,
                            labels.label(labels.EMPLOYMENT, p.employment_status), p.monthly_income,
                            service.masked(p, "phone"), p.training_wish]))
    return _save(wb)
