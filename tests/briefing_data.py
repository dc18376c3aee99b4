"""A small campaign with a day of figures worked out by hand, for the tests of a briefing's
outputs and delivery (tests/test_briefing_outputs.py, tests/test_briefing_delivery.py).

Province T (campaign CD92, "Chiến dịch 92 ngày", 09/06–30/06/2022: 22 days, ranked by day;
issued by "Sở Thông tin và Truyền thông" (STTTT) in Bình Phước):

    T (province)
    ├── H1 (district) ── X11, X12 (communes)
    └── H2 (district) ── X21, X22 (communes)

Indicators, for communes, weight 1, targets set on T: ONLINE "Tỷ lệ hồ sơ trực tuyến" (ratio,
target 50%, T's baseline 216/1.000 = 21,6%) and DIGITISED "Tỷ lệ số hóa hồ sơ" (ratio,
target 100%). Peer group XA: every commune of T. The task TASK, due 09/06, is not done by
X12: overdue on 10/06.

Figures (numerator/denominator):

    day     X11                  X12                 X21                  X22
    09/06   ONL 150/300          ONL 150/300         ONL 150/300          ONL 10/100
    10/06   ONL 300/310 DIG 10/10 ONL 290/300 DIG 5/10 ONL 282/290 DIG 10/10 (nothing)

So on 10/06, T's ONLINE is (300 + 290 + 282) / (310 + 300 + 290) = 872/900 = 96,888…% →
"96,89%"; on 09/06 460/1.000 = 46%, hence +50,9 percentage points; over the campaign
(872 + 460) / (900 + 1.000) = 1.332/1.900 = 70,105…% → "70,11%". DIGITISED: 25/30 = 83,33%.
Scores of the day, 100 × (min(ONL ÷ 0,5; 1) + min(DIG ÷ 1; 1)) ÷ 2: X11 100, X21 100, X12
(1 + 0,5) ÷ 2 = 75, X22 0 (missing); H1 (1 + 15/20) ÷ 2 = 87,5; H2 100; T (1 + 25/30) ÷ 2 =
91,67.
"""

from datetime import UTC, date, datetime

from app.units.queries import unit_by_code
from campaigns.models import Campaign, CampaignStatus
from campaigns.operations import add_peer_group
from tests.factories import (
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    make_task,
    make_units,
    set_targets_for_test,
)

DAY = date(2022, 6, 10)
DRAFTED = datetime(2022, 6, 10, 23, 30, tzinfo=UTC)  # 06:30 on 11/06 in Ho Chi Minh City
PUBLISHED = datetime(2022, 6, 11, 0, 45, tzinfo=UTC)  # 07:45 on 11/06
TASK = "Thành lập tổ công nghệ số cộng đồng"

UNITS = (
    ("T", "Tỉnh Thử", "province", None),
    ("H1", "Huyện Một", "district", "T"),
    ("X11", "Xã Một Một", "commune", "H1"),
    ("X12", "Xã Một Hai", "commune", "H1"),
    ("H2", "Huyện Hai", "district", "T"),
    ("X21", "Xã Hai Một", "commune", "H2"),
    ("X22", "Xã Hai Hai", "commune", "H2"),
)
FIGURES = {
    date(2022, 6, 9): {
        ("X11", "ONLINE"): (150, 300),
        ("X12", "ONLINE"): (150, 300),
        ("X21", "ONLINE"): (150, 300),
        ("X22", "ONLINE"): (10, 100),
    },
    DAY: {
        ("X11", "ONLINE"): (300, 310),
        ("X12", "ONLINE"): (290, 300),
        ("X21", "ONLINE"): (282, 290),
        ("X11", "DIGITISED"): (10, 10),
        ("X12", "DIGITISED"): (5, 10),
        ("X21", "DIGITISED"): (10, 10),
    },
}


def make_briefing_campaign(**settings) -> Campaign:
    make_units(*UNITS)
    campaign = make_campaign(
        "CD92",
        "T",
        start=date(2022, 6, 9),
        end=date(2022, 6, 30),
        status=CampaignStatus.ACTIVE,
        legal_basis="Kế hoạch số 170/KH-UBND ngày 25/5/2022 của UBND tỉnh",
        issuer_name="Sở Thông tin và Truyền thông",
        issuer_code="STTTT",
        place_name="Bình Phước",
        **{"ranking_window": "day", **settings},
    )
    campaign.name = "Chiến dịch 92 ngày"
    make_indicator(campaign, "ONLINE", name="Tỷ lệ hồ sơ trực tuyến", unit_kinds=["commune"])
    make_indicator(campaign, "DIGITISED", name="Tỷ lệ số hóa hồ sơ", unit_kinds=["commune"])
    set_targets_for_test(
        campaign,
        {("T", "ONLINE"): 0.5, ("T", "DIGITISED"): 1.0},
        baselines={("T", "ONLINE"): (216, 1000)},
    )
    add_peer_group(
        campaign, code="XA", name="Tất cả xã", root_unit=unit_by_code("T"), kind="commune"
    )
    make_task(campaign, TASK, ("X12",), due=date(2022, 6, 9))
    for day, figures in FIGURES.items():
        enter_figures_for_test(
            campaign,
            {(unit, indicator, day): values for (unit, indicator), values in figures.items()},
            at=f"{day.isoformat()} 15:00",
        )
    return campaign
