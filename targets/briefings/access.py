"""Who may read a campaign's briefings and who may make them (README, "Briefings").

A briefing speaks of the whole campaign, so it is read by whoever may read the campaign's
owner unit; it is drafted, edited, published and corrected by whoever may configure the
campaign. A draft is seen only by those: the others read published versions.
"""

from datetime import date

from flask_babel import gettext as _

from app.formatting import format_date
from app.scope import Access, may
from app.users.models import User
from campaigns.access import may_configure
from campaigns.models import Campaign
from targets.briefings.models import Briefing


def may_read(user: User | None, campaign: Campaign) -> bool:
    return may(user, Access.READ, campaign.owner_unit)


def may_manage(user: User | None, campaign: Campaign) -> bool:
    return may_configure(user, campaign)


def may_see(user: User | None, briefing: Briefing) -> bool:
    if briefing.is_draft:
        return may_manage(user, briefing.campaign)
    return may_read(user, briefing.campaign)


def future_day_error(day: date, today: date) -> str | None:
    """Why `day` cannot be briefed yet (its figures are still to come), or None."""
    if day > today:
        return _("%(day)s has not come yet: there is nothing to brief.", day=format_date(day))
    return None
