"""The data set of the results benchmark (bench/results.py): a national campaign and its
daily figures, built once per database and cached.

- Units: Vietnam's 2022 (three-tier) list, 63 provinces, 696 districts and 10,051 communes,
  from `vietnam-provinces==0.6.0`'s data/nested-divisions.json (the release
  app/data/build_binh_phuoc_2022.py took Bình Phước from), under a national root "VN" of kind
  "country". The JSON is downloaded once with pip and kept in bench/.cache/.
- A campaign owned by the root with the five indicators of the 92-day template
  (targets.presets.apply_preset: the root's targets, inherited by every unit), 01/06–31/08/2022.
- Figures for every day, indicator, commune and district (the districts' own dossiers; the
  provinces enter none), from a fixed seed: dossiers received and settled per day with fewer
  at weekends, online and digitised shares rising over the campaign, a stock of services with
  online dossiers that never falls, and 2% of unit-days not reported at all. About 4.84
  million entries.
- The entries are written straight into `entries` (executemany on SQLite, COPY on
  PostgreSQL: about 50 s and 90 s), without revisions, which the results never read; then
  their running totals (`entry_totals`, what the results read) by the app's own operation
  (write_running_totals).
  campaigns.progress.operations.load_generated_entries, which also writes each entry's
  first revision, took 1.8 s (SQLite) and 3.5 s (PostgreSQL) per day of 52,600 entries
  (before running totals existed): about 3 and 5½ minutes for the 92 days, and twice the
  rows on disk.

The national data set is cached per database: a SQLite file in bench/.cache/, or the schema
`bench_national` in BENCH_DATABASE_URL's database. A marker table records DATASET_VERSION; the
data set is built again when it is missing or the version differs. The small scale
(BENCH_SCALE=small: Bình Phước from app/data plus a small made-up province, 14 days) is
built afresh in a temporary place each time, so it needs no network.
"""

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import flask_migrate
import numpy as np
from alembic.util.exc import CommandError
from flask import Flask
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import aliased

from app import create_app
from app.config import TestConfig, normalise_database_url
from app.db import db
from app.units.importing import UnitList, UnitRow, read_unit_file
from app.units.models import Unit, UnitClosure
from app.units.operations import import_units
from app.units.queries import unit_by_code
from app.users.operations import create_user
from campaigns.models import Campaign, CampaignStatus, Indicator
from campaigns.operations import create_campaign, set_status
from campaigns.progress.models import Entry
from campaigns.progress.operations import refresh_totals
from targets.presets import CAMPAIGN_92_DAYS, apply_preset

# Bump when the generated data changes: cached data sets of another version are rebuilt.
DATASET_VERSION = "results-3"

CACHE_FOLDER = Path(__file__).with_name(".cache")
LEGACY_RELEASE = "vietnam-provinces==0.6.0"
LEGACY_MEMBER = "vietnam_provinces/data/nested-divisions.json"
LEGACY_JSON = CACHE_FOLDER / "nested-divisions-0.6.0.json"
SHIPPED_PROVINCE = Path(__file__).parent.parent / "app" / "data" / "binh_phuoc_2022.csv"
SERVER_SCHEMA = "bench_national"

ROOT_CODE = "VN"
CAMPAIGN_CODE = "QG92-2022"
CAMPAIGN_START, CAMPAIGN_END = date(2022, 6, 1), date(2022, 8, 31)
CAMPAIGN_DAYS = (CAMPAIGN_END - CAMPAIGN_START).days + 1
ADMIN_USERNAME, ADMIN_PASSWORD = "bench-admin", "bench-admin-password"
REPORTING_KINDS = ("district", "commune")
STOCK = "DVC_PHAT_SINH"
SEED = 20220601
MISSED_DAYS = 0.02  # share of unit-days with no figures at all
# Figures are saved at 16:00 in Vietnam (09:00 UTC), on time.
ENTERED_AT = timedelta(hours=9)


@dataclass(frozen=True)
class Scale:
    name: str
    days: int  # days of figures from the campaign's first day
    cached: bool
    repeat: int  # timed runs of each measurement, at most
    budget: float  # seconds a measurement may take before it stops repeating (after 3 runs)

    @property
    def day(self) -> date:
        """The day the benchmark reads: the last day with figures."""
        return CAMPAIGN_START + timedelta(days=self.days - 1)


SCALES = {
    "national": Scale("national", CAMPAIGN_DAYS, cached=True, repeat=9, budget=30.0),
    "small": Scale("small", 14, cached=False, repeat=1, budget=0.0),
}


@dataclass(frozen=True)
class Dataset:
    """Where a built data set lives: what create_app needs, and its CSV exports."""

    scale: Scale
    label: str  # "SQLite 3.40.1", "PostgreSQL 15.2"
    settings: dict[str, object] = field(hash=False)
    entries_csv: Path
    units_csv: Path
    entry_count: int
    unit_counts: dict[str, int] = field(hash=False)


# --- the unit lists -------------------------------------------------------------------------


def legacy_divisions() -> list[dict]:
    """The 2022 list of provinces, districts and communes (downloaded once, then cached)."""
    if not LEGACY_JSON.exists():
        CACHE_FOLDER.mkdir(exist_ok=True)
        with TemporaryDirectory() as folder:
            command = ["pip", "download", "--quiet", "--no-deps", LEGACY_RELEASE, "--dest", folder]
            subprocess.run(
                [sys.executable, "-m", *command],
                check=True,
            )
            (wheel,) = Path(folder).glob("*.whl")
            with zipfile.ZipFile(wheel) as archive:
                data = archive.read(LEGACY_MEMBER)
        partial = LEGACY_JSON.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(LEGACY_JSON)
    return json.loads(LEGACY_JSON.read_text(encoding="utf-8"))


def national_rows(divisions: list[dict]) -> list[UnitRow]:
    """The root, then every province, district and commune, codes zero-padded as the
    official list writes them (2, 3 and 5 digits)."""
    rows = [UnitRow(2, ROOT_CODE, "Việt Nam", "country", None)]

    def add(code: str, name: str, kind: str, parent: str) -> None:
        rows.append(UnitRow(len(rows) + 2, code, name, kind, parent))

    for province in divisions:
        province_code = f"{province['code']:02d}"
        add(province_code, province["name"], "province", ROOT_CODE)
        for district in province["districts"]:
            district_code = f"{district['code']:03d}"
            add(district_code, district["name"], "district", province_code)
            for ward in district["wards"]:
                add(f"{ward['code']:05d}", ward["name"], "commune", district_code)
    return rows


def small_rows() -> list[UnitRow]:
    """Bình Phước's 2022 list shipped in app/data, and a made-up province of 3 districts × 8
    communes, so that one province's communes are not all the communes."""
    shipped = read_unit_file(SHIPPED_PROVINCE)
    rows = [UnitRow(2, ROOT_CODE, "Việt Nam", "country", None)]
    for row in shipped.rows:
        rows.append(
            UnitRow(len(rows) + 2, row.code, row.name, row.kind, row.parent_code or ROOT_CODE)
        )
    rows.append(UnitRow(len(rows) + 2, "99", "Tỉnh Thử Nghiệm", "province", ROOT_CODE))
    for district in range(1, 4):
        district_code = f"99{district}"
        rows.append(
            UnitRow(len(rows) + 2, district_code, f"Huyện Thử {district}", "district", "99")
        )
        for commune in range(1, 9):
            rows.append(
                UnitRow(
                    len(rows) + 2,
                    f"99{district}{commune:02d}",
                    f"Xã Thử {district}-{commune}",
                    "commune",
                    district_code,
                )
            )
    return rows


# --- the figures ----------------------------------------------------------------------------


def generated_figures(
    province: int, units: list[tuple[int, str]], days: int
) -> Iterator[tuple[str, int, int, int, int]]:
    """(indicator code, unit id, day index, numerator, denominator) of one province's
    reporting units (id, kind), from a seed of their own: a province's figures do not depend
    on the others nor on the scale."""
    rng = np.random.default_rng([SEED, province])
    count = len(units)
    if not count:
        return
    is_district = np.array([kind == "district" for _id, kind in units])
    ids = [unit_id for unit_id, _kind in units]
    progress = np.arange(days) / (CAMPAIGN_DAYS - 1)  # 0 on the first day, 1 on the last
    weekdays = np.array([(CAMPAIGN_START + timedelta(days=d)).weekday() for d in range(days)])
    busy = np.select([weekdays == 5, weekdays == 6], [0.3, 0.1], 1.0)  # Saturday, Sunday

    def rising(low: tuple[float, float], high: tuple[float, float]):
        start = rng.uniform(*low, count)[:, None]
        end = rng.uniform(*high, count)[:, None]
        return np.clip(start + (end - start) * progress, 0, 1)

    dossiers = np.where(is_district, rng.lognormal(3.2, 0.5, count), rng.lognormal(1.8, 0.6, count))
    received = rng.poisson(dossiers[:, None] * busy)
    settled = rng.poisson(0.9 * dossiers[:, None] * busy)
    reports = rng.poisson(np.where(is_district, 1.0, 0.4)[:, None] * busy)
    services = np.where(is_district, rng.integers(150, 400, count), rng.integers(60, 200, count))[
        :, None
    ]
    level = rising((0.1, 0.5), (0.6, 1.0)) + rng.normal(0, 0.02, (count, days))
    with_dossiers = np.maximum.accumulate(
        np.clip(np.floor(services * level), 0, services).astype(np.int64), axis=1
    )
    figures = {
        STOCK: (with_dossiers, np.broadcast_to(services, (count, days))),
        "HS_TRUC_TUYEN": (rng.binomial(received, rising((0.05, 0.45), (0.45, 0.99))), received),
        "SO_HOA": (rng.binomial(settled, rising((0.2, 0.6), (0.7, 1.0))), settled),
        "BAO_CAO_TT": (rng.binomial(reports, rising((0.1, 0.5), (0.5, 1.0))), reports),
        "DUNG_HAN": (rng.binomial(settled, rng.uniform(0.9, 1.0, count)[:, None]), settled),
    }
    unit_index, day_index = np.nonzero(rng.random((count, days)) >= MISSED_DAYS)
    unit_ids = [ids[i] for i in unit_index.tolist()]
    day_list = day_index.tolist()
    for code, (numerators, denominators) in figures.items():
        yield from zip(
            [code] * len(unit_ids),
            unit_ids,
            day_list,
            numerators[unit_index, day_index].tolist(),
            denominators[unit_index, day_index].tolist(),
            strict=True,
        )


ENTRY_COLUMNS = (
    "indicator_id",
    "unit_id",
    "entry_date",
    "numerator",
    "denominator",
    "revision",
    "late",
    "first_entered_at",
    "updated_at",
)


def reporting_units() -> list[tuple[int, list[tuple[int, str]]]]:
    """(province code, [(unit id, kind)]) of the units that enter figures, by province."""
    statement = (
        select(Unit.code, UnitClosure.descendant_id, Unit.kind)
        .join(UnitClosure, UnitClosure.ancestor_id == Unit.id)
        .where(Unit.kind == "province")
        .order_by(Unit.code, UnitClosure.descendant_id)
    )
    kinds = dict(db.session.execute(select(Unit.id, Unit.kind)).all())
    found: dict[int, list[tuple[int, str]]] = {}
    for code, unit_id, _kind in db.session.execute(statement):
        units = found.setdefault(int(code), [])
        if kinds[unit_id] in REPORTING_KINDS:
            units.append((unit_id, kinds[unit_id]))
    return list(found.items())


def entry_rows(campaign: Campaign, scale: Scale) -> Iterator[tuple]:
    """Rows of ENTRY_COLUMNS, ready for the driver, province by province. Everything is read
    from the database before the first row is given."""
    dialect = db.engine.dialect
    table = Entry.__table__

    def bound(column: str, value):
        processor = table.c[column].type.bind_processor(dialect)
        return processor(value) if processor else value

    indicator_ids = {indicator.code: indicator.id for indicator in campaign.indicators}
    days = [CAMPAIGN_START + timedelta(days=d) for d in range(scale.days)]
    dates = [bound("entry_date", day) for day in days]
    moments = [
        bound("first_entered_at", datetime(day.year, day.month, day.day, tzinfo=UTC) + ENTERED_AT)
        for day in days
    ]
    on_time = bound("late", False)
    provinces = reporting_units()

    def rows() -> Iterator[tuple]:
        for province, units in provinces:
            for code, unit_id, day, numerator, denominator in generated_figures(
                province, units, scale.days
            ):
                yield (
                    indicator_ids[code],
                    unit_id,
                    dates[day],
                    numerator,
                    denominator,
                    1,
                    on_time,
                    moments[day],
                    moments[day],
                )

    return rows()


SQLITE_BATCH = 500_000  # rows per transaction


def insert_entries(rows: Iterator[tuple]) -> int:
    """Write the rows in bulk on a connection of their own; returns how many."""
    columns = ", ".join(ENTRY_COLUMNS)
    written = 0
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        if db.engine.dialect.name == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY entries ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    written += 1
            connection.commit()
            return written
        # Trusted generated rows: no foreign-key checks, no fsync; back to the app's journal
        # mode at the end.
        for pragma in ("foreign_keys=OFF", "synchronous=OFF", "journal_mode=WAL"):
            connection.execute(f"PRAGMA {pragma}")
        statement = (
            f"INSERT INTO entries ({columns}) VALUES ({', '.join('?' * len(ENTRY_COLUMNS))})"
        )
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) == SQLITE_BATCH:
                connection.executemany(statement, batch)
                connection.commit()
                written += len(batch)
                batch.clear()
        connection.executemany(statement, batch)
        connection.commit()
        connection.execute("PRAGMA journal_mode=DELETE")
        return written + len(batch)
    finally:
        raw.close()


# --- building and caching -------------------------------------------------------------------

MARKER_TABLE = "bench_dataset"
TOTALS_BATCH = 1_000  # (indicator, unit) pairs per transaction


def write_running_totals(campaign: Campaign) -> None:
    """The entries' running totals (`entry_totals`, what the results read), by the app's own
    campaigns.progress.operations.refresh_totals, a thousand (indicator, unit) pairs per
    transaction. (rebuild_totals does all of them in one transaction: on PostgreSQL its
    advisory lock per pair then exhausts max_locks_per_transaction.)"""
    pairs = db.session.execute(
        select(Entry.indicator_id, Entry.unit_id, func.min(Entry.entry_date))
        .group_by(Entry.indicator_id, Entry.unit_id)
        .order_by(Entry.indicator_id, Entry.unit_id)
    ).all()
    for offset in range(0, len(pairs), TOTALS_BATCH):
        refresh_totals(campaign, [tuple(pair) for pair in pairs[offset : offset + TOTALS_BATCH]])
        db.session.commit()


def build(scale: Scale) -> None:
    """Units, the campaign, an admin of the root, the entries, then the marker (last, so an
    interrupted build is built again)."""
    started = time.perf_counter()
    flask_migrate.upgrade()
    import_units(UnitList(national_rows(legacy_divisions()) if scale.cached else small_rows()))
    root = unit_by_code(ROOT_CODE)
    create_user(username=ADMIN_USERNAME, role="admin", unit=root, password=ADMIN_PASSWORD)
    campaign = create_campaign(
        code=CAMPAIGN_CODE,
        name="Chiến dịch 92 ngày — toàn quốc (benchmark)",
        owner_unit=root,
        start_date=CAMPAIGN_START,
        end_date=CAMPAIGN_END,
        created_by=None,
    )
    apply_preset(campaign, CAMPAIGN_92_DAYS, user=None)
    set_status(campaign, CampaignStatus.ACTIVE)
    db.session.commit()
    units_done = time.perf_counter()
    count = insert_entries(entry_rows(campaign, scale))
    entries_done = time.perf_counter()
    write_running_totals(campaign)
    # The planners' statistics: PostgreSQL's autovacuum gathers them soon after a bulk load;
    # on SQLite nothing does yet (docs/benchmarks.md: a province's ranking then takes 17 s).
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":  # this schema's tables, not the database's
            for table in db.metadata.sorted_tables:
                connection.execute(text(f"ANALYZE {table.name}"))
        else:
            connection.execute(text("ANALYZE"))
    with db.engine.begin() as connection:
        connection.execute(
            text(f"CREATE TABLE {MARKER_TABLE} (version VARCHAR(64) NOT NULL, entries INTEGER)")
        )
        connection.execute(
            text(f"INSERT INTO {MARKER_TABLE} VALUES (:version, :entries)"),
            {"version": DATASET_VERSION, "entries": count},
        )
    print(
        f"built the {scale.name} data set: units and campaign in {units_done - started:.1f} s, "
        f"{count:,} entries in {entries_done - units_done:.1f} s, their running totals in "
        f"{time.perf_counter() - entries_done:.1f} s"
    )


def stored_version() -> tuple[str, int] | None:
    """The marker of the data set in the database, None when there is none."""
    if not inspect(db.engine).has_table(MARKER_TABLE):
        return None
    return db.session.execute(text(f"SELECT version, entries FROM {MARKER_TABLE}")).one()._tuple()


def ready(app: Flask, scale: Scale) -> int:
    """Build the data set unless the database holds this version; returns its entry count.
    A cached data set is migrated to the latest schema like any deployment."""
    with app.app_context():
        marker = stored_version()
        if marker is not None and marker[0] == DATASET_VERSION:
            try:
                flask_migrate.upgrade()
                return marker[1]
            except CommandError:  # its migrations no longer exist: build it again
                pass
        if marker is not None or inspect(db.engine).get_table_names():
            raise StaleDataset
        build(scale)
        return stored_version()[1]


class StaleDataset(Exception):
    """The cached database holds another version of the data set: it must be emptied."""


def export_csv(app: Flask, entries_csv: Path, units_csv: Path) -> None:
    """The analyst's files: every entry (unit code, indicator, date, figures) and the unit
    list, as CSV. (An Excel sheet holds 1,048,576 rows at most: fewer than the entries.)"""
    with app.app_context():
        if not units_csv.exists():
            parent = aliased(Unit)
            _write_csv(
                units_csv,
                ("code", "name", "kind", "parent_code"),
                select(Unit.code, Unit.name, Unit.kind, parent.code).outerjoin(
                    parent, parent.id == Unit.parent_id
                ),
            )
        if not entries_csv.exists():
            started = time.perf_counter()
            _write_csv(
                entries_csv,
                ("unit_code", "indicator", "date", "numerator", "denominator"),
                select(
                    Unit.code,
                    Indicator.code,
                    Entry.entry_date,
                    Entry.numerator,
                    Entry.denominator,
                )
                .join(Unit, Unit.id == Entry.unit_id)
                .join(Indicator, Indicator.id == Entry.indicator_id)
                .join(Campaign, Campaign.id == Indicator.campaign_id)
                .where(Campaign.code == CAMPAIGN_CODE),
            )
            print(f"exported the entries to CSV in {time.perf_counter() - started:.1f} s")


def _write_csv(path: Path, header: tuple[str, ...], statement) -> None:
    partial = path.with_suffix(".part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        result = db.session.execute(statement.execution_options(yield_per=100_000))
        for rows in result.partitions():
            writer.writerows(rows)
    partial.replace(path)


# --- where the data set lives ---------------------------------------------------------------


@contextmanager
def open_dataset(scale: Scale) -> Iterator[Dataset]:
    """The data set of `scale` on SQLite, or on PostgreSQL when BENCH_DATABASE_URL is set,
    built if needed. Uploads and charts go to a temporary folder."""
    server_url = os.environ.get("BENCH_DATABASE_URL")
    with TemporaryDirectory(prefix="bench-results-") as folder:
        work = Path(folder)
        files = CACHE_FOLDER if scale.cached else work
        files.mkdir(exist_ok=True)
        folders = {"UPLOAD_FOLDER": str(work / "uploads"), "CHART_CACHE_FOLDER": str(work / "c")}
        if not server_url:
            database = files / f"{scale.name}.sqlite"
            settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", **folders}

            def empty_file() -> None:
                _remove_exports(files, scale, "sqlite")
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{database}{suffix}").unlink(missing_ok=True)

            yield _dataset(scale, settings, files, "sqlite", empty_file)
            return
        url = normalise_database_url(server_url)
        schema = SERVER_SCHEMA if scale.cached else f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))

        def empty_schema() -> None:
            _remove_exports(files, scale, "postgresql")
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))

        settings = {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
            **folders,
        }
        try:
            yield _dataset(scale, settings, files, "postgresql", empty_schema)
        finally:
            if not scale.cached:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _remove_exports(files: Path, scale: Scale, kind: str) -> None:
    for export in files.glob(f"{scale.name}-{kind}-*.csv"):
        export.unlink()


def _dataset(scale: Scale, settings: dict, files: Path, kind: str, empty) -> Dataset:
    app = create_app(TestConfig, settings)
    try:
        entries = ready(app, scale)
    except StaleDataset:
        print(f"the cached {kind} data set is of another version: building it again")
        with app.app_context():
            db.engine.dispose()
        empty()
        app = create_app(TestConfig, settings)
        entries = ready(app, scale)
    stem = f"{scale.name}-{kind}-{DATASET_VERSION}"
    entries_csv, units_csv = files / f"{stem}-entries.csv", files / f"{stem}-units.csv"
    export_csv(app, entries_csv, units_csv)
    with app.app_context():
        counts = dict(db.session.execute(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        label = (
            f"PostgreSQL {db.session.scalar(text('SHOW server_version')).split()[0]}"
            if kind == "postgresql"
            else f"SQLite {sqlite3.sqlite_version}"
        )
        db.engine.dispose()
    return Dataset(scale, label, settings, entries_csv, units_csv, entries, counts)
