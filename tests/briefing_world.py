"""The campaign the tests of the briefing pages, API and figures share
(tests/test_briefing_pages.py, tests/test_briefing_api.py), on the World of
tests/factories.py: P1{A1, D1{C11, C12}, D2{C21}}, P2{D3}; admin@P1, manager@D1,
reporter@C11, viewer@P1.

Campaign BT (P1, active, 01/06–31/08/2022, ranked by day) has one ratio indicator reported by
communes, HS (target 50% on P1), and its own peer group XA (every commune of P1).

Figures of 10/06 (numerator/denominator) and scores, 100 × min(value ÷ 50%, 1):

    C11 2/4 = 50% → 100     C12 1/4 = 25% → 50      C21 3/4 = 75% → 100
    D1 = C11 + C12 = 3/8 = 37,5% → 75               D2 = C21 = 75% → 100
    P1 = 6/12 = 50% → 100

Districts of P1: D2 first (100), D1 second (75). XA: C11 and C21 share rank 1, C12 third.
When C12's figures become 3/4 (`change_c12`, after publishing): D1 = 5/8 = 62,5% → 100,
P1 = 8/12 = 66,67%; D1 shares rank 1 with D2.
"""

from collections.abc import Callable
from datetime import date

from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import Campaign, CampaignStatus
from campaigns.operations import add_peer_group
from campaigns.queries import campaign_by_code
from targets.briefings.operations import draft_daily_briefing, publish
from tests.factories import (
    enter_figures_for_test,
    local_moment,
    make_campaign,
    make_indicator,
    set_targets_for_test,
)

CODE = "BT"
DAY = date(2022, 6, 10)
FIGURES = {
    ("C11", "HS", DAY): (2, 4),
    ("C12", "HS", DAY): (1, 4),
    ("C21", "HS", DAY): (3, 4),
}


def build_campaign(more_indicators: Callable[[Campaign], None] | None = None) -> None:
    """Campaign BT with its figures of 10/06, committed (inside an app context);
    `more_indicators(campaign)` adds indicators of a test's own before figures are entered."""
    campaign = make_campaign(CODE, "P1", status=CampaignStatus.ACTIVE, ranking_window="day")
    make_indicator(campaign, "HS", name="Tỷ lệ hồ sơ trực tuyến", unit_kinds=["commune"])
    if more_indicators is not None:
        more_indicators(campaign)
    set_targets_for_test(campaign, {("P1", "HS"): 0.5})
    add_peer_group(
        campaign, code="XA", name="Tất cả xã", root_unit=unit_by_code("P1"), kind="commune"
    )
    enter_figures_for_test(campaign, FIGURES, at="2022-06-10 15:00")
    db.session.commit()


def drafted(app, *, published: bool = False) -> None:
    """The briefing of 10/06 drafted at 06:30 the next morning (and published at 07:00)."""
    with app.app_context():
        briefing, _made = draft_daily_briefing(
            campaign_by_code(CODE), DAY, user=None, now=local_moment("2022-06-11 06:30")
        )
        if published:
            publish(briefing, user=None, now=local_moment("2022-06-11 07:00"))
        db.session.commit()


def change_c12(app, at: str = "2022-06-11 10:00") -> None:
    """C12's figures of 10/06 become 3/4."""
    with app.app_context():
        enter_figures_for_test(campaign_by_code(CODE), {("C12", "HS", DAY): (3, 4)}, at=at)
        db.session.commit()
