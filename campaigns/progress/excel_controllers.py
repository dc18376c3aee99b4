"""The Excel import pages: download a template, upload it, preview, confirm.

Access: the campaign must be visible (403) and the user must write the figures of at least one
unit reporting in it (403); an upload can be previewed and confirmed only by its uploader
(its stored name binds the campaign, the user and a random token: anyone else gets 404).
Nothing is written until the confirmation, which saves the whole file or nothing and is
refused with a fresh preview when the saved figures changed since the preview.
"""

import io
import re
from datetime import date
from zoneinfo import ZoneInfo

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.exc import IntegrityError

from app.db import db, utcnow
from app.formatting import format_number
from app.spreadsheets import UploadError, check_upload
from app.units.queries import unit_by_code
from campaigns.hooks import CampaignLink
from campaigns.lookups import campaign_or_404
from campaigns.models import Campaign, CampaignStatus
from campaigns.progress import excel
from campaigns.progress.excel_forms import ConfirmImportForm, TemplateForm, UploadForm
from campaigns.progress.models import EntrySource
from campaigns.progress.operations import EntryError, save_entries

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
CELLS_PER_PAGE = 100
PROBLEMS_SHOWN = 500
ALL_UNITS = ""


class _ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list already in memory (the preview's cells)."""

    def _query_items(self) -> list:
        start = (self.page - 1) * self.per_page
        return self._query_args["items"][start : start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])


def _today() -> date:
    """Today where the campaigns run; from the same clock as the saves (tests set it)."""
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def _units_or_403(campaign: Campaign) -> list[excel.TemplateUnit]:
    units = excel.writable_units(campaign, current_user)
    if not units:
        abort(403)
    return units


def _not_open_message(campaign: Campaign) -> str | None:
    if campaign.status == CampaignStatus.DRAFT:
        return _(
            "Campaign %(code)s has not started; figures open when it starts.", code=campaign.code
        )
    if campaign.status == CampaignStatus.CLOSED:
        return _(
            "Campaign %(code)s is closed; its figures can no longer change.", code=campaign.code
        )
    return None


def campaign_links(campaign: Campaign, user) -> list[CampaignLink]:
    """The campaign page's link to the import, for those who may write some of its units."""
    if campaign.status != CampaignStatus.ACTIVE or not excel.may_import(campaign, user):
        return []
    return [
        CampaignLink(
            _("Import figures from Excel"),
            url_for("progress_import.index", code=campaign.code),
        )
    ]


# --- the import page and the template -------------------------------------------------------


def _template_form(campaign: Campaign, units: list[excel.TemplateUnit], data=None) -> TemplateForm:
    days = excel.default_days(campaign, _today())
    form = TemplateForm(
        formdata=data,
        start=days[0].isoformat() if days else "",
        end=days[1].isoformat() if days else "",
    )
    form.unit.choices = [(ALL_UNITS, _("All my units"))] + [
        (unit.code, _("%(unit)s and the units below it", unit=unit.name))
        for unit in excel.group_roots(units)
    ]
    return form


def _render_index(campaign, units, *, upload_form=None, template_form=None, status=200):
    return render_template(
        "progress_import/index.html",
        campaign=campaign,
        not_open=_not_open_message(campaign),
        template_form=template_form or _template_form(campaign, units),
        upload_form=upload_form or UploadForm(),
        unit_count=len(units),
        max_bytes=current_app.config["SPREADSHEET_MAX_BYTES"],
        can_download=excel.default_days(campaign, _today()) is not None,
    ), status


@login_required
def index(code: str):
    """The page: download a template; upload a filled one (POST), which shows its preview."""
    campaign = campaign_or_404(code)
    units = _units_or_403(campaign)
    form = UploadForm()
    if request.method == "POST":
        not_open = _not_open_message(campaign)
        if not_open:
            form.form_errors.append(not_open)
        elif form.validate_on_submit():
            return _receive(campaign, units, form)
    status = 422 if form.errors or form.form_errors else 200
    return _render_index(campaign, units, upload_form=form, status=status)


def _receive(campaign: Campaign, units, form: UploadForm):
    limit = current_app.config["SPREADSHEET_MAX_BYTES"]
    folder = current_app.config["UPLOAD_FOLDER"]
    content = form.file.data.stream.read(limit + 1)
    path = None
    try:
        check_upload(content, form.file.data.filename or "", limit)
        token = excel.PENDING.store(folder, campaign.id, current_user.id, content)
        path = excel.PENDING.path(folder, campaign.id, current_user.id, token)
        read = excel.read_file(path, campaign)
    except UploadError as error:
        if path is not None:
            path.unlink(missing_ok=True)
        form.file.errors.append(error.message)
        return _render_index(campaign, units, upload_form=form, status=422)
    plan = excel.plan_import(campaign, read, current_user, utcnow())
    if plan.errors:
        path.unlink(missing_ok=True)
        return _render_preview(campaign, None, plan, status=422)
    return redirect(url_for("progress_import.preview", code=campaign.code, token=token), 303)


@login_required
def template(code: str):
    """The pre-filled workbook of the user's units (or those below one of them) and days."""
    campaign = campaign_or_404(code)
    units = _units_or_403(campaign)
    form = _template_form(campaign, units, request.args or None)
    not_open = _not_open_message(campaign)
    if not_open:
        form.form_errors.append(not_open)
        return _render_index(campaign, units, template_form=form, status=409)
    if not form.validate():
        return _render_index(campaign, units, template_form=form, status=422)
    chosen = form.unit.data or ALL_UNITS
    if chosen != ALL_UNITS:
        if chosen not in {value for value, _label in form.unit.choices}:
            form.unit.errors.append(_("Choose one of the units of the list."))
            return _render_index(campaign, units, template_form=form, status=422)
        units = excel.writable_units(campaign, current_user, root=unit_by_code(chosen))
    start, end = form.start.day, form.end.day
    problem = excel.days_problem(campaign, start, end, _today())
    if problem is None and len(units) * ((end - start).days + 1) > excel.TEMPLATE_ROWS_MAX:
        problem = _(
            "That would make more than %(count)s rows: choose fewer days or fewer units.",
            count=format_number(excel.TEMPLATE_ROWS_MAX, str(get_locale())),
        )
    if problem:
        form.end.errors.append(problem)
        return _render_index(campaign, units, template_form=form, status=422)
    days = excel.date_range(start, end)
    content = excel.write_template(
        campaign, units, days, excel.current_entries(campaign, units, days)
    )
    return send_file(
        io.BytesIO(content),
        mimetype=excel.XLSX_MIME,
        as_attachment=True,
        download_name=f"so-lieu-{campaign.code}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
    )


# --- preview and confirmation ---------------------------------------------------------------


def _stored_upload(code: str, token: str):
    campaign = campaign_or_404(code)
    _units_or_403(campaign)
    if not TOKEN_PATTERN.match(token):
        abort(404)
    path = excel.PENDING.path(
        current_app.config["UPLOAD_FOLDER"], campaign.id, current_user.id, token
    )
    if not path.is_file():
        abort(404)
    return campaign, path


def _read_and_plan(campaign: Campaign, path):
    """(read file, plan); a file that can no longer be read gives a plan of that one error."""
    try:
        read = excel.read_file(path, campaign)
    except UploadError as error:
        read = excel.ReadFile(problems=[excel.ImportProblem(None, None, error.message)])
    return read, excel.plan_import(campaign, read, current_user, utcnow())


def _render_preview(campaign, token, plan, *, form=None, stale=False, status=200):
    show = request.args.get("show", "changes")
    if show not in ("changes", "unchanged"):
        show = "changes"
    cells = (
        plan.changes
        if show == "changes"
        else [cell for cell in plan.cells if cell.status == excel.CellStatus.UNCHANGED]
    )
    page = _ListPagination(
        page=request.args.get("page", 1, type=int) if request.method == "GET" else 1,
        per_page=CELLS_PER_PAGE,
        error_out=False,
        items=cells,
    )
    if form is None:
        form = ConfirmImportForm(formdata=None)
    form.fingerprint.data = plan.fingerprint
    return render_template(
        "progress_import/preview.html",
        campaign=campaign,
        token=token,
        plan=plan,
        page=page,
        show=show,
        form=form,
        stale=stale,
        statuses=excel.CellStatus,
        problems_shown=PROBLEMS_SHOWN,
    ), status


@login_required
def preview(code: str, token: str):
    campaign, path = _stored_upload(code, token)
    _read, plan = _read_and_plan(campaign, path)
    if plan.errors:
        path.unlink(missing_ok=True)
        return _render_preview(campaign, None, plan, status=422)
    return _render_preview(campaign, token, plan)


@login_required
def confirm(code: str, token: str):
    campaign, path = _stored_upload(code, token)
    form = ConfirmImportForm()
    if not form.validate_on_submit() and "fingerprint" in form.errors:
        abort(400)
    read, plan = _read_and_plan(campaign, path)
    if plan.errors:
        path.unlink(missing_ok=True)
        return _render_preview(campaign, None, plan, status=422)
    if plan.fingerprint != form.fingerprint.data:
        # The saved figures changed since the preview: show what the file means now.
        return _render_preview(campaign, token, plan, stale=True, status=409)
    if form.errors:
        return _render_preview(campaign, token, plan, form=form, status=422)
    if plan.unusual and not form.confirmed.data:
        form.confirmed.errors.append(
            _("Tick the box if these figures are right, or correct them in the file.")
        )
    if plan.needs_reason and not (form.reason.data or "").strip():
        form.reason.errors.append(_("Write the note these rows need."))
    if form.confirmed.errors or form.reason.errors:
        return _render_preview(campaign, token, plan, form=form, status=422)
    inputs = excel.confirmed_inputs(
        read, plan, confirmed=bool(form.confirmed.data), reason=form.reason.data or ""
    )
    try:
        summary = save_entries(
            campaign, inputs, user=current_user, source=EntrySource.IMPORT, now=utcnow()
        )
    except (EntryError, IntegrityError) as error:
        # Saved by someone else between this check and the save: start again from the file.
        if isinstance(error, IntegrityError):
            db.session.rollback()
        _read, plan = _read_and_plan(campaign, path)
        return _render_preview(campaign, token, plan, stale=True, status=409)
    path.unlink(missing_ok=True)
    flash(
        _(
            "Figures from the workbook saved: %(created)d new, %(updated)d changed, "
            "%(unchanged)d unchanged.",
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        ),
        "success",
    )
    return redirect(url_for("campaigns.show", code=campaign.code))
