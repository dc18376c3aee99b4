"""Target pages: the grid of a unit's children × indicators, "apply to all children",
baselines, milestones, the history of changes, the Excel round trip and the 92-day template.

Every view checks access here (404 unknown, 403 out of scope); every write goes through
targets.operations, which checks the batch again and writes all of it or nothing.
"""

import io
import re
from datetime import date

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
from flask_smorest import abort as smorest_abort

from app.db import db
from app.formatting import format_number, format_percent, parse_decimal
from app.scope import Access, Reach, may, reach
from app.spreadsheets import UploadError, check_upload
from app.units.models import Unit
from campaigns.access import may_configure
from campaigns.hooks import CampaignLink
from campaigns.lookups import campaign_or_404, campaign_unit_or_404
from campaigns.models import Campaign, Indicator
from campaigns.queries import campaign_lineage
from targets import excel, queries
from targets.forms import (
    ApplyToChildrenForm,
    ConfirmForm,
    ConfirmUploadForm,
    GridForm,
    UploadForm,
)
from targets.models import Source, Subject
from targets.operations import (
    KEEP,
    MilestoneInput,
    Problem,
    TargetError,
    TargetInput,
    apply_changes,
    apply_to_children,
    fingerprint,
    plan_targets,
    set_milestones,
    set_targets,
)
from targets.presets import CAMPAIGN_92_DAYS, apply_preset
from targets.rules import TargetSource, WarningCode

TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
NEW_MILESTONE_ROWS = 3
NAMES_SHOWN = 5


# --- access ---------------------------------------------------------------------------------


def _indicator_or_404(campaign: Campaign, indicator_code: str) -> Indicator:
    for indicator in campaign.indicators:
        if indicator.code == indicator_code:
            return indicator
    abort(404)


def _require_assign_rights() -> None:
    if reach(current_user, Access.ASSIGN) is Reach.NONE:
        abort(403)


def _may_assign(unit: Unit) -> bool:
    return may(current_user, Access.ASSIGN, unit)


# --- formatting -----------------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale())


def show_value(value: float | None, indicator: Indicator) -> str:
    """50% for ratios, 1.080 for counts (in Vietnamese)."""
    if indicator.is_ratio:
        return format_percent(value, _locale())
    return format_number(value, _locale())


def input_text(value: float | None, indicator: Indicator) -> str:
    """What an input shows, readable back by parse_input in either language: "82,89" (percent)
    for ratios, "1080" for counts."""
    if value is None:
        return ""
    if indicator.is_ratio:
        text = f"{value * 100:.6f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(int(value)) if float(value).is_integer() else str(value)


def parse_input(text: str, indicator: Indicator) -> float | None:
    """A typed target: "82,89", "82.89" or "82,89%" is 82,89% for ratios (0.8289); "1.080"
    is 1080 for counts. Empty is None. Raises ValueError."""
    text = text.strip()
    if not text:
        return None
    if indicator.is_ratio:
        return round(parse_decimal(text.removesuffix("%")) / 100, 10)
    return parse_decimal(text)


def _write_batch(write, field_names: list[str], form, field_errors: dict[str, str]):
    """Run a batch write; on refusal put each problem next to its field (problems of the whole
    batch go on the form) and return None instead of the changes."""
    try:
        return write()
    except TargetError as error:
        for problem in error.problems:
            if problem.position is None:
                form.form_errors.append(problem.message)
            else:
                field_errors[field_names[problem.position]] = problem.message
        return None


def _flash_saved(changes: list, saved_message: str) -> None:
    if changes:
        flash(saved_message, "success")
    else:
        flash(_("Nothing has changed."), "info")


def _not_a_number(text: str) -> str:
    return _("“%(value)s” is not a number.", value=text)


def _names(units: list[Unit]) -> str:
    names = [unit.name for unit in units[:NAMES_SHOWN]]
    if len(units) > NAMES_SHOWN:
        names.append(_("%(count)d more", count=len(units) - NAMES_SHOWN))
    return ", ".join(names)


def describe_warning(warning, indicators: dict[int, Indicator], units: dict[int, Unit]) -> str:
    """A consistency warning in words, with its figures."""
    indicator = indicators[warning.indicator_id]
    values = {
        "indicator": indicator.name,
        "unit": units[warning.unit_id].name,
        "target": show_value(warning.parent_target, indicator),
        "value": show_value(warning.children_value, indicator),
        "units": _names([units[unit_id] for unit_id in warning.unit_ids if unit_id in units]),
    }
    match warning.code:
        case WarningCode.COUNT_BELOW:
            return _(
                "%(indicator)s: Σ targets of the units below %(value)s < %(target)s of %(unit)s.",
                **values,
            )
        case WarningCode.COUNT_ABOVE:
            return _(
                "%(indicator)s: Σ targets of the units below %(value)s > %(target)s of "
                "%(unit)s (lower is better).",
                **values,
            )
        case WarningCode.COUNT_INCOMPLETE:
            return _(
                "%(indicator)s: the units below %(unit)s cannot yet be checked against its "
                "target %(target)s: %(units)s have no target (the others add up to %(value)s).",
                **values,
            )
        case WarningCode.RATIO_BELOW:
            return _(
                "%(indicator)s: targets of the units below, weighted by their baseline "
                "denominators, %(value)s < %(target)s of %(unit)s.",
                **values,
            )
        case WarningCode.RATIO_ABOVE:
            return _(
                "%(indicator)s: targets of the units below, weighted by their baseline "
                "denominators, %(value)s > %(target)s of %(unit)s (lower is better).",
                **values,
            )
        case _other:
            return _(
                "%(indicator)s: the targets of the units below %(unit)s could not be checked "
                "against its %(target)s: %(units)s have no baseline denominator.",
                **values,
            )


def _warnings_in_words(campaign: Campaign, unit: Unit) -> list[str]:
    warnings = queries.consistency_warnings(campaign, unit)
    if not warnings:
        return []
    indicators = {indicator.id: indicator for indicator in campaign.indicators}
    ids = {w.unit_id for w in warnings} | {i for w in warnings for i in w.unit_ids}
    units = queries.units_by_id(ids)
    return [describe_warning(warning, indicators, units) for warning in warnings]


def _problem_messages(problems: list[Problem]) -> list[str]:
    return [problem.message for problem in problems]


# --- the campaign page ----------------------------------------------------------------------


def campaign_links(campaign: Campaign, user) -> list[CampaignLink]:
    """Links of the campaign page (registered through campaigns.hooks)."""
    links = []
    if not campaign.indicators and not campaign.is_closed and may_configure(user, campaign):
        links.append(
            CampaignLink(
                _("Use the 92-day template"),
                url_for("targets.template", code=campaign.code),
                primary=True,
            )
        )
    links.append(CampaignLink(_("Targets"), url_for("targets.index", code=campaign.code)))
    return links


# --- the grid -------------------------------------------------------------------------------


@login_required
def index(code: str):
    campaign = campaign_or_404(code)
    unit = queries.default_unit(campaign, current_user)
    return redirect(url_for("targets.grid", code=campaign.code, unit_code=unit.code))


def _cell_name(prefix: str, unit: Unit, indicator: Indicator) -> str:
    return f"{prefix}-{unit.id}-{indicator.id}"


@login_required
def grid(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    form = GridForm()
    grid_data = queries.target_grid(campaign, unit, current_user)
    own = queries.own_targets(
        [indicator.id for indicator in grid_data.indicators], [row.id for row in grid_data.rows]
    )
    cell_errors: dict[tuple[int, int], str] = {}
    typed: dict[tuple[int, int], str] = {}
    if form.validate_on_submit():
        inputs, keys = [], []
        for row in grid_data.rows:
            for indicator in grid_data.indicators:
                key = (row.id, indicator.id)
                if not grid_data.cells[key].editable:
                    continue
                submitted = request.form.get(_cell_name("target", row, indicator))
                if submitted is None:
                    continue
                original = _original(request.form.get(_cell_name("original", row, indicator)))
                if original is KEEP:
                    continue
                if submitted.strip() == input_text(original, indicator):
                    continue
                typed[key] = submitted
                try:
                    value = parse_input(submitted, indicator)
                except ValueError:
                    cell_errors[key] = _not_a_number(submitted)
                    continue
                keys.append(key)
                inputs.append(
                    TargetInput(
                        row.code,
                        indicator.code,
                        target=value,
                        expected_target=original,
                        position=len(inputs),
                    )
                )
        if not cell_errors:
            changes = _write_batch(
                lambda: set_targets(campaign, inputs, user=current_user, source=Source.WEB),
                keys,
                form,
                cell_errors,
            )
            if changes is not None:
                _flash_saved(changes, _("%(count)d targets saved.", count=len(changes)))
                return redirect(url_for("targets.grid", code=campaign.code, unit_code=unit.code))
        if not form.form_errors and cell_errors:
            form.form_errors.append(
                _("Nothing was saved: correct the cells marked in red and save again.")
            )
    status = 422 if form.errors or form.form_errors or cell_errors else 200
    children_assignable = any(
        cell.editable for (unit_id, _i), cell in grid_data.cells.items() if unit_id != unit.id
    )
    return render_template(
        "targets/grid.html",
        campaign=campaign,
        unit=unit,
        grid=grid_data,
        own=own,
        form=form,
        cell_errors=cell_errors,
        typed=typed,
        warnings=_warnings_in_words(campaign, unit),
        lineage=campaign_lineage(campaign, unit, current_user),
        children_assignable=children_assignable,
        may_upload=reach(current_user, Access.ASSIGN) is not Reach.NONE,
        show_value=show_value,
        input_text=input_text,
        cell_name=_cell_name,
        TargetSource=TargetSource,
    ), status


def _original(text: str | None):
    """The own target a grid was rendered with: repr of the stored float, "" for none."""
    if text is None:
        return KEEP
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return KEEP


# --- apply to all children ------------------------------------------------------------------


@login_required
def apply_to_children_view(code: str, unit_code: str, indicator_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    _require_assign_rights()
    indicator = _indicator_or_404(campaign, indicator_code)
    form = ApplyToChildrenForm()
    children = queries.relevant_children(unit, indicator)
    effective = queries.effective_targets([indicator], [c.id for c in children], root_id=unit.id)
    if not children:
        form.form_errors.append(
            _(
                "No unit below %(unit)s takes indicator %(indicator)s.",
                unit=unit.name,
                indicator=indicator.code,
            )
        )
    elif form.validate_on_submit():
        try:
            value = parse_input(form.value.data, indicator)
        except ValueError:
            form.value.errors.append(_not_a_number(form.value.data))
        else:
            try:
                changes = apply_to_children(
                    campaign, unit, indicator, value, user=current_user, source=Source.WEB
                )
            except TargetError as error:
                form.value.errors.extend(_problem_messages(error.problems))
            else:
                flash(
                    _(
                        "%(indicator)s: %(value)s set on %(count)d units below %(unit)s.",
                        indicator=indicator.name,
                        value=show_value(value, indicator),
                        count=len(children),
                        unit=unit.name,
                    )
                    if changes
                    else _("Nothing has changed."),
                    "success" if changes else "info",
                )
                return redirect(url_for("targets.grid", code=campaign.code, unit_code=unit.code))
    status = 422 if form.errors or (request.method == "POST" and form.form_errors) else 200
    return render_template(
        "targets/apply.html",
        campaign=campaign,
        unit=unit,
        indicator=indicator,
        form=form,
        children=children,
        effective=effective,
        show_value=show_value,
    ), status


# --- baselines ------------------------------------------------------------------------------


@login_required
def baselines(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    indicators = list(campaign.indicators)
    chosen = request.args.get("indicator")
    indicator = next(
        (i for i in indicators if i.code == chosen), indicators[0] if indicators else None
    )
    if chosen and indicator is not None and indicator.code != chosen:
        abort(404)
    form = GridForm()
    rows: list[Unit] = []
    current: dict = {}
    editable: set[int] = set()
    errors: dict[int, str] = {}
    typed: dict[str, str] = {}
    if indicator is not None:
        candidates = [unit, *queries.child_units(unit.id)]
        kinds = queries.subtree_kinds([row.id for row in candidates])
        rule = queries.indicator_rule(indicator)
        rows = [row for row in candidates if queries.is_relevant(rule, kinds[row.id])]
        current = queries.baselines([indicator.id], [row.id for row in rows])
        if not campaign.is_closed:
            editable = queries.assignable_ids(current_user, [row.id for row in rows])
        if form.validate_on_submit():
            inputs, positions = [], []
            for row in rows:
                if row.id not in editable:
                    continue
                baseline = current.get((row.id, indicator.id))
                old = (
                    (_whole(baseline.numerator), _whole(baseline.denominator))
                    if baseline
                    else ("", "")
                )
                numerator = request.form.get(f"numerator-{row.id}", "").strip()
                denominator = request.form.get(f"denominator-{row.id}", "").strip()
                if not indicator.is_ratio:
                    denominator = ""
                if (numerator, denominator) == old:
                    continue
                typed[f"numerator-{row.id}"] = numerator
                typed[f"denominator-{row.id}"] = denominator
                try:
                    values = [
                        parse_decimal(text) if text else None for text in (numerator, denominator)
                    ]
                except ValueError:
                    errors[row.id] = _("Type whole numbers, such as 1.080 or 1080.")
                    continue
                positions.append(row.id)
                inputs.append(
                    TargetInput(
                        row.code,
                        indicator.code,
                        baseline_numerator=values[0],
                        baseline_denominator=values[1],
                        position=len(inputs),
                    )
                )
            if not errors:
                changes = _write_batch(
                    lambda: set_targets(campaign, inputs, user=current_user, source=Source.WEB),
                    positions,
                    form,
                    errors,
                )
                if changes is not None:
                    _flash_saved(
                        changes, _("%(count)d baseline figures saved.", count=len(changes))
                    )
                    return redirect(
                        url_for(
                            "targets.baselines",
                            code=campaign.code,
                            unit_code=unit.code,
                            indicator=indicator.code,
                        )
                    )
    status = 422 if errors or form.form_errors or form.errors else 200
    return render_template(
        "targets/baselines.html",
        campaign=campaign,
        unit=unit,
        indicator=indicator,
        indicators=indicators,
        rows=rows,
        current=current,
        editable=editable,
        errors=errors,
        typed=typed,
        form=form,
        whole=_whole,
        lineage=campaign_lineage(campaign, unit, current_user),
    ), status


def _whole(value: int | None) -> str:
    return "" if value is None else str(value)


# --- milestones -----------------------------------------------------------------------------


@login_required
def milestones(code: str, unit_code: str, indicator_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    indicator = _indicator_or_404(campaign, indicator_code)
    form = GridForm()
    existing = queries.milestones(indicator.id, unit.id)
    editable = not campaign.is_closed and _may_assign(unit)
    errors: dict[str, str] = {}
    if editable and form.validate_on_submit():
        entries, names = [], []
        for milestone in existing:
            name = f"value-{milestone.milestone_date.isoformat()}"
            submitted = request.form.get(name)
            if submitted is None or submitted.strip() == input_text(milestone.value, indicator):
                continue
            try:
                value = parse_input(submitted, indicator)
            except ValueError:
                errors[name] = _not_a_number(submitted)
                continue
            names.append(name)
            entries.append(MilestoneInput(milestone.milestone_date, value, len(entries)))
        for row in range(NEW_MILESTONE_ROWS):
            day_text = request.form.get(f"new-date-{row}", "").strip()
            value_text = request.form.get(f"new-value-{row}", "").strip()
            if not day_text and not value_text:
                continue
            name = f"new-{row}"
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                errors[name] = _("Choose a date.")
                continue
            try:
                value = parse_input(value_text, indicator)
            except ValueError:
                errors[name] = _not_a_number(value_text)
                continue
            if value is None:
                errors[name] = _("Type the value expected by this date.")
                continue
            names.append(name)
            entries.append(MilestoneInput(day, value, len(entries)))
        if not errors:
            changes = _write_batch(
                lambda: set_milestones(
                    campaign, unit, indicator, entries, user=current_user, source=Source.WEB
                ),
                names,
                form,
                errors,
            )
            if changes is not None:
                _flash_saved(changes, _("%(count)d milestones saved.", count=len(changes)))
                return redirect(
                    url_for(
                        "targets.milestones",
                        code=campaign.code,
                        unit_code=unit.code,
                        indicator_code=indicator.code,
                    )
                )
    elif request.method == "POST" and campaign.is_closed:
        form.form_errors.append(_("The campaign is closed; nothing in it can change."))
    elif request.method == "POST":
        abort(403)
    status = 422 if errors or form.form_errors or form.errors else 200
    effective = queries.effective_targets([indicator], [unit.id], root_id=unit.id).get(
        (unit.id, indicator.id)
    )
    baseline = queries.baselines([indicator.id], [unit.id]).get((unit.id, indicator.id))
    return render_template(
        "targets/milestones.html",
        campaign=campaign,
        unit=unit,
        indicator=indicator,
        existing=existing,
        editable=editable,
        errors=errors,
        form=form,
        effective=effective,
        baseline=baseline,
        new_rows=range(NEW_MILESTONE_ROWS),
        show_value=show_value,
        input_text=input_text,
        lineage=campaign_lineage(campaign, unit, current_user),
    ), status


# --- history --------------------------------------------------------------------------------


@login_required
def history(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    unit_ids = [unit.id] + [child.id for child in queries.child_units(unit.id)]
    page = db.paginate(
        queries.revisions(campaign, unit_ids), per_page=current_app.config["PER_PAGE"]
    )
    return render_template(
        "targets/history.html",
        campaign=campaign,
        unit=unit,
        page=page,
        revision_value=_revision_value,
        subject_label=_subject_label,
        source_label=_source_label,
        lineage=campaign_lineage(campaign, unit, current_user),
    )


def _revision_value(revision, value: float | None) -> str:
    if value is None:
        return _("none")
    if revision.subject in (Subject.TARGET, Subject.MILESTONE):
        return show_value(value, revision.indicator)
    return format_number(value, _locale())


def _subject_label(revision) -> str:
    labels = {
        Subject.TARGET: _("Target"),
        Subject.BASELINE_NUMERATOR: _("Baseline numerator"),
        Subject.BASELINE_DENOMINATOR: _("Baseline denominator"),
    }
    if revision.subject == Subject.MILESTONE:
        return _("Milestone %(date)s", date=revision.milestone_date.strftime("%d/%m/%Y"))
    return labels.get(revision.subject, revision.subject)


def _source_label(source: str) -> str:
    labels = {
        Source.WEB: _("web page"),
        Source.EXCEL: _("Excel file"),
        Source.API: _("API"),
        Source.TEMPLATE: _("template"),
        Source.DEMO: _("demo data"),
    }
    return labels.get(source, source)


# --- Excel ----------------------------------------------------------------------------------


@login_required
def export(code: str, unit_code: str):
    campaign = campaign_or_404(code)
    unit = campaign_unit_or_404(campaign, unit_code)
    content = excel.write_workbook(campaign, unit, excel.export_rows(campaign, unit))
    return send_file(
        io.BytesIO(content),
        mimetype=excel.XLSX_MIME,
        as_attachment=True,
        download_name=f"chi-tieu-{campaign.code}-{unit.code}.xlsx",
    )


def _preview(campaign: Campaign, path):
    """(changes, problems) of a stored upload; problems sorted by line."""
    try:
        inputs, problems = excel.read_targets(path, campaign)
    except UploadError as error:
        return [], [Problem(None, None, error.message)]
    changes = []
    try:
        changes = plan_targets(campaign, inputs, user=current_user)
    except TargetError as error:
        problems = problems + error.problems
    problems.sort(key=lambda problem: problem.position or 0)
    return changes, problems


def _render_preview(campaign, token, changes, problems, *, stale=False, status=200):
    form = ConfirmUploadForm(formdata=None, fingerprint=fingerprint(changes))
    return render_template(
        "targets/preview.html",
        campaign=campaign,
        token=token,
        changes=changes,
        problems=problems,
        stale=stale,
        form=form,
        show_change=_change_value,
        subject_label=_change_subject,
    ), status


def _change_value(change, value) -> str:
    if value is None:
        return _("none")
    if change.subject is Subject.TARGET:
        return show_value(value, change.indicator)
    return format_number(value, _locale())


def _change_subject(change) -> str:
    return {
        Subject.TARGET: _("Target"),
        Subject.BASELINE_NUMERATOR: _("Baseline numerator"),
        Subject.BASELINE_DENOMINATOR: _("Baseline denominator"),
    }.get(change.subject, str(change.subject))


@login_required
def upload(code: str):
    campaign = campaign_or_404(code)
    _require_assign_rights()
    form = UploadForm()
    if campaign.is_closed:
        if request.method == "POST":
            form.form_errors.append(_("The campaign is closed; nothing in it can change."))
    elif form.validate_on_submit():
        limit = current_app.config["SPREADSHEET_MAX_BYTES"]
        content = form.file.data.stream.read(limit + 1)
        try:
            check_upload(content, form.file.data.filename or "", limit)
        except UploadError as error:
            form.file.errors.append(error.message)
        else:
            folder = current_app.config["UPLOAD_FOLDER"]
            token = excel.PENDING.store(folder, campaign.id, current_user.id, content)
            path = excel.PENDING.path(folder, campaign.id, current_user.id, token)
            changes, problems = _preview(campaign, path)
            if problems:
                path.unlink(missing_ok=True)
                return _render_preview(campaign, None, changes, problems, status=422)
            return _render_preview(campaign, token, changes, problems)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "targets/upload.html",
        campaign=campaign,
        form=form,
        unit=queries.default_unit(campaign, current_user),
        max_bytes=current_app.config["SPREADSHEET_MAX_BYTES"],
    ), status


@login_required
def confirm_upload(code: str, token: str):
    campaign = campaign_or_404(code)
    _require_assign_rights()
    if not TOKEN_PATTERN.match(token):
        abort(404)
    folder = current_app.config["UPLOAD_FOLDER"]
    path = excel.PENDING.path(folder, campaign.id, current_user.id, token)
    if not path.is_file():
        smorest_abort(404, message=_("This upload is no longer available; upload the file again."))
    form = ConfirmUploadForm()
    if not form.validate_on_submit():
        abort(400)
    changes, problems = _preview(campaign, path)
    if problems:
        path.unlink(missing_ok=True)
        return _render_preview(campaign, None, changes, problems, status=422)
    if fingerprint(changes) != form.fingerprint.data:
        # The targets (or the campaign) changed since the preview: show what it means now.
        return _render_preview(campaign, token, changes, problems, stale=True, status=409)
    apply_changes(changes, user=current_user, source=Source.EXCEL)
    path.unlink(missing_ok=True)
    flash(_("%(count)d values from the workbook saved.", count=len(changes)), "success")
    return redirect(url_for("targets.index", code=campaign.code))


# --- the 92-day template --------------------------------------------------------------------


@login_required
def template(code: str):
    campaign = campaign_or_404(code)
    if not may_configure(current_user, campaign):
        abort(403)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            apply_preset(campaign, CAMPAIGN_92_DAYS, user=current_user)
        except TargetError as error:
            form.form_errors.extend(_problem_messages(error.problems))
        else:
            flash(
                _(
                    "%(count)d indicators and their targets on %(unit)s were created from the "
                    "template.",
                    count=len(CAMPAIGN_92_DAYS.indicators),
                    unit=campaign.owner_unit.name,
                ),
                "success",
            )
            return redirect(url_for("campaigns.show", code=campaign.code))
    return render_template(
        "targets/template.html",
        campaign=campaign,
        preset=CAMPAIGN_92_DAYS,
        form=form,
        usable=not campaign.indicators and not campaign.is_closed,
        percent=lambda value: format_percent(value, _locale()),
    ), (422 if form.form_errors else 200)
