"""Jinja filters: the pure formatters of app.formatting, fed the current locale and zone."""

from flask import Flask, current_app
from flask_babel import get_locale

from app.formatting import format_date, format_datetime, format_number, format_percent
from app.units.kinds import kind_label
from app.users.roles import role_label


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = lambda value: format_number(value, str(get_locale()))
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = lambda value: format_datetime(
        value, current_app.config["TIMEZONE"]
    )
    app.jinja_env.filters["kind_label"] = kind_label
    app.jinja_env.filters["role_label"] = role_label
    # A fraction as a percent: 0.5 → "50%", 0.8289 → "82,89%" (Vietnamese).
    app.jinja_env.filters["percent"] = lambda value, digits=2: format_percent(
        value, str(get_locale()), digits
    )
