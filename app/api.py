"""The JSON API under /api/v1: its OpenAPI generator and the bearer-token guard.

flask-smorest builds `/api/v1/openapi.json` from the blueprints, schemas and decorators, so
the document cannot drift from the code.
"""

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint, abort

from app.db import utcnow
from app.extensions import csrf
from app.users.operations import mark_token_used
from app.users.queries import api_token_by_plain

# What a token of the READ scope may send: requests that change nothing.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Api(SmorestApi):
    """flask-smorest without its app-wide error handler.

    It would answer every error of the application in JSON; `app.errors` answers JSON under
    /api/ and an HTML page everywhere else.
    """

    def _register_error_handlers(self) -> None:
        pass

    def register_blueprint(self, blp, **options) -> None:
        # Bearer tokens are never sent by a browser on its own, so forged cross-site requests
        # cannot carry one: API calls need no CSRF token.
        csrf.exempt(blp)
        super().register_blueprint(blp, **options)


api = Api()


class ApiBlueprint(Blueprint):
    """A blueprint whose every endpoint needs `Authorization: Bearer <token>`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(authenticate_bearer)


def _unauthorised(message: str):
    abort(401, message=message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


def authenticate_bearer() -> None:
    """Set `g.api_user` from the request's bearer token, or answer 401 saying what is wrong
    (403 when a read-only token asks to change something)."""
    header = request.headers.get("Authorization", "")
    if not header:
        _unauthorised(_("Send the header “Authorization: Bearer <token>”."))
    scheme, _separator, plain = header.partition(" ")
    if scheme.lower() != "bearer" or not plain.strip():
        _unauthorised(_("The Authorization header must read “Bearer <token>”."))
    token = api_token_by_plain(plain.strip())
    if token is None:
        _unauthorised(_("This token is not known."))
    if token.revoked_at is not None:
        _unauthorised(_("This token has been revoked."))
    if token.expires_at is not None and token.expires_at <= utcnow():
        _unauthorised(_("This token has expired."))
    if not token.user.active:
        _unauthorised(_("The account of this token is deactivated."))
    if request.method not in READ_METHODS and not token.may_write:
        abort(
            403,
            message=_("This token may only read; saving needs a token with the write scope."),
        )
    mark_token_used(token)
    g.api_user = token.user
