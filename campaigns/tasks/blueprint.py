"""URLs of the task pages and evidence files."""

from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/campaigns")
