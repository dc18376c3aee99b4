"""Route access of the targets pages and API (see tests/access.py for the vocabulary).

Campaign TGTA belongs to P1 (every world user but admin2 sees it), TGTB to P2 (only admin2
does). Units in and out of each role's scope are those of tests/access_core.py; target pages
check the unit (READ) before whether it takes part in the campaign, so D3 answers 403.
"""

from tests.access import ROLES, SIGN_IN_FIRST, UNAUTHORISED, Route, fixed, per_scope, scoped
from tests.access_core import UNIT_IN, UNIT_OUT
from tests.factories import World, make_campaign, make_indicator

CAMPAIGN_IN = dict.fromkeys(ROLES, "TGTA")
CAMPAIGN_OUT = dict.fromkeys(ROLES, "TGTB")
# Units whose children a role may be handed targets for ("apply to all children").
PARENT_IN = {"admin": "D1", "manager": "D1", "reporter": "C11", "viewer": "D1"}
TOKEN = "0" * 32  # a well-formed upload token that was never issued
# A unit each role may hand a target to ("in"; the manager of D1, not D1 itself) and one it
# may not ("out": admin@P1 may assign all of P1, so its "out" is D3 of P2).
ASSIGN_IN = {"admin": "C21", "manager": "C12", "reporter": "C11", "viewer": "C21"}
ASSIGN_OUT = {"admin": "D3", "manager": "D1", "reporter": "C12", "viewer": "D2"}


def build(world: World) -> dict:
    for code, owner in (("TGTA", "P1"), ("TGTB", "P2")):
        campaign = make_campaign(code, owner)
        make_indicator(campaign, "THS")
    return {}


def unit_page(suffix: str = ""):
    return per_scope("/campaigns/TGTA/targets/units/{value}" + suffix, UNIT_IN, UNIT_OUT)


def campaign_page(suffix: str):
    return per_scope("/campaigns/{value}/targets" + suffix, CAMPAIGN_IN, CAMPAIGN_OUT)


READ_SCOPED = scoped(*ROLES)
ASSIGNERS = scoped("admin", "manager")
# Only the uploader's own token would be found: a token never issued is 404.
CONFIRM = {
    role: {"in": 404, "out": 403} if role in ("admin", "manager") else {"in": 403, "out": 403}
    for role in ROLES
}

ROUTES = {
    "targets.index": Route(
        "GET", campaign_page(""), {role: {"in": 302, "out": 403} for role in ROLES}, SIGN_IN_FIRST
    ),
    "targets.grid": Route("GET", unit_page(), READ_SCOPED, SIGN_IN_FIRST),
    "targets.apply_to_children": Route(
        "GET",
        per_scope("/campaigns/TGTA/targets/units/{value}/apply/THS", PARENT_IN, UNIT_OUT),
        ASSIGNERS,
        SIGN_IN_FIRST,
    ),
    "targets.baselines": Route("GET", unit_page("/baselines"), READ_SCOPED, SIGN_IN_FIRST),
    "targets.milestones": Route("GET", unit_page("/milestones/THS"), READ_SCOPED, SIGN_IN_FIRST),
    "targets.history": Route("GET", unit_page("/history"), READ_SCOPED, SIGN_IN_FIRST),
    "targets.export": Route("GET", unit_page("/targets.xlsx"), READ_SCOPED, SIGN_IN_FIRST),
    "targets.upload": Route("GET", campaign_page("/upload"), ASSIGNERS, SIGN_IN_FIRST),
    "targets.confirm_upload": Route(
        "POST", campaign_page(f"/upload/{TOKEN}"), CONFIRM, SIGN_IN_FIRST
    ),
    "targets.template": Route("GET", campaign_page("/template"), scoped("admin"), SIGN_IN_FIRST),
    "targets_api.CampaignTargets#put": Route(
        "API PUT",
        fixed("/api/v1/campaigns/TGTA/targets"),
        ASSIGNERS,
        UNAUTHORISED,
        body=lambda role, scope, context: [
            {
                "unit": (ASSIGN_IN if scope == "in" else ASSIGN_OUT)[role],
                "indicator": "THS",
                "target": 0.6,
            }
        ],
    ),
    "targets_api.CampaignTargets": Route(
        "API",
        per_scope("/api/v1/campaigns/TGTA/targets?unit={value}", UNIT_IN, UNIT_OUT),
        READ_SCOPED,
        UNAUTHORISED,
    ),
}
