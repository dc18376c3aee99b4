"""Forms of the Excel import pages: which template to download, the upload, the confirmation.

WTForms has no Vietnamese catalog, so every validator here carries its own message; dates are
read by the form itself for the same reason (WTForms' DateField words its own error).
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Regexp, ValidationError

REASON_MAX = 500


def parse_day(text: str | None) -> date | None:
    """yyyy-mm-dd (a date input) or dd/mm/yyyy (typed by hand); None when neither."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


class DayField(StringField):
    """A date typed as yyyy-mm-dd or dd/mm/yyyy; `day` holds it once validated."""

    day: date | None = None

    def pre_validate(self, form) -> None:
        self.day = parse_day(self.data)
        if self.day is None:
            raise ValidationError(_l("Write the date as dd/mm/yyyy."))


class TemplateForm(FlaskForm):
    """Sent by GET: what the downloaded template covers."""

    class Meta:
        csrf = False

    unit = SelectField(_l("Units"), choices=[], validate_choice=False)
    start = DayField(_l("From"), render_kw={"type": "date"})
    end = DayField(_l("To"), render_kw={"type": "date"})
    submit = SubmitField(_l("Download the template"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("Filled-in template (.xlsx)"),
        validators=[FileRequired(message=_l("Choose the .xlsx file to upload."))],
        render_kw={"accept": ".xlsx"},
    )
    submit = SubmitField(_l("Upload and preview"))


class ConfirmImportForm(FlaskForm):
    fingerprint = HiddenField(
        validators=[
            Regexp(
                r"^[0-9a-f]{64}$", message=_l("The preview is incomplete; upload the file again.")
            )
        ]
    )
    confirmed = BooleanField(_l("These unusual figures are right"))
    reason = TextAreaField(
        _l("Note"),
        validators=[Length(max=REASON_MAX, message=_l("At most %(max)d characters."))],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Save these figures"))
