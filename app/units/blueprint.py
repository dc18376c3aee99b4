"""URLs of the unit browser."""

from flask import Blueprint

from app.units import controllers

bp = Blueprint("units", __name__)

bp.add_url_rule("/", "index", controllers.index)
bp.add_url_rule("/units/<code>", "show", controllers.show)
