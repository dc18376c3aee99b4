"""Excel exports of the results (targets/results/excel.py): every workbook opened with openpyxl
and held to figures worked out by hand from a small data set.

The campaign runs 10 days (01–10/06/2022) on P1 with two commune indicators and its own band
limits (95, 85, 75, 60):
- HS, a ratio flow, target 50% set on P1 (every unit inherits it);
- HN, a count flow, own targets C11 10, C12 10, C21 20 (D1 20, D2 20, P1 40 added up); a
  window is held to its share of the 10 days.

Figures (numerator, denominator):
            01/06      02/06      03/06
  C11  HS   8/10       9/10       4/10
       HN   1          1          –
  C12  HS   2/10       –          3/10
  C21  HS   –          9/10       –
       HN   1          –          2

Results on 03/06 over the 7-day window (01–03/06, 3 of the campaign's 10 days):
  C11  HS 21/30 = 70% → 1,4 (1);   HN 2 of 10×3/10 = 3 → 0,667;   score (1 + 0,667)/2 = 83,33
  C12  HS 5/20 = 25% → 0,5;        HN not reported → 0;           score 25,00
  C21  HS 9/10 = 90% → 1,8 (1);    HN 3 of 20×3/10 = 6 → 0,5;     score 75,00
  D1   HS 26/50 = 52% → 1,04 (1);  HN 2 of 6 → 0,333;             score 66,67
  D2   as C21                                                      score 75,00
  P1   HS 35/60 = 58,33% → 1,1667; HN 5 of 12 → 0,4167;           score 70,83
On 02/06 (01–02/06, 2 days): D1 HS 19/30 (1), HN 2 of 4 (0,5) → 75,00; D2 HS 9/10 (1), HN 1 of
4 (0,25) → 62,50. So D1 was first yesterday and D2 is first today: movement −1 and +1.
"""

import io
import zipfile
from contextlib import contextmanager
from datetime import date, datetime

import openpyxl
import pytest
from flask_babel import force_locale

from app.db import db
from app.units.queries import unit_by_code
from campaigns.models import CampaignStatus, PeerGroup
from campaigns.queries import campaign_by_code
from targets.results import engine
from targets.results.excel import matrix_workbook, ranking_workbook, unit_workbook
from tests.factories import (
    enter_figures_for_test,
    make_campaign,
    make_indicator,
    make_units,
    set_targets_for_test,
)

DAY = date(2022, 6, 3)
WEEK = "week"
FIGURES = {
    ("C11", "HS", date(2022, 6, 1)): (8, 10),
    ("C11", "HS", date(2022, 6, 2)): (9, 10),
    ("C11", "HS", date(2022, 6, 3)): (4, 10),
    ("C11", "HN", date(2022, 6, 1)): (1, None),
    ("C11", "HN", date(2022, 6, 2)): (1, None),
    ("C12", "HS", date(2022, 6, 1)): (2, 10),
    ("C12", "HS", date(2022, 6, 3)): (3, 10),
    ("C21", "HS", date(2022, 6, 2)): (9, 10),
    ("C21", "HN", date(2022, 6, 1)): (1, None),
    ("C21", "HN", date(2022, 6, 3)): (2, None),
}


def build_campaign() -> None:
    """The campaign of the module docstring, in the current app context (committed)."""
    campaign = make_campaign(
        "KQ",
        "P1",
        start=date(2022, 6, 1),
        end=date(2022, 6, 10),
        status=CampaignStatus.ACTIVE,
        band_excellent=95,
        band_good=85,
        band_fair=75,
        band_average=60,
    )
    make_indicator(campaign, "HS", unit_kinds=["commune"], name="Tỷ lệ hồ sơ trực tuyến")
    make_indicator(campaign, "HN", "count", unit_kinds=["commune"], name="Số hội nghị")
    set_targets_for_test(
        campaign,
        {("P1", "HS"): 0.5, ("C11", "HN"): 10, ("C12", "HN"): 10, ("C21", "HN"): 20},
    )
    enter_figures_for_test(campaign, FIGURES, at="2022-06-04 09:00")
    db.session.commit()


@pytest.fixture
def campaign(app, world):
    with app.app_context():
        build_campaign()


@contextmanager
def english(app):
    with app.app_context(), force_locale("en"):
        yield


def opened(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def row_values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def band_rules(sheet, cells: str) -> list[tuple[str, str | None, str | float, bool]]:
    """(type, operator, formula or limit, stop if true) of the conditional formats on
    `cells`, in priority order."""
    for area in sheet.conditional_formatting:
        if str(area.sqref) == cells:
            return [
                (
                    rule.type,
                    rule.operator,
                    float(rule.formula[0]) if rule.type == "cellIs" else rule.formula[0],
                    bool(rule.stopIfTrue),
                )
                for rule in area.rules
            ]
    return []


def expected_rules(first_cell: str, limits: tuple[float, float, float, float]) -> list:
    """The rules colouring a column by band: blanks left alone, then each band's limit from
    the best down, the weak band below the lowest limit."""
    excellent, good, fair, average = limits
    return [
        ("containsBlanks", None, f"LEN(TRIM({first_cell}))=0", True),
        ("cellIs", "greaterThanOrEqual", excellent, True),
        ("cellIs", "greaterThanOrEqual", good, True),
        ("cellIs", "greaterThanOrEqual", fair, True),
        ("cellIs", "greaterThanOrEqual", average, True),
        ("cellIs", "lessThan", average, False),
    ]


SCORE_LIMITS = (95, 85, 75, 60)
ACHIEVEMENT_LIMITS = (0.95, 0.85, 0.75, 0.6)


# --- the unit's overview ---------------------------------------------------------------------


def test_the_overview_lists_each_indicator_with_its_figures(app, campaign):
    with english(app):
        content = unit_workbook(campaign_by_code("KQ"), unit_by_code("P1"), DAY, WEEK)
    workbook = opened(content)
    assert workbook.sheetnames == ["Indicators", "Levels", "Ranking – District", "Trend"]
    sheet = workbook["Indicators"]
    assert sheet["A1"].value == "Chiến dịch KQ"
    assert sheet["A2"].value == "Tỉnh Một"
    assert sheet["A3"].value == "Date 03/06/2022, Last 7 days (01/06/2022–03/06/2022)"
    # P1: 70,83 is at least the fair limit (75)? No: below it and above 60, so "Average".
    assert row_values(sheet, 4)[:3] == ["Score", pytest.approx(70.83), "Average"]
    assert row_values(sheet, 5) == [
        "Code",
        "Indicator",
        "Value",
        "Numerator",
        "Denominator",
        "Target",
        "Achievement",
        "Change since yesterday",
        "On track",
        "Forecast",
        "At risk",
        "Weight",
        "Contribution (points)",
    ]
    hs, hn = row_values(sheet, 6), row_values(sheet, 7)
    # HS: 35/60; yesterday 28/40 = 70%, so −11,67 points; achievement 58,33 ÷ 50.
    # Forecast: the line through 50%, 70%, 58,33% (days 0, 1, 2) has slope
    # (−1 × (50 − 59,44) + 1 × (58,33 − 59,44)) ÷ 2 = 4,1667 points a day; on 10/06 (day 9):
    # 59,44 + 4,1667 × 8 = 92,78%, above the 50% target: not at risk. No baseline nor
    # milestone: the trajectory is the target, 58,33% ≥ 50%: on track.
    assert hs == [
        "HS",
        "Tỷ lệ hồ sơ trực tuyến",
        pytest.approx(35 / 60),
        35,
        60,
        0.5,
        pytest.approx(35 / 60 / 0.5),
        pytest.approx(35 / 60 - 28 / 40),
        "Yes",
        pytest.approx(0.9277778, abs=1e-6),
        "No",
        1,
        pytest.approx(50.0),
    ]
    # HN: 5 of 40 × 3/10 = 12; yesterday 3, so +2. Forecast: through 2, 3, 5 the slope is
    # (−1 × (2 − 3,33) + 1 × (5 − 3,33)) ÷ 2 = 1,5; on day 9: 3,33 + 1,5 × 8 = 15,33, below the
    # last week's share 40 × 7/10 = 28: at risk. On track compares the campaign to date (5)
    # with the trajectory (the target, 40): no.
    assert hn == [
        "HN",
        "Số hội nghị",
        5,
        5,
        None,
        pytest.approx(12),
        pytest.approx(5 / 12),
        pytest.approx(2),
        "No",
        pytest.approx(15 + 1 / 3),
        "Yes",
        1,
        pytest.approx(100 * 0.5 * 5 / 12),
    ]
    assert sheet.max_row == 7
    assert sheet.freeze_panes == "C6"
    for cell in (*hs[2:8], hs[9], hs[11], hs[12]):
        assert not isinstance(cell, str)
    assert sheet["C6"].number_format == "0.00%"
    assert sheet["C7"].number_format == "#,##0"
    assert sheet["D6"].number_format == "#,##0"
    assert sheet["H6"].number_format == "+0.00%;-0.00%;0.00%"
    assert sheet["E7"].value is None
    assert band_rules(sheet, "B4") == expected_rules("B4", SCORE_LIMITS)
    assert band_rules(sheet, "G6:G7") == expected_rules("G6", ACHIEVEMENT_LIMITS)


def test_the_overview_ranks_each_peer_group_below_the_unit(app, campaign):
    with app.app_context():
        campaign_row = campaign_by_code("KQ")
        db.session.add(
            PeerGroup(
                campaign_id=campaign_row.id,
                code="XA",
                name="Tất cả xã",
                root_unit_id=unit_by_code("P1").id,
                kind="commune",
            )
        )
        db.session.commit()
    with english(app):
        workbook = opened(unit_workbook(campaign_by_code("KQ"), unit_by_code("P1"), DAY, WEEK))
    assert workbook.sheetnames == [
        "Indicators",
        "Levels",
        "Ranking – District",
        "Ranking – Tất cả xã",
        "Trend",
    ]
    districts = workbook["Ranking – District"]
    assert districts["A2"].value == "District units of Tỉnh Một"
    assert row_values(districts, 5) == [
        "Rank",
        "Movement since yesterday",
        "Movement over 7 days",
        "Code",
        "Unit",
        "Score",
        "Band",
        "Missing",
        "Tỷ lệ hồ sơ trực tuyến",
        "Số hội nghị",
    ]
    # D2 75,00 (exactly the fair limit: "Fair"), first today, second yesterday; D1 66,67.
    # Seven days before 03/06 is before the campaign: no movement over 7 days.
    assert row_values(districts, 6) == [
        1,
        1,
        None,
        "D2",
        "Huyện Bù Đốp",
        75,
        "Fair",
        None,
        pytest.approx(0.9),
        3,
    ]
    assert row_values(districts, 7) == [
        2, -1, None, "D1", "Huyện Đức Hợp", pytest.approx(66.67), "Average", None,
        pytest.approx(26 / 50), 2,
    ]  # fmt: skip
    assert districts.max_row == 7
    assert districts.freeze_panes == "F6"
    assert districts["B6"].number_format == "+0;-0;0"
    assert districts["I6"].number_format == "0.00%"
    assert band_rules(districts, "F6:F7") == expected_rules("F6", SCORE_LIMITS)
    communes = workbook["Ranking – Tất cả xã"]
    assert communes["A2"].value == "Tất cả xã"
    # C11 83,33 (below 85: fair), C21 75,00 (fair), C12 25,00 (weak).
    assert [row_values(communes, row)[3:7] for row in (6, 7, 8)] == [
        ["C11", "Xã Đức Trung", pytest.approx(83.33), "Fair"],
        ["C21", "Thị trấn Thanh Bình", 75, "Fair"],
        ["C12", "Xã Đức Quang", 25, "Weak"],
    ]
    assert [communes.cell(row, 1).value for row in (6, 7, 8)] == [1, 2, 3]


def test_the_overview_breaks_the_figures_down_by_level(app, campaign):
    with english(app):
        workbook = opened(unit_workbook(campaign_by_code("KQ"), unit_by_code("D1"), DAY, WEEK))
    sheet = workbook["Levels"]
    assert sheet["A2"].value == "Huyện Đức Hợp"
    assert row_values(sheet, 5) == [
        "Level",
        "Indicator",
        "Numerator",
        "Denominator",
        "Value",
        "Value in the first week",
    ]
    # Only communes entered figures: C11 and C12 over 01–03/06; the first week (01–07/06)
    # holds the same entries.
    assert row_values(sheet, 6) == [
        "Commune", "Tỷ lệ hồ sơ trực tuyến", 26, 50, pytest.approx(0.52), pytest.approx(0.52)
    ]  # fmt: skip
    assert row_values(sheet, 7) == ["Commune", "Số hội nghị", 2, None, 2, 2]
    assert sheet.max_row == 7
    assert sheet.freeze_panes == "C6"


def test_the_overview_holds_the_daily_trend_and_a_native_chart_per_indicator(app, campaign):
    with english(app):
        content = unit_workbook(campaign_by_code("KQ"), unit_by_code("P1"), DAY, WEEK)
    sheet = opened(content)["Trend"]
    assert row_values(sheet, 5) == [
        "Date",
        "Tỷ lệ hồ sơ trực tuyến",
        "Target: Tỷ lệ hồ sơ trực tuyến",
        "Số hội nghị",
        "Target: Số hội nghị",
    ]
    # The 7-day window ending on each day; HN's target is 40 × (days in the window) / 10.
    assert [row_values(sheet, row)[:5] for row in (6, 7, 8)] == [
        [datetime(2022, 6, 1), pytest.approx(10 / 20), 0.5, 2, pytest.approx(4)],
        [datetime(2022, 6, 2), pytest.approx(28 / 40), 0.5, 3, pytest.approx(8)],
        [datetime(2022, 6, 3), pytest.approx(35 / 60), 0.5, 5, pytest.approx(12)],
    ]
    assert sheet["A6"].number_format == "dd/mm/yyyy"
    assert sheet.freeze_panes == "B6"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = sorted(name for name in archive.namelist() if name.startswith("xl/charts/"))
        first = archive.read("xl/charts/chart1.xml").decode()
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
    assert "<c:lineChart>" in first
    assert "Trend!$B$6:$B$8" in first and "Trend!$C$6:$C$8" in first


# --- one group's ranking, the matrix ---------------------------------------------------------


def test_the_ranking_workbook_holds_one_group(app, campaign):
    with english(app):
        campaign_row = campaign_by_code("KQ")
        group = engine.Group("commune", unit_by_code("D1"))
        workbook = opened(ranking_workbook(campaign_row, group, DAY, WEEK))
    assert workbook.sheetnames == ["Ranking – Commune"]
    sheet = workbook.active
    assert sheet["A2"].value == "Commune units of Huyện Đức Hợp"
    # On 02/06 (2 days): C11 HS 17/20 (1), HN 2 of 10 × 2/10 = 2 (1) → 100; C12 HS 2/10 →
    # 0,4, HN 0 → 20: same order as today, no movement.
    assert [row_values(sheet, row)[:8] for row in (6, 7)] == [
        [1, 0, None, "C11", "Xã Đức Trung", pytest.approx(83.33), "Fair", None],
        [2, 0, None, "C12", "Xã Đức Quang", 25, "Weak", None],
    ]
    assert [row_values(sheet, row)[8:] for row in (6, 7)] == [
        [pytest.approx(0.7), 2],
        [pytest.approx(0.25), None],
    ]
    assert sheet.max_row == 7


def test_a_unit_without_figures_in_the_window_is_flagged_missing(app, campaign):
    # On 10/06 (window 04–10/06) nobody entered anything: both districts score 0 and share
    # rank 1. On 09/06 (03–09/06, 7 days, HN held to 20 × 7/10 = 14): D1 HS 7/20 → 0,7, HN 0
    # → 35,00, first; D2 HS none → 0, HN 2 of 14 → 7,14, second. On 03/06: D2 first, D1
    # second. Movement: D1 1 → 1 (0), 2 → 1 (+1); D2 2 → 1 (+1), 1 → 1 (0).
    with english(app):
        group = engine.Group("district", unit_by_code("P1"))
        sheet = opened(
            ranking_workbook(campaign_by_code("KQ"), group, date(2022, 6, 10), WEEK)
        ).active
    assert [row_values(sheet, row)[:8] for row in (6, 7)] == [
        [1, 0, 1, "D1", "Huyện Đức Hợp", 0, "Weak", "Yes"],
        [1, 1, 0, "D2", "Huyện Bù Đốp", 0, "Weak", "Yes"],
    ]
    assert [row_values(sheet, row)[8:] for row in (6, 7)] == [[None, None], [None, None]]


@pytest.mark.parametrize(
    ("order", "codes"),
    [
        ("score", ["C11", "C21", "C12"]),
        ("name", ["C21", "C12", "C11"]),  # Thị trấn Thanh Bình, Xã Đức Quang, Xã Đức Trung
        ("HN", ["C11", "C21", "C12"]),  # 0,667, 0,5, 0
    ],
)
def test_the_matrix_lists_every_unit_of_a_kind_with_its_achievements(app, campaign, order, codes):
    with english(app):
        content = matrix_workbook(
            campaign_by_code("KQ"), unit_by_code("P1"), "commune", DAY, WEEK, order
        )
    sheet = opened(content)["Matrix"]
    assert sheet["A2"].value == "Commune units below Tỉnh Một"
    assert row_values(sheet, 5) == [
        "Rank",
        "Code",
        "Unit",
        "Score",
        "Band",
        "Tỷ lệ hồ sơ trực tuyến",
        "Số hội nghị",
    ]
    expected = {
        "C11": [1, "C11", "Xã Đức Trung", pytest.approx(83.33), "Fair", 1.4, pytest.approx(2 / 3)],
        "C21": [2, "C21", "Thị trấn Thanh Bình", 75, "Fair", 1.8, 0.5],
        # HN not reported counts 0.
        "C12": [3, "C12", "Xã Đức Quang", 25, "Weak", 0.5, 0],
    }
    rows = [row_values(sheet, row) for row in (6, 7, 8)]
    assert rows == [
        [*expected[code][:5], *(pytest.approx(v) for v in expected[code][5:])] for code in codes
    ]
    assert sheet.max_row == 8
    assert sheet.freeze_panes == "D6"
    assert sheet["F6"].number_format == "0.00%"
    assert band_rules(sheet, "D6:D8") == expected_rules("D6", SCORE_LIMITS)
    assert band_rules(sheet, "F6:F8") == expected_rules("F6", ACHIEVEMENT_LIMITS)
    assert band_rules(sheet, "G6:G8") == expected_rules("G6", ACHIEVEMENT_LIMITS)


# --- text that must stay text ----------------------------------------------------------------


EVIL_NAMES = ('=HYPERLINK("http://evil.example","x")', "+1", "-1", "@x")


def test_names_that_look_like_formulas_stay_text(app, campaign):
    with app.app_context():
        make_units(
            *((f"C2{n}", name, "commune", "D2") for n, name in enumerate(EVIL_NAMES, start=2))
        )
        db.session.add(
            PeerGroup(
                campaign_id=campaign_by_code("KQ").id,
                code="EVIL",
                name="=1+1",
                root_unit_id=unit_by_code("D2").id,
                kind="commune",
            )
        )
        db.session.commit()
    with english(app):
        campaign_row = campaign_by_code("KQ")
        group = engine.campaign_group(campaign_row, "EVIL")
        content = ranking_workbook(campaign_row, group, DAY, WEEK)
        matrix = matrix_workbook(campaign_row, unit_by_code("D2"), "commune", DAY, WEEK, "name")
    for workbook in (opened(content), opened(matrix)):
        sheet = workbook.worksheets[0]
        names = {
            cell.value
            for row in sheet.iter_rows(min_row=6)
            for cell in row
            if isinstance(cell.value, str) and cell.value.lstrip("'") in EVIL_NAMES
        }
        assert names == {"'" + name for name in EVIL_NAMES}
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    ranking = opened(content)
    assert ranking.sheetnames == ["Ranking – =1+1"]
    assert ranking.active["A2"].value == "'=1+1"


def test_sheet_names_are_shortened_cleaned_and_kept_unique(app, campaign):
    names = ("Xã [vùng 1]: khó khăn / loại A", "Xã [vùng 1]: khó khăn / loại B")
    with app.app_context():
        campaign_row = campaign_by_code("KQ")
        for code, name in zip(("A", "B"), names, strict=True):
            db.session.add(
                PeerGroup(
                    campaign_id=campaign_row.id,
                    code=code,
                    name=name,
                    root_unit_id=unit_by_code("P1").id,
                    kind="commune",
                )
            )
        db.session.commit()
    with english(app):
        workbook = opened(unit_workbook(campaign_by_code("KQ"), unit_by_code("P1"), DAY, WEEK))
    # "Ranking – " and the name without []:*?/\ (runs of spaces made one), cut at 31
    # characters: both read "Ranking – Xã vùng 1 khó khăn lo", so the second is cut to 27
    # and gets " (2)".
    assert workbook.sheetnames[3:5] == [
        "Ranking – Xã vùng 1 khó khăn lo",
        "Ranking – Xã vùng 1 khó khă (2)",
    ]
    assert [workbook[sheet]["A2"].value for sheet in workbook.sheetnames[3:5]] == list(names)
