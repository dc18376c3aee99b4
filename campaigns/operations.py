"""Every write to campaigns and their indicators. Operations flush; the caller commits."""

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.codes import is_valid_code
from app.db import db
from app.units.models import Unit
from app.users.models import User
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorUnitKind,
    Measure,
)


class CampaignError(Exception):
    """A campaign or indicator could not be created or changed; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def create_campaign(
    *,
    code: str,
    name: str,
    owner_unit: Unit,
    start_date: date,
    end_date: date,
    created_by: User | None,
    legal_basis: str = "",
    **settings: object,
) -> Campaign:
    """A draft campaign; `settings` are other Campaign columns (deadline, scoring...)."""
    code = code.strip()
    if not is_valid_code(code):
        raise CampaignError(
            _("A code has 1 to 32 letters without accents, digits, “.”, “_” or “-”."), "code"
        )
    if db.session.scalar(select(Campaign.id).where(Campaign.code == code)) is not None:
        raise CampaignError(_("The campaign code “%(code)s” is taken.", code=code), "code")
    if not name.strip():
        raise CampaignError(_("The name is empty."), "name")
    _check_dates(start_date, end_date)
    campaign = Campaign(
        code=code,
        name=name.strip(),
        legal_basis=legal_basis.strip(),
        owner_unit=owner_unit,
        start_date=start_date,
        end_date=end_date,
        created_by_id=created_by.id if created_by else None,
        status=CampaignStatus.DRAFT,
        **settings,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def add_indicator(
    campaign: Campaign,
    *,
    code: str,
    name: str,
    kind: str,
    measure: str,
    direction: str = Direction.HIGHER,
    weight: float = 1.0,
    unit_kinds: Iterable[str] = (),
    numerator_label: str = "",
    denominator_label: str = "",
) -> Indicator:
    """An indicator of the campaign; `unit_kinds` empty means it applies to every kind."""
    check_open(campaign)
    code = code.strip()
    if not is_valid_code(code):
        raise CampaignError(
            _("A code has 1 to 32 letters without accents, digits, “.”, “_” or “-”."), "code"
        )
    if any(indicator.code == code for indicator in campaign.indicators):
        raise CampaignError(
            _("The campaign already has an indicator “%(code)s”.", code=code), "code"
        )
    if not name.strip():
        raise CampaignError(_("The name is empty."), "name")
    _check_choice(kind, IndicatorKind, "kind")
    _check_choice(measure, Measure, "measure")
    _check_choice(direction, Direction, "direction")
    if not weight > 0:
        raise CampaignError(_("The weight must be greater than 0."), "weight")
    indicator = Indicator(
        code=code,
        name=name.strip(),
        kind=kind,
        measure=measure,
        direction=direction,
        weight=weight,
        numerator_label=numerator_label.strip(),
        denominator_label=denominator_label.strip() if kind == IndicatorKind.RATIO else "",
        position=len(campaign.indicators),
        unit_kinds=[IndicatorUnitKind(kind=unit_kind) for unit_kind in sorted(set(unit_kinds))],
    )
    campaign.indicators.append(indicator)
    db.session.flush()
    return indicator


def check_open(campaign: Campaign) -> None:
    """A closed campaign is read-only."""
    if campaign.is_closed:
        raise CampaignError(_("The campaign is closed; nothing in it can change."))


def _check_dates(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise CampaignError(_("The end date is before the start date."), "end_date")


def _check_choice(value: str, choices, field: str) -> None:
    if value not in set(choices):
        raise CampaignError(
            _(
                "“%(value)s” is not one of %(choices)s.",
                value=value,
                choices=", ".join(choices),
            ),
            field,
        )
