"""Error answers: JSON with a message under /api/, a Vietnamese page everywhere else."""

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in first."),
    403: _l("You do not have access to this page or unit."),
    404: _l("Not found. The address may be wrong or the item may have been removed."),
    405: _l("This action is not allowed here."),
    413: _l("The file is too large."),
    422: _l("Some of the data sent is not valid."),
    500: _l("Something went wrong on the server. Nothing was saved; please try again."),
}


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


def register_error_handlers(app: Flask) -> None:
    # Uncaught exceptions reach this handler as InternalServerError after Flask has logged
    # them; the session is rolled back at teardown.
    app.register_error_handler(HTTPException, handle_http_exception)
