"""`flask --app app users ...`: accounts and API tokens from the command line."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.db import db
from app.units.queries import unit_by_code
from app.users.models import TokenScope, User
from app.users.operations import (
    UserError,
    create_user,
    issue_api_token,
    revoke_api_tokens,
    set_email,
)
from app.users.queries import user_by_username

users_cli = AppGroup("users", help="Manage user accounts and API tokens.")


def _existing_user(username: str) -> User:
    user = user_by_username(username)
    if user is None:
        raise click.ClickException(_("No user is called “%(username)s”.", username=username))
    return user


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="admin, manager, reporter or viewer")
@click.option("--unit", "unit_code", required=True, help="Code of the user's unit")
@click.option("--password", help="Without it, a temporary password is printed")
@click.option("--full-name", default="")
@click.option("--email", default="", help="Where briefings and reminders are sent")
def create(
    username: str, role: str, unit_code: str, password: str | None, full_name: str, email: str
) -> None:
    """Create a user bound to a unit with a role."""
    unit = unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(_("No unit has the code “%(code)s”.", code=unit_code))
    try:
        user, issued_password = create_user(
            username=username,
            role=role,
            unit=unit,
            password=password,
            full_name=full_name,
            email=email,
        )
    except UserError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(
        _(
            "Created %(username)s (%(role)s, %(unit)s).",
            username=user.username,
            role=user.role,
            unit=unit.name,
        )
    )
    if password is None:
        click.echo(
            _(
                "Temporary password (to change at first sign-in): %(password)s",
                password=issued_password,
            )
        )


@users_cli.command("set-email")
@click.argument("username")
@click.argument("address")
def set_email_command(username: str, address: str) -> None:
    """Set the address a user's briefings and reminders go to; "" removes it."""
    user = _existing_user(username)
    try:
        set_email(user, address)
    except UserError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    if user.email:
        click.echo(
            _(
                "E-mail address of %(username)s: %(email)s",
                username=user.username,
                email=user.email,
            )
        )
    else:
        click.echo(_("%(username)s has no e-mail address now.", username=user.username))


@users_cli.command("token")
@click.argument("username")
@click.option("--days", type=click.IntRange(min=1), help="Expire after this many days")
@click.option(
    "--scope",
    type=click.Choice([str(scope) for scope in TokenScope]),
    default=str(TokenScope.WRITE),
    show_default=True,
    help="read: GET requests only; write: also saves",
)
def token(username: str, days: int | None, scope: str) -> None:
    """Issue an API token; the token is the last line printed and is shown only once."""
    user = _existing_user(username)
    if not user.active:
        raise click.ClickException(_("The account %(username)s is deactivated.", username=username))
    api_token, plain = issue_api_token(user, valid_days=days, scope=TokenScope(scope))
    db.session.commit()
    click.echo(
        _(
            "Token #%(id)d for %(username)s; store it now, it cannot be shown again:",
            id=api_token.id,
            username=user.username,
        )
    )
    click.echo(plain)


@users_cli.command("revoke-token")
@click.argument("username")
@click.option("--id", "token_id", type=int, help="Only this token (default: all of the user's)")
def revoke_token(username: str, token_id: int | None) -> None:
    """Revoke a user's API tokens."""
    user = _existing_user(username)
    count = revoke_api_tokens(user, token_id)
    db.session.commit()
    if token_id is not None and count == 0:
        raise click.ClickException(
            _("%(username)s has no live token #%(id)d.", username=username, id=token_id)
        )
    click.echo(_("%(count)d token(s) revoked.", count=count))
