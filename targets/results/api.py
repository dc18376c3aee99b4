"""/api/v1/campaigns/{code}/results and /ranking: a unit's score with its indicators, and
the ranking of a peer group, as targets.results.engine computes them, so the API, the pages
and the briefings agree to the digit.

Ratio values (value, target, baseline, trajectory, forecast) are fractions (0.5 = 50%), and
so are achievements (1 = the target is met). A date outside the campaign is clamped to its
first or last day, as the windows are. Problems of the query are answered 422 with every one
of them listed, `errors: [{index: null, field, message}]`, like the progress API.
"""

from datetime import date

from flask import g
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import Schema, fields

from app.api import ApiBlueprint
from app.clock import local_today
from app.scope import Access, may
from app.units.models import Unit
from campaigns.lookups import campaign_or_abort, campaign_unit_or_abort, iso_date, item_error
from campaigns.models import Campaign
from targets.queries import default_unit
from targets.results import engine
from targets.results.rules import WINDOWS, Band, IndicatorScore, Status
from targets.rules import TargetSource

blp = ApiBlueprint(
    "results_api",
    __name__,
    url_prefix="/api/v1/campaigns",
    description="Results, scores and rankings of the units of a campaign.",
)


# --- the query -------------------------------------------------------------------------------


def _date_field() -> fields.String:
    return fields.String(
        data_key="date",
        metadata={
            "format": "date",
            "description": "The day the window ends on (yyyy-mm-dd). A day before or after "
            "the campaign is taken as its first or last day. Default: yesterday in the "
            "campaign's time zone while it runs (today's figures are still coming in), its "
            "first day before it starts, its last day after it ended.",
            "example": "2022-07-29",
        },
    )


def _window_field() -> fields.String:
    return fields.String(
        metadata={
            "enum": list(WINDOWS),
            "description": "day; week (the 7 days ending on the day); month (from the first "
            "of the day's month); campaign (from its first day). Default: the campaign's "
            "ranking window.",
            "example": "week",
        }
    )


class ResultsQuerySchema(Schema):
    unit = fields.String(
        metadata={
            "description": "Code of the unit. Default: the token owner's unit when it takes "
            "part in the campaign, else the campaign's owner unit.",
            "example": "693",
        }
    )
    day = _date_field()
    window = _window_field()


class RankingQuerySchema(Schema):
    day = _date_field()
    window = _window_field()
    parent = fields.String(
        metadata={
            "description": "Rank the units directly below this unit (code). Default: the "
            "token owner's unit if it takes part in the campaign, else the campaign's owner "
            "unit.",
            "example": "70",
        }
    )
    kind = fields.String(
        metadata={
            "description": "The kind of the units ranked, among the kinds directly below "
            "`parent` that take part. Default: the only such kind; required when there are "
            "several.",
            "example": "district",
        }
    )
    group = fields.String(
        metadata={
            "description": "Code of one of the campaign's own peer groups, ranked instead of "
            "the units below `parent` (give either, not both).",
            "example": "XA_TOAN_TINH",
        }
    )


# --- the answers -----------------------------------------------------------------------------

BAND = {
    "enum": [*[str(value) for value in Band], None],
    "description": "excellent, good, fair, average or weak (the campaign's band limits); "
    "null without a score.",
}
STATUS = {
    "enum": [str(value) for value in Status],
    "description": "scored: figures and a target; not_reported: no figures in the window "
    "(no level, for a stock), counted as 0; zero_denominator: reported with a denominator "
    "of 0, left out of the score; no_target: left out of the score.",
}


def _fraction(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


class ResultPeriodSchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class StandingSchema(Schema):
    """The fields a unit's standing in its peer group adds to its score."""

    score = _fraction("0–100, two decimals; null when no indicator counts for the unit.")
    band = fields.String(required=True, allow_none=True, metadata=BAND)
    missing = fields.Boolean(
        required=True,
        metadata={"description": "No entry dated inside the window in the unit's subtree."},
    )
    rank = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "1 = best; equal scores share a rank (1, 2, 2, 4)."},
    )
    movement_1d = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Places gained since the day before (negative: lost)."},
    )
    movement_7d = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "Places gained since seven days before."},
    )
    score_change_1d = _fraction("Score points gained since the day before.")
    score_change_7d = _fraction("Score points gained since seven days before.")


class IndicatorResultSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["ratio", "count"]})
    measure = fields.String(required=True, metadata={"enum": ["flow", "stock"]})
    direction = fields.String(required=True, metadata={"enum": ["higher", "lower"]})
    numerator = fields.Integer(
        required=True,
        metadata={
            "description": "The window's figures, the unit's whole subtree added up: a "
            "flow's sum over the window, a stock's latest levels on or before its end."
        },
    )
    denominator = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null for counts."}
    )
    value = _fraction("numerator ÷ denominator for a ratio (0.5 = 50%), the count for a count.")
    target = _fraction(
        "The window's target: the unit's target, or for a flow count its share of the "
        "window's days."
    )
    campaign_target = _fraction(
        "The unit's target for the campaign, before a flow count's is shared out over days."
    )
    target_source = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "enum": [*[str(source) for source in TargetSource], None],
            "description": "own, inherited (an ancestor's ratio target), sum_of_children "
            "(a count target adding up the children's), or null: no target.",
        },
    )
    achievement = _fraction("value ÷ target (uncapped); null unless `status` is scored.")
    capped_achievement = _fraction(
        "The achievement the score counts, between 0 and 1 (0 when not reported)."
    )
    status = fields.String(required=True, metadata=STATUS)
    weight = fields.Float(required=True)
    weight_share = fields.Float(
        required=True,
        metadata={"description": "The weight ÷ the weights that count; 0 when left out."},
    )
    contribution = fields.Float(
        required=True,
        metadata={"description": "Points of the score: 100 × weight share × capped achievement."},
    )
    baseline = _fraction("The unit's value before the campaign.")
    trajectory = _fraction(
        "Where the unit should be on the day: through its milestones, else a straight line "
        "from the baseline to the target."
    )
    on_track = fields.Boolean(required=True, allow_none=True)
    change = _fraction("The value minus the same window's value the day before.")
    forecast = _fraction(
        "The window's value expected on the campaign's last day at the recent pace (a "
        "straight line through the last 14 days); null with fewer than 3 days of figures."
    )
    forecast_target = _fraction("What the forecast is held to.")
    at_risk = fields.Boolean(
        required=True,
        allow_none=True,
        metadata={"description": "The forecast misses the target."},
    )


class UnitResultSchema(StandingSchema):
    campaign = fields.String(required=True)
    unit = fields.String(required=True, metadata={"description": "Unit code."})
    name = fields.String(required=True)
    kind = fields.String(required=True)
    date = fields.Date(required=True, metadata={"description": "The day, clamped to the campaign."})
    window = fields.String(required=True, metadata={"enum": list(WINDOWS)})
    period = fields.Nested(ResultPeriodSchema, required=True)
    group_size = fields.Integer(
        required=True,
        metadata={
            "description": "Units in the unit's default peer group (its kind under its "
            "parent), where `rank` is counted; 0 for the campaign's owner unit, which is not "
            "ranked."
        },
    )
    indicators = fields.List(fields.Nested(IndicatorResultSchema), required=True)


class RankedIndicatorSchema(Schema):
    code = fields.String(required=True)
    value = _fraction("Fraction for ratios, count for counts.")
    target = _fraction("The window's target.")
    achievement = _fraction("value ÷ target (uncapped); null unless `status` is scored.")
    capped_achievement = _fraction("What the score counts, between 0 and 1.")
    status = fields.String(required=True, metadata=STATUS)
    contribution = fields.Float(required=True, metadata={"description": "Points of the score."})


class RankedUnitSchema(StandingSchema):
    unit = fields.String(required=True, metadata={"description": "Unit code."})
    name = fields.String(required=True)
    indicators = fields.List(fields.Nested(RankedIndicatorSchema), required=True)


class RankingGroupSchema(Schema):
    parent = fields.String(
        required=True,
        metadata={"description": "The unit the members lie below (a peer group's root)."},
    )
    kind = fields.String(required=True)
    code = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The campaign's peer group; null for the default group."},
    )
    name = fields.String(required=True, allow_none=True)
    size = fields.Integer(required=True)


class RankingSchema(Schema):
    campaign = fields.String(required=True)
    date = fields.Date(required=True, metadata={"description": "The day, clamped to the campaign."})
    window = fields.String(required=True, metadata={"enum": list(WINDOWS)})
    period = fields.Nested(ResultPeriodSchema, required=True)
    group = fields.Nested(RankingGroupSchema, required=True)
    items = fields.List(
        fields.Nested(RankedUnitSchema),
        required=True,
        metadata={"description": "By rank, units sharing a rank by code; unranked units last."},
    )


class ResultsQueryErrorItemSchema(Schema):
    index = fields.Integer(allow_none=True, required=True, metadata={"description": "Always null."})
    field = fields.String(
        required=True, metadata={"enum": ["date", "window", "parent", "kind", "group"]}
    )
    message = fields.String(required=True)


class ResultsQueryErrorsSchema(ErrorSchema):
    errors = fields.List(fields.Nested(ResultsQueryErrorItemSchema))


# --- reading the query -----------------------------------------------------------------------


def _day_and_window(campaign: Campaign, args: dict, errors: list[dict]) -> tuple[date | None, str]:
    """The day (clamped to the campaign) and window asked for, or their defaults."""
    text = args.get("day")
    if text is None or text == "":
        day = engine.default_day(campaign, local_today())
    else:
        day = iso_date(text)
        if day is None:
            errors.append(item_error(None, "date", _("Not a date: write it as yyyy-mm-dd.")))
        else:
            day = min(max(day, campaign.start_date), campaign.end_date)
    window = args.get("window") or campaign.ranking_window
    if window not in WINDOWS:
        errors.append(
            item_error(
                None,
                "window",
                _(
                    "“%(value)s” is not one of %(choices)s.",
                    value=window,
                    choices=", ".join(WINDOWS),
                ),
            )
        )
    return day, window


def _refuse(errors: list[dict]) -> None:
    if errors:
        abort(422, message=_("The query is wrong; nothing was computed."), errors=errors)


def _default_group(
    campaign: Campaign, parent: Unit, kind: str, errors: list[dict]
) -> engine.Group | None:
    """The units of `kind` directly below `parent`; without a kind, the only kind there."""
    kinds = [group.kind for group in engine.default_groups(campaign, parent)]
    if not kinds:
        field, message = (
            "parent",
            _("No unit directly below %(unit)s takes part in the ranking.", unit=parent.name),
        )
    elif kind and kind not in kinds:
        field, message = (
            "kind",
            _("“%(value)s” is not one of %(choices)s.", value=kind, choices=", ".join(kinds)),
        )
    elif not kind and len(kinds) > 1:
        field, message = (
            "kind",
            _(
                "Units of several kinds lie directly below %(unit)s; choose one of %(kinds)s.",
                unit=parent.name,
                kinds=", ".join(kinds),
            ),
        )
    else:
        return engine.Group(kind or kinds[0], parent)
    errors.append(item_error(None, field, message))
    return None


def _campaign_group(campaign: Campaign, code: str) -> engine.Group:
    group = engine.campaign_group(campaign, code)
    if group is None:
        abort(
            404,
            message=_(
                "Campaign %(campaign)s has no peer group “%(code)s”.",
                campaign=campaign.code,
                code=code,
            ),
        )
    if not may(g.api_user, Access.READ, group.parent):
        abort(403, message=_("Unit “%(code)s” is outside your units.", code=group.parent.code))
    return group


# --- writing the answers ---------------------------------------------------------------------


def _standing_fields(score, band, missing, standing: engine.Standing | None) -> dict:
    return {
        "score": score,
        "band": str(band) if band else None,
        "missing": missing,
        "rank": standing.rank if standing else None,
        **{
            f"movement_{days}d": standing.movement(days) if standing else None
            for days in engine.MOVEMENT_DAYS
        },
        **{
            f"score_change_{days}d": standing.score_change(days) if standing else None
            for days in engine.MOVEMENT_DAYS
        },
    }


def _scored_fields(scored: IndicatorScore) -> dict:
    return {
        "code": scored.indicator.code,
        "value": scored.value,
        "target": scored.target,
        "achievement": scored.achievement,
        "capped_achievement": scored.capped_achievement,
        "status": str(scored.status),
        "contribution": scored.contribution,
    }


def _indicator(item: engine.IndicatorResult) -> dict:
    indicator, scored = item.indicator, item.scored
    return {
        **_scored_fields(scored),
        "name": indicator.name,
        "kind": indicator.kind,
        "measure": indicator.measure,
        "direction": indicator.direction,
        "numerator": scored.totals.numerator,
        "denominator": scored.totals.denominator,
        "campaign_target": item.effective.value if item.effective else None,
        "target_source": str(item.effective.source) if item.effective else None,
        "weight": indicator.weight,
        "weight_share": scored.weight_share,
        "baseline": item.baseline,
        "trajectory": item.trajectory,
        "on_track": item.on_track,
        "change": item.change,
        "forecast": item.forecast,
        "forecast_target": item.forecast_target,
        "at_risk": item.at_risk,
    }


def _period(period) -> dict:
    return {"start": period.start, "end": period.end}


def _error_answers(forbidden: str):
    """The error answers both endpoints document; `forbidden` says what 403 means."""
    answers = {
        401: (ErrorSchema, "Missing, unknown, expired or revoked token."),
        403: (ErrorSchema, forbidden),
        404: (
            ErrorSchema,
            "No campaign, unit or peer group has this code, or the unit is not part of the "
            "campaign.",
        ),
        422: (
            ResultsQueryErrorsSchema,
            "The query is wrong, every problem listed in `errors`: `date` is not yyyy-mm-dd; "
            "`window` or `kind` is not one of those listed; several kinds lie below `parent` "
            "and `kind` is missing; no unit below `parent` takes part; `group` is given with "
            "`parent` or `kind`.",
        ),
    }

    def decorate(view):
        for status, (schema, description) in answers.items():
            view = blp.alt_response(status, schema=schema, description=description)(view)
        return view

    return decorate


@blp.route("/<code>/results")
class CampaignResults(MethodView):
    @blp.arguments(ResultsQuerySchema, location="query")
    @blp.response(200, UnitResultSchema)
    @_error_answers("The campaign or the unit is outside the token owner's units.")
    def get(self, args: dict, code: str):
        """A unit's score, band, rank and indicators over a window ending on a day."""
        campaign = campaign_or_abort(code)
        unit = campaign_unit_or_abort(
            campaign,
            (args.get("unit") or "").strip(),
            default=default_unit(campaign, g.api_user),
        )
        errors: list[dict] = []
        day, window = _day_and_window(campaign, args, errors)
        _refuse(errors)
        result = engine.unit_result(campaign, unit, day, window)
        return {
            "campaign": campaign.code,
            "unit": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "date": result.day,
            "window": result.window,
            "period": _period(result.period),
            **_standing_fields(result.score, result.band, result.missing, result.standing),
            "group_size": result.group_size,
            "indicators": [_indicator(item) for item in result.indicators],
        }


@blp.route("/<code>/ranking")
class CampaignRanking(MethodView):
    @blp.arguments(RankingQuerySchema, location="query")
    @blp.response(200, RankingSchema)
    @_error_answers(
        "The campaign, the parent or the peer group's root unit is outside the token owner's units."
    )
    def get(self, args: dict, code: str):
        """The units of a peer group ranked by score over a window ending on a day."""
        campaign = campaign_or_abort(code)
        group_code, parent_code, kind = (
            (args.get(key) or "").strip() for key in ("group", "parent", "kind")
        )
        errors: list[dict] = []
        group = None
        if group_code and (parent_code or kind):
            errors.append(
                item_error(
                    None,
                    "group",
                    _("Give either a peer group or a parent and a kind, not both."),
                )
            )
        elif group_code:
            group = _campaign_group(campaign, group_code)
        else:
            parent = campaign_unit_or_abort(
                campaign, parent_code, default=default_unit(campaign, g.api_user)
            )
            group = _default_group(campaign, parent, kind, errors)
        day, window = _day_and_window(campaign, args, errors)
        _refuse(errors)
        standings = engine.rank_group(campaign, group, day, window)
        return {
            "campaign": campaign.code,
            "date": day,
            "window": window,
            "period": _period(engine.period_of(campaign, window, day)),
            "group": {
                "parent": group.parent.code,
                "kind": group.kind,
                "code": group.code,
                "name": group.peer_group.name if group.peer_group else None,
                "size": len(standings),
            },
            "items": [
                {
                    "unit": standing.unit.code,
                    "name": standing.unit.name,
                    **_standing_fields(standing.score, standing.band, standing.missing, standing),
                    "indicators": [_scored_fields(s) for s in standing.result.indicators],
                }
                for standing in standings
            ],
        }
