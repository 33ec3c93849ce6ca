"""Marshmallow schemas: the API's shapes, from which the OpenAPI document is generated."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)


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
    page = fields.Integer(load_default=1, validate=lambda n: n >= 1)
    per_page = fields.Integer(load_default=50, validate=lambda n: 1 <= n <= 500)


class VillageListArgs(PageArgs):
    township_id = fields.Integer()
    q = fields.String(metadata={"description": "part of the name or code"})
