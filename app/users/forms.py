"""Forms of sign-in, own password and user administration.

WTForms has no Vietnamese catalog, so every validator here carries its own message.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.users.operations import email_problem
from app.users.roles import ROLE_LABELS

REQUIRED = DataRequired(message=_l("Please fill in this field."))


def at_most(length: int) -> Length:
    return Length(max=length, message=_l("At most %(max)d characters."))


class LoginForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[REQUIRED],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"), validators=[REQUIRED], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[REQUIRED],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"), validators=[REQUIRED], render_kw={"autocomplete": "new-password"}
    )
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[REQUIRED, EqualTo("new_password", _l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


def email_address(form, field) -> None:
    problem = email_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def email_field() -> StringField:
    return StringField(
        _l("E-mail address"),
        validators=[email_address],
        description=_l(
            "Briefings and reminders are sent to this address. Leave empty for no e-mail."
        ),
        render_kw={
            "type": "email",
            "autocomplete": "email",
            "autocapitalize": "none",
            "placeholder": _l("e.g. %(example)s", example="ten@example.gov.vn"),
        },
    )


class AccountForm(FlaskForm):
    """What users may change about themselves besides their password."""

    email = email_field()
    submit = SubmitField(_l("Save"))


def _role_choices():
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[at_most(255)])
    email = email_field()
    # The operations check the role and say so in Vietnamese; WTForms' own check would not.
    role = SelectField(_l("Role"), choices=_role_choices, validate_choice=False)
    unit_code = StringField(
        _l("Unit code"),
        validators=[REQUIRED],
        render_kw={"list": "unit-options", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Save"))


class NewUserForm(UserForm):
    username = StringField(
        _l("User name"),
        validators=[REQUIRED, at_most(64)],
        render_kw={"autocapitalize": "none", "autocomplete": "off"},
    )


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token of a confirmed action."""

    submit = SubmitField(_l("Confirm"))
