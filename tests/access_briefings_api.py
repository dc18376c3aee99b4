"""Route access of the briefings API (see tests/access.py for the vocabulary).

The campaigns and briefings are those of tests/access_briefings.py (built there): each role
reads the briefings of one campaign and not of another; only admins draft, publish and read
drafts. The day 10/06/2022 has version 1 published and version 2 drafted, and so has the
review of 01–10/06/2022.
"""

from tests.access import ROLES, UNAUTHORISED, Route, per_scope, scoped
from tests.access_briefings import CAMPAIGN_IN, CAMPAIGN_OUT, DAY, REVIEW
from tests.factories import World


def build(world: World) -> dict:
    return {}


def api(suffix: str, collection: str = "briefings"):
    return per_scope("/api/v1/campaigns/{value}/" + collection + suffix, CAMPAIGN_IN, CAMPAIGN_OUT)


def draft_body(role, scope, context) -> dict:
    return {"date": DAY}


def review_body(role, scope, context) -> dict:
    start, end = REVIEW.split("..")
    return {"start": start, "end": end}


RANGE = "/" + REVIEW.replace("..", "/")  # /reviews/<start>/<end>


ROUTES = {
    # The day's draft exists: 200 (201 is for a draft made now).
    "briefings_api.draft_briefing": Route(
        "API POST", api(""), scoped("admin", inside=200), UNAUTHORISED, body=draft_body
    ),
    "briefings_api.get_briefing": Route("API", api(f"/{DAY}"), scoped(*ROLES), UNAUTHORISED),
    "briefings_api.publish_briefing": Route(
        "API POST", api(f"/{DAY}/publish"), scoped("admin"), UNAUTHORISED
    ),
    "briefings_api.briefing_file": Route(
        "API", api(f"/{DAY}/v1.txt"), scoped(*ROLES), UNAUTHORISED
    ),
    "briefings_api.briefing_file#draft": Route(
        "API", api(f"/{DAY}/v2.docx"), scoped("admin"), UNAUTHORISED
    ),
    "briefings_api.briefing_file#review": Route(
        "API", api(f"/{REVIEW}/v1.txt"), scoped(*ROLES), UNAUTHORISED
    ),
    # The range's draft exists: 200.
    "briefings_api.draft_review": Route(
        "API POST",
        api("", "reviews"),
        scoped("admin", inside=200),
        UNAUTHORISED,
        body=review_body,
    ),
    "briefings_api.get_review": Route("API", api(RANGE, "reviews"), scoped(*ROLES), UNAUTHORISED),
    "briefings_api.publish_review": Route(
        "API POST", api(f"{RANGE}/publish", "reviews"), scoped("admin"), UNAUTHORISED
    ),
}
