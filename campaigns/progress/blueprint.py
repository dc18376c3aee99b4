"""URLs of the progress pages, under /campaigns/<code>/progress."""

from flask import Blueprint

from campaigns.progress import controllers

bp = Blueprint("progress", __name__, url_prefix="/campaigns")

ANY = ("GET", "POST")
UNIT = "/<code>/progress/units/<unit_code>"

bp.add_url_rule("/<code>/progress", "index", controllers.index)
bp.add_url_rule(UNIT, "entry", controllers.entry, methods=ANY)
bp.add_url_rule(UNIT + "/history/<indicator_code>/<day>", "history", controllers.history)
bp.add_url_rule("/<code>/progress/grid/<unit_code>", "grid", controllers.grid, methods=ANY)
bp.add_url_rule("/<code>/progress/reports", "reports", controllers.reports)
