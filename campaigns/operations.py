"""Every write to campaigns, their indicators and their peer groups. Operations flush; the
caller commits.

Each operation checks its input completely and raises `CampaignError(message, field)` before
it changes anything, so a refused request leaves the session as it found it.
"""

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import null, select

from app.codes import is_valid_code
from app.db import db
from app.units.models import Unit
from app.units.queries import is_in_subtree
from app.users.models import User
from campaigns.models import (
    Campaign,
    CampaignStatus,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorUnitKind,
    Measure,
    PeerGroup,
    RankingWindow,
)
from campaigns.progress.operations import rebuild_totals
from campaigns.progress.queries import has_entries
from campaigns.queries import peer_group_by_code, unit_kinds_below
from campaigns.rules import bands_ordered, may_change_status

TEXT_MAX = 255  # names, legal basis, labels
KIND_MAX = 32  # unit kinds
URL_MAX = 1000  # webhook addresses
ISSUER_CODE_MAX = 32
# The issuer's code ends the notice number "Số: 12/TB-STTTT": letters (Vietnamese ones too,
# "BCĐ"), digits and marks, but no space, and no "/" that would split the number.
ISSUER_CODE_PATTERN = re.compile(rf"[^\s/]{{1,{ISSUER_CODE_MAX}}}")

# The settings of a campaign besides its identity, with the defaults of DESIGN §5, §6 and §7.
SETTING_DEFAULTS: dict[str, object] = {
    "entry_deadline": time(16, 30),
    "lock_after_days": 3,
    "requires_task_evidence": False,
    "ranking_window": RankingWindow.WEEK.value,
    "top_n": 3,
    "bottom_n": 3,
    "improvement_points": 10.0,
    "decline_points": 10.0,
    "below_target_share": 0.5,
    "missing_days_limit": 3,
    "band_excellent": 90.0,
    "band_good": 80.0,
    "band_fair": 70.0,
    "band_average": 50.0,
    "briefing_time": time(6, 30),
    "auto_publish": False,
    "reminder_time": time(15, 30),
    "webhook_url": "",
    "issuer_name": "",
    "issuer_code": "",
    "place_name": "",
}
# Settings for which None is a value, not "left out": no reminders.
NULLABLE_SETTINGS = frozenset({"reminder_time"})
# Text settings, stored without surrounding spaces.
TEXT_SETTINGS = ("webhook_url", "issuer_name", "issuer_code", "place_name")
# Words of the page addresses (/campaigns/new) that cannot name a campaign.
RESERVED_CODES = frozenset({"new"})
BANDS = ("band_excellent", "band_good", "band_fair", "band_average")


class CampaignError(Exception):
    """A campaign or indicator could not be created or changed; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class CampaignErrors(CampaignError):
    """Several problems at once: (index, error) pairs, index being the position of the
    indicator in the request or None for the campaign's own fields."""

    def __init__(self, errors: list[tuple[int | None, CampaignError]]):
        super().__init__(errors[0][1].message, errors[0][1].field)
        self.errors = errors


# --- campaigns --------------------------------------------------------------------------------


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
    """A draft campaign; `settings` are other Campaign columns (deadline, scoring,
    briefings...); those left out or None take their defaults (`reminder_time=None`: no
    reminders)."""
    settings = _given(settings)
    values = {
        "code": code,
        "name": name,
        "legal_basis": legal_basis,
        "start_date": start_date,
        "end_date": end_date,
        **settings,
    }
    _raise_first(campaign_problems(values))
    campaign = Campaign(
        code=code.strip(),
        name=name.strip(),
        legal_basis=legal_basis.strip(),
        owner_unit=owner_unit,
        start_date=start_date,
        end_date=end_date,
        created_by_id=created_by.id if created_by else None,
        status=CampaignStatus.DRAFT,
        # The ORM leaves a None out of the INSERT, so the column's default would win: no
        # reminders must be written as NULL.
        **{key: null() if value is None else value for key, value in settings.items()},
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def create_campaign_with_indicators(
    *,
    code: str,
    name: str,
    owner_unit: Unit,
    start_date: date,
    end_date: date,
    created_by: User | None,
    indicators: Sequence[Mapping[str, object]],
    legal_basis: str = "",
    **settings: object,
) -> Campaign:
    """A draft campaign and its indicators, all or nothing: every problem of the campaign and
    of each indicator is raised together as CampaignErrors before anything is written."""
    values = {
        "code": code,
        "name": name,
        "legal_basis": legal_basis,
        "start_date": start_date,
        "end_date": end_date,
        **settings,
    }
    errors = check_new_campaign(values, indicators)
    if errors:
        raise CampaignErrors(errors)
    campaign = create_campaign(
        code=code,
        name=name,
        owner_unit=owner_unit,
        start_date=start_date,
        end_date=end_date,
        created_by=created_by,
        legal_basis=legal_basis,
        **settings,
    )
    for indicator in indicators:
        add_indicator(campaign, **indicator)
    return campaign


def check_new_campaign(
    values: Mapping[str, object], indicators: Sequence[Mapping[str, object]]
) -> list[tuple[int | None, CampaignError]]:
    """Every problem of a campaign and its indicators, as (index, error) pairs.

    Keys missing from `values` or from an indicator are not checked (the caller has already
    reported them), so a request with some unreadable fields still gets every other problem.
    """
    errors: list[tuple[int | None, CampaignError]] = [
        (None, error) for error in campaign_problems(values)
    ]
    seen: set[str] = set()
    for index, indicator in enumerate(indicators):
        errors.extend((index, error) for error in indicator_problems(indicator, taken=seen))
        code = indicator.get("code")
        if isinstance(code, str):
            seen.add(code.strip())
    return errors


def update_campaign(
    campaign: Campaign,
    *,
    name: str,
    start_date: date,
    end_date: date,
    legal_basis: str = "",
    **settings: object,
) -> Campaign:
    """Change what a campaign says about itself. Its code and owner unit never change;
    settings left out or None stay as they are, except `reminder_time=None`: no reminders."""
    check_open(campaign)
    unknown = set(settings) - set(SETTING_DEFAULTS)
    if unknown:
        raise TypeError(f"update_campaign() got unknown settings {sorted(unknown)}")
    settings = _given(settings)
    values = {
        "name": name,
        "legal_basis": legal_basis,
        "start_date": start_date,
        "end_date": end_date,
        **settings,
    }
    _raise_first(campaign_problems(values, current=campaign))
    dates_moved = (campaign.start_date, campaign.end_date) != (start_date, end_date)
    campaign.name = name.strip()
    campaign.legal_basis = legal_basis.strip()
    campaign.start_date = start_date
    campaign.end_date = end_date
    for key, value in settings.items():
        setattr(campaign, key, value)
    db.session.flush()
    if dates_moved:
        # Running totals run from the first day to the last: they start or end elsewhere now.
        rebuild_totals(campaign)
    return campaign


def set_status(campaign: Campaign, status: str) -> Campaign:
    """draft → active → closed; nothing else. Closing is final."""
    check_status_change(campaign, status)
    campaign.status = status
    db.session.flush()
    return campaign


def check_status_change(campaign: Campaign, status: str) -> None:
    """Raise unless `set_status(campaign, status)` would be allowed."""
    check_open(campaign)
    if not may_change_status(campaign.status, status):
        if status == CampaignStatus.ACTIVE:
            message = _("Only a draft campaign can be started.")
        elif status == CampaignStatus.CLOSED:
            message = _("Only an active campaign can be closed.")
        else:
            message = _("A campaign goes from draft to active to closed, never back.")
        raise CampaignError(message, "status")
    if status == CampaignStatus.ACTIVE and not campaign.indicators:
        raise CampaignError(_("Add at least one indicator before starting the campaign."), "status")


def check_open(campaign: Campaign) -> None:
    """A closed campaign is read-only."""
    if campaign.is_closed:
        raise CampaignError(_("The campaign is closed; nothing in it can change."))


def campaign_problems(
    values: Mapping[str, object], *, current: Campaign | None = None
) -> list[CampaignError]:
    """Every problem of the given campaign fields; absent keys are not checked. `current` is
    the campaign being changed (its own code is not "taken", its settings fill the gaps)."""
    problems: list[CampaignError] = []
    if "code" in values and isinstance(values["code"], str):
        code = values["code"].strip()
        if not is_valid_code(code):
            problems.append(CampaignError(_code_message(), "code"))
        elif code.lower() in RESERVED_CODES:
            problems.append(
                CampaignError(
                    _("“%(code)s” is a reserved word; choose another code.", code=code), "code"
                )
            )
        elif (current is None or current.code != code) and db.session.scalar(
            select(Campaign.id).where(Campaign.code == code)
        ) is not None:
            problems.append(
                CampaignError(_("The campaign code “%(code)s” is taken.", code=code), "code")
            )
    if "name" in values and isinstance(values["name"], str):
        problems.extend(_text_problems(values["name"], "name", required=True))
    if "legal_basis" in values and isinstance(values["legal_basis"], str):
        problems.extend(_text_problems(values["legal_basis"], "legal_basis"))
    start, end = values.get("start_date"), values.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems.append(CampaignError(_("The end date is before the start date."), "end_date"))
    problems.extend(_settings_problems(values, current))
    return problems


def _settings_problems(values: Mapping[str, object], current: Campaign | None):
    def given(key: str) -> bool:
        return values.get(key) is not None

    if given("lock_after_days") and not values["lock_after_days"] >= 0:
        yield CampaignError(_("The number of days must be 0 or more."), "lock_after_days")
    if given("ranking_window") and values["ranking_window"] not in set(RankingWindow):
        yield _choice_error(values["ranking_window"], RankingWindow, "ranking_window")
    for key in ("top_n", "bottom_n"):
        if given(key) and not values[key] >= 1:
            yield CampaignError(_("The number must be at least 1."), key)
    for key in ("improvement_points", "decline_points"):
        if given(key) and not (values[key] > 0 and math.isfinite(values[key])):
            yield CampaignError(_("The number must be greater than 0."), key)
    if given("below_target_share") and not 0 < values["below_target_share"] <= 1:
        yield CampaignError(
            _("The share must be above zero and at most 100 per cent."), "below_target_share"
        )
    if given("missing_days_limit") and not 1 <= values["missing_days_limit"] <= 7:
        yield CampaignError(_("The number of days must be between 1 and 7."), "missing_days_limit")
    yield from _briefing_problems(values)
    if any(given(key) for key in BANDS):
        bands = {
            key: values[key]
            if given(key)
            else (getattr(current, key) if current is not None else SETTING_DEFAULTS[key])
            for key in BANDS
        }
        if not bands_ordered(*(bands[key] for key in BANDS)):
            yield CampaignError(
                _("The bands must rise: 0 ≤ average ≤ fair ≤ good ≤ excellent ≤ 100."),
                _first_band_out_of_order(bands),
            )


def _briefing_problems(values: Mapping[str, object]):
    for key in ("briefing_time", "reminder_time"):
        value = values.get(key)
        if value is not None and not (isinstance(value, time) and value.tzinfo is None):
            yield CampaignError(_time_message(), key)
    url = values.get("webhook_url")
    if isinstance(url, str) and url.strip():
        url = url.strip()
        if len(url) > URL_MAX:
            yield CampaignError(_("At most %(max)d characters.", max=URL_MAX), "webhook_url")
        elif not _is_web_address(url):
            yield CampaignError(
                _(
                    "A webhook address starts with https:// or http:// and has no spaces, "
                    "e.g. %(example)s.",
                    example="https://chat.example.vn/hooks/abc",
                ),
                "webhook_url",
            )
    for key in ("issuer_name", "place_name"):
        if isinstance(values.get(key), str):
            yield from _text_problems(values[key], key)
    code = values.get("issuer_code")
    if isinstance(code, str) and code.strip() and not ISSUER_CODE_PATTERN.fullmatch(code.strip()):
        yield CampaignError(
            _(
                "A notice code has at most %(max)d characters, without spaces or “/”; "
                "e.g. %(example)s.",
                max=ISSUER_CODE_MAX,
                example="STTTT",
            ),
            "issuer_code",
        )


def _is_web_address(url: str) -> bool:
    if any(character.isspace() for character in url):
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. "http://[::1": an address urlsplit cannot read
        return False


def _first_band_out_of_order(bands: Mapping[str, float]) -> str:
    previous = 0.0
    for key in reversed(BANDS):  # average, fair, good, excellent
        if not bands[key] >= previous:
            return key
        previous = bands[key]
    return "band_excellent"  # above 100


# --- indicators -------------------------------------------------------------------------------


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
    check_indicators_addable(campaign)
    unit_kinds = list(unit_kinds)
    values = {
        "code": code,
        "name": name,
        "kind": kind,
        "measure": measure,
        "direction": direction,
        "weight": weight,
        "unit_kinds": unit_kinds,
        "numerator_label": numerator_label,
        "denominator_label": denominator_label,
    }
    taken = {indicator.code for indicator in campaign.indicators}
    _raise_first(indicator_problems(values, taken=taken))
    indicator = Indicator(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        measure=measure,
        direction=direction,
        weight=weight,
        numerator_label=numerator_label.strip(),
        denominator_label=denominator_label.strip() if kind == IndicatorKind.RATIO else "",
        position=len(campaign.indicators),
        unit_kinds=[IndicatorUnitKind(kind=unit_kind) for unit_kind in _kinds(unit_kinds)],
    )
    campaign.indicators.append(indicator)
    db.session.flush()
    return indicator


def check_indicators_addable(campaign: Campaign) -> None:
    """Indicators may be added to a draft, or to an active campaign that has no entries yet."""
    check_open(campaign)
    if campaign.status == CampaignStatus.ACTIVE and has_entries(campaign):
        raise CampaignError(
            _(
                "Units have already entered figures in this campaign; "
                "no indicator can be added any more."
            )
        )


def update_indicator(
    indicator: Indicator,
    *,
    code: str,
    name: str,
    kind: str,
    measure: str,
    direction: str,
    weight: float,
    unit_kinds: Iterable[str] = (),
    numerator_label: str = "",
    denominator_label: str = "",
) -> Indicator:
    """Change an indicator. Once its campaign has entries, its code, kind and measure stay."""
    campaign = indicator.campaign
    check_open(campaign)
    unit_kinds = list(unit_kinds)
    if has_entries(campaign):
        for field, new, old in (
            ("code", code.strip(), indicator.code),
            ("kind", kind, indicator.kind),
            ("measure", measure, indicator.measure),
        ):
            if new != old:
                raise CampaignError(
                    _(
                        "Units have already entered figures; the code, kind and measure "
                        "of an indicator can no longer change."
                    ),
                    field,
                )
    values = {
        "code": code,
        "name": name,
        "kind": kind,
        "measure": measure,
        "direction": direction,
        "weight": weight,
        "unit_kinds": unit_kinds,
        "numerator_label": numerator_label,
        "denominator_label": denominator_label,
    }
    taken = {other.code for other in campaign.indicators if other is not indicator}
    _raise_first(indicator_problems(values, taken=taken))
    indicator.code = code.strip()
    indicator.name = name.strip()
    indicator.kind = kind
    indicator.measure = measure
    indicator.direction = direction
    indicator.weight = weight
    indicator.numerator_label = numerator_label.strip()
    indicator.denominator_label = denominator_label.strip() if kind == IndicatorKind.RATIO else ""
    wanted = set(_kinds(unit_kinds))
    for row in list(indicator.unit_kinds):
        if row.kind not in wanted:
            indicator.unit_kinds.remove(row)
    kept = {row.kind for row in indicator.unit_kinds}
    for unit_kind in sorted(wanted - kept):
        indicator.unit_kinds.append(IndicatorUnitKind(kind=unit_kind))
    db.session.flush()
    return indicator


def remove_indicator(indicator: Indicator) -> None:
    """Only a draft loses indicators; their targets, baselines and milestones go with them."""
    campaign = indicator.campaign
    check_indicator_removable(campaign)
    campaign.indicators.remove(indicator)
    for position, remaining in enumerate(campaign.indicators):
        remaining.position = position
    db.session.flush()


def check_indicator_removable(campaign: Campaign) -> None:
    check_open(campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(_("Indicators can only be removed while the campaign is a draft."))


def indicator_problems(values: Mapping[str, object], *, taken: set[str]) -> list[CampaignError]:
    """Every problem of the given indicator fields; absent keys are not checked. `taken` are
    the codes of the campaign's other indicators."""
    problems: list[CampaignError] = []
    code = values.get("code")
    if isinstance(code, str):
        if not is_valid_code(code.strip()):
            problems.append(CampaignError(_code_message(), "code"))
        elif code.strip() in taken:
            problems.append(
                CampaignError(
                    _("The campaign already has an indicator “%(code)s”.", code=code.strip()),
                    "code",
                )
            )
    if isinstance(values.get("name"), str):
        problems.extend(_text_problems(values["name"], "name", required=True))
    for field, choices in (("kind", IndicatorKind), ("measure", Measure), ("direction", Direction)):
        if field in values and values[field] is not None and values[field] not in set(choices):
            problems.append(_choice_error(values[field], choices, field))
    weight = values.get("weight")
    if weight is not None and not (weight > 0 and math.isfinite(weight)):
        problems.append(CampaignError(_("The weight must be greater than 0."), "weight"))
    for unit_kind in values.get("unit_kinds") or ():
        if not isinstance(unit_kind, str) or not 1 <= len(unit_kind.strip()) <= KIND_MAX:
            problems.append(
                CampaignError(
                    _("A unit kind has 1 to %(max)d characters.", max=KIND_MAX), "unit_kinds"
                )
            )
            break
    for field in ("numerator_label", "denominator_label"):
        if isinstance(values.get(field), str):
            problems.extend(_text_problems(values[field], field))
    return problems


# --- helpers ----------------------------------------------------------------------------------


def _given(settings: Mapping[str, object]) -> dict[str, object]:
    """The settings given, texts stripped. None means "left out", except where it is a value."""
    return {
        key: value.strip() if key in TEXT_SETTINGS and isinstance(value, str) else value
        for key, value in settings.items()
        if value is not None or key in NULLABLE_SETTINGS
    }


def _raise_first(problems: Iterable[CampaignError]) -> None:
    for problem in problems:
        raise problem


def _time_message() -> str:
    return _("Not a time of day; write it as hh:mm, e.g. 16:30.")


def _code_message() -> str:
    return _("A code has 1 to 32 letters without accents, digits, “.”, “_” or “-”.")


def _text_problems(text: str, field: str, *, required: bool = False) -> list[CampaignError]:
    if required and not text.strip():
        return [CampaignError(_("The name is empty."), field)]
    if len(text.strip()) > TEXT_MAX:
        return [CampaignError(_("At most %(max)d characters.", max=TEXT_MAX), field)]
    return []


def _kinds(unit_kinds: Iterable[str]) -> list[str]:
    return sorted({unit_kind.strip() for unit_kind in unit_kinds})


def _choice_error(value: object, choices, field: str) -> CampaignError:
    return CampaignError(
        _(
            "“%(value)s” is not one of %(choices)s.",
            value=value,
            choices=", ".join(choices),
        ),
        field,
    )


# --- peer groups ------------------------------------------------------------------------------


def add_peer_group(
    campaign: Campaign, *, code: str, name: str, root_unit: Unit, kind: str
) -> PeerGroup:
    """A group the campaign ranks together besides the default ones: every unit of `kind`
    below `root_unit` (DESIGN §5: "all communes of the province")."""
    check_open(campaign)
    code, name, kind = code.strip(), name.strip(), kind.strip()
    if not is_valid_code(code):
        raise CampaignError(_code_message(), "code")
    if peer_group_by_code(campaign, code) is not None:
        raise CampaignError(
            _("The campaign already has a peer group “%(code)s”.", code=code), "code"
        )
    _raise_first(_text_problems(name, "name", required=True))
    if not is_in_subtree(root_unit.id, campaign.owner_unit_id):
        raise CampaignError(
            _(
                "%(unit)s is not part of campaign %(campaign)s.",
                unit=root_unit.name,
                campaign=campaign.code,
            ),
            "root_unit",
        )
    kinds = unit_kinds_below(root_unit.id)
    if not kinds:
        raise CampaignError(_("No unit lies below %(unit)s.", unit=root_unit.name), "root_unit")
    if kind not in kinds:
        raise CampaignError(
            _(
                "No unit of kind “%(kind)s” lies below %(unit)s; choose one of %(kinds)s.",
                kind=kind,
                unit=root_unit.name,
                kinds=", ".join(kinds),
            ),
            "kind",
        )
    peer_group = PeerGroup(
        campaign_id=campaign.id, code=code, name=name, root_unit=root_unit, kind=kind
    )
    db.session.add(peer_group)
    db.session.flush()
    return peer_group


def remove_peer_group(peer_group: PeerGroup) -> None:
    """The group stops being ranked; units and figures are untouched."""
    check_open(peer_group.campaign)
    db.session.delete(peer_group)
    db.session.flush()
