"""What a briefing says, read from the results engine once and kept as plain JSON (DESIGN §7).

`daily_content(campaign, day)` gathers the sections of a day's briefing: campaign day N of M;
the campaign owner's figures per indicator (the day, the ranking window, the campaign to date,
target, baseline → now, change since yesterday, on track, forecast); the same by level; the
ranking of each peer group; praise and criticism (targets.briefings.rules, worded by
targets.briefings.wording); units that did not report; overdue tasks; the trend lines its
charts draw. Every figure comes from targets.results.engine, so the briefing says exactly what
the ranking pages and API say for the same day.

A briefing stores this snapshot (Briefing.content): its pages, exports, e-mails and charts are
drawn from it, never from the live figures, so a published version never changes.
`differences(old, new)` says what a correction changed.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import or_, select

from app.db import db
from app.units.kinds import kind_label
from campaigns.models import Campaign
from campaigns.progress.queries import day_reports, reporting_units
from campaigns.rules import campaign_day
from campaigns.tasks.models import Task, TaskAssignment
from campaigns.tasks.rules import TaskStatus
from targets.briefings import rules, wording
from targets.results import charts, engine
from targets.results.labels import group_title
from targets.results.rules import (
    CAMPAIGN,
    DAY,
    WEEK,
    Period,
    Totals,
    movement,
    score_change,
    value_of,
)

# Bump when the shape of the content changes: pages and outputs read older snapshots by it.
CONTENT_VERSION = 1
DISCIPLINE_DAYS = 7


@dataclass(frozen=True)
class Frame:
    """What a briefing covers. A day's briefing: the ranking window ending on its day,
    compared with the same window 1 and 7 days before. A review: its range of days, compared
    between its first week and its last."""

    kind: str  # "daily" or "review"
    title: str
    day: date  # the day a briefing is about; a review's last day
    window: str  # the campaign's ranking window, or REVIEW_WINDOW
    main: Period
    compared: dict  # key → Period
    change_from: object  # the key of `compared` changes are measured from
    change_to: object | None  # … and to (None: `main`)
    first: Period  # where the levels started
    discipline_days: list[date]  # the days whose reporting is judged, the last one first


REVIEW_WINDOW = "range"
MOVEMENT_DAYS = (1, 7)


def daily_frame(campaign: Campaign, day: date) -> Frame:
    window = campaign.ranking_window
    return Frame(
        kind="daily",
        title=wording.daily_title(day),
        day=day,
        window=window,
        main=engine.period_of(campaign, window, day),
        compared={
            offset: engine.period_of(campaign, window, when)
            for offset, when in engine.earlier_days(campaign, day).items()
            if when is not None
        },
        change_from=7,
        change_to=None,
        first=engine.period_of(campaign, WEEK, campaign.start_date + timedelta(days=6)),
        discipline_days=[
            day - timedelta(days=n)
            for n in range(DISCIPLINE_DAYS)
            if day - timedelta(days=n) >= campaign.start_date
        ],
    )


def review_frame(campaign: Campaign, start: date, end: date) -> Frame:
    """A review of the days from `start` to `end` (within the campaign)."""
    first = Period(start, min(end, start + timedelta(days=6)))
    last = Period(max(start, end - timedelta(days=6)), end)
    final = (start, end) == (campaign.start_date, campaign.end_date)
    return Frame(
        kind="review",
        title=wording.review_title(start, end, final=final),
        day=end,
        window=REVIEW_WINDOW,
        main=Period(start, end),
        compared={"first": first, "last": last},
        change_from="first",
        change_to="last",
        first=first,
        discipline_days=[end - timedelta(days=n) for n in range((end - start).days + 1)],
    )


def daily_content(campaign: Campaign, day: date) -> dict:
    """The snapshot of the campaign's briefing for `day` (a day of the campaign)."""
    return briefing_content(campaign, daily_frame(campaign, day))


def review_content(campaign: Campaign, start: date, end: date) -> dict:
    """The snapshot of a review (sơ kết) of the days from `start` to `end`; over the whole
    campaign, its final report (tổng kết)."""
    return briefing_content(campaign, review_frame(campaign, start, end))


def briefing_content(campaign: Campaign, frame: Frame) -> dict:
    owner = campaign.owner_unit
    groups = engine.default_groups(campaign, owner) + engine.campaign_groups(campaign, owner)
    ranked = [
        (
            group,
            engine.rank_periods(
                campaign, group.members(), frame.main, frame.compared, group.id_query()
            ),
        )
        for group in groups
    ]
    reporters = reporting_units(campaign)
    reports = day_reports(campaign, frame.discipline_days, reporters)
    overdue = overdue_assignments(campaign, frame.day)
    items = rules.praise_and_criticism(
        [_rule_group(group, standings, frame) for group, standings in ranked],
        _discipline(reporters, reports, frame),
        {unit_id: [a.task.title for a in found] for unit_id, found in overdue.items()},
        _settings(campaign),
    )
    names = _unit_names(ranked, reporters, overdue)
    labels = {indicator.code: indicator.name for indicator in campaign.indicators}
    group_labels = {_group_key(group): group_title(group) for group, _standings in ranked}
    owner_standing = engine.rank_periods(
        campaign,
        [engine.member_of(owner)],
        frame.main,
        {
            **frame.compared,
            DAY: engine.period_of(campaign, DAY, frame.day),
            CAMPAIGN: engine.period_of(campaign, CAMPAIGN, frame.day),
        },
    )[0]
    return {
        "version": CONTENT_VERSION,
        "kind": frame.kind,
        "title": frame.title,
        "campaign": _campaign(campaign),
        "day": frame.day.isoformat(),
        "window": frame.window,
        "period": _period(frame.main),
        "compared": {str(key): _period(period) for key, period in frame.compared.items()},
        "progress": _progress(campaign, frame.day),
        "score": owner_standing.score,
        "band": owner_standing.band,
        "indicators": _indicators(campaign, owner_standing, frame),
        "levels": _levels(campaign, owner, frame),
        "groups": [_group(group, standings, frame) for group, standings in ranked],
        "items": [
            {
                "section": item.section,
                "reason": item.reason,
                "unit": names[item.unit_id]["code"],
                "unit_id": item.unit_id,
                "name": names[item.unit_id]["name"],
                "facts": _plain(item.facts),
                "text": wording.item_text(
                    item, names[item.unit_id]["name"], labels, group_labels, kind=frame.kind
                ),
            }
            for item in items
        ],
        "not_reported": _not_reported(reporters, reports, frame),
        "overdue_tasks": _overdue_tasks(overdue),
        "trends": _trends(campaign, owner, frame.day, campaign.ranking_window),
    }


def _not_reported(reporters, reports, frame: Frame) -> list[dict]:
    """A day's briefing: the units with no figures that day. A review: the units with days
    without figures, and how many."""
    found = []
    for unit, _indicators in reporters:
        missing = sum(reports[(unit.id, day)].missing for day in frame.discipline_days)
        if frame.kind == "daily":
            missing = int(reports[(unit.id, frame.day)].missing)
        if missing:
            found.append({"unit": unit.code, "name": unit.name, "kind": unit.kind, "days": missing})
    return found


# --- the owner's figures --------------------------------------------------------------------


def _campaign(campaign: Campaign) -> dict:
    return {
        "code": campaign.code,
        "name": campaign.name,
        "legal_basis": campaign.legal_basis,
        "owner": {"code": campaign.owner_unit.code, "name": campaign.owner_unit.name},
        "start": campaign.start_date.isoformat(),
        "end": campaign.end_date.isoformat(),
        "issuer_name": campaign.issuer_name,
        "issuer_code": campaign.issuer_code,
        "place_name": campaign.place_name,
    }


def _progress(campaign: Campaign, day: date) -> dict:
    where = campaign_day(campaign.start_date, campaign.end_date, day)
    return {"day": where.day, "length": where.length, "days_left": where.days_left}


def _period(period) -> dict:
    return {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _indicators(campaign: Campaign, owner: engine.Standing, frame: Frame) -> list[dict]:
    """Each indicator of the owner: its figures over the briefing's period in full, beside the
    day and the campaign to date, its change (since yesterday; a review: from its first week to
    its last), trajectory and forecast on the briefing's day."""
    details = engine.indicator_details(
        campaign, [campaign.owner_unit], frame.day, campaign.ranking_window
    )[owner.unit.id]
    earlier = owner.earlier_results
    change_from = earlier.get(1 if frame.kind == "daily" else frame.change_from)
    change_to = owner.result if frame.change_to is None else earlier.get(frame.change_to)
    found = []
    for scored in owner.result.indicators:
        indicator, detail = scored.indicator, details[scored.indicator.id]
        before = _value(change_from, indicator.id)
        after = _value(change_to, indicator.id)
        found.append(
            {
                "code": indicator.code,
                "name": detail.indicator.name,
                "kind": indicator.kind,
                "direction": detail.indicator.direction,
                "weight": indicator.weight,
                "is_ratio": indicator.is_ratio,
                "window": _figures(scored.totals, scored.value),
                "day": _figures_of(earlier.get(DAY), indicator.id, indicator.is_ratio),
                "campaign": _figures_of(earlier.get(CAMPAIGN), indicator.id, indicator.is_ratio),
                "target": scored.target,
                "target_source": detail.effective.source if detail.effective else None,
                "achievement": scored.achievement,
                "status": scored.status,
                "baseline": detail.baseline,
                "previous": before,
                "change": None if before is None or after is None else after - before,
                "trajectory": detail.trajectory,
                "on_track": detail.on_track,
                "forecast": detail.forecast,
                "forecast_target": detail.forecast_target,
                "at_risk": detail.at_risk,
            }
        )
    return found


def _figures(totals: Totals, value: float | None) -> dict:
    return {
        "numerator": totals.numerator if totals.reported else None,
        "denominator": totals.denominator if totals.reported else None,
        "value": value,
    }


def _figures_of(result, indicator_id: int, is_ratio: bool) -> dict:
    scored = result.of(indicator_id) if result else None
    if scored is None:
        return {"numerator": None, "denominator": None, "value": None}
    return _figures(scored.totals, value_of(scored.totals, is_ratio))


def _levels(campaign: Campaign, owner, frame: Frame) -> list[dict]:
    ratios = {indicator.id: indicator.is_ratio for indicator in campaign.indicators}
    codes = {indicator.id: indicator.code for indicator in campaign.indicators}
    return [
        {
            "kind": level.kind,
            "label": kind_label(level.kind),
            "indicators": {
                codes[indicator_id]: {
                    "first_week": value_of(level.first_week.get(indicator_id, Totals()), ratio),
                    "now": value_of(level.now.get(indicator_id, Totals()), ratio),
                }
                for indicator_id, ratio in ratios.items()
            },
        }
        for level in engine.level_figures(campaign, owner, now=frame.main, first=frame.first)
    ]


def _trends(campaign: Campaign, owner, day: date, window: str) -> dict:
    """The lines of each indicator's trend chart: its window figure day by day (the ranking
    window's, a review's too), its target and trajectory on each day of the campaign, and the
    forecast for the last day."""
    found = {}
    for indicator in campaign.indicators:
        trend = charts.trends(campaign, owner, day, window, [indicator.id]).get(indicator.id)
        if trend is None:
            continue
        found[indicator.code] = {
            "window": window,
            "values": [[when.isoformat(), value] for when, value in trend.detail.series],
            "targets": trend.targets,
            "trajectory": trend.trajectory,
            "forecast": trend.detail.forecast,
        }
    return found


# --- groups, praise and criticism -----------------------------------------------------------


def _group_key(group: engine.Group) -> str:
    return group.code or f"{group.parent.code}/{group.kind}"


def _group(group: engine.Group, standings: list[engine.Standing], frame: Frame) -> dict:
    """A group's ranking. `movement_7d` and `score_change_7d` are, for a review, from its first
    week to its last."""

    def rank_of(standing: engine.Standing, key) -> int | None:
        return standing.rank if key is None else standing.earlier_ranks.get(key)

    def score_of(standing: engine.Standing, key) -> float | None:
        result = standing.result if key is None else standing.earlier_results.get(key)
        return result.score if result else None

    return {
        "key": _group_key(group),
        "title": group_title(group),
        "kind": group.kind,
        "parent": group.parent.code,
        "code": group.code,
        "rows": [
            {
                "unit": s.unit.code,
                "name": s.unit.name,
                "rank": s.rank,
                "score": s.score,
                "band": s.band,
                "missing": s.missing,
                "movement_1d": s.movement(1) if frame.kind == "daily" else None,
                "movement_7d": movement(rank_of(s, frame.change_to), rank_of(s, frame.change_from)),
                "score_change_7d": score_change(
                    score_of(s, frame.change_to), score_of(s, frame.change_from)
                ),
                "indicators": {
                    scored.indicator.code: {
                        "value": scored.value,
                        "target": scored.target,
                        "achievement": scored.achievement,
                    }
                    for scored in s.result.indicators
                },
            }
            for s in standings
        ],
    }


def _rule_group(
    group: engine.Group, standings: list[engine.Standing], frame: Frame
) -> rules.PeerGroup:
    units = []
    for standing in standings:
        before = standing.earlier_results.get(frame.change_from)
        after = None if frame.change_to is None else standing.earlier_results.get(frame.change_to)
        units.append(
            rules.Ranked(
                unit_id=standing.unit.id,
                rank=standing.rank,
                score=standing.score,
                earlier_score=before.score if before else None,
                later_score=after.score if after else None,
                indicators=tuple(
                    rules.IndicatorFigures(
                        code=scored.indicator.code,
                        value=scored.value,
                        target=scored.target,
                        achievement=scored.achievement,
                        reported=scored.totals.reported,
                        earlier_value=_value(before, scored.indicator.id),
                        is_ratio=scored.indicator.is_ratio,
                    )
                    for scored in standing.result.indicators
                ),
            )
        )
    return rules.PeerGroup(_group_key(group), tuple(units))


def _value(result, indicator_id: int) -> float | None:
    scored = result.of(indicator_id) if result else None
    return scored.value if scored else None


def _discipline(reporters, reports, frame: Frame) -> list[rules.Discipline]:
    found = []
    for unit, _indicators in reporters:
        mine = [reports[(unit.id, day)] for day in frame.discipline_days]
        found.append(
            rules.Discipline(
                unit_id=unit.id,
                # A review is about its days, not one of them.
                missing_today=frame.kind == "daily" and mine[0].missing,
                bad_days=sum(1 for report in mine if not report.complete or report.late),
                # A day's limit is per the last 7 days, even while fewer have passed.
                days=len(mine) if frame.kind == "review" else DISCIPLINE_DAYS,
            )
        )
    return found


def _settings(campaign: Campaign) -> rules.Settings:
    return rules.Settings(
        top_n=campaign.top_n,
        bottom_n=campaign.bottom_n,
        improvement_points=campaign.improvement_points,
        decline_points=campaign.decline_points,
        below_target_share=campaign.below_target_share,
        missing_days_limit=campaign.missing_days_limit,
    )


def _unit_names(ranked, reporters, overdue) -> dict[int, dict]:
    names = {}
    for _group, standings in ranked:
        for s in standings:
            names[s.unit.id] = {"code": s.unit.code, "name": s.unit.name}
    for unit, _indicators in reporters:
        names.setdefault(unit.id, {"code": unit.code, "name": unit.name})
    for found in overdue.values():
        for assignment in found:
            names.setdefault(
                assignment.unit_id, {"code": assignment.unit.code, "name": assignment.unit.name}
            )
    return names


# --- tasks ----------------------------------------------------------------------------------


def overdue_assignments(campaign: Campaign, day: date) -> dict[int, list[TaskAssignment]]:
    """The campaign's assignments not done by the end of `day` although due before it, by
    unit (campaigns.tasks.rules: due yesterday and not done is overdue)."""
    end_of_day = datetime.combine(
        day + timedelta(days=1), time(0), ZoneInfo(current_app.config["TIMEZONE"])
    ).astimezone(UTC)
    statement = (
        select(TaskAssignment)
        .join(Task, Task.id == TaskAssignment.task_id)
        .where(
            Task.campaign_id == campaign.id,
            Task.due_date < day,
            or_(
                TaskAssignment.status != TaskStatus.DONE,
                TaskAssignment.completed_at >= end_of_day,
            ),
        )
        .order_by(Task.due_date, Task.id)
    )
    found: dict[int, list[TaskAssignment]] = defaultdict(list)
    for assignment in db.session.scalars(statement):
        found[assignment.unit_id].append(assignment)
    return dict(found)


def _overdue_tasks(overdue: dict[int, list[TaskAssignment]]) -> list[dict]:
    tasks: dict[int, dict] = {}
    for found in overdue.values():
        for assignment in found:
            task = assignment.task
            entry = tasks.setdefault(
                task.id,
                {"title": task.title, "due_date": task.due_date.isoformat(), "units": []},
            )
            entry["units"].append({"unit": assignment.unit.code, "name": assignment.unit.name})
    return list(tasks.values())


def _plain(value):
    """Facts as JSON: dates as text, tuples as lists."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- corrections ----------------------------------------------------------------------------


def differences(old: dict, new: dict) -> list[dict]:
    """What changed from one version's content to the next: each indicator figure of the
    owner that moved, each unit whose rank or score in a group moved, each praise or
    criticism line added or gone, each unit that reported since. Plain data; the pages word
    it (targets.briefings.wording.change_text)."""
    found: list[dict] = []
    old_indicators = {item["code"]: item for item in old.get("indicators", [])}
    for item in new.get("indicators", []):
        before = old_indicators.get(item["code"], {})
        for window in ("day", "window", "campaign"):
            was = (before.get(window) or {}).get("value")
            now = (item.get(window) or {}).get("value")
            if not _same(was, now):
                found.append(
                    {
                        "what": "indicator",
                        "indicator": item["code"],
                        "name": item["name"],
                        "window": window,
                        "is_ratio": item["is_ratio"],
                        "before": was,
                        "after": now,
                    }
                )
    old_rows = {
        (group["key"], row["unit"]): row for group in old.get("groups", []) for row in group["rows"]
    }
    for group in new.get("groups", []):
        for row in group["rows"]:
            before = old_rows.get((group["key"], row["unit"]))
            if before and (
                before["rank"] != row["rank"] or not _same(before["score"], row["score"])
            ):
                found.append(
                    {
                        "what": "rank",
                        "group": group["title"],
                        "unit": row["unit"],
                        "name": row["name"],
                        "before": [before["rank"], before["score"]],
                        "after": [row["rank"], row["score"]],
                    }
                )
    old_items = {(item["reason"], item["unit"]): item for item in old.get("items", [])}
    new_items = {(item["reason"], item["unit"]): item for item in new.get("items", [])}
    for key in new_items.keys() - old_items.keys():
        found.append({"what": "item_added", **_item_change(new_items[key])})
    for key in old_items.keys() - new_items.keys():
        found.append({"what": "item_removed", **_item_change(old_items[key])})
    reported_since = {row["unit"] for row in old.get("not_reported", [])} - {
        row["unit"] for row in new.get("not_reported", [])
    }
    for row in old.get("not_reported", []):
        if row["unit"] in reported_since:
            found.append({"what": "reported", "unit": row["unit"], "name": row["name"]})
    return found


def _item_change(item: dict) -> dict:
    return {
        "section": item["section"],
        "reason": item["reason"],
        "unit": item["unit"],
        "name": item["name"],
        "text": item["text"],
    }


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9
