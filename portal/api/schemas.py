"""Marshmallow schemas: the API's shapes, from which the OpenAPI document is generated."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

INT32_MAX = 2**31 - 1  # the id columns are INTEGER
MAX_PAGE = 1_000_000  # keeps OFFSET far inside 64 bits


def no_nul(value: str) -> None:
    """A NUL character cannot be stored (PostgreSQL) and cuts LIKE patterns short (SQLite)."""
    if "\x00" in value:
        raise ValidationError(_("Must not contain a NUL character."))


def text_field(max_length: int | None = None, **kwargs) -> fields.String:
    checks = [no_nul] + ([validate.Length(max=max_length)] if max_length else [])
    return fields.String(validate=checks, **kwargs)


ID_PATH = f"int(min=1, max={INT32_MAX})"  # URL converter for ids: larger numbers are a 404, not a 500


def choice_field(enum_cls, **kwargs) -> fields.String:
    """A string limited to an enum's values (documented as such in OpenAPI)."""
    return fields.String(validate=validate.OneOf([m.value for m in enum_cls]), **kwargs)


def error_responses(blp, descriptions: dict[int, str], *codes: int):
    """Document an endpoint's error answers, each with the API's one error body."""

    def decorator(view):
        for code in reversed(codes):
            view = blp.alt_response(code, schema=ErrorSchema, description=descriptions[code])(view)
        return view

    return decorator


def id_field(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=INT32_MAX), **kwargs)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String(metadata={"description": "the field a refusal is about"})
    rows = fields.List(fields.Dict(), metadata={"description": "bad rows of an import (row, column, reason)"})
    fields_ = fields.Dict(data_key="fields", metadata={"description": "invalid fields and why"})
    cells = fields.List(fields.Dict(), metadata={"description": "refused attendance cells (appointment_id, day, "
                                                               "code, message)"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBody, required=True)


class PlaceRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    locale = fields.String()
    place = fields.Method("get_place")

    def get_place(self, user):
        place = user.village or user.township or user.county
        level = "village" if user.village else "township" if user.township else "county"
        return {"level": level, "id": place.id, "code": place.code, "name": place.name}


class VillageSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    township = fields.Nested(PlaceRef)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class VillageListArgs(PageArgs):
    township_id = id_field()
    q = text_field(metadata={"description": "part of the name or code"})
