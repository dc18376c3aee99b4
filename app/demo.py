"""`flask --app app demo`: Bình Phước's units and one account per role, safe to run again.

Packages built on the core add their own demo data (the 92-day campaign...) with
`register_demo_step` in their `init_app`; the core cannot import them.
"""

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.db import db
from app.units.cli import import_or_report
from app.units.importing import UnitList, read_unit_file
from app.units.models import Unit
from app.units.queries import unit_by_code
from app.users.operations import activate_user, create_user, set_password, update_user
from app.users.passwords import verify_password
from app.users.queries import user_by_username

DATA_FOLDER = Path(__file__).parent / "data"
UNIT_FILES = ("binh_phuoc_2022.csv", "binh_phuoc_2022_agencies.csv")

# (user name, role, unit code, password, full name); printed by the command and in README.md.
DEMO_USERS = (
    ("admin", "admin", "70", "tiendo-admin", "Quản trị Sở TT&TT"),
    ("manager", "manager", "693", "tiendo-manager", "Cán bộ UBND huyện Bù Đốp"),
    ("reporter", "reporter", "25308", "tiendo-reporter", "Cán bộ thị trấn Thanh Bình"),
    ("viewer", "viewer", "70", "tiendo-viewer", "Lãnh đạo UBND tỉnh"),
)
# Each demo user's address is <user name>@tiendo.example: .example never receives mail.
DEMO_EMAIL_DOMAIN = "tiendo.example"


# A demo step loads its part of the demo after the units and users, inside the same command,
# and returns a line saying what it did. It must be safe to run again.
DemoStep = Callable[[], str]
_STEPS_KEY = "tiendo.demo_steps"


def register_demo_step(app: Flask, step: DemoStep) -> None:
    app.extensions.setdefault(_STEPS_KEY, []).append(step)


def demo_units() -> UnitList:
    """The shipped unit files as one list, imported in one transaction."""
    units = UnitList(rows=[])
    for name in UNIT_FILES:
        part = read_unit_file(DATA_FOLDER / name)
        units.rows += part.rows
        units.errors += part.errors
        units.rejected_codes |= part.rejected_codes
    return units


def load_demo() -> None:
    import_or_report(demo_units)
    for username, role, unit_code, password, full_name in DEMO_USERS:
        email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        unit = unit_by_code(unit_code)
        user = user_by_username(username)
        if user is None:
            create_user(
                username=username,
                role=role,
                unit=unit,
                password=password,
                full_name=full_name,
                email=email,
            )
            continue
        update_user(user, full_name=full_name, role=role, unit=unit, email=email)
        activate_user(user)
        if not verify_password(user.password_hash, password):
            set_password(user, password)
    db.session.commit()
    for step in current_app.extensions.get(_STEPS_KEY, []):
        click.echo(step())
        db.session.commit()


def demo_logins_work() -> bool:
    """Whether every demo account exists, is active and still has its demo password."""
    for username, _role, _unit_code, password, _full_name in DEMO_USERS:
        user = user_by_username(username)
        if user is None or not user.active or not verify_password(user.password_hash, password):
            return False
    return True


def print_logins() -> None:
    click.echo(_("Demo sign-ins (user name, password, role, unit):"))
    for username, role, unit_code, password, _full_name in DEMO_USERS:
        click.echo(f"  {username:<9} {password:<16} {role:<9} {unit_by_code(unit_code).name}")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only load when the database has no units yet")
def demo_command(if_empty: bool) -> None:
    """Load Bình Phước (1 province, 11 districts, 111 communes, agencies) and demo users."""
    if if_empty and db.session.scalar(select(func.count()).select_from(Unit)):
        click.echo(_("The database already holds units; the demo was not loaded again."))
    else:
        load_demo()
    if demo_logins_work():
        print_logins()
