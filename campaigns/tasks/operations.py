"""Every write to tasks, their assignments, updates and evidence. Operations flush; the
request's boundary commits.

Each operation checks all of its input before it adds anything to the session, and raises
`TaskError` with a message for the person asking; a multi-row write is all or nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from app.db import db, utcnow
from app.scope import Access
from app.units.kinds import kind_label
from app.units.models import Unit
from app.units.queries import is_in_subtree, unit_by_code
from app.users.models import User
from campaigns.models import Campaign
from campaigns.operations import CampaignError, check_open
from campaigns.tasks import evidence, queries
from campaigns.tasks.models import EvidenceFile, Task, TaskAssignment, TaskUpdate
from campaigns.tasks.rules import TaskStatus, parse_unit_codes

TITLE_MAX_LENGTH = 255
NOTE_MAX_LENGTH = 5000
MAX_FILES_PER_UPDATE = 10
MAX_NAMES_IN_MESSAGE = 10


class TaskError(CampaignError):
    """A task could not be created or changed; the message says why. A CampaignError, so the
    pages catch it together with `check_open`'s refusal of a closed campaign."""


class OwnerMode(StrEnum):
    UNITS = "units"  # one or more units, by code
    KIND = "kind"  # every unit of one kind below a unit (e.g. every commune of the province)


class ForwardMode(StrEnum):
    ALL = "all"  # every unit directly below
    KIND = "kind"  # every unit of one kind directly below
    CHOSEN = "chosen"  # the units named


@dataclass(frozen=True)
class OwnerChoice:
    """Which units a task goes to, as chosen on the task form."""

    mode: str = OwnerMode.UNITS
    codes: Sequence[str] = field(default_factory=tuple)
    kind: str = ""
    under_code: str = ""

    @classmethod
    def from_text(cls, mode: str, codes_text: str = "", kind: str = "", under_code: str = ""):
        return cls(mode, tuple(parse_unit_codes(codes_text)), kind.strip(), under_code.strip())

    @property
    def is_empty(self) -> bool:
        if self.mode == OwnerMode.KIND:
            return not self.kind and not self.under_code
        return not self.codes


@dataclass(frozen=True)
class Forwarded:
    created: list[TaskAssignment]
    skipped: list[Unit]  # already had the task (only when forwarding to every unit / a kind)


# Tasks -------------------------------------------------------------------------------------


def create_task(
    campaign: Campaign,
    *,
    title: str,
    description: str = "",
    due_date: date | None,
    owners: OwnerChoice,
    by: User | None,
) -> Task:
    """A task of the campaign, with one assignment for each owner unit."""
    check_open(campaign)
    title, description = _check_task_fields(title, description, due_date)
    units = resolve_owner_units(campaign, owners)
    task = Task(
        campaign=campaign,
        title=title,
        description=description,
        due_date=due_date,
        created_by_id=by.id if by else None,
    )
    task.assignments = [TaskAssignment(unit=unit, assigned_by_id=_id(by)) for unit in units]
    db.session.add(task)
    db.session.flush()
    return task


def update_task(
    task: Task,
    *,
    title: str,
    description: str = "",
    due_date: date | None,
    add_owners: OwnerChoice | None = None,
    by: User | None,
) -> list[TaskAssignment]:
    """Change the task's title, description and due date, and optionally hand it to more
    units; returns the new assignments."""
    check_open(task.campaign)
    title, description = _check_task_fields(title, description, due_date)
    new_units: list[Unit] = []
    if add_owners is not None and not add_owners.is_empty:
        units = resolve_owner_units(task.campaign, add_owners)
        assigned = queries.assigned_unit_ids(task.id, [unit.id for unit in units])
        if add_owners.mode == OwnerMode.UNITS and assigned:
            raise TaskError(
                _(
                    "Already assigned this task: %(units)s.",
                    units=_unit_list(unit for unit in units if unit.id in assigned),
                ),
                "unit_codes",
            )
        new_units = [unit for unit in units if unit.id not in assigned]
        if not new_units:
            raise TaskError(_("Every one of these units already has this task."), "kind")
    task.title = title
    task.description = description
    task.due_date = due_date
    created = [TaskAssignment(task=task, unit=unit, assigned_by_id=_id(by)) for unit in new_units]
    db.session.add_all(created)
    db.session.flush()
    return created


def resolve_owner_units(campaign: Campaign, owners: OwnerChoice) -> list[Unit]:
    """The units an owner choice names, all inside the campaign owner's subtree."""
    owner = campaign.owner_unit
    if owners.mode == OwnerMode.UNITS:
        if not owners.codes:
            raise TaskError(_("Give at least one unit code."), "unit_codes")
        units = queries.units_by_codes(owners.codes)
        unknown = [code for code in owners.codes if code not in units]
        if unknown:
            raise TaskError(
                _("No unit has the code %(codes)s.", codes=_code_list(unknown)), "unit_codes"
            )
        inside = queries.ids_in_subtree(owner.id, [unit.id for unit in units.values()])
        outside = [units[code] for code in owners.codes if units[code].id not in inside]
        if outside:
            raise TaskError(
                _(
                    "Not among the units of the campaign (%(owner)s and the units below it): "
                    "%(units)s.",
                    owner=owner.name,
                    units=_unit_list(outside),
                ),
                "unit_codes",
            )
        return [units[code] for code in owners.codes]
    if owners.mode == OwnerMode.KIND:
        if not owners.kind:
            raise TaskError(_("Choose the kind of unit."), "kind")
        if not owners.under_code:
            raise TaskError(_("Give the code of the unit they are below."), "under_code")
        under = unit_by_code(owners.under_code)
        if under is None:
            raise TaskError(
                _("No unit has the code %(codes)s.", codes=_code_list([owners.under_code])),
                "under_code",
            )
        if not is_in_subtree(under.id, owner.id):
            raise TaskError(
                _(
                    "Not among the units of the campaign (%(owner)s and the units below it): "
                    "%(units)s.",
                    owner=owner.name,
                    units=_unit_list([under]),
                ),
                "under_code",
            )
        units = queries.units_of_kind_below(under.id, owners.kind)
        if not units:
            raise TaskError(
                _(
                    "No unit of the kind “%(kind)s” lies below %(unit)s.",
                    kind=kind_label(owners.kind),
                    unit=under.name,
                ),
                "kind",
            )
        return units
    raise TaskError(_("Choose how the owner units are given."), "owner_mode")


# Reports -----------------------------------------------------------------------------------


def add_update(
    assignment: TaskAssignment,
    *,
    by: User | None,
    status: str,
    note: str = "",
    uploads: Sequence[evidence.Upload] = (),
    upload_folder: str,
    max_bytes: int,
    now: datetime | None = None,
) -> TaskUpdate:
    """Record a report on an assignment: a note, a new status and evidence files. `now` is
    when it was made (the demo's reports are dated in the campaign; pages leave it out).

    Everything is checked first; then the files are written under random names and the rows
    flushed. If the flush fails, the files just written are removed (and any later rollback of
    the transaction removes them too, see campaigns.tasks.evidence).
    """
    campaign = assignment.task.campaign
    check_open(campaign)
    if status not in set(TaskStatus):
        raise TaskError(
            _(
                "“%(value)s” is not one of %(choices)s.",
                value=status,
                choices=", ".join(TaskStatus),
            ),
            "status",
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise TaskError(_("At most %(max)d characters.", max=NOTE_MAX_LENGTH), "note")
    if len(uploads) > MAX_FILES_PER_UPDATE:
        raise TaskError(
            _("Send at most %(count)d files with one report.", count=MAX_FILES_PER_UPDATE),
            "files",
        )
    checked, problems = [], []
    for upload in uploads:
        try:
            checked.append(evidence.check_upload(upload, max_bytes))
        except evidence.EvidenceError as error:
            problems.append(error.message)
    if problems:
        raise TaskError(" ".join(problems), "files")
    before = assignment.status
    if status == before and not note and not checked:
        raise TaskError(
            _("Nothing to record: write a note, change the status or attach a file."), "note"
        )
    if (
        status == TaskStatus.DONE
        and before != TaskStatus.DONE
        and campaign.requires_task_evidence
        and not checked
        and queries.evidence_count(assignment.id) == 0
    ):
        raise TaskError(
            _(
                "This campaign asks for evidence before a task is marked done: attach a photo "
                "or a PDF document."
            ),
            "files",
        )

    now = now or utcnow()
    update = TaskUpdate(
        assignment=assignment,
        author_id=_id(by),
        note=note,
        status_before=before,
        status_after=status,
        created_at=now,
    )
    assignment.status = status
    if status == TaskStatus.DONE and before != TaskStatus.DONE:
        assignment.completed_at = now
    elif status != TaskStatus.DONE:
        assignment.completed_at = None
    db.session.add(update)

    written = []
    try:
        for upload in checked:
            stored_name = evidence.new_stored_name()
            written.append(evidence.write_file(db.session, upload_folder, stored_name, upload.data))
            update.files.append(
                EvidenceFile(
                    original_name=upload.name,
                    stored_name=stored_name,
                    content_type=upload.content_type,
                    size_bytes=upload.size,
                    sha256=upload.sha256,
                )
            )
        db.session.flush()
    except BaseException:
        evidence.remove_written(db.session, written)
        raise
    return update


# Forwarding --------------------------------------------------------------------------------


def forward_assignment(
    assignment: TaskAssignment,
    *,
    by: User,
    mode: str,
    kind: str = "",
    codes: Iterable[str] = (),
) -> Forwarded:
    """Hand an assignment on to units directly below its unit; each new assignment points
    back to it. A unit that already has the task is never given it twice."""
    check_open(assignment.task.campaign)
    codes = [code.strip() for code in codes if code.strip()]
    if codes and mode != ForwardMode.CHOSEN:
        raise TaskError(
            _("You ticked some units: choose “The units I choose”, or untick them."),
            "unit_codes",
        )
    unit = assignment.unit
    children = queries.child_units(unit.id)
    if not children:
        raise TaskError(_("No unit lies below %(unit)s.", unit=unit.name), "mode")
    if mode == ForwardMode.ALL:
        targets = children
    elif mode == ForwardMode.KIND:
        if not kind:
            raise TaskError(_("Choose the kind of unit."), "kind")
        targets = [child for child in children if child.kind == kind]
        if not targets:
            raise TaskError(
                _(
                    "No unit of the kind “%(kind)s” lies below %(unit)s.",
                    kind=kind_label(kind),
                    unit=unit.name,
                ),
                "kind",
            )
    elif mode == ForwardMode.CHOSEN:
        chosen = list(dict.fromkeys(codes))
        if not chosen:
            raise TaskError(_("Choose at least one unit."), "unit_codes")
        by_code = {child.code: child for child in children}
        strangers = [code for code in chosen if code not in by_code]
        if strangers:
            raise TaskError(
                _(
                    "Not directly below %(unit)s: %(codes)s.",
                    unit=unit.name,
                    codes=_code_list(strangers),
                ),
                "unit_codes",
            )
        targets = [by_code[code] for code in chosen]
    else:
        raise TaskError(_("Choose the units to forward the task to."), "mode")

    allowed = queries.reachable_among(by, Access.ASSIGN, [target.id for target in targets])
    refused = [target for target in targets if target.id not in allowed]
    if refused:
        raise TaskError(
            _("You may not hand tasks to %(units)s.", units=_unit_list(refused)), "unit_codes"
        )
    assigned = queries.assigned_unit_ids(assignment.task_id, [target.id for target in targets])
    skipped = [target for target in targets if target.id in assigned]
    if skipped and mode == ForwardMode.CHOSEN:
        raise TaskError(
            _("Already assigned this task: %(units)s.", units=_unit_list(skipped)), "unit_codes"
        )
    new_units = [target for target in targets if target.id not in assigned]
    if not new_units:
        raise TaskError(_("Every one of these units already has this task."), "mode")

    created = [
        TaskAssignment(
            task_id=assignment.task_id,
            unit_id=target.id,
            parent_id=assignment.id,
            assigned_by_id=_id(by),
        )
        for target in new_units
    ]
    try:
        # Two people forwarding at once: the unique (task, unit) constraint decides, and the
        # savepoint keeps the rest of the request usable.
        with db.session.begin_nested():
            db.session.add_all(created)
    except IntegrityError:
        raise TaskError(
            _("Some of these units were given this task a moment ago; reload the page."), "mode"
        ) from None
    db.session.expire(assignment.task, ["assignments"])
    return Forwarded(created=created, skipped=skipped)


def remove_assignment(assignment: TaskAssignment) -> None:
    """Take a task back from a unit, with everything forwarded from it, as long as nobody has
    reported on any of them. Reports are never deleted."""
    check_open(assignment.task.campaign)
    ids = queries.assignment_subtree_ids(assignment.id)
    if queries.update_count(ids):
        raise TaskError(
            _(
                "%(unit)s (or a unit it forwarded the task to) has already reported on it; "
                "the assignment stays.",
                unit=assignment.unit.name,
            )
        )
    task = assignment.task
    for row in reversed(queries.assignments_by_ids(ids)):  # deepest first
        db.session.delete(row)
    db.session.flush()
    db.session.expire(task, ["assignments"])


@event.listens_for(TaskUpdate, "before_update")
def _reports_are_never_edited(mapper, connection, update: TaskUpdate) -> None:
    """A report is a record of what a unit said and when: it is added, never changed."""
    session = object_session(update)
    if session is not None and session.is_modified(update, include_collections=False):
        raise ValueError(f"task update {update.id} is a record and is never edited")


# Helpers -----------------------------------------------------------------------------------


def _check_task_fields(title: str, description: str, due_date: date | None) -> tuple[str, str]:
    title = (title or "").strip()
    if not title:
        raise TaskError(_("The title is empty."), "title")
    if len(title) > TITLE_MAX_LENGTH:
        raise TaskError(_("At most %(max)d characters.", max=TITLE_MAX_LENGTH), "title")
    if due_date is None:
        raise TaskError(_("Give the due date."), "due_date")
    return title, (description or "").strip()


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


def _code_list(codes: Sequence[str]) -> str:
    shown = ", ".join(f"“{code}”" for code in codes[:MAX_NAMES_IN_MESSAGE])
    if len(codes) > MAX_NAMES_IN_MESSAGE:
        shown += " " + _("and %(count)d more", count=len(codes) - MAX_NAMES_IN_MESSAGE)
    return shown


def _unit_list(units: Iterable[Unit]) -> str:
    units = list(units)
    shown = ", ".join(f"{unit.name} ({unit.code})" for unit in units[:MAX_NAMES_IN_MESSAGE])
    if len(units) > MAX_NAMES_IN_MESSAGE:
        shown += " " + _("and %(count)d more", count=len(units) - MAX_NAMES_IN_MESSAGE)
    return shown
