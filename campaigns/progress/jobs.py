"""The scheduled job "progress.reminders": at a campaign's reminder time, an e-mail to the
people of every unit that has entered no figure for the day yet (README, "Scheduler and
e-mail")."""

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.formatting import format_date
from app.outbox.delivery import mail_problem
from app.outbox.links import external_url
from app.outbox.operations import enqueue_email
from app.scheduler import ScheduledJob, claim_run
from app.scope import REACH, Access
from app.units.models import Unit
from app.users.models import User
from campaigns.models import Campaign, CampaignStatus
from campaigns.progress.queries import day_reports, reporting_units
from campaigns.progress.rules import deadline

REMINDER_JOB_ID = "progress.reminders"
# The roles that enter a unit's figures; a viewer could not act on a reminder.
REMINDED_ROLES = sorted({role for role, access in REACH if access == Access.WRITE})


def send_reminders(now: datetime) -> None:
    """E-mail the units with no figures for today once the campaign's reminder time passed."""
    if mail_problem() is not None:
        # Queued now, reminders would go out whenever e-mail is set up, about a day long gone.
        return
    local = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    statement = (
        select(Campaign)
        .where(
            Campaign.status == CampaignStatus.ACTIVE,
            Campaign.reminder_time.is_not(None),
            Campaign.start_date <= local.date(),
            Campaign.end_date >= local.date(),
        )
        .order_by(Campaign.code)
    )
    for campaign in db.session.scalars(statement):
        if local.time() >= campaign.reminder_time and claim_run(
            REMINDER_JOB_ID, f"{campaign.code}/{local.date().isoformat()}"
        ):
            remind(campaign, local.date(), now)


def remind(campaign: Campaign, day: date, now: datetime) -> int:
    """Queue the reminders of one campaign and day; returns how many."""
    reporters = reporting_units(campaign)
    reports = day_reports(campaign, [day], reporters)
    silent = {unit.id: unit for unit, _indicators in reporters if reports[(unit.id, day)].missing}
    due = deadline(day, campaign.entry_deadline, current_app.config["TIMEZONE"])
    users = reminded_users(silent)
    for user in users:
        unit = silent[user.unit_id]
        subject, body = reminder_text(campaign, unit, user, day, past_deadline=now > due)
        enqueue_email(
            user.email,
            subject,
            body,
            dedupe_key=f"{REMINDER_JOB_ID}/{campaign.code}/{day.isoformat()}/{user.id}",
            now=now,
        )
    return len(users)


def reminded_users(unit_ids: Sequence[int]) -> list[User]:
    """The active users with an e-mail address who enter the figures of these units."""
    statement = (
        select(User)
        .where(
            User.unit_id.in_(sorted(unit_ids)),
            User.active,
            User.email != "",
            User.role.in_(REMINDED_ROLES),
        )
        .order_by(User.id)
    )
    return list(db.session.scalars(statement))


def reminder_text(
    campaign: Campaign, unit: Unit, user: User, day: date, *, past_deadline: bool
) -> tuple[str, str]:
    """The subject and body of a reminder, in the default language."""
    values = {
        "campaign": campaign.name,
        "unit": unit.name,
        "day": format_date(day),
        "time": campaign.entry_deadline.strftime("%H:%M"),
    }
    subject = _("%(campaign)s: no figures from %(unit)s for %(day)s yet", **values)
    if past_deadline:
        when = _(
            "The deadline (%(time)s) has passed; figures entered now are marked late.",
            time=values["time"],
        )
    else:
        when = _("Please enter them before %(time)s today.", time=values["time"])
    link = external_url(
        "progress.entry", code=campaign.code, unit_code=unit.code, date=day.isoformat()
    )
    body = "\n\n".join(
        (
            _("Hello %(name)s,", name=user.full_name or user.username),
            _(
                "%(unit)s has not entered any figures for %(day)s in the campaign "
                "“%(campaign)s” yet.",
                **values,
            )
            + " "
            + when,
            _("Enter them here: %(link)s", link=link),
            _(
                "Tiến độ sent this reminder automatically, to the people who enter the figures "
                "of %(unit)s.",
                **values,
            ),
        )
    )
    return subject, body


REMINDER_JOB = ScheduledJob(REMINDER_JOB_ID, 60, send_reminders)
