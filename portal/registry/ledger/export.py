"""The ledger as Excel going out: the import template, the register export and the two lists (两张清单).

Personal data is masked on the server before it is written. A full export (unmasked) is for those who
may reveal every exported person (the village's own clerk, the county admin) and is audited.
"""

from __future__ import annotations

from functools import partial

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from portal.core import auditlog
from portal.core.clock import county_today
from portal.core.errors import NotAllowed
from portal.core.i18n import month_label
from portal.core.masking import mask_id, mask_phone
from portal.extensions import db
from portal.places.models import Village
from portal.registry import labels, rules, service
from portal.registry.ledger.format import COLUMNS, ENUMS, NO, REQUIRED_FIELDS, VILLAGE_HEADER, YES, write_value
from portal.registry.models import Household, Person
from portal.reports.cells import workbook_bytes
from portal.reports.xlsx_stream import Sheet, streamed_xlsx

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


# ---- the register ----------------------------------------------------------------------------------

REGISTER_TEXT_COLUMNS = frozenset(i for i, c in enumerate(COLUMNS) if c.kind in TEXT_KINDS)


def _register_rows(user, village_id: int | None, township_id: int | None, columns) -> list[tuple]:
    """The scope's people as plain rows (the given columns, then the village's id), in ledger order: no objects."""
    where, _household = service._people_where(user, village_id=village_id, township_id=township_id)
    stmt = (select(*columns, Person.village_id).select_from(Person)
            .join(Household, Person.household_id == Household.id).join(Village, Village.id == Person.village_id)
            .where(*where).order_by(Person.village_id, Household.number, Person.id))
    return db.session.execute(stmt).tuples().all()


def _ensure_may_export_unmasked(user, village_ids) -> None:
    """The same rule as a reveal (service.can_reveal), for every exported person at once."""
    if not rules.may_reveal(user.role):
        raise NotAllowed(_("Your role may not export full personal data."))
    if user.role == "village_clerk" and any(v != user.village_id for v in village_ids):
        raise NotAllowed(_("Only people of your own village may be exported in full."))


def _scope_key(user, village_id: int | None, township_id: int | None) -> str:
    if village_id or user.role == "village_clerk":
        return f"village:{village_id or user.village_id}"
    return f"township:{township_id}" if township_id else f"county:{user.scope_county_id}"


def _cell_writer(column, mask):
    """The function that turns a stored value into the ledger's cell (write_value), masking first if asked."""
    if column.field in mask:
        hide = mask[column.field]
        return lambda v: hide(v) if v else None
    if column.kind == "enum":
        words = ENUMS[column.field]
        return lambda v: words.get(v, v) if v else None
    return partial(write_value, column)


def export_register(user, *, village_id: int | None = None, township_id: int | None = None,
                    unmasked: bool = False) -> bytes:
    """The register of the user's scope in the ledger's layout; masked unless a full export is allowed (audited)."""
    if unmasked and not rules.may_reveal(user.role):
        raise NotAllowed(_("Your role may not export full personal data."))
    columns = [getattr(Household if c.household else Person, c.field) for c in COLUMNS]
    rows = _register_rows(user, village_id, township_id, [*columns, Village.name])
    if unmasked:
        _ensure_may_export_unmasked(user, {r[-1] for r in rows})
    writers = [_cell_writer(c, {} if unmasked else service.SENSITIVE) for c in COLUMNS]
    width = len(COLUMNS)
    sheet = Sheet(SHEET, [c.header for c in COLUMNS] + [VILLAGE_HEADER], [c.width for c in COLUMNS] + [12],
                  REGISTER_TEXT_COLUMNS)
    data = streamed_xlsx(sheet, ([w(v) for w, v in zip(writers, r, strict=False)] + [r[width]] for r in rows))
    if unmasked:
        auditlog.record(user, "export_unmasked", "register", _scope_key(user, village_id, township_id), None, {
            "village_id": village_id, "township_id": township_id, "people": len(rows)})
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
LIST_FIELDS = (Person.name, Person.id_number, Household.number, Village.name, Person.employment_status,
               Person.monthly_income, Person.phone, Person.training_wish, Person.willing_to_migrate, Person.deceased)


def export_list(user, kind: str) -> bytes:
    """A village's (or wider scope's) list of people in work, or willing but not working; masked."""
    name, title, wanted = LISTS[kind]
    rows = [r for r in _register_rows(user, None, None, LIST_FIELDS) if wanted(r)]
    status = labels.EMPLOYMENT
    sheet = Sheet(str(name), [str(h) for h, _w in LIST_COLUMNS], [w for _h, w in LIST_COLUMNS],
                  title=str(title % {"place": user.place_name, "month": month_label(county_today())}))
    return streamed_xlsx(sheet, (
        [r.name, mask_id(r.id_number), r.number, r[3], labels.label(status, r.employment_status),
         r.monthly_income, mask_phone(r.phone), r.training_wish] for r in rows))
