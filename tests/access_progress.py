"""Route access of the progress pages (see tests/access.py for the vocabulary).

Campaign PRGA (active, 01/06–31/08/2022) belongs to P1: every world user but admin2 sees it;
PRGB belongs to P2: only admin2 does. Units in and out of each role's scope are those of
tests/access_core.py (reporter: C11 in, C12 out; manager of D1: C12 in, D2 out; admin of
P1: C21 in, D3 of P2 out; viewer: C21 in, D3 out). Pages check the unit (READ) before
whether it takes part in the campaign, so D3 answers 403.

Saving needs WRITE: an empty form (no day) from someone who may write is refused with 422,
from a viewer with 403, before anything is read from it.
"""

from tests.access import ROLES, SIGN_IN_FIRST, Route, per_scope, scoped
from tests.access_core import UNIT_IN, UNIT_OUT
from tests.factories import World, make_campaign, make_indicator

CAMPAIGN_IN = dict.fromkeys(ROLES, "PRGA")
CAMPAIGN_OUT = dict.fromkeys(ROLES, "PRGB")


def build(world: World) -> dict:
    for code, owner in (("PRGA", "P1"), ("PRGB", "P2")):
        campaign = make_campaign(code, owner, status="active")
        make_indicator(campaign, "PHS")
    return {}


def unit_page(prefix: str, suffix: str = ""):
    return per_scope("/campaigns/PRGA/progress/" + prefix + "/{value}" + suffix, UNIT_IN, UNIT_OUT)


def campaign_page(suffix: str):
    return per_scope("/campaigns/{value}/progress" + suffix, CAMPAIGN_IN, CAMPAIGN_OUT)


READ_SCOPED = scoped(*ROLES)
WRITERS = scoped("admin", "manager", "reporter", inside=422)

ROUTES = {
    "progress.index": Route(
        "GET", campaign_page(""), {role: {"in": 302, "out": 403} for role in ROLES}, SIGN_IN_FIRST
    ),
    "progress.entry": Route("GET", unit_page("units"), READ_SCOPED, SIGN_IN_FIRST),
    "progress.entry#post": Route("POST", unit_page("units"), WRITERS, SIGN_IN_FIRST),
    "progress.grid": Route("GET", unit_page("grid"), READ_SCOPED, SIGN_IN_FIRST),
    "progress.grid#post": Route("POST", unit_page("grid"), WRITERS, SIGN_IN_FIRST),
    "progress.history": Route(
        "GET", unit_page("units", "/history/PHS/2022-06-01"), READ_SCOPED, SIGN_IN_FIRST
    ),
    "progress.reports": Route("GET", campaign_page("/reports"), READ_SCOPED, SIGN_IN_FIRST),
}
