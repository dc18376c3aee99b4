"""Error answers: JSON with a message under /api/, a Vietnamese page everywhere else."""

from flask import Flask, abort, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, ServiceUnavailable

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in first."),
    403: _l("You do not have access to this page or unit."),
    404: _l("Not found. The address may be wrong or the item may have been removed."),
    405: _l("This action is not allowed here."),
    413: _l("The file is too large."),
    422: _l("Some of the data sent is not valid."),
    500: _l("Something went wrong on the server. Nothing was saved; please try again."),
    503: _l(
        "The database cannot be reached at the moment. Nothing was saved; please try again "
        "in a minute."
    ),
}

# Seconds a client is asked to wait before retrying after a 503.
RETRY_AFTER_SECONDS = 10


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _headers(error: HTTPException) -> dict[str, str]:
    """Headers the answer must carry: those given to abort(), and Allow on a 405."""
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers", {}))
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return headers


def json_error(error: HTTPException):
    """flask-smorest's error shape ({code, status, message, errors?}), always with a message."""
    data = getattr(error, "data", None) or {}
    payload = {
        "code": error.code,
        "status": error.name,
        "message": str(data.get("message") or MESSAGES.get(error.code, error.description)),
    }
    errors = data.get("errors") or data.get("messages")
    if errors:
        payload["errors"] = errors
    return payload, error.code, _headers(error)


def handle_http_exception(error: HTTPException):
    if wants_json():
        return json_error(error)
    if isinstance(error, CSRFError):
        message = _l("The form has expired. Reload the page and try again.")
    else:
        data = getattr(error, "data", None) or {}
        message = data.get("message") or MESSAGES.get(error.code, error.description)
    page = render_template("errors/error.html", code=error.code, message=message)
    return page, error.code, _headers(error)


def handle_database_unavailable(error: OperationalError):
    """The database cannot be reached (restarting, stopped, or locked for too long): a 503
    the client may retry. Who is signed in cannot be read, so the page is drawn as for a
    visitor (its menu would otherwise ask the database again); the session is rolled back at
    teardown, and the next request uses a fresh connection (pool_pre_ping)."""
    current_app.logger.error("Database unavailable on %s: %s", request.path, error)
    g._login_user = current_app.login_manager.anonymous_user()
    body, code, headers = handle_http_exception(ServiceUnavailable())
    return body, code, {**headers, "Retry-After": str(RETRY_AFTER_SECONDS)}


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def refuse_nul_characters() -> None:
    """400 Bad Request for a NUL character (U+0000) in the address, its query, a form or a
    JSON body: no text of the application may hold one, and PostgreSQL refuses to store or
    even compare it (SQLite would, silently), which made such a request a 500 there."""
    if (
        "\x00" in request.path
        or _holds_nul(list(request.args.items(multi=True)))
        or _holds_nul(list(request.form.items(multi=True)))
        or _holds_nul([upload.filename or "" for upload in request.files.values()])
        or (request.is_json and _holds_nul(request.get_json(silent=True)))
    ):
        abort(400)


def register_error_handlers(app: Flask) -> None:
    # Uncaught exceptions reach this handler as InternalServerError after Flask has logged
    # them; the session is rolled back at teardown.
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.before_request(refuse_nul_characters)
