"""Route access of the results API (see tests/access.py for the vocabulary).

Campaign RAPIA belongs to P1 (every world user but admin2 sees it), RAPIB to P2 (only admin2
does). Units in and out of each role's scope are those of tests/access_core.py; the API
checks the unit (READ) before whether it takes part in the campaign, so D3 answers 403.

A ranking needs READ on the parent whose children it ranks, or on the root of the campaign's
peer group. The reporter of C11 reads no unit with units below it: ranking its own (empty)
children is a query problem (422), and every peer group lies above it (403).
"""

from app.units.queries import unit_by_code
from campaigns.operations import add_peer_group
from tests.access import ROLES, UNAUTHORISED, Context, Route, per_scope, scoped
from tests.access_core import UNIT_IN, UNIT_OUT
from tests.factories import World, make_campaign, make_indicator

CAMPAIGN_IN = dict.fromkeys(ROLES, "RAPIA")
CAMPAIGN_OUT = dict.fromkeys(ROLES, "RAPIB")
# (campaign, query) of a ranking: the children of a unit each role reads or not (P1 has
# agencies and districts below it, so its ranking names the kind).
PARENT_IN = {
    "admin": "parent=P1&kind=district",
    "manager": "parent=D1",
    "reporter": "parent=C11",
    "viewer": "parent=P1&kind=district",
}
PARENT_OUT = {
    "admin": "parent=D3",
    "manager": "parent=D2",
    "reporter": "parent=D1",
    "viewer": "parent=D3",
}
# The campaign's own groups: every commune of P1 (RAPIA), of D1 (RAPIA), every district of P2
# (RAPIB).
GROUP_IN = {"admin": "G_P1", "manager": "G_D1", "reporter": "G_D1", "viewer": "G_P1"}
GROUPS = {
    "RAPIA": (("G_P1", "P1", "commune"), ("G_D1", "D1", "commune")),
    "RAPIB": (("G_P2", "P2", "district"),),
}


def build(world: World) -> dict:
    for code, owner in (("RAPIA", "P1"), ("RAPIB", "P2")):
        campaign = make_campaign(code, owner, status="active")
        make_indicator(campaign, "RI")
        for group, root, kind in GROUPS[code]:
            add_peer_group(
                campaign, code=group, name=f"Nhóm {group}", root_unit=unit_by_code(root), kind=kind
            )
    return {}


def group_path(role: str, scope: str, context: Context) -> str:
    if scope == "in":
        return f"/api/v1/campaigns/RAPIA/ranking?group={GROUP_IN[role]}"
    return "/api/v1/campaigns/RAPIB/ranking?group=G_P2"


READ_SCOPED = scoped(*ROLES)

ROUTES = {
    "results_api.CampaignResults": Route(
        "API",
        per_scope("/api/v1/campaigns/RAPIA/results?unit={value}", UNIT_IN, UNIT_OUT),
        READ_SCOPED,
        UNAUTHORISED,
    ),
    # Without a unit: the token owner's own.
    "results_api.CampaignResults#campaign": Route(
        "API",
        per_scope("/api/v1/campaigns/{value}/results", CAMPAIGN_IN, CAMPAIGN_OUT),
        READ_SCOPED,
        UNAUTHORISED,
    ),
    "results_api.CampaignRanking": Route(
        "API",
        per_scope("/api/v1/campaigns/RAPIA/ranking?{value}", PARENT_IN, PARENT_OUT),
        {**READ_SCOPED, "reporter": {"in": 422, "out": 403}},
        UNAUTHORISED,
    ),
    "results_api.CampaignRanking#group": Route(
        "API",
        group_path,
        {**READ_SCOPED, "reporter": {"in": 403, "out": 403}},
        UNAUTHORISED,
    ),
}
