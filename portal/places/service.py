"""Places use cases: list, add, rename, import from CSV (county admins), and selectors for forms."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from portal.core import auditlog
from portal.core.access import scoped
from portal.core.errors import Conflict, RuleViolation
from portal.core.imports import ImportRejected, ImportReport, RowError, UnreadableFile, read_csv_rows
from portal.core.text import has_control
from portal.extensions import db
from portal.places import rules
from portal.places.models import County, Township, Village

HEADERS = {"code": ("code", "区划代码", "统计用区划代码", "代码"), "name": ("name", "名称", "单位名称")}


# Filters of the places list that features above places give (accounts: places without their officer), by
# the list's ?without= value: (township clause, village clause), one of them None.
WITHOUT: dict[str, tuple] = {}


def register_without(name: str, township_clause=None, village_clause=None) -> None:
    """A feature gives the places list a filter (a clause made afresh at each call) without places importing it."""
    WITHOUT[name] = (township_clause, village_clause)


def townships_with_villages(user, township_clause=None, village_clause=None) -> list[tuple[Township, list[Village]]]:
    """The places the user may see, as townships each with its villages, in code order; with a village clause
    only the townships that have such villages (and only those villages), with a township clause only such
    townships (and none of their villages)."""
    stmt = scoped(select(Township), Township, user).order_by(Township.code)
    townships = db.session.execute(stmt if township_clause is None else stmt.where(township_clause)).scalars().all()
    villages = [] if township_clause is not None else db.session.execute(
        scoped(select(Village), Village, user).where(*([] if village_clause is None else [village_clause]))
        .order_by(Village.code)).scalars().all()
    by_township: dict[int, list[Village]] = {t.id: [] for t in townships}
    for v in villages:
        by_township.setdefault(v.township_id, []).append(v)
    return [(t, by_township[t.id]) for t in townships if village_clause is None or by_township[t.id]]


def county_of(user) -> County:
    return db.session.get(County, user.scope_county_id)


def place_choices(admin) -> list[SelectChoice]:
    """Options for a place selector: the county, then each township with its villages as a group."""
    county = county_of(admin)
    choices = [SelectChoice(f"county:{county.id}", county.name)]
    for township, villages in townships_with_villages(admin):
        group = f"{township.name} {township.code[6:9]}"
        choices.append(SelectChoice(f"township:{township.id}", township.name, optgroup=group))
        choices.extend(SelectChoice(f"village:{v.id}", f"{township.name} / {v.name}", optgroup=group)
                       for v in villages)
    return choices


@dataclass(frozen=True)
class PlaceRow:
    row: int
    code: str
    name: str


def _validate_rows(admin, rows: list[PlaceRow]) -> list[RowError]:
    """Every problem of every row: code shape, level, duplicates, parent, county."""
    county = county_of(admin)
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    file_codes = {r.code for r in rows}
    existing_townships = set(db.session.execute(
        select(Township.code).where(Township.county_id == county.id)).scalars())
    foreign_codes = set(db.session.execute(
        select(Township.code).where(Township.county_id != county.id)).scalars())
    for r in rows:
        try:
            level = rules.level_of(r.code)
        except rules.CodeError:
            errors.append(RowError(r.row, _("code"), _("a division code has 12 digits")))
            continue
        if not r.name:
            errors.append(RowError(r.row, _("name"), _("the name is missing")))
        elif len(r.name) > 60:
            errors.append(RowError(r.row, _("name"), _("the name is longer than 60 characters")))
        elif has_control(r.name):
            errors.append(RowError(r.row, _("name"), _("the name contains control characters")))
        if r.code in seen:
            errors.append(RowError(r.row, _("code"), _("the code %(code)s already appears in row %(row)d",
                                                         code=r.code, row=seen[r.code])))
            continue
        seen[r.code] = r.row
        if level is rules.Level.COUNTY:
            if r.code != county.code:
                errors.append(RowError(r.row, _("code"), _("%(code)s is not this county (%(county)s)",
                                                           code=r.code, county=county.code)))
            continue
        parent = rules.parent_code(r.code)
        if level is rules.Level.TOWNSHIP and parent != county.code:
            errors.append(RowError(r.row, _("code"), _("township %(code)s does not lie in this county (%(county)s)",
                                                       code=r.code, county=county.code)))
        if level is rules.Level.VILLAGE:
            if parent in foreign_codes:
                errors.append(RowError(r.row, _("code"), _("the township %(code)s belongs to another county",
                                                           code=parent)))
            elif parent not in existing_townships and parent not in file_codes:
                errors.append(RowError(r.row, _("code"), _("its township %(code)s is neither in the file nor "
                                                           "in the portal", code=parent)))
    return errors


def parse_place_csv(data: bytes) -> list[PlaceRow]:
    """The CSV's rows; the header names the columns (code/区划代码, name/名称)."""
    try:
        header, body = read_csv_rows(data)
    except (UnicodeDecodeError, ValueError, Exception) as exc:  # csv.Error and decoding problems
        raise UnreadableFile(_("The file is not a readable CSV text file.")) from exc
    lowered = [h.lower() for h in header]
    index = {}
    for key, names in HEADERS.items():
        found = next((i for i, h in enumerate(lowered) if h in names), None)
        if found is None:
            raise UnreadableFile(_("The header row must name the columns %(cols)s.", cols="区划代码, 名称"))
        index[key] = found
    return [PlaceRow(n, _cell(cells, index["code"]), _cell(cells, index["name"])) for n, cells in body]


def _cell(cells: list[str], i: int) -> str:
    return cells[i] if i < len(cells) else ""


def import_places(admin, rows: list[PlaceRow]) -> ImportReport:
    """Create or rename townships and villages from rows; all or nothing; re-import changes nothing."""
    if not rows:
        raise UnreadableFile(_("The file has no data rows."))
    errors = _validate_rows(admin, rows)
    if errors:
        raise ImportRejected(_("%(n)d problems found; nothing was imported.", n=len(errors)), errors)
    report = ImportReport()
    county = county_of(admin)
    townships = {t.code: t for t in db.session.execute(
        select(Township).where(Township.county_id == county.id)).scalars()}
    villages = {v.code: v for v in db.session.execute(select(Village)).scalars()}
    ordered = sorted(rows, key=lambda r: rules.level_of(r.code) is rules.Level.VILLAGE)
    for r in ordered:
        level = rules.level_of(r.code)
        if level is rules.Level.COUNTY:
            report.unchanged += 1
            continue
        existing = townships.get(r.code) if level is rules.Level.TOWNSHIP else villages.get(r.code)
        if existing is None:
            if level is rules.Level.TOWNSHIP:
                obj = Township(county_id=county.id, code=r.code, name=r.name)
                townships[r.code] = obj
            else:
                obj = Village(township=townships[rules.parent_code(r.code)], code=r.code, name=r.name)
                villages[r.code] = obj
            db.session.add(obj)
            db.session.flush()
            auditlog.record(admin, "create", level.value, obj.id, None, {"code": r.code, "name": r.name})
            report.created += 1
        elif existing.name != r.name:
            auditlog.record(admin, "rename", level.value, existing.id, {"name": existing.name}, {"name": r.name})
            existing.name = r.name
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.commit()
    return report


def add_place(admin, code: str, name: str) -> Township | Village:
    """Add one township or village; its level and parent come from its code."""
    row = PlaceRow(0, code.strip(), name.strip())
    errors = _validate_rows(admin, [row])
    if errors:
        raise RuleViolation(errors[0].reason, field="name" if errors[0].column == _("name") else "code")
    level = rules.level_of(row.code)
    if level is rules.Level.COUNTY:
        raise RuleViolation(_("The county itself cannot be added."), field="code")
    model = Township if level is rules.Level.TOWNSHIP else Village
    if db.session.execute(select(model.id).where(model.code == row.code)).first():
        raise Conflict(_("The code %(code)s is already in use.", code=row.code), field="code")
    import_places(admin, [row])
    return db.session.execute(select(model).where(model.code == row.code)).scalar_one()


def rename_place(admin, place: Township | Village, name: str) -> None:
    """Rename a township or village (its code is its identity and stays)."""
    name = name.strip()
    if not name or len(name) > 60:
        raise RuleViolation(_("A name of 1 to 60 characters is needed."), field="name")
    if place.name == name:
        return
    kind = "township" if isinstance(place, Township) else "village"
    auditlog.record(admin, "rename", kind, place.id, {"name": place.name}, {"name": name})
    place.name = name
    db.session.commit()
