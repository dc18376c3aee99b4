"""Command-line groups of `flask --app app ...`."""

from flask import Flask

from app.backup import backup_command, restore_command
from app.demo import demo_command
from app.outbox.cli import outbox_cli
from app.scheduler.cli import scheduler_cli
from app.units.cli import units_cli
from app.users.cli import users_cli


def init_app(app: Flask) -> None:
    app.cli.add_command(units_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
