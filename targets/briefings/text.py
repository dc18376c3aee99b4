"""A briefing as plain text, ready to paste into a chat group (Zalo): at most TEXT_LIMIT
characters, the most important lines first.

The lines come in this order, which is also the order in which they give way when the text
is too long: the title (campaign, day, "Ngày N/M, còn K ngày"), the owner's headline figure
of each indicator, what a correction changed, praise, criticism, the units that did not
report, the directions (chỉ đạo). A line that does not fit is left out whole, with the rest
of its section; a later, shorter section may still fit. The last line then says how many
lines were left out and where to read the full briefing.

Everything is drawn from the briefing's snapshot (its content, lines, directions and
changes), in the briefing's language, so a published version gives the same text forever.
`change_lines` words a correction's changes for every output.
"""

from datetime import date

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.formatting import format_date, format_number, format_percent
from app.units.kinds import kind_label
from targets.briefings.models import Briefing, BriefingItem, BriefingKind
from targets.briefings.rules import Section
from targets.briefings.wording import document_locale
from targets.results.labels import window_label

TEXT_LIMIT = 3000
# More units than this without a report are counted, not named.
NAMED_UNITS_MAX = 10
SEPARATOR = "\n\n"  # between sections


def briefing_text(briefing: Briefing, *, link: str | None = None, limit: int = TEXT_LIMIT) -> str:
    """The briefing as chat text of at most `limit` characters; `link`, when given, is where
    the full briefing is read (named in the last line when lines were left out)."""
    with force_locale(document_locale()):
        # The directions (chỉ đạo) come before the lists of units: a message cut short must
        # still carry what the leaders ask for.
        sections = [
            [title_line(briefing)],
            headline_lines(briefing),
            _section(_("Corrections:"), change_lines(briefing)),
            _section(_("Directions:"), directions_lines(briefing)),
            _section(_("Praise:"), _item_lines(shown_items(briefing, Section.PRAISE))),
            _section(_("Criticism:"), _item_lines(shown_items(briefing, Section.CRITICISM))),
            not_reported_lines(briefing),
        ]
        sections = [section for section in sections if section]
        return _fit(sections, link, limit, briefing.content)


def _section(heading: str, lines: list[str]) -> list[str]:
    return [heading, *lines] if lines else []


def _fit(sections: list[list[str]], link: str | None, limit: int, content: dict) -> str:
    """The sections, each cut at its first line that no longer fits (a heading only with at
    least one of its lines), and a last line counting what was left out."""
    whole = _joined(sections)
    if len(whole) <= limit:
        return whole
    total = sum(len(section) for section in sections)
    reserve = len(SEPARATOR) + len(_left_out_line(total, link, content))
    kept: list[list[str]] = []
    left_out = 0
    for section in sections:
        # A heading goes with the section's first line; the others are items of their own.
        body = [section[0] + "\n" + section[1], *section[2:]] if len(section) > 1 else section
        taken: list[str] = []
        for position, line in enumerate(body):
            if len(_joined([*kept, [*taken, line]])) + reserve > limit:
                left_out += len(body) - position
                break
            taken.append(line)
        if taken:
            kept.append(taken)
    if left_out:
        kept.append([_left_out_line(left_out, link, content)])
    return _joined(kept)


def _joined(sections: list[list[str]]) -> str:
    return SEPARATOR.join("\n".join(lines) for lines in sections if lines)


def _left_out_line(count: int, link: str | None, content: dict) -> str:
    if link:
        return by_kind(
            content,
            ngettext(
                "(%(num)d line left out. The full briefing: %(link)s)",
                "(%(num)d lines left out. The full briefing: %(link)s)",
                count,
                link=link,
            ),
            ngettext(
                "(%(num)d line left out. The full review: %(link)s)",
                "(%(num)d lines left out. The full review: %(link)s)",
                count,
                link=link,
            ),
        )
    return by_kind(
        content,
        ngettext(
            "(%(num)d line left out. Read the full briefing in Tiến độ.)",
            "(%(num)d lines left out. Read the full briefing in Tiến độ.)",
            count,
        ),
        ngettext(
            "(%(num)d line left out. Read the full review in Tiến độ.)",
            "(%(num)d lines left out. Read the full review in Tiến độ.)",
            count,
        ),
    )


# --- a day's briefing or a review -----------------------------------------------------------


def is_review(content: dict) -> bool:
    return content.get("kind") == BriefingKind.REVIEW


def is_final_report(content: dict) -> bool:
    """A review of the whole campaign: its final report (tổng kết)."""
    campaign = content["campaign"]
    return is_review(content) and content["period"] == {
        "start": campaign["start"],
        "end": campaign["end"],
    }


def by_kind(content: dict, daily: str, review: str) -> str:
    """The words of a day's briefing, or those of a review, as the snapshot is one or the
    other ("since yesterday" or "from the first week to the last")."""
    return review if is_review(content) else daily


def window_name(content: dict) -> str:
    """What the main figures cover: the ranking window ("7 ngày gần nhất"), or a review's
    whole range."""
    return by_kind(content, window_label(content["window"]), _("Whole period"))


# --- the lines, shared by every output ------------------------------------------------------
# Callers are inside force_locale(document_locale()).


def title_line(briefing: Briefing) -> str:
    """ "Chiến dịch 92 ngày – Điểm tin ngày 29/07/2022 – Ngày 59/92, còn 33 ngày"."""
    content = briefing.content
    parts = [content["campaign"]["name"], heading(briefing)]
    progress = content.get("progress")
    if progress and progress.get("day"):
        parts.append(campaign_day_text(progress))
    return " – ".join(parts)


def heading(briefing: Briefing) -> str:
    """The briefing's title, marked when it is a correction or still a draft."""
    text = briefing.content["title"]
    if briefing.version > 1:
        text += " " + correction_mark(briefing)
    if briefing.is_draft:
        text += " " + _("(draft)")
    return text


def correction_mark(briefing: Briefing) -> str:
    """ "(đính chính lần 1)" for version 2."""
    return _("(correction no. %(number)d)", number=briefing.version - 1)


def campaign_day_text(progress: dict) -> str:
    return ngettext(
        "Day %(day)d of %(length)d, %(num)d day left",
        "Day %(day)d of %(length)d, %(num)d days left",
        progress["days_left"],
        day=progress["day"],
        length=progress["length"],
    )


def figure(value: float | None, is_ratio: bool) -> str:
    """A figure as printed: "96,89%" for a ratio, "1.080" for a count."""
    locale = document_locale()
    if is_ratio:
        return format_percent(value, locale)
    return format_number(value, locale)


def change_text(change: float | None, is_ratio: bool) -> str | None:
    """ "+3,1 điểm %" (ratios: percentage points, one decimal) or "-12" (counts); None when
    unknown."""
    if change is None:
        return None
    locale = document_locale()
    amount = round(change * 100, 1) if is_ratio else change
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    shown = sign + format_number(abs(amount), locale)
    return _("%(change)s percentage points", change=shown) if is_ratio else shown


def progress_text(indicator: dict) -> str | None:
    """ "on track", "behind schedule", with ", at risk" when the forecast misses."""
    parts = []
    if indicator.get("on_track") is True:
        parts.append(_("on track"))
    elif indicator.get("on_track") is False:
        parts.append(_("behind schedule"))
    if indicator.get("at_risk"):
        parts.append(_("at risk of missing the target"))
    return ", ".join(parts) or None


def headline_lines(briefing: Briefing) -> list[str]:
    """The owner's figure of each indicator over the ranking window, against its target."""
    content = briefing.content
    indicators = content.get("indicators") or []
    if not indicators:
        return []
    lines = [period_text(content) + ":"]
    for indicator in indicators:
        lines.append("- " + headline_figure(indicator, content))
    return lines


def period_text(content: dict) -> str:
    """ "Tỉnh Bình Phước, 23/07/2022–29/07/2022": the owner over the ranking window."""
    owner = content["campaign"]["owner"]["name"]
    start, end = (date.fromisoformat(content["period"][key]) for key in ("start", "end"))
    if start == end:
        return _("%(unit)s, %(day)s", unit=owner, day=format_date(end))
    return _(
        "%(unit)s, %(start)s–%(end)s", unit=owner, start=format_date(start), end=format_date(end)
    )


def headline_figure(indicator: dict, content: dict) -> str:
    """ "Tỷ lệ hồ sơ trực tuyến: 96,89% (chỉ tiêu 50%), +50,9 điểm % so với hôm qua, đúng
    tiến độ" (a review: its change from its first week to its last)."""
    is_ratio = indicator["is_ratio"]
    text = _(
        "%(indicator)s: %(value)s (target %(target)s)",
        indicator=indicator["name"],
        value=figure(indicator["window"]["value"], is_ratio),
        target=figure(indicator["target"], is_ratio),
    )
    change = change_text(indicator.get("change"), is_ratio)
    if change is not None:
        text += ", " + by_kind(
            content,
            _("%(change)s since yesterday", change=change),
            _("%(change)s from the first week to the last", change=change),
        )
    status = progress_text(indicator)
    if status:
        text += ", " + status
    return text


def shown_items(briefing: Briefing, section: str) -> list[BriefingItem]:
    """The lines of a section as published: generated ones not dropped, and added ones."""
    return [
        item
        for item in sorted(briefing.items, key=lambda item: item.position)
        if item.section == section and not item.dropped
    ]


def _item_lines(items: list[BriefingItem]) -> list[str]:
    return ["- " + item.text for item in items]


def not_reported_lines(briefing: Briefing) -> list[str]:
    """The units without figures for the day (a review: on some of its days, with how
    many), by name, or counted by level when many."""
    content = briefing.content
    rows = content.get("not_reported") or []
    if not rows:
        return []
    if len(rows) <= NAMED_UNITS_MAX:
        return [not_reported_sentence(content)]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    kinds = ", ".join(f"{kind_label(kind)}: {count}" for kind, count in counts.items())
    return [
        by_kind(
            content,
            ngettext(
                "Not reported: %(num)d unit (%(kinds)s).",
                "Not reported: %(num)d units (%(kinds)s).",
                len(rows),
                kinds=kinds,
            ),
            ngettext(
                "Not reported every day: %(num)d unit (%(kinds)s).",
                "Not reported every day: %(num)d units (%(kinds)s).",
                len(rows),
                kinds=kinds,
            ),
        )
    ]


def not_reported_sentence(content: dict) -> str:
    """ "Chưa báo cáo (2): Xã A, Xã B." (a review: each unit with its days not reported)."""
    rows = content.get("not_reported") or []
    if not is_review(content):
        return _(
            "Not reported (%(count)d): %(names)s.",
            count=len(rows),
            names=", ".join(row["name"] for row in rows),
        )
    names = [
        ngettext("%(name)s (%(num)d day)", "%(name)s (%(num)d days)", row["days"], name=row["name"])
        for row in rows
    ]
    return _(
        "Not reported every day (%(count)d): %(names)s.", count=len(rows), names=", ".join(names)
    )


def directions_lines(briefing: Briefing) -> list[str]:
    return [line.rstrip() for line in briefing.directions.strip().splitlines() if line.strip()]


def change_lines(briefing: Briefing) -> list[str]:
    """What a correction changed since the version before, one sentence each, in the
    briefing's language (empty for a first version)."""
    content = briefing.content
    # A period of one day, or from the campaign's first day, is the day's figure or the
    # campaign's to date: the same figure twice.
    period = content["period"]
    same_figure = period["start"] in (period["end"], content["campaign"]["start"])
    with force_locale(document_locale()):
        return [
            _change_line(change, content)
            for change in briefing.changes or []
            if not (same_figure and change.get("window") == "window")
        ]


def _change_line(change: dict, content: dict) -> str:
    match change["what"]:
        case "indicator":
            is_ratio = change["is_ratio"]
            return _(
                "%(indicator)s (%(window)s): %(before)s → %(after)s",
                indicator=change["name"],
                window=_window_name(change["window"], content),
                before=figure(change["before"], is_ratio),
                after=figure(change["after"], is_ratio),
            )
        case "rank":
            (rank_before, score_before), (rank_after, score_after) = (
                change["before"],
                change["after"],
            )
            return _(
                "%(unit)s, %(group)s: rank %(rank_before)s (score %(score_before)s) → rank "
                "%(rank_after)s (score %(score_after)s)",
                unit=change["name"],
                group=change["group"],
                rank_before=_rank(rank_before),
                score_before=format_number(score_before, document_locale()),
                rank_after=_rank(rank_after),
                score_after=format_number(score_after, document_locale()),
            )
        case "item_added":
            if change["section"] == Section.PRAISE:
                return _("Now praised: %(text)s", text=change["text"])
            return _("Now criticised: %(text)s", text=change["text"])
        case "item_removed":
            if change["section"] == Section.PRAISE:
                return _("No longer praised: %(text)s", text=change["text"])
            return _("No longer criticised: %(text)s", text=change["text"])
        case "reported":
            return _("%(unit)s has reported since.", unit=change["name"])
    raise ValueError(f"no sentence for the change {change['what']!r}")


def _rank(rank: int | None) -> str:
    return "–" if rank is None else str(rank)


def _window_name(window: str, content: dict) -> str:
    if window == "window":
        return window_name(content).lower()
    if window == "day":
        return by_kind(content, _("the day"), _("the last day"))
    return _("campaign to date")
