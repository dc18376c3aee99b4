"""URLs of the task pages and evidence files, under /campaigns/<code>/tasks."""

from flask import Blueprint

from campaigns.tasks import controllers

bp = Blueprint("tasks", __name__, url_prefix="/campaigns")

ASSIGNMENT = "/<code>/tasks/<int:task_id>/units/<unit_code>"

bp.add_url_rule("/<code>/tasks", "list_tasks", controllers.list_tasks)
bp.add_url_rule("/<code>/tasks/new", "new_task", controllers.new_task, methods=("GET", "POST"))
bp.add_url_rule("/<code>/tasks/<int:task_id>", "show_task", controllers.show_task)
bp.add_url_rule(
    "/<code>/tasks/<int:task_id>/edit",
    "edit_task",
    controllers.edit_task,
    methods=("GET", "POST"),
)
bp.add_url_rule(ASSIGNMENT, "show_assignment", controllers.show_assignment)
bp.add_url_rule(
    ASSIGNMENT + "/updates", "add_update", controllers.add_update_view, methods=("POST",)
)
bp.add_url_rule(ASSIGNMENT + "/forward", "forward", controllers.forward_view, methods=("POST",))
bp.add_url_rule(
    ASSIGNMENT + "/remove",
    "remove_assignment",
    controllers.remove_assignment_view,
    methods=("GET", "POST"),
)
bp.add_url_rule("/<code>/tasks/evidence/<int:file_id>", "evidence_file", controllers.evidence_file)
