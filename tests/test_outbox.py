"""The outbox: e-mail received by a real SMTP server (aiosmtpd), webhooks by a real HTTP
server, retries after growing delays, giving up, duplicates, lost claims and two senders at
once (README, "Scheduler and e-mail")."""

import hashlib
import hmac
import json
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.config import Config
from app.db import db, utcnow
from app.outbox.delivery import deliver_due
from app.outbox.models import DeliveryStatus, OutgoingAttachment, OutgoingMessage
from app.outbox.operations import Attachment, enqueue_email, enqueue_webhook
from tests.servers import SENDER, free_port, http_server, smtp_server

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBJECT = "Điểm tin ngày 29/07/2022: tỷ lệ hồ sơ trực tuyến đạt 96,9%"
BODY = "Kính gửi đồng chí Chủ tịch UBND huyện Bù Đốp,\n\nHuyện Lộc Ninh chưa báo cáo số liệu."


def message(message_id: int) -> OutgoingMessage:
    db.session.expire_all()
    return db.session.get(OutgoingMessage, message_id)


def queue_email(key: str = "briefing/CD92/2022-07-29/7", recipient="lanh.dao@example.vn"):
    queued = enqueue_email(recipient, SUBJECT, BODY, key)
    db.session.commit()
    return queued.id


def test_an_email_arrives_with_its_vietnamese_text_and_attachment(mail):
    notice = "Thông báo số 12/TB-STTTT".encode() * 100
    queued = enqueue_email(
        "lanh.dao@example.vn",
        SUBJECT,
        BODY,
        "briefing/CD92/2022-07-29/7",
        [Attachment("Điểm tin 29-07-2022.docx", DOCX, notice)],
    )
    db.session.commit()
    now = utcnow()

    counts = deliver_due(now)

    assert (counts.sent, counts.retrying, counts.failed) == (1, 0, 0)
    [received] = mail.received
    assert received.sender == "tiendo@stttt.example.vn"
    assert received.recipients == ["lanh.dao@example.vn"]
    email = received.message
    assert email["Subject"] == SUBJECT
    assert email["From"] == SENDER
    text = email.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n").rstrip("\n") == BODY  # SMTP carries CRLF line ends
    [attachment] = email.iter_attachments()
    assert attachment.get_filename() == "Điểm tin 29-07-2022.docx"
    assert attachment.get_content_type() == DOCX
    assert attachment.get_content() == notice
    sent = message(queued.id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error) == ("sent", 1, now, "")


def test_a_webhook_gets_the_json_with_a_valid_signature(make_app):
    payload = {
        "date": "2022-07-29",
        "praise": [{"unit": "Huyện Bù Đốp", "reason": "top_of_group", "text": "Dẫn đầu"}],
    }
    with http_server() as web, make_app(WEBHOOK_SECRET="khóa-bí-mật").app_context():
        queued = enqueue_webhook(web.url, payload, "briefing/CD92/2022-07-29/webhook")
        db.session.commit()
        counts = deliver_due(utcnow())
        assert message(queued.id).status == "sent"
    assert counts.sent == 1
    [request] = web.requests
    assert request.path == "/hook"
    assert json.loads(request.body.decode("utf-8")) == payload
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    expected = hmac.new("khóa-bí-mật".encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Tiendo-Signature"] == "sha256=" + expected


def test_a_webhook_without_a_secret_is_not_signed(app_context):
    with http_server() as web:
        enqueue_webhook(web.url, {"a": 1}, "hook-1")
        db.session.commit()
        deliver_due(utcnow())
    assert "X-Tiendo-Signature" not in web.requests[0].headers


def test_a_failing_server_is_retried_after_one_then_five_minutes(app_context):
    with http_server(statuses=[500, 500]) as web:
        queued = enqueue_webhook(web.url, {"a": 1}, "hook-1")
        db.session.commit()
        now = utcnow()

        assert deliver_due(now).retrying == 1
        first = message(queued.id)
        assert (first.status, first.attempts) == ("pending", 1)
        assert first.next_attempt_at == now + timedelta(minutes=1)
        assert "500" in first.last_error

        deliver_due(now + timedelta(seconds=59))  # not due yet
        assert len(web.requests) == 1

        second_try = now + timedelta(minutes=1)
        assert deliver_due(second_try).retrying == 1
        second = message(queued.id)
        assert second.attempts == 2
        assert second.next_attempt_at == second_try + timedelta(minutes=5)

        deliver_due(second_try + timedelta(minutes=5) - timedelta(seconds=1))
        assert len(web.requests) == 2

        third_try = second_try + timedelta(minutes=5)
        assert deliver_due(third_try).sent == 1
    assert len(web.requests) == 3
    sent = message(queued.id)
    assert (sent.status, sent.attempts, sent.sent_at, sent.last_error) == (
        "sent",
        3,
        third_try,
        "",
    )


def test_a_dead_server_fails_after_the_last_attempt(make_app):
    with make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_SENDER=SENDER).app_context():
        message_id = queue_email()
        start = now = utcnow()
        # Attempts at 0, +1, +6, +21, +81 and +321 minutes: the delays 1, 5, 15, 60, 240.
        for attempt, delay in enumerate((1, 5, 15, 60, 240), start=1):
            assert deliver_due(now).retrying == 1
            waiting = message(message_id)
            assert (waiting.status, waiting.attempts) == ("pending", attempt)
            assert waiting.next_attempt_at == now + timedelta(minutes=delay)
            now = waiting.next_attempt_at
        assert now == start + timedelta(minutes=321)

        assert deliver_due(now).failed == 1
        failed = message(message_id)
        assert (failed.status, failed.attempts) == ("failed", 6)
        assert "Connection refused" in failed.last_error

        deliver_due(now + timedelta(days=1))
        assert message(message_id).attempts == 6


def test_the_same_dedupe_key_queues_nothing_twice(app_context):
    attachment = Attachment("a.pdf", "application/pdf", b"%PDF-1.4")
    first = enqueue_email("a@example.vn", SUBJECT, BODY, "key-1", [attachment])
    again = enqueue_email("b@example.vn", "Khác", "Khác", "key-1", [attachment])
    hook = enqueue_webhook("https://example.vn/hook", {"a": 1}, "key-1")
    db.session.commit()
    assert again.id == first.id == hook.id
    assert db.session.scalar(select(func.count()).select_from(OutgoingMessage)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutgoingAttachment)) == 1
    kept = message(first.id)
    assert (kept.recipient, kept.subject, kept.body) == ("a@example.vn", SUBJECT, BODY)


def test_what_cannot_be_sent_is_refused(app_context):
    with pytest.raises(ValueError):
        enqueue_email("not an address", SUBJECT, BODY, "key-1")
    with pytest.raises(ValueError):
        enqueue_webhook("file:///etc/passwd", {}, "key-2")


def test_a_claim_older_than_ten_minutes_goes_back_to_pending(mail):
    message_id = queue_email()
    now = utcnow()
    lost = message(message_id)
    lost.status = DeliveryStatus.SENDING  # a scheduler killed while sending it
    lost.attempts = 1
    lost.claimed_at = now
    db.session.commit()

    counts = deliver_due(now + timedelta(minutes=10))  # exactly ten minutes: still its sender's
    assert (counts.released, counts.sent) == (0, 0)
    assert message(message_id).status == "sending"

    counts = deliver_due(now + timedelta(minutes=10, seconds=1))
    assert (counts.released, counts.sent) == (1, 1)
    assert len(mail.received) == 1
    assert (message(message_id).status, message(message_id).attempts) == ("sent", 2)


def test_two_deliveries_send_each_email_once(mail, make_app):
    ids = [queue_email(f"key-{n}", f"reader{n}@example.vn") for n in range(3)]
    now = utcnow()

    deliver_due(now)
    deliver_due(now)

    assert sorted(r.recipients[0] for r in mail.received) == [
        "reader0@example.vn",
        "reader1@example.vn",
        "reader2@example.vn",
    ]
    assert {message(i).status for i in ids} == {"sent"}


def test_two_schedulers_at_once_send_each_email_once(make_app):
    with smtp_server() as sink:
        settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port, "MAIL_SENDER": SENDER}
        first, second = make_app(**settings), make_app(**settings)
        with first.app_context():
            for n in range(6):
                queue_email(f"key-{n}", f"reader{n}@example.vn")
        now = utcnow()
        start = threading.Barrier(2, timeout=10)
        errors = []

        def scheduler(application):
            with application.app_context():
                try:
                    start.wait()
                    deliver_due(now)
                except Exception as error:  # reported below, in the test's thread
                    errors.append(error)

        threads = [threading.Thread(target=scheduler, args=(a,)) for a in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        recipients = sorted(received.recipients[0] for received in sink.received)
    assert recipients == [f"reader{n}@example.vn" for n in range(6)]


def test_without_a_mail_server_emails_wait_and_webhooks_go(app_context, caplog):
    with http_server() as web:
        email_id = queue_email()
        hook = enqueue_webhook(web.url, {"a": 1}, "hook-1")
        db.session.commit()
        with caplog.at_level(logging.WARNING, logger="app.outbox.delivery"):
            counts = deliver_due(utcnow())
    assert (counts.sent, counts.waiting) == (1, 1)
    assert message(hook.id).status == "sent"
    waiting = message(email_id)
    assert (waiting.status, waiting.attempts) == ("pending", 0)
    assert waiting.last_error == "E-mail is not configured: MAIL_SERVER is empty."
    assert "MAIL_SERVER is empty" in caplog.text


def test_a_failed_message_can_be_retried_from_the_command_line(app, runner):
    with app.app_context():
        queued = enqueue_webhook("http://127.0.0.1:9/hook", {"a": 1}, "hook-1")
        queued.status = DeliveryStatus.FAILED
        queued.attempts = 6
        db.session.commit()
        message_id = queued.id

    listed = runner.invoke(args=["outbox", "list", "--status", "failed"])
    assert listed.exit_code == 0
    assert "hook-1" in listed.output
    assert "hook-1" not in runner.invoke(args=["outbox", "list", "--status", "sent"]).output

    assert runner.invoke(args=["outbox", "retry", str(message_id)]).exit_code == 0
    with app.app_context():
        retried = db.session.get(OutgoingMessage, message_id)
        assert (retried.status, retried.attempts) == ("pending", 0)
        retried.status = DeliveryStatus.SENT
        db.session.commit()
    assert runner.invoke(args=["outbox", "retry", str(message_id)]).exit_code == 1
    assert runner.invoke(args=["outbox", "retry", "999999"]).exit_code == 1


def test_mail_and_webhook_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.vn")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.setenv("MAIL_USE_SSL", "0")
    monkeypatch.setenv("MAIL_USERNAME", "tiendo")
    monkeypatch.setenv("MAIL_PASSWORD", "mật-khẩu")
    monkeypatch.setenv("MAIL_SENDER", SENDER)
    monkeypatch.setenv("WEBHOOK_TIMEOUT", "5")
    monkeypatch.setenv("WEBHOOK_SECRET", "khóa")
    monkeypatch.setenv("BASE_URL", "https://tiendo.example.vn")
    settings = Config.from_environment()
    assert {key: settings[key] for key in settings if key.startswith(("MAIL", "WEB", "BASE"))} == {
        "MAIL_SERVER": "smtp.example.vn",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": "tiendo",
        "MAIL_PASSWORD": "mật-khẩu",
        "MAIL_SENDER": SENDER,
        "WEBHOOK_TIMEOUT": 5,
        "WEBHOOK_SECRET": "khóa",
        "BASE_URL": "https://tiendo.example.vn",
    }
