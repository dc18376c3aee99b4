"""/api/v1/campaigns/{code}/targets: read and set the targets of a campaign's units.

Ratio values are fractions (0.5 = 50%). Setting is all or nothing: every problem of the
body is listed in one answer, `errors: [{index, field, message}]`, where `index` is the
position of the item in the body, and nothing is stored.
"""

from flask import g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from app.api import ApiBlueprint
from app.scope import Access, Reach, reach
from campaigns.lookups import campaign_or_abort, campaign_unit_or_abort, item_error
from targets import queries
from targets.models import Source
from targets.operations import KEEP, TargetError, TargetInput, set_targets
from targets.rules import TargetSource

blp = ApiBlueprint(
    "targets_api",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Targets and baselines of the units of a campaign.",
)

ITEM_FIELDS = ("unit", "indicator", "target", "baseline_numerator", "baseline_denominator")


class TargetInputSchema(Schema):
    unit = fields.String(required=True, metadata={"description": "Unit code.", "example": "693"})
    indicator = fields.String(
        required=True, metadata={"description": "Indicator code.", "example": "HS_TRUC_TUYEN"}
    )
    target = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "The unit's own target: a fraction in [0, 1] for ratios (0.5 = 50%), "
            "a whole number ≥ 0 for counts. null removes the unit's own target, so that it "
            "takes its ancestor's again (ratios) or the sum of its children's (counts).",
            "example": 0.5,
        },
    )
    baseline_numerator = fields.Integer(
        allow_none=True,
        metadata={
            "description": "The unit's figure before the campaign (whole number ≥ 0). Leave "
            "both baseline fields out to keep the baseline; give either to replace it "
            "(a field left out then means none); null and null remove it.",
            "example": 216,
        },
    )
    baseline_denominator = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Ratios only: a whole number > 0, at least the numerator.",
            "example": 1000,
        },
    )


class UpdatedSchema(Schema):
    updated = fields.Integer(
        required=True,
        metadata={"description": "How many items changed at least one value."},
    )


class TargetErrorItemSchema(Schema):
    index = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Position of the item in the body; null for the whole body."},
    )
    field = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class TargetErrorsSchema(ErrorSchema):
    errors = fields.List(fields.Nested(TargetErrorItemSchema))


class UnitQuerySchema(Schema):
    unit = fields.String(
        metadata={
            "description": "Code of the unit whose children are listed. Default: the token "
            "owner's unit, or the campaign's owner unit when the token owner is above it.",
            "example": "693",
        }
    )


class EffectiveTargetSchema(Schema):
    unit = fields.String(required=True, metadata={"description": "Code of a child unit."})
    indicator = fields.String(required=True, metadata={"description": "Indicator code."})
    target = fields.Float(
        required=True,
        allow_none=True,
        metadata={
            "description": "The effective target: a fraction for ratios (0.5 = 50%), a number "
            "for counts; null when the unit has none."
        },
    )
    inherited = fields.Boolean(
        required=True,
        metadata={
            "description": "true when the target comes from an ancestor (ratios only). A count "
            "target made of the sum of the children's is a quantity of the unit itself, not "
            "inherited: false, with source `sum_of_children`."
        },
    )
    source = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "enum": [*[str(source) for source in TargetSource], None],
            "description": "own: set on the unit; inherited: an ancestor's ratio target; "
            "sum_of_children: a count target adding up the children's; null: no target.",
        },
    )
    from_unit = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Code of the unit whose own target this is (the unit itself or an "
            "ancestor); null for a sum or when there is no target."
        },
    )


class EffectiveTargetsSchema(Schema):
    items = fields.List(fields.Nested(EffectiveTargetSchema), required=True)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _read_items(body: object) -> tuple[list[TargetInput], list[dict]]:
    if not isinstance(body, list):
        return [], [item_error(None, None, _("The body must be a JSON list of targets."))]
    inputs, errors = [], []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            errors.append(item_error(index, None, _("Not a JSON object.")))
            continue
        found = []
        found.extend(
            item_error(index, key, _("Unknown field.")) for key in item if key not in ITEM_FIELDS
        )
        for key in ("unit", "indicator"):
            if key not in item:
                found.append(item_error(index, key, _("This field is required.")))
            elif not isinstance(item[key], str) or not item[key].strip():
                found.append(item_error(index, key, _("Not a code.")))
        if "target" not in item:
            found.append(item_error(index, "target", _("This field is required.")))
        for key in ("target", "baseline_numerator", "baseline_denominator"):
            if key in item and item[key] is not None and not _is_number(item[key]):
                found.append(item_error(index, key, _("Not a number.")))
        if found:
            errors.extend(found)
            continue
        inputs.append(
            TargetInput(
                unit=item["unit"],
                indicator=item["indicator"],
                target=item["target"],
                baseline_numerator=item.get("baseline_numerator", KEEP),
                baseline_denominator=item.get("baseline_denominator", KEEP),
                position=index,
            )
        )
    return inputs, errors


@blp.route("/<code>/targets")
class CampaignTargets(MethodView):
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, EffectiveTargetsSchema)
    @blp.alt_response(
        401, schema=ErrorSchema, description="Missing, unknown, expired or revoked token."
    )
    @blp.alt_response(
        403,
        schema=ErrorSchema,
        description="The campaign or the unit is outside the token owner's units.",
    )
    @blp.alt_response(
        404,
        schema=ErrorSchema,
        description="No campaign or unit has this code, or the unit is not part of the campaign.",
    )
    def get(self, args: dict, code: str):
        """The effective target of each child of a unit, for every indicator."""
        campaign = campaign_or_abort(code)
        unit = campaign_unit_or_abort(
            campaign,
            (args.get("unit") or "").strip(),
            default=queries.default_unit(campaign, g.api_user),
        )
        children = queries.child_units(unit.id)
        indicators = list(campaign.indicators)
        effective = queries.effective_targets(
            indicators, [child.id for child in children], root_id=unit.id
        )
        sources = queries.units_by_id(
            e.from_unit_id for e in effective.values() if e.from_unit_id is not None
        )
        items = []
        for child in children:
            for indicator in indicators:
                found = effective.get((child.id, indicator.id))
                items.append(
                    {
                        "unit": child.code,
                        "indicator": indicator.code,
                        "target": found.value if found else None,
                        "inherited": bool(found and found.inherited),
                        "source": str(found.source) if found else None,
                        "from_unit": sources[found.from_unit_id].code
                        if found and found.from_unit_id is not None
                        else None,
                    }
                )
        return {"items": items}

    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": TargetInputSchema}}
            },
        }
    )
    @blp.response(200, UpdatedSchema)
    @blp.alt_response(
        401, schema=ErrorSchema, description="Missing, unknown, expired or revoked token."
    )
    @blp.alt_response(
        403,
        schema=TargetErrorsSchema,
        description="The token owner may not set targets (reporters and viewers), or not "
        "those of the units listed in `errors`. Nothing was stored.",
    )
    @blp.alt_response(404, schema=ErrorSchema, description="No campaign has this code.")
    @blp.alt_response(409, schema=ErrorSchema, description="The campaign is closed.")
    @blp.alt_response(
        422,
        schema=TargetErrorsSchema,
        description="Some items are wrong; each problem is listed with the item's index and "
        "field. Nothing was stored.",
    )
    def put(self, code: str):
        """Set the targets (and baselines) of many units at once, all or nothing."""
        campaign = campaign_or_abort(code)
        user = g.api_user
        if reach(user, Access.ASSIGN) is Reach.NONE:
            abort(403, message=_("Your role may not set targets, baselines or milestones."))
        if campaign.is_closed:
            abort(409, message=_("The campaign is closed; nothing in it can change."))
        inputs, errors = _read_items(request.get_json(silent=True))
        if errors:
            abort(422, message=_("The targets were not saved; nothing was stored."), errors=errors)
        try:
            changes = set_targets(campaign, inputs, user=user, source=Source.API)
        except TargetError as error:
            status = 403 if error.out_of_scope else 422
            abort(
                status,
                message=_("The targets were not saved; nothing was stored."),
                errors=[
                    item_error(problem.position, problem.field, problem.message)
                    for problem in error.problems
                ],
            )
        return {"updated": len({change.position for change in changes})}
