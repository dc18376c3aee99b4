"""Who may see, report on, forward and take back task assignments.

Built on the unit rule of app.scope and the campaign rule of campaigns.access:
- a task is seen by those who may configure the campaign, and by those who may READ the unit of
  at least one of its assignments;
- an assignment is seen by those who may READ its unit; evidence files likewise;
- a report (note, status, evidence) is written by those who may WRITE the unit: the unit's own
  reporters, and managers and admins above it;
- an assignment is forwarded to the units directly below its unit by those who may WRITE the
  unit and ASSIGN to the units below it (managers and admins; never reporters or viewers);
- an assignment is taken back by those who may configure the campaign, or, for a forwarded
  one, by those who may forward its parent.
"""

from app.scope import Access, Reach, may, reach
from app.users.models import User
from campaigns.access import may_configure, may_see
from campaigns.models import Campaign
from campaigns.tasks import queries
from campaigns.tasks.models import Task, TaskAssignment


def sees_all_tasks(user: User | None, campaign: Campaign) -> bool:
    return may_configure(user, campaign)


def may_see_task(user: User | None, task: Task) -> bool:
    if not may_see(user, task.campaign):
        return False
    if sees_all_tasks(user, task.campaign):
        return True
    return queries.has_visible_assignment(task, user)


def may_see_assignment(user: User | None, assignment: TaskAssignment) -> bool:
    return may_see(user, assignment.task.campaign) and may(user, Access.READ, assignment.unit)


def may_report(user: User | None, assignment: TaskAssignment) -> bool:
    return may_see_assignment(user, assignment) and may(user, Access.WRITE, assignment.unit)


def may_forward(user: User | None, assignment: TaskAssignment) -> bool:
    """Whoever may write a unit and assign below it: a manager's ASSIGN reach (units below its
    own) and an admin's (its subtree) both hold every child of a unit they may write."""
    return may_report(user, assignment) and reach(user, Access.ASSIGN) in (
        Reach.BELOW,
        Reach.SUBTREE,
    )


def may_remove(user: User | None, assignment: TaskAssignment) -> bool:
    if may_configure(user, assignment.task.campaign):
        return True
    parent = assignment.parent
    return (
        parent is not None
        and may_forward(user, parent)
        and may(user, Access.ASSIGN, assignment.unit)
    )
