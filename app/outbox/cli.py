"""`flask --app app outbox ...`: look into the outbox and send a failed message again."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db, utcnow
from app.outbox.models import DeliveryStatus, OutgoingMessage
from app.outbox.operations import RetryError, retry_message

outbox_cli = AppGroup("outbox", help="E-mails and webhook calls waiting, sent or failed.")


@outbox_cli.command("list")
@click.option("--status", type=click.Choice([status.value for status in DeliveryStatus]))
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def list_messages(status: str | None, limit: int) -> None:
    """The newest messages: id, channel, status, attempts, next attempt, recipient, key,
    last error."""
    statement = select(OutgoingMessage).order_by(OutgoingMessage.id.desc()).limit(limit)
    if status is not None:
        statement = statement.where(OutgoingMessage.status == status)
    for message in db.session.scalars(statement):
        click.echo(
            f"{message.id:>6} {message.channel:<7} {message.status:<7} {message.attempts:>2} "
            f"{message.next_attempt_at:%Y-%m-%d %H:%M}Z {message.recipient} "
            f"{message.dedupe_key}"
        )
        if message.last_error and message.status != DeliveryStatus.SENT:
            click.echo(f"       {message.last_error}")


@outbox_cli.command("retry")
@click.argument("message_id", type=int)
def retry(message_id: int) -> None:
    """Send a failed message again at the next delivery, with a new round of attempts."""
    message = db.session.get(OutgoingMessage, message_id)
    if message is None:
        raise click.ClickException(_("No message has the id %(id)d.", id=message_id))
    try:
        retry_message(message, utcnow())
    except RetryError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Message %(id)d will be sent at the next delivery.", id=message_id))
