"""Task pages: the campaign's tasks, a task, an assignment with its reports and evidence, and
the forms to create, change, report on, forward and take back assignments.

Every view answers 404 for what does not exist and 403 for what lies outside the reader's
scope (campaigns.tasks.access), before it reads or changes anything else.
"""

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from app.clock import local_today
from app.db import db
from app.scope import Access, may
from app.units.kinds import kind_label
from campaigns.access import may_configure, may_see
from campaigns.hooks import CampaignLink
from campaigns.lookups import campaign_or_404
from campaigns.models import Campaign
from campaigns.operations import CampaignError
from campaigns.tasks import access, evidence, queries
from campaigns.tasks.forms import (
    STATUS_LABELS,
    ConfirmForm,
    ForwardForm,
    TaskForm,
    UpdateForm,
)
from campaigns.tasks.models import Task, TaskAssignment
from campaigns.tasks.operations import (
    OwnerChoice,
    add_update,
    create_task,
    forward_assignment,
    remove_assignment,
    update_task,
)
from campaigns.tasks.rules import Completion, download_name, is_overdue

STATUS_FILTERS = (*STATUS_LABELS, queries.OVERDUE)


def _form_status(form) -> int:
    """Refused input is answered 422, so the boundary rolls back and clients can tell."""
    return 422 if form.errors else 200


def _attach(form, error: CampaignError) -> None:
    """Show an operation's refusal next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


def campaign_page_url(campaign: Campaign) -> str | None:
    """The campaign's own page (campaigns.show), if the campaign pages are registered."""
    try:
        return url_for("campaigns.show", code=campaign.code)
    except BuildError:
        return None


def task_links(campaign: Campaign, user) -> list[CampaignLink]:
    """The link the campaign page shows to its tasks (registered in campaigns.tasks)."""
    if not may_see(user, campaign):
        return []
    return [CampaignLink(_("Tasks"), url_for("tasks.list_tasks", code=campaign.code))]


# Lookups: 404 for the unknown, 403 for the out of scope ------------------------------------


def _task_or_404(campaign: Campaign, task_id: int) -> Task:
    task = queries.task_of(campaign, task_id)
    if task is None:
        abort(404)
    if not access.may_see_task(current_user, task):
        abort(403)
    return task


def _assignment_or_404(code: str, task_id: int, unit_code: str):
    campaign = campaign_or_404(code)
    task = queries.task_of(campaign, task_id)
    if task is None:
        abort(404)
    assignment = queries.assignment_of(task, unit_code)
    if assignment is None:
        abort(404)
    if not access.may_see_assignment(current_user, assignment):
        abort(403)
    return campaign, task, assignment


def _configurable(campaign: Campaign) -> None:
    if not may_configure(current_user, campaign):
        abort(403)


def _closed_redirect(campaign: Campaign, target: str):
    flash(_("The campaign is closed; nothing in it can change."), "warning")
    return redirect(target)


# The campaign's tasks ----------------------------------------------------------------------


@login_required
def list_tasks(code: str):
    campaign = campaign_or_404(code)
    sees_all = access.sees_all_tasks(current_user, campaign)
    today = local_today()
    page = db.paginate(
        queries.visible_tasks(campaign, current_user, sees_all),
        per_page=current_app.config["PER_PAGE"],
    )
    completions = queries.task_completions(
        [task.id for task in page.items], current_user, sees_all, today
    )
    return render_template(
        "tasks/list.html",
        campaign=campaign,
        campaign_url=campaign_page_url(campaign),
        page=page,
        completions=completions,
        empty=Completion(),
        may_create=sees_all and not campaign.is_closed,
        today=today,
    )


def _task_form(campaign: Campaign, form: TaskForm) -> TaskForm:
    owner = campaign.owner_unit
    form.kind.choices = [SelectChoice("", "—")] + [
        SelectChoice(kind, kind_label(kind)) for kind in queries.kinds_in_subtree(owner.id)
    ]
    return form


def _render_task_form(campaign: Campaign, form: TaskForm, task: Task | None):
    return render_template(
        "tasks/form.html",
        campaign=campaign,
        campaign_url=campaign_page_url(campaign),
        form=form,
        task=task,
        under_options=queries.units_with_children(campaign.owner_unit_id),
    ), _form_status(form)


def _owner_choice(form: TaskForm) -> OwnerChoice:
    return OwnerChoice.from_text(
        form.owner_mode.data or "",
        form.unit_codes.data or "",
        form.kind.data or "",
        form.under_code.data or "",
    )


@login_required
def new_task(code: str):
    campaign = campaign_or_404(code)
    _configurable(campaign)
    if campaign.is_closed:
        return _closed_redirect(campaign, url_for("tasks.list_tasks", code=campaign.code))
    form = _task_form(campaign, TaskForm())
    if form.validate_on_submit():
        try:
            task = create_task(
                campaign,
                title=form.title.data,
                description=form.description.data or "",
                due_date=form.due_date.parsed,
                owners=_owner_choice(form),
                by=current_user,
            )
        except CampaignError as error:
            _attach(form, error)
        else:
            flash(
                _(
                    "The task has been created and given to %(count)d units.",
                    count=len(task.assignments),
                ),
                "success",
            )
            return redirect(url_for("tasks.show_task", code=campaign.code, task_id=task.id))
    return _render_task_form(campaign, form, None)


@login_required
def edit_task(code: str, task_id: int):
    campaign = campaign_or_404(code)
    _configurable(campaign)
    task = _task_or_404(campaign, task_id)
    if campaign.is_closed:
        return _closed_redirect(
            campaign, url_for("tasks.show_task", code=campaign.code, task_id=task.id)
        )
    form = _task_form(campaign, TaskForm(obj=task if request.method == "GET" else None))
    if request.method == "GET":
        form.due_date.data = task.due_date.isoformat()
    if form.validate_on_submit():
        try:
            created = update_task(
                task,
                title=form.title.data,
                description=form.description.data or "",
                due_date=form.due_date.parsed,
                add_owners=_owner_choice(form),
                by=current_user,
            )
        except CampaignError as error:
            _attach(form, error)
        else:
            if created:
                flash(
                    _(
                        "The task has been saved and given to %(count)d more units.",
                        count=len(created),
                    ),
                    "success",
                )
            else:
                flash(_("The task has been saved."), "success")
            return redirect(url_for("tasks.show_task", code=campaign.code, task_id=task.id))
    return _render_task_form(campaign, form, task)


# A task and its assignments ----------------------------------------------------------------


@login_required
def show_task(code: str, task_id: int):
    campaign = campaign_or_404(code)
    task = _task_or_404(campaign, task_id)
    sees_all = access.sees_all_tasks(current_user, campaign)
    today = local_today()
    status = request.args.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    per_page = current_app.config["PER_PAGE"]
    if status:
        page = db.paginate(
            queries.visible_assignments(task, current_user, sees_all, status, today),
            per_page=per_page,
        )
        children = {}
    else:
        page = db.paginate(
            queries.root_assignments(task, current_user, sees_all), per_page=per_page
        )
        children = queries.forwarded_from_many([row.id for row in page.items])
    shown_ids = [row.id for row in page.items] + [
        child.id for rows in children.values() for child in rows
    ]
    summary = queries.task_completions([task.id], current_user, sees_all, today)
    return render_template(
        "tasks/show.html",
        campaign=campaign,
        campaign_url=campaign_page_url(campaign),
        task=task,
        page=page,
        children=children,
        forwarded=queries.forwarded_completions(shown_ids, today),
        summary=summary.get(task.id, Completion()),
        status=status,
        status_labels=STATUS_LABELS,
        may_edit=sees_all and not campaign.is_closed,
        today=today,
    )


# An assignment: reports, evidence, forwarding ----------------------------------------------


def _update_form(assignment: TaskAssignment, form: UpdateForm | None = None) -> UpdateForm:
    if form is None:
        form = UpdateForm(status=assignment.status, formdata=None)
    return form


def _forward_form(assignment: TaskAssignment, form: ForwardForm | None = None) -> ForwardForm:
    form = form or ForwardForm(formdata=None)
    children = queries.child_units(assignment.unit_id)
    allowed = queries.reachable_among(current_user, Access.ASSIGN, [child.id for child in children])
    children = [child for child in children if child.id in allowed]
    assigned = queries.assigned_unit_ids(assignment.task_id, [child.id for child in children])
    form.unit_codes.choices = [
        SelectChoice(child.code, f"{child.name} ({child.code})")
        for child in children
        if child.id not in assigned
    ]
    kinds = sorted({child.kind for child in children})
    form.kind.choices = [SelectChoice("", "—")] + [
        SelectChoice(kind, kind_label(kind)) for kind in kinds
    ]
    form.children_count = len(children)
    form.assigned_count = len(assigned)
    return form


def _render_assignment(
    campaign: Campaign,
    task: Task,
    assignment: TaskAssignment,
    *,
    update_form: UpdateForm | None = None,
    forward_form: ForwardForm | None = None,
    status: int = 200,
):
    today = local_today()
    may_report = access.may_report(current_user, assignment) and not campaign.is_closed
    may_forward = access.may_forward(current_user, assignment) and not campaign.is_closed
    parent = assignment.parent
    forwarded = queries.forwarded_from(assignment)
    return render_template(
        "tasks/assignment.html",
        campaign=campaign,
        campaign_url=campaign_page_url(campaign),
        task=task,
        assignment=assignment,
        overdue=is_overdue(assignment.status, task.due_date, today),
        parent=parent if parent and may(current_user, Access.READ, parent.unit) else None,
        updates=queries.updates_of(assignment),
        forwarded=forwarded,
        forwarded_completion=queries.forwarded_completions([assignment.id], today).get(
            assignment.id, Completion()
        ),
        grandchildren=queries.forwarded_completions([row.id for row in forwarded], today),
        status_labels=STATUS_LABELS,
        update_form=_update_form(assignment, update_form) if may_report else None,
        forward_form=_forward_form(assignment, forward_form) if may_forward else None,
        may_remove=access.may_remove(current_user, assignment) and not campaign.is_closed,
        max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
        format_size=evidence.format_size,
        today=today,
    ), status


@login_required
def show_assignment(code: str, task_id: int, unit_code: str):
    campaign, task, assignment = _assignment_or_404(code, task_id, unit_code)
    return _render_assignment(campaign, task, assignment)


def _uploads(form: UpdateForm) -> list[evidence.Upload]:
    max_bytes = current_app.config["EVIDENCE_MAX_BYTES"]
    return [
        evidence.read_upload(storage.stream, storage.filename, max_bytes)
        for storage in form.files.data or []
        if storage and storage.filename
    ]


@login_required
def add_update_view(code: str, task_id: int, unit_code: str):
    campaign, task, assignment = _assignment_or_404(code, task_id, unit_code)
    if not access.may_report(current_user, assignment):
        abort(403)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            update = add_update(
                assignment,
                by=current_user,
                status=form.status.data or assignment.status,
                note=form.note.data or "",
                uploads=_uploads(form),
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                max_bytes=current_app.config["EVIDENCE_MAX_BYTES"],
            )
        except CampaignError as error:
            _attach(form, error)
        else:
            if update.files:
                flash(
                    _("Your report has been saved with %(count)d files.", count=len(update.files)),
                    "success",
                )
            else:
                flash(_("Your report has been saved."), "success")
            return redirect(
                url_for(
                    "tasks.show_assignment",
                    code=campaign.code,
                    task_id=task.id,
                    unit_code=assignment.unit.code,
                    _anchor="updates",
                )
            )
    return _render_assignment(campaign, task, assignment, update_form=form, status=422)


@login_required
def forward_view(code: str, task_id: int, unit_code: str):
    campaign, task, assignment = _assignment_or_404(code, task_id, unit_code)
    if not access.may_forward(current_user, assignment):
        abort(403)
    form = _forward_form(assignment, ForwardForm())
    if form.validate_on_submit():
        try:
            result = forward_assignment(
                assignment,
                by=current_user,
                mode=form.mode.data or "",
                kind=form.kind.data or "",
                codes=form.unit_codes.data or [],
            )
        except CampaignError as error:
            _attach(form, error)
        else:
            message = _(
                "The task has been forwarded to %(count)d units.", count=len(result.created)
            )
            if result.skipped:
                message += " " + _("%(count)d units already had it.", count=len(result.skipped))
            flash(message, "success")
            return redirect(
                url_for(
                    "tasks.show_assignment",
                    code=campaign.code,
                    task_id=task.id,
                    unit_code=assignment.unit.code,
                    _anchor="forwarded",
                )
            )
    return _render_assignment(
        campaign, task, assignment, forward_form=_forward_form(assignment, form), status=422
    )


@login_required
def remove_assignment_view(code: str, task_id: int, unit_code: str):
    campaign, task, assignment = _assignment_or_404(code, task_id, unit_code)
    if not access.may_remove(current_user, assignment):
        abort(403)
    back = url_for("tasks.show_task", code=campaign.code, task_id=task.id)
    if campaign.is_closed:
        return _closed_redirect(campaign, back)
    ids = queries.assignment_subtree_ids(assignment.id)
    reported = queries.update_count(ids) > 0
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            remove_assignment(assignment)
        except CampaignError as error:
            form.form_errors.append(error.message)
            status = 422
        else:
            flash(_("%(unit)s no longer has this task.", unit=assignment.unit.name), "success")
            return redirect(back)
    return render_template(
        "tasks/remove.html",
        campaign=campaign,
        campaign_url=campaign_page_url(campaign),
        task=task,
        assignment=assignment,
        forwarded_count=len(ids) - 1,
        reported=reported,
        form=form,
        back=back,
    ), status


# Evidence files ----------------------------------------------------------------------------


@login_required
def evidence_file(code: str, file_id: int):
    """An evidence file, for those who may read its assignment's unit.

    Images are shown inline; PDFs are always downloaded (Content-Disposition: attachment),
    because a PDF is active content (scripts, forms, links) opened by whatever viewer the
    browser has, and a download keeps it out of this site's pages. Every answer carries
    nosniff and a sandboxing Content-Security-Policy, so a file is never run as a page.
    """
    campaign = campaign_or_404(code)
    stored = queries.evidence_in_campaign(campaign, file_id)
    if stored is None:
        abort(404)
    if not may(current_user, Access.READ, stored.update.assignment.unit):
        abort(403)
    path = evidence.stored_path(current_app.config["UPLOAD_FOLDER"], stored.stored_name)
    if not path.is_file():
        abort(404)
    inline = stored.content_type.startswith("image/")
    response = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=not inline,
        download_name=download_name(stored.original_name, stored.content_type),
        conditional=True,
        etag=stored.sha256,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.cache_control.private = True
    return response
