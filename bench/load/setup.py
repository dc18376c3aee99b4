"""The load test's database side: what the simulated users need (their accounts, the cells
the reporters change, the pages the readers open), and the counts of entries and revisions
taken before and after the run. Runs in the orchestrator's process, inside an application
built on LOAD_DATABASE_URL; writes go through the application's operations.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.db import db, utcnow
from app.units.models import Unit
from app.units.queries import unit_by_code
from app.users.models import Role
from app.users.operations import create_user
from app.users.queries import user_by_username
from campaigns.models import Campaign
from campaigns.operations import update_campaign
from campaigns.progress.models import Entry, EntryRevision
from campaigns.progress.pages import local_date
from campaigns.queries import campaign_by_code
from targets.briefings.demo import DAY as BRIEFING_DAY
from targets.briefings.models import BriefingKind, BriefingStatus
from targets.briefings.operations import latest_version
from targets.demo import CODE, ON_TIME, ONLINE, PROVINCE

# One password for every account the load test makes (they live only in its database).
PASSWORD = "tiendo-load-test-2026"
REPORTER_PREFIX = "load-r-"
READER_PREFIX = "load-v-"
# The flows a reporter changes on each save: the two with the most dossiers a day, so that a
# few more or fewer never look like an outlier (campaigns.progress.rules.is_outlier).
CHANGED_INDICATORS = (ONLINE, ON_TIME)
# The extra days the lock is pushed back beyond today, so that no save of the run is locked.
LOCK_MARGIN_DAYS = 30


@dataclass
class Reporter:
    username: str
    unit_code: str
    unit_id: int
    indicator_ids: list[int]  # the cells changed on each save: (unit_id, indicator id)


@dataclass
class Plan:
    """What the client process needs; written to a JSON file."""

    base_url: str
    campaign: str
    province: str
    day: str  # the day every reporter saves (ISO)
    password: str
    reporters: list[Reporter]
    readers: list[str]
    districts: list[str]
    communes: list[str]
    briefing_day: str
    briefing_version: int | None  # None: no published briefing, no briefing pages
    seconds: float
    think_seconds: float
    mix: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def open_campaign_days(campaign: Campaign) -> int | None:
    """Push the demo campaign's lock back so that its reporters may still save the figures of
    its last day (its days are in 2022): the page and the save run as on a campaign's last
    day. Returns the new lock_after_days, or None when nothing had to change."""
    today = local_date(utcnow())
    needed = (today - campaign.end_date).days + LOCK_MARGIN_DAYS
    if campaign.lock_after_days >= needed - LOCK_MARGIN_DAYS // 2:
        return None
    update_campaign(
        campaign,
        name=campaign.name,
        start_date=campaign.start_date,
        end_date=campaign.end_date,
        legal_basis=campaign.legal_basis,
        lock_after_days=needed,
    )
    return needed


def _account(username: str, role: str, unit: Unit) -> None:
    if user_by_username(username) is None:
        create_user(username=username, role=role, unit=unit, password=PASSWORD)


def prepare(
    base_url: str, users: int, seconds: float, think_seconds: float, mix: dict[str, float]
) -> tuple[Plan, list[str]]:
    """Make the accounts and the plan; returns the plan and what was changed (for the log)."""
    notes: list[str] = []
    campaign = campaign_by_code(CODE)
    if campaign is None:
        raise SystemExit(f"campaign {CODE} is missing: load the demo first")
    lock = open_campaign_days(campaign)
    if lock is not None:
        notes.append(f"{CODE}: lock_after_days set to {lock} so that its last day stays open")
    province = unit_by_code(PROVINCE)
    communes = db.session.scalars(
        select(Unit).where(Unit.kind == "commune").order_by(Unit.code)
    ).all()
    if users > len(communes):
        raise SystemExit(f"at most {len(communes)} users: one commune each")
    districts = db.session.scalars(
        select(Unit.code).where(Unit.kind == "district").order_by(Unit.code)
    ).all()
    indicators = {indicator.code: indicator.id for indicator in campaign.indicators}
    changed = [indicators[code] for code in CHANGED_INDICATORS]
    reporters, readers = [], []
    made = 0
    for number, commune in enumerate(communes[:users]):
        reporter = f"{REPORTER_PREFIX}{commune.code}"
        reader = f"{READER_PREFIX}{number + 1:03d}"
        made += user_by_username(reporter) is None
        made += user_by_username(reader) is None
        _account(reporter, Role.REPORTER, commune)
        _account(reader, Role.VIEWER, province)
        reporters.append(Reporter(reporter, commune.code, commune.id, changed))
        readers.append(reader)
    if made:
        notes.append(f"{made} accounts made (reporters of a commune each, viewers of {PROVINCE})")
    # The demo publishes it only with its daily figures (LOAD_DEMO_ENTRIES=0: none).
    briefing = latest_version(campaign, BriefingKind.DAILY, BRIEFING_DAY, BRIEFING_DAY)
    if briefing is not None and briefing.status != BriefingStatus.PUBLISHED:
        briefing = None
    db.session.commit()
    plan = Plan(
        base_url=base_url,
        campaign=CODE,
        province=PROVINCE,
        day=campaign.end_date.isoformat(),
        password=PASSWORD,
        reporters=reporters,
        readers=readers,
        districts=list(districts),
        communes=[commune.code for commune in communes],
        briefing_day=BRIEFING_DAY.isoformat(),
        briefing_version=briefing.version if briefing else None,
        seconds=seconds,
        think_seconds=think_seconds,
        mix=mix,
    )
    return plan, notes


@dataclass
class Counts:
    """Entries and revisions in the whole database, and the revision of each cell the
    reporters change: (unit id, indicator id) → (entry's revision, its revision rows)."""

    entries: int
    revisions: int
    cells: dict[tuple[int, int], tuple[int, int]]


def count(plan: Plan) -> Counts:
    day = date.fromisoformat(plan.day)
    keys = {(r.unit_id, i) for r in plan.reporters for i in r.indicator_ids}
    rows = db.session.execute(
        select(Entry.unit_id, Entry.indicator_id, Entry.revision, func.count(EntryRevision.id))
        .join(EntryRevision, EntryRevision.entry_id == Entry.id)
        .where(
            Entry.entry_date == day,
            Entry.unit_id.in_({unit for unit, _ in keys}),
            Entry.indicator_id.in_({indicator for _, indicator in keys}),
        )
        .group_by(Entry.id, Entry.unit_id, Entry.indicator_id, Entry.revision)
    ).all()
    cells = {(unit, indicator): (revision, rows) for unit, indicator, revision, rows in rows}
    counts = Counts(
        entries=db.session.scalar(select(func.count()).select_from(Entry)),
        revisions=db.session.scalar(select(func.count()).select_from(EntryRevision)),
        cells={key: cells.get(key, (0, 0)) for key in keys},
    )
    db.session.rollback()
    return counts
