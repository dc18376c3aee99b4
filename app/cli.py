"""Command-line groups of `flask --app app ...`."""

from flask import Flask

from app.demo import demo_command
from app.units.cli import units_cli
from app.users.cli import users_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(units_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
