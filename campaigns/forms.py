"""Forms of the campaign and indicator pages, and the labels of their choices.

WTForms has no Vietnamese catalog, so every validator and parse error carries its own message.
Ranges and cross-field rules (end ≥ start, bands in order...) are checked by the operations,
which say which field is wrong.
"""

from typing import ClassVar

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import Length, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.formatting import parse_decimal
from campaigns.models import CampaignStatus, Direction, IndicatorKind, Measure, RankingWindow
from campaigns.operations import SETTING_DEFAULTS


class Needed:
    """The field must be filled in. Unlike DataRequired, 0 is an answer, and a value that
    could not be read keeps its own message ("Not a date...") instead of this one."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __init__(self, message: str | None = None):
        self.message = message or _l("Please fill in this field.")

    def __call__(self, form, field) -> None:
        if field.process_errors:
            raise StopValidation()
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            raise StopValidation(self.message)


REQUIRED = Needed()

STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.ACTIVE: _l("Active"),
    CampaignStatus.CLOSED: _l("Closed"),
}
WINDOW_LABELS = {
    RankingWindow.DAY: _l("Day"),
    RankingWindow.WEEK: _l("Last 7 days"),
    RankingWindow.MONTH: _l("Month to date"),
    RankingWindow.CAMPAIGN: _l("Campaign to date"),
}
KIND_LABELS = {IndicatorKind.RATIO: _l("Ratio (%)"), IndicatorKind.COUNT: _l("Count")}
MEASURE_LABELS = {Measure.FLOW: _l("Flow"), Measure.STOCK: _l("Stock")}
DIRECTION_LABELS = {
    Direction.HIGHER: _l("Higher is better"),
    Direction.LOWER: _l("Lower is better"),
}


def label_of(labels: dict, value: str) -> str:
    return str(labels.get(value, value))


def at_most(length: int) -> Length:
    return Length(max=length, message=_l("At most %(max)d characters."))


class _BlankIsNone:
    """An empty input means "no value" (REQUIRED then says so), not "unreadable"."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class LocalDateField(_BlankIsNone, DateField):
    """<input type=date> sends yyyy-mm-dd; typed by hand, dd/mm/yyyy is accepted too."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators,
            format=["%Y-%m-%d", "%d/%m/%Y"],
            invalid_value_message=_l("Not a date; write it as dd/mm/yyyy."),
            **kwargs,
        )


class LocalTimeField(_BlankIsNone, TimeField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators,
            format="%H:%M",
            invalid_value_message=_l("Not a time of day; write it as hh:mm, e.g. 16:30."),
            **kwargs,
        )


class WholeNumberField(_BlankIsNone, IntegerField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators,
            invalid_value_message=_l("Not a whole number."),
            **kwargs,
        )


class LocalDecimalField(Field):
    """A number typed the Vietnamese way ("0,01", "1.080") or with a decimal point."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0.######", locale=str(get_locale()))

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueError as error:
            self.data = None
            raise ValueError(_l("Not a number; write e.g. 0,5 or 12.")) from error


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels: dict):
    return lambda: [(value.value, label) for value, label in labels.items()]


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[REQUIRED, at_most(255)])
    legal_basis = StringField(
        _l("Legal basis"),
        validators=[at_most(255)],
        render_kw={"placeholder": _l("e.g. %(example)s", example="Kế hoạch 170/KH-UBND")},
    )
    start_date = LocalDateField(_l("Start date"), validators=[REQUIRED])
    end_date = LocalDateField(_l("End date"), validators=[REQUIRED])
    entry_deadline = LocalTimeField(
        _l("Daily entry deadline"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["entry_deadline"],
        description=_l("Figures for a day entered after this time are late."),
    )
    lock_after_days = WholeNumberField(
        _l("Days until entries lock"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["lock_after_days"],
        description=_l("After this many days, only an administrator can change an entry."),
    )
    ranking_window = SelectField(
        _l("Ranking window"),
        choices=_choices(WINDOW_LABELS),
        validate_choice=False,  # the operation refuses unknown windows, in Vietnamese
        default=SETTING_DEFAULTS["ranking_window"],
    )
    requires_task_evidence = BooleanField(_l("Tasks need evidence before they are done"))

    # Advanced: scoring, praise and criticism (DESIGN §5)
    top_n = WholeNumberField(
        _l("Units praised at the top of each group"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["top_n"],
    )
    bottom_n = WholeNumberField(
        _l("Units criticised at the bottom of each group"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["bottom_n"],
    )
    improvement_points = LocalDecimalField(
        _l("Praise an improvement of at least (points over 7 days)"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["improvement_points"],
    )
    decline_points = LocalDecimalField(
        _l("Criticise a decline of at least (points over 7 days)"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["decline_points"],
    )
    below_target_percent = LocalDecimalField(
        _l("Criticise an indicator below this share of its target (%)"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["below_target_share"] * 100,
    )
    missing_days_limit = WholeNumberField(
        _l("Criticise this many missing or late days in the last 7"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["missing_days_limit"],
    )
    band_excellent = LocalDecimalField(
        _l("Score for “excellent” from"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["band_excellent"],
    )
    band_good = LocalDecimalField(
        _l("Score for “good” from"), validators=[REQUIRED], default=SETTING_DEFAULTS["band_good"]
    )
    band_fair = LocalDecimalField(
        _l("Score for “fair” from"), validators=[REQUIRED], default=SETTING_DEFAULTS["band_fair"]
    )
    band_average = LocalDecimalField(
        _l("Score for “average” from"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["band_average"],
    )

    # Briefings (DESIGN §7): when they are made, where they go, how the notice is headed
    briefing_time = LocalTimeField(
        _l("Draft the daily briefing at"),
        validators=[REQUIRED],
        default=SETTING_DEFAULTS["briefing_time"],
        description=_l("Every morning at this time, the briefing on the day before is drafted."),
    )
    auto_publish = BooleanField(
        _l("Publish the briefing at once, without review"),
        description=_l(
            "Otherwise an administrator reads the draft, adds the directions and publishes it."
        ),
    )
    reminder_time = LocalTimeField(
        _l("Remind units that have not reported by e-mail at"),
        default=SETTING_DEFAULTS["reminder_time"],
        description=_l(
            "Units with no figures for the day yet get an e-mail; best before the entry "
            "deadline. Leave empty to send no reminders."
        ),
    )
    webhook_url = StringField(
        _l("Webhook address (optional)"),
        validators=[at_most(1000)],
        description=_l(
            "Each published briefing is also sent as JSON to this address, e.g. a chat "
            "group's bot. It starts with https:// (or http://)."
        ),
        render_kw={"inputmode": "url", "autocomplete": "off", "placeholder": "https://…"},
    )
    issuer_name = StringField(
        _l("Issuing agency"),
        validators=[at_most(255)],
        description=_l("Printed at the head of the official notice."),
        render_kw={"placeholder": _l("e.g. %(example)s", example="Sở Thông tin và Truyền thông")},
    )
    issuer_code = StringField(
        _l("Agency code in notice numbers"),
        validators=[at_most(32)],
        description=_l(
            "Ends the notice number: %(example)s. No spaces or “/”.", example="Số: 12/TB-STTTT"
        ),
        render_kw={
            "placeholder": _l("e.g. %(example)s", example="STTTT"),
            "autocapitalize": "characters",
            "autocomplete": "off",
        },
    )
    place_name = StringField(
        _l("Place on the date line"),
        validators=[at_most(255)],
        description=_l(
            "Written before the date of the notice: %(example)s.",
            example="Bình Phước, ngày 30 tháng 7 năm 2022",
        ),
        render_kw={"placeholder": _l("e.g. %(example)s", example="Bình Phước")},
    )
    submit = SubmitField(_l("Save"))

    BASIC_FIELDS = (
        "name",
        "legal_basis",
        "start_date",
        "end_date",
        "entry_deadline",
        "lock_after_days",
        "ranking_window",
        "requires_task_evidence",
    )
    ADVANCED_FIELDS = (
        "top_n",
        "bottom_n",
        "improvement_points",
        "decline_points",
        "below_target_percent",
        "missing_days_limit",
        "band_excellent",
        "band_good",
        "band_fair",
        "band_average",
    )
    BRIEFING_FIELDS = (
        "briefing_time",
        "auto_publish",
        "reminder_time",
        "webhook_url",
        "issuer_name",
        "issuer_code",
        "place_name",
    )
    # Operation field names that the form shows under another name.
    FIELD_OF: ClassVar[dict[str, str]] = {"below_target_share": "below_target_percent"}

    def settings(self) -> dict[str, object]:
        """The values of the form as keyword arguments of the campaign operations."""
        share = self.below_target_percent.data
        return {
            "name": self.name.data or "",
            "legal_basis": self.legal_basis.data or "",
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "entry_deadline": self.entry_deadline.data,
            "lock_after_days": self.lock_after_days.data,
            "ranking_window": self.ranking_window.data,
            "requires_task_evidence": bool(self.requires_task_evidence.data),
            "top_n": self.top_n.data,
            "bottom_n": self.bottom_n.data,
            "improvement_points": self.improvement_points.data,
            "decline_points": self.decline_points.data,
            "below_target_share": None if share is None else share / 100,
            "missing_days_limit": self.missing_days_limit.data,
            "band_excellent": self.band_excellent.data,
            "band_good": self.band_good.data,
            "band_fair": self.band_fair.data,
            "band_average": self.band_average.data,
            "briefing_time": self.briefing_time.data,
            "auto_publish": bool(self.auto_publish.data),
            # Empty: no reminders (None is stored, not "left as it was").
            "reminder_time": self.reminder_time.data,
            "webhook_url": self.webhook_url.data or "",
            "issuer_name": self.issuer_name.data or "",
            "issuer_code": self.issuer_code.data or "",
            "place_name": self.place_name.data or "",
        }

    def field_for(self, name: str | None) -> Field | None:
        name = self.FIELD_OF.get(name, name)
        return getattr(self, name, None) if name else None

    def advanced_has_errors(self) -> bool:
        return any(getattr(self, name).errors for name in self.ADVANCED_FIELDS)

    def briefing_has_errors(self) -> bool:
        return any(getattr(self, name).errors for name in self.BRIEFING_FIELDS)


class NewCampaignForm(CampaignForm):
    code = StringField(
        _l("Code"),
        validators=[REQUIRED, at_most(32)],
        description=_l("Letters without accents, digits, “.”, “_” or “-”; e.g. CD92-2022."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    owner_unit = StringField(
        _l("Owner unit (code)"),
        validators=[REQUIRED],
        description=_l("The unit that runs the campaign; its whole subtree takes part."),
        render_kw={"list": "owner-options", "autocomplete": "off"},
    )
    BASIC_FIELDS = ("code", "owner_unit", *CampaignForm.BASIC_FIELDS)


class IndicatorForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[REQUIRED, at_most(32)],
        description=_l("Letters without accents, digits, “.”, “_” or “-”; e.g. HS_TRUC_TUYEN."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    name = StringField(_l("Name"), validators=[REQUIRED, at_most(255)])
    kind = SelectField(
        _l("Kind"),
        choices=_choices(KIND_LABELS),
        validate_choice=False,
        default=IndicatorKind.RATIO.value,
    )
    measure = SelectField(
        _l("Measure"),
        choices=_choices(MEASURE_LABELS),
        validate_choice=False,
        default=Measure.FLOW.value,
        description=_l(
            "Flow: each entry is the amount for one day, and a window adds them up. "
            "Stock: each entry is a level on a date, and a window takes the latest."
        ),
    )
    direction = SelectField(
        _l("Direction"),
        choices=_choices(DIRECTION_LABELS),
        validate_choice=False,
        default=Direction.HIGHER.value,
    )
    weight = LocalDecimalField(
        _l("Weight in the score"),
        validators=[REQUIRED],
        default=1,
        description=_l("Greater than 0; a decimal comma is fine, e.g. 0,5."),
    )
    unit_kinds = MultiCheckboxField(
        _l("Applies to"),
        choices=[],
        validate_choice=False,  # checked against the kinds offered by the controller
        description=_l("Tick none to measure it on every kind of unit."),
    )
    numerator_label = StringField(
        _l("Numerator label"),
        validators=[at_most(255)],
        render_kw={"placeholder": _l("e.g. %(example)s", example="Hồ sơ trực tuyến")},
    )
    denominator_label = StringField(
        _l("Denominator label (ratios only)"),
        validators=[at_most(255)],
        render_kw={"placeholder": _l("e.g. %(example)s", example="Tổng số hồ sơ tiếp nhận")},
    )
    submit = SubmitField(_l("Save"))
    another = SubmitField(_l("Save and add another"))

    def values(self) -> dict[str, object]:
        return {
            "code": self.code.data or "",
            "name": self.name.data or "",
            "kind": self.kind.data,
            "measure": self.measure.data,
            "direction": self.direction.data,
            "weight": self.weight.data,
            "unit_kinds": list(self.unit_kinds.data or []),
            "numerator_label": self.numerator_label.data or "",
            "denominator_label": self.denominator_label.data or "",
        }


class PeerGroupForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[REQUIRED, at_most(32)],
        description=_l("Letters without accents, digits, “.”, “_” or “-”; e.g. XA_TOAN_TINH."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    name = StringField(
        _l("Name"),
        validators=[REQUIRED, at_most(255)],
        render_kw={"placeholder": _l("e.g. %(example)s", example="Tất cả xã của tỉnh")},
    )
    root_unit = StringField(
        _l("Below unit (code)"),
        validators=[REQUIRED],
        description=_l("The group holds every unit of the chosen kind below this unit."),
        render_kw={"autocomplete": "off"},
    )
    kind = SelectField(
        _l("Kind of unit"),
        choices=[],
        validate_choice=False,  # the operation refuses a kind absent below the unit
    )
    submit = SubmitField(_l("Add peer group"))
