"""Route access of the Excel import pages and the progress API (see tests/access.py).

Campaign PRIA belongs to P1 and PRIB to P2, both active from 2022 to 2099 so that today (the
template's default days, the API's date) is inside them; each has one ratio indicator, PHS.
Every world user but admin2 sees PRIA; only admin2 sees PRIB. Viewers enter no figures, so
they may not import nor PUT; a PUT for a unit outside the writer's units is 403 (admin@P1's
"out" is PRIB's D3: the campaign itself is outside its units).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from campaigns.models import CampaignStatus
from tests.access import ROLES, SIGN_IN_FIRST, UNAUTHORISED, Context, Route, per_scope, scoped
from tests.access_core import UNIT_IN, UNIT_OUT
from tests.factories import World, make_campaign, make_indicator

CAMPAIGN_IN = dict.fromkeys(ROLES, "PRIA")
CAMPAIGN_OUT = dict.fromkeys(ROLES, "PRIB")
TOKEN = "0" * 32  # a well-formed upload token that was never issued
# A unit each role may write in PRIA ("in"), and one it may not ("out").
WRITE_IN = {"admin": "C21", "manager": "C12", "reporter": "C11", "viewer": "C21"}
WRITE_OUT = {"admin": "D3", "manager": "D2", "reporter": "C12", "viewer": "D3"}
PUT_CAMPAIGN_OUT = {"admin": "PRIB", "manager": "PRIA", "reporter": "PRIA", "viewer": "PRIA"}


def build(world: World) -> dict:
    for code, owner in (("PRIA", "P1"), ("PRIB", "P2")):
        campaign = make_campaign(
            code,
            owner,
            start=date(2022, 1, 1),
            end=date(2099, 12, 31),
            status=CampaignStatus.ACTIVE,
        )
        make_indicator(campaign, "PHS")
    return {}


def import_page(suffix: str = ""):
    return per_scope("/campaigns/{value}/progress/import" + suffix, CAMPAIGN_IN, CAMPAIGN_OUT)


def put_path(role: str, scope: str, context: Context) -> str:
    code = "PRIA" if scope == "in" else PUT_CAMPAIGN_OUT[role]
    return f"/api/v1/campaigns/{code}/progress"


def put_body(role: str, scope: str, context: Context) -> list[dict]:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    unit = (WRITE_IN if scope == "in" else WRITE_OUT)[role]
    return [
        {"unit": unit, "indicator": "PHS", "date": today.isoformat(), "numerator": 1,
         "denominator": 2}
    ]  # fmt: skip


WRITERS = scoped("admin", "manager", "reporter")
# Only the uploader's own token would be found: a token never issued is 404.
UPLOAD = {
    role: {"in": 404, "out": 403} if role != "viewer" else {"in": 403, "out": 403} for role in ROLES
}

ROUTES = {
    "progress_import.index": Route("GET", import_page(), WRITERS, SIGN_IN_FIRST),
    "progress_import.template": Route("GET", import_page("/template.xlsx"), WRITERS, SIGN_IN_FIRST),
    "progress_import.preview": Route("GET", import_page(f"/{TOKEN}"), UPLOAD, SIGN_IN_FIRST),
    "progress_import.confirm": Route("POST", import_page(f"/{TOKEN}"), UPLOAD, SIGN_IN_FIRST),
    "progress_api.CampaignProgress#put": Route(
        "API PUT", put_path, WRITERS, UNAUTHORISED, body=put_body
    ),
    "progress_api.CampaignProgress": Route(
        "API",
        per_scope("/api/v1/campaigns/PRIA/progress?unit={value}", UNIT_IN, UNIT_OUT),
        scoped(*ROLES),
        UNAUTHORISED,
    ),
}
