"""Reminders (job "progress.reminders"): from the campaign's reminder time (15:30 in Ho Chi
Minh City by default), one e-mail to each person who enters the figures of a unit with no
figure at all for the day yet; once a day (README, "Scheduler and e-mail")."""

from datetime import date, time

import pytest
from sqlalchemy import select

from app.db import db
from app.outbox.models import OutgoingMessage
from app.scheduler import JobRun, run_jobs
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.queries import campaign_by_code
from tests.factories import (
    enter_figures_for_test,
    local_moment,
    make_campaign,
    make_indicator,
    make_user,
)
from tests.servers import smtp_server

MAIL = {"MAIL_SERVER": "127.0.0.1", "MAIL_SENDER": "tiendo@stttt.example.vn"}
BASE_URL = "https://tiendo.example.vn"

# user name: e-mail address. The campaign's indicators are reported by the communes C11, C12
# and C21 (world: P1 > D1 > C11, C12; P1 > D2 > C21).
ADDRESSES = {
    "admin": "p1@example.vn",  # admin of P1, the owner: reports nothing itself
    "manager": "d1@example.vn",  # manager of D1, a district: reports nothing itself
    "reporter": "c11@example.vn",  # reporter of C11
    "reporter2": "",  # reporter of C12, no address
    "xa12": "c12@example.vn",  # manager of C12
    "xem12": "xem12@example.vn",  # viewer of C12: enters nothing
    "retired": "retired@example.vn",  # reporter of C21, deactivated
    "xa21": "c21@example.vn",  # reporter of C21
}


@pytest.fixture
def mailing(make_app, world):
    """An application that may send e-mail, with the campaign CD92 (01/06–31/08/2022,
    reminders at 15:30, deadline 16:30) whose two indicators the communes report."""
    application = make_app(**MAIL, BASE_URL=BASE_URL)
    with application.app_context():
        make_user("xa12", "manager", "C12")
        make_user("xem12", "viewer", "C12")
        make_user("xa21", "reporter", "C21")
        for username, address in ADDRESSES.items():
            user_by_username(username).email = address
        campaign = make_campaign(status=CampaignStatus.ACTIVE)
        make_indicator(campaign, "ONLINE", unit_kinds=("commune",))
        make_indicator(campaign, "MEETINGS", kind="count", unit_kinds=("commune",))
        db.session.commit()
    return application


def remind_at(application, local: str) -> None:
    assert run_jobs(application, local_moment(local), only="progress.reminders") == []


def reminded(application, day: str) -> list[str]:
    with application.app_context():
        keys = db.session.execute(
            select(OutgoingMessage.recipient).where(
                OutgoingMessage.dedupe_key.like(f"progress.reminders/CD92/{day}/%")
            )
        )
        return sorted(keys.scalars())


def claims(application) -> list[str]:
    with application.app_context():
        return sorted(db.session.scalars(select(JobRun.run_key)))


def test_units_without_figures_are_reminded_once_from_the_reminder_time(mailing):
    with mailing.app_context():
        # C11 entered one of its two indicators in the morning: it has figures for the day.
        enter_figures_for_test(
            campaign_by_code("CD92"),
            {("C11", "ONLINE", date(2022, 6, 10)): (5, 10)},
            at="2022-06-10 10:00",
        )
        db.session.commit()

    remind_at(mailing, "2022-06-10 15:29")
    assert reminded(mailing, "2022-06-10") == []
    assert claims(mailing) == []

    remind_at(mailing, "2022-06-10 15:30")
    # C12: its manager (its reporter has no address, its viewer enters nothing);
    # C21: its active reporter. Not C11 (reported), D1 and P1 (report nothing themselves).
    assert reminded(mailing, "2022-06-10") == ["c12@example.vn", "c21@example.vn"]

    remind_at(mailing, "2022-06-10 15:31")
    remind_at(mailing, "2022-06-10 23:59")
    assert reminded(mailing, "2022-06-10") == ["c12@example.vn", "c21@example.vn"]
    assert claims(mailing) == ["CD92/2022-06-10"]


def test_each_day_has_its_own_reminder(mailing):
    remind_at(mailing, "2022-06-10 15:31")
    remind_at(mailing, "2022-06-11 15:29")
    assert reminded(mailing, "2022-06-11") == []
    remind_at(mailing, "2022-06-11 15:31")
    assert reminded(mailing, "2022-06-11") == [
        "c11@example.vn",
        "c12@example.vn",
        "c21@example.vn",
    ]
    assert claims(mailing) == ["CD92/2022-06-10", "CD92/2022-06-11"]


def test_the_day_is_the_local_one(mailing):
    # 23:59 on 10/06 in Ho Chi Minh City is 16:59 UTC: still the 10th's reminder.
    remind_at(mailing, "2022-06-10 23:59")
    assert claims(mailing) == ["CD92/2022-06-10"]
    # 00:01 on the 11th is 17:01 UTC on the 10th: the 11th's reminder time is not there yet.
    remind_at(mailing, "2022-06-11 00:01")
    assert claims(mailing) == ["CD92/2022-06-10"]


def test_the_reminder_names_the_campaign_the_unit_the_day_and_the_deadline(mailing):
    remind_at(mailing, "2022-06-10 15:30")
    with mailing.app_context():
        [message] = db.session.scalars(
            select(OutgoingMessage).where(OutgoingMessage.recipient == "c12@example.vn")
        )
        assert message.channel == "email"
        assert message.status == "pending"
        assert message.next_attempt_at == local_moment("2022-06-10 15:30")
    assert "Chiến dịch CD92" in message.subject
    assert "Xã Đức Quang" in message.subject
    assert "10/06/2022" in message.subject
    for text in ("Chiến dịch CD92", "Xã Đức Quang", "10/06/2022", "16:30"):
        assert text in message.body
    assert f"{BASE_URL}/campaigns/CD92/progress/units/C12?date=2022-06-10" in message.body


def test_the_link_keeps_the_path_of_the_base_url(make_app, world):
    application = make_app(**MAIL, BASE_URL="https://portal.example.vn/tiendo/")
    with application.app_context():
        user_by_username("reporter").email = "c11@example.vn"
        campaign = make_campaign(status=CampaignStatus.ACTIVE)
        make_indicator(campaign, "ONLINE", unit_kinds=("commune",))
        db.session.commit()
    remind_at(application, "2022-06-10 15:30")
    with application.app_context():
        body = db.session.scalar(select(OutgoingMessage.body))
    assert "https://portal.example.vn/tiendo/campaigns/CD92/progress/units/C11?date=" in body


@pytest.mark.parametrize(
    ("change", "local"),
    [
        ({"status": CampaignStatus.DRAFT}, "2022-06-10 15:31"),
        ({"status": CampaignStatus.CLOSED}, "2022-06-10 15:31"),
        ({"reminder_time": None}, "2022-06-10 23:59"),
        ({}, "2022-05-31 15:31"),  # the day before the first day
        ({}, "2022-09-01 15:31"),  # the day after the last day
    ],
)
def test_no_reminder_outside_an_active_campaign_with_a_reminder_time(mailing, change, local):
    with mailing.app_context():
        campaign = campaign_by_code("CD92")
        for key, value in change.items():
            setattr(campaign, key, value)
        db.session.commit()
    remind_at(mailing, local)
    assert claims(mailing) == []


def test_the_first_and_last_days_have_reminders(mailing):
    remind_at(mailing, "2022-06-01 15:31")
    remind_at(mailing, "2022-08-31 15:31")
    assert claims(mailing) == ["CD92/2022-06-01", "CD92/2022-08-31"]


def test_a_later_reminder_time_is_kept(mailing):
    with mailing.app_context():
        campaign_by_code("CD92").reminder_time = time(17, 0)
        db.session.commit()
    remind_at(mailing, "2022-06-10 16:59")
    assert claims(mailing) == []
    remind_at(mailing, "2022-06-10 17:00")
    assert claims(mailing) == ["CD92/2022-06-10"]


def test_without_e_mail_nothing_is_queued_or_claimed(app, world):
    with app.app_context():
        user_by_username("reporter").email = "c11@example.vn"
        campaign = make_campaign(status=CampaignStatus.ACTIVE)
        make_indicator(campaign, "ONLINE", unit_kinds=("commune",))
        db.session.commit()
    remind_at(app, "2022-06-10 15:31")  # MAIL_SERVER is empty in the test configuration
    assert claims(app) == []
    assert reminded(app, "2022-06-10") == []


def test_a_tick_sends_the_reminders_to_the_mail_server(make_app, world):
    with smtp_server() as sink:
        application = make_app(**MAIL, MAIL_PORT=sink.port, BASE_URL=BASE_URL)
        with application.app_context():
            user_by_username("reporter").email = "c11@example.vn"
            campaign = make_campaign(status=CampaignStatus.ACTIVE)
            make_indicator(campaign, "ONLINE", unit_kinds=("commune",))
            db.session.commit()
        result = application.test_cli_runner().invoke(
            args=["scheduler", "tick", "--now", "2022-06-10T15:30"]
        )
        assert result.exit_code == 0, result.output
        [received] = sink.received
    assert received.recipients == ["c11@example.vn"]
    assert "Xã Đức Trung" in received.message["Subject"]
