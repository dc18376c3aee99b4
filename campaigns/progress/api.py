"""/api/v1/campaigns/{code}/progress: read a unit's daily figures, and save many at once.

Saving goes through `save_entries` like the pages and the Excel import: all or nothing, every
problem of the body listed in one answer as `errors: [{index, field, message}]` (`index` is
the item's position in the body), and an item whose figures are already saved changes nothing,
so sending the same body twice is harmless.
"""

from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app, g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError

from app.api import ApiBlueprint
from app.db import db, utcnow
from app.scope import Access, Reach, reach
from campaigns.lookups import campaign_or_abort, campaign_unit_or_abort, iso_date, item_error
from campaigns.models import CampaignStatus
from campaigns.progress import queries
from campaigns.progress.models import EntrySource
from campaigns.progress.operations import EntryError, EntryInput, save_entries

blp = ApiBlueprint(
    "progress_api",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Daily figures (progress) of the units of a campaign.",
)

ITEM_FIELDS = ("unit", "indicator", "date", "numerator", "denominator", "confirmed", "reason")
# The largest figure the database keeps (a 32-bit integer on PostgreSQL).
FIGURE_MAX = 2_147_483_647
REASON_MAX = 1000


class ProgressInputSchema(Schema):
    unit = fields.String(required=True, metadata={"description": "Unit code.", "example": "693"})
    indicator = fields.String(
        required=True, metadata={"description": "Indicator code.", "example": "HS_TRUC_TUYEN"}
    )
    date = fields.Date(
        required=True,
        metadata={
            "description": "The day the figures are for (yyyy-mm-dd), inside the campaign and "
            "not after today in the campaign's time zone.",
            "example": "2022-07-29",
        },
    )
    numerator = fields.Integer(
        required=True,
        metadata={
            "description": "A JSON integer ≥ 0 (the count, for count indicators). Strings such "
            'as "1080" or "1.080" and decimals are refused.',
            "example": 412,
        },
    )
    denominator = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Ratios only: a JSON integer ≥ the numerator. Leave it out (or null) "
            "for counts.",
            "example": 425,
        },
    )
    confirmed = fields.Boolean(
        metadata={
            "description": "true accepts a figure more than ten times the unit's usual one, "
            "which is otherwise refused (422) as a probable typing error.",
            "example": False,
        }
    )
    reason = fields.String(
        metadata={
            "description": "Why a stock level is lower than the previous one, or why an "
            "administrator corrects a locked day; required in those cases.",
            "example": "",
        }
    )


class SavedSchema(Schema):
    created = fields.Integer(required=True, metadata={"description": "Entries created."})
    updated = fields.Integer(
        required=True, metadata={"description": "Entries whose figures changed (a new revision)."}
    )
    unchanged = fields.Integer(
        required=True,
        metadata={"description": "Items equal to what was saved: nothing written for them."},
    )


class ProgressErrorItemSchema(Schema):
    index = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Position of the item in the body; null for the whole body."},
    )
    field = fields.String(
        allow_none=True,
        required=True,
        metadata={
            "description": "unit, indicator, date, numerator, denominator, confirmed, reason, "
            "or null when the item as a whole is refused (given twice, changed meanwhile, "
            "locked)."
        },
    )
    message = fields.String(required=True)


class ProgressErrorsSchema(ErrorSchema):
    errors = fields.List(fields.Nested(ProgressErrorItemSchema))


class ProgressQuerySchema(Schema):
    unit = fields.String(
        metadata={
            "description": "Code of the unit whose own figures are listed (not its subtree's). "
            "Default: the token owner's unit.",
            "example": "693",
        }
    )
    start = fields.String(
        data_key="from",
        metadata={
            "format": "date",
            "description": "First day (yyyy-mm-dd). Default: the campaign's first day.",
            "example": "2022-07-01",
        },
    )
    end = fields.String(
        data_key="to",
        metadata={
            "format": "date",
            "description": "Last day (yyyy-mm-dd). Default: today, or the campaign's last day "
            "if it is over.",
            "example": "2022-07-29",
        },
    )


class ProgressItemSchema(Schema):
    unit = fields.String(required=True)
    indicator = fields.String(required=True)
    date = fields.Date(required=True)
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null for counts."}
    )
    late = fields.Boolean(
        required=True,
        metadata={"description": "The first figures came after the day's deadline."},
    )
    revision = fields.Integer(
        required=True, metadata={"description": "How many times the figures were saved."}
    )


class ProgressItemsSchema(Schema):
    items = fields.List(fields.Nested(ProgressItemSchema), required=True)


def _today() -> date:
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _figure_error(value: object) -> str | None:
    """Why a figure of the body is not a JSON integer the database can keep; None if it is.
    Negative integers pass: save_entries words that problem like on every page."""
    if value is None:
        return None
    if isinstance(value, str):
        return _('Figures are JSON numbers, not strings: write 1080, not "1080" or "1.080".')
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _("Not a number.")
    if isinstance(value, float):
        return _("Type a whole number, without decimals.")
    if value > FIGURE_MAX:
        return _("This figure is larger than any figure can be.")
    return None


def _read_items(body: object) -> tuple[list[EntryInput], list[dict]]:
    if not isinstance(body, list):
        return [], [item_error(None, None, _("The body must be a JSON list of figures."))]
    inputs, errors = [], []
    for index, item in enumerate(body):
        if not isinstance(item, dict):
            errors.append(item_error(index, None, _("Not a JSON object.")))
            continue
        found = [
            item_error(index, key, _("Unknown field.")) for key in item if key not in ITEM_FIELDS
        ]
        for key in ("unit", "indicator"):
            if key not in item:
                found.append(item_error(index, key, _("This field is required.")))
            elif not isinstance(item[key], str) or not item[key].strip():
                found.append(item_error(index, key, _("Not a code.")))
        day = None
        if "date" not in item:
            found.append(item_error(index, "date", _("This field is required.")))
        else:
            day = iso_date(item["date"])
            if day is None:
                found.append(item_error(index, "date", _("Not a date: write it as yyyy-mm-dd.")))
        if "numerator" not in item:
            found.append(item_error(index, "numerator", _("This field is required.")))
        for key in ("numerator", "denominator"):
            problem = _figure_error(item.get(key))
            if problem:
                found.append(item_error(index, key, problem))
        if "confirmed" in item and not isinstance(item["confirmed"], bool):
            found.append(item_error(index, "confirmed", _("Write true or false.")))
        reason = item.get("reason", "")
        if not isinstance(reason, str):
            found.append(item_error(index, "reason", _("Not a text.")))
        elif len(reason) > REASON_MAX:
            found.append(
                item_error(index, "reason", _("At most %(max)d characters.", max=REASON_MAX))
            )
        if found:
            errors.extend(found)
            continue
        inputs.append(
            EntryInput(
                unit=item["unit"].strip(),
                indicator=item["indicator"].strip(),
                day=day,
                numerator=item["numerator"],
                denominator=item.get("denominator"),
                confirmed=item.get("confirmed", False),
                reason=reason,
                position=index,
            )
        )
    return inputs, errors


@blp.route("/<code>/progress")
class CampaignProgress(MethodView):
    @blp.arguments(ProgressQuerySchema, location="query")
    @blp.response(200, ProgressItemsSchema)
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
    @blp.alt_response(
        422,
        schema=ProgressErrorsSchema,
        description="`from` or `to` is not a date (yyyy-mm-dd), or `from` comes after `to`.",
    )
    def get(self, args: dict, code: str):
        """The unit's own current figures (not its subtree's), by date then indicator."""
        campaign = campaign_or_abort(code)
        unit = campaign_unit_or_abort(
            campaign, (args.get("unit") or "").strip(), default=g.api_user.unit
        )
        errors = []
        bounds = {}
        defaults = {"from": campaign.start_date, "to": min(campaign.end_date, _today())}
        for key, name in (("start", "from"), ("end", "to")):
            text = args.get(key)
            if text is None or text == "":
                bounds[name] = defaults[name]
                continue
            bounds[name] = iso_date(text)
            if bounds[name] is None:
                errors.append(item_error(None, name, _("Not a date: write it as yyyy-mm-dd.")))
        if not errors and bounds["from"] > bounds["to"]:
            errors.append(item_error(None, "from", _("The first day comes after the last day.")))
        if errors:
            abort(422, message=_("The dates of the request are wrong."), errors=errors)
        indicators = {indicator.id: indicator for indicator in campaign.indicators}
        entries = (
            queries.entries_between(indicators, [unit.id], bounds["from"], bounds["to"])
            if indicators
            else []
        )
        entries.sort(
            key=lambda entry: (
                entry.entry_date,
                indicators[entry.indicator_id].position,
                indicators[entry.indicator_id].code,
            )
        )
        return {
            "items": [
                {
                    "unit": unit.code,
                    "indicator": indicators[entry.indicator_id].code,
                    "date": entry.entry_date,
                    "numerator": entry.numerator,
                    "denominator": entry.denominator,
                    "late": entry.late,
                    "revision": entry.revision,
                }
                for entry in entries
            ]
        }

    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": ProgressInputSchema}}
            },
        }
    )
    @blp.response(200, SavedSchema)
    @blp.alt_response(
        401, schema=ErrorSchema, description="Missing, unknown, expired or revoked token."
    )
    @blp.alt_response(
        403,
        schema=ProgressErrorsSchema,
        description="The campaign is outside the token owner's units, the token owner may not "
        "enter figures (viewers), or some units listed in `errors` are outside the units whose "
        "figures it may enter. Nothing was stored.",
    )
    @blp.alt_response(404, schema=ErrorSchema, description="No campaign has this code.")
    @blp.alt_response(
        409,
        schema=ErrorSchema,
        description="The campaign has not started yet, or is closed; or the same entries were "
        "being created by another request at that moment (send the body again).",
    )
    @blp.alt_response(
        422,
        schema=ProgressErrorsSchema,
        description="Some items are wrong; each problem is listed with the item's index and "
        "field. Nothing was stored.",
    )
    def put(self, code: str):
        """Save the figures of many units, indicators and days at once, all or nothing."""
        campaign = campaign_or_abort(code)
        user = g.api_user
        if reach(user, Access.WRITE) is Reach.NONE:
            abort(403, message=_("Your role may not enter figures."))
        if campaign.status == CampaignStatus.DRAFT:
            abort(
                409,
                message=_(
                    "Campaign %(code)s has not started; figures open when it starts.",
                    code=campaign.code,
                ),
            )
        if campaign.status != CampaignStatus.ACTIVE:
            abort(
                409,
                message=_(
                    "Campaign %(code)s is closed; its figures can no longer change.",
                    code=campaign.code,
                ),
            )
        inputs, errors = _read_items(request.get_json(silent=True))
        status = 422
        summary = None
        try:
            # Even when some items could not be read, the others are checked so that one
            # answer lists every problem; a refused answer rolls everything back.
            summary = save_entries(
                campaign, inputs, user=user, source=EntrySource.API, now=utcnow()
            )
        except IntegrityError:
            # Another request created one of these entries at this very moment.
            db.session.rollback()
            abort(409, message=_("Figures were being saved at the same moment; send them again."))
        except EntryError as error:
            if error.out_of_scope:
                status = 403
            errors.extend(
                item_error(problem.position, problem.field, problem.message)
                for problem in error.problems
            )
        if errors:
            errors.sort(key=lambda error: -1 if error["index"] is None else error["index"])
            abort(
                status, message=_("The figures were not saved; nothing was stored."), errors=errors
            )
        return {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        }
