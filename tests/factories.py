"""Builders for test data. They go through the app's own operations (so units get their
closure rows and passwords their hashes) and only flush; fixtures and tests commit."""

from dataclasses import dataclass
from datetime import date

from app.db import db
from app.units.importing import UnitList, UnitRow
from app.units.models import Unit
from app.units.operations import import_units
from app.units.queries import unit_by_code
from app.users.models import User
from app.users.operations import create_user, deactivate_user, issue_api_token
from campaigns.models import Campaign, CampaignStatus, Indicator
from campaigns.operations import add_indicator, create_campaign

PASSWORD = "correct-horse-42"


def make_units(*specs: tuple[str, str, str, str | None]) -> list[Unit]:
    """Create units from (code, name, kind, parent_code) tuples, parents first or not."""
    rows = [
        UnitRow(line, code, name, kind, parent_code)
        for line, (code, name, kind, parent_code) in enumerate(specs, start=2)
    ]
    import_units(UnitList(rows))
    return [unit_by_code(code) for code, *_ in specs]


def make_user(
    username: str, role: str, unit_code: str, *, password: str = PASSWORD, active: bool = True
) -> User:
    user, _password = create_user(
        username=username, role=role, unit=unit_by_code(unit_code), password=password
    )
    if not active:
        deactivate_user(user)
    return user


def make_token(user: User, valid_days: int | None = None) -> str:
    _token, plain = issue_api_token(user, valid_days=valid_days)
    return plain


@dataclass(frozen=True)
class World:
    """Two provinces. P1 holds an agency, two districts and three communes; P2 one district.

    P1 (province)
    ├── A1 (agency)
    ├── D1 (district)
    │   ├── C11 (commune)
    │   └── C12 (commune)
    └── D2 (district)
        └── C21 (commune)
    P2 (province)
    └── D3 (district)

    Users, all with password PASSWORD: admin@P1, manager@D1, reporter@C11, viewer@P1,
    reporter2@C12, admin2@P2, retired@C21 (deactivated).
    """

    units: dict[str, int]
    users: dict[str, int]


WORLD_UNITS = (
    ("P1", "Tỉnh Một", "province", None),
    ("A1", "Sở Tư pháp", "agency", "P1"),
    ("D1", "Huyện Đức Hợp", "district", "P1"),
    ("C11", "Xã Đức Trung", "commune", "D1"),
    ("C12", "Xã Đức Quang", "commune", "D1"),
    ("D2", "Huyện Bù Đốp", "district", "P1"),
    ("C21", "Thị trấn Thanh Bình", "commune", "D2"),
    ("P2", "Tỉnh Hai", "province", None),
    ("D3", "Huyện Ba", "district", "P2"),
)

WORLD_USERS = (
    ("admin", "admin", "P1", True),
    ("manager", "manager", "D1", True),
    ("reporter", "reporter", "C11", True),
    ("viewer", "viewer", "P1", True),
    ("reporter2", "reporter", "C12", True),
    ("admin2", "admin", "P2", True),
    ("retired", "reporter", "C21", False),
)


def make_world() -> World:
    units = make_units(*WORLD_UNITS)
    users = [
        make_user(username, role, unit_code, active=active)
        for username, role, unit_code, active in WORLD_USERS
    ]
    db.session.flush()
    return World(
        units={unit.code: unit.id for unit in units},
        users={user.username: user.id for user in users},
    )


def make_campaign(
    code: str = "CD92",
    owner: str = "P1",
    *,
    start: date = date(2022, 6, 1),
    end: date = date(2022, 8, 31),
    status: str = CampaignStatus.DRAFT,
    **settings,
) -> Campaign:
    """A campaign owned by unit `owner`, 92 days long by default (01/06–31/08/2022)."""
    campaign = create_campaign(
        code=code,
        name=f"Chiến dịch {code}",
        owner_unit=unit_by_code(owner),
        start_date=start,
        end_date=end,
        created_by=None,
        **settings,
    )
    campaign.status = status
    db.session.flush()
    return campaign


def make_indicator(
    campaign: Campaign, code: str, kind: str = "ratio", measure: str = "flow", **options
) -> Indicator:
    return add_indicator(
        campaign,
        code=code,
        name=options.pop("name", f"Chỉ tiêu {code}"),
        kind=kind,
        measure=measure,
        **options,
    )


# --- tasks (campaigns/tasks) -----------------------------------------------------------------


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A real PNG image (grey pixels), built byte by byte."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """A real one-page PDF, with its cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_task(
    campaign: Campaign,
    title: str,
    owners: tuple[str, ...],
    *,
    due: date = date(2022, 6, 30),
    by: User | None = None,
):
    """A task of the campaign given to the units with these codes."""
    from campaigns.tasks.operations import OwnerChoice, create_task

    return create_task(
        campaign,
        title=title,
        due_date=due,
        owners=OwnerChoice("units", owners),
        by=by,
    )


def make_report(
    assignment, *, by: User | None = None, status: str | None = None, note="", files=()
):
    """A report on an assignment; `files` are (name, bytes) pairs, stored in the app's
    UPLOAD_FOLDER like an upload from the page."""
    from flask import current_app

    from campaigns.tasks.evidence import Upload
    from campaigns.tasks.operations import add_update

    return add_update(
        assignment,
        by=by,
        status=status or assignment.status,
        note=note,
        uploads=[Upload(name, data) for name, data in files],
        upload_folder=current_app.config["UPLOAD_FOLDER"],
        max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
    )


# --- targets (targets/) ----------------------------------------------------------------------


def set_targets_for_test(
    campaign: Campaign,
    targets: dict[tuple[str, str], float | None] | None = None,
    *,
    baselines: dict[tuple[str, str], tuple[int | None, int | None]] | None = None,
    by: User | None = None,
    source: str = "demo",
):
    """Own targets {(unit code, indicator code): value} and baselines {(unit code, indicator
    code): (numerator, denominator)}, through targets.operations (with revisions)."""
    from targets.operations import KEEP, TargetInput, set_targets

    keys = list(dict.fromkeys([*(targets or {}), *(baselines or {})]))
    inputs = []
    for unit, indicator in keys:
        numerator, denominator = (baselines or {}).get((unit, indicator), (KEEP, KEEP))
        inputs.append(
            TargetInput(
                unit,
                indicator,
                target=(targets or {}).get((unit, indicator), KEEP),
                baseline_numerator=numerator,
                baseline_denominator=denominator,
            )
        )
    return set_targets(campaign, inputs, user=by, source=source)


# --- daily progress pages (campaigns/progress) -----------------------------------------------


def local_moment(text: str, timezone: str = "Asia/Ho_Chi_Minh"):
    """The UTC moment (what the progress core takes) of a local time such as
    "2022-06-10 16:30" where the campaign runs."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC)


def enter_figures_for_test(
    campaign: Campaign,
    figures: dict[tuple[str, str, date], tuple[int, int | None]],
    *,
    at: str,
    by: User | None = None,
    source: str = "demo",
):
    """Save {(unit code, indicator code, day): (numerator, denominator)} through the core's
    save_entries at the local moment `at` ("2022-06-10 15:00")."""
    from campaigns.progress.operations import EntryInput, save_entries

    inputs = [
        EntryInput(unit, indicator, day, numerator, denominator)
        for (unit, indicator, day), (numerator, denominator) in figures.items()
    ]
    return save_entries(campaign, inputs, user=by, source=source, now=local_moment(at))
