"""Campaign pages: list, create, view, edit, change status; add, edit and remove indicators;
add and remove the campaign's own peer groups.

Every view parses its input, checks access (404 unknown, 403 out of scope), calls one
operation and renders. A refused form is answered 422 so the boundary rolls back; a refused
action on a campaign in the wrong state (closed, not a draft...) goes back to the campaign
page with the reason.
"""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import local_today
from app.db import db
from app.scope import Access, Reach, may, reach
from app.units.kinds import kind_label
from app.units.queries import unit_by_code
from app.users.forms import ConfirmForm
from campaigns import queries
from campaigns.access import may_configure
from campaigns.forms import (
    STATUS_LABELS,
    CampaignForm,
    IndicatorForm,
    NewCampaignForm,
    PeerGroupForm,
    label_of,
)
from campaigns.hooks import campaign_links
from campaigns.lookups import campaign_or_404
from campaigns.models import Campaign, CampaignStatus, Indicator, PeerGroup
from campaigns.operations import (
    CampaignError,
    add_indicator,
    add_peer_group,
    check_indicator_removable,
    check_indicators_addable,
    check_open,
    check_status_change,
    create_campaign,
    remove_indicator,
    remove_peer_group,
    set_status,
    update_campaign,
    update_indicator,
)
from campaigns.progress.queries import has_entries
from campaigns.rules import campaign_day


def _form_status(form) -> int:
    """Refused input is answered 422, so the boundary rolls back and clients can tell."""
    return 422 if form.errors else 200


def _may_create() -> bool:
    return reach(current_user, Access.CONFIGURE) is not Reach.NONE


def _configurable_campaign_or_404(code: str) -> Campaign:
    campaign = campaign_or_404(code)
    if not may_configure(current_user, campaign):
        abort(403)
    return campaign


def _indicator_or_404(campaign: Campaign, indicator_code: str) -> Indicator:
    indicator = queries.indicator_by_code(campaign, indicator_code)
    if indicator is None:
        abort(404)
    return indicator


def _back_to(campaign: Campaign, error: CampaignError):
    flash(error.message, "danger")
    return redirect(url_for("campaigns.show", code=campaign.code))


def _attach(form, error: CampaignError) -> None:
    """Show the operation's message next to its field, or above the form."""
    field = form.field_for(error.field) if hasattr(form, "field_for") else None
    if field is None and error.field:
        field = getattr(form, error.field, None)
    if field is not None and isinstance(field.errors, list):
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


# --- campaigns --------------------------------------------------------------------------------


@login_required
def list_campaigns():
    page = db.paginate(queries.campaign_list(current_user), per_page=current_app.config["PER_PAGE"])
    today = local_today()
    days = {
        campaign.id: campaign_day(campaign.start_date, campaign.end_date, today)
        for campaign in page.items
    }
    return render_template("campaigns/list.html", page=page, days=days, may_create=_may_create())


def _owner_from_form(form: NewCampaignForm):
    code = form.owner_unit.data.strip()
    unit = unit_by_code(code)
    if unit is None or not may(current_user, Access.CONFIGURE, unit):
        form.owner_unit.errors.append(
            _("No unit with code “%(code)s” among the units you may configure.", code=code)
        )
        return None
    return unit


@login_required
def new_campaign():
    if not _may_create():
        abort(403)
    form = NewCampaignForm()
    if not form.is_submitted():
        form.owner_unit.data = current_user.unit.code
    if form.validate_on_submit():
        owner = _owner_from_form(form)
        if owner is not None:
            try:
                campaign = create_campaign(
                    code=form.code.data,
                    owner_unit=owner,
                    created_by=current_user,
                    **form.settings(),
                )
            except CampaignError as error:
                _attach(form, error)
            else:
                flash(
                    _(
                        "Campaign %(code)s created as a draft. Add its indicators, then start it.",
                        code=campaign.code,
                    ),
                    "success",
                )
                return redirect(url_for("campaigns.show", code=campaign.code))
    return render_template(
        "campaigns/form.html",
        form=form,
        campaign=None,
        owner_options=list(db.session.scalars(queries.owner_unit_options(current_user))),
    ), _form_status(form)


@login_required
def show(code: str):
    campaign = campaign_or_404(code)
    configurable = may_configure(current_user, campaign)
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        day=campaign_day(campaign.start_date, campaign.end_date, local_today()),
        links=campaign_links(campaign, current_user),
        may_configure=configurable,
        may_add_indicator=configurable and _addable(campaign),
    )


def _addable(campaign: Campaign) -> bool:
    try:
        check_indicators_addable(campaign)
    except CampaignError:
        return False
    return True


@login_required
def edit_campaign(code: str):
    campaign = _configurable_campaign_or_404(code)
    try:
        check_open(campaign)
    except CampaignError as error:
        return _back_to(campaign, error)
    form = CampaignForm(obj=campaign, below_target_percent=campaign.below_target_share * 100)
    if form.validate_on_submit():
        try:
            update_campaign(campaign, **form.settings())
        except CampaignError as error:
            _attach(form, error)
        else:
            flash(_("Campaign %(code)s saved.", code=campaign.code), "success")
            return redirect(url_for("campaigns.show", code=campaign.code))
    return render_template(
        "campaigns/form.html", form=form, campaign=campaign, owner_options=[]
    ), _form_status(form)


def _change_status(campaign: Campaign, status: str, *, title: str, explanation: str, danger: bool):
    """GET asks for confirmation and changes nothing; a confirmed POST changes the status."""
    try:
        check_status_change(campaign, status)
    except CampaignError as error:
        return _back_to(campaign, error)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            set_status(campaign, status)
        except CampaignError as error:
            return _back_to(campaign, error)
        flash(
            _(
                "Campaign %(code)s is now “%(status)s”.",
                code=campaign.code,
                status=label_of(STATUS_LABELS, status),
            ),
            "success",
        )
        return redirect(url_for("campaigns.show", code=campaign.code))
    return render_template(
        "campaigns/confirm.html",
        form=form,
        campaign=campaign,
        title=title,
        explanation=explanation,
        danger=danger,
    )


@login_required
def activate(code: str):
    campaign = _configurable_campaign_or_404(code)
    return _change_status(
        campaign,
        CampaignStatus.ACTIVE,
        title=_("Start campaign %(code)s?", code=campaign.code),
        explanation=_(
            "The campaign becomes active: units see it and enter their figures every day. "
            "Indicators can still be added until the first figures arrive."
        ),
        danger=False,
    )


@login_required
def close(code: str):
    campaign = _configurable_campaign_or_404(code)
    return _change_status(
        campaign,
        CampaignStatus.CLOSED,
        title=_("Close campaign %(code)s?", code=campaign.code),
        explanation=_(
            "Closing cannot be undone. The campaign, its indicators, targets and tasks become "
            "read-only for everyone; its figures stay available."
        ),
        danger=True,
    )


# --- indicators -------------------------------------------------------------------------------


def _unit_kind_choices(campaign: Campaign, indicator: Indicator | None) -> list[tuple[str, str]]:
    kinds = queries.unit_kinds_of_subtree(campaign.owner_unit_id)
    for kind in indicator.applies_to_kinds if indicator else ():
        if kind not in kinds:
            kinds.append(kind)
    return [(kind, kind_label(kind)) for kind in kinds]


def _unknown_kinds(form: IndicatorForm) -> bool:
    offered = {value for value, _label in form.unit_kinds.choices}
    if set(form.unit_kinds.data or ()) - offered:
        form.unit_kinds.errors.append(_("Choose among the kinds of unit listed."))
        return True
    return False


@login_required
def new_indicator(code: str):
    campaign = _configurable_campaign_or_404(code)
    try:
        check_indicators_addable(campaign)
    except CampaignError as error:
        return _back_to(campaign, error)
    form = IndicatorForm()
    form.unit_kinds.choices = _unit_kind_choices(campaign, None)
    if form.validate_on_submit() and not _unknown_kinds(form):
        try:
            indicator = add_indicator(campaign, **form.values())
        except CampaignError as error:
            _attach(form, error)
        else:
            flash(_("Indicator %(code)s added.", code=indicator.code), "success")
            if form.another.data:
                return redirect(url_for("campaigns.new_indicator", code=campaign.code))
            return redirect(url_for("campaigns.show", code=campaign.code, _anchor="indicators"))
    return render_template(
        "campaigns/indicator_form.html",
        form=form,
        campaign=campaign,
        indicator=None,
        locked=False,
    ), _form_status(form)


@login_required
def edit_indicator(code: str, indicator_code: str):
    campaign = _configurable_campaign_or_404(code)
    indicator = _indicator_or_404(campaign, indicator_code)
    try:
        check_open(campaign)
    except CampaignError as error:
        return _back_to(campaign, error)
    # Once figures exist, code, kind and measure are shown but not sent.
    locked = has_entries(campaign)
    form = IndicatorForm(obj=indicator)
    form.unit_kinds.choices = _unit_kind_choices(campaign, indicator)
    if not form.is_submitted():
        form.unit_kinds.data = indicator.applies_to_kinds  # obj would give the rows
    if locked:
        for name in ("code", "kind", "measure"):
            getattr(form, name).data = getattr(indicator, name)
    if form.validate_on_submit() and not _unknown_kinds(form):
        try:
            update_indicator(indicator, **form.values())
        except CampaignError as error:
            _attach(form, error)
        else:
            flash(_("Indicator %(code)s saved.", code=indicator.code), "success")
            return redirect(url_for("campaigns.show", code=campaign.code, _anchor="indicators"))
    return render_template(
        "campaigns/indicator_form.html",
        form=form,
        campaign=campaign,
        indicator=indicator,
        locked=locked,
    ), _form_status(form)


@login_required
def remove_indicator_view(code: str, indicator_code: str):
    campaign = _configurable_campaign_or_404(code)
    indicator = _indicator_or_404(campaign, indicator_code)
    try:
        check_indicator_removable(campaign)
    except CampaignError as error:
        return _back_to(campaign, error)
    form = ConfirmForm()
    if form.validate_on_submit():
        indicator_code = indicator.code
        try:
            remove_indicator(indicator)
        except CampaignError as error:
            return _back_to(campaign, error)
        flash(_("Indicator %(code)s removed.", code=indicator_code), "success")
        return redirect(url_for("campaigns.show", code=campaign.code, _anchor="indicators"))
    return render_template(
        "campaigns/confirm.html",
        form=form,
        campaign=campaign,
        title=_("Remove indicator %(code)s?", code=indicator.code),
        explanation=_(
            "“%(name)s” is removed from the campaign, with the targets, baselines and "
            "milestones set for it. This cannot be undone.",
            name=indicator.name,
        ),
        danger=True,
    )


# --- peer groups ------------------------------------------------------------------------------


def _peer_group_or_404(campaign: Campaign, group_code: str) -> PeerGroup:
    peer_group = queries.peer_group_by_code(campaign, group_code)
    if peer_group is None:
        abort(404)
    return peer_group


def _root_from_form(form: PeerGroupForm):
    code = form.root_unit.data.strip()
    unit = unit_by_code(code)
    if unit is None:
        form.root_unit.errors.append(_("No unit has the code “%(code)s”.", code=code))
    return unit


@login_required
def peer_groups(code: str):
    """The campaign's own peer groups with their sizes, and the form that adds one."""
    campaign = _configurable_campaign_or_404(code)
    form = PeerGroupForm()
    form.kind.choices = [
        (kind, kind_label(kind)) for kind in queries.unit_kinds_below(campaign.owner_unit_id)
    ]
    if not form.is_submitted():
        form.root_unit.data = campaign.owner_unit.code
    if form.validate_on_submit():
        root = _root_from_form(form)
        if root is not None:
            try:
                peer_group = add_peer_group(
                    campaign,
                    code=form.code.data,
                    name=form.name.data,
                    root_unit=root,
                    kind=form.kind.data or "",
                )
            except CampaignError as error:
                if campaign.is_closed:
                    return _back_to(campaign, error)
                _attach(form, error)
            else:
                flash(_("Peer group %(code)s added.", code=peer_group.code), "success")
                return redirect(url_for("campaigns.peer_groups", code=campaign.code))
    return render_template(
        "campaigns/peer_groups.html",
        form=form,
        campaign=campaign,
        groups=queries.peer_groups_with_sizes(campaign),
    ), _form_status(form)


@login_required
def remove_peer_group_view(code: str, group_code: str):
    campaign = _configurable_campaign_or_404(code)
    peer_group = _peer_group_or_404(campaign, group_code)
    try:
        check_open(campaign)
    except CampaignError as error:
        return _back_to(campaign, error)
    form = ConfirmForm()
    if form.validate_on_submit():
        group_code = peer_group.code
        remove_peer_group(peer_group)
        flash(_("Peer group %(code)s removed.", code=group_code), "success")
        return redirect(url_for("campaigns.peer_groups", code=campaign.code))
    return render_template(
        "campaigns/confirm.html",
        form=form,
        campaign=campaign,
        title=_("Remove peer group %(code)s?", code=peer_group.code),
        explanation=_(
            "“%(name)s” is no longer ranked. Its units keep their figures and stay ranked in "
            "their default groups.",
            name=peer_group.name,
        ),
        danger=True,
    )
