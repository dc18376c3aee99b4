"""URLs of the target pages."""

from flask import Blueprint

from targets import controllers

bp = Blueprint("targets", __name__, url_prefix="/campaigns")

ANY = ("GET", "POST")

bp.add_url_rule("/<code>/targets", "index", controllers.index)
bp.add_url_rule("/<code>/targets/template", "template", controllers.template, methods=ANY)
bp.add_url_rule("/<code>/targets/upload", "upload", controllers.upload, methods=ANY)
bp.add_url_rule(
    "/<code>/targets/upload/<token>",
    "confirm_upload",
    controllers.confirm_upload,
    methods=("POST",),
)
bp.add_url_rule("/<code>/targets/units/<unit_code>", "grid", controllers.grid, methods=ANY)
bp.add_url_rule(
    "/<code>/targets/units/<unit_code>/apply/<indicator_code>",
    "apply_to_children",
    controllers.apply_to_children_view,
    methods=ANY,
)
bp.add_url_rule(
    "/<code>/targets/units/<unit_code>/baselines",
    "baselines",
    controllers.baselines,
    methods=ANY,
)
bp.add_url_rule(
    "/<code>/targets/units/<unit_code>/milestones/<indicator_code>",
    "milestones",
    controllers.milestones,
    methods=ANY,
)
bp.add_url_rule("/<code>/targets/units/<unit_code>/history", "history", controllers.history)
bp.add_url_rule("/<code>/targets/units/<unit_code>/targets.xlsx", "export", controllers.export)
