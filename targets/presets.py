"""Built-in campaign templates. One so far: the 92-day drive for online public services of
DESIGN §1, whose five indicators and province-wide targets it creates in one step.

The names and labels are Vietnamese domain data (they come from the province's plan), not
interface strings, so they are not translated.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from app.users.models import User
from campaigns.models import Campaign, Direction, Indicator, IndicatorKind, Measure
from campaigns.operations import CampaignError, add_indicator, check_indicators_addable
from targets.models import Source
from targets.operations import Problem, TargetError, TargetInput, set_targets
from targets.queries import assignable_ids


@dataclass(frozen=True)
class PresetIndicator:
    code: str
    name: str
    kind: str
    measure: str
    numerator_label: str
    denominator_label: str
    target: float  # a fraction for ratios
    direction: str = Direction.HIGHER
    weight: float = 1.0


@dataclass(frozen=True)
class Preset:
    name: str
    indicators: tuple[PresetIndicator, ...]


CAMPAIGN_92_DAYS = Preset(
    name="Chiến dịch 92 ngày — dịch vụ công trực tuyến",
    indicators=(
        PresetIndicator(
            code="DVC_PHAT_SINH",
            name="Tỷ lệ DVCTT phát sinh hồ sơ",
            kind=IndicatorKind.RATIO,
            measure=Measure.STOCK,
            numerator_label="Số DVCTT phát sinh hồ sơ",
            denominator_label="Số DVCTT cung cấp",
            target=0.8,
        ),
        PresetIndicator(
            code="HS_TRUC_TUYEN",
            name="Tỷ lệ hồ sơ TTHC xử lý trực tuyến",
            kind=IndicatorKind.RATIO,
            measure=Measure.FLOW,
            numerator_label="Số hồ sơ tiếp nhận trực tuyến",
            denominator_label="Tổng số hồ sơ tiếp nhận",
            target=0.5,
        ),
        PresetIndicator(
            code="SO_HOA",
            name="Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
            kind=IndicatorKind.RATIO,
            measure=Measure.FLOW,
            numerator_label="Số hồ sơ được số hóa",
            denominator_label="Số hồ sơ đã giải quyết",
            target=1.0,
        ),
        PresetIndicator(
            code="BAO_CAO_TT",
            name="Tỷ lệ báo cáo thực hiện trực tuyến",
            kind=IndicatorKind.RATIO,
            measure=Measure.FLOW,
            numerator_label="Số báo cáo thực hiện trực tuyến",
            denominator_label="Số báo cáo phải thực hiện",
            target=0.5,
        ),
        PresetIndicator(
            code="DUNG_HAN",
            name="Tỷ lệ hồ sơ giải quyết đúng hạn",
            kind=IndicatorKind.RATIO,
            measure=Measure.FLOW,
            numerator_label="Số hồ sơ giải quyết đúng hạn",
            denominator_label="Số hồ sơ đã giải quyết",
            target=1.0,
        ),
    ),
)


def apply_preset(
    campaign: Campaign,
    preset: Preset = CAMPAIGN_92_DAYS,
    *,
    user: User | None,
    source: Source = Source.TEMPLATE,
) -> list[Indicator]:
    """Create the preset's indicators on a campaign that has none, and their targets on the
    campaign's owner unit. Raises TargetError before writing anything when it cannot."""
    if campaign.indicators:
        raise TargetError(
            [
                Problem(
                    None,
                    None,
                    _("The template can only be used on a campaign that has no indicators yet."),
                )
            ]
        )
    try:
        check_indicators_addable(campaign)
    except CampaignError as error:
        raise TargetError([Problem(None, None, error.message)]) from None
    if user is not None and not assignable_ids(user, [campaign.owner_unit_id]):
        raise TargetError(
            [
                Problem(
                    None,
                    None,
                    _("You may not set the targets of %(unit)s.", unit=campaign.owner_unit.name),
                    out_of_scope=True,
                )
            ]
        )
    indicators = [
        add_indicator(
            campaign,
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            measure=spec.measure,
            direction=spec.direction,
            weight=spec.weight,
            numerator_label=spec.numerator_label,
            denominator_label=spec.denominator_label,
        )
        for spec in preset.indicators
    ]
    owner = campaign.owner_unit.code
    set_targets(
        campaign,
        [TargetInput(owner, spec.code, target=spec.target) for spec in preset.indicators],
        user=user,
        source=source,
    )
    return indicators
