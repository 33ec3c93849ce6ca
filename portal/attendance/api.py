"""API v1 of attendance (在岗领补): a village's month of marks, one mark, a month of marks in bulk.

Every rule is the service's (portal.attendance.service.save_marks): only the village's clerk writes,
never a future day, a locked month or a day outside the holder's time on the post; a bulk save is all
or nothing and a refusal lists every refused cell under `error.cells`. Another place is 404.
"""

from __future__ import annotations

import re

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from portal.api.core import token_required
from portal.api.schemas import ErrorSchema, choice_field, error_responses, id_field
from portal.attendance import service
from portal.attendance.rules import Mark
from portal.core.access import get_scoped_or_404
from portal.places.models import Village
from portal.posts.models import Appointment

blp = Blueprint("api_attendance", __name__, url_prefix="/api/v1",
                description="Daily attendance of post holders (考勤)")

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_BULK = 5000  # a village month: 80 holders × 31 days is under 2 500


def _month(text: str) -> tuple[int, int]:
    found = MONTH.match(text or "")
    if not found or not 2000 <= int(found.group(1)) <= 2100:
        raise ValidationError(_("A month is written YYYY-MM, e.g. 2026-10."))
    return int(found.group(1)), int(found.group(2))


class MonthArgs(Schema):
    village_id = id_field(required=True)
    month = fields.String(required=True, metadata={"description": "YYYY-MM", "example": "2026-10"})

    @validates("month")
    def check_month(self, value, **_kw):
        _month(value)


class HolderMonthSchema(Schema):
    appointment_id = fields.Integer()
    person_name = fields.String()
    post_title = fields.String()
    on_duty_from = fields.Date(metadata={"description": "first day of the holder's time on the post"})
    on_duty_to = fields.Date(metadata={"description": "last day of the holder's time on the post"})
    marks = fields.Dict(keys=fields.String(), values=fields.String(),
                        metadata={"description": "day (YYYY-MM-DD) → present | half | leave | absent"})


class MonthSchema(Schema):
    village_id = fields.Integer()
    month = fields.String()
    locked = fields.Boolean(metadata={"description": "the month's payroll is submitted, approved or paid"})
    working_days = fields.Integer(metadata={"description": "the county's working days of the month"})
    holders = fields.List(fields.Nested(HolderMonthSchema))


class MarkSchema(Schema):
    appointment_id = id_field(required=True)
    day = fields.Date(required=True)
    mark = choice_field(Mark, required=True, allow_none=True, metadata={"description": "null clears the mark"})


class BulkSchema(Schema):
    village_id = id_field(required=True)
    month = fields.String(required=True, metadata={"description": "YYYY-MM; every day must lie in it"})
    marks = fields.List(fields.Nested(MarkSchema), required=True, validate=validate.Length(min=1, max=MAX_BULK))

    @validates("month")
    def check_month(self, value, **_kw):
        _month(value)

    @validates_schema
    def days_in_month(self, data, **_kw):
        month = _month(data.get("month", ""))
        for m in data.get("marks", []):
            if (m["day"].year, m["day"].month) != month:
                raise ValidationError(_("%(day)s is not in %(month)s.", day=m["day"].isoformat(),
                                        month=data["month"]), "marks")


class SavedSchema(Schema):
    changed = fields.Integer()
    unchanged = fields.Integer()


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Only the village's clerk writes marks",
                                   404: "Not in your scope, or no such holder or village",
                                   422: "Refused by Rule 3: error.cells names every refused cell"},
                             401, 403, 404, 422)


@blp.route("/attendance")
@token_required
@blp.arguments(MonthArgs, location="query")
@blp.response(200, MonthSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such village")
def month_of_marks(args):
    """A village's holders on duty in the month, each with their marks."""
    village = get_scoped_or_404(Village, args["village_id"], g.api_user)
    year, month = _month(args["month"])
    start, end = service.month_bounds(year, month)
    marks = service.marks_between(village.id, start, end)
    calendar = service.county_calendar(village.township.county_id)
    holders = []
    for a in service.holders(village.id, start, end):
        window = service.window_of(a)
        holders.append({"appointment_id": a.id, "person_name": a.person.name, "post_title": a.post.title,
                        "on_duty_from": window.start, "on_duty_to": window.end,
                        "marks": {d.isoformat(): m.mark for d, m in sorted(marks.get(a.id, {}).items())}})
    return {"village_id": village.id, "month": args["month"],
            "locked": (year, month) in service.locked_months(village.id),
            "working_days": len(calendar.month_working_days(year, month)), "holders": holders}


@blp.route("/attendance/mark", methods=["PUT"])
@token_required
@blp.arguments(MarkSchema)
@blp.response(200, SavedSchema)
@_responses
def put_mark(args):
    """Set (or with null clear) one holder's mark on one day."""
    appointment = get_scoped_or_404(Appointment, args["appointment_id"], g.api_user)
    mark = Mark(args["mark"]) if args["mark"] else None
    result = service.save_marks(g.api_user, appointment.village_id,
                                [service.Change(appointment.id, args["day"], mark)])
    return {"changed": result.changed, "unchanged": result.unchanged}


@blp.route("/attendance/month", methods=["PUT"])
@token_required
@blp.arguments(BulkSchema)
@blp.response(200, SavedSchema)
@_responses
def put_month(args):
    """Save many marks of one village and month at once: all saved, or none and every refusal listed."""
    village = get_scoped_or_404(Village, args["village_id"], g.api_user)
    changes = [service.Change(m["appointment_id"], m["day"], Mark(m["mark"]) if m["mark"] else None)
               for m in args["marks"]]
    result = service.save_marks(g.api_user, village.id, changes)
    return {"changed": result.changed, "unchanged": result.unchanged}


BLUEPRINTS = [blp]
