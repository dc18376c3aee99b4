"""Forms of the progress pages. The cells of a page are read from request.form by
campaigns.progress.pages (one input per figure); this form carries the CSRF token, the day
and the reason an administrator gives for correcting a locked day.

WTForms has no Vietnamese catalog, so every validator here carries its own message.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

REASON_MAX_LENGTH = 1000


class EntryForm(FlaskForm):
    day = HiddenField(validators=[DataRequired(message=_l("Choose a day."))])
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[
            Length(max=REASON_MAX_LENGTH, message=_l("At most %(max)d characters.")),
        ],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Save"))
