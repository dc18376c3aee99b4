"""URLs of the campaign pages."""

from flask import Blueprint

from campaigns import controllers

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")

bp.add_url_rule("/", "list_campaigns", controllers.list_campaigns)
bp.add_url_rule("/new", "new_campaign", controllers.new_campaign, methods=("GET", "POST"))
bp.add_url_rule("/<code>", "show", controllers.show)
bp.add_url_rule("/<code>/edit", "edit", controllers.edit_campaign, methods=("GET", "POST"))
bp.add_url_rule("/<code>/activate", "activate", controllers.activate, methods=("GET", "POST"))
bp.add_url_rule("/<code>/close", "close", controllers.close, methods=("GET", "POST"))
bp.add_url_rule(
    "/<code>/indicators/new",
    "new_indicator",
    controllers.new_indicator,
    methods=("GET", "POST"),
)
bp.add_url_rule(
    "/<code>/indicators/<indicator_code>/edit",
    "edit_indicator",
    controllers.edit_indicator,
    methods=("GET", "POST"),
)
bp.add_url_rule(
    "/<code>/indicators/<indicator_code>/remove",
    "remove_indicator",
    controllers.remove_indicator_view,
    methods=("GET", "POST"),
)
bp.add_url_rule(
    "/<code>/peer-groups",
    "peer_groups",
    controllers.peer_groups,
    methods=("GET", "POST"),
)
bp.add_url_rule(
    "/<code>/peer-groups/<group_code>/delete",
    "remove_peer_group",
    controllers.remove_peer_group_view,
    methods=("GET", "POST"),
)
