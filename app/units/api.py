"""/api/v1/units: the unit tree for other systems, scoped like the pages."""

from flask import g
from flask_babel import gettext as _
from flask_smorest import abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from app.api import ApiBlueprint
from app.db import db
from app.scope import Access, may
from app.units import queries

blp = ApiBlueprint(
    "units_api",
    __name__,
    url_prefix="/api/v1/units",
    description="Administrative units (province, agencies, districts, communes...).",
)


class UnitSummarySchema(Schema):
    code = fields.String(required=True, metadata={"example": "693"})
    name = fields.String(required=True, metadata={"example": "Huyện Bù Đốp"})
    kind = fields.String(required=True, metadata={"example": "district"})


class UnitDetailSchema(UnitSummarySchema):
    parent_code = fields.String(allow_none=True, required=True, metadata={"example": "70"})
    children = fields.List(fields.Nested(UnitSummarySchema), required=True)


@blp.route("/<code>")
@blp.response(200, UnitDetailSchema)
@blp.alt_response(
    401, schema=ErrorSchema, description="Missing, unknown, expired or revoked token."
)
@blp.alt_response(
    403, schema=ErrorSchema, description="The unit is outside the token owner's units."
)
@blp.alt_response(404, schema=ErrorSchema, description="No unit has this code.")
def get_unit(code: str):
    """One unit with its parent's code and its direct children."""
    unit = queries.unit_by_code(code)
    if unit is None:
        abort(404, message=_("No unit has the code “%(code)s”.", code=code))
    if not may(g.api_user, Access.READ, unit):
        abort(403, message=_("Unit “%(code)s” is outside your units.", code=code))
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else None,
        "children": [
            {"code": child.code, "name": child.name, "kind": child.kind}
            for child in db.session.scalars(queries.children(unit.id))
        ],
    }
