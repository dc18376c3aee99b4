"""Forms of the task pages. WTForms has no Vietnamese catalog: every validator has a message.

The forms check the shape of the input; the operations check what it means (unit codes, scope,
the campaign being open) and say why they refuse.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from campaigns.tasks.operations import NOTE_MAX_LENGTH, ForwardMode, OwnerMode
from campaigns.tasks.rules import TaskStatus

REQUIRED = DataRequired(message=_l("Please fill in this field."))

STATUS_LABELS = {
    TaskStatus.TODO: _l("To do"),
    TaskStatus.IN_PROGRESS: _l("In progress"),
    TaskStatus.DONE: _l("Done"),
}

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # a date picker sends ISO; a person types dd/mm/yyyy


def at_most(length: int) -> Length:
    return Length(max=length, message=_l("At most %(max)d characters."))


def parse_date(text: str | None) -> date | None:
    text = (text or "").strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class TaskForm(FlaskForm):
    """Create a task, or change one (then the owner fields add units and may stay empty)."""

    title = StringField(_l("Title"), validators=[REQUIRED, at_most(255)])
    description = TextAreaField(
        _l("Description"), validators=[at_most(10000)], render_kw={"rows": 4}
    )
    due_date = StringField(
        _l("Due date"),
        validators=[REQUIRED],
        render_kw={"type": "date", "placeholder": "dd/mm/yyyy"},
    )
    owner_mode = RadioField(
        _l("Owner units"),
        choices=[
            SelectChoice(OwnerMode.UNITS.value, _l("One or more units, by code")),
            SelectChoice(OwnerMode.KIND.value, _l("Every unit of one kind below a unit")),
        ],
        default=OwnerMode.UNITS.value,
        validate_choice=False,  # the operation names a wrong choice
    )
    unit_codes = TextAreaField(
        _l("Unit codes"),
        description=_l("Separate the codes with commas, spaces or line breaks, e.g. 693, 694."),
        render_kw={"rows": 2, "autocapitalize": "none", "autocomplete": "off"},
    )
    kind = SelectField(_l("Kind of unit"), choices=[], validate_choice=False)
    under_code = StringField(
        _l("Below the unit (code)"),
        render_kw={"list": "unit-options", "autocapitalize": "none", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Save"))

    def validate_due_date(self, field) -> None:
        field.parsed = parse_date(field.data)
        if field.parsed is None:
            raise ValidationError(_l("Give the date as dd/mm/yyyy."))


class UpdateForm(FlaskForm):
    """A report on an assignment: status, note and evidence files."""

    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(value, label) for value, label in STATUS_LABELS.items()],
        validate_choice=False,  # the operation names a wrong choice
    )
    note = TextAreaField(
        _l("Note"),
        validators=[at_most(NOTE_MAX_LENGTH)],
        render_kw={"rows": 3, "placeholder": _l("What was done, where, how many people…")},
    )
    files = MultipleFileField(
        _l("Evidence (photos or PDF)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )
    submit = SubmitField(_l("Send the report"))


class ForwardForm(FlaskForm):
    """Hand an assignment on to the units directly below its unit."""

    mode = RadioField(
        _l("Forward to"),
        choices=[
            SelectChoice(ForwardMode.ALL.value, _l("Every unit directly below")),
            SelectChoice(ForwardMode.KIND.value, _l("Every unit of one kind directly below")),
            SelectChoice(ForwardMode.CHOSEN.value, _l("The units I choose")),
        ],
        default=ForwardMode.ALL.value,
        # The choice must really be sent: an empty form must not forward to every unit.
        validators=[InputRequired(message=_l("Choose the units to forward the task to."))],
        validate_choice=False,
    )
    kind = SelectField(_l("Kind of unit"), choices=[], validate_choice=False)
    unit_codes = SelectMultipleField(_l("Units"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Forward"))


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token of a confirmed action."""

    submit = SubmitField(_l("Confirm"))
