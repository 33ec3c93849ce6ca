"""The month grid's rows as HTML, put together in Python rather than by the template.

A month grid has 80 rows of 31 cells; the template's per-cell and per-row work (attribute look-ups, escaping,
a translation per row) was most of the page's time. The markup is the template's, byte for byte in meaning:
text from people (names, post titles, a typed value, a setter's name in a title) is escaped; the rest is the
portal's own.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.attendance.grid import GridRow, MonthGrid, days_text
from portal.core.i18n import date_label


@lru_cache(maxsize=1024)
def _escaped(text: str) -> str:
    """A cell's text or title, HTML-escaped (a month repeats a few dozen of them)."""
    return str(escape(text))


def cells_html(row: GridRow, editable: bool) -> str:
    """A row's day cells: inputs for the clerk (read-only where Rule 3 refuses), text for everyone else."""
    out = []
    rid = row.id
    for c in row.cells:
        if not editable:
            title = f' title="{_escaped(c.tip)}"' if c.tip else ""
            out.append(f'<td class="{c.css}"{title}>{_escaped(c.value)}</td>')
            continue
        d = c.day.day
        extra = "".join((f' data-o="{c.stored}"' if c.value != c.stored else "",
                         " readonly" if c.refusal and not c.problem else "",
                         f' title="{_escaped(c.tip)}"' if c.tip else "",
                         f' aria-describedby="{c.why}"' if c.why else "",
                         ' aria-invalid="true"' if c.problem else ""))
        out.append(f'<td class="{c.css}"><input name="c{rid}_{d}" value="{_escaped(c.value)}" '
                   f'aria-labelledby="h{rid} d{d}"{extra}></td>')
    return "".join(out)


def day_select(field) -> Markup:
    """The fill form's day list (1 to the month's last day) as WTForms draws it, without its per-option cost."""
    chosen = field.data
    options = "".join(f'<option{" selected" if c.value == chosen else ""} value="{c.value}">{c.label}</option>'
                      for c in field.choices)
    return Markup(f'<select class="form-select form-select-sm" id="{field.id}" name="{field.name}">'  # noqa: S704
                  f"{options}</select>")  # (numbers only)


def rows_html(grid: MonthGrid, chosen: Collection[int] = ()) -> Markup:
    """Every holder's row: name and post, the day cells, the totals."""
    choose = _("Choose %(name)s for filling")  # translated once, filled per row
    on_post = _("On the post from %(start)s to %(end)s.")
    off_duty = _("Not on duty.")
    out = []
    for row in grid.rows:
        a, rid = row.appointment, row.id
        name = escape(a.person.name)
        box = ""
        if grid.editable:
            box = (f'<label class="att-pick"><input class="form-check-input" type="checkbox" name="h" value="{rid}" '
                   f'aria-label="{escape(choose % {"name": a.person.name})}"{" checked" if rid in chosen else ""}>'
                   '</label>')
        window = (on_post % {"start": date_label(row.window.start), "end": date_label(row.window.end)}
                  if row.window else off_duty)
        t = row.tally
        out.append(
            f'<tr data-row="{rid}"><th scope="row" class="att-name" id="h{rid}">{box}<span>{name}</span> '
            f'<small>{escape(a.post.title)}</small><span class="visually-hidden" id="w{rid}">{escape(window)}</span>'
            f'</th>{cells_html(row, grid.editable)}<td class="att-t" data-t="present">{t.present}</td>'
            f'<td class="att-t" data-t="half">{t.half}</td><td class="att-t" data-t="leave">{t.leave}</td>'
            f'<td class="att-t" data-t="absent">{t.absent}</td>'
            f'<td class="att-t fw-semibold" data-t="duty">{days_text(t.duty_days)}</td>'
            f'<td class="att-t" data-t="required">{row.required}</td></tr>\n')
    return Markup("".join(out))  # noqa: S704  (every outside text above is escaped)
