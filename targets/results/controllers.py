"""Results pages: a unit's results (the campaign overview on the campaign's owner unit), "why
this rank?", the matrix of units × indicators, the full ranking of a peer group, their charts
and their Excel exports.

Every view finds the campaign and the unit or group first (404 unknown, 403 out of scope),
then reads its query parameters: a value that means nothing answers 400 with a message, an
empty one takes the default, a day outside the campaign (or after today) is moved to the
nearest day with results and the page says so. Every figure comes from
targets.results.engine; targets.results.pages chooses and words them.
"""

import io
from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_smorest import abort as smorest_abort

from app.clock import local_today
from app.scope import Access, may
from app.units.models import Unit
from campaigns.access import may_configure, may_see
from campaigns.hooks import CampaignLink
from campaigns.lookups import campaign_or_404, campaign_unit_or_404
from campaigns.models import Campaign, CampaignStatus, Indicator
from campaigns.progress.pages import list_page
from campaigns.queries import campaign_lineage
from campaigns.rules import campaign_day
from targets.queries import default_unit
from targets.results import charts, engine, excel, pages

CHART_MAX_AGE = 300  # seconds a browser may keep a chart: the day's figures keep coming in


# --- the campaign page ----------------------------------------------------------------------


def campaign_links(campaign: Campaign, user) -> list[CampaignLink]:
    """ "Results" on the campaign page (registered through campaigns.hooks); the next step
    once the campaign runs (or ran) and has indicators."""
    if not may_see(user, campaign):
        return []
    primary = bool(campaign.indicators) and campaign.status in (
        CampaignStatus.ACTIVE,
        CampaignStatus.CLOSED,
    )
    return [
        CampaignLink(_("Results"), url_for("results.index", code=campaign.code), primary=primary)
    ]


# --- the request's parameters ---------------------------------------------------------------


def _choice(campaign: Campaign) -> pages.Choice:
    try:
        return pages.choose(
            campaign, request.args.get("date"), request.args.get("window"), local_today()
        )
    except pages.BadRequest as error:
        smorest_abort(400, message=error.message)


def _matrix_kind(campaign: Campaign, unit: Unit) -> str | None:
    """The `kind` asked for (None: the default), if units of that kind below the unit report."""
    kind = request.args.get("kind", "").strip() or None
    if kind is not None and kind not in engine.matrix_kinds(campaign, unit):
        smorest_abort(
            400,
            message=_(
                "“%(kind)s” is not a level of the units below %(unit)s that report.",
                kind=kind,
                unit=unit.name,
            ),
        )
    return kind


def _order(campaign: Campaign) -> str:
    try:
        return pages.choose_order(campaign, request.args.get("sort"))
    except pages.BadRequest as error:
        smorest_abort(400, message=error.message)


def _page_number() -> int:
    return request.args.get("page", 1, type=int)


def _listing(items: list):
    listing = list_page(items, _page_number(), current_app.config["PER_PAGE"])
    if listing is None:
        abort(404)
    return listing


def _indicator_or_404(campaign: Campaign, indicator_code: str) -> Indicator:
    for indicator in campaign.indicators:
        if indicator.code == indicator_code:
            return indicator
    abort(404)


def _group_or_404(campaign: Campaign) -> engine.Group:
    """The group `?group=<code>` (a campaign's own group) or `?parent=<unit>&kind=<kind>`
    (the units of that kind directly below; by default the user's unit and its first kind).
    Reading a group needs READ on the unit it lies below."""
    code = request.args.get("group", "").strip()
    if code:
        group = engine.campaign_group(campaign, code)
        if group is None:
            abort(404)
        if not may(current_user, Access.READ, group.parent):
            abort(403)
        return group
    parent_code = request.args.get("parent", "").strip()
    parent = (
        campaign_unit_or_404(campaign, parent_code)
        if parent_code
        else default_unit(campaign, current_user)
    )
    groups = engine.default_groups(campaign, parent)
    kind = request.args.get("kind", "").strip()
    group = next((g for g in groups if g.kind == kind), None) if kind else next(iter(groups), None)
    if group is None:
        smorest_abort(
            404,
            message=_("No units below %(unit)s are ranked together here.", unit=parent.name),
        )
    return group


def _common(campaign: Campaign, unit: Unit, choice: pages.Choice) -> dict:
    return {
        "campaign": campaign,
        "unit": unit,
        "choice": choice,
        "lineage": campaign_lineage(campaign, unit, current_user),
        "pages": pages,
    }


def _xlsx(content: bytes, name: str, day: date):
    return send_file(
        io.BytesIO(content),
        mimetype=excel.XLSX_MIME,
        as_attachment=True,
        download_name=f"{name}-{day:%Y%m%d}.xlsx",
    )


def _png(content: bytes) -> Response:
    response = Response(content, mimetype="image/png")
    response.cache_control.private = True
    response.cache_control.max_age = CHART_MAX_AGE
    return response


def _language() -> str:
    return str(get_locale())


# --- pages ----------------------------------------------------------------------------------


@login_required
def index(code: str):
    campaign = campaign_or_404(code)
    unit = default_unit(campaign, current_user)
    return redirect(url_for("results.unit", code=campaign.code, unit_code=unit.code))


@login_required
def unit_page(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    choice = _choice(campaign)
    context = _common(campaign, unit, choice)
    context.update(
        overview=unit.id == campaign.owner_unit_id,
        campaign_day=campaign_day(campaign.start_date, campaign.end_date, choice.day),
        not_started=local_today() < campaign.start_date,
        may_use_template=may_configure(current_user, campaign) and not campaign.is_closed,
        applies=bool(campaign.indicators) and pages.applies(campaign, unit),
        result=None,
    )
    if (
        not context["applies"]
        or context["not_started"]
        or not pages.has_figures(campaign, unit, choice.day)
    ):
        return render_template("results/unit.html", **context)
    result = engine.unit_result(campaign, unit, choice.day, choice.window)
    group = result.group
    groups = engine.default_groups(campaign, unit) + engine.campaign_groups(campaign, unit)
    context.update(
        result=result,
        group_label=pages.group_title(group) if group else None,
        group_args=pages.group_args(group)
        if group and may(current_user, Access.READ, group.parent)
        else None,
        tables=[pages.group_table(campaign, found, choice.day, choice.window) for found in groups],
        levels=pages.levels_below(campaign, unit, choice.day, choice.window),
    )
    return render_template("results/unit.html", **context)


@login_required
def why(code: str, unit_code: str):
    """Everything needed to check a unit's score and rank by hand."""
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    choice = _choice(campaign)
    result, around, group = None, [], None
    if campaign.indicators:
        result = engine.unit_result(campaign, unit, choice.day, choice.window)
        group = result.group
        if result.standing is not None:
            around = pages.neighbours(result.group_standings, unit, current_user)
    return render_template(
        "results/why.html",
        **_common(campaign, unit, choice),
        result=result,
        total=sum(item.scored.contribution for item in result.indicators) if result else None,
        period=engine.period_of(campaign, choice.window, choice.day),
        limits=engine.band_limits(campaign),
        around=around,
        group_label=pages.group_title(group) if group else None,
    )


@login_required
def matrix(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    choice = _choice(campaign)
    order = _order(campaign)
    found = engine.matrix(campaign, unit, _matrix_kind(campaign, unit), choice.day, choice.window)
    return render_template(
        "results/matrix.html",
        **_common(campaign, unit, choice),
        matrix=found,
        order=order,
        listing=_listing(engine.sort_standings(found.standings, order)),
        limits=engine.band_limits(campaign),
    )


@login_required
def ranking(code: str):
    campaign = campaign_or_404(code)
    group = _group_or_404(campaign)
    choice = _choice(campaign)
    listing = _listing(engine.rank_group(campaign, group, choice.day, choice.window))
    units = [standing.unit for standing in listing.items]
    return render_template(
        "results/ranking.html",
        **_common(campaign, group.parent, choice),
        group=group,
        label=pages.group_title(group),
        group_args=pages.group_args(group),
        listing=listing,
        at_risk=pages.at_risk_counts(campaign, units, choice.day, choice.window),
    )


# --- charts ---------------------------------------------------------------------------------


@login_required
def trend_chart(code: str, unit_code: str, indicator_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    indicator = _indicator_or_404(campaign, indicator_code)
    choice = _choice(campaign)
    return _png(
        charts.trend_chart(
            campaign, unit, indicator, choice.day, choice.window, language=_language()
        )
    )


@login_required
def ranking_chart(code: str):
    campaign = campaign_or_404(code)
    group = _group_or_404(campaign)
    choice = _choice(campaign)
    return _png(
        charts.ranking_chart(campaign, group, choice.day, choice.window, language=_language())
    )


# --- Excel ----------------------------------------------------------------------------------


@login_required
def unit_export(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    choice = _choice(campaign)
    content = excel.unit_workbook(campaign, unit, choice.day, choice.window)
    return _xlsx(content, f"ket-qua-{campaign.code}-{unit.code}", choice.day)


@login_required
def ranking_export(code: str):
    campaign = campaign_or_404(code)
    group = _group_or_404(campaign)
    choice = _choice(campaign)
    content = excel.ranking_workbook(campaign, group, choice.day, choice.window)
    name = group.code or f"{group.parent.code}-{group.kind}"
    return _xlsx(content, f"xep-hang-{campaign.code}-{name}", choice.day)


@login_required
def matrix_export(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    choice = _choice(campaign)
    order = _order(campaign)
    kind = _matrix_kind(campaign, unit)
    content = excel.matrix_workbook(campaign, unit, kind, choice.day, choice.window, order)
    return _xlsx(content, f"ma-tran-{campaign.code}-{unit.code}", choice.day)
