"""/api/v1/campaigns/{code}/briefings: draft a day's briefing, read the newest version,
publish the draft, and download a version's files with the same bearer token;
/api/v1/campaigns/{code}/reviews: the same for a review (sơ kết) of a range of days, or the
final report (tổng kết) of the whole campaign, whose files are under .../briefings/<first
day>..<last day>/ (the period key of targets.briefings.queries).

A briefing is read by whoever may read the campaign's owner unit, and drafted and published
by whoever may configure the campaign (targets.briefings.access); a draft is seen only by
them. The body of a briefing is targets.briefings.delivery.api_json, which the campaign's
webhook receives too.
"""

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from app.api import ApiBlueprint
from app.clock import local_today
from campaigns.lookups import campaign_or_abort, iso_date, item_error
from campaigns.models import Campaign
from targets.briefings import access, queries
from targets.briefings.controllers import briefing_file_response
from targets.briefings.delivery import api_json
from targets.briefings.models import DIRECTED, Briefing, BriefingStatus
from targets.briefings.operations import (
    BriefingError,
    draft_daily_briefing,
    draft_review,
    publish,
)
from targets.briefings.queries import BriefingPeriod, daily_period
from targets.briefings.rules import Reason

blp = ApiBlueprint(
    "briefings_api",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Daily briefings and reviews of a campaign: drafted, read, published, downloaded.",
)

DATE = {"format": "date", "example": "2022-07-29"}


# --- schemas ---------------------------------------------------------------------------------


class DraftInputSchema(Schema):
    date = fields.String(
        required=True,
        metadata={
            **DATE,
            "description": "The day the briefing is about (yyyy-mm-dd): a day of the "
            "campaign, not after today.",
        },
    )


class ReviewInputSchema(Schema):
    start = fields.String(
        required=True,
        metadata={**DATE, "example": "2022-07-01", "description": "The review's first day."},
    )
    end = fields.String(
        required=True,
        metadata={
            **DATE,
            "example": "2022-07-31",
            "description": "Its last day, not after today. The campaign's first and last days "
            "make its final report.",
        },
    )


class BriefingLineSchema(Schema):
    unit = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Code of the unit; null for a line about no unit."},
    )
    reason = fields.String(
        required=True,
        metadata={
            "enum": [*[str(reason) for reason in Reason], DIRECTED],
            "description": "Why the unit is praised or criticised; `directed`: a line an "
            "administrator wrote in.",
        },
    )
    text = fields.String(required=True, metadata={"description": "The sentence, with figures."})


class BriefingLinksSchema(Schema):
    xlsx = fields.Url(required=True)
    docx = fields.Url(required=True)
    txt = fields.Url(required=True)


def _date(description: str, **options) -> fields.String:
    return fields.String(required=True, metadata={**DATE, "description": description}, **options)


def _number(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class BriefingCampaignSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class BriefingPeriodSchema(Schema):
    start = _date("First day of the ranking window (a review: its first day).")
    end = _date("Last day of the ranking window: the briefing's day (a review's last day).")


class BriefingProgressSchema(Schema):
    day = fields.Integer(required=True, metadata={"description": "Day N of the campaign."})
    length = fields.Integer(required=True, metadata={"description": "Its M days."})
    days_left = fields.Integer(required=True)


class BriefingIndicatorSchema(Schema):
    """The campaign owner's figures of one indicator (ratios as fractions: 0.5 = 50%)."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    is_ratio = fields.Boolean(required=True)
    value = _number("The ranking window's value (a review: over its whole range).")
    numerator = fields.Integer(required=True, allow_none=True)
    denominator = fields.Integer(required=True, allow_none=True)
    day_value = _number("The day's value.")
    campaign_value = _number("The value from the campaign's first day to the briefing's day.")
    target = _number("The window's target.")
    achievement = _number("value ÷ target (uncapped).")
    baseline = _number("The value before the campaign.")
    change = _number(
        "The window's value minus the same window's value the day before (a review: its "
        "last week's value minus its first week's)."
    )
    on_track = fields.Boolean(required=True, allow_none=True)
    forecast = _number("The value expected on the campaign's last day at the recent pace.")
    at_risk = fields.Boolean(required=True, allow_none=True)


class BriefingUnitSchema(Schema):
    unit = fields.String(required=True, metadata={"description": "Unit code."})
    name = fields.String(required=True)


class BriefingSchema(Schema):
    """A version of a briefing, as of when its figures were read (published versions never
    change)."""

    campaign = fields.Nested(BriefingCampaignSchema, required=True)
    kind = fields.String(required=True, metadata={"enum": ["daily", "review"]})
    date = _date("The day the briefing is about (a review: its last day).")
    start_date = _date("First day covered (a daily briefing: its day).")
    end_date = _date("Last day covered (a daily briefing: its day).")
    version = fields.Integer(
        required=True, metadata={"description": "1, then 2, 3… for each correction."}
    )
    status = fields.String(required=True, metadata={"enum": [str(s) for s in BriefingStatus]})
    title = fields.String(required=True)
    number = fields.String(
        required=True, metadata={"description": "The notice's number; empty until set."}
    )
    published_at = fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    url = fields.Url(required=True, metadata={"description": "The version's web page."})
    window = fields.String(
        required=True,
        metadata={
            "enum": ["day", "week", "month", "campaign", "range"],
            "description": "The ranking window; `range` for a review.",
        },
    )
    period = fields.Nested(BriefingPeriodSchema, required=True)
    progress = fields.Nested(BriefingProgressSchema, required=True, allow_none=True)
    score = _number("The campaign owner's score, 0–100.")
    band = fields.String(required=True, allow_none=True)
    indicators = fields.List(fields.Nested(BriefingIndicatorSchema), required=True)
    praise = fields.List(fields.Nested(BriefingLineSchema), required=True)
    criticism = fields.List(fields.Nested(BriefingLineSchema), required=True)
    not_reported = fields.List(
        fields.Nested(BriefingUnitSchema),
        required=True,
        metadata={
            "description": "The units that entered no figures for the day (a review: on one "
            "of its days or more)."
        },
    )
    directions = fields.String(required=True, metadata={"description": "The directions (chỉ đạo)."})
    changes = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "What a correction changed since the version before."},
    )
    links = fields.Nested(
        BriefingLinksSchema,
        required=True,
        metadata={"description": "The version's files; they accept the same bearer token."},
    )


class DraftErrorItemSchema(Schema):
    index = fields.Integer(allow_none=True, required=True, metadata={"description": "Always null."})
    field = fields.String(
        required=True, allow_none=True, metadata={"enum": ["date", "start", "end", None]}
    )
    message = fields.String(required=True)


class DraftErrorsSchema(ErrorSchema):
    errors = fields.List(fields.Nested(DraftErrorItemSchema))


UNAUTHORISED = "Missing, unknown, expired or revoked token."
NO_CAMPAIGN = "No campaign has this code."
NOT_READABLE = "The token owner may not read the campaign's owner unit."
MANAGED_ONLY = (
    "The campaign is outside the token owner's units, or the token owner may not configure it."
)


# --- helpers ---------------------------------------------------------------------------------


def _readable(code: str) -> Campaign:
    campaign = campaign_or_abort(code)
    if not access.may_read(g.api_user, campaign):
        abort(403, message=_("You may not read the briefings of campaign %(code)s.", code=code))
    return campaign


def _managed(code: str) -> Campaign:
    campaign = campaign_or_abort(code)
    if not access.may_manage(g.api_user, campaign):
        abort(
            403,
            message=_("Only an administrator of campaign %(code)s may do this.", code=code),
        )
    return campaign


def _day_or_404(text: str):
    day = iso_date(text)
    if day is None:
        abort(404, message=_("“%(value)s” is not a date: write it as yyyy-mm-dd.", value=text))
    return day


def _review_or_404(start: str, end: str) -> BriefingPeriod:
    period = queries.parse_period_key(f"{start}{queries.KEY_SEPARATOR}{end}")
    if period is None:
        abort(
            404,
            message=_(
                "“%(start)s”, “%(end)s” are not a first and a last day: write them as yyyy-mm-dd.",
                start=start,
                end=end,
            ),
        )
    return period


def _refuse(field: str, message: str) -> None:
    abort(
        422,
        message=_("The briefing was not drafted."),
        errors=[item_error(None, field, message)],
    )


def _no_briefing(campaign: Campaign, period: BriefingPeriod) -> None:
    abort(
        404,
        message=_(
            "Campaign %(code)s has no briefing of %(day)s that you may read.",
            code=campaign.code,
            day=period.key,
        ),
    )


def _day_of_body(body: object, field: str, missing: str):
    """The day `body[field]` (yyyy-mm-dd), not after today; else 422 naming the field."""
    text = body.get(field) if isinstance(body, dict) else None
    if text is None:
        _refuse(field, missing)
    day = iso_date(text)
    if day is None:
        _refuse(field, _("Not a date: write it as yyyy-mm-dd."))
    problem = access.future_day_error(day, local_today())
    if problem:
        _refuse(field, problem)
    return day


def _drafted(draft) -> tuple[dict, int]:
    """The draft as the API returns it: 201 when made now, 200 when it existed. A day or
    range outside the campaign is 422 (on its field), a campaign without indicators 409."""
    try:
        briefing, made = draft()
    except BriefingError as error:
        if error.field is not None:
            _refuse(error.field, error.message)
        abort(409, message=error.message)
    return api_json(briefing), 201 if made else 200


def _latest(campaign: Campaign, period: BriefingPeriod) -> dict:
    drafts = access.may_manage(g.api_user, campaign)
    briefing = queries.latest(campaign, period, drafts=drafts)
    if briefing is None:
        _no_briefing(campaign, period)
    return api_json(briefing)


def _publish(campaign: Campaign, period: BriefingPeriod) -> dict:
    briefing = queries.latest(campaign, period, drafts=True)
    if briefing is None or not briefing.is_draft:
        abort(
            409,
            message=_("The briefing of %(day)s has no draft to publish.", day=period.key),
        )
    publish(briefing, user=g.api_user)
    return api_json(briefing)


# --- endpoints -------------------------------------------------------------------------------


@blp.route("/<code>/briefings", methods=["POST"])
@blp.doc(
    requestBody={"required": True, "content": {"application/json": {"schema": DraftInputSchema}}}
)
@blp.response(201, BriefingSchema, description="The draft, made now.")
@blp.alt_response(200, schema=BriefingSchema, description="The day's draft, which existed already.")
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(403, schema=ErrorSchema, description=MANAGED_ONLY)
@blp.alt_response(404, schema=ErrorSchema, description=NO_CAMPAIGN)
@blp.alt_response(409, schema=ErrorSchema, description="The campaign has no indicators yet.")
@blp.alt_response(
    422,
    schema=DraftErrorsSchema,
    description="`date` is missing, not yyyy-mm-dd, outside the campaign or after today.",
)
def draft_briefing(code: str):
    """Draft the briefing of a day; a day with a draft already gives that draft. After a
    published version, the draft is its correction (the next version)."""
    campaign = _managed(code)
    body = request.get_json(silent=True)
    day = _day_of_body(body, "date", _("Give the day of the briefing, as yyyy-mm-dd."))
    return _drafted(lambda: draft_daily_briefing(campaign, day, user=g.api_user))


@blp.route("/<code>/briefings/<day>")
@blp.response(200, BriefingSchema)
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(403, schema=ErrorSchema, description=NOT_READABLE)
@blp.alt_response(
    404,
    schema=ErrorSchema,
    description="No campaign has this code, the day is not yyyy-mm-dd, or the day has no "
    "briefing the token owner may see.",
)
def get_briefing(code: str, day: str):
    """The newest version of a day's briefing: the draft for those who may configure the
    campaign, the newest published version for the other readers."""
    campaign = _readable(code)
    return _latest(campaign, daily_period(_day_or_404(day)))


@blp.route("/<code>/briefings/<day>/publish", methods=["POST"])
@blp.response(200, BriefingSchema, description="The version, published now.")
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(403, schema=ErrorSchema, description=MANAGED_ONLY)
@blp.alt_response(404, schema=ErrorSchema, description=NO_CAMPAIGN)
@blp.alt_response(409, schema=ErrorSchema, description="The day has no draft to publish.")
def publish_briefing(code: str, day: str):
    """Publish the day's draft: its figures are frozen, and it is sent to the subscribers
    and the campaign's webhook."""
    campaign = _managed(code)
    return _publish(campaign, daily_period(_day_or_404(day)))


@blp.route("/<code>/reviews", methods=["POST"], endpoint="draft_review")
@blp.doc(
    requestBody={"required": True, "content": {"application/json": {"schema": ReviewInputSchema}}}
)
@blp.response(201, BriefingSchema, description="The draft, made now.")
@blp.alt_response(
    200, schema=BriefingSchema, description="The range's draft, which existed already."
)
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(403, schema=ErrorSchema, description=MANAGED_ONLY)
@blp.alt_response(404, schema=ErrorSchema, description=NO_CAMPAIGN)
@blp.alt_response(409, schema=ErrorSchema, description="The campaign has no indicators yet.")
@blp.alt_response(
    422,
    schema=DraftErrorsSchema,
    description="`start` or `end` is missing, not yyyy-mm-dd, outside the campaign or after "
    "today, or `end` is before `start`.",
)
def review_draft(code: str):
    """Draft a review (sơ kết) of the days from `start` to `end`, compared between its first
    week and its last; from the campaign's first day to its last, the final report (tổng
    kết). A range with a draft already gives that draft; after a published version, the
    draft is its correction. The body is a briefing's, with `kind` "review" and `date` its
    last day; its files are under /briefings/<start>..<end>/."""
    campaign = _managed(code)
    body = request.get_json(silent=True)
    start = _day_of_body(body, "start", _("Give the review's first day, as yyyy-mm-dd."))
    end = _day_of_body(body, "end", _("Give the review's last day, as yyyy-mm-dd."))
    return _drafted(lambda: draft_review(campaign, start, end, user=g.api_user))


@blp.route("/<code>/reviews/<start>/<end>")
@blp.response(200, BriefingSchema)
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(403, schema=ErrorSchema, description=NOT_READABLE)
@blp.alt_response(
    404,
    schema=ErrorSchema,
    description="No campaign has this code, the days are not yyyy-mm-dd (the first not after "
    "the last), or the range has no review the token owner may see.",
)
def get_review(code: str, start: str, end: str):
    """The newest version of the review of the days from `start` to `end`: the draft for
    those who may configure the campaign, the newest published version for the others."""
    campaign = _readable(code)
    return _latest(campaign, _review_or_404(start, end))


@blp.route("/<code>/reviews/<start>/<end>/publish", methods=["POST"])
@blp.response(200, BriefingSchema, description="The version, published now.")
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(403, schema=ErrorSchema, description=MANAGED_ONLY)
@blp.alt_response(404, schema=ErrorSchema, description=NO_CAMPAIGN)
@blp.alt_response(409, schema=ErrorSchema, description="The range has no draft to publish.")
def publish_review(code: str, start: str, end: str):
    """Publish the range's draft review: its figures are frozen, and it is sent to the
    subscribers and the campaign's webhook."""
    campaign = _managed(code)
    return _publish(campaign, _review_or_404(start, end))


@blp.route(
    "/<code>/briefings/<day>/v<int:version>.<any(xlsx, docx, txt):extension>",
    endpoint="briefing_file",
)
@blp.response(
    200,
    description="The file: `.xlsx` workbook, `.docx` notice, or `.txt` chat text (UTF-8).",
    content_type="application/octet-stream",
)
@blp.alt_response(401, schema=ErrorSchema, description=UNAUTHORISED)
@blp.alt_response(
    403,
    schema=ErrorSchema,
    description="The token owner may not read the campaign's owner unit, or the version is a "
    "draft and the token owner may not configure the campaign.",
)
@blp.alt_response(
    404,
    schema=ErrorSchema,
    description="No campaign has this code, the period is not a day (yyyy-mm-dd) or a "
    "review's first and last days (yyyy-mm-dd..yyyy-mm-dd), or no such version.",
)
def briefing_file(code: str, day: str, version: int, extension: str):
    """One version of a day's briefing, or of a review (`day` is then its first and last
    days: 2022-07-01..2022-07-31), as a file."""
    campaign = _readable(code)
    period = queries.parse_period_key(day)
    if period is None:
        abort(404, message=_("“%(value)s” is not a day or a range of days.", value=day))
    briefing: Briefing | None = queries.version(campaign, period, version)
    if briefing is None:
        _no_briefing(campaign, period)
    if not access.may_see(g.api_user, briefing):
        abort(403, message=_("Only an administrator of the campaign may read a draft."))
    return briefing_file_response(briefing, extension)
