"""Flask-Login wiring: how a session finds its user, and the forced password change."""

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.db import db
from app.extensions import login_manager
from app.scope import Access, Reach, reach
from app.users.models import User

# Endpoints a user who must change a temporary password may still reach.
_ALLOWED_BEFORE_PASSWORD_CHANGE = {
    "users.change_password",
    "users.logout",
    "i18n.switch_language",
    "static",
    "bootstrap.static",
}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are "<user id>:<session version>"; a bumped version ends old sessions."""
    user_id, _separator, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def require_password_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE
        and not request.path.startswith("/api/")
    ):
        flash(_("Please choose your own password before you continue."), "warning")
        return redirect(url_for("users.change_password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "users.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    app.before_request(require_password_change)
    app.context_processor(navigation_rights)


def navigation_rights() -> dict[str, bool]:
    return {"may_administer_users": reach(current_user, Access.ADMINISTER) is not Reach.NONE}
