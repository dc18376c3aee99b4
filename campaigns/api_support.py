"""What every /api/v1/campaigns/{code}/… endpoint needs: the campaign and a unit of it, or a
JSON error saying which is missing (404) or out of reach (403); and the item-error shape of
all-or-nothing batches. The campaign, progress and targets APIs all use these."""

from flask import g
from flask_babel import gettext as _
from flask_smorest import abort

from app.scope import Access, may
from app.units.models import Unit
from app.units.queries import is_in_subtree, unit_by_code
from campaigns.access import may_see
from campaigns.models import Campaign
from campaigns.queries import campaign_by_code


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
