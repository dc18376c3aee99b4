"""Language: Vietnamese by default, English on request; chosen per browser session."""

from flask import (
    Blueprint,
    Flask,
    current_app,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import get_locale

from app.extensions import babel
from app.navigation import same_site_path

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the configured default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    if request.path.startswith("/api/"):
        # API clients say what they want in Accept-Language; pages default to Vietnamese.
        return (
            request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/language/<code>")
def switch_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["language"] = code
    return redirect(same_site_path(request.args.get("next")) or url_for("units.index"))


def init_app(app: Flask) -> None:
    babel.init_app(
        app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"]
    )
    app.register_blueprint(bp)
    app.jinja_env.globals["current_language"] = lambda: str(get_locale())
