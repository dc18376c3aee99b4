from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.users.roles import ROLE_LABELS


class LoginForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


def _role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[Length(max=255)])
    role = SelectField(_l("Role"), choices=_role_choices)
    unit_code = StringField(
        _l("Unit code"),
        validators=[DataRequired()],
        render_kw={"list": "unit-options", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    username = StringField(
        _l("User name"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token of a confirmed action."""

    submit = SubmitField(_l("Confirm"))
