"""Route access of the results pages, charts and exports (see tests/access.py for the
vocabulary).

Campaign RESA (active, 01/06–31/08/2022) belongs to P1: every world user but admin2 sees it;
RESB belongs to P2: only admin2 does. Units in and out of each role's scope are those of
tests/access_core.py (reporter: C11 in, C12 out; manager of D1: C12 in, D2 out; admin of
P1: C21 in, D3 of P2 out; viewer: C21 in, D3 out). Pages check the unit (READ) before
whether it takes part in the campaign, so D3 answers 403.

A group's ranking needs READ on the unit the group lies below. Each of those units roots a
peer group of RESA ("G-<unit code>", stored directly: a commune has no units below, and D3
lies outside the campaign, which the campaign pages would refuse), so every role has a group
in scope and one out of it.
"""

from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import PeerGroup
from tests.access import ROLES, SIGN_IN_FIRST, Route, per_scope, scoped
from tests.access_core import UNIT_IN, UNIT_OUT
from tests.factories import World, make_campaign, make_indicator

CAMPAIGN_IN = dict.fromkeys(ROLES, "RESA")
CAMPAIGN_OUT = dict.fromkeys(ROLES, "RESB")
GROUP_IN = {role: f"G-{code}" for role, code in UNIT_IN.items()}
GROUP_OUT = {role: f"G-{code}" for role, code in UNIT_OUT.items()}


def build(world: World) -> dict:
    campaigns = {}
    for code, owner in (("RESA", "P1"), ("RESB", "P2")):
        campaigns[code] = make_campaign(code, owner, status="active")
        make_indicator(campaigns[code], "RHS")
    for unit_code in {*UNIT_IN.values(), *UNIT_OUT.values()}:
        unit = unit_by_code(unit_code)
        db.session.add(
            PeerGroup(
                campaign_id=campaigns["RESA"].id,
                code=f"G-{unit_code}",
                name=f"Nhóm {unit_code}",
                root_unit=unit,
                kind=unit.kind,
            )
        )
    db.session.flush()
    return {}


def unit_page(prefix: str, suffix: str = ""):
    return per_scope("/campaigns/RESA/results/" + prefix + "/{value}" + suffix, UNIT_IN, UNIT_OUT)


def group_page(path: str):
    return per_scope("/campaigns/RESA/results/" + path + "?group={value}", GROUP_IN, GROUP_OUT)


READ_SCOPED = scoped(*ROLES)

ROUTES = {
    "results.index": Route(
        "GET",
        per_scope("/campaigns/{value}/results", CAMPAIGN_IN, CAMPAIGN_OUT),
        {role: {"in": 302, "out": 403} for role in ROLES},
        SIGN_IN_FIRST,
    ),
    "results.unit": Route("GET", unit_page("units"), READ_SCOPED, SIGN_IN_FIRST),
    "results.unit_export": Route("GET", unit_page("units", ".xlsx"), READ_SCOPED, SIGN_IN_FIRST),
    "results.why": Route("GET", unit_page("units", "/why"), READ_SCOPED, SIGN_IN_FIRST),
    "results.matrix": Route("GET", unit_page("matrix"), READ_SCOPED, SIGN_IN_FIRST),
    "results.matrix_export": Route("GET", unit_page("matrix", ".xlsx"), READ_SCOPED, SIGN_IN_FIRST),
    "results.ranking": Route("GET", group_page("ranking"), READ_SCOPED, SIGN_IN_FIRST),
    "results.ranking_export": Route("GET", group_page("ranking.xlsx"), READ_SCOPED, SIGN_IN_FIRST),
    "results.ranking_chart": Route(
        "GET", group_page("charts/ranking.png"), READ_SCOPED, SIGN_IN_FIRST
    ),
    "results.trend_chart": Route(
        "GET", unit_page("charts", "/RHS.png"), READ_SCOPED, SIGN_IN_FIRST
    ),
}
