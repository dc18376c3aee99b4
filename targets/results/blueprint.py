"""URLs of the results pages, under /campaigns/<code>/results."""

from flask import Blueprint

from targets.results import controllers

bp = Blueprint("results", __name__, url_prefix="/campaigns")

bp.add_url_rule("/<code>/results", "index", controllers.index)
bp.add_url_rule("/<code>/results/units/<unit_code>", "unit", controllers.unit_page)
bp.add_url_rule("/<code>/results/units/<unit_code>.xlsx", "unit_export", controllers.unit_export)
bp.add_url_rule("/<code>/results/units/<unit_code>/why", "why", controllers.why)
bp.add_url_rule("/<code>/results/matrix/<unit_code>", "matrix", controllers.matrix)
bp.add_url_rule(
    "/<code>/results/matrix/<unit_code>.xlsx", "matrix_export", controllers.matrix_export
)
bp.add_url_rule("/<code>/results/ranking", "ranking", controllers.ranking)
bp.add_url_rule("/<code>/results/ranking.xlsx", "ranking_export", controllers.ranking_export)
bp.add_url_rule("/<code>/results/charts/ranking.png", "ranking_chart", controllers.ranking_chart)
bp.add_url_rule(
    "/<code>/results/charts/<unit_code>/<indicator_code>.png",
    "trend_chart",
    controllers.trend_chart,
)
