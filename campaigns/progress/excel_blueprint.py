"""URLs of the Excel import of daily figures."""

from flask import Blueprint

from campaigns.progress import excel_controllers as controllers

bp = Blueprint("progress_import", __name__, url_prefix="/campaigns")

bp.add_url_rule("/<code>/progress/import", "index", controllers.index, methods=("GET", "POST"))
bp.add_url_rule("/<code>/progress/import/template.xlsx", "template", controllers.template)
bp.add_url_rule("/<code>/progress/import/<token>", "preview", controllers.preview)
bp.add_url_rule(
    "/<code>/progress/import/<token>", "confirm", controllers.confirm, methods=("POST",)
)
