"""Forms of the briefing pages. Lengths and required notes are checked by the operations
(targets.briefings.operations), which say which field is wrong; the forms only read the
input and carry the CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from campaigns.forms import REQUIRED, LocalDateField
from targets.briefings.rules import Section

SECTION_LABELS = {Section.PRAISE: _l("Praise"), Section.CRITICISM: _l("Criticism")}


class DraftForm(FlaskForm):
    """Draft the briefing of a day (by default yesterday)."""

    day = LocalDateField(_l("Day"), validators=[REQUIRED], render_kw={"type": "date"})
    submit = SubmitField(_l("Draft the briefing"))


class ReviewForm(FlaskForm):
    """Draft a review (sơ kết) of a range of days; the whole campaign is its final report."""

    start = LocalDateField(_l("First day"), validators=[REQUIRED], render_kw={"type": "date"})
    end = LocalDateField(_l("Last day"), validators=[REQUIRED], render_kw={"type": "date"})
    submit = SubmitField(_l("Draft the review"))


class EditForm(FlaskForm):
    """The administrator's part of a draft: the directions (chỉ đạo) and the notice number."""

    number = StringField(
        _l("Number"),
        render_kw={"placeholder": _l("e.g. 12/TB-STTTT")},
        description=_l("Printed as “Số: …” on the notice."),
    )
    directions = TextAreaField(
        _l("Directions"),
        render_kw={"rows": 5},
        description=_l("What the leaders ask the units to do; one paragraph per line."),
    )
    submit = SubmitField(_l("Save"))


class DropForm(FlaskForm):
    """Leave a generated line out, saying why."""

    note = StringField(_l("Why"), render_kw={"placeholder": _l("Why it is left out")})
    submit = SubmitField(_l("Drop"))


class AddItemForm(FlaskForm):
    """A line of praise or criticism the administrator writes in."""

    section = SelectField(
        _l("Section"),
        choices=[SelectChoice(section.value, label) for section, label in SECTION_LABELS.items()],
        validate_choice=False,  # the operation names a wrong choice
    )
    unit = StringField(
        _l("Unit code"), description=_l("Optional: the unit the line is about, by its code.")
    )
    text = TextAreaField(_l("Line"), render_kw={"rows": 2})
    note = StringField(_l("Note"), description=_l("Optional: why it was added."))
    submit = SubmitField(_l("Add the line"))


class SubscriptionForm(FlaskForm):
    """Receive the campaign's briefings by e-mail (subscribe = "1") or stop (""); the form
    says which, so sending it twice does the same thing once."""

    subscribe = HiddenField()
