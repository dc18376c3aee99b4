"""URLs of sign-in, own account and user administration."""

from flask import Blueprint

from app.users import controllers

bp = Blueprint("users", __name__)

bp.add_url_rule("/login", "login", controllers.login, methods=("GET", "POST"))
bp.add_url_rule("/logout", "logout", controllers.logout, methods=("POST",))
bp.add_url_rule("/account", "account", controllers.account, methods=("GET", "POST"))
bp.add_url_rule(
    "/account/password", "change_password", controllers.change_password, methods=("GET", "POST")
)
bp.add_url_rule("/admin/users/", "list_users", controllers.list_users)
bp.add_url_rule("/admin/users/new", "new_user", controllers.new_user, methods=("GET", "POST"))
bp.add_url_rule(
    "/admin/users/<int:user_id>", "edit_user", controllers.edit_user, methods=("GET", "POST")
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/deactivate",
    "deactivate",
    controllers.deactivate,
    methods=("GET", "POST"),
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/activate", "activate", controllers.activate, methods=("GET", "POST")
)
bp.add_url_rule(
    "/admin/users/<int:user_id>/reset-password",
    "reset_password",
    controllers.reset_user_password,
    methods=("GET", "POST"),
)
