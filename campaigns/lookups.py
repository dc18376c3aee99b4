"""Finding the campaign (and a unit of it) a request names, or answering 404 when it does not
exist and 403 when it lies outside the user's reach. Pages answer with the error page
(`…_or_404`, the signed-in user), the API with a JSON message (`…_or_abort`, the token's
user). Every campaign, task, target and progress view starts here.
"""

import re
from datetime import date

import flask
from flask import g
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import abort

from app.scope import Access, may
from app.units.models import Unit
from app.units.queries import is_in_subtree, unit_by_code
from campaigns.access import may_see
from campaigns.models import Campaign
from campaigns.queries import campaign_by_code


def campaign_or_404(code: str) -> Campaign:
    campaign = campaign_by_code(code)
    if campaign is None:
        flask.abort(404)
    if not may_see(current_user, campaign):
        flask.abort(403)
    return campaign


def campaign_unit_or_404(campaign: Campaign, unit_code: str) -> Unit:
    """A unit the signed-in user may read that takes part in the campaign."""
    unit = unit_by_code(unit_code)
    if unit is None:
        flask.abort(404)
    if not may(current_user, Access.READ, unit):
        flask.abort(403)
    if not is_in_subtree(unit.id, campaign.owner_unit_id):
        flask.abort(404)
    return unit


def campaign_or_abort(code: str) -> Campaign:
    campaign = campaign_by_code(code)
    if campaign is None:
        abort(404, message=_("No campaign has the code “%(code)s”.", code=code))
    if not may_see(g.api_user, campaign):
        abort(403, message=_("Campaign “%(code)s” is outside your units.", code=code))
    return campaign


def campaign_unit_or_abort(campaign: Campaign, unit_code: str, default: Unit) -> Unit:
    """The unit named by `unit_code` (or `default` when it is empty), readable by the token's
    user and part of the campaign."""
    unit = unit_by_code(unit_code) if unit_code else default
    if unit is None:
        abort(404, message=_("No unit has the code “%(code)s”.", code=unit_code))
    if not may(g.api_user, Access.READ, unit):
        abort(403, message=_("Unit “%(code)s” is outside your units.", code=unit.code))
    if not is_in_subtree(unit.id, campaign.owner_unit_id):
        abort(
            404,
            message=_(
                "%(unit)s (%(code)s) is not part of campaign %(campaign)s.",
                unit=unit.name,
                code=unit.code,
                campaign=campaign.code,
            ),
        )
    return unit


def item_error(index: int | None, field: str | None, message: str) -> dict:
    """One problem of a batch: the item's position in the request, its field, why."""
    return {"index": index, "field": field, "message": message}


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iso_date(value: object) -> date | None:
    """A date the API was sent as yyyy-mm-dd (date.fromisoformat alone would also take
    "20220610" or "2022-W23-5"); None when it is anything else."""
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
