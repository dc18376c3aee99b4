"""The PNG charts of a briefing, drawn from its snapshot by targets.results.charts: the trend
of each indicator of the owner (its window figure against its target and trajectory, with the
forecast) and the ranking bars of each peer group.

The snapshot holds every line and bar (content["trends"], content["groups"]), so a published
version draws the same pictures forever; the pictures are cached by what they show.

A chart is named "trend-<indicator code>" or "ranking-<n>" (the n-th group of the
snapshot, from 1), names that fit in a URL whatever the group's key; an indicator's code or
a group's key is understood as well.
"""

from collections.abc import Callable
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from targets.briefings.models import Briefing
from targets.briefings.wording import document_locale
from targets.results import charts
from targets.results.labels import band_label, window_label
from targets.results.rules import Band

TREND = "trend-"
RANKING = "ranking-"


def chart_names(briefing: Briefing) -> list[tuple[str, str]]:
    """(name, title) of each chart of the briefing: the trends, then the rankings."""
    return [(name, title) for name, (title, _draw) in _charts(briefing).items()]


def briefing_chart(briefing: Briefing, name: str) -> bytes | None:
    """The PNG of the chart `name`; None when the briefing has no such chart."""
    found = _charts(briefing)
    chart = found.get(name) or found.get(TREND + name) or _group_by_key(briefing, found, name)
    if chart is None:
        return None
    _title, draw = chart
    return draw()


def _charts(briefing: Briefing) -> dict[str, tuple[str, Callable[[], bytes]]]:
    content = briefing.content
    found: dict[str, tuple[str, Callable[[], bytes]]] = {}
    trends = content.get("trends") or {}
    for indicator in content.get("indicators") or []:
        trend = trends.get(indicator["code"])
        if trend is not None:
            found[TREND + indicator["code"]] = (
                indicator["name"],
                lambda indicator=indicator, trend=trend: _trend_png(content, indicator, trend),
            )
    for position, group in enumerate(content.get("groups") or [], start=1):
        found[f"{RANKING}{position}"] = (group["title"], lambda group=group: _ranking_png(group))
    return found


def _group_by_key(briefing: Briefing, found: dict, key: str):
    for position, group in enumerate(briefing.content.get("groups") or [], start=1):
        if group["key"] == key:
            return found[f"{RANKING}{position}"]
    return None


def _trend_png(content: dict, indicator: dict, trend: dict) -> bytes:
    language = document_locale()
    end = date.fromisoformat(content["campaign"]["end"])
    values = tuple((date.fromisoformat(day), value) for day, value in trend["values"])
    with force_locale(language):
        data = charts.TrendData(
            title=indicator["name"],
            locale=language,
            is_ratio=indicator["is_ratio"],
            start=date.fromisoformat(content["campaign"]["start"]),
            end=end,
            values=values,
            targets=tuple(trend["targets"]),
            trajectory=tuple(trend["trajectory"]) if trend.get("trajectory") else None,
            forecast=charts.forecast_line(values, trend.get("forecast"), end),
            # Snapshots before the trend named its window: the briefing's.
            value_label=window_label(trend.get("window", content["window"])),
            target_label=_("Target"),
            trajectory_label=_("Trajectory"),
            forecast_label=_("Forecast"),
            empty_label=_("No figures yet"),
        )
    return charts.cached_png(("briefing-trend", data), lambda: charts.draw_trend(data))


def _ranking_png(group: dict) -> bytes:
    language = document_locale()
    rows = tuple(
        (row["name"], row["score"], Band(row["band"]) if row["band"] else None)
        for row in group["rows"]
    )
    shown = sorted({band for _name, _score, band in rows if band is not None}, key=list(Band).index)
    with force_locale(language):
        data = charts.RankingData(
            title=group["title"],
            locale=language,
            rows=rows,
            bands=tuple((band, band_label(band)) for band in shown),
            score_label=_("Score"),
            empty_label=_("No units to rank"),
        )
    return charts.cached_png(("briefing-ranking", data), lambda: charts.draw_ranking(data))
