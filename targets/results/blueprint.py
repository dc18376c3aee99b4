"""URLs of the results pages, under /campaigns/<code>/results."""

from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/campaigns")
