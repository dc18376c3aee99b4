"""Delivery of a published briefing: the e-mail each subscriber receives (through a real SMTP
server, aiosmtpd) with the chat text, the link to the page and the .docx notice; the JSON the
campaign's webhook receives (a real HTTP server); who the subscribers are; publishing once,
and a correction delivered again; share links that expire and can be revoked.

The campaign and its figures are in tests/briefing_data.py.
"""

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta

import docx
import pytest
from sqlalchemy import func, select

from app.db import db, utcnow
from app.outbox.delivery import deliver_due
from app.outbox.models import OutgoingMessage
from app.units.models import Unit
from app.users.models import User
from targets.briefings.delivery import api_json
from targets.briefings.models import Briefing, BriefingShareLink, BriefingSubscription
from targets.briefings.operations import (
    BriefingError,
    add_item,
    draft_daily_briefing,
    drop_item,
    edit_draft,
    publish,
)
from targets.briefings.sharing import (
    briefing_by_share_token,
    create_share_link,
    revoke_share_link,
)
from targets.briefings.subscriptions import is_subscribed, subscribe, subscribers, unsubscribe
from tests.briefing_data import DAY, DRAFTED, PUBLISHED, make_briefing_campaign
from tests.factories import enter_figures_for_test, make_user
from tests.servers import http_server

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE = "http://127.0.0.1:5000/campaigns/CD92/briefings/2022-06-10/v1"  # BASE_URL of the tests
FILES = "http://127.0.0.1:5000/api/v1/campaigns/CD92/briefings/2022-06-10/v1"
# Readers of the campaign: (user name, role, unit, e-mail, active, subscribed).
READERS = (
    ("lanhdao", "viewer", "T", "lanh.dao@example.vn", True, True),
    ("admin9", "admin", "T", "admin9@example.vn", True, True),
    ("lanhdao2", "viewer", "T", "LANH.DAO@example.vn", True, True),  # the same address
    ("khongthu", "viewer", "T", "", True, True),  # no address
    ("nghihuu", "viewer", "T", "nghi.huu@example.vn", False, True),  # deactivated
    ("huyen1", "manager", "H1", "huyen1@example.vn", True, True),  # may not read T
    ("khongdk", "viewer", "T", "khong.dk@example.vn", True, False),  # not subscribed
)


def make_readers(campaign) -> dict[str, User]:
    users = {}
    for username, role, unit, email, active, subscribed in READERS:
        user = make_user(username, role, unit, active=active)
        user.email = email
        if subscribed:
            subscribe(campaign, user)
        users[username] = user
    db.session.flush()
    return users


def draft_briefing(**settings) -> Briefing:
    campaign = make_briefing_campaign(**settings)
    briefing, _made = draft_daily_briefing(campaign, DAY, user=None, now=DRAFTED)
    edit_draft(briefing, directions="Các huyện đôn đốc xã báo cáo đầy đủ.", number="12")
    return briefing


def deliver():
    """Run the outbox's delivery job now (messages are due from the moment they are queued)."""
    return deliver_due(utcnow())


def outbox() -> dict[str, OutgoingMessage]:
    db.session.expire_all()
    return {message.dedupe_key: message for message in db.session.scalars(select(OutgoingMessage))}


# --- subscriptions ---------------------------------------------------------------------------


def test_subscribers_are_active_readers_of_the_owner_with_an_address_once_each(app_context):
    campaign = make_briefing_campaign()
    users = make_readers(campaign)

    assert [user.username for user in subscribers(campaign)] == ["lanhdao", "admin9"]

    users["huyen1"].unit_id = users["lanhdao"].unit_id  # moved up to the province
    users["nghihuu"].active = True
    users["khongthu"].email = "khong.thu@example.vn"

    assert [user.username for user in subscribers(campaign)] == [
        "lanhdao",
        "admin9",
        "khongthu",
        "nghihuu",
        "huyen1",
    ]


def test_subscribing_twice_is_one_subscription_and_unsubscribing_ends_it(app_context):
    campaign = make_briefing_campaign()
    user = make_user("lanhdao", "viewer", "T")
    assert not is_subscribed(campaign, user)

    subscribe(campaign, user)
    subscribe(campaign, user)

    assert is_subscribed(campaign, user)
    count = select(func.count()).select_from(BriefingSubscription)
    assert db.session.scalar(count) == 1

    unsubscribe(campaign, user)

    assert not is_subscribed(campaign, user)
    assert db.session.scalar(count) == 0
    unsubscribe(campaign, user)  # again: nothing to do


# --- e-mail ----------------------------------------------------------------------------------


def test_a_publication_reaches_each_subscriber_with_the_text_the_link_and_the_notice(mail):
    briefing = draft_briefing()
    users = make_readers(briefing.campaign)
    db.session.commit()

    publish(briefing, user=None, now=PUBLISHED)
    db.session.commit()

    queued = outbox()
    assert set(queued) == {
        f"briefing:{briefing.id}:email:{users['lanhdao'].id}",
        f"briefing:{briefing.id}:email:{users['admin9'].id}",
    }
    assert not mail.received  # queued with the publication, sent by the delivery job

    counts = deliver()

    assert (counts.sent, counts.retrying, counts.failed) == (2, 0, 0)
    assert sorted(r for received in mail.received for r in received.recipients) == [
        "admin9@example.vn",
        "lanh.dao@example.vn",
    ]
    email = mail.received[0].message
    assert email["Subject"] == "[Tiến độ] Điểm tin CD92 ngày 10/06/2022"
    body = email.get_body(("plain",)).get_content().rstrip("\n")
    lines = body.splitlines()
    assert lines[0] == f"Chiến dịch 92 ngày – {briefing.content['title']} – Ngày 2/22, còn 20 ngày"
    assert (
        "- Tỷ lệ hồ sơ trực tuyến: 96,89% (chỉ tiêu 50%), +50,9 điểm % so với hôm qua, "
        "đúng tiến độ" in lines
    )
    assert "Chỉ đạo:" in lines
    assert lines[-1] == f"Xem điểm tin: {PAGE}"
    [attachment] = email.iter_attachments()
    assert attachment.get_filename() == "diem-tin-CD92-20220610-v1.docx"
    assert attachment.get_content_type() == DOCX
    notice = docx.Document(io.BytesIO(attachment.get_content()))
    assert notice.tables[0].rows[1].cells[0].text == "Số: 12/TB-STTTT"
    assert "THÔNG BÁO" in [paragraph.text for paragraph in notice.paragraphs]


def test_publishing_twice_is_refused_and_sends_nothing_more(mail):
    briefing = draft_briefing()
    make_readers(briefing.campaign)
    publish(briefing, user=None, now=PUBLISHED)
    db.session.commit()

    with pytest.raises(BriefingError):
        publish(briefing, user=None, now=PUBLISHED + timedelta(hours=1))
    db.session.rollback()
    deliver()

    assert len(outbox()) == 2
    assert len(mail.received) == 2
    assert deliver().sent == 0


def test_a_correction_is_delivered_again_under_keys_of_its_own(mail):
    briefing = draft_briefing()
    users = make_readers(briefing.campaign)
    publish(briefing, user=None, now=PUBLISHED)
    db.session.commit()
    deliver()
    # X22 enters its figures late: the province's day is now 891/920 = 96,85%.
    enter_figures_for_test(
        briefing.campaign, {("X22", "ONLINE", DAY): (19, 20)}, at="2022-06-11 09:00"
    )
    corrected_at = PUBLISHED + timedelta(hours=3)
    correction, _made = draft_daily_briefing(briefing.campaign, DAY, user=None, now=corrected_at)
    publish(correction, user=None, now=corrected_at)
    db.session.commit()

    assert correction.version == 2
    assert set(outbox()) == {
        f"briefing:{version.id}:email:{users[name].id}"
        for version in (briefing, correction)
        for name in ("lanhdao", "admin9")
    }

    deliver()

    assert len(mail.received) == 4
    corrected = [r.message for r in mail.received[2:]]
    assert {email["Subject"] for email in corrected} == {
        "[Tiến độ] Điểm tin CD92 ngày 10/06/2022 (đính chính lần 1)"
    }
    body = corrected[0].get_body(("plain",)).get_content()
    assert "Tỷ lệ hồ sơ trực tuyến (trong ngày): 96,89% → 96,85%" in body.splitlines()
    assert body.rstrip("\n").endswith(f"Xem điểm tin: {PAGE[:-1]}2")
    [attachment] = corrected[0].iter_attachments()
    assert attachment.get_filename() == "diem-tin-CD92-20220610-v2.docx"


def test_without_subscribers_or_webhook_nothing_is_queued(app_context):
    briefing = draft_briefing()

    publish(briefing, user=None, now=PUBLISHED)

    assert outbox() == {}


# --- the webhook and the API's JSON ----------------------------------------------------------


def test_the_webhook_receives_the_briefing_as_the_api_gives_it(app_context):
    with http_server() as web:
        briefing = draft_briefing(webhook_url=web.url)
        publish(briefing, user=None, now=PUBLISHED)
        db.session.commit()
        assert set(outbox()) == {f"briefing:{briefing.id}:webhook"}

        assert deliver().sent == 1

    [request] = web.requests
    payload = json.loads(request.body)
    assert payload == api_json(briefing)
    assert {key: payload[key] for key in ("date", "version", "status", "number")} == {
        "date": "2022-06-10",
        "version": 1,
        "status": "published",
        "number": "12",
    }
    assert payload["links"] == {
        "xlsx": f"{FILES}.xlsx",
        "docx": f"{FILES}.docx",
        "txt": f"{FILES}.txt",
    }
    assert payload["url"] == PAGE
    assert payload["published_at"] == "2022-06-11T00:45:00+00:00"
    assert payload["campaign"] == {"code": "CD92", "name": "Chiến dịch 92 ngày"}
    assert payload["directions"] == "Các huyện đôn đốc xã báo cáo đầy đủ."
    codes = {unit.id: unit.code for unit in db.session.scalars(select(Unit))}
    for section in ("praise", "criticism"):
        items = [item for item in briefing.items if item.section == section]
        assert payload[section] == [
            {"unit": codes[item.unit_id], "reason": item.reason, "text": item.text}
            for item in items
        ]
    assert {"unit": "X11", "reason": "top_of_group"} in [
        {key: line[key] for key in ("unit", "reason")} for line in payload["praise"]
    ]
    assert [line["unit"] for line in payload["criticism"] if line["reason"] == "overdue_task"] == [
        "X12"
    ]
    online = payload["indicators"][0]
    assert online["code"] == "ONLINE"
    assert (online["numerator"], online["denominator"], online["target"]) == (872, 900, 0.5)
    assert online["value"] == pytest.approx(872 / 900)
    assert online["campaign_value"] == pytest.approx(1332 / 1900)
    assert online["on_track"] is True
    assert payload["not_reported"] == [{"unit": "X22", "name": "Xã Hai Hai"}]


def test_the_api_json_of_a_draft_has_no_publication_and_no_dropped_lines(app_context):
    briefing = draft_briefing()
    missing = next(item for item in briefing.items if item.reason == "missing_report")
    drop_item(missing, note="Xã đã báo cáo qua điện thoại")
    add_item(briefing, section="criticism", unit=None, text="Các xã cần báo cáo trước 16:30.")

    payload = api_json(briefing)

    assert (payload["status"], payload["published_at"]) == ("draft", None)
    assert {"unit": "X22", "reason": "missing_report", "text": missing.text} not in payload[
        "criticism"
    ]
    assert payload["criticism"][-1] == {
        "unit": None,
        "reason": "directed",
        "text": "Các xã cần báo cáo trước 16:30.",
    }
    json.dumps(payload)  # plain JSON, as the webhook sends it


# --- share links -----------------------------------------------------------------------------


def test_a_share_link_opens_its_version_until_it_expires(app_context):
    briefing = draft_briefing()
    admin = make_user("admin9", "admin", "T")
    with pytest.raises(BriefingError):
        create_share_link(briefing, user=admin, now=PUBLISHED)  # a draft is not shared
    publish(briefing, user=admin, now=PUBLISHED)

    token = create_share_link(briefing, user=admin, days=7, now=PUBLISHED)

    [link] = db.session.scalars(select(BriefingShareLink))
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash and len(token) >= 43  # 256 random bits
    assert link.expires_at == PUBLISHED + timedelta(days=7)
    assert link.created_by_id == admin.id
    just_before = link.expires_at - timedelta(seconds=1)
    assert briefing_by_share_token(token, now=just_before) is briefing
    assert briefing_by_share_token(token, now=link.expires_at) is None
    assert briefing_by_share_token(token + "x", now=PUBLISHED) is None
    assert briefing_by_share_token("", now=PUBLISHED) is None
    assert create_share_link(briefing, user=admin, now=PUBLISHED) != token


@pytest.mark.parametrize(("days", "valid"), [(0, False), (1, True), (90, True), (91, False)])
def test_a_share_link_lasts_one_to_ninety_days(app_context, days, valid):
    briefing = draft_briefing()
    publish(briefing, user=None, now=PUBLISHED)

    if valid:
        token = create_share_link(briefing, user=None, days=days, now=PUBLISHED)
        later = PUBLISHED + timedelta(days=days)
        assert briefing_by_share_token(token, now=later - timedelta(seconds=1)) is briefing
    else:
        with pytest.raises(BriefingError) as refused:
            create_share_link(briefing, user=None, days=days, now=PUBLISHED)
        assert refused.value.field == "days"


def test_a_revoked_share_link_opens_nothing(app_context):
    briefing = draft_briefing()
    publish(briefing, user=None, now=PUBLISHED)
    token = create_share_link(briefing, user=None, now=PUBLISHED)
    [link] = db.session.scalars(select(BriefingShareLink))
    revoked_at = datetime(2022, 6, 12, 1, 0, tzinfo=UTC)

    revoke_share_link(link, now=revoked_at)
    revoke_share_link(link, now=revoked_at + timedelta(days=1))  # again: the first time stays

    assert link.revoked_at == revoked_at
    assert briefing_by_share_token(token, now=PUBLISHED + timedelta(hours=1)) is None
