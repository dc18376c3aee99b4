"""The measurement engine on the database (targets/results/engine.py and queries.py): figures
added up in SQL, scores, ranks, peer groups, one unit's result in full, the day-by-day series,
on SQLite and PostgreSQL alike.

Every expectation is worked out by hand from the figures entered in the test; the arithmetic
is in the comments. The campaigns run 30 days, 20/06–19/07/2022, so the four windows on
10/07 all differ: day 10/07, week 04/07–10/07, month 01/07–10/07, campaign 20/06–10/07.

The tree (the ranking tests add a board B1 and communes C13–C15 under D1):

    P (province, the campaign's owner)
    ├── A1 (agency)
    ├── D1 (district)
    │   └── C11, C12 (communes)
    └── D2 (district)
        └── C21, C22 (communes)
"""

from datetime import date
from types import SimpleNamespace

import pytest
from pytest import approx

from app.db import db
from campaigns.models import CampaignStatus, PeerGroup
from campaigns.progress.models import EntrySource
from campaigns.progress.operations import EntryInput, save_entries
from targets.operations import MilestoneInput, set_milestones
from targets.results import engine, queries
from targets.results.rules import WINDOWS, Band, Period, Status, Totals, value_of
from targets.rules import Effective, TargetSource
from tests.factories import (
    enter_figures_for_test,
    local_moment,
    make_campaign,
    make_indicator,
    make_units,
    set_targets_for_test,
)

START, END = date(2022, 6, 20), date(2022, 7, 19)  # 30 days
DAY = date(2022, 7, 10)  # day 21 of 30
SAVED_AT = "2022-07-19 15:00"  # every figure is saved on the campaign's last day

TREE = (
    ("P", "Tỉnh Thử", "province", None),
    ("A1", "Sở Nội vụ", "agency", "P"),
    ("D1", "Huyện Một", "district", "P"),
    ("C11", "Xã Một Một", "commune", "D1"),
    ("C12", "Xã Một Hai", "commune", "D1"),
    ("D2", "Huyện Hai", "district", "P"),
    ("C21", "Xã Hai Một", "commune", "D2"),
    ("C22", "Xã Hai Hai", "commune", "D2"),
)


def d(month: int, day: int) -> date:
    return date(2022, month, day)


def build(tree=TREE, indicators=(), targets=None, baselines=None, figures=None):
    """Units, an active campaign owned by P with `indicators` ((code, options) pairs), own
    targets and baselines, and figures saved through save_entries; committed."""
    units = {unit.code: unit for unit in make_units(*tree)}
    campaign = make_campaign("KQ", "P", start=START, end=END, status=CampaignStatus.ACTIVE)
    made = {code: make_indicator(campaign, code, **options) for code, options in indicators}
    if targets or baselines:
        set_targets_for_test(campaign, targets, baselines=baselines)
    if figures:
        enter(campaign, figures)
    db.session.commit()
    return SimpleNamespace(campaign=campaign, units=units, indicators=made)


def enter(campaign, figures):
    enter_figures_for_test(campaign, figures, at=SAVED_AT)


def enter_lower_levels(campaign, figures):
    """Stock levels below the previous ones, with the note save_entries asks for."""
    inputs = [
        EntryInput(unit, code, day, numerator, denominator, reason="Rà soát lại số liệu")
        for (unit, code, day), (numerator, denominator) in figures.items()
    ]
    save_entries(campaign, inputs, user=None, source=EntrySource.DEMO, now=local_moment(SAVED_AT))


def periods_on(campaign, day):
    return [engine.period_of(campaign, window, day) for window in WINDOWS]


def by_code(indicator_results):
    return {item.indicator.code: item for item in indicator_results}


# --- windows and figures added up in SQL ----------------------------------------------------

# HS: a ratio flow every kind reports; TK: a count stock only communes report.
FIGURES = {
    ("D1", "HS", d(7, 10)): (5, 10),  # a district's own figures count with its communes'
    ("C11", "HS", d(6, 25)): (1, 4),
    ("C11", "HS", d(7, 2)): (2, 5),
    ("C11", "HS", d(7, 5)): (3, 6),
    ("C11", "HS", d(7, 10)): (4, 8),
    ("C12", "HS", d(7, 9)): (6, 10),
    ("C21", "HS", d(6, 30)): (7, 10),
    ("C21", "HS", d(7, 4)): (1, 2),
    ("A1", "HS", d(7, 10)): (9, 10),
    ("C11", "TK", d(6, 22)): (10, None),
    ("C11", "TK", d(7, 3)): (12, None),
    ("C12", "TK", d(7, 8)): (5, None),
    ("C21", "TK", d(6, 22)): (4, None),  # day 3, and never again
}


@pytest.fixture
def figures(app_context):
    return build(
        indicators=[
            ("HS", {}),
            ("TK", {"kind": "count", "measure": "stock", "unit_kinds": ["commune"]}),
        ],
        figures=FIGURES,
    )


def test_windows_of_a_day(figures):
    campaign = figures.campaign
    assert periods_on(campaign, DAY) == [
        Period(d(7, 10), d(7, 10)),
        Period(d(7, 4), d(7, 10)),
        Period(d(7, 1), d(7, 10)),
        Period(START, d(7, 10)),
    ]
    # Three days in: the week and the month start with the campaign.
    assert periods_on(campaign, d(6, 22))[1:] == [Period(START, d(6, 22))] * 3
    # Results open on yesterday while the campaign runs, else on its first or last day.
    assert engine.default_day(campaign, d(7, 11)) == DAY
    assert engine.default_day(campaign, START) == START
    assert engine.default_day(campaign, d(6, 1)) == START
    assert engine.default_day(campaign, d(8, 5)) == END


def test_window_totals_roll_a_subtree_up_over_every_window(figures):
    campaign, units = figures.campaign, figures.units
    hs, tk = figures.indicators["HS"].id, figures.indicators["TK"].id
    d1, d2, p, c22 = (units[code].id for code in ("D1", "D2", "P", "C22"))

    totals = queries.window_totals(
        engine.indicator_rules(campaign), [d1, d2, p, c22], periods_on(campaign, DAY), START
    )

    def flows(unit_id):
        return [totals.get((unit_id, hs, index)) for index in range(4)]

    def stocks(unit_id):
        return [totals.get((unit_id, tk, index)) for index in range(4)]

    # D1 = its own entries + C11's + C12's.
    #   day 10/07:            D1 5/10 + C11 4/8                              = 9/18, 2 entries
    #   week 04/07–10/07:     + C11 3/6 (05/07) + C12 6/10 (09/07)            = 18/34, 4
    #   month 01/07–10/07:    + C11 2/5 (02/07)                               = 20/39, 5
    #   campaign 20/06–10/07: + C11 1/4 (25/06)                               = 21/43, 6
    assert flows(d1) == [
        Totals(9, 18, 2, True),
        Totals(18, 34, 4, True),
        Totals(20, 39, 5, True),
        Totals(21, 43, 6, True),
    ]
    # D2: C21 1/2 on 04/07 and 7/10 on 30/06; nothing on 10/07.
    assert flows(d2) == [None, Totals(1, 2, 1, True), Totals(1, 2, 1, True), Totals(8, 12, 2, True)]
    # P = everything: D1's + C21's + A1's 9/10 of 10/07.
    #   day 9/18 + 9/10 = 18/28; week 18/34 + 1/2 + 9/10 = 28/46;
    #   month 20/39 + 1/2 + 9/10 = 30/51; campaign 21/43 + 8/12 + 9/10 = 38/65.
    assert flows(p) == [
        Totals(18, 28, 3, True),
        Totals(28, 46, 6, True),
        Totals(30, 51, 7, True),
        Totals(38, 65, 9, True),
    ]
    assert flows(c22) == [None] * 4

    # Stocks: each commune's latest level on or before 10/07, whatever the window's start;
    # only the entries counted depend on the window.
    # D1: C11 12 (03/07) + C12 5 (08/07) = 17; entries dated in the window: 0, 1, 2, 3.
    assert stocks(d1) == [Totals(17, None, entries, True) for entries in (0, 1, 2, 3)]
    # D2: C21's 4 of 22/06 still counts on 10/07, in every window.
    assert stocks(d2) == [Totals(4, None, entries, True) for entries in (0, 0, 0, 1)]
    # P: 12 + 5 + 4 = 21.
    assert stocks(p) == [Totals(21, None, entries, True) for entries in (0, 1, 2, 4)]
    assert stocks(c22) == [None] * 4


def test_a_stock_level_is_carried_forward_from_day_three_to_day_ten(figures):
    campaign, units = figures.campaign, figures.units
    tk = figures.indicators["TK"].id
    day_ten = d(6, 29)
    totals = queries.window_totals(
        engine.indicator_rules(campaign),
        [units["D2"].id, units["D1"].id],
        [engine.period_of(campaign, "day", day_ten)],
        START,
    )
    # C21 reported 4 on 22/06 (day 3) and nothing since: D2 has 4 on 29/06 (day 10), with no
    # entry that day. D1 on 29/06: C11's 10 of 22/06 (its 12 comes on 03/07).
    assert totals[(units["D2"].id, tk, 0)] == Totals(4, None, 0, True)
    assert totals[(units["D1"].id, tk, 0)] == Totals(10, None, 0, True)


def test_level_breakdown_splits_the_figures_by_kind(figures):
    campaign, units = figures.campaign, figures.units
    hs, tk = figures.indicators["HS"].id, figures.indicators["TK"].id

    levels = engine.level_breakdown(campaign, units["P"], DAY, "week")

    # Kinds that entered figures, higher levels first (the province enters none itself).
    assert [level.kind for level in levels] == ["agency", "district", "commune"]
    agency, district, commune = levels
    # The week 04/07–10/07, and the first week 20/06–26/06.
    assert agency.now == {hs: Totals(9, 10, 1, True)}
    assert agency.first_week == {}
    assert district.now == {hs: Totals(5, 10, 1, True)}
    assert district.first_week == {}
    # Communes' HS: C11 3/6 + 4/8, C12 6/10, C21 1/2 = 14/26 (4 entries);
    # TK on 10/07: 12 + 5 + 4 = 21, one entry in the week (C12, 08/07).
    assert commune.now == {hs: Totals(14, 26, 4, True), tk: Totals(21, None, 1, True)}
    # First week: HS C11 1/4 (25/06); TK on 26/06: C11 10 + C21 4 = 14 (2 entries, 22/06).
    assert commune.first_week == {hs: Totals(1, 4, 1, True), tk: Totals(14, None, 2, True)}

    # A district's breakdown holds only its subtree: D1 5/10 itself, its communes' HS
    # C11 3/6 + 4/8 + C12 6/10 = 13/24 and TK 12 + 5 = 17.
    district, commune = engine.level_breakdown(campaign, units["D1"], DAY, "week")
    assert (district.kind, district.now) == ("district", {hs: Totals(5, 10, 1, True)})
    assert (commune.kind, commune.now) == (
        "commune",
        {hs: Totals(13, 24, 3, True), tk: Totals(17, None, 1, True)},
    )


# --- scores ---------------------------------------------------------------------------------


@pytest.fixture
def scoring(app_context):
    """Five indicators of D1, week 04/07–10/07:

    HS  ratio flow, weight 2, target 0.8 set on P (D1 inherits it); baseline 30/100.
    QH  ratio flow, lower is better (overdue rate), D1's own target 0.1; baseline 5/10,
        milestone 0.4 on 04/07.
    TK  count stock of communes; targets C11 15, C12 10 (D1: 25), C21 10, C22 6 (D2: 16).
    HN  count flow (conferences), D1's own target 30 for the campaign; nothing reported.
    DV  ratio flow, target 0.5 set on P; D1 reported 0 of 0 dossiers.
    """
    built = build(
        indicators=[
            ("HS", {"weight": 2}),
            ("QH", {"direction": "lower"}),
            ("TK", {"kind": "count", "measure": "stock", "unit_kinds": ["commune"]}),
            ("HN", {"kind": "count"}),
            ("DV", {}),
        ],
        targets={
            ("P", "HS"): 0.8,
            ("D1", "QH"): 0.1,
            ("C11", "TK"): 15,
            ("C12", "TK"): 10,
            ("C21", "TK"): 10,
            ("C22", "TK"): 6,
            ("D1", "HN"): 30,
            ("P", "DV"): 0.5,
        },
        baselines={("D1", "HS"): (30, 100), ("D1", "QH"): (5, 10)},
        figures={
            ("C11", "HS", d(7, 3)): (2, 10),  # in the week ending 09/07, not in 04/07–10/07
            ("C11", "HS", d(7, 5)): (8, 10),
            ("C12", "HS", d(7, 9)): (10, 20),
            ("D1", "QH", d(7, 6)): (2, 10),
            ("C11", "TK", d(7, 1)): (18, None),  # before the week: still C11's level
            ("C12", "TK", d(7, 7)): (12, None),
            ("C21", "TK", d(6, 28)): (8, None),  # D2's only entry, before the week
            ("C11", "DV", d(7, 8)): (0, 0),
        },
    )
    set_milestones(
        built.campaign,
        built.units["D1"],
        built.indicators["QH"],
        [MilestoneInput(d(7, 4), 0.4)],
        user=None,
        source="demo",
    )
    db.session.commit()
    return built


def test_a_units_score_from_its_indicators(scoring):
    units = scoring.units
    result = engine.unit_result(scoring.campaign, units["D1"], DAY, "week")
    scored = {code: item.scored for code, item in by_code(result.indicators).items()}

    # Weights that count: HS 2 + QH 1 + TK 1 + HN 1 = 5 (DV, 0 dossiers, is left out).
    # HS: 8/10 (C11, 05/07) + 10/20 (C12, 09/07) = 18/30 = 0.6; 0.6 ÷ 0.8 = 0.75;
    #     share 2/5 = 0.4; 100 × 0.4 × 0.75 = 30.
    hs = scored["HS"]
    assert (hs.totals, hs.value, hs.target, hs.status) == (
        Totals(18, 30, 2, True),
        approx(0.6),
        0.8,
        Status.SCORED,
    )
    assert (hs.achievement, hs.weight_share, hs.contribution) == approx((0.75, 0.4, 30.0))
    # QH, lower is better: 2/10 = 0.2; (1 − 0.2) ÷ (1 − 0.1) = 0.8/0.9; share 0.2;
    #     100 × 0.2 × 0.8/0.9 = 17.777…
    qh = scored["QH"]
    assert (qh.value, qh.target, qh.status) == (approx(0.2), 0.1, Status.SCORED)
    assert (qh.achievement, qh.weight_share, qh.contribution) == approx((0.8 / 0.9, 0.2, 16 / 0.9))
    # TK: C11 18 (01/07, before the week) + C12 12 (07/07) = 30; 30 ÷ 25 = 1.2 shown,
    #     capped at 1 in the score: 100 × 0.2 × 1 = 20.
    tk = scored["TK"]
    assert (tk.totals, tk.value, tk.target, tk.status) == (
        Totals(30, None, 1, True),
        30.0,
        25.0,
        Status.SCORED,
    )
    assert (tk.achievement, tk.capped_achievement, tk.contribution) == approx((1.2, 1.0, 20.0))
    # HN: nothing reported scores 0 with its weight; its week target is 30 × 7 ÷ 30 = 7.
    hn = scored["HN"]
    assert (hn.status, hn.value, hn.achievement, hn.capped_achievement) == (
        Status.NOT_REPORTED,
        None,
        None,
        0.0,
    )
    assert (hn.target, hn.weight_share, hn.contribution) == approx((7.0, 0.2, 0.0))
    # DV: reported 0 of 0: left out, and the other weights renormalised without it.
    dv = scored["DV"]
    assert (dv.totals, dv.value, dv.status, dv.weight_share, dv.contribution) == (
        Totals(0, 0, 1, True),
        None,
        Status.ZERO_DENOMINATOR,
        0.0,
        0.0,
    )
    # 30 + 17.777… + 20 + 0 = 67.777… → 67.78: "average" (50 ≤ score < 70).
    assert result.score == 67.78
    assert (result.band, result.missing) == (Band.AVERAGE, False)
    assert result.period == Period(d(7, 4), DAY)


def test_indicators_without_a_target_are_left_out_and_a_unit_without_entries_is_missing(scoring):
    result = engine.unit_result(scoring.campaign, scoring.units["D2"], DAY, "week")
    scored = {code: item.scored for code, item in by_code(result.indicators).items()}

    # D2 has no target for QH (D1's own) nor HN (no count target below it): left out.
    assert scored["QH"].status is Status.NO_TARGET
    assert scored["HN"].status is Status.NO_TARGET
    # Weights that count: HS 2 + TK 1 + DV 1 = 4. HS and DV not reported: 0.
    # TK: C21's 8 of 28/06 carried forward; target C21 10 + C22 6 = 16; 8 ÷ 16 = 0.5.
    # Score 100 × 1/4 × 0.5 = 12.5: "weak".
    assert scored["TK"].totals == Totals(8, None, 0, True)
    assert scored["TK"].achievement == approx(0.5)
    assert [scored[code].weight_share for code in ("HS", "TK", "DV")] == approx([0.5, 0.25, 0.25])
    assert (result.score, result.band) == (12.5, Band.WEAK)
    # No entry dated 04/07–10/07 in D2's subtree: missing, though its stock level counts.
    assert result.missing is True


def test_missing_depends_on_the_window(scoring):
    units = scoring.units
    # D1 entered nothing dated 10/07: missing on the day, not over the week.
    day = engine.unit_result(scoring.campaign, units["D1"], DAY, "day")
    assert day.missing is True
    # Yet on the day TK still counts (levels carried forward), while HS, QH, HN and DV have
    # no figures dated 10/07 and count 0 (DV's 0 of 0 is dated 08/07): weights
    # 2 + 1 + 1 + 1 + 1 = 6; TK capped at 1: 100 × 1/6 = 16.67. HN's day target: 30 ÷ 30.
    scored = {code: item.scored for code, item in by_code(day.indicators).items()}
    assert scored["DV"].status is Status.NOT_REPORTED
    assert scored["HN"].target == approx(1.0)
    assert day.score == 16.67
    assert engine.unit_result(scoring.campaign, units["D1"], DAY, "week").missing is False


def test_unit_result_targets_baselines_trajectory_and_forecast(scoring):
    units = scoring.units
    result = engine.unit_result(scoring.campaign, units["D1"], DAY, "week")
    items = by_code(result.indicators)
    hs, qh, tk, hn, dv = (items[code] for code in ("HS", "QH", "TK", "HN", "DV"))

    # Targets: inherited from P, D1's own, the sum of the communes' own.
    assert hs.effective == Effective(0.8, TargetSource.INHERITED, units["P"].id)
    assert qh.effective == Effective(0.1, TargetSource.OWN, units["D1"].id)
    assert tk.effective == Effective(25, TargetSource.SUM_OF_CHILDREN, None)
    assert hn.effective == Effective(30, TargetSource.OWN, units["D1"].id)
    assert dv.effective == Effective(0.5, TargetSource.INHERITED, units["P"].id)
    assert (hs.baseline, qh.baseline, tk.baseline) == (approx(0.3), approx(0.5), None)

    # The week ending 09/07 (03/07–09/07): HS 2/10 + 8/10 + 10/20 = 20/40 = 0.5 → +0.1;
    # QH 2/10 both days; TK 30 both days; HN and DV have no value.
    assert (hs.previous_value, hs.change) == (approx(0.5), approx(0.1))
    assert (qh.previous_value, qh.change) == (approx(0.2), approx(0.0))
    assert (tk.previous_value, tk.change) == (30.0, 0.0)
    assert (hn.previous_value, hn.change, dv.previous_value, dv.change) == (None,) * 4

    # Trajectories on 10/07, 20 days after 20/06 (the campaign spans 29 days to 19/07):
    # HS straight from the baseline 0.3 to 0.8: 0.3 + 0.5 × 20/29 = 0.6448; 0.6 is below.
    assert hs.trajectory == approx(0.3 + 0.5 * 20 / 29)
    assert hs.on_track is False
    # QH through 0.5 (20/06), the milestone 0.4 (04/07), 0.1 (19/07): 6 of the last 15
    # days: 0.4 − 0.3 × 6/15 = 0.28 (0.5 − 0.4 × 20/29 = 0.224 without the milestone).
    # 0.2 ≤ 0.28: on track, lower being better.
    assert qh.trajectory == approx(0.28)
    assert qh.on_track is True
    # TK and DV have only a target: the path is the target itself.
    assert (tk.trajectory, tk.on_track) == (25.0, True)
    assert (dv.trajectory, dv.on_track) == (0.5, None)
    # HN compares the campaign to date (nothing) with 30: unknown.
    assert (hn.trajectory, hn.on_track) == (30.0, None)

    # Forecasts: a line through the week's figure on each of the last 14 days (27/06–10/07,
    # days without a value skipped), extended to 19/07.
    # HS, x = days since 03/07: 0.2, 0.2 (03–04/07: 2/10), 0.5 × 5 (05–09/07), 0.6 (10/07).
    #   mean x 3.5, mean y 3.5/8 = 0.4375; Σ(x − 3.5)² = 42; Σ(x − 3.5)·y = 2.15;
    #   slope 2.15/42; on x = 16: 0.4375 + 12.5 × 2.15/42 = 1.077 → kept at 1 (a ratio).
    assert (hs.forecast, hs.forecast_target, hs.at_risk) == (approx(1.0), 0.8, False)
    # QH: 0.2 on 06–10/07 (D1's 2/10 of 06/07): flat, 0.2 > 0.1: at risk (lower is better).
    assert (qh.forecast, qh.forecast_target, qh.at_risk) == (approx(0.2), 0.1, True)
    # TK, x = days since 01/07: 18 on x = 0..5, 30 on x = 6..9 (nothing before 01/07).
    #   mean x 4.5, mean y (6 × 18 + 4 × 30)/10 = 22.8; Σ(x − 4.5)² = 82.5;
    #   Σ(x − 4.5)·y = 18 × (−12) + 30 × 12 = 144; on x = 18:
    #   22.8 + 13.5 × 144/82.5 = 46.3636…; target 25 (a stock's target as it is).
    assert (tk.forecast, tk.forecast_target, tk.at_risk) == (approx(22.8 + 1944 / 82.5), 25, False)
    # HN: no figures, no forecast; its last week is held to 30 × 7 ÷ 30 = 7.
    assert (hn.forecast, hn.forecast_target, hn.at_risk) == (None, approx(7.0), None)
    # DV: 0 of 0 has no value on any day.
    assert (dv.value, dv.forecast, dv.at_risk) == (None, None, None)

    # D1's place among P's districts: D1 67.78, D2 12.5 (A1, an agency, is not compared).
    assert result.group_size == 2
    assert (result.standing.unit.code, result.standing.rank, result.standing.score) == (
        "D1",
        1,
        67.78,
    )


def test_indicator_details_hold_milestones_and_the_series(scoring):
    units, indicators = scoring.units, scoring.indicators
    details = engine.indicator_details(
        scoring.campaign, [units["D1"]], DAY, "week", full_series=True
    )
    qh = details[units["D1"].id][indicators["QH"].id]
    assert qh.milestones == [(d(7, 4), approx(0.4))]
    # 21 days, 20/06–10/07; QH's week figure exists from 06/07 on (D1's 2/10).
    assert [day for day, _value in qh.series] == [
        date.fromordinal(START.toordinal() + n) for n in range(21)
    ]
    assert [value for _day, value in qh.series] == [None] * 16 + [approx(0.2)] * 5


# --- count indicators -----------------------------------------------------------------------


@pytest.fixture
def conferences(app_context):
    """HN, a count flow: D1's own target 30 conferences in the campaign, baseline 0."""
    return build(
        indicators=[("HN", {"kind": "count"})],
        targets={("D1", "HN"): 30},
        baselines={("D1", "HN"): (0, None)},
        figures={
            ("C11", "HN", d(6, 22)): (1, None),
            ("C11", "HN", d(7, 2)): (4, None),
            ("C11", "HN", d(7, 5)): (2, None),
            ("C12", "HN", d(7, 8)): (3, None),
            ("C12", "HN", d(7, 10)): (1, None),
        },
    )


@pytest.mark.parametrize(
    ("window", "figure", "target", "score", "grade"),
    [
        # 10/07: 1 conference; target 30 × 1 ÷ 30 = 1 → 100.
        ("day", 1, 1.0, 100.0, Band.EXCELLENT),
        # 04–10/07: 2 + 3 + 1 = 6; target 30 × 7 ÷ 30 = 7; 6/7 = 85.71 → "good".
        ("week", 6, 7.0, 85.71, Band.GOOD),
        # 01–10/07: 4 + 2 + 3 + 1 = 10; target 30 × 10 ÷ 30 = 10 → exactly met, 100.
        ("month", 10, 10.0, 100.0, Band.EXCELLENT),
        # 20/06–10/07: 1 + 10 = 11; target 30 × 21 ÷ 30 = 21; 11/21 = 52.38 → "average".
        ("campaign", 11, 21.0, 52.38, Band.AVERAGE),
    ],
)
def test_a_flow_count_target_is_prorated_to_the_window(
    conferences, window, figure, target, score, grade
):
    result = engine.unit_result(conferences.campaign, conferences.units["D1"], DAY, window)
    [hn] = result.indicators
    assert (hn.value, hn.scored.target) == (figure, approx(target))
    assert (result.score, result.band) == (score, grade)
    # The path runs from 0 (20/06) to 30 conferences (19/07): 30 × 20/29 = 20.69 on 10/07,
    # against the campaign to date, 11, whatever the window.
    assert hn.trajectory == approx(30 * 20 / 29)
    assert hn.on_track is False


def test_a_flow_count_forecast_of_the_campaign_to_date(conferences):
    result = engine.unit_result(conferences.campaign, conferences.units["D1"], DAY, "campaign")
    [hn] = result.indicators
    # Campaign to date on each of the last 14 days, x = 0 (27/06) … 13 (10/07):
    #   1 × 5 (27/06–01/07), 5 × 3 (02–04/07), 7 × 3 (05–07/07), 10 × 2 (08–09/07), 11.
    #   Σy = 5 + 15 + 21 + 20 + 11 = 72, mean 72/14; Σxy = 1·(0+1+2+3+4) + 5·(5+6+7)
    #   + 7·(8+9+10) + 10·(11+12) + 11·13 = 10 + 90 + 189 + 230 + 143 = 662;
    #   Σ(x − 6.5)·y = 662 − 6.5 × 72 = 194; Σ(x − 6.5)² = 227.5;
    #   on 19/07 (x = 22): 72/14 + 15.5 × 194/227.5 = 18.36 conferences, below 30.
    assert hn.forecast == approx(72 / 14 + 15.5 * 194 / 227.5)
    assert (hn.forecast_target, hn.at_risk) == (approx(30.0), True)


# --- the forecast ---------------------------------------------------------------------------

# C11's share of dossiers online, one value a day (x = 0 on 27/06 … 13 on 10/07), in %.
RECENT = [30, 34, 33, 37, 38, 38, 42, 41, 45, 46, 47, 50, 49, 53]


@pytest.fixture
def pace(app_context):
    figures = {("C11", "HS", d(6, 25)): (90, 100), ("C11", "HS", d(6, 26)): (95, 100)}
    figures.update(
        (("C11", "HS", date.fromordinal(d(6, 27).toordinal() + x)), (online, 100))
        for x, online in enumerate(RECENT)
    )
    figures.update({("C12", "HS", d(7, 9)): (40, 100), ("C12", "HS", d(7, 10)): (50, 100)})
    return build(indicators=[("HS", {})], targets={("P", "HS"): 0.8}, figures=figures)


def test_the_forecast_fits_a_line_through_the_last_14_days(pace):
    units, hs = pace.units, pace.indicators["HS"].id
    details = engine.indicator_details(pace.campaign, [units["C11"], units["C12"]], DAY, "day")
    c11 = details[units["C11"].id][hs]
    # Only the last 14 values count: 0.90 and 0.95 of 25–26/06 are too old.
    #   Σy = 583 (%), mean 41.642857; Σxy = 4163; Σ(x − 6.5)·y = 4163 − 6.5 × 583 = 373.5;
    #   Σ(x − 6.5)² = 227.5; slope 1.6418 points a day; on 19/07 (x = 22):
    #   41.642857 + 15.5 × 373.5/227.5 = 67.09% < 80%: at risk.
    assert c11.value == approx(0.53)
    assert c11.forecast == approx((583 / 14 + 15.5 * 373.5 / 227.5) / 100)
    assert (c11.forecast_target, c11.at_risk) == (0.8, True)
    # Two values are not enough for a line.
    c12 = details[units["C12"].id][hs]
    assert (c12.value, c12.forecast, c12.at_risk) == (approx(0.5), None, None)


# --- ranks, movement, peer groups -----------------------------------------------------------

RANKED_TREE = (
    ("P", "Tỉnh Thử", "province", None),
    ("A1", "Sở Nội vụ", "agency", "P"),
    ("B1", "Ban Quản lý", "board", "P"),  # no indicator applies to a board
    ("D1", "Huyện Một", "district", "P"),
    ("C11", "Xã Một Một", "commune", "D1"),
    ("C12", "Xã Một Hai", "commune", "D1"),
    ("C13", "Xã Một Ba", "commune", "D1"),
    ("C14", "Xã Một Bốn", "commune", "D1"),
    ("C15", "Xã Một Năm", "commune", "D1"),
    ("D2", "Huyện Hai", "district", "P"),
    ("C21", "Xã Hai Một", "commune", "D2"),
)


@pytest.fixture
def ranked(app_context):
    """HS, a ratio flow of communes with target 0.5 (set on P); SO, a count of agencies.
    Ranked by the day's figure: 0.5 or more scores 100."""
    built = build(
        tree=RANKED_TREE,
        indicators=[
            ("HS", {"unit_kinds": ["commune"]}),
            ("SO", {"kind": "count", "unit_kinds": ["agency"]}),
        ],
        targets={("P", "HS"): 0.5},
        figures={
            # 03/07 (seven days before): C12 leads, the others have nothing.
            ("C12", "HS", d(7, 3)): (5, 10),
            # 09/07 (the day before): C14 ahead of C11 and C12.
            ("C14", "HS", d(7, 9)): (5, 10),
            ("C11", "HS", d(7, 9)): (4, 10),
            ("C12", "HS", d(7, 9)): (3, 10),
            # 10/07: C11 overtakes C14; C12 and C13 tie.
            ("C11", "HS", d(7, 10)): (5, 10),
            ("C12", "HS", d(7, 10)): (4, 10),
            ("C13", "HS", d(7, 10)): (2, 5),
            ("C14", "HS", d(7, 10)): (3, 10),
            ("C21", "HS", d(7, 10)): (9, 10),
        },
    )
    db.session.add_all(
        [
            PeerGroup(
                campaign_id=built.campaign.id,
                code="XA",
                name="Tất cả xã",
                root_unit_id=built.units["P"].id,
                kind="commune",
            ),
            PeerGroup(
                campaign_id=built.campaign.id,
                code="XD2",
                name="Các xã huyện Hai",
                root_unit_id=built.units["D2"].id,
                kind="commune",
            ),
        ]
    )
    db.session.commit()
    return built


def summary(standings, days=None):
    return [
        (
            s.unit.code,
            s.score,
            s.rank,
            *((s.movement(days), s.score_change(days)) if days else ()),
        )
        for s in standings
    ]


def test_ranks_ties_and_units_without_figures(ranked):
    group = engine.group_of(ranked.campaign, ranked.units["C11"])
    assert (group.kind, group.parent.code, group.code) == ("commune", "D1", None)

    standings = engine.rank_group(ranked.campaign, group, DAY, "day")

    # 10/07: C11 5/10 = 0.5 → 100; C12 4/10 and C13 2/5 = 0.4 → 80 each, rank 2 both;
    # C14 3/10 → 60, rank 4; C15 reported nothing → 0, rank 5, missing.
    assert summary(standings) == [
        ("C11", 100.0, 1),
        ("C12", 80.0, 2),
        ("C13", 80.0, 2),
        ("C14", 60.0, 4),
        ("C15", 0.0, 5),
    ]
    assert [s.band for s in standings] == [
        Band.EXCELLENT,
        Band.GOOD,  # 80 is "good" from 80 on
        Band.GOOD,
        Band.AVERAGE,
        Band.WEAK,
    ]
    assert [s.missing for s in standings] == [False, False, False, False, True]
    c15 = standings[-1].result.of(ranked.indicators["HS"].id)
    assert (c15.status, c15.capped_achievement) == (Status.NOT_REPORTED, 0.0)

    # The same through unit_result: C13's place and its group's size.
    result = engine.unit_result(ranked.campaign, ranked.units["C13"], DAY, "day")
    assert (result.standing.rank, result.group_size, result.score) == (2, 5, 80.0)


def test_movement_and_score_change_against_one_and_seven_days_before(ranked):
    group = engine.group_of(ranked.campaign, ranked.units["C11"])
    standings = engine.rank_group(ranked.campaign, group, DAY, "day")

    # 09/07: C14 100 (1), C11 80 (2), C12 60 (3), C13 and C15 nothing, 0 (4, 4).
    assert {s.unit.code: s.earlier_ranks[1] for s in standings} == {
        "C11": 2,
        "C12": 3,
        "C13": 4,
        "C14": 1,
        "C15": 4,
    }
    # Movement = rank before − rank now; score change = now − before.
    assert summary(standings, 1) == [
        ("C11", 100.0, 1, 1, 20.0),  # overtakes C14
        ("C12", 80.0, 2, 1, 20.0),
        ("C13", 80.0, 2, 2, 80.0),
        ("C14", 60.0, 4, -3, -40.0),
        ("C15", 0.0, 5, -1, 0.0),
    ]
    # 03/07: C12 100 (1), everyone else 0 (2).
    assert {s.unit.code: s.earlier_results[7].score for s in standings} == {
        "C11": 0.0,
        "C12": 100.0,
        "C13": 0.0,
        "C14": 0.0,
        "C15": 0.0,
    }
    assert summary(standings, 7) == [
        ("C11", 100.0, 1, 1, 100.0),
        ("C12", 80.0, 2, -1, -20.0),
        ("C13", 80.0, 2, 0, 80.0),
        ("C14", 60.0, 4, -2, 60.0),
        ("C15", 0.0, 5, -3, 0.0),
    ]


def test_no_movement_before_the_campaign_has_those_days(ranked):
    group = engine.group_of(ranked.campaign, ranked.units["C11"])
    # 22/06: the day before exists, seven days before does not.
    standings = engine.rank_group(ranked.campaign, group, d(6, 22), "day")
    assert all(s.earlier_ranks[7] is None and s.movement(7) is None for s in standings)
    assert all(s.earlier_ranks[1] == 1 and s.movement(1) == 0 for s in standings)


def test_default_groups_one_per_kind_that_an_indicator_applies_to(ranked):
    campaign, units = ranked.campaign, ranked.units
    # P's children: A1 (agency, SO applies), B1 (board: nothing applies), D1 and D2
    # (districts: HS applies to their communes).
    groups = engine.default_groups(campaign, units["P"])
    assert [(g.kind, g.parent.code, g.code) for g in groups] == [
        ("agency", "P", None),
        ("district", "P", None),
    ]
    assert [[m.code for m in g.members()] for g in groups] == [["A1"], ["D1", "D2"]]
    [communes] = engine.default_groups(campaign, units["D1"])
    assert [m.code for m in communes.members()] == ["C11", "C12", "C13", "C14", "C15"]
    assert engine.default_groups(campaign, units["C11"]) == []
    # The owner has no group of its own.
    assert engine.group_of(campaign, units["P"]) is None

    # A1 has no target for SO: nothing counts, so no score, no band and no rank.
    [a1] = engine.rank_group(campaign, groups[0], DAY, "day")
    assert (a1.unit.code, a1.score, a1.band, a1.rank, a1.movement(1)) == (
        "A1",
        None,
        None,
        None,
        None,
    )
    # Districts on 10/07: D1 = 5/10 + 4/10 + 2/5 + 3/10 = 14/35 = 0.4 → 80;
    # D2 = C21 9/10 → 100.
    districts = engine.rank_group(campaign, groups[1], DAY, "day")
    assert summary(districts) == [("D2", 100.0, 1), ("D1", 80.0, 2)]


@pytest.mark.parametrize(
    ("good_from", "grade"),
    [(79.99, Band.GOOD), (80.0, Band.GOOD), (80.01, Band.FAIR)],
)
def test_bands_follow_the_campaigns_own_limits(ranked, good_from, grade):
    # C12 scores 80 on 10/07 (4/10 against 0.5).
    ranked.campaign.band_good = good_from
    db.session.flush()
    result = engine.unit_result(ranked.campaign, ranked.units["C12"], DAY, "day")
    assert (result.score, result.band, result.standing.band) == (80.0, grade, grade)


def test_a_campaigns_own_peer_group(ranked):
    campaign, units = ranked.campaign, ranked.units
    assert [g.code for g in engine.campaign_groups(campaign, units["P"])] == ["XA", "XD2"]
    assert [g.code for g in engine.campaign_groups(campaign, units["D2"])] == ["XD2"]
    assert engine.campaign_groups(campaign, units["D1"]) == []

    every_commune = engine.campaign_groups(campaign, units["P"])[0]
    assert (every_commune.kind, every_commune.parent.code) == ("commune", "P")
    assert [m.code for m in every_commune.members()] == [
        "C11",
        "C12",
        "C13",
        "C14",
        "C15",
        "C21",
    ]
    standings = engine.rank_group(campaign, every_commune, DAY, "day")
    # C21's 9/10 (0.9, capped at 100) ties with C11 for the first place.
    # 09/07: C14 100 (1), C11 80 (2), C12 60 (3), C13, C15 and C21 0 (4).
    assert summary(standings, 1) == [
        ("C11", 100.0, 1, 1, 20.0),
        ("C21", 100.0, 1, 3, 100.0),
        ("C12", 80.0, 3, 0, 20.0),
        ("C13", 80.0, 3, 1, 80.0),
        ("C14", 60.0, 5, -4, -40.0),
        ("C15", 0.0, 6, -2, 0.0),
    ]
    # C21 alone in D2's group: rank 1 of 1.
    [c21] = engine.rank_group(
        campaign, engine.campaign_groups(campaign, units["D2"])[0], DAY, "day"
    )
    assert (c21.unit.code, c21.rank, c21.score) == ("C21", 1, 100.0)


# --- the series against window_totals --------------------------------------------------------


@pytest.fixture
def series(app_context):
    """Flows and stocks, ratios and counts, entered by districts and communes on scattered
    days, with stock levels that go down."""
    built = build(
        indicators=[
            ("HS", {}),
            ("DV", {"measure": "stock"}),
            ("TK", {"kind": "count", "measure": "stock", "unit_kinds": ["commune"]}),
            ("HN", {"kind": "count"}),
        ],
        figures={
            ("D1", "HS", d(6, 20)): (3, 5),
            ("C11", "HS", d(6, 24)): (2, 4),
            ("C11", "HS", d(6, 30)): (5, 9),
            ("C11", "HS", d(7, 1)): (1, 3),
            ("C11", "HS", d(7, 7)): (4, 4),
            ("C12", "HS", d(7, 1)): (2, 2),
            ("C12", "HS", d(7, 12)): (6, 7),
            ("C21", "HS", d(6, 26)): (1, 1),
            ("C21", "HS", d(7, 6)): (0, 3),
            ("C11", "DV", d(6, 21)): (10, 40),
            ("C11", "DV", d(6, 29)): (15, 40),
            ("C12", "DV", d(7, 2)): (5, 20),
            ("D1", "DV", d(6, 25)): (3, 3),
            ("C21", "DV", d(7, 10)): (7, 10),
            ("C11", "TK", d(6, 23)): (5, None),
            ("C11", "TK", d(7, 3)): (8, None),
            ("C12", "TK", d(6, 20)): (2, None),
            ("C21", "TK", d(6, 27)): (4, None),
            ("C11", "HN", d(6, 22)): (1, None),
            ("C11", "HN", d(7, 1)): (2, None),
            ("C11", "HN", d(7, 12)): (1, None),
            ("D2", "HN", d(7, 4)): (3, None),
            ("C21", "HN", d(7, 8)): (2, None),
        },
    )
    enter_lower_levels(
        built.campaign,
        {("C11", "DV", d(7, 5)): (12, 38), ("C12", "TK", d(7, 11)): (1, None)},
    )
    db.session.commit()
    return built


@pytest.mark.parametrize("window", WINDOWS)
def test_the_series_agrees_with_window_totals_day_by_day(series, window):
    campaign, units = series.campaign, series.units
    day = d(7, 12)
    chosen = [units[code] for code in ("P", "D1", "C11", "C12", "D2")]
    rules = engine.indicator_rules(campaign)
    days = [date.fromordinal(START.toordinal() + n) for n in range((day - START).days + 1)]

    details = engine.indicator_details(campaign, chosen, day, window, full_series=True)
    totals = queries.window_totals(
        rules,
        [unit.id for unit in chosen],
        [engine.period_of(campaign, window, when) for when in days],
        START,
    )

    compared = 0
    for unit in chosen:
        for rule in rules:
            expected = []
            for index, when in enumerate(days):
                value = value_of(totals.get((unit.id, rule.id, index), Totals()), rule.is_ratio)
                expected.append((when, None if value is None else approx(value)))
            # TK applies to C11 and C12, and below P, D1 and D2: every unit has all four.
            assert details[unit.id][rule.id].series == expected, (unit.code, rule.code)
            compared += 1
    assert compared == 5 * 4


def test_the_series_by_hand_on_the_last_day(series):
    campaign, units, indicators = series.campaign, series.units, series.indicators
    details = engine.indicator_details(
        campaign, [units["D1"], units["D2"]], d(7, 12), "week", full_series=True
    )
    d1, d2 = details[units["D1"].id], details[units["D2"].id]
    # DV on 12/07: C11's lower 12/38 (05/07), C12 5/20, D1 3/3 → 20/61, in any window.
    assert d1[indicators["DV"].id].value == approx(20 / 61)
    # TK on 12/07: C11 8 + C12's lowered 1 = 9; on 10/07 it was 8 + 2 = 10.
    tk = dict(d1[indicators["TK"].id].series)
    assert (tk[d(7, 12)], tk[d(7, 10)]) == (9.0, 10.0)
    # HS, week 06/07–12/07: C11 4/4 + C12 6/7 = 10/11.
    assert d1[indicators["HS"].id].value == approx(10 / 11)
    # HN, week 06/07–12/07 of D2: C21 2 (08/07); D2's own 3 of 04/07 is before.
    assert d2[indicators["HN"].id].value == 2.0
