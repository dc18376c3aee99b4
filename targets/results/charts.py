"""Charts of the results, drawn on the server as PNG (DESIGN §7: an indicator's trend against
its target and trajectory; a peer group's ranking bars).

Only matplotlib's object API is used (a Figure on an Agg canvas): pyplot keeps global state
that the threads of a web server must not share. Each chart is drawn from plain data
(TrendData, RankingData) read through the engine; that data, with the campaign, unit,
indicator or group, day, window and language, is the chart's cache key. A changed entry or
target changes the data, hence the key, and the chart is drawn again; unchanged data reuses
the file.

The cache is a folder (CHART_CACHE_FOLDER). A file is written whole under a temporary name
and then renamed, so two workers never serve half a picture; once the folder holds more than
CHART_CACHE_MAX_FILES pictures, the least recently served go.
"""

import hashlib
import io
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator

from app.formatting import format_number, format_percent
from app.units.models import Unit
from campaigns.models import Campaign, Indicator
from targets.results import engine
from targets.results.labels import band_colour, band_label, group_title, window_label
from targets.results.rules import CAMPAIGN, Band, trajectory_value, window_target

# 640 × 320 pixels: the width of a phone held sideways, legible held upright.
WIDTH_INCHES = 6.4
HEIGHT_INCHES = 3.2
DPI = 100
# A ranking grows with its group: this much height per unit, above a margin.
BAR_INCHES = 0.28
RANKING_MARGIN_INCHES = 1.1
# Shipped with matplotlib, and it has every Vietnamese diacritic.
FONT = "DejaVu Sans"
# Names are data: each text drawn from them sets parse_math=False, or a "$" in a unit's name
# would be read as mathematics (and a stray one would break the drawing).
# Part of every cache key: raise it when the drawing changes, and every chart is redrawn.
STYLE_VERSION = 1

VALUE_COLOUR = "#0d6efd"
TARGET_COLOUR = "#dc3545"
TRAJECTORY_COLOUR = "#6c757d"
MUTED_COLOUR = "#6c757d"
GRID_COLOUR = "#dee2e6"


# --- an indicator's trend --------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """The lines of an indicator's trend: its window figure on each day up to the day, and
    its target and trajectory on each day of the campaign."""

    detail: engine.Detail
    targets: list[float | None]  # from the campaign's first day to its last
    trajectory: list[float | None] | None  # the same days; None: no path to draw


def trends(
    campaign: Campaign,
    unit: Unit,
    day: date,
    window: str,
    indicator_ids: Sequence[int] | None = None,
) -> dict[int, Trend]:
    """The trends of the indicators that apply to the unit (all, or those of
    `indicator_ids`), by indicator id.

    The target of a flow count is its share of the window's days (rules.window_target), so
    it moves with the window near the campaign's start. The trajectory is drawn from a
    baseline or milestones (with only a target it is the target line again); a flow count's
    trajectory runs to a campaign total, so it is drawn against the campaign-to-date figure
    only.
    """
    details = engine.indicator_details(
        campaign, [unit], day, window, indicator_ids, full_series=True
    )[unit.id]
    rules = {rule.id: rule for rule in engine.indicator_rules(campaign)}
    start, end = campaign.start_date, campaign.end_date
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    periods = [engine.period_of(campaign, window, when) for when in days]
    found = {}
    for indicator_id, detail in details.items():
        rule = rules[indicator_id]
        target = detail.effective.value if detail.effective else None
        trajectory = None
        has_path = detail.baseline is not None or detail.milestones
        if has_path and not (rule.is_flow and not rule.is_ratio and window != CAMPAIGN):
            trajectory = [
                trajectory_value(
                    when,
                    start=start,
                    end=end,
                    baseline=detail.baseline,
                    target=target,
                    milestones=detail.milestones,
                )
                for when in days
            ]
        found[indicator_id] = Trend(
            detail=detail,
            targets=[window_target(target, rule, period, len(days)) for period in periods],
            trajectory=trajectory,
        )
    return found


@dataclass(frozen=True)
class TrendData:
    """Everything a trend chart shows, and nothing else: its cache key is made of it."""

    title: str
    locale: str
    is_ratio: bool
    start: date
    end: date
    values: tuple[tuple[date, float | None], ...]
    targets: tuple[float | None, ...]  # one a day, from start to end
    trajectory: tuple[float | None, ...] | None
    forecast: tuple[tuple[date, float], tuple[date, float]] | None  # from the last value
    value_label: str
    target_label: str
    trajectory_label: str
    forecast_label: str
    empty_label: str

    @property
    def empty(self) -> bool:
        return all(value is None for _day, value in self.values)


def trend_chart(
    campaign: Campaign, unit: Unit, indicator: Indicator, day: date, window: str, *, language: str
) -> bytes:
    """PNG of the indicator's window figure from the campaign's first day to `day`, against
    its target and trajectory, with the forecast to the last day as a dashed line."""
    trend = trends(campaign, unit, day, window, [indicator.id]).get(indicator.id)
    with force_locale(language):
        data = TrendData(
            title=indicator.name,
            locale=language,
            is_ratio=indicator.is_ratio,
            start=campaign.start_date,
            end=campaign.end_date,
            values=tuple(trend.detail.series) if trend else (),
            targets=tuple(trend.targets) if trend else (),
            trajectory=tuple(trend.trajectory) if trend and trend.trajectory else None,
            forecast=forecast_line(trend.detail.series, trend.detail.forecast, campaign.end_date)
            if trend
            else None,
            value_label=window_label(window),
            target_label=_("Target"),
            trajectory_label=_("Trajectory"),
            forecast_label=_("Forecast"),
            empty_label=_("No figures yet"),
        )
    key = ("trend", campaign.id, unit.id, indicator.id, day, window, language, data)
    return cached_png(key, lambda: draw_trend(data))


def forecast_line(series, forecast: float | None, end: date):
    """The dashed line from the last known value to the forecast on the last day; None when
    there is none (briefings draw it from their snapshot too)."""
    known = [(when, value) for when, value in series if value is not None]
    if forecast is None or not known or known[-1][0] >= end:
        return None
    return known[-1], (end, forecast)


def draw_trend(data: TrendData) -> bytes:
    figure, axes = _figure(HEIGHT_INCHES)
    axes.set_title(data.title, loc="left", fontsize=10, fontfamily=FONT, parse_math=False)
    if data.empty:
        _write_empty(axes, data.empty_label)
    else:
        days = [data.start + timedelta(days=offset) for offset in range(len(data.targets))]
        axes.plot(
            [when for when, _value in data.values],
            [_nan(value) for _when, value in data.values],
            color=VALUE_COLOUR,
            linewidth=2,
            label=data.value_label,
        )
        axes.plot(
            days,
            [_nan(value) for value in data.targets],
            color=TARGET_COLOUR,
            linewidth=1.2,
            label=data.target_label,
        )
        if data.trajectory:
            axes.plot(
                days,
                [_nan(value) for value in data.trajectory],
                color=TRAJECTORY_COLOUR,
                linewidth=1.2,
                linestyle=":",
                label=data.trajectory_label,
            )
        if data.forecast:
            (first_day, first), (last_day, last) = data.forecast
            axes.plot(
                [first_day, last_day],
                [first, last],
                color=VALUE_COLOUR,
                linewidth=1.5,
                linestyle="--",
                label=data.forecast_label,
            )
        figure.legend(
            loc="outside lower center",
            ncols=4,
            frameon=False,
            prop={"family": FONT, "size": 8},
        )
    axes.set_xlim(data.start, data.end)
    axes.set_ylim(bottom=0)
    axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=7))
    axes.xaxis.set_major_formatter(DateFormatter("%d/%m"))
    if data.is_ratio:
        axes.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _position: format_percent(value, data.locale, digits=1))
        )
    else:
        axes.yaxis.set_major_formatter(
            FuncFormatter(lambda value, _position: format_number(value, data.locale))
        )
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.8)
    return _png(figure)


# --- a peer group's ranking ------------------------------------------------------------------


@dataclass(frozen=True)
class RankingData:
    """Everything a ranking chart shows: (unit name, score, band) best first."""

    title: str
    locale: str
    rows: tuple[tuple[str, float | None, Band | None], ...]
    bands: tuple[tuple[Band, str], ...]  # the legend: the bands shown, with their names
    score_label: str
    empty_label: str


def ranking_chart(
    campaign: Campaign, group: engine.Group, day: date, window: str, *, language: str
) -> bytes:
    """PNG of the group's scores as horizontal bars, best on top, coloured by band."""
    standings = engine.rank_group(campaign, group, day, window)
    shown = sorted({s.band for s in standings if s.band is not None}, key=list(Band).index)
    with force_locale(language):
        data = RankingData(
            title=group_title(group),
            locale=language,
            rows=tuple((s.unit.name, s.score, s.band) for s in standings),
            bands=tuple((found, band_label(found)) for found in shown),
            score_label=_("Score"),
            empty_label=_("No units to rank"),
        )
    group_key = (group.kind, group.parent.id, group.code)
    key = ("ranking", campaign.id, group_key, day, window, language, data)
    return cached_png(key, lambda: draw_ranking(data))


def draw_ranking(data: RankingData) -> bytes:
    height = max(HEIGHT_INCHES, RANKING_MARGIN_INCHES + BAR_INCHES * len(data.rows))
    figure, axes = _figure(height)
    axes.set_title(data.title, loc="left", fontsize=10, fontfamily=FONT, parse_math=False)
    if not data.rows:
        _write_empty(axes, data.empty_label)
    places = range(len(data.rows))
    axes.barh(
        list(places),
        [score or 0 for _name, score, _band in data.rows],
        color=[band_colour(found).strong for _name, _score, found in data.rows],
        height=0.7,
    )
    for place, (_name, score, _band) in zip(places, data.rows, strict=True):
        axes.text(
            (score or 0) + 1,
            place,
            format_number(score, data.locale),
            va="center",
            fontsize=8,
            fontfamily=FONT,
        )
    axes.set_yticks(
        list(places), labels=[name for name, _score, _band in data.rows], parse_math=False
    )
    axes.invert_yaxis()  # the best on top
    axes.set_xlim(0, 112)  # room for the score written after a full bar
    axes.xaxis.set_major_locator(MultipleLocator(25))
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: format_number(value, data.locale))
    )
    axes.set_xlabel(data.score_label, fontsize=8, fontfamily=FONT)
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.8)
    axes.set_axisbelow(True)
    if data.bands:
        figure.legend(
            handles=[
                Patch(color=band_colour(found).strong, label=name) for found, name in data.bands
            ],
            loc="outside lower center",
            ncols=len(data.bands),
            frameon=False,
            prop={"family": FONT, "size": 8},
        )
    return _png(figure)


# --- drawing ---------------------------------------------------------------------------------


def _figure(height: float):
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.tick_params(labelsize=8, labelfontfamily=FONT)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _write_empty(axes, text: str) -> None:
    axes.text(
        0.5,
        0.5,
        text,
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=11,
        fontfamily=FONT,
        color=MUTED_COLOUR,
    )


def _nan(value: float | None) -> float:
    # matplotlib leaves a gap at NaN: a day without figures breaks the line.
    return math.nan if value is None else value


def _png(figure: Figure) -> bytes:
    output = io.BytesIO()
    figure.savefig(output, format="png", dpi=DPI)
    return output.getvalue()


# --- the cache -------------------------------------------------------------------------------


def cached_png(key: tuple, draw: Callable[[], bytes]) -> bytes:
    """The picture stored under `key`, drawn and stored first if it is not there yet.

    `key` holds plain values (numbers, text, dates, tuples and frozen dataclasses of them),
    whose repr is stable from one process to the next.
    """
    folder = Path(current_app.config["CHART_CACHE_FOLDER"])
    digest = hashlib.sha256(repr((STYLE_VERSION, key)).encode()).hexdigest()
    path = folder / f"{digest}.png"
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        content = draw()
        try:
            _store(folder, path, content)
            _prune(folder, current_app.config["CHART_CACHE_MAX_FILES"])
        except OSError as error:
            # A full or read-only disk costs the cache, not the chart.
            current_app.logger.warning("chart cache not written: %s", error)
        return content
    with suppress(OSError):
        os.utime(path)  # served again: the last to be pruned
    return content


def _store(folder: Path, path: Path, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def _prune(folder: Path, max_files: int) -> None:
    """Remove the least recently served pictures beyond `max_files`."""
    stored = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".png"):
                with suppress(FileNotFoundError):  # another worker pruned it meanwhile
                    stored.append((entry.stat().st_mtime, entry.path))
    for _mtime, path in sorted(stored)[: max(0, len(stored) - max_files)]:
        with suppress(FileNotFoundError):
            os.unlink(path)
