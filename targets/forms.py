"""Forms of the target pages. The grids have one input per cell and are read by the
controllers from request.form; these forms carry the CSRF token and the fixed fields.

WTForms has no Vietnamese catalog, so every validator here carries its own message.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

REQUIRED = DataRequired(message=_l("Please fill in this field."))


class GridForm(FlaskForm):
    """The CSRF token of a grid; its cells are named `target-<unit id>-<indicator id>`."""

    submit = SubmitField(_l("Save"))


class ApplyToChildrenForm(FlaskForm):
    value = StringField(
        _l("Target for every unit below"),
        validators=[REQUIRED, Length(max=32, message=_l("At most %(max)d characters."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Apply to all units below"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("Excel workbook (.xlsx)"),
        validators=[FileRequired(message=_l("Choose the .xlsx file to upload."))],
        render_kw={"accept": ".xlsx"},
    )
    submit = SubmitField(_l("Upload and preview"))


class ConfirmUploadForm(FlaskForm):
    fingerprint = HiddenField(
        validators=[
            Regexp(
                r"^[0-9a-f]{64}$", message=_l("The preview is incomplete; upload the file again.")
            )
        ]
    )
    submit = SubmitField(_l("Apply these changes"))


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token of a confirmed action."""

    submit = SubmitField(_l("Confirm"))
