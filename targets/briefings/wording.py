"""The sentences of a briefing: each line of praise or criticism names the unit, the reason and
the figures (DESIGN §5: "Huyện Bù Đốp: tỷ lệ hồ sơ trực tuyến 41,2% (chỉ tiêu 50%), giảm 3,1
điểm % so với tuần trước"), and each change of a correction says what moved.

A briefing is an official document in the campaign's language: its sentences are written once,
when its figures are read, in the application's default language (Vietnamese), and kept in
its snapshot, whatever language the reader's pages are in.
"""

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.formatting import format_number, format_percent
from targets.briefings.rules import Item, Reason


def document_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def daily_title(day) -> str:
    """ "Điểm tin ngày 29/07/2022"."""
    with force_locale(document_locale()):
        return _("Briefing of %(day)s", day=day.strftime("%d/%m/%Y"))


def review_title(start, end, *, final: bool) -> str:
    """ "Sơ kết từ 01/07/2022 đến 31/07/2022", or the final report of the whole campaign."""
    with force_locale(document_locale()):
        if final:
            return _("Final report of the campaign")
        return _(
            "Review from %(start)s to %(end)s",
            start=start.strftime("%d/%m/%Y"),
            end=end.strftime("%d/%m/%Y"),
        )


def item_text(
    item: Item,
    unit_name: str,
    indicator_names: dict[str, str],
    group_titles: dict[str, str],
    *,
    kind: str = "daily",
) -> str:
    """The sentence of one line of praise or criticism (of a day's briefing, or of a review:
    its changes run from its first week to its last)."""
    with force_locale(document_locale()):
        return _sentence(item, unit_name, indicator_names, group_titles, kind == "review")


def _sentence(item, unit, indicator_names, group_titles, review: bool) -> str:
    facts = item.facts
    locale = document_locale()

    def number(value: float | None) -> str:
        return format_number(value, locale)

    match item.reason:
        case Reason.ALL_TARGETS_MET:
            return _(
                "%(unit)s: met the targets of all %(count)d indicators (score %(score)s).",
                unit=unit,
                count=facts["indicators"],
                score=number(facts["score"]),
            )
        case Reason.TOP_OF_GROUP | Reason.BOTTOM_OF_GROUP:
            return _(
                "%(unit)s: ranked %(rank)d of %(size)d in %(group)s, score %(score)s.",
                unit=unit,
                rank=facts["rank"],
                size=facts["size"],
                group=group_titles.get(facts["group"], facts["group"]),
                score=number(facts["score"]),
            )
        case Reason.MOST_IMPROVED if review:
            return _(
                "%(unit)s: score up %(change)s points from the first week to the last, from "
                "%(before)s to %(score)s.",
                unit=unit,
                change=number(facts["change"]),
                before=number(facts["before"]),
                score=number(facts["score"]),
            )
        case Reason.SCORE_DROP if review:
            return _(
                "%(unit)s: score down %(change)s points from the first week to the last, from "
                "%(before)s to %(score)s.",
                unit=unit,
                change=number(-facts["change"]),
                before=number(facts["before"]),
                score=number(facts["score"]),
            )
        case Reason.REPEATEDLY_MISSING if review:
            return _(
                "%(unit)s: %(days)d of %(of)d days not reported in full or reported late.",
                unit=unit,
                days=facts["days"],
                of=facts["of"],
            )
        case Reason.MOST_IMPROVED:
            return _(
                "%(unit)s: score up %(change)s points in 7 days, from %(before)s to %(score)s.",
                unit=unit,
                change=number(facts["change"]),
                before=number(facts["before"]),
                score=number(facts["score"]),
            )
        case Reason.SCORE_DROP:
            return _(
                "%(unit)s: score down %(change)s points in 7 days, from %(before)s to %(score)s.",
                unit=unit,
                change=number(-facts["change"]),
                before=number(facts["before"]),
                score=number(facts["score"]),
            )
        case Reason.BELOW_HALF_TARGET:
            parts = [
                _indicator_part(figures, indicator_names, locale, with_change=not review)
                for figures in facts["indicators"]
            ]
            return _(
                "%(unit)s: below %(share)s of the target: %(indicators)s.",
                unit=unit,
                share=format_percent(facts["share"], locale),
                indicators="; ".join(parts),
            )
        case Reason.MISSING_REPORT:
            return _("%(unit)s: entered no figures for the day.", unit=unit)
        case Reason.REPEATEDLY_MISSING:
            return _(
                "%(unit)s: %(days)d of the last 7 days not reported in full or reported late.",
                unit=unit,
                days=facts["days"],
            )
        case Reason.OVERDUE_TASK:
            return _(
                "%(unit)s: overdue task: %(tasks)s.", unit=unit, tasks="; ".join(facts["tasks"])
            )
    raise ValueError(f"no sentence for {item.reason!r}")


def _indicator_part(
    figures: dict, indicator_names: dict[str, str], locale: str, *, with_change: bool
) -> str:
    """ "tỷ lệ hồ sơ trực tuyến 41,2% (chỉ tiêu 50%), giảm 3,1 điểm % so với tuần trước"
    (a review's figures cover its whole range: no change is added)."""
    name = indicator_names.get(figures["code"], figures["code"])
    name = name[:1].lower() + name[1:]
    is_ratio = figures["is_ratio"]

    def shown(value: float | None) -> str:
        return format_percent(value, locale, 1) if is_ratio else format_number(value, locale)

    text = _(
        "%(indicator)s %(value)s (target %(target)s)",
        indicator=name,
        value=shown(figures["value"]),
        target=shown(figures["target"]),
    )
    before = figures.get("before")
    if not with_change or before is None or figures["value"] is None:
        return text
    change = figures["value"] - before
    if is_ratio:
        points = format_number(round(abs(change) * 100, 1), locale)
        if change < 0:
            return _(
                "%(text)s, down %(points)s percentage points on the week before",
                text=text,
                points=points,
            )
        if change > 0:
            return _(
                "%(text)s, up %(points)s percentage points on the week before",
                text=text,
                points=points,
            )
    return text
