"""Sending a published briefing: an e-mail to each subscriber (the chat text, a link to the
page, the notice as a .docx) and, when the campaign has one, a POST of its JSON to the
campaign's webhook. Both are queued in the outbox (app.outbox) by the transaction that
publishes, and go out only if it commits; the outbox's delivery job sends them and retries.

Each message has its own key (the version and the reader, or the version's webhook), so
publishing is delivered once whatever happens, and a correction, a new version, is delivered
again. `api_json` is the briefing as the API gives it and the webhook receives it.
"""

from flask_babel import force_locale
from flask_babel import gettext as _

from app.formatting import format_date
from app.outbox.links import external_url
from app.outbox.operations import Attachment, enqueue_email, enqueue_webhook
from targets.briefings.models import Briefing
from targets.briefings.notice import DOCX_MIME, briefing_docx
from targets.briefings.queries import period_key
from targets.briefings.rules import Section
from targets.briefings.subscriptions import subscribers
from targets.briefings.text import (
    briefing_text,
    by_kind,
    change_lines,
    correction_mark,
    is_final_report,
    is_review,
    shown_items,
)
from targets.briefings.wording import document_locale

FILE_EXTENSIONS = ("xlsx", "docx", "txt")


def queue_delivery(briefing: Briefing) -> None:
    """Queue the e-mails and the webhook call of a version that was just published."""
    campaign = briefing.campaign
    page = page_url(briefing)
    with force_locale(document_locale()):
        subject = email_subject(briefing)
        body = "\n\n".join(
            [
                briefing_text(briefing, link=page),
                by_kind(
                    briefing.content,
                    _("The briefing: %(link)s", link=page),
                    _("The review: %(link)s", link=page),
                ),
            ]
        )
    readers = subscribers(campaign)
    if readers:
        notice = Attachment(file_name(briefing, "docx"), DOCX_MIME, briefing_docx(briefing))
        for user in readers:
            enqueue_email(
                user.email, subject, body, f"briefing:{briefing.id}:email:{user.id}", [notice]
            )
    if campaign.webhook_url.strip():
        enqueue_webhook(campaign.webhook_url, api_json(briefing), f"briefing:{briefing.id}:webhook")


def email_subject(briefing: Briefing) -> str:
    """ "[Tiến độ] Điểm tin CD92-2022 ngày 29/07/2022" ("[Tiến độ] Sơ kết CD92-2022 từ
    01/07/2022 đến 31/07/2022", "[Tiến độ] Báo cáo tổng kết CD92-2022"), and " (đính chính lần
    1)" for version 2. Inside force_locale(document_locale())."""
    code = briefing.content["campaign"]["code"]
    if is_final_report(briefing.content):
        subject = _("[Tiến độ] Final report %(campaign)s", campaign=code)
    elif is_review(briefing.content):
        subject = _(
            "[Tiến độ] Review %(campaign)s from %(start)s to %(end)s",
            campaign=code,
            start=format_date(briefing.start_date),
            end=format_date(briefing.end_date),
        )
    else:
        subject = _(
            "[Tiến độ] Briefing %(campaign)s of %(day)s",
            campaign=code,
            day=format_date(briefing.end_date),
        )
    if briefing.version > 1:
        subject += " " + correction_mark(briefing)
    return subject


def file_name(briefing: Briefing, extension: str) -> str:
    """ "diem-tin-CD92-20220729-v2.docx", "so-ket-CD92-20220701-20220731-v1.docx",
    "tong-ket-CD92-v1.docx"."""
    code = briefing.content["campaign"]["code"]
    if is_final_report(briefing.content):
        name = f"tong-ket-{code}"
    elif is_review(briefing.content):
        name = f"so-ket-{code}-{briefing.start_date:%Y%m%d}-{briefing.end_date:%Y%m%d}"
    else:
        name = f"diem-tin-{code}-{briefing.day:%Y%m%d}"
    return f"{name}-v{briefing.version}.{extension}"


def _address(briefing: Briefing) -> dict:
    return {
        "code": briefing.content["campaign"]["code"],
        "day": period_key(briefing),
        "version": briefing.version,
    }


def page_url(briefing: Briefing) -> str:
    """The version's page, for those who may read the campaign."""
    return external_url("briefings.show", **_address(briefing))


def file_urls(briefing: Briefing) -> dict[str, str]:
    """The version's files in the API, which take the same bearer token."""
    return {
        extension: external_url(
            "briefings_api.briefing_file", **_address(briefing), extension=extension
        )
        for extension in FILE_EXTENSIONS
    }


def api_json(briefing: Briefing) -> dict:
    """The version as the API returns it and the webhook receives it (plain JSON): its kind,
    day (a review's last day) and range, version and status, its lines of praise and
    criticism as published, the links to its files, and with them the campaign, number,
    directions, publication time, the owner's headline figures and what a correction
    changed."""
    content = briefing.content
    units = _unit_codes(briefing)
    return {
        "campaign": {"code": content["campaign"]["code"], "name": content["campaign"]["name"]},
        "kind": briefing.kind,
        "date": briefing.day.isoformat(),
        "start_date": briefing.start_date.isoformat(),
        "end_date": briefing.end_date.isoformat(),
        "version": briefing.version,
        "status": briefing.status,
        "title": content["title"],
        "number": briefing.number,
        "published_at": briefing.published_at.isoformat() if briefing.published_at else None,
        "url": page_url(briefing),
        "window": content["window"],
        "period": content["period"],
        "progress": content.get("progress"),
        "score": content.get("score"),
        "band": content.get("band"),
        "indicators": [_headline(indicator) for indicator in content.get("indicators") or []],
        "praise": _lines(briefing, Section.PRAISE, units),
        "criticism": _lines(briefing, Section.CRITICISM, units),
        "not_reported": [
            {"unit": row["unit"], "name": row["name"]} for row in content.get("not_reported") or []
        ],
        "directions": briefing.directions,
        "changes": change_lines(briefing),
        "links": file_urls(briefing),
    }


def _headline(indicator: dict) -> dict:
    """The owner's figures of one indicator: the ranking window's (value, numerator,
    denominator), the day's and the campaign's to date, against the target."""
    return {
        "code": indicator["code"],
        "name": indicator["name"],
        "is_ratio": indicator["is_ratio"],
        "value": indicator["window"]["value"],
        "numerator": indicator["window"]["numerator"],
        "denominator": indicator["window"]["denominator"],
        "day_value": indicator["day"]["value"],
        "campaign_value": indicator["campaign"]["value"],
        "target": indicator["target"],
        "achievement": indicator["achievement"],
        "baseline": indicator["baseline"],
        "change": indicator["change"],
        "on_track": indicator["on_track"],
        "forecast": indicator["forecast"],
        "at_risk": indicator["at_risk"],
    }


def _unit_codes(briefing: Briefing) -> dict[int, str]:
    """Unit codes of the lines as the snapshot has them."""
    return {item["unit_id"]: item["unit"] for item in briefing.content.get("items") or []}


def _lines(briefing: Briefing, section: str, units: dict[int, str]) -> list[dict]:
    return [
        {
            "unit": _unit_code(item, units),
            "reason": item.reason,
            "text": item.text,
        }
        for item in shown_items(briefing, section)
    ]


def _unit_code(item, units: dict[int, str]) -> str | None:
    if item.unit_id is None:
        return None
    return units.get(item.unit_id) or item.unit.code
