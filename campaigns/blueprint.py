"""URLs of the campaign pages."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
