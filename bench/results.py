"""Benchmark: results and rankings of a national campaign (bench/results_data.py builds it:
63 provinces, 696 districts, 10,051 communes, 5 indicators, 92 days, about 4.84 million
entries), measured against two references computed in the same run on the same data.

What is timed (median of several runs after a warm-up; each run starts a fresh session, as a
request does, and includes looking up the campaign and the members):
- the ranking of one province's communes (Bình Phước's, and the largest province's) and of
  all communes for one day: targets.results.engine.rank_units over the week ending the day,
  with the ranks 1 and 7 days before;
- the national root's full result for each window (engine.unit_result: figures, targets,
  day-by-day series, forecasts);
- the overview page of a province through the test client, signed in as an admin of the
  root: the page and every chart image it shows, charts drawn (cache emptied before each run)
  and cached.

The references:
- the SQL floor: one hand-written GROUP BY over the entries (FLOOR_SQL) giving the same
  figures for the current window only: per commune (communes have no units below them) or
  for the root's whole subtree, the flows summed and the stock's latest level. The engine
  reads the running totals kept beside the entries (entry_totals) instead, also for the two
  earlier windows of movement, adds up subtrees through the closure table, scores and ranks.
  The bench checks that both give the same figures: a benchmark comparing different answers
  is worthless.
- pandas: what an analyst does today with a CSV export of the entries (read it, join the unit
  list, group by commune over the week, score and rank). Checked against the engine: the
  same figures for every commune, scores within 0.01, the same ranks.

The engine, the floor and the page run in one child process, pandas in another, so that each
one's peak memory (resident set size) can be reported.

Run with `make bench` (python -m bench.results). BENCH_DATABASE_URL selects PostgreSQL;
BENCH_SCALE=small runs everything on two provinces and 14 days in a few seconds (the test
suite does, so the benchmark cannot rot).
"""

import html
import os
import re
import resource
import shutil
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Date, bindparam, func, select, text
from werkzeug.exceptions import NotFound

from app import create_app
from app.config import TestConfig
from app.db import db
from app.units.models import Unit, UnitClosure
from app.units.queries import unit_by_code
from bench.results_data import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    CAMPAIGN_CODE,
    ROOT_CODE,
    SCALES,
    STOCK,
    Dataset,
    Scale,
    open_dataset,
)
from campaigns.queries import campaign_by_code
from targets.presets import CAMPAIGN_92_DAYS
from targets.results import engine
from targets.results.rules import WEEK, WINDOWS

PROVINCE_CODE = "70"  # Bình Phước, the province Tiến độ was first written for
PEAK_MEMORY_GOAL_MB = 500

# (unit code, indicator code) → (numerator, denominator)
Figures = dict[tuple[str, str], tuple[float, float | None]]
# unit code → (score, rank)
Ranking = dict[str, tuple[float | None, int | None]]


@dataclass(frozen=True)
class Plan:
    """What the child processes need to know."""

    dataset: Dataset
    provinces: tuple[str, ...] = ()  # set by the engine's process: Bình Phước, the largest


@dataclass
class Measured:
    """One row of the table: seconds of the engine (or page), the floor, pandas."""

    label: str
    engine: float | None
    floor: float | None = None
    pandas: float | None = None


@dataclass
class EngineReport:
    rows: list[Measured]
    provinces: tuple[str, ...]
    figures: dict[str, Figures]  # ranking key ("70", "VN") → the engine's figures
    rankings: dict[str, Ranking]
    checked: list[str]  # what was checked equal to the floor
    peak_mb: float


@dataclass
class PandasReport:
    seconds: dict[str, float]
    figures: dict[str, Figures]
    rankings: dict[str, Ranking]
    peak_mb: float


Result = TypeVar("Result")


def timed(
    action: Callable[[], Result], scale: Scale, before: Callable[[], object] | None = None
) -> tuple[float, Result]:
    """The median of up to scale.repeat runs after a warm-up (at least 3 runs, fewer than
    scale.repeat once they took scale.budget seconds), and the last run's result.
    `before` runs ahead of every run, untimed."""
    if before:
        before()
    result = action()
    samples: list[float] = []
    while len(samples) < scale.repeat and (len(samples) < 3 or sum(samples) < scale.budget):
        if before:
            before()
        start = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- the SQL floor --------------------------------------------------------------------------

# Members (key, unit_id): the units whose figures are added up under each key.
COMMUNES_BELOW = """
    SELECT u.id AS key, u.id AS unit_id
    FROM units u
    JOIN unit_closures c ON c.descendant_id = u.id
    JOIN units w ON w.id = c.ancestor_id
    WHERE w.code = :within AND u.kind = 'commune'
"""
WHOLE_SUBTREE = """
    SELECT w.id AS key, c.descendant_id AS unit_id
    FROM unit_closures c
    JOIN units w ON w.id = c.ancestor_id
    WHERE w.code = :within
"""
FLOOR_SQL = """
WITH members AS ({members}),
latest AS (
    SELECT e.unit_id, MAX(e.entry_date) AS entry_date
    FROM entries e JOIN members m ON m.unit_id = e.unit_id
    WHERE e.indicator_id = :stock AND e.entry_date >= :campaign_start AND e.entry_date <= :end
    GROUP BY e.unit_id
)
SELECT m.key, e.indicator_id, SUM(e.numerator), SUM(e.denominator)
FROM entries e JOIN members m ON m.unit_id = e.unit_id
WHERE e.indicator_id IN :flows AND e.entry_date >= :start AND e.entry_date <= :end
GROUP BY m.key, e.indicator_id
UNION ALL
SELECT m.key, e.indicator_id, SUM(e.numerator), SUM(e.denominator)
FROM entries e
JOIN latest l ON l.unit_id = e.unit_id AND l.entry_date = e.entry_date
JOIN members m ON m.unit_id = e.unit_id
WHERE e.indicator_id = :stock
GROUP BY m.key, e.indicator_id
"""


def floor_figures(members: str, within: str, period, campaign) -> dict[tuple[int, int], tuple]:
    """(key, indicator id) → (Σ numerator, Σ denominator) over `period`, by FLOOR_SQL."""
    statement = text(FLOOR_SQL.format(members=members)).bindparams(
        bindparam("flows", expanding=True),
        bindparam("start", type_=Date),
        bindparam("end", type_=Date),
        bindparam("campaign_start", type_=Date),
    )
    indicators = campaign.indicators
    rows = db.session.execute(
        statement,
        {
            "within": within,
            "flows": [i.id for i in indicators if i.measure == "flow"],
            "stock": next(i.id for i in indicators if i.measure == "stock"),
            "start": period.start,
            "end": period.end,
            "campaign_start": campaign.start_date,
        },
    )
    return {
        (key, indicator_id): (float(numerator), None if denominator is None else float(denominator))
        for key, indicator_id, numerator, denominator in rows
    }


def scored_figures(unit_id: int, unit_score) -> dict[tuple[int, int], tuple]:
    """The figures behind an engine score, keyed like floor_figures (reported ones only)."""
    return {
        (unit_id, scored.indicator.id): (scored.totals.numerator, scored.totals.denominator)
        for scored in unit_score.indicators
        if scored.totals.reported
    }


# --- the engine's process -------------------------------------------------------------------


def measure_engine(plan: Plan) -> EngineReport:
    dataset = plan.dataset
    scale = dataset.scale
    day = scale.day
    app = create_app(TestConfig, dataset.settings)
    rows: list[Measured] = []
    figures: dict[str, Figures] = {}
    rankings: dict[str, Ranking] = {}
    checked: list[str] = []
    with app.app_context():
        provinces = _provinces_to_rank()
        for within in (*provinces, ROOT_CODE):

            def ranking(within=within):
                db.session.remove()  # a fresh session, as in a request
                campaign = campaign_by_code(CAMPAIGN_CODE)
                id_query = _communes_below(unit_by_code(within).id)
                members = engine.members(
                    select(*engine.MEMBER_COLUMNS).where(Unit.id.in_(id_query)).order_by(Unit.code)
                )
                return engine.rank_units(campaign, members, day, WEEK, id_query)

            def floor(within=within):
                db.session.remove()
                campaign = campaign_by_code(CAMPAIGN_CODE)
                period = engine.period_of(campaign, WEEK, day)
                return floor_figures(COMMUNES_BELOW, within, period, campaign)

            engine_seconds, standings = timed(ranking, scale)
            floor_seconds, expected = timed(floor, scale)
            found: dict[tuple[int, int], tuple] = {}
            for standing in standings:
                found.update(scored_figures(standing.unit.id, standing.result))
            assert found == expected, f"engine and SQL floor disagree on {within}'s communes"
            checked.append(f"{len(standings):,} communes below {within}")
            figures[within] = _by_code(standings)
            rankings[within] = {s.unit.code: (s.score, s.rank) for s in standings}
            rows.append(
                Measured(_ranking_label(within, len(standings)), engine_seconds, floor_seconds)
            )

        for window in WINDOWS:

            def result(window=window):
                db.session.remove()
                campaign = campaign_by_code(CAMPAIGN_CODE)
                return engine.unit_result(campaign, unit_by_code(ROOT_CODE), day, window)

            def floor(window=window):
                db.session.remove()
                campaign = campaign_by_code(CAMPAIGN_CODE)
                period = engine.period_of(campaign, window, day)
                return floor_figures(WHOLE_SUBTREE, ROOT_CODE, period, campaign)

            engine_seconds, found = timed(result, scale)
            floor_seconds, expected = timed(floor, scale)
            root_id = unit_by_code(ROOT_CODE).id
            got = {
                (root_id, item.indicator.id): (
                    item.scored.totals.numerator,
                    item.scored.totals.denominator,
                )
                for item in found.indicators
                if item.scored.totals.reported
            }
            assert got == expected, f"engine and SQL floor disagree on the root ({window})"
            checked.append(f"the root, {window} window")
            rows.append(
                Measured(f"national result, {window} window", engine_seconds, floor_seconds)
            )
        province_name = unit_by_code(provinces[0]).name
        db.session.remove()
    rows.extend(_overview_page(app, scale, provinces[0], province_name))
    with app.app_context():
        db.engine.dispose()
    return EngineReport(rows, provinces, figures, rankings, checked, peak_memory_mb())


def _communes_below(unit_id: int):
    return (
        select(Unit.id)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == unit_id, Unit.kind == "commune")
    )


def _provinces_to_rank() -> tuple[str, ...]:
    """Bình Phước, and the province with the most communes when it is another one."""
    province = select(Unit.id, Unit.code).where(Unit.kind == "province").subquery()
    statement = (
        select(province.c.code)
        .join(UnitClosure, UnitClosure.ancestor_id == province.c.id)
        .join(Unit, Unit.id == UnitClosure.descendant_id)
        .where(Unit.kind == "commune")
        .group_by(province.c.code)
        .order_by(func.count().desc(), province.c.code)
        .limit(1)
    )
    largest = db.session.scalar(statement)
    return (PROVINCE_CODE,) if largest == PROVINCE_CODE else (PROVINCE_CODE, largest)


def _ranking_label(within: str, count: int) -> str:
    if within == ROOT_CODE:
        return f"ranking, all {count:,} communes"
    name = unit_by_code(within).name
    return f"ranking, {name}'s {count:,} communes"


def _by_code(standings) -> Figures:
    return {
        (s.unit.code, scored.indicator.code): (scored.totals.numerator, scored.totals.denominator)
        for s in standings
        for scored in s.result.indicators
        if scored.totals.reported
    }


IMAGE_SOURCE = re.compile(r"<img[^>]*\ssrc=\"([^\"]+)\"")


def _overview_page(app, scale: Scale, province: str, name: str) -> list[Measured]:
    """The province's overview page and its charts, drawn and cached; "n/a" (None) while the
    page does not exist."""
    path = f"/campaigns/{CAMPAIGN_CODE}/results/units/{province}"
    try:
        app.url_map.bind("localhost").match(path)
    except NotFound:
        return [Measured("overview page (not written yet)", None)]
    client = app.test_client()
    response = client.post("/login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD})
    assert response.status_code == 302, "the benchmark's admin could not sign in"
    charts = Path(app.config["CHART_CACHE_FOLDER"])
    fetched: list[int] = []

    def page() -> None:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        sources = [
            html.unescape(source)
            for source in IMAGE_SOURCE.findall(response.get_data(as_text=True))
            if source.startswith("/") and not source.startswith("/static/")
        ]
        for source in sources:
            image = client.get(source)
            assert image.status_code == 200, f"{source}: {image.status_code}"
        fetched[:] = [len(sources)]

    def empty_cache() -> None:
        shutil.rmtree(charts, ignore_errors=True)

    uncached, _ = timed(page, scale, before=empty_cache)
    cached, _ = timed(page, scale)
    label = f"overview page of {name} and its {fetched[0]} charts"
    return [Measured(f"{label}, drawn", uncached), Measured(f"{label}, cached", cached)]


# --- the analyst's process ------------------------------------------------------------------


def measure_pandas(plan: Plan) -> PandasReport:
    dataset = plan.dataset
    seconds, figures, rankings = {}, {}, {}
    for within in (*plan.provinces, ROOT_CODE):
        seconds[within], (figures[within], rankings[within]) = timed(
            lambda within=within: pandas_ranking(dataset, within), dataset.scale
        )
    return PandasReport(seconds, figures, rankings, peak_memory_mb())


def pandas_ranking(dataset: Dataset, within: str) -> tuple[Figures, Ranking]:
    """Read the export, keep the communes below `within`, add up the week ending the day
    (flows) and the latest level (the stock), score against the campaign's targets and rank,
    as an analyst would in a notebook."""
    # Imported here so that pandas' memory is not counted in the engine's process.
    import pandas as pd

    targets = {spec.code: spec.target for spec in CAMPAIGN_92_DAYS.indicators}
    entries = pd.read_csv(dataset.entries_csv, dtype={"unit_code": str}, parse_dates=["date"])
    units = pd.read_csv(dataset.units_csv, dtype=str, keep_default_na=False)
    parent = units.set_index("code")["parent_code"]
    communes = units.loc[units["kind"] == "commune", ["code"]]
    if within != ROOT_CODE:
        communes = communes[communes["code"].map(parent).map(parent) == within]
    rows = entries.merge(communes, left_on="unit_code", right_on="code")
    day = pd.Timestamp(dataset.scale.day)
    week = rows[
        (rows["date"] > day - pd.Timedelta(days=7))
        & (rows["date"] <= day)
        & (rows["indicator"] != STOCK)
    ]
    flows = week.groupby(["unit_code", "indicator"])[["numerator", "denominator"]].sum()
    levels = rows[(rows["indicator"] == STOCK) & (rows["date"] <= day)].sort_values("date")
    latest = levels.groupby(["unit_code", "indicator"])[["numerator", "denominator"]].last()
    totals = pd.concat([flows, latest])
    shape = {"index": communes["code"], "columns": list(targets)}
    denominators = totals["denominator"].unstack().reindex(**shape)
    achieved = (
        (totals["numerator"] / totals["denominator"])
        .unstack()
        .reindex(**shape)
        .div(pd.Series(targets))
        .clip(upper=1)
    )
    # Not reported: 0. Reported with no dossiers (0 ÷ 0): left out of the score.
    achieved = achieved.where(denominators.notna(), 0.0).where(denominators != 0)
    scores = (100 * achieved.mean(axis=1)).round(2)
    ranks = scores.rank(ascending=False, method="min")
    figures = {
        (code, indicator): (float(numerator), float(denominator))
        for (code, indicator), numerator, denominator in zip(
            totals.index, totals["numerator"], totals["denominator"], strict=True
        )
    }
    ranking = {
        code: (None if pd.isna(score) else float(score), None if pd.isna(rank) else int(rank))
        for code, score, rank in zip(scores.index, scores, ranks, strict=True)
    }
    return figures, ranking


def compare(engine_report: EngineReport, pandas_report: PandasReport) -> list[str]:
    """pandas gives the engine's figures and, within rounding, its scores and ranks."""
    lines = []
    for within, expected in engine_report.figures.items():
        assert pandas_report.figures[within] == expected, f"pandas' figures differ ({within})"
        ours, theirs = engine_report.rankings[within], pandas_report.rankings[within]
        assert ours.keys() == theirs.keys(), f"pandas ranked other communes ({within})"
        off = [
            code
            for code, (score, _rank) in ours.items()
            if (score is None) != (theirs[code][0] is None)
            or (score is not None and abs(score - theirs[code][0]) > 0.0100001)
        ]
        assert not off, f"pandas' scores differ ({within}): {off[:5]}"
        ranked_alike = sum(ours[code][1] == theirs[code][1] for code in ours)
        assert ranked_alike >= 0.99 * len(ours), f"pandas' ranks differ ({within})"
        lines.append(
            f"{len(ours):,} communes below {within}: same figures, scores within 0.01, "
            f"{ranked_alike:,} ranks alike"
        )
    return lines


# --- the table ------------------------------------------------------------------------------


def milliseconds(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    value = seconds * 1000
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return ""
    value = numerator / denominator
    return f"{value:,.1f}×" if value >= 1 else f"{value:.2f}×"


def table(rows: list[Measured]) -> list[str]:
    width = max(len(row.label) for row in rows)
    header = (
        f"{'operation':<{width}}  {'engine ms':>10}  {'floor ms':>9}  {'engine ÷ floor':>14}"
        f"  {'pandas ms':>10}  {'pandas ÷ engine':>15}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row.label:<{width}}  {milliseconds(row.engine):>10}"
            f"  {milliseconds(row.floor) if row.floor else '':>9}"
            f"  {ratio(row.engine, row.floor):>14}"
            f"  {milliseconds(row.pandas) if row.pandas else '':>10}"
            f"  {ratio(row.pandas, row.engine):>15}"
        )
    return lines


def goals(dataset: Dataset, rows: list[Measured], engine_mb: float, pandas_mb: float):
    """Each goal of issue 5 (item 8) with the figure it is held to."""
    province, national = rows[0], next(r for r in rows if r.label.startswith("ranking, all"))
    worst = max((r for r in rows if r.floor), key=lambda r: r.engine / r.floor)
    slowest = min((r for r in rows if r.pandas), key=lambda r: r.pandas / r.engine)
    is_server = dataset.label.startswith("PostgreSQL")

    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    return [
        f"province ranking < 50 ms: {milliseconds(province.engine)} ms, "
        f"{verdict(province.engine < 0.05)}",
        f"national ranking < 1 s on PostgreSQL: {milliseconds(national.engine)} ms, "
        + (verdict(national.engine < 1) if is_server else "(this is SQLite)"),
        f"within 3× of the SQL floor: worst {ratio(worst.engine, worst.floor)} "
        f"({worst.label}), {verdict(worst.engine <= 3 * worst.floor)}",
        f"pandas at least 10× slower: least {ratio(slowest.pandas, slowest.engine)} "
        f"({slowest.label}), {verdict(slowest.pandas >= 10 * slowest.engine)}",
        f"peak memory < {PEAK_MEMORY_GOAL_MB} MB per process: engine {engine_mb:,.0f} MB, "
        f"{verdict(engine_mb < PEAK_MEMORY_GOAL_MB)} (pandas {pandas_mb:,.0f} MB)",
    ]


def run(dataset: Dataset) -> None:
    counts = dataset.unit_counts
    print(
        f"\n{dataset.scale.name} data set on {dataset.label}: {counts.get('province', 0)} "
        f"provinces, {counts.get('district', 0):,} districts, {counts.get('commune', 0):,} "
        f"communes, {dataset.entry_count:,} entries; day {dataset.scale.day:%d/%m/%Y}, "
        f"ranking window: {WEEK}"
    )
    spawn = get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        engine_report = pool.submit(measure_engine, Plan(dataset)).result()
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        plan = Plan(dataset, engine_report.provinces)
        pandas_report = pool.submit(measure_pandas, plan).result()
    pandas_checks = compare(engine_report, pandas_report)
    rows = engine_report.rows
    for row, within in zip(rows, (*engine_report.provinces, ROOT_CODE), strict=False):
        row.pandas = pandas_report.seconds[within]
    print()
    print("\n".join(table(rows)))
    print("\nchecked: engine = SQL floor (same figures) for")
    print("\n".join(f"  {line}" for line in engine_report.checked))
    print("checked: pandas = engine for")
    print("\n".join(f"  {line}" for line in pandas_checks))
    print("goals:")
    print(
        "\n".join(
            f"  {line}"
            for line in goals(dataset, rows, engine_report.peak_mb, pandas_report.peak_mb)
        )
    )


def main() -> None:
    scale = SCALES[os.environ.get("BENCH_SCALE", "national")]
    with open_dataset(scale) as dataset:
        run(dataset)


if __name__ == "__main__":
    main()
