"""URLs of the briefing pages, under /campaigns/<code>/briefings, and of share links, under
/briefings/shared/<token>.

A version's address is /campaigns/<code>/briefings/<period key>/v<version>, the key being
the day of a daily briefing (2022-07-29) or a review's first and last day
(2022-07-01..2022-07-31: targets.briefings.queries.BriefingPeriod); without the version,
"briefings.show" opens the newest version the reader may see. Every action is a POST below the
version's address.
"""

from flask import Blueprint

from targets.briefings import controllers

bp = Blueprint("briefings", __name__)

ARCHIVE = "/campaigns/<code>/briefings"
VERSION = ARCHIVE + "/<day>/v<int:version>"
POST = ("POST",)

bp.add_url_rule(ARCHIVE, "archive", controllers.archive)
bp.add_url_rule(ARCHIVE + "/draft", "draft", controllers.draft, methods=POST)
bp.add_url_rule(ARCHIVE + "/reviews", "draft_review", controllers.review, methods=POST)
bp.add_url_rule(ARCHIVE + "/subscription", "subscription", controllers.subscription, methods=POST)
bp.add_url_rule(ARCHIVE + "/<day>", "show", controllers.show, defaults={"version": None})
bp.add_url_rule(VERSION, "show", controllers.show)
bp.add_url_rule(VERSION + "/print", "print_view", controllers.print_view)
bp.add_url_rule(VERSION + ".<any(txt, docx, xlsx):extension>", "download", controllers.download)
bp.add_url_rule(VERSION + "/charts/<name>.png", "chart", controllers.chart)
bp.add_url_rule(VERSION + "/edit", "edit", controllers.edit, methods=POST)
bp.add_url_rule(VERSION + "/items", "add_item", controllers.add, methods=POST)
bp.add_url_rule(VERSION + "/items/<int:item_id>/drop", "drop_item", controllers.drop, methods=POST)
bp.add_url_rule(
    VERSION + "/items/<int:item_id>/restore", "restore_item", controllers.restore, methods=POST
)
bp.add_url_rule(
    VERSION + "/items/<int:item_id>/remove", "remove_item", controllers.remove, methods=POST
)
bp.add_url_rule(VERSION + "/refresh", "refresh", controllers.refresh, methods=POST)
bp.add_url_rule(VERSION + "/publish", "publish", controllers.publish_view, methods=("GET", "POST"))
bp.add_url_rule(VERSION + "/correction", "correction", controllers.correction, methods=POST)
bp.add_url_rule(VERSION + "/share", "share", controllers.share, methods=POST)
bp.add_url_rule(
    VERSION + "/share-links/<int:link_id>/revoke",
    "revoke_share",
    controllers.revoke_share,
    methods=POST,
)
bp.add_url_rule("/briefings/shared/<token>", "shared", controllers.shared)
bp.add_url_rule(
    "/briefings/shared/<token>/charts/<name>.png", "shared_chart", controllers.shared_chart
)
