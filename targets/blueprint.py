"""URLs of the target pages."""

from flask import Blueprint

bp = Blueprint("targets", __name__, url_prefix="/campaigns")
