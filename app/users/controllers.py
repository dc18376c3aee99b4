"""Sign-in, own account and password, and the administration of users within the admin's
units."""

from datetime import datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.db import db, utcnow
from app.formatting import format_datetime
from app.navigation import same_site_path
from app.scope import Access, Reach, may, reach, reachable_unit_ids
from app.security import (
    LockedBy,
    SignInLock,
    clear_failed_sign_ins,
    record_failed_sign_in,
    sign_in_lock,
)
from app.units.models import Unit
from app.units.queries import unit_by_code
from app.users.forms import (
    AccountForm,
    ChangePasswordForm,
    ConfirmForm,
    LoginForm,
    NewUserForm,
    UserForm,
)
from app.users.models import User
from app.users.operations import (
    UserError,
    activate_user,
    create_user,
    deactivate_user,
    normalise_username,
    record_login,
    reset_password,
    set_email,
    set_password,
    update_user,
)
from app.users.passwords import verify_password
from app.users.queries import administered_users, user_by_username
from app.users.roles import ROLE_LABELS


def _form_status(form) -> int:
    """Refused input is answered 422, so the boundary rolls back and clients can tell."""
    return 422 if form.errors else 200


def _lock_message(lock: SignInLock) -> str:
    # Shown to the minute, rounded up: at the time said, signing in works again.
    until = format_datetime(_next_minute(lock.until), current_app.config["TIMEZONE"])
    if lock.locked_by is LockedBy.ADDRESS:
        return _(
            "Too many failed sign-ins from your network. Signing in from it is blocked "
            "until %(time)s.",
            time=until,
        )
    return _(
        "Too many failed sign-ins with this user name. Signing in with it is blocked until "
        "%(time)s, or until your administrator resets your password.",
        time=until,
    )


def _next_minute(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


def login():
    """Unknown user names and wrong passwords get one message and the same work (a dummy
    hash is checked), and both count towards the lockout of the name and of the address
    (app.security): the answers never tell which user names exist."""
    if current_user.is_authenticated:
        return redirect(url_for("units.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = normalise_username(form.username.data)
        # Behind a reverse proxy this is the client's address only when TRUSTED_PROXY_COUNT
        # says how many proxies there are (docs/security.md).
        address = request.remote_addr or ""
        now = utcnow()
        lock = sign_in_lock(username, address, now)
        if lock is None:
            user = user_by_username(username)
            if not verify_password(user.password_hash if user else None, form.password.data):
                form.password.errors.append(_("Wrong user name or password."))
                lock = record_failed_sign_in(username, address, now)
            elif not user.active:
                form.username.errors.append(
                    _("This account is deactivated. Ask your administrator to reactivate it.")
                )
            else:
                clear_failed_sign_ins(username)
                login_user(user, remember=form.remember.data)
                # Permanent: the session cookie ends PERMANENT_SESSION_LIFETIME after the
                # last request instead of living as long as the browser.
                session.permanent = True
                record_login(user)
                next_page = same_site_path(request.args.get("next"))
                return redirect(next_page or url_for("units.index"))
        if lock is not None:
            form.password.errors.append(_lock_message(lock))
    return render_template("auth/login.html", form=form), _form_status(form)


@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("users.login"))


@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            try:
                set_password(current_user, form.new_password.data)
            except UserError as error:
                form.new_password.errors.append(error.message)
            else:
                # The session id holds the password version: renew it for this browser.
                login_user(current_user._get_current_object())
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("units.index"))
    return render_template("auth/change_password.html", form=form), _form_status(form)


@login_required
def account():
    """The user's own account: who they are, and the e-mail address they choose."""
    form = AccountForm(obj=current_user)
    if form.validate_on_submit():
        try:
            set_email(current_user, form.email.data or "")
        except UserError as error:
            form.email.errors.append(error.message)
        else:
            flash(_("Your account has been saved."), "success")
            return redirect(url_for("users.account"))
    return render_template("users/account.html", form=form), _form_status(form)


def _require_user_admin() -> None:
    if reach(current_user, Access.ADMINISTER) is Reach.NONE:
        abort(403)


def _administered_user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not may(current_user, Access.ADMINISTER, user.unit):
        abort(403)
    return user


def _unit_options() -> list[Unit]:
    return list(
        db.session.scalars(
            db.select(Unit)
            .where(Unit.id.in_(reachable_unit_ids(current_user, Access.ADMINISTER)))
            .order_by(Unit.code)
        )
    )


def _unit_from_form(form: UserForm) -> Unit | None:
    unit = unit_by_code(form.unit_code.data.strip())
    if unit is None or not may(current_user, Access.ADMINISTER, unit):
        form.unit_code.errors.append(
            _(
                "No unit with code “%(code)s” among the units you administer.",
                code=form.unit_code.data.strip(),
            )
        )
        return None
    return unit


@login_required
def list_users():
    _require_user_admin()
    text = request.args.get("q", "")
    role = request.args.get("role", "")
    page = db.paginate(
        administered_users(current_user, text, role),
        per_page=current_app.config["PER_PAGE"],
    )
    return render_template(
        "users/list.html", page=page, text=text, role=role, role_labels=ROLE_LABELS
    )


@login_required
def new_user():
    _require_user_admin()
    form = NewUserForm()
    if form.validate_on_submit():
        unit = _unit_from_form(form)
        if unit is not None:
            try:
                user, password = create_user(
                    username=form.username.data,
                    role=form.role.data,
                    unit=unit,
                    full_name=form.full_name.data or "",
                    email=form.email.data or "",
                )
            except UserError as error:
                getattr(form, error.field or "username").errors.append(error.message)
            else:
                return render_template(
                    "users/password_issued.html", user=user, password=password, created=True
                )
    return render_template(
        "users/form.html", form=form, user=None, unit_options=_unit_options()
    ), _form_status(form)


@login_required
def edit_user(user_id: int):
    _require_user_admin()
    user = _administered_user_or_404(user_id)
    form = UserForm(obj=user, unit_code=user.unit.code)
    if form.validate_on_submit():
        unit = _unit_from_form(form)
        if (
            unit is not None
            and user.id == current_user.id
            and (form.role.data != user.role or unit.id != user.unit_id)
        ):
            form.role.errors.append(
                _("You cannot change your own role or unit; ask another administrator.")
            )
        elif unit is not None:
            try:
                update_user(
                    user,
                    full_name=form.full_name.data or "",
                    role=form.role.data,
                    unit=unit,
                    email=form.email.data or "",
                )
            except UserError as error:
                getattr(form, error.field or "role").errors.append(error.message)
            else:
                flash(
                    _("The account %(username)s has been saved.", username=user.username), "success"
                )
                return redirect(url_for("users.list_users"))
    return render_template(
        "users/form.html", form=form, user=user, unit_options=_unit_options()
    ), _form_status(form)


def _after_confirmation(user: User, act, *, title: str, explanation: str, danger: bool):
    """GET shows what will happen and changes nothing; a confirmed POST calls `act(user)`."""
    form = ConfirmForm()
    if form.validate_on_submit():
        return act(user)
    return render_template(
        "users/confirm.html",
        form=form,
        user=user,
        danger=danger,
        title=title,
        explanation=explanation,
    )


@login_required
def deactivate(user_id: int):
    _require_user_admin()
    user = _administered_user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "danger")
        return redirect(url_for("users.list_users"))

    def act(user: User):
        deactivate_user(user)
        flash(
            _(
                "The account %(username)s is deactivated; it can no longer sign in or use the API.",
                username=user.username,
            ),
            "success",
        )
        return redirect(url_for("users.list_users"))

    return _after_confirmation(
        user,
        act,
        danger=True,
        title=_("Deactivate account %(username)s?", username=user.username),
        explanation=_(
            "The user is signed out at once and their API tokens stop working. "
            "Their data stays; you can reactivate the account later."
        ),
    )


@login_required
def activate(user_id: int):
    _require_user_admin()
    user = _administered_user_or_404(user_id)

    def act(user: User):
        activate_user(user)
        flash(_("The account %(username)s is active again.", username=user.username), "success")
        return redirect(url_for("users.list_users"))

    return _after_confirmation(
        user,
        act,
        danger=False,
        title=_("Reactivate account %(username)s?", username=user.username),
        explanation=_("The user can sign in again with their current password."),
    )


@login_required
def reset_user_password(user_id: int):
    _require_user_admin()
    user = _administered_user_or_404(user_id)

    def act(user: User):
        password = reset_password(user)
        return render_template(
            "users/password_issued.html", user=user, password=password, created=False
        )

    return _after_confirmation(
        user,
        act,
        danger=True,
        title=_("Reset the password of %(username)s?", username=user.username),
        explanation=_(
            "A temporary password replaces the current one and the user is signed "
            "out everywhere. They must choose a new password at their next sign-in."
        ),
    )
