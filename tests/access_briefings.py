"""Route access of the briefing pages (see tests/access.py for the vocabulary).

A briefing is read by whoever may read the campaign's owner unit; drafts and every action
belong to those who may configure the campaign (admins). Each role gets a campaign it reads
and one it does not:

    role      in                          out
    admin     BRA (owner P1)              BRB (owner P2: not even seen)
    manager   BRD (owner D1)              BRA (seen, but P1 is above the manager's unit)
    reporter  BRC (owner C11)             BRD (seen, but D1 is above the reporter's unit)
    viewer    BRA                         BRB

BRA, BRC and BRD have one indicator and the briefing of 10/06/2022: version 1 published
(with a share link), version 2 its correction, a draft with a generated line and a line added
by an administrator; and the review of 01–10/06/2022 (period key REVIEW), version 1 published
and version 2 a draft. BRB has no briefing: every role is refused before one is looked up.
Actions on a version check the right to manage before anything else, so the other roles get
403 whatever the version or line.
"""

from datetime import date

from app.db import db, utcnow
from targets.briefings.content import daily_content, review_content
from targets.briefings.models import Briefing, BriefingItem, BriefingKind, BriefingStatus
from targets.briefings.operations import add_item
from targets.briefings.queries import share_links
from targets.briefings.sharing import create_share_link
from tests.access import PUBLIC, ROLES, SIGN_IN_FIRST, Context, Route, scoped
from tests.factories import World, enter_figures_for_test, make_campaign, make_indicator

DAY = "2022-06-10"
REVIEW = "2022-06-01..2022-06-10"
OWNERS = {"BRA": "P1", "BRB": "P2", "BRC": "C11", "BRD": "D1"}
CAMPAIGN_IN = {"admin": "BRA", "manager": "BRD", "reporter": "BRC", "viewer": "BRA"}
CAMPAIGN_OUT = {"admin": "BRB", "manager": "BRA", "reporter": "BRD", "viewer": "BRB"}


# BRA's snapshots (of the day, of the review), read once per test run and given to every
# briefing here: reading figures is the slow part of a briefing, and these tables are built
# for every permission test.
SNAPSHOT: dict = {}
REVIEW_SNAPSHOT: dict = {}


def _version(
    campaign, version: int, *, published: bool, kind: str = BriefingKind.DAILY
) -> Briefing:
    snapshot = SNAPSHOT if kind == BriefingKind.DAILY else REVIEW_SNAPSHOT
    content = {**snapshot, "campaign": {**snapshot["campaign"], "code": campaign.code}}
    briefing = Briefing(
        campaign=campaign,
        kind=kind,
        start_date=date(2022, 6, 10 if kind == BriefingKind.DAILY else 1),
        end_date=date(2022, 6, 10),
        version=version,
        status=BriefingStatus.PUBLISHED if published else BriefingStatus.DRAFT,
        published_at=utcnow() if published else None,
        content=content,
    )
    db.session.add(briefing)
    db.session.flush()
    return briefing


def build(world: World) -> dict:
    campaigns = {}
    for code, owner in OWNERS.items():
        campaigns[code] = make_campaign(code, owner, status="active")
        make_indicator(campaigns[code], "BI")
    if not SNAPSHOT:
        enter_figures_for_test(
            campaigns["BRA"], {("C11", "BI", date(2022, 6, 10)): (1, 2)}, at="2022-06-10 15:00"
        )
        SNAPSHOT.update(daily_content(campaigns["BRA"], date(2022, 6, 10)))
        REVIEW_SNAPSHOT.update(
            review_content(campaigns["BRA"], date(2022, 6, 1), date(2022, 6, 10))
        )
    found = {}
    for code in ("BRA", "BRC", "BRD"):  # BRB is refused before any briefing is looked up
        first = _version(campaigns[code], 1, published=True)
        second = _version(campaigns[code], 2, published=False)
        generated = BriefingItem(
            section="criticism",
            reason="missing_report",
            position=0,
            unit_id=world.units["C12"],
            text="Xã Đức Quang: chưa nhập số liệu của ngày.",
        )
        second.items.append(generated)
        added = add_item(second, section="praise", unit=None, text="Một dòng thêm", note="")
        _version(campaigns[code], 1, published=True, kind=BriefingKind.REVIEW)
        _version(campaigns[code], 2, published=False, kind=BriefingKind.REVIEW)
        found[code] = {
            "token": create_share_link(first, user=None),
            "added": added.id,
            "generated": generated.id,
            "link": share_links(first)[0].id,
        }
    return {"briefings": found}


NO_BRIEFING = {"token": "", "added": 0, "generated": 0, "link": 0}  # BRB's


def campaign_of(role: str, scope: str) -> str:
    return (CAMPAIGN_IN if scope == "in" else CAMPAIGN_OUT)[role]


def page(suffix: str, version: int | None = None, key: str = DAY):
    """A page of the role's campaign: the archive (`version` None and no day in `suffix`),
    or below a version of the day's briefing (of the review, with `key` REVIEW)."""

    def path(role: str, scope: str, context: Context) -> str:
        code = campaign_of(role, scope)
        values = context.data["briefings"].get(code, NO_BRIEFING)
        below = f"/{key}/v{version}" if version else ""
        return f"/campaigns/{code}/briefings{below}" + suffix.format(**values)

    return path


def shared(suffix: str = ""):
    return lambda role, scope, context: (
        f"/briefings/shared/{context.data['briefings']['BRA']['token']}{suffix}"
    )


READ = scoped(*ROLES)
ADMIN = scoped("admin")


def admin(status: int) -> dict:
    return scoped("admin", inside=status)


ROUTES = {
    "briefings.archive": Route("GET", page(""), READ, SIGN_IN_FIRST),
    # An empty form is refused (422) only after the manager check.
    "briefings.draft": Route("POST", page("/draft"), admin(422), SIGN_IN_FIRST),
    # An empty form is refused (422) only after the manager check.
    "briefings.draft_review": Route("POST", page("/reviews"), admin(422), SIGN_IN_FIRST),
    # Without `subscribe`: unsubscribing, which every reader may do.
    "briefings.subscription": Route(
        "POST", page("/subscription"), scoped(*ROLES, inside=302), SIGN_IN_FIRST
    ),
    "briefings.show": Route("GET", page("", 1), READ, SIGN_IN_FIRST),
    "briefings.show#draft": Route("GET", page("", 2), ADMIN, SIGN_IN_FIRST),
    # Without a version: the newest the reader may see (the draft, or version 1).
    "briefings.show#latest": Route("GET", page(f"/{DAY}"), READ, SIGN_IN_FIRST),
    "briefings.show#review": Route("GET", page("", 1, REVIEW), READ, SIGN_IN_FIRST),
    "briefings.show#review-draft": Route("GET", page("", 2, REVIEW), ADMIN, SIGN_IN_FIRST),
    "briefings.show#review-latest": Route("GET", page(f"/{REVIEW}"), READ, SIGN_IN_FIRST),
    "briefings.print_view": Route("GET", page("/print", 1), READ, SIGN_IN_FIRST),
    "briefings.download": Route("GET", page(".txt", 1), READ, SIGN_IN_FIRST),
    "briefings.download#docx": Route("GET", page(".docx", 1), READ, SIGN_IN_FIRST),
    "briefings.download#xlsx": Route("GET", page(".xlsx", 1), READ, SIGN_IN_FIRST),
    "briefings.download#draft": Route("GET", page(".txt", 2), ADMIN, SIGN_IN_FIRST),
    "briefings.download#review": Route("GET", page(".docx", 1, REVIEW), READ, SIGN_IN_FIRST),
    "briefings.chart": Route("GET", page("/charts/trend-BI.png", 1), READ, SIGN_IN_FIRST),
    "briefings.chart#draft": Route("GET", page("/charts/trend-BI.png", 2), ADMIN, SIGN_IN_FIRST),
    "briefings.edit": Route("POST", page("/edit", 2), admin(302), SIGN_IN_FIRST),
    # Empty text, empty note: refused by the operation (422) after the manager check.
    "briefings.add_item": Route("POST", page("/items", 2), admin(422), SIGN_IN_FIRST),
    "briefings.drop_item": Route(
        "POST", page("/items/{generated}/drop", 2), admin(422), SIGN_IN_FIRST
    ),
    "briefings.restore_item": Route(
        "POST", page("/items/{generated}/restore", 2), admin(302), SIGN_IN_FIRST
    ),
    "briefings.remove_item": Route(
        "POST", page("/items/{added}/remove", 2), admin(302), SIGN_IN_FIRST
    ),
    "briefings.refresh": Route("POST", page("/refresh", 2), admin(302), SIGN_IN_FIRST),
    "briefings.publish": Route("GET", page("/publish", 2), ADMIN, SIGN_IN_FIRST),
    "briefings.publish#post": Route("POST", page("/publish", 2), admin(302), SIGN_IN_FIRST),
    "briefings.publish#review": Route(
        "POST", page("/publish", 2, REVIEW), admin(302), SIGN_IN_FIRST
    ),
    "briefings.correction": Route("POST", page("/correction", 1), admin(302), SIGN_IN_FIRST),
    "briefings.share": Route("POST", page("/share", 1), ADMIN, SIGN_IN_FIRST),
    "briefings.revoke_share": Route(
        "POST", page("/share-links/{link}/revoke", 1), admin(302), SIGN_IN_FIRST
    ),
    "briefings.shared": Route("GET", shared(), PUBLIC, 200),
    "briefings.shared_chart": Route("GET", shared("/charts/trend-BI.png"), PUBLIC, 200),
}
