"""/api/v1/campaigns: create a campaign with its indicators and settings, read one back.

Creating is all or nothing: every problem of the body is listed in one 422 answer,
`errors: [{index, field, message}]`, where `index` is the position of the indicator in
`indicators` (null for the campaign's own fields), and nothing is stored.
"""

from typing import ClassVar

from flask import g, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import RAISE, Schema, ValidationError, fields

from app.api import ApiBlueprint
from app.scope import Access, Reach, may, reach
from app.units.queries import unit_by_code
from app.users.models import User
from campaigns.access import may_configure
from campaigns.lookups import campaign_or_abort
from campaigns.models import Campaign, Direction, IndicatorKind, Measure, RankingWindow
from campaigns.operations import (
    CampaignError,
    CampaignErrors,
    check_new_campaign,
    create_campaign_with_indicators,
)

blp = ApiBlueprint(
    "campaigns_api",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Campaigns and their indicators.",
)

# --- input -------------------------------------------------------------------------------------

NEEDED = {"required": _l("This field is required."), "null": _l("This field cannot be null.")}


def _text(**options) -> fields.String:
    return fields.String(error_messages={**NEEDED, "invalid": _l("Not a text.")}, **options)


def _choice(values, **options) -> fields.String:
    return _text(metadata={"enum": [str(value) for value in values]}, **options)


def _number(**options) -> fields.Float:
    messages = {**NEEDED, "invalid": _l("Not a number."), "special": _l("Not a number.")}
    return fields.Float(error_messages=messages, **options)


def _time(**options) -> fields.Time:
    messages = {**NEEDED, "invalid": _l("Not a time of day; write it as hh:mm, e.g. 16:30.")}
    return fields.Time(error_messages=messages, **options)


class _InputSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages: ClassVar[dict] = {
        "unknown": _l("Unknown field."),
        "type": _l("Not a JSON object."),
    }


class CampaignIndicatorInputSchema(_InputSchema):
    code = _text(required=True, metadata={"example": "HS_TRUC_TUYEN"})
    name = _text(required=True, metadata={"example": "Tỷ lệ hồ sơ TTHC xử lý trực tuyến"})
    kind = _choice(IndicatorKind, required=True)
    measure = _choice(Measure, required=True)
    direction = _choice(Direction, load_default=Direction.HIGHER.value)
    weight = _number(load_default=1.0, metadata={"description": "Greater than 0."})
    unit_kinds = fields.List(
        _text(),
        load_default=list,
        error_messages={**NEEDED, "invalid": _l("Not a list.")},
        metadata={"description": "Unit kinds it applies to; empty means every kind."},
    )
    numerator_label = _text(load_default="")
    denominator_label = _text(load_default="", metadata={"description": "Ratios only."})


class CampaignInputSchema(_InputSchema):
    code = _text(required=True, metadata={"example": "CD92-2022"})
    name = _text(required=True, metadata={"example": "Chiến dịch cao điểm 92 ngày đêm"})
    legal_basis = _text(load_default="", metadata={"example": "Kế hoạch 170/KH-UBND"})
    owner_unit = _text(required=True, metadata={"description": "Unit code.", "example": "70"})
    start_date = fields.Date(
        required=True,
        error_messages={**NEEDED, "invalid": _l("Not a date; write it as yyyy-mm-dd.")},
        metadata={"example": "2022-06-01"},
    )
    end_date = fields.Date(
        required=True,
        error_messages={**NEEDED, "invalid": _l("Not a date; write it as yyyy-mm-dd.")},
        metadata={"example": "2022-08-31"},
    )
    ranking_window = _choice(RankingWindow)
    entry_deadline = _time(metadata={"example": "16:30"})
    lock_after_days = fields.Integer(
        strict=True, error_messages={**NEEDED, "invalid": _l("Not a whole number.")}
    )
    requires_task_evidence = fields.Boolean(
        error_messages={**NEEDED, "invalid": _l("Not true or false.")}
    )
    briefing_time = _time(
        metadata={
            "description": "When the briefing on the day before is drafted (default 06:30).",
            "example": "06:30",
        }
    )
    auto_publish = fields.Boolean(
        error_messages={**NEEDED, "invalid": _l("Not true or false.")},
        metadata={"description": "Publish each briefing at once, without review."},
    )
    reminder_time = _time(
        allow_none=True,
        metadata={
            "description": "When units with no figures yet are reminded by e-mail "
            "(default 15:30); null: no reminders.",
            "example": "15:30",
        },
    )
    webhook_url = _text(
        metadata={
            "description": "http(s) address that receives each published briefing as JSON.",
            "example": "https://chat.example.vn/hooks/abc",
        }
    )
    issuer_name = _text(
        metadata={
            "description": "Issuing agency at the head of the official notice.",
            "example": "Sở Thông tin và Truyền thông",
        }
    )
    issuer_code = _text(
        metadata={"description": "Ends the notice number “Số: …/TB-STTTT”.", "example": "STTTT"}
    )
    place_name = _text(
        metadata={"description": "Place on the notice's date line.", "example": "Bình Phước"}
    )
    indicators = fields.List(
        fields.Nested(CampaignIndicatorInputSchema),
        load_default=list,
        error_messages={**NEEDED, "invalid": _l("Not a list.")},
    )


# --- output ------------------------------------------------------------------------------------


class CampaignIndicatorSchema(Schema):
    code = fields.String(required=True, metadata={"example": "HS_TRUC_TUYEN"})
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(IndicatorKind)})
    measure = fields.String(required=True, metadata={"enum": list(Measure)})
    direction = fields.String(required=True, metadata={"enum": list(Direction)})
    weight = fields.Float(required=True)
    unit_kinds = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Unit kinds it applies to; empty means every kind."},
    )
    numerator_label = fields.String(required=True)
    denominator_label = fields.String(required=True)


class CampaignScoringSchema(Schema):
    """The scoring, praise and criticism parameters of DESIGN §5."""

    top_n = fields.Integer(required=True)
    bottom_n = fields.Integer(required=True)
    improvement_points = fields.Float(required=True)
    decline_points = fields.Float(required=True)
    below_target_share = fields.Float(
        required=True, metadata={"description": "A fraction: 0.5 = 50% of the target."}
    )
    missing_days_limit = fields.Integer(required=True)
    band_excellent = fields.Float(required=True)
    band_good = fields.Float(required=True)
    band_fair = fields.Float(required=True)
    band_average = fields.Float(required=True)


class CampaignBriefingSchema(Schema):
    """When briefings are made, where they go and how the official notice is headed."""

    briefing_time = fields.Time(format="%H:%M", required=True, metadata={"example": "06:30"})
    auto_publish = fields.Boolean(required=True)
    reminder_time = fields.Time(
        format="%H:%M",
        required=True,
        allow_none=True,
        metadata={"description": "null: no reminders.", "example": "15:30"},
    )
    webhook_url = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Empty: none. null: hidden, because the address may hold a secret "
            "and the token owner may not configure the campaign."
        },
    )
    issuer_name = fields.String(required=True)
    issuer_code = fields.String(required=True)
    place_name = fields.String(required=True)


class CampaignBodySchema(Schema):
    code = fields.String(required=True, metadata={"example": "CD92-2022"})
    name = fields.String(required=True)
    legal_basis = fields.String(required=True)
    owner_unit = fields.String(required=True, metadata={"description": "Unit code."})
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    status = fields.String(required=True, metadata={"enum": ["draft", "active", "closed"]})
    ranking_window = fields.String(required=True, metadata={"enum": list(RankingWindow)})
    entry_deadline = fields.Time(format="%H:%M", required=True, metadata={"example": "16:30"})
    lock_after_days = fields.Integer(required=True)
    requires_task_evidence = fields.Boolean(required=True)
    scoring = fields.Nested(CampaignScoringSchema, required=True)
    briefing = fields.Nested(CampaignBriefingSchema, required=True)
    indicators = fields.List(fields.Nested(CampaignIndicatorSchema), required=True)


class CampaignErrorItemSchema(Schema):
    index = fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Position in `indicators`; null for the campaign's fields."},
    )
    field = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class CampaignErrorsSchema(ErrorSchema):
    errors = fields.List(fields.Nested(CampaignErrorItemSchema))


SCORING_FIELDS = tuple(CampaignScoringSchema().fields)
BRIEFING_FIELDS = tuple(CampaignBriefingSchema().fields)


def campaign_body(campaign: Campaign, user: User) -> dict:
    briefing = {name: getattr(campaign, name) for name in BRIEFING_FIELDS}
    if not may_configure(user, campaign):
        briefing["webhook_url"] = None
    return {
        "code": campaign.code,
        "name": campaign.name,
        "legal_basis": campaign.legal_basis,
        "owner_unit": campaign.owner_unit.code,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "status": campaign.status,
        "ranking_window": campaign.ranking_window,
        "entry_deadline": campaign.entry_deadline,
        "lock_after_days": campaign.lock_after_days,
        "requires_task_evidence": campaign.requires_task_evidence,
        "scoring": {name: getattr(campaign, name) for name in SCORING_FIELDS},
        "briefing": briefing,
        "indicators": [
            {
                "code": indicator.code,
                "name": indicator.name,
                "kind": indicator.kind,
                "measure": indicator.measure,
                "direction": indicator.direction,
                "weight": indicator.weight,
                "unit_kinds": indicator.applies_to_kinds,
                "numerator_label": indicator.numerator_label,
                "denominator_label": indicator.denominator_label,
            }
            for indicator in campaign.indicators
        ],
    }


# --- endpoints ---------------------------------------------------------------------------------


def _first_message(messages) -> str:
    while isinstance(messages, dict | list):
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return str(messages)


def _load(schema: Schema, data) -> tuple[dict, list[tuple[str | None, str]]]:
    """The fields that could be read, and (field, message) for each that could not."""
    try:
        return schema.load(data), []
    except ValidationError as error:
        problems = [
            (None if field == "_schema" else field, _first_message(messages))
            for field, messages in error.messages.items()
        ]
        valid = error.valid_data if isinstance(error.valid_data, dict) else {}
        return valid, problems


def _refuse(errors: list[dict]):
    seen, unique = set(), []
    for error in sorted(errors, key=lambda error: -1 if error["index"] is None else error["index"]):
        if (error["index"], error["field"]) not in seen:
            seen.add((error["index"], error["field"]))
            unique.append(error)
    abort(422, message=_("The campaign was not created; nothing was stored."), errors=unique)


def _error(index: int | None, field: str | None, message: str) -> dict:
    return {"index": index, "field": field, "message": message}


@blp.route("", methods=["POST"])
@blp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": CampaignInputSchema}},
    }
)
@blp.response(201, CampaignBodySchema)
@blp.alt_response(
    401, schema=ErrorSchema, description="Missing, unknown, expired or revoked token."
)
@blp.alt_response(
    403,
    schema=ErrorSchema,
    description="The token owner may not create campaigns, or not for this owner unit.",
)
@blp.alt_response(
    422,
    schema=CampaignErrorsSchema,
    description="Some fields are wrong; each is listed with its index and field. "
    "Nothing was stored.",
)
def create_campaign():
    """Create a draft campaign with its indicators, all or nothing."""
    user = g.api_user
    if reach(user, Access.CONFIGURE) is Reach.NONE:
        abort(403, message=_("Only an administrator may create campaigns."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        _refuse([_error(None, None, _("The body must be a JSON object."))])

    errors: list[dict] = []
    campaign_part = {key: value for key, value in body.items() if key != "indicators"}
    values, problems = _load(CampaignInputSchema(exclude=("indicators",)), campaign_part)
    errors.extend(_error(None, field, message) for field, message in problems)

    raw_indicators = body.get("indicators", [])
    if not isinstance(raw_indicators, list):
        errors.append(_error(None, "indicators", _("Not a list.")))
        raw_indicators = []
    indicators = []
    for index, raw in enumerate(raw_indicators):
        indicator, problems = _load(CampaignIndicatorInputSchema(), raw)
        errors.extend(_error(index, field, message) for field, message in problems)
        indicators.append(indicator)

    owner = None
    owner_code = values.pop("owner_unit", None)
    if owner_code is not None:
        owner = unit_by_code(owner_code.strip())
        if owner is None:
            errors.append(
                _error(None, "owner_unit", _("No unit has the code “%(code)s”.", code=owner_code))
            )
        elif not may(user, Access.CONFIGURE, owner):
            abort(
                403,
                message=_(
                    "Unit “%(code)s” is outside the units you may configure.", code=owner_code
                ),
            )

    errors.extend(
        _error(index, error.field, error.message)
        for index, error in check_new_campaign(values, indicators)
    )
    if errors:
        _refuse(errors)
    try:
        campaign = create_campaign_with_indicators(
            owner_unit=owner, created_by=user, indicators=indicators, **values
        )
    except CampaignError as error:  # a campaign with the same code stored meanwhile
        pairs = error.errors if isinstance(error, CampaignErrors) else [(None, error)]
        _refuse([_error(index, item.field, item.message) for index, item in pairs])
    location = url_for("campaigns_api.get_campaign", code=campaign.code)
    return campaign_body(campaign, user), {"Location": location}


@blp.route("/<code>")
@blp.response(200, CampaignBodySchema)
@blp.alt_response(
    401, schema=ErrorSchema, description="Missing, unknown, expired or revoked token."
)
@blp.alt_response(
    403, schema=ErrorSchema, description="The campaign is outside the token owner's units."
)
@blp.alt_response(404, schema=ErrorSchema, description="No campaign has this code.")
def get_campaign(code: str):
    """One campaign with its settings and indicators."""
    return campaign_body(campaign_or_abort(code), g.api_user)
