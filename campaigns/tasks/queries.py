"""Reads of tasks, assignments, updates and evidence, scoped to the reader where it matters.

A reader sees an assignment when they may READ its unit (app.scope); they see a task when they
see at least one of its assignments, or when they may configure the campaign. Completion counts
are computed in SQL, so a task handed to every commune of a country stays one query.
"""

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import aliased, selectinload

from app.db import db
from app.scope import Access, reachable_unit_ids
from app.units.models import Unit, UnitClosure
from app.users.models import User
from campaigns.models import Campaign
from campaigns.tasks.models import EvidenceFile, Task, TaskAssignment, TaskUpdate
from campaigns.tasks.rules import Completion, TaskStatus

OVERDUE = "overdue"  # a status filter of the task page, derived (rules.is_overdue)


def campaign_by_code(code: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.code == code))


def task_of(campaign: Campaign, task_id: int) -> Task | None:
    return db.session.scalar(
        select(Task).where(Task.id == task_id, Task.campaign_id == campaign.id)
    )


def assignment_of(task: Task, unit_code: str) -> TaskAssignment | None:
    return db.session.scalar(
        select(TaskAssignment)
        .join(Unit, TaskAssignment.unit_id == Unit.id)
        .where(TaskAssignment.task_id == task.id, Unit.code == unit_code)
    )


def evidence_in_campaign(campaign: Campaign, file_id: int) -> EvidenceFile | None:
    return db.session.scalar(
        select(EvidenceFile)
        .join(TaskUpdate, EvidenceFile.update_id == TaskUpdate.id)
        .join(TaskAssignment, TaskUpdate.assignment_id == TaskAssignment.id)
        .join(Task, TaskAssignment.task_id == Task.id)
        .where(EvidenceFile.id == file_id, Task.campaign_id == campaign.id)
    )


# Units -------------------------------------------------------------------------------------


def units_by_codes(codes: Sequence[str]) -> dict[str, Unit]:
    if not codes:
        return {}
    return {
        unit.code: unit for unit in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))
    }


def ids_in_subtree(root_id: int, unit_ids: Sequence[int]) -> set[int]:
    """Those of `unit_ids` that are the root or below it."""
    if not unit_ids:
        return set()
    return set(
        db.session.scalars(
            select(UnitClosure.descendant_id).where(
                UnitClosure.ancestor_id == root_id, UnitClosure.descendant_id.in_(unit_ids)
            )
        )
    )


def units_of_kind_below(root_id: int, kind: str) -> list[Unit]:
    """Every unit of one kind anywhere below the root (the root itself excluded)."""
    return list(
        db.session.scalars(
            select(Unit)
            .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
            .where(UnitClosure.ancestor_id == root_id, UnitClosure.depth > 0, Unit.kind == kind)
            .order_by(Unit.code)
        )
    )


def reachable_among(user: User | None, access: Access, unit_ids: Sequence[int]) -> set[int]:
    """Those of `unit_ids` that `may(user, access, unit)` allows, in one query."""
    if not unit_ids:
        return set()
    return set(
        db.session.scalars(
            select(Unit.id).where(
                Unit.id.in_(unit_ids), Unit.id.in_(reachable_unit_ids(user, access))
            )
        )
    )


def child_units(unit_id: int) -> list[Unit]:
    return list(
        db.session.scalars(select(Unit).where(Unit.parent_id == unit_id).order_by(Unit.code))
    )


def kinds_in_subtree(root_id: int) -> list[str]:
    """The unit kinds found in a subtree, nearest first."""
    statement = (
        select(Unit.kind)
        .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
        .where(UnitClosure.ancestor_id == root_id, UnitClosure.depth > 0)
        .group_by(Unit.kind)
        .order_by(func.min(UnitClosure.depth), Unit.kind)
    )
    return list(db.session.scalars(statement))


def units_with_children(root_id: int, limit: int = 500) -> list[Unit]:
    """The root and the units of its subtree that have units below them, nearest first: the
    units a task can go to "every unit of a kind below"."""
    has_children = select(Unit.parent_id).where(Unit.parent_id.is_not(None))
    return list(
        db.session.scalars(
            select(Unit)
            .join(UnitClosure, UnitClosure.descendant_id == Unit.id)
            .where(UnitClosure.ancestor_id == root_id, Unit.id.in_(has_children))
            .order_by(UnitClosure.depth, Unit.code)
            .limit(limit)
        )
    )


# Assignments -------------------------------------------------------------------------------


def assigned_unit_ids(task_id: int, unit_ids: Sequence[int]) -> set[int]:
    """Those of `unit_ids` that already have an assignment of the task."""
    if not unit_ids:
        return set()
    return set(
        db.session.scalars(
            select(TaskAssignment.unit_id).where(
                TaskAssignment.task_id == task_id, TaskAssignment.unit_id.in_(unit_ids)
            )
        )
    )


def assignment_subtree_ids(assignment_id: int) -> list[int]:
    """The assignment and every assignment forwarded from it, level by level (parents first)."""
    ids, level = [assignment_id], [assignment_id]
    while level:
        level = list(
            db.session.scalars(
                select(TaskAssignment.id)
                .where(TaskAssignment.parent_id.in_(level))
                .order_by(TaskAssignment.id)
            )
        )
        ids.extend(level)
    return ids


def assignments_by_ids(ids: Sequence[int]) -> list[TaskAssignment]:
    rows = {
        row.id: row
        for row in db.session.scalars(select(TaskAssignment).where(TaskAssignment.id.in_(ids)))
    }
    return [rows[assignment_id] for assignment_id in ids if assignment_id in rows]


def update_count(assignment_ids: Sequence[int]) -> int:
    return db.session.scalar(
        select(func.count()).where(TaskUpdate.assignment_id.in_(assignment_ids))
    )


def evidence_count(assignment_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(EvidenceFile)
        .join(TaskUpdate, EvidenceFile.update_id == TaskUpdate.id)
        .where(TaskUpdate.assignment_id == assignment_id)
    )


def updates_of(assignment: TaskAssignment) -> list[TaskUpdate]:
    """The assignment's reports, oldest first, with their authors and files."""
    return list(
        db.session.scalars(
            select(TaskUpdate)
            .where(TaskUpdate.assignment_id == assignment.id)
            .options(selectinload(TaskUpdate.files), selectinload(TaskUpdate.author))
            .order_by(TaskUpdate.created_at, TaskUpdate.id)
        )
    )


def forwarded_from(assignment: TaskAssignment) -> list[TaskAssignment]:
    """The assignments forwarded from this one, by unit code."""
    return list(
        db.session.scalars(
            select(TaskAssignment)
            .join(Unit, TaskAssignment.unit_id == Unit.id)
            .where(TaskAssignment.parent_id == assignment.id)
            .options(selectinload(TaskAssignment.unit))
            .order_by(Unit.code)
        )
    )


# Scoped lists and completion ---------------------------------------------------------------


def _visible(user: User | None, sees_all: bool) -> ColumnElement[bool]:
    if sees_all:
        return true()
    return TaskAssignment.unit_id.in_(reachable_unit_ids(user, Access.READ))


def _counts(today: date):
    done = func.coalesce(func.sum(case((TaskAssignment.status == TaskStatus.DONE, 1), else_=0)), 0)
    overdue = func.coalesce(
        func.sum(
            case(
                (and_(TaskAssignment.status != TaskStatus.DONE, Task.due_date < today), 1), else_=0
            )
        ),
        0,
    )
    return func.count(TaskAssignment.id), done, overdue


def visible_tasks(campaign: Campaign, user: User | None, sees_all: bool) -> Select[tuple[Task]]:
    """The campaign's tasks the reader sees, soonest due first."""
    statement = select(Task).where(Task.campaign_id == campaign.id)
    if not sees_all:
        statement = statement.where(
            select(TaskAssignment.id)
            .where(TaskAssignment.task_id == Task.id, _visible(user, sees_all))
            .exists()
        )
    return statement.order_by(Task.due_date, Task.id)


def has_visible_assignment(task: Task, user: User | None) -> bool:
    statement = select(TaskAssignment.id).where(
        TaskAssignment.task_id == task.id, _visible(user, sees_all=False)
    )
    return db.session.scalar(statement.limit(1)) is not None


def task_completions(
    task_ids: Sequence[int], user: User | None, sees_all: bool, today: date
) -> dict[int, Completion]:
    """Completion of each task across the assignments the reader sees."""
    if not task_ids:
        return {}
    total, done, overdue = _counts(today)
    statement = (
        select(TaskAssignment.task_id, total, done, overdue)
        .join(Task, TaskAssignment.task_id == Task.id)
        .where(TaskAssignment.task_id.in_(task_ids), _visible(user, sees_all))
        .group_by(TaskAssignment.task_id)
    )
    return {
        task_id: Completion(done=int(d), total=int(t), overdue=int(o))
        for task_id, t, d, o in db.session.execute(statement)
    }


def forwarded_completions(parent_ids: Sequence[int], today: date) -> dict[int, Completion]:
    """Completion across the assignments forwarded from each given assignment. Whoever reads
    an assignment reads the units below it, so no further scoping is needed."""
    if not parent_ids:
        return {}
    total, done, overdue = _counts(today)
    statement = (
        select(TaskAssignment.parent_id, total, done, overdue)
        .join(Task, TaskAssignment.task_id == Task.id)
        .where(TaskAssignment.parent_id.in_(parent_ids))
        .group_by(TaskAssignment.parent_id)
    )
    return {
        parent_id: Completion(done=int(d), total=int(t), overdue=int(o))
        for parent_id, t, d, o in db.session.execute(statement)
    }


def visible_assignments(
    task: Task, user: User | None, sees_all: bool, status: str = "", today: date | None = None
) -> Select[tuple[TaskAssignment]]:
    """The task's assignments the reader sees, optionally of one status (or overdue), as a flat
    list by unit code."""
    statement = (
        select(TaskAssignment)
        .join(Unit, TaskAssignment.unit_id == Unit.id)
        .where(TaskAssignment.task_id == task.id, _visible(user, sees_all))
        .options(selectinload(TaskAssignment.unit))
        .order_by(Unit.code)
    )
    if status == OVERDUE and today is not None:
        statement = statement.where(TaskAssignment.status != TaskStatus.DONE, task.due_date < today)
    elif status:
        statement = statement.where(TaskAssignment.status == status)
    return statement


def root_assignments(
    task: Task, user: User | None, sees_all: bool
) -> Select[tuple[TaskAssignment]]:
    """The tops of the assignment tree the reader sees: assignments given by the campaign, and
    those forwarded from an assignment the reader cannot see."""
    parent = aliased(TaskAssignment)
    is_root = TaskAssignment.parent_id.is_(None)
    if not sees_all:
        is_root = or_(is_root, parent.unit_id.not_in(reachable_unit_ids(user, Access.READ)))
    return (
        select(TaskAssignment)
        .join(Unit, TaskAssignment.unit_id == Unit.id)
        .outerjoin(parent, TaskAssignment.parent_id == parent.id)
        .where(TaskAssignment.task_id == task.id, _visible(user, sees_all), is_root)
        .options(selectinload(TaskAssignment.unit))
        .order_by(Unit.code)
    )


def forwarded_from_many(parent_ids: Sequence[int]) -> dict[int, list[TaskAssignment]]:
    """The assignments forwarded from each given assignment, by unit code."""
    if not parent_ids:
        return {}
    children: dict[int, list[TaskAssignment]] = {parent_id: [] for parent_id in parent_ids}
    statement = (
        select(TaskAssignment)
        .join(Unit, TaskAssignment.unit_id == Unit.id)
        .where(TaskAssignment.parent_id.in_(parent_ids))
        .options(selectinload(TaskAssignment.unit))
        .order_by(Unit.code)
    )
    for row in db.session.scalars(statement):
        children[row.parent_id].append(row)
    return children
