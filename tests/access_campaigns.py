"""Route access of the campaigns pages and API (see tests/access.py for the vocabulary).

"in" is a campaign owned by P1, which every world user of P1's tree may see and only
admin@P1 may configure; "out" is the same kind of campaign owned by P2, outside every role's
units. Draft campaigns serve the pages that need a draft (start, indicators), active ones
the page that closes a campaign. Each draft has a peer group PG (P1's communes, P2's
districts).
"""

from datetime import date

from app.units.queries import unit_by_code
from campaigns.operations import add_peer_group
from tests.access import (
    ROLES,
    SIGN_IN_FIRST,
    UNAUTHORISED,
    Context,
    Route,
    fixed,
    same_for_all,
    scoped,
)
from tests.factories import World, make_campaign, make_indicator

DRAFT = {"in": "CAMP-IN", "out": "CAMP-OUT"}
ACTIVE = {"in": "CAMP-IN-ACTIVE", "out": "CAMP-OUT-ACTIVE"}
INDICATOR = "I1"
PEER_GROUP = "PG"
PEER_GROUP_KIND = {"P1": "commune", "P2": "district"}


def build(world: World) -> dict:
    for scope, owner in (("in", "P1"), ("out", "P2")):
        for codes, status in ((DRAFT, "draft"), (ACTIVE, "active")):
            campaign = make_campaign(
                codes[scope], owner, start=date(2022, 6, 1), end=date(2022, 8, 31)
            )
            make_indicator(campaign, INDICATOR)
            if status == "draft":
                add_peer_group(
                    campaign,
                    code=PEER_GROUP,
                    name="Nhóm so sánh",
                    root_unit=unit_by_code(owner),
                    kind=PEER_GROUP_KIND[owner],
                )
            campaign.status = status
    return {}


def campaign_path(template: str, codes: dict[str, str] = DRAFT):
    def path(role: str, scope: str, context: Context) -> str:
        return template.format(code=codes[scope], indicator=INDICATOR, group=PEER_GROUP)

    return path


def new_campaign_body(role: str, scope: str, context: Context) -> dict:
    """A valid campaign owned by P1 ("in": admin@P1 may create it) or P2 ("out")."""
    return {
        "code": f"API-{role}-{scope}",
        "name": "Chiến dịch qua API",
        "owner_unit": "P1" if scope == "in" else "P2",
        "start_date": "2022-06-01",
        "end_date": "2022-08-31",
        "indicators": [
            {
                "code": "I1",
                "name": "Tỷ lệ hồ sơ trực tuyến",
                "kind": "ratio",
                "measure": "flow",
                "direction": "higher",
                "weight": 1,
            }
        ],
    }


SEE = scoped(*ROLES)  # everyone inside P1 sees a P1 campaign; nobody sees P2's
CONFIGURE = scoped("admin")  # only admin@P1 configures a P1 campaign
CREATE = scoped("admin", outside=200)  # a fixed page: only admins may create campaigns

ROUTES = {
    "campaigns.list_campaigns": Route(
        "GET", fixed("/campaigns/"), same_for_all(200), SIGN_IN_FIRST
    ),
    "campaigns.new_campaign": Route("GET", fixed("/campaigns/new"), CREATE, SIGN_IN_FIRST),
    "campaigns.show": Route("GET", campaign_path("/campaigns/{code}"), SEE, SIGN_IN_FIRST),
    "campaigns.edit": Route(
        "GET", campaign_path("/campaigns/{code}/edit"), CONFIGURE, SIGN_IN_FIRST
    ),
    "campaigns.activate": Route(
        "GET", campaign_path("/campaigns/{code}/activate"), CONFIGURE, SIGN_IN_FIRST
    ),
    "campaigns.close": Route(
        "GET", campaign_path("/campaigns/{code}/close", ACTIVE), CONFIGURE, SIGN_IN_FIRST
    ),
    "campaigns.new_indicator": Route(
        "GET", campaign_path("/campaigns/{code}/indicators/new"), CONFIGURE, SIGN_IN_FIRST
    ),
    "campaigns.edit_indicator": Route(
        "GET",
        campaign_path("/campaigns/{code}/indicators/{indicator}/edit"),
        CONFIGURE,
        SIGN_IN_FIRST,
    ),
    "campaigns.remove_indicator": Route(
        "GET",
        campaign_path("/campaigns/{code}/indicators/{indicator}/remove"),
        CONFIGURE,
        SIGN_IN_FIRST,
    ),
    "campaigns.peer_groups": Route(
        "GET", campaign_path("/campaigns/{code}/peer-groups"), CONFIGURE, SIGN_IN_FIRST
    ),
    # An empty form is refused (422) only after the configurer check.
    "campaigns.peer_groups#post": Route(
        "POST",
        campaign_path("/campaigns/{code}/peer-groups"),
        scoped("admin", inside=422),
        SIGN_IN_FIRST,
    ),
    "campaigns.remove_peer_group": Route(
        "GET",
        campaign_path("/campaigns/{code}/peer-groups/{group}/delete"),
        CONFIGURE,
        SIGN_IN_FIRST,
    ),
    "campaigns.remove_peer_group#post": Route(
        "POST",
        campaign_path("/campaigns/{code}/peer-groups/{group}/delete"),
        scoped("admin", inside=302),
        SIGN_IN_FIRST,
    ),
    "campaigns_api.get_campaign": Route(
        "API", campaign_path("/api/v1/campaigns/{code}"), SEE, UNAUTHORISED
    ),
    "campaigns_api.create_campaign": Route(
        "API POST",
        fixed("/api/v1/campaigns"),
        scoped("admin", inside=201),
        UNAUTHORISED,
        body=new_campaign_body,
    ),
}
