"""The demo's campaign: Bình Phước's 92-day drive of 2022 (Kế hoạch 170/KH-UBND).

It is made through the same operations as the pages: the 92-day template, district-specific
targets, baselines, milestones, a peer group of every commune of the province, and three
tasks, one of them forwarded by the demo manager.
The baselines reproduce DESIGN §9 (province 21,62% online before the campaign; provincial
agencies 82,89%, Văn phòng Đăng ký đất đai 15,13%, district level 49,94%, commune level 87%;
2,9% of dossiers settled late). Then every unit's daily figures for the 92 days, generated
from a fixed seed by targets/demo_entries.py (its docstring says what they show) and loaded in
bulk. Running it again changes nothing.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import db
from app.demo import register_demo_step
from app.units.models import Unit
from app.units.queries import unit_by_code
from app.users.queries import user_by_username
from campaigns.models import CampaignStatus
from campaigns.operations import add_peer_group, create_campaign, set_status
from campaigns.progress.operations import GeneratedEntry, load_generated_entries
from campaigns.progress.queries import reporting_units
from campaigns.queries import campaign_by_code
from campaigns.tasks.models import TaskStatus
from campaigns.tasks.operations import (
    ForwardMode,
    OwnerChoice,
    OwnerMode,
    add_update,
    create_task,
    forward_assignment,
)
from targets import demo_entries
from targets.models import Source
from targets.operations import KEEP, MilestoneInput, TargetInput, set_milestones, set_targets
from targets.presets import apply_preset

CODE = "CD92-2022"
PROVINCE = "70"
LAND_REGISTRY = "70-VPDKDD"
INFORMATION_DEPARTMENT = "70-STTTT"
ONLINE = "HS_TRUC_TUYEN"
ON_TIME = "DUNG_HAN"
# The campaign's own peer group: every commune of the province ranked together (DESIGN §5).
ALL_COMMUNES = "XA_TOAN_TINH"

# Own targets for online processing above the province's 50%, and two communes of Lộc Ninh
# below it, so that the grid of Huyện Lộc Ninh shows a consistency warning.
ONLINE_TARGETS = {"689": 0.70, "688": 0.60, "690": 0.60, "697": 0.60, "693": 0.55, "25308": 0.70}
LOC_NINH = "692"
LOC_NINH_LOW_TARGET = 0.40

# Communes that had not set up their community digital team by the end of July (the two
# lagging communes of targets/demo_entries.py among them): the briefings criticise them.
STILL_WITHOUT_TEAM = ("25318", "25321", "25399", "25450")

# Baselines of online processing (dossiers in the quarter before the campaign).
AGENCY_DOSSIERS, AGENCY_ONLINE = 120, (100, 99)  # 8 agencies at 100, 9 at 99: 82,89%
LAND_REGISTRY_BASELINE = (7_461, 49_315)  # 15,13%
DISTRICT_OWN_DOSSIERS, DISTRICT_OWN_ONLINE = 300, (150, 149)  # 9 at 150, 2 at 149: 49,94%
COMMUNE_DOSSIERS, COMMUNE_ONLINE = 14, (13, 12)  # 20 at 13, 91 at 12: 87%
ON_TIME_BASELINE = (48_550, 50_000)  # 2,9% settled late


def load_demo_campaign() -> str:
    if campaign_by_code(CODE) is not None:
        return _("Campaign %(code)s is already there.", code=CODE)
    province = unit_by_code(PROVINCE)
    campaign = create_campaign(
        code=CODE,
        name="Chiến dịch cao điểm 92 ngày đêm đẩy mạnh cung cấp, sử dụng dịch vụ công trực tuyến",
        legal_basis="Kế hoạch 170/KH-UBND",
        owner_unit=province,
        start_date=date(2022, 6, 1),
        end_date=date(2022, 8, 31),
        created_by=None,
        issuer_name="Sở Thông tin và Truyền thông",
        issuer_code="STTTT",
        place_name="Bình Phước",
    )
    apply_preset(campaign, user=None, source=Source.DEMO)
    set_targets(campaign, _targets_and_baselines(), user=None, source=Source.DEMO)
    online = next(indicator for indicator in campaign.indicators if indicator.code == ONLINE)
    set_milestones(
        campaign,
        province,
        online,
        [MilestoneInput(date(2022, 6, 30), 0.35), MilestoneInput(date(2022, 7, 31), 0.45)],
        user=None,
        source=Source.DEMO,
    )
    add_peer_group(
        campaign,
        code=ALL_COMMUNES,
        name="Tất cả xã, phường, thị trấn của tỉnh",
        root_unit=province,
        kind="commune",
    )
    set_status(campaign, CampaignStatus.ACTIVE)
    # The test configuration leaves the 64.300 generated figures out: most demo tests only
    # need the campaign, and tests/test_demo_entries.py switches them back on.
    entry_count = _entries(campaign) if current_app.config["DEMO_DAILY_ENTRIES"] else 0
    task_count = _tasks(campaign)
    return _(
        "Campaign %(code)s: %(indicators)d indicators, its targets and baselines, %(tasks)d "
        "tasks, %(entries)s daily entries.",
        code=CODE,
        indicators=len(campaign.indicators),
        tasks=task_count,
        entries=format_decimal(entry_count),
    )


def _entries(campaign) -> int:
    """The 92 days of every reporting unit; the demo reporter enters its own unit's."""
    units = [
        demo_entries.DemoUnit(unit.code, unit.kind, tuple(i.code for i in indicators))
        for unit, indicators in reporting_units(campaign)
    ]
    figures = demo_entries.generate(
        units,
        campaign.start_date,
        campaign.end_date,
        deadline=campaign.entry_deadline,
        timezone=current_app.config["TIMEZONE"],
    )
    reporter = user_by_username("reporter")
    reporter_unit = reporter.unit.code
    return load_generated_entries(
        campaign,
        [
            GeneratedEntry(
                figure.unit,
                figure.indicator,
                figure.day,
                figure.numerator,
                figure.denominator,
                figure.entered_at,
                figure.late,
                user_id=reporter.id if figure.unit == reporter_unit else None,
            )
            for figure in figures
        ],
    )


def _children(code: str, kind: str) -> list[Unit]:
    parent = unit_by_code(code)
    statement = (
        select(Unit).where(Unit.parent_id == parent.id, Unit.kind == kind).order_by(Unit.code)
    )
    return list(db.session.scalars(statement))


def _split(units: list[Unit], higher: int, lower: int, how_many_higher: int) -> dict[str, int]:
    """The first `how_many_higher` units (by code) get `higher`, the others `lower`."""
    return {
        unit.code: higher if position < how_many_higher else lower
        for position, unit in enumerate(units)
    }


def _targets_and_baselines() -> list[TargetInput]:
    targets = dict(ONLINE_TARGETS)
    targets.update(
        (commune.code, LOC_NINH_LOW_TARGET) for commune in _children(LOC_NINH, "commune")[:2]
    )

    baselines: dict[str, tuple[int, int]] = {}
    agencies = [unit for unit in _children(PROVINCE, "agency") if unit.code != LAND_REGISTRY]
    for code, online in _split(agencies, *AGENCY_ONLINE, how_many_higher=8).items():
        baselines[code] = (online, AGENCY_DOSSIERS)
    baselines[LAND_REGISTRY] = LAND_REGISTRY_BASELINE
    districts = _children(PROVINCE, "district")
    communes = [
        commune for district in districts for commune in _children(district.code, "commune")
    ]
    commune_online = _split(communes, *COMMUNE_ONLINE, how_many_higher=20)
    for code, online in commune_online.items():
        baselines[code] = (online, COMMUNE_DOSSIERS)
    district_online = _split(districts, *DISTRICT_OWN_ONLINE, how_many_higher=9)
    for district in districts:
        own_communes = _children(district.code, "commune")
        baselines[district.code] = (
            district_online[district.code] + sum(commune_online[c.code] for c in own_communes),
            DISTRICT_OWN_DOSSIERS + COMMUNE_DOSSIERS * len(own_communes),
        )
    # The province's own figure is the whole province: every unit below it added up.
    baselines[PROVINCE] = (
        sum(baselines[unit.code][0] for unit in [*agencies, *districts])
        + LAND_REGISTRY_BASELINE[0],
        sum(baselines[unit.code][1] for unit in [*agencies, *districts])
        + LAND_REGISTRY_BASELINE[1],
    )
    inputs = [
        TargetInput(
            code,
            ONLINE,
            target=targets.get(code, KEEP),
            baseline_numerator=online,
            baseline_denominator=dossiers,
        )
        for code, (online, dossiers) in baselines.items()
    ]
    inputs.append(
        TargetInput(
            PROVINCE,
            ON_TIME,
            baseline_numerator=ON_TIME_BASELINE[0],
            baseline_denominator=ON_TIME_BASELINE[1],
        )
    )
    return inputs


def _tasks(campaign) -> int:
    create_task(
        campaign,
        title="Tổ chức 12 hội nghị tuyên truyền về dịch vụ công trực tuyến",
        description="Mỗi hội nghị có biên bản và ảnh chụp làm minh chứng.",
        due_date=date(2022, 8, 31),
        owners=OwnerChoice(OwnerMode.UNITS, codes=(INFORMATION_DEPARTMENT,)),
        by=None,
    )
    teams = create_task(
        campaign,
        title="Thành lập Tổ công nghệ số cộng đồng tại 100% xã, phường, thị trấn",
        description="Quyết định thành lập và danh sách thành viên gửi kèm làm minh chứng.",
        due_date=date(2022, 6, 30),
        owners=OwnerChoice(OwnerMode.KIND, kind="commune", under_code=PROVINCE),
        by=None,
    )
    training = create_task(
        campaign,
        title="Tập huấn hướng dẫn sử dụng dịch vụ công trực tuyến cho công chức bộ phận một cửa",
        due_date=date(2022, 7, 31),
        owners=OwnerChoice(OwnerMode.KIND, kind="district", under_code=PROVINCE),
        by=None,
    )
    reporter = user_by_username("reporter")
    manager = user_by_username("manager")
    for number, assignment in enumerate(sorted(teams.assignments, key=lambda a: a.unit.code)):
        if assignment.unit.code in STILL_WITHOUT_TEAM:
            continue
        # Set up between 08/06 and 29/06, 9 or 10 members (DESIGN §9: 1.080 in 111 teams).
        _report(
            assignment,
            reporter if assignment.unit.code == reporter.unit.code else None,
            TaskStatus.DONE,
            f"Đã thành lập Tổ CNS cộng đồng, {9 + number % 2} thành viên.",
            when=_local(date(2022, 6, 8 + number % 22)),
        )
    for assignment in training.assignments:
        if assignment.unit.code == manager.unit.code:
            forwarded = forward_assignment(assignment, by=manager, mode=ForwardMode.ALL)
            _report(
                assignment,
                manager,
                TaskStatus.IN_PROGRESS,
                "Đã chuyển các xã, thị trấn.",
                when=_local(date(2022, 7, 4)),
            )
            for day, child in enumerate(forwarded.created[:3], start=12):
                _report(
                    child,
                    manager,
                    TaskStatus.DONE,
                    "Đã tổ chức tập huấn tại xã.",
                    when=_local(date(2022, 7, day)),
                )
    return 3


def _local(day: date) -> datetime:
    """10:00 on that day where the campaign runs, in UTC."""
    return datetime.combine(day, time(10), ZoneInfo(current_app.config["TIMEZONE"])).astimezone(UTC)


def _report(assignment, user, status: str, note: str, *, when: datetime) -> None:
    add_update(
        assignment,
        by=user,
        status=status,
        note=note,
        upload_folder=current_app.config["UPLOAD_FOLDER"],
        max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
        now=when,
    )


def init_app(app: Flask) -> None:
    register_demo_step(app, load_demo_campaign)
