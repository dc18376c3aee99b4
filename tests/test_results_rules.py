"""The scoring and ranking rules of targets.results.rules (DESIGN §4–§5), on plain data.

Every expected value is worked out by hand in the test, the arithmetic in a comment beside it.
The campaign is Bình Phước's 92 days: 01/06/2022–31/08/2022 (30 + 31 + 31 days).
"""

from datetime import date, timedelta

import pytest

from targets.results.rules import (
    CAMPAIGN,
    DAY,
    MONTH,
    NO_TOTALS,
    WEEK,
    Band,
    BandLimits,
    IndicatorRule,
    Period,
    Running,
    Status,
    Totals,
    achievement,
    band,
    capped,
    competition_ranks,
    forecast,
    group_limit,
    is_at_risk,
    is_on_track,
    movement,
    round_score,
    score_change,
    score_unit,
    trajectory_value,
    value_of,
    window_figures,
    window_period,
    window_target,
)

START, END = date(2022, 6, 1), date(2022, 8, 31)
CAMPAIGN_DAYS = 92

RATIO = IndicatorRule(1, "HS_TRUC_TUYEN", "ratio", "flow")
RATIO_LOWER = IndicatorRule(2, "QUA_HAN", "ratio", "flow", direction="lower")
FLOW_COUNT = IndicatorRule(3, "HOI_NGHI", "count", "flow")
STOCK_COUNT = IndicatorRule(4, "TAI_KHOAN", "count", "stock")
COUNT_LOWER = IndicatorRule(5, "HS_TRE_HAN", "count", "flow", direction="lower")
STOCK_RATIO = IndicatorRule(6, "DVC_PHAT_SINH", "ratio", "stock")


def d(month: int, day: int) -> date:
    return date(2022, month, day)


# --- windows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "day", "start", "end", "days"),
    [
        (DAY, d(6, 15), d(6, 15), d(6, 15), 1),
        (WEEK, d(6, 15), d(6, 9), d(6, 15), 7),  # 15 − 6 = 9
        (WEEK, d(7, 3), d(6, 27), d(7, 3), 7),  # across the month boundary: 27..30 + 1..3
        (WEEK, d(6, 8), d(6, 2), d(6, 8), 7),
        (WEEK, d(6, 7), d(6, 1), d(6, 7), 7),  # 7 − 6 = 1: the first full week
        (WEEK, d(6, 6), d(6, 1), d(6, 6), 6),  # would start 31/05: clipped to the first day
        (WEEK, d(6, 3), d(6, 1), d(6, 3), 3),
        (WEEK, START, START, START, 1),
        (MONTH, d(7, 15), d(7, 1), d(7, 15), 15),
        (MONTH, d(7, 1), d(7, 1), d(7, 1), 1),  # a month's first day is a window of one day
        (MONTH, d(6, 30), d(6, 1), d(6, 30), 30),
        (MONTH, d(8, 31), d(8, 1), d(8, 31), 31),
        (CAMPAIGN, START, START, START, 1),
        (CAMPAIGN, d(7, 15), START, d(7, 15), 45),  # 30 days of June + 15
        (CAMPAIGN, END, START, END, 92),
        # a day before the campaign: its first day
        (DAY, d(5, 31), START, START, 1),
        (WEEK, d(5, 31), START, START, 1),
        (MONTH, d(5, 31), START, START, 1),
        (CAMPAIGN, d(5, 31), START, START, 1),
        # a day after it: its last day
        (DAY, d(9, 1), END, END, 1),
        (WEEK, d(9, 1), d(8, 25), END, 7),  # 31 − 6 = 25
        (MONTH, d(9, 1), d(8, 1), END, 31),
        (CAMPAIGN, d(9, 1), START, END, 92),
    ],
)
def test_window_period(window, day, start, end, days):
    period = window_period(window, day, START, END)
    assert period == Period(start, end)
    assert period.days == days


def test_a_month_window_starts_no_earlier_than_a_mid_month_campaign():
    # The campaign starts on 15/06: June's window on 20/06 is 15..20, 6 days.
    period = window_period(MONTH, d(6, 20), d(6, 15), d(9, 12))
    assert period == Period(d(6, 15), d(6, 20))
    assert period.days == 6


def test_an_unknown_window_is_refused():
    with pytest.raises(ValueError, match="year"):
        window_period("year", d(7, 1), START, END)


# --- an indicator's value and target ---------------------------------------------------------


@pytest.mark.parametrize(
    ("totals", "is_ratio", "expected"),
    [
        (Totals(45, 60, 3, True), True, 0.75),  # 45 ÷ 60
        (Totals(54786, 64103, 1, True), True, 54786 / 64103),  # Nam Định: 85,5%
        (Totals(12, None, 2, True), False, 12.0),  # a count is its numerator
        (Totals(0, None, 1, True), False, 0.0),  # reported 0 is a value, not nothing
        (Totals(0, 0, 1, True), True, None),  # 0 dossiers: no rate
        (Totals(5, None, 1, True), True, None),  # a ratio without denominator
        (Totals(5, 10, 0, False), True, None),  # nothing reported
        (Totals(5, None, 0, False), False, None),
        (NO_TOTALS, False, None),
    ],
)
def test_value_of(totals, is_ratio, expected):
    assert value_of(totals, is_ratio) == expected


WEEK_PERIOD = Period(d(7, 9), d(7, 15))  # 7 days
JUNE_PERIOD = Period(d(6, 1), d(6, 30))  # 30 days


@pytest.mark.parametrize(
    ("target", "indicator", "period", "expected"),
    [
        (0.5, RATIO, WEEK_PERIOD, 0.5),  # a rate is a rate whatever the window
        (0.5, STOCK_RATIO, WEEK_PERIOD, 0.5),
        (2212, STOCK_COUNT, WEEK_PERIOD, 2212),  # a level: the target as it is
        (92, FLOW_COUNT, WEEK_PERIOD, 7),  # 92 × 7 ÷ 92
        (46, FLOW_COUNT, JUNE_PERIOD, 15),  # 46 × 30 ÷ 92
        (12, FLOW_COUNT, Period(START, END), 12),  # 12 × 92 ÷ 92: the whole campaign
        (12, FLOW_COUNT, Period(d(7, 1), d(7, 1)), 12 / 92),  # one day: 12 × 1 ÷ 92
        (None, FLOW_COUNT, WEEK_PERIOD, None),
        (None, RATIO, WEEK_PERIOD, None),
    ],
)
def test_window_target(target, indicator, period, expected):
    assert window_target(target, indicator, period, CAMPAIGN_DAYS) == pytest.approx(expected)


# --- achievement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "indicator", "expected"),
    [
        # higher is better: actual ÷ target, uncapped
        (0.4, 0.5, RATIO, 0.8),  # 0,4 ÷ 0,5
        (0.5, 0.5, RATIO, 1.0),
        (0.6, 0.5, RATIO, 1.2),  # shown as 120%; the score caps it
        (30, 40, FLOW_COUNT, 0.75),  # 30 ÷ 40
        (45, 40, STOCK_COUNT, 1.125),  # 45 ÷ 40
        (0, 0, FLOW_COUNT, 1.0),  # a target of 0 is met by anything
        (5, 0, FLOW_COUNT, 1.0),
        # lower-is-better ratio: (1 − a) ÷ (1 − t)
        (0.4, 0.2, RATIO_LOWER, 0.75),  # 0,6 ÷ 0,8
        (0.2, 0.2, RATIO_LOWER, 1.0),  # 0,8 ÷ 0,8
        (0.1, 0.2, RATIO_LOWER, 1.125),  # 0,9 ÷ 0,8
        (0.029, 0.0, RATIO_LOWER, 0.971),  # overdue 2,9%, target 0%: 0,971 ÷ 1
        (1.0, 0.2, RATIO_LOWER, 0.0),  # everything overdue: 0 ÷ 0,8
        (1.2, 0.2, RATIO_LOWER, 0.0),  # −0,2 ÷ 0,8 = −0,25: clipped at 0
        (1.0, 1.0, RATIO_LOWER, 1.0),  # t = 1 is always met
        (0.3, 1.0, RATIO_LOWER, 1.0),
        # lower-is-better count: target ÷ actual
        (5, 4, COUNT_LOWER, 0.8),  # 4 ÷ 5
        (4, 4, COUNT_LOWER, 1.0),
        (2, 4, COUNT_LOWER, 2.0),  # 4 ÷ 2
        (0, 4, COUNT_LOWER, 1.0),  # nothing late
        (5, 0, COUNT_LOWER, 0.0),  # 0 ÷ 5
    ],
)
def test_achievement(value, target, indicator, expected):
    assert achievement(value, target, indicator) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "expected"), [(1.2, 1.0), (1.0, 1.0), (0.999, 0.999), (0.0, 0.0), (-0.25, 0.0)]
)
def test_capped(raw, expected):
    assert capped(raw) == expected


# --- a unit's score -------------------------------------------------------------------------

# Weights 2, 1, 1 and 1.
ONLINE = IndicatorRule(11, "HS_TRUC_TUYEN", "ratio", "flow", weight=2)
DIGITISED = IndicatorRule(12, "SO_HOA", "ratio", "flow")
CONFERENCES = IndicatorRule(13, "HOI_NGHI", "count", "flow")
ACCOUNTS = IndicatorRule(14, "TAI_KHOAN", "count", "stock")

ONLINE_FIGURES = Totals(40, 100, 3, True)  # 40%, target 50%: 0,8
DIGITISED_FIGURES = Totals(30, 50, 2, True)  # 60%, target 50%: 1,2, counted 1
CONFERENCE_FIGURES = Totals(3, None, 1, True)  # 3 of 6: 0,5
TARGETS = {ONLINE.id: 0.5, DIGITISED.id: 0.5, CONFERENCES.id: 6, ACCOUNTS.id: 400}


def test_the_score_weighs_capped_achievements():
    result = score_unit(
        [ONLINE, DIGITISED, CONFERENCES],
        {
            ONLINE.id: ONLINE_FIGURES,
            DIGITISED.id: DIGITISED_FIGURES,
            CONFERENCES.id: CONFERENCE_FIGURES,
        },
        TARGETS,
    )
    # 100 × (2 × 0,8 + 1 × 1 + 1 × 0,5) ÷ 4 = 100 × 3,1 ÷ 4
    assert result.score == 77.5
    assert not result.missing
    online, digitised, conferences = result.indicators
    assert online.status is Status.SCORED
    assert online.value == pytest.approx(0.4)
    assert online.target == 0.5
    assert online.achievement == pytest.approx(0.8)
    assert online.weight_share == 0.5  # 2 ÷ 4
    assert online.contribution == pytest.approx(40)  # 100 × 0,5 × 0,8
    assert digitised.achievement == pytest.approx(1.2)  # uncapped, as shown
    assert digitised.capped_achievement == 1.0
    assert digitised.contribution == pytest.approx(25)  # 100 × 0,25 × 1
    assert conferences.contribution == pytest.approx(12.5)  # 100 × 0,25 × 0,5
    # 40 + 25 + 12,5
    assert sum(item.contribution for item in result.indicators) == pytest.approx(77.5)
    assert result.of(CONFERENCES.id) is conferences
    assert result.of(999) is None


@pytest.mark.parametrize(
    ("digitised_figures", "digitised_target", "status", "value"),
    [
        (Totals(0, 0, 1, True), 0.5, Status.ZERO_DENOMINATOR, None),  # 0 dossiers processed
        (DIGITISED_FIGURES, None, Status.NO_TARGET, 0.6),  # figures, nothing to compare
        (NO_TOTALS, None, Status.NO_TARGET, None),
    ],
)
def test_an_indicator_left_out_renormalises_the_weights(
    digitised_figures, digitised_target, status, value
):
    result = score_unit(
        [ONLINE, DIGITISED, CONFERENCES],
        {
            ONLINE.id: ONLINE_FIGURES,
            DIGITISED.id: digitised_figures,
            CONFERENCES.id: CONFERENCE_FIGURES,
        },
        {**TARGETS, DIGITISED.id: digitised_target},
    )
    # 100 × (2 × 0,8 + 1 × 0,5) ÷ (2 + 1) = 100 × 2,1 ÷ 3
    assert result.score == 70.0
    online, digitised, conferences = result.indicators
    assert digitised.status is status
    assert digitised.value == pytest.approx(value)
    assert digitised.achievement is None
    assert digitised.capped_achievement is None
    assert not digitised.counted
    assert (digitised.weight_share, digitised.contribution) == (0.0, 0.0)
    assert online.weight_share == pytest.approx(2 / 3)
    assert online.contribution == pytest.approx(160 / 3)  # 100 × 2/3 × 0,8 = 53,33
    assert conferences.contribution == pytest.approx(50 / 3)  # 100 × 1/3 × 0,5 = 16,67
    assert online.contribution + conferences.contribution == pytest.approx(70)


def test_a_flow_not_reported_counts_zero():
    result = score_unit(
        [ONLINE, DIGITISED, CONFERENCES],
        {ONLINE.id: ONLINE_FIGURES, DIGITISED.id: DIGITISED_FIGURES},
        TARGETS,
    )
    # 100 × (2 × 0,8 + 1 × 1 + 1 × 0) ÷ 4 = 100 × 2,6 ÷ 4
    assert result.score == 65.0
    conferences = result.of(CONFERENCES.id)
    assert conferences.status is Status.NOT_REPORTED
    assert conferences.counted
    assert conferences.totals == NO_TOTALS
    assert (conferences.value, conferences.achievement) == (None, None)
    assert conferences.capped_achievement == 0.0
    assert conferences.weight_share == 0.25  # 1 ÷ 4
    assert conferences.contribution == 0.0
    assert not result.missing


def test_nothing_reported_scores_zero_and_is_missing():
    result = score_unit([ONLINE, CONFERENCES], {}, TARGETS)
    assert result.score == 0.0  # every indicator counts 0: 100 × 0 ÷ 3
    assert result.missing


def test_a_stock_level_is_carried_forward():
    # 300 accounts registered before the window, none entered inside it: 300 ÷ 400 = 0,75.
    result = score_unit(
        [ONLINE, ACCOUNTS],
        {ONLINE.id: Totals(40, 100, 2, True), ACCOUNTS.id: Totals(300, None, 0, True)},
        TARGETS,
    )
    # 100 × (2 × 0,8 + 1 × 0,75) ÷ 3 = 235 ÷ 3 = 78,333…
    assert result.score == 78.33
    assert result.of(ACCOUNTS.id).status is Status.SCORED
    assert result.of(ACCOUNTS.id).achievement == pytest.approx(0.75)
    assert not result.missing


@pytest.mark.parametrize(("stock_entries", "missing"), [(0, True), (1, False), (2, False)])
def test_missing_means_no_entry_inside_the_window_even_with_a_level_carried(stock_entries, missing):
    result = score_unit(
        [ONLINE, ACCOUNTS], {ACCOUNTS.id: Totals(300, None, stock_entries, True)}, TARGETS
    )
    # online not reported: 0; accounts 300 ÷ 400 = 0,75: 100 × (2 × 0 + 1 × 0,75) ÷ 3 = 25
    assert result.score == 25.0
    assert result.missing is missing


def test_with_every_indicator_left_out_there_is_no_score():
    result = score_unit(
        [ONLINE, DIGITISED],
        {ONLINE.id: ONLINE_FIGURES, DIGITISED.id: Totals(0, 0, 1, True)},
        {ONLINE.id: None, DIGITISED.id: 0.5},
    )
    assert result.score is None
    assert band(result.score) is None
    assert [item.status for item in result.indicators] == [
        Status.NO_TARGET,
        Status.ZERO_DENOMINATOR,
    ]
    assert [item.weight_share for item in result.indicators] == [0.0, 0.0]
    assert not result.missing


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (66.665, 66.67),  # the half goes up (banker's rounding would give 66,66)
        (66.66499, 66.66),
        (66.675, 66.68),
        (0.125, 0.13),  # banker's: 0,12
        (200 / 3, 66.67),  # 66,666…
        (100 / 3, 33.33),  # 33,333…
        (100.0, 100.0),
        (-2.345, -2.35),  # a fall rounds like a rise
    ],
)
def test_round_score(raw, expected):
    assert round_score(raw) == expected


@pytest.mark.parametrize(
    ("done", "target", "expected"),
    [
        (66665, 100000, 66.67),  # 100 × 0,66665 = 66,665 → 66,67
        (66664, 100000, 66.66),  # 66,664
        (2, 3, 66.67),  # 100 × 2 ÷ 3 = 66,666…
        (1, 3, 33.33),
        (1, 8, 12.5),  # 12,5
    ],
)
def test_a_score_is_rounded_half_up_to_two_decimals(done, target, expected):
    result = score_unit(
        [CONFERENCES], {CONFERENCES.id: Totals(done, None, 1, True)}, {CONFERENCES.id: target}
    )
    assert result.score == expected


def test_two_of_three_equal_indicators_met_score_66_67():
    first, second, third = (IndicatorRule(id_, f"I{id_}", "count", "flow") for id_ in (1, 2, 3))
    figures = Totals(10, None, 1, True)
    result = score_unit(
        [first, second, third],
        {first.id: figures, second.id: figures},
        {first.id: 10, second.id: 5, third.id: 10},
    )
    # 100 × (1 + 1 + 0) ÷ 3 = 66,666…
    assert result.score == 66.67


# --- bands, ranks, movement -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (100.0, Band.EXCELLENT),
        (90.0, Band.EXCELLENT),
        (89.99, Band.GOOD),
        (80.0, Band.GOOD),
        (79.99, Band.FAIR),
        (70.0, Band.FAIR),
        (69.99, Band.AVERAGE),
        (50.0, Band.AVERAGE),
        (49.99, Band.WEAK),
        (0.0, Band.WEAK),
        (None, None),
    ],
)
def test_default_bands(score, expected):
    assert band(score) is expected


CUSTOM = BandLimits(excellent=95, good=85, fair=75, average=60)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (95.0, Band.EXCELLENT),
        (94.99, Band.GOOD),
        (90.0, Band.GOOD),  # excellent by default, not here
        (85.0, Band.GOOD),
        (84.99, Band.FAIR),
        (75.0, Band.FAIR),
        (74.99, Band.AVERAGE),
        (60.0, Band.AVERAGE),
        (59.99, Band.WEAK),
        (50.0, Band.WEAK),
    ],
)
def test_custom_bands(score, expected):
    assert band(score, CUSTOM) is expected


@pytest.mark.parametrize(
    ("scores", "ranks"),
    [
        ({"a": 90.0, "b": 80.0, "c": 80.0, "d": 70.0}, {"a": 1, "b": 2, "c": 2, "d": 4}),
        ({"d": 70.0, "c": 80.0, "a": 90.0, "b": 80.0}, {"a": 1, "b": 2, "c": 2, "d": 4}),
        ({"a": 80.0, "b": 80.0, "c": 70.0}, {"a": 1, "b": 1, "c": 3}),
        ({"a": 55.5, "b": 55.5, "c": 55.5}, {"a": 1, "b": 1, "c": 1}),
        ({"a": None, "b": 50.0, "c": 60.0}, {"a": None, "b": 2, "c": 1}),  # no place taken
        ({"a": None}, {"a": None}),
        ({}, {}),
    ],
)
def test_competition_ranks(scores, ranks):
    assert competition_ranks(scores) == ranks


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [(3, 5, 2), (5, 3, -2), (2, 2, 0), (None, 2, None), (2, None, None), (None, None, None)],
)
def test_movement(now, before, expected):
    assert movement(now, before) == expected


@pytest.mark.parametrize(
    ("now", "before", "expected"),
    [
        (72.5, 70.25, 2.25),
        (70.25, 72.5, -2.25),
        (80.1, 70.05, 10.05),  # 10,049999… in binary: still 10,05
        (66.67, 66.67, 0.0),
        (None, 70.0, None),
        (70.0, None, None),
    ],
)
def test_score_change(now, before, expected):
    assert score_change(now, before) == expected


@pytest.mark.parametrize(
    ("size", "wanted", "expected"),
    [
        (0, 3, 0),
        (1, 3, 0),  # a group of one is not compared
        (2, 3, 1),  # 2 // 3 = 0, at least 1
        (3, 3, 1),
        (4, 3, 1),  # 4 districts: top 1, bottom 1
        (5, 3, 1),
        (6, 3, 2),  # a third of 6
        (8, 3, 2),
        (9, 3, 3),
        (11, 3, 3),  # 11 districts: top 3, bottom 3
        (12, 3, 3),  # a third is 4, but N = 3
        (30, 5, 5),
        (30, 1, 1),
        (2, 1, 1),
        (1, 1, 0),
    ],
)
def test_group_limit(size, wanted, expected):
    assert group_limit(size, wanted) == expected


# --- trajectory -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(5, 20), 10),  # before the first day: the baseline
        (START, 10),
        (d(7, 1), 40),  # 30 days of 91: 10 + 91 × 30 ÷ 91
        (d(7, 16), 55),  # 45 days: 10 + 45
        (END, 101),
        (d(9, 5), 101),  # after the last day: the target
    ],
)
def test_trajectory_runs_straight_from_baseline_to_target(day, expected):
    value = trajectory_value(day, start=START, end=END, baseline=10, target=101)
    assert value == pytest.approx(expected)


def test_a_ratio_trajectory_on_a_mid_campaign_day():
    value = trajectory_value(d(7, 16), start=START, end=END, baseline=0.216, target=0.97)
    # 0,216 + (0,97 − 0,216) × 45 ÷ 91 = 0,216 + 33,93 ÷ 91 = 0,216 + 0,372857… = 0,588857…
    assert value == pytest.approx(0.588857, abs=1e-6)


MILESTONES = [(d(6, 30), 58), (d(7, 31), 120)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(5, 20), 0),
        (d(6, 15), 28),  # 0 + 58 × 14 ÷ 29
        (d(6, 30), 58),
        (d(7, 11), 80),  # 58 + 62 × 11 ÷ 31
        (d(7, 31), 120),
        (d(8, 15), 150),  # 120 + 62 × 15 ÷ 31
        (END, 182),
        (d(9, 5), 182),
    ],
)
def test_trajectory_runs_through_the_milestones(day, expected):
    value = trajectory_value(
        day, start=START, end=END, baseline=0, target=182, milestones=MILESTONES
    )
    assert value == pytest.approx(expected)


@pytest.mark.parametrize(("day", "expected"), [(d(6, 10), 58), (d(7, 31), 120)])
def test_without_baseline_the_path_starts_at_the_first_milestone(day, expected):
    # Flat before 30/06, then 58 + (182 − 58) × 31 ÷ 62 = 120 on 31/07.
    value = trajectory_value(
        day, start=START, end=END, baseline=None, target=182, milestones=MILESTONES[:1]
    )
    assert value == pytest.approx(expected)


@pytest.mark.parametrize("day", [d(5, 1), START, d(7, 15), END, d(9, 30)])
def test_without_baseline_nor_milestones_the_trajectory_is_the_target(day):
    assert trajectory_value(day, start=START, end=END, baseline=None, target=0.5) == 0.5


def test_without_anything_there_is_no_trajectory():
    assert trajectory_value(d(7, 1), start=START, end=END, baseline=None, target=None) is None


def test_without_a_target_a_baseline_and_milestones_give_no_trajectory():
    # Nothing to head for: staying at the baseline must not read as "on track".
    value = trajectory_value(
        d(7, 1), start=START, end=END, baseline=10, target=None, milestones=MILESTONES
    )
    assert value is None


def test_milestones_outside_the_campaign_are_ignored():
    value = trajectory_value(
        d(7, 1),
        start=START,
        end=END,
        baseline=10,
        target=101,
        milestones=[(d(5, 15), 999), (d(9, 10), 999)],
    )
    assert value == pytest.approx(40)  # as without them: 10 + 30


@pytest.mark.parametrize(
    ("value", "trajectory", "indicator", "expected"),
    [
        (0.5, 0.5, RATIO, True),
        (0.3, 0.1 + 0.2, RATIO, True),  # 0,30000000000000004 in binary: still equal
        (0.49, 0.5, RATIO, False),
        (0.51, 0.5, RATIO, True),
        (0.05, 0.05, RATIO_LOWER, True),
        (0.051, 0.05, RATIO_LOWER, False),
        (0.049, 0.05, RATIO_LOWER, True),
        (40, 40, FLOW_COUNT, True),
        (39, 40, FLOW_COUNT, False),
        (None, 0.5, RATIO, None),
        (0.5, None, RATIO, None),
    ],
)
def test_is_on_track(value, trajectory, indicator, expected):
    assert is_on_track(value, trajectory, indicator) is expected


# --- forecast -------------------------------------------------------------------------------

FIRST = d(7, 1)


def series(*values):
    """(day, value) from 01/07 on, one day apart: x = 0, 1, 2, …"""
    return [(FIRST + timedelta(days=x), value) for x, value in enumerate(values)]


def on(x: int) -> date:
    return FIRST + timedelta(days=x)


@pytest.mark.parametrize(
    ("points", "until", "is_ratio", "expected"),
    [
        # x 0, 1, 2; y 10, 12, 17: x̄ 1, ȳ 13, Σ(x−x̄)² = 2, Σ(x−x̄)(y−ȳ) = 3 + 0 + 4 = 7,
        # slope 3,5; at x = 10: 13 + 3,5 × 9 = 44,5
        (series(10, 12, 17), 10, False, 44.5),
        (list(reversed(series(10, 12, 17))), 10, False, 44.5),  # order does not matter
        # x 0, 1, 3, 4 (no value on day 2); y 2, 4, 5, 9: x̄ 2, ȳ 5, Σ(x−x̄)² = 4+1+1+4 = 10,
        # Σ(x−x̄)(y−ȳ) = 6 + 1 + 0 + 8 = 15, slope 1,5; at x = 10: 5 + 1,5 × 8 = 17
        (series(2, 4, None, 5, 9), 10, False, 17.0),
        # ratios: 0,40, 0,45, 0,50: slope 0,05; at x = 4: 0,45 + 0,05 × 3 = 0,60
        (series(0.40, 0.45, 0.50), 4, True, 0.60),
        (series(0.5, 0.7, 0.9), 10, True, 1.0),  # 0,7 + 0,2 × 9 = 2,5: at most 1
        (series(0.5, 0.7, 0.9), 10, False, 2.5),  # a count is not capped
        (series(0.5, 0.3, 0.1), 10, True, 0.0),  # 0,3 − 0,2 × 9 = −1,5: at least 0
        (series(30, 20, 10), 10, False, 0.0),  # 20 − 10 × 9 = −70: at least 0
        (series(10, 20, 30), 10, False, 110.0),  # 20 + 10 × 9
        (series(5, 5, 5), 30, False, 5.0),  # flat
    ],
)
def test_forecast_least_squares(points, until, is_ratio, expected):
    assert forecast(points, on(until), is_ratio=is_ratio) == pytest.approx(expected)


@pytest.mark.parametrize(
    "points",
    [[], series(7), series(7, 9), series(7, None, None, 9, None), series(None, None, None)],
)
def test_no_forecast_from_fewer_than_three_values(points):
    assert forecast(points, on(30), is_ratio=False) is None


def test_the_forecast_follows_only_the_last_fourteen_values():
    # x 0..5 at 100 (a bad start), then x 6..19 on the line y = 2 (x − 6).
    points = series(*([100] * 6 + [2 * k for k in range(14)]))
    # The last 14 lie on the line exactly: at x = 29, 2 × (29 − 6) = 46.
    assert forecast(points, on(29), is_ratio=False) == pytest.approx(46)


def test_the_forecast_looks_back_fourteen_days_not_fourteen_values():
    # Values on x 0..9, then only x 12 and 19. The last 14 days are x 6..19: six points,
    # x 6, 7, 8, 9, 12, 19, all on y = x.
    values = [float(x) for x in range(10)] + [None] * 10
    values[12], values[19] = 12.0, 19.0
    # At x = 29: 29.
    assert forecast(series(*values), on(29), is_ratio=False) == pytest.approx(29)
    # x 0, 1, 2 and 16: the last 14 days (x 3..16) hold one value, so no forecast, although
    # the last four values would give one.
    gap = [1.0, 2.0, 3.0] + [None] * 13 + [4.0]
    assert forecast(series(*gap), on(29), is_ratio=False) is None


@pytest.mark.parametrize(
    ("projected", "target", "indicator", "expected"),
    [
        (0.45, 0.5, RATIO, True),
        (0.5, 0.5, RATIO, False),
        (0.55, 0.5, RATIO, False),
        (0.06, 0.05, RATIO_LOWER, True),
        (0.05, 0.05, RATIO_LOWER, False),
        (0.04, 0.05, RATIO_LOWER, False),
        (11, 12, FLOW_COUNT, True),
        (12, 12, FLOW_COUNT, False),
        (None, 0.5, RATIO, None),
        (0.5, None, RATIO, None),
    ],
)
def test_is_at_risk(projected, target, indicator, expected):
    assert is_at_risk(projected, target, indicator) is expected


# --- a window's figures from running figures ------------------------------------------------
# Running figures are what a subtree added up from the campaign's first day to a day (sums for
# a flow, the latest levels for a stock); a window reads its last day and the day before its
# first.


@pytest.mark.parametrize(
    ("at_end", "before_start", "expected"),
    [
        # Dossiers online / received: 17/28 by the window's last day (8 entries), 6/11 the day
        # before it began (4 entries): 17 − 6 = 11 online of 28 − 11 = 17, 8 − 4 = 4 entries.
        (Running(17, 28, 8, 2), Running(6, 11, 4, 2), Totals(11, 17, 4, True)),
        # The window starts on the campaign's first day: nothing before it.
        (Running(17, 28, 8, 2), None, Totals(17, 28, 8, True)),
        # Nothing entered inside the window: 0 of 0, and nothing reported.
        (Running(6, 11, 4, 2), Running(6, 11, 4, 2), Totals(0, 0, 0, False)),
        # No figure at all yet.
        (None, None, Totals(0, None, 0, False)),
        # A count (no denominator): 25 conferences so far, 12 before: 13 in the window.
        (Running(25, None, 9, 3), Running(12, None, 5, 3), Totals(13, None, 4, True)),
    ],
)
def test_a_flow_window_is_what_was_added_inside_it(at_end, before_start, expected):
    assert window_figures(at_end, before_start, is_flow=True) == expected


@pytest.mark.parametrize(
    ("at_end", "before_start", "expected"),
    [
        # Accounts registered: the levels add up to 210 on the last day (5 entries so far),
        # 130 before the window (2 entries): the level is 210, 3 entries inside the window.
        (Running(210, None, 5, 2), Running(130, None, 2, 1), Totals(210, None, 3, True)),
        # Nothing entered inside the window: the level is carried, 0 entries.
        (Running(210, None, 5, 2), Running(210, None, 5, 2), Totals(210, None, 0, True)),
        # A stock ratio adds up both levels: services with an online dossier / offered.
        (Running(55, 120, 3, 1), None, Totals(55, 120, 3, True)),
        # No level yet.
        (None, None, Totals(0, None, 0, False)),
    ],
)
def test_a_stock_window_is_the_level_on_its_last_day(at_end, before_start, expected):
    assert window_figures(at_end, before_start, is_flow=False) == expected


def test_a_flow_window_without_entries_has_no_value():
    figures = window_figures(Running(6, 11, 4, 2), Running(6, 11, 4, 2), is_flow=True)
    assert value_of(figures, is_ratio=True) is None
