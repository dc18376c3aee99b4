"""Progress pages: a unit's figures of one day (the entry page a reporter opens on a phone),
the grid of a unit's children × indicators, the history of one cell, and who reported.

Every view answers 404 for what does not exist and 403 for what lies outside the reader's
scope before anything else. Every save goes through campaigns.progress.operations.save_entries
(via campaigns.progress.pages), which checks the whole batch and writes all of it or nothing;
a refused batch is answered 422, so the request boundary rolls back.

The clock is `utcnow` of this module (tests replace it): the day, the deadline and the lock
are worked out from it in the campaign's time zone.
"""

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.db import db, utcnow
from app.scope import Access, Reach, may, reach
from app.units.models import Unit
from app.units.queries import child_counts, children, is_in_subtree
from campaigns.access import may_see
from campaigns.hooks import CampaignLink
from campaigns.lookups import campaign_or_404, campaign_unit_or_404
from campaigns.models import Campaign, CampaignStatus, Indicator
from campaigns.progress import pages, queries
from campaigns.progress.forms import EntryForm
from campaigns.progress.rules import date_problem, days_in_window, deadline
from campaigns.queries import campaign_lineage

DISCIPLINE_DAYS = 7
# The groups of the "who reported" page, in the order they are shown.
GROUPS = ("on_time", "late", "partial", "missing")


# --- the campaign page ----------------------------------------------------------------------


def progress_links(campaign: Campaign, user) -> list[CampaignLink]:
    """Links of the campaign page (registered through campaigns.hooks): "Enter figures" for
    those who may write figures ("Figures" for the others), "Who reported" for everyone."""
    if not may_see(user, campaign):
        return []
    index = url_for("progress.index", code=campaign.code)
    if reach(user, Access.WRITE) is not Reach.NONE:
        link = CampaignLink(
            _("Enter figures"), index, primary=campaign.status == CampaignStatus.ACTIVE
        )
    else:
        link = CampaignLink(_("Figures"), index)
    return [link, CampaignLink(_("Who reported"), url_for("progress.reports", code=campaign.code))]


# --- lookups: 404 for the unknown, 403 for the out of scope ---------------------------------


def _indicator_or_404(campaign: Campaign, unit: Unit, indicator_code: str) -> Indicator:
    for indicator in pages.reported_indicators(campaign, unit):
        if indicator.code == indicator_code:
            return indicator
    abort(404)


def _default_unit(campaign: Campaign) -> Unit:
    """The user's own unit when it takes part in the campaign, else the campaign's owner."""
    if is_in_subtree(current_user.unit_id, campaign.owner_unit_id):
        return current_user.unit
    return campaign.owner_unit


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


# --- shared by the entry page and the grid --------------------------------------------------


def _day_of(form: EntryForm, campaign: Campaign, today: date) -> tuple[date, str | None]:
    """The day a page is about: the form's on a POST, `?date=` on a GET."""
    if request.method == "POST":
        posted = pages.parse_day(form.day.data)
        if posted is None:
            return pages.default_day(campaign, today), _("Choose a day.")
        return posted, None
    return pages.choose_day(request.args.get("date"), campaign, today)


def _save(sheet: pages.Sheet, form: EntryForm, target: str):
    """Save the submitted cells; a redirect when saved, None when refused (the problems are
    then on the sheet and the page is answered 422)."""
    if not form.validate_on_submit():
        sheet.reason_messages.extend(form.reason.errors)
        return None
    sheet.read(request.form)
    summary = sheet.save(form.reason.data or "")
    if sheet.forbidden:
        abort(403)
    if summary is None:
        if any(state.errors for state in sheet.states.values()):
            sheet.messages.append(
                _("Nothing was saved: correct the figures marked in red and save again.")
            )
        return None
    flash(*pages.saved_message(summary, sheet.day))
    return redirect(target)


def _page_words(sheet: pages.Sheet) -> list[str]:
    """Why figures of this day cannot be typed (if they cannot), in the core's words."""
    words = [
        pages.campaign_closed_message(sheet.campaign),
        pages.day_problem_message(sheet.day_problem, sheet.campaign),
    ]
    if sheet.campaign.status == CampaignStatus.ACTIVE and sheet.day_problem is None:
        words.append(pages.lock_message(sheet))
    return [word for word in words if word]


def _day_choice(campaign: Campaign, day: date, today: date) -> dict:
    before, after = pages.neighbours(campaign, day, today)
    return {
        "day": day,
        "previous_day": before,
        "next_day": after,
        "first_day": campaign.start_date,
        "last_day": min(campaign.end_date, max(today, campaign.start_date)),
    }


# --- pages ----------------------------------------------------------------------------------


@login_required
def index(code: str):
    """Where "Enter figures" leads: the entry page of a unit without units below it (a
    commune, an agency), else the grid of the units below."""
    campaign = campaign_or_404(code)
    unit = _default_unit(campaign)
    if pages.reported_indicators(campaign, unit) and not child_counts([unit.id]):
        return redirect(url_for("progress.entry", code=campaign.code, unit_code=unit.code))
    return redirect(url_for("progress.grid", code=campaign.code, unit_code=unit.code))


@login_required
def entry(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    if request.method == "POST" and not may(current_user, Access.WRITE, unit):
        abort(403)
    now = utcnow()
    today = pages.local_date(now)
    form = EntryForm()
    day, day_message = _day_of(form, campaign, today)
    sheet = pages.Sheet.build(campaign, [unit], day, current_user, now)
    if request.method == "POST":
        if day_message:
            sheet.messages.append(day_message)
        else:
            target = url_for(
                "progress.entry", code=campaign.code, unit_code=unit.code, date=day.isoformat()
            )
            response = _save(sheet, form, target)
            if response is not None:
                return response
    form.day.data = day.isoformat()
    indicators = pages.reported_indicators(campaign, unit)
    status = pages.day_status(sheet, unit)
    return render_template(
        "progress/entry.html",
        campaign=campaign,
        unit=unit,
        indicators=indicators,
        sheet=sheet,
        form=form,
        day_message=day_message if request.method == "GET" else None,
        page_words=_page_words(sheet),
        status=status,
        status_text=pages.status_text(status, day),
        due=deadline(day, campaign.entry_deadline, sheet.timezone),
        yesterday=sheet.previous_day(),
        on_behalf=sheet.any_editable and unit.id != current_user.unit_id,
        has_children=bool(child_counts([unit.id])),
        lineage=campaign_lineage(campaign, unit, current_user),
        cell_name=pages.cell_name,
        **_day_choice(campaign, day, today),
    ), (422 if request.method == "POST" else 200)


@login_required
def grid(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    now = utcnow()
    today = pages.local_date(now)
    form = EntryForm()
    day, day_message = _day_of(form, campaign, today)
    listing = db.paginate(children(unit.id), per_page=current_app.config["PER_PAGE"])
    own_row = [unit] if pages.reported_indicators(campaign, unit) else []
    sheet = pages.Sheet.build(campaign, own_row + list(listing.items), day, current_user, now)
    if request.method == "POST":
        if not sheet.writable_units:
            abort(403)
        if day_message:
            sheet.messages.append(day_message)
        else:
            target = url_for(
                "progress.grid",
                code=campaign.code,
                unit_code=unit.code,
                date=day.isoformat(),
                page=listing.page,
            )
            response = _save(sheet, form, target)
            if response is not None:
                return response
    form.day.data = day.isoformat()
    return render_template(
        "progress/grid.html",
        campaign=campaign,
        unit=unit,
        sheet=sheet,
        form=form,
        listing=listing,
        day_message=day_message if request.method == "GET" else None,
        page_words=_page_words(sheet),
        statuses={row.id: pages.day_status(sheet, row) for row in sheet.rows},
        below=child_counts([row.id for row in listing.items]),
        lineage=campaign_lineage(campaign, unit, current_user),
        cell_name=pages.cell_name,
        **_day_choice(campaign, day, today),
    ), (422 if request.method == "POST" else 200)


@login_required
def history(code: str, unit_code: str, indicator_code: str, day: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    indicator = _indicator_or_404(campaign, unit, indicator_code)
    entry_day = pages.parse_day(day)
    if entry_day is None:
        abort(404)
    entry = queries.entry_of(indicator.id, unit.id, entry_day)
    revisions = queries.revisions_of(entry.id) if entry else []
    listing = pages.list_page(revisions, _page_number(), current_app.config["PER_PAGE"])
    if listing is None:
        abort(404)
    return render_template(
        "progress/history.html",
        campaign=campaign,
        unit=unit,
        indicator=indicator,
        day=entry_day,
        entry=entry,
        listing=listing,
        source_label=pages.source_label,
        lineage=campaign_lineage(campaign, unit, current_user),
    )


def _group(report: queries.DayReport) -> str:
    if report.missing:
        return "missing"
    if not report.complete:
        return "partial"
    return "late" if report.late else "on_time"


@login_required
def reports(code: str):
    """Who reported on a day: the reporting units the user may read, on time, late, partly
    or not at all; and each one's missing and late days over the last seven."""
    campaign = campaign_or_404(code)
    today = pages.local_date(utcnow())
    day, day_message = pages.choose_day(request.args.get("date"), campaign, today)
    problem = date_problem(day, campaign.start_date, campaign.end_date, today)
    if problem is not None:
        day = pages.default_day(campaign, today)
        day_message = _(
            "Choose a day of the campaign up to today; %(day)s is shown instead.",
            day=day.strftime("%d/%m/%Y"),
        )
    reporters = queries.reporting_units(campaign)
    readable = pages.ids_within(current_user, Access.READ, [unit.id for unit, _i in reporters])
    reporters = [(unit, indicators) for unit, indicators in reporters if unit.id in readable]
    day_reports = queries.day_reports(campaign, [day], reporters)
    discipline = {
        record.unit.id: record
        for record in queries.discipline(
            campaign, day, DISCIPLINE_DAYS, reporters=reporters, now=utcnow()
        )
    }
    groups = {unit.id: _group(day_reports[(unit.id, day)]) for unit, _i in reporters}
    counts = {group: sum(1 for g in groups.values() if g == group) for group in GROUPS}
    chosen = request.args.get("group", "")
    if chosen not in GROUPS:
        chosen = ""
    rows = sorted(
        (unit for unit, _i in reporters if not chosen or groups[unit.id] == chosen),
        key=lambda unit: GROUPS.index(groups[unit.id]),
    )
    listing = pages.list_page(rows, _page_number(), current_app.config["PER_PAGE"])
    if listing is None:
        abort(404)
    window = [d for d in days_in_window(day, DISCIPLINE_DAYS) if d >= campaign.start_date]
    return render_template(
        "progress/reports.html",
        campaign=campaign,
        day_message=day_message,
        listing=listing,
        groups=groups,
        counts=counts,
        chosen=chosen,
        total=len(reporters),
        reports=day_reports,
        discipline=discipline,
        window_start=window[0] if window else day,
        due=deadline(day, campaign.entry_deadline, current_app.config["TIMEZONE"]),
        **_day_choice(campaign, day, today),
    )
