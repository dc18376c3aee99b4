"""The demo's briefing: the điểm tin of 29/07/2022 of the 92-day drive, published with an
administrator's directions, the day the seed documents report 96,9% of dossiers online
(DESIGN §9). `flask --app app demo` loads it after the campaign and its figures; running it
again changes nothing.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext as _

from app.demo import register_demo_step
from campaigns.progress.queries import has_entries
from campaigns.queries import campaign_by_code
from targets.briefings.models import BriefingKind
from targets.briefings.operations import (
    draft_daily_briefing,
    edit_draft,
    latest_version,
    publish,
)
from targets.demo import CODE

DAY = date(2022, 7, 29)
NUMBER = "125"
DIRECTIONS = (
    "Đề nghị Sở Xây dựng, UBND huyện Bù Đốp khẩn trương khắc phục tình trạng tỷ lệ số hóa hồ "
    "sơ và báo cáo trực tuyến đạt thấp; báo cáo kết quả về Sở Thông tin và Truyền thông trước "
    "ngày 05/8/2022. Các xã chưa thành lập Tổ công nghệ số cộng đồng hoàn thành trong tuần."
)


def load_demo_briefing() -> str:
    campaign = campaign_by_code(CODE)
    if campaign is None or not has_entries(campaign):
        return _("No demo briefing: the demo campaign has no daily figures.")
    if latest_version(campaign, BriefingKind.DAILY, DAY, DAY) is not None:
        return _("The demo briefing of %(day)s is already there.", day=DAY.strftime("%d/%m/%Y"))
    briefing, _made = draft_daily_briefing(campaign, DAY, user=None, now=_local(6, 30))
    edit_draft(briefing, directions=DIRECTIONS, number=NUMBER)
    publish(briefing, user=None, now=_local(7, 45))
    return _("The briefing of %(day)s, published.", day=DAY.strftime("%d/%m/%Y"))


def _local(hour: int, minute: int) -> datetime:
    """That time on the morning after the briefing's day, where the campaign runs, in UTC."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(DAY + timedelta(days=1), time(hour, minute), zone).astimezone(UTC)


def init_app(app: Flask) -> None:
    register_demo_step(app, load_demo_briefing)
