"""Route access of the tasks pages (see tests/access.py for the vocabulary).

The records (campaign codes TASKS1 and TASKS2, distinct from the other tables'):

TASKS1, owned by P1, active
├── task A: C11 (a report with a PNG, by reporter), D2 (a report with a PDF, by admin)
├── task B: D1 → forwarded by manager to C12 (a report with a PNG, by reporter2); D2
└── task C: C21
TASKS2, owned by P2, active
└── task X: D3 (a report with a PNG, by admin2)

Nobody of the P1 roles sees TASKS2; the manager (D1) and the reporter (C11) do not see task C
nor D2's assignments; reporters and viewers never forward; viewers never report.
"""

from datetime import date

from app.db import db
from app.users.models import User
from campaigns.models import CampaignStatus
from campaigns.tasks.models import TaskAssignment
from campaigns.tasks.operations import forward_assignment
from tests.access import ROLES, SIGN_IN_FIRST, Context, Route, scoped
from tests.factories import World, make_campaign, make_report, make_task, pdf_bytes, png_bytes

DUE = date(2022, 6, 30)


def _assignment(task, unit_code: str) -> TaskAssignment:
    return next(row for row in task.assignments if row.unit.code == unit_code)


def build(world: World) -> dict:
    users = {name: db.session.get(User, user_id) for name, user_id in world.users.items()}
    tasks1 = make_campaign("TASKS1", "P1", status=CampaignStatus.ACTIVE)
    tasks2 = make_campaign("TASKS2", "P2", status=CampaignStatus.ACTIVE)
    task_a = make_task(tasks1, "Hội nghị tuyên truyền", ("C11", "D2"), due=DUE)
    task_b = make_task(tasks1, "Tổ công nghệ số cộng đồng", ("D1", "D2"), due=DUE)
    task_c = make_task(tasks1, "Tập huấn một cửa", ("C21",), due=DUE)
    task_x = make_task(tasks2, "Nhiệm vụ tỉnh Hai", ("D3",), due=DUE)
    forwarded = forward_assignment(_assignment(task_b, "D1"), by=users["manager"], mode="all")
    c12 = next(row for row in forwarded.created if row.unit_id == world.units["C12"])
    files = {
        "C11": make_report(
            _assignment(task_a, "C11"), by=users["reporter"], files=[("anh.png", png_bytes())]
        ),
        "D2": make_report(
            _assignment(task_a, "D2"), by=users["admin"], files=[("bien-ban.pdf", pdf_bytes())]
        ),
        "C12": make_report(c12, by=users["reporter2"], files=[("anh.png", png_bytes())]),
        "D3": make_report(
            _assignment(task_x, "D3"), by=users["admin2"], files=[("anh.png", png_bytes())]
        ),
    }
    return {
        "tasks": {"A": task_a.id, "B": task_b.id, "C": task_c.id, "X": task_x.id},
        "files": {unit: update.files[0].id for unit, update in files.items()},
    }


def _campaign_of(task_key: str) -> str:
    return "TASKS2" if task_key == "X" else "TASKS1"


def campaign_path(suffix: str, inside: dict[str, str], outside: dict[str, str]):
    """/campaigns/<code>/tasks…, the campaign picked per role and scope: TASKS1 or TASKS2."""

    def path(role: str, scope: str, context: Context) -> str:
        code = (inside if scope == "in" else outside)[role]
        return f"/campaigns/{code}/tasks{suffix}"

    return path


def task_path(suffix: str, inside: dict[str, str], outside: dict[str, str]):
    """A task's page (+ suffix); the task (A, B, C or X) picked per role and scope."""

    def path(role: str, scope: str, context: Context) -> str:
        key = (inside if scope == "in" else outside)[role]
        task_id = context.data["tasks"][key]
        return f"/campaigns/{_campaign_of(key)}/tasks/{task_id}{suffix}"

    return path


def assignment_path(suffix: str, inside: dict[str, str], outside: dict[str, str]):
    """An assignment's page (+ suffix), given as "TASK/UNIT" per role and scope."""

    def path(role: str, scope: str, context: Context) -> str:
        key, unit = (inside if scope == "in" else outside)[role].split("/")
        task_id = context.data["tasks"][key]
        return f"/campaigns/{_campaign_of(key)}/tasks/{task_id}/units/{unit}{suffix}"

    return path


def evidence_path(inside: dict[str, str], outside: dict[str, str]):
    """An evidence file, named by the unit whose assignment holds it."""

    def path(role: str, scope: str, context: Context) -> str:
        unit = (inside if scope == "in" else outside)[role]
        code = "TASKS2" if unit == "D3" else "TASKS1"
        return f"/campaigns/{code}/tasks/evidence/{context.data['files'][unit]}"

    return path


ALL_TASKS1 = dict.fromkeys(ROLES, "TASKS1")
ALL_TASKS2 = dict.fromkeys(ROLES, "TASKS2")
# Task A is seen by every P1 role; task C (C21 only) is not seen by the manager (D1) nor the
# reporter (C11); the admin and the viewer (P1) read all of P1, so their "out" is TASKS2.
TASK_IN = dict.fromkeys(ROLES, "A")
TASK_OUT = {"admin": "X", "manager": "C", "reporter": "C", "viewer": "X"}
ASSIGNMENT_IN = dict.fromkeys(ROLES, "A/C11")
ASSIGNMENT_OUT = {"admin": "X/D3", "manager": "A/D2", "reporter": "A/D2", "viewer": "X/D3"}
# Forwarding: the admin forwards D2's assignment (to C21), the manager its own D1 assignment.
FORWARD_IN = {"admin": "A/D2", "manager": "B/D1", "reporter": "A/C11", "viewer": "A/C11"}
FORWARD_OUT = {"admin": "X/D3", "manager": "A/D2", "reporter": "A/D2", "viewer": "A/D2"}
# Taking back: the admin configures TASKS1; the manager takes back what it forwarded (C12).
REMOVE_IN = {"admin": "B/D2", "manager": "B/C12", "reporter": "A/C11", "viewer": "A/C11"}
REMOVE_OUT = {"admin": "X/D3", "manager": "A/D2", "reporter": "A/D2", "viewer": "A/D2"}
FILE_IN = dict.fromkeys(ROLES, "C11")
FILE_OUT = {"admin": "D3", "manager": "D2", "reporter": "C12", "viewer": "D3"}

READ_SCOPED = scoped(*ROLES)
# An empty report or forward is refused with 422 (nothing to record / nothing chosen).
REPORTERS = scoped("admin", "manager", "reporter", inside=422)
FORWARDERS = scoped("admin", "manager", inside=422)

ROUTES = {
    "tasks.list_tasks": Route(
        "GET", campaign_path("", ALL_TASKS1, ALL_TASKS2), READ_SCOPED, SIGN_IN_FIRST
    ),
    "tasks.new_task": Route(
        "GET", campaign_path("/new", ALL_TASKS1, ALL_TASKS2), scoped("admin"), SIGN_IN_FIRST
    ),
    "tasks.show_task": Route("GET", task_path("", TASK_IN, TASK_OUT), READ_SCOPED, SIGN_IN_FIRST),
    "tasks.edit_task": Route(
        "GET", task_path("/edit", TASK_IN, TASK_OUT), scoped("admin"), SIGN_IN_FIRST
    ),
    "tasks.show_assignment": Route(
        "GET", assignment_path("", ASSIGNMENT_IN, ASSIGNMENT_OUT), READ_SCOPED, SIGN_IN_FIRST
    ),
    "tasks.add_update": Route(
        "POST", assignment_path("/updates", ASSIGNMENT_IN, ASSIGNMENT_OUT), REPORTERS, SIGN_IN_FIRST
    ),
    "tasks.forward": Route(
        "POST", assignment_path("/forward", FORWARD_IN, FORWARD_OUT), FORWARDERS, SIGN_IN_FIRST
    ),
    "tasks.remove_assignment": Route(
        "GET",
        assignment_path("/remove", REMOVE_IN, REMOVE_OUT),
        scoped("admin", "manager"),
        SIGN_IN_FIRST,
    ),
    "tasks.evidence_file": Route(
        "GET", evidence_path(FILE_IN, FILE_OUT), READ_SCOPED, SIGN_IN_FIRST
    ),
}
