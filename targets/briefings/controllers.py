"""Briefing pages: the archive of a campaign's daily briefings and reviews, one version as
leaders read it (with the administrator's workflow on a draft: directions, dropping, restoring
and adding lines, refreshing the figures, publishing; and on a published one: a correction,
share links), its print view, files and charts, the subscription to briefings by e-mail, and
the read-only page of a share link.

Every view finds the campaign first (404 unknown, 403 out of scope: targets.briefings.access
says who reads and who manages), then the version by its period key (a day, or a review's
range: targets.briefings.queries.BriefingPeriod) and number (404 unknown; a draft is 403 to
those who may not manage it). A refused form is answered 422 with the page and the reason
next to the field; an action the version's state refuses (a published version cannot change)
goes back to the page with the reason.
"""

import io
from datetime import date, timedelta

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.clock import local_today
from app.db import db, utcnow
from app.formatting import format_date
from app.outbox.links import external_url
from app.units.queries import is_in_subtree, unit_by_code
from app.users.forms import ConfirmForm
from campaigns.hooks import CampaignLink
from campaigns.lookups import campaign_or_404
from campaigns.models import Campaign, CampaignStatus
from targets.briefings import access, pages, queries
from targets.briefings.delivery import file_name, page_url
from targets.briefings.forms import (
    AddItemForm,
    DraftForm,
    DropForm,
    EditForm,
    ReviewForm,
    SubscriptionForm,
)
from targets.briefings.models import Briefing, BriefingKind
from targets.briefings.notice import DOCX_MIME, briefing_docx
from targets.briefings.operations import (
    BriefingError,
    add_item,
    draft_correction,
    draft_daily_briefing,
    draft_review,
    drop_item,
    edit_draft,
    publish,
    refresh_figures,
    remove_added_item,
    restore_item,
)
from targets.briefings.pictures import briefing_chart, chart_names
from targets.briefings.sharing import (
    briefing_by_share_token,
    create_share_link,
    revoke_share_link,
)
from targets.briefings.subscriptions import is_subscribed, subscribe, unsubscribe
from targets.briefings.text import briefing_text, change_lines
from targets.briefings.workbook import XLSX_MIME, briefing_xlsx
from targets.results import engine
from targets.results.controllers import CHART_MAX_AGE

# Flask adds "; charset=utf-8" to text types.
FILE_TYPES = {"txt": "text/plain", "docx": DOCX_MIME, "xlsx": XLSX_MIME}


# --- the campaign page ----------------------------------------------------------------------


def campaign_links(campaign: Campaign, user) -> list[CampaignLink]:
    """ "Briefings" on the campaign page (registered through campaigns.hooks)."""
    if not access.may_read(user, campaign):
        return []
    return [CampaignLink(_("Briefings"), url_for("briefings.archive", code=campaign.code))]


# --- finding what a request names -----------------------------------------------------------


def _readable_campaign(code: str) -> Campaign:
    campaign = campaign_or_404(code)
    if not access.may_read(current_user, campaign):
        abort(403)
    return campaign


def _managed_campaign(code: str) -> Campaign:
    campaign = campaign_or_404(code)
    if not access.may_manage(current_user, campaign):
        abort(403)
    return campaign


def _period_or_404(key: str) -> queries.BriefingPeriod:
    period = queries.parse_period_key(key)
    if period is None:
        abort(404)
    return period


def _version_or_404(campaign: Campaign, key: str, version: int) -> Briefing:
    briefing = queries.version(campaign, _period_or_404(key), version)
    if briefing is None:
        abort(404)
    if not access.may_see(current_user, briefing):
        abort(403)
    return briefing


def _readable_version(code: str, day: str, version: int) -> Briefing:
    return _version_or_404(_readable_campaign(code), day, version)


def _managed_version(code: str, day: str, version: int) -> Briefing:
    return _version_or_404(_managed_campaign(code), day, version)


def _address(briefing: Briefing) -> dict:
    """The URL values of a version (briefings.show and the pages below it)."""
    return {
        "code": briefing.campaign.code,
        "day": queries.period_key(briefing),
        "version": briefing.version,
    }


def _back(briefing: Briefing, message: str | None = None, anchor: str | None = None):
    if message:
        flash(message, "danger")
    return redirect(url_for("briefings.show", **_address(briefing), _anchor=anchor))


def _attach(form, error: BriefingError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and isinstance(field.errors, list):
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


# --- the archive ----------------------------------------------------------------------------


def _archive_page(
    campaign: Campaign,
    *,
    draft_form: DraftForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
):
    """The days with a briefing, a page at a time, newest first, and every review; for an
    administrator, the forms that draft them."""
    manage = access.may_manage(current_user, campaign)
    page = db.paginate(
        queries.archive_days(campaign, drafts=manage), per_page=current_app.config["PER_PAGE"]
    )
    days = [queries.daily_period(day) for day in page.items]
    reviews = queries.review_periods(campaign, drafts=manage)
    versions = queries.versions_by_period(campaign, days + reviews, drafts=manage)
    today = local_today()
    default_day = engine.default_day(campaign, today)
    return render_template(
        "briefings/archive.html",
        campaign=campaign,
        page=page,
        days=[(period, versions[period]) for period in days],
        reviews=[(period, versions[period]) for period in reviews],
        may_manage=manage,
        draft_form=(draft_form or DraftForm(day=default_day)) if manage else None,
        review_form=(review_form or ReviewForm()) if manage else None,
        review_choices=_review_choices(campaign, default_day, today) if manage else [],
        default_day=default_day,
        subscribed=is_subscribed(campaign, current_user),
        subscription_form=SubscriptionForm(),
    ), status


def _review_choices(campaign: Campaign, last: date, today: date) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of the reviews an administrator drafts in one press: the
    last 7 days and the month so far, up to the day results open on, and once the campaign
    has ended or is closed, the whole campaign (its final report)."""
    week = max(campaign.start_date, last - timedelta(days=6))
    month = max(campaign.start_date, last.replace(day=1))
    choices = [(_("The last 7 days"), week, last)]
    if month != week:
        choices.append((_("The month so far"), month, last))
    if campaign.end_date < today or campaign.status == CampaignStatus.CLOSED:
        choices.append((_("The final report"), campaign.start_date, campaign.end_date))
    return choices


@login_required
def archive(code: str):
    return _archive_page(_readable_campaign(code))


@login_required
def draft(code: str):
    """Draft the briefing of a day (or open the day's draft if there is one)."""
    campaign = _managed_campaign(code)
    form = DraftForm()
    if form.validate_on_submit():
        day = form.day.data
        problem = access.future_day_error(day, local_today())
        if problem:
            form.day.errors.append(problem)
        else:
            try:
                briefing, made = draft_daily_briefing(campaign, day, user=current_user)
            except BriefingError as error:
                if error.field is None:
                    form.form_errors.append(error.message)
                else:  # the day (a daily briefing's first and last)
                    form.day.errors.append(error.message)
            else:
                if made:
                    flash(_("The briefing of %(day)s is drafted.", day=format_date(day)), "success")
                else:
                    flash(_("The briefing of %(day)s was already drafted.", day=format_date(day)))
                return redirect(url_for("briefings.show", **_address(briefing)))
    return _archive_page(campaign, draft_form=form, status=422)


@login_required
def review(code: str):
    """Draft a review of a range of days (or open its draft if there is one)."""
    campaign = _managed_campaign(code)
    form = ReviewForm()
    if form.validate_on_submit():
        problem = access.future_day_error(form.end.data, local_today())
        if problem:
            form.end.errors.append(problem)
        else:
            try:
                briefing, made = draft_review(
                    campaign, form.start.data, form.end.data, user=current_user
                )
            except BriefingError as error:
                _attach(form, error)
            else:
                period = pages.period_label(briefing)
                if made:
                    flash(_("The review of %(period)s is drafted.", period=period), "success")
                else:
                    flash(_("The review of %(period)s was already drafted.", period=period))
                return redirect(url_for("briefings.show", **_address(briefing)))
    return _archive_page(campaign, review_form=form, status=422)


@login_required
def subscription(code: str):
    campaign = _readable_campaign(code)
    form = SubscriptionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.subscribe.data != "1":
        unsubscribe(campaign, current_user)
        flash(_("You will no longer receive these briefings by e-mail."), "success")
    elif not current_user.email:
        flash(_("Add your e-mail address on your account page first."), "warning")
    else:
        subscribe(campaign, current_user)
        flash(
            _(
                "Each briefing will be sent to %(email)s when it is published.",
                email=current_user.email,
            ),
            "success",
        )
    return redirect(url_for("briefings.archive", code=campaign.code))


# --- one version ----------------------------------------------------------------------------


def _charts(briefing: Briefing, url) -> list[tuple[str, str]]:
    """(title, address) of each chart of the version."""
    return [(title, url(name)) for name, title in chart_names(briefing)]


def _document(briefing: Briefing, *, with_dropped: bool = False) -> dict:
    """What every view of a version shows: the snapshot and the lines of each section."""
    return {
        "campaign": briefing.campaign,
        "briefing": briefing,
        "content": briefing.content,
        "sections": [
            (section, pages.section_items(briefing, section, with_dropped=with_dropped))
            for section in pages.SECTIONS
        ],
        "changes": change_lines(briefing),
        "pages": pages,
        "address": _address(briefing),
    }


def _show_page(
    briefing: Briefing,
    *,
    status: int = 200,
    edit_form: EditForm | None = None,
    add_form: AddItemForm | None = None,
    drop_errors: dict[int, tuple[str, str]] | None = None,
):
    campaign = briefing.campaign
    manage = access.may_manage(current_user, campaign)
    editing = manage and briefing.is_draft
    context = _document(briefing, with_dropped=editing)
    context.update(
        may_manage=manage,
        editing=editing,
        versions=queries.versions(campaign, queries.period_of(briefing), drafts=manage),
        chart_list=_charts(
            briefing,
            lambda name: url_for("briefings.chart", **_address(briefing), name=name),
        ),
        confirm_form=ConfirmForm(),
    )
    if editing:
        context.update(
            edit_form=edit_form or EditForm(number=briefing.number, directions=briefing.directions),
            add_form=add_form or AddItemForm(),
            drop_form=DropForm(),
            drop_errors=drop_errors or {},
            figures_changed_at=queries.figures_changed_at(briefing),
        )
    elif manage:
        context.update(share_links=queries.share_links(briefing), now=utcnow())
    return render_template("briefings/show.html", **context), status


@login_required
def show(code: str, day: str, version: int | None = None):
    """A version of the day's briefing (or of a review: `day` is a period key); without a
    version, the newest one the reader may see (an administrator's draft, else the newest
    published one)."""
    campaign = _readable_campaign(code)
    if version is not None:
        return _show_page(_version_or_404(campaign, day, version))
    drafts = access.may_manage(current_user, campaign)
    briefing = queries.latest(campaign, _period_or_404(day), drafts=drafts)
    if briefing is None:
        abort(404)
    return _show_page(briefing)


@login_required
def print_view(code: str, day: str, version: int):
    briefing = _readable_version(code, day, version)
    context = _document(briefing)
    context["chart_list"] = _charts(
        briefing, lambda name: url_for("briefings.chart", **context["address"], name=name)
    )
    return render_template("briefings/print.html", **context)


def briefing_file_response(briefing: Briefing, extension: str) -> Response:
    """The version as a .txt, .docx or .xlsx download (the pages and the API send the same)."""
    if extension == "txt":
        content = briefing_text(briefing, link=page_url(briefing)).encode("utf-8")
    elif extension == "docx":
        content = briefing_docx(briefing)
    else:
        content = briefing_xlsx(briefing)
    return send_file(
        io.BytesIO(content),
        mimetype=FILE_TYPES[extension],
        as_attachment=True,
        download_name=file_name(briefing, extension),
    )


@login_required
def download(code: str, day: str, version: int, extension: str):
    return briefing_file_response(_readable_version(code, day, version), extension)


def _png(content: bytes | None) -> Response:
    if content is None:
        abort(404)
    response = Response(content, mimetype="image/png")
    response.cache_control.private = True
    response.cache_control.max_age = CHART_MAX_AGE
    return response


@login_required
def chart(code: str, day: str, version: int, name: str):
    return _png(briefing_chart(_readable_version(code, day, version), name))


# --- the administrator's workflow on a draft ------------------------------------------------


@login_required
def edit(code: str, day: str, version: int):
    briefing = _managed_version(code, day, version)
    form = EditForm()
    if form.validate_on_submit():
        try:
            edit_draft(briefing, directions=form.directions.data, number=form.number.data)
        except BriefingError as error:
            if not briefing.is_draft:
                return _back(briefing, error.message)
            _attach(form, error)
        else:
            flash(_("Directions and number saved."), "success")
            return _back(briefing, anchor="directions")
    return _show_page(briefing, status=422, edit_form=form)


def _item_or_404(briefing: Briefing, item_id: int):
    item = queries.briefing_item(briefing, item_id)
    if item is None:
        abort(404)
    return item


@login_required
def drop(code: str, day: str, version: int, item_id: int):
    briefing = _managed_version(code, day, version)
    item = _item_or_404(briefing, item_id)
    form = DropForm()
    if form.validate_on_submit():
        try:
            drop_item(item, note=form.note.data)
        except BriefingError as error:
            if error.field is None:
                return _back(briefing, error.message)
            return _show_page(
                briefing, status=422, drop_errors={item.id: (error.message, form.note.data or "")}
            )
        flash(_("The line is left out of the briefing."), "success")
    return _back(briefing, anchor=f"item-{item.id}")


@login_required
def restore(code: str, day: str, version: int, item_id: int):
    briefing = _managed_version(code, day, version)
    item = _item_or_404(briefing, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            restore_item(item)
        except BriefingError as error:
            return _back(briefing, error.message)
        flash(_("The line is back in the briefing."), "success")
    return _back(briefing, anchor=f"item-{item.id}")


@login_required
def remove(code: str, day: str, version: int, item_id: int):
    briefing = _managed_version(code, day, version)
    item = _item_or_404(briefing, item_id)
    if ConfirmForm().validate_on_submit():
        try:
            remove_added_item(item)
        except BriefingError as error:
            return _back(briefing, error.message)
        flash(_("The line you added is removed."), "success")
    return _back(briefing, anchor="items")


@login_required
def add(code: str, day: str, version: int):
    briefing = _managed_version(code, day, version)
    campaign = briefing.campaign
    form = AddItemForm()
    if form.validate_on_submit():
        unit = None
        unit_code = (form.unit.data or "").strip()
        if unit_code:
            unit = unit_by_code(unit_code)
            if unit is None or not is_in_subtree(unit.id, campaign.owner_unit_id):
                form.unit.errors.append(
                    _("No unit of the campaign has the code “%(code)s”.", code=unit_code)
                )
        if not form.unit.errors:
            try:
                add_item(
                    briefing,
                    section=form.section.data,
                    unit=unit,
                    text=form.text.data,
                    note=form.note.data,
                )
            except BriefingError as error:
                if not briefing.is_draft:
                    return _back(briefing, error.message)
                _attach(form, error)
            else:
                flash(_("The line is added."), "success")
                return _back(briefing, anchor="items")
    return _show_page(briefing, status=422, add_form=form)


@login_required
def refresh(code: str, day: str, version: int):
    briefing = _managed_version(code, day, version)
    if ConfirmForm().validate_on_submit():
        try:
            refresh_figures(briefing)
        except BriefingError as error:
            return _back(briefing, error.message)
        flash(_("The figures are read again; your edits are kept."), "success")
    return _back(briefing)


@login_required
def publish_view(code: str, day: str, version: int):
    """GET asks for confirmation and changes nothing; a confirmed POST publishes."""
    briefing = _managed_version(code, day, version)
    if not briefing.is_draft:
        return _back(briefing, _("Version %(version)d is already published.", version=version))
    form = ConfirmForm()
    if form.validate_on_submit():
        publish(briefing, user=current_user)
        if briefing.kind == BriefingKind.REVIEW:
            message = _(
                "The review of %(period)s is published; it is sent to the subscribers.",
                period=pages.period_label(briefing),
            )
        else:
            message = _(
                "The briefing of %(day)s is published; it is sent to the subscribers.",
                day=format_date(briefing.day),
            )
        flash(message, "success")
        return _back(briefing)
    return render_template(
        "briefings/confirm.html",
        form=form,
        briefing=briefing,
        campaign=briefing.campaign,
        address=_address(briefing),
        pages=pages,
    )


@login_required
def correction(code: str, day: str, version: int):
    """The next version of a published briefing, drafted from the figures as they are now
    (or the draft of its day or range, when one is open already)."""
    briefing = _managed_version(code, day, version)
    if ConfirmForm().validate_on_submit():
        try:
            draft, made = draft_correction(briefing, user=current_user)
        except BriefingError as error:
            return _back(briefing, error.message)
        if made:
            flash(
                _(
                    "Version %(version)d is drafted: check what changed, then publish it.",
                    version=draft.version,
                ),
                "success",
            )
        return redirect(url_for("briefings.show", **_address(draft)))
    return _back(briefing)


# --- share links ----------------------------------------------------------------------------


@login_required
def share(code: str, day: str, version: int):
    """Make a share link of a published version and show it, once."""
    briefing = _managed_version(code, day, version)
    if briefing.is_draft:
        return _back(briefing, _("Only a published briefing can be shared."))
    if not ConfirmForm().validate_on_submit():
        return _back(briefing)
    token = create_share_link(briefing, user=current_user)
    return render_template(
        "briefings/share.html",
        campaign=briefing.campaign,
        briefing=briefing,
        address=_address(briefing),
        pages=pages,
        url=external_url("briefings.shared", token=token),
        link=queries.share_links(briefing)[0],
    )


@login_required
def revoke_share(code: str, day: str, version: int, link_id: int):
    briefing = _managed_version(code, day, version)
    link = queries.share_link(briefing, link_id)
    if link is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        revoke_share_link(link)
        flash(_("The link no longer opens the briefing."), "success")
    return _back(briefing, anchor="share-links")


def _shared_or_404(token: str) -> Briefing:
    briefing = briefing_by_share_token(token)
    if briefing is None:
        abort(404)
    return briefing


def shared(token: str):
    """The read-only page of a share link: no sign-in, no navigation."""
    briefing = _shared_or_404(token)
    context = _document(briefing)
    context["chart_list"] = _charts(
        briefing, lambda name: url_for("briefings.shared_chart", token=token, name=name)
    )
    response = Response(render_template("briefings/shared.html", **context))
    # The token is in the address: keep it out of other sites' logs and of shared caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


def shared_chart(token: str, name: str):
    response = _png(briefing_chart(_shared_or_404(token), name))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
