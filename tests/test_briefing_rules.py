"""Praise and criticism of targets.briefings.rules (DESIGN §5), on plain data.

Every reason is held to its threshold: it fires at the threshold and not just on the other
side. Expected values are worked out by hand in the test, the arithmetic in a comment beside
it. Unit ids are small numbers; a group's ranks are written out as the ranking gives them
(equal scores share a rank: 1, 2, 2, 4).
"""

from itertools import pairwise

import pytest

from targets.briefings.rules import (
    Discipline,
    IndicatorFigures,
    Item,
    PeerGroup,
    Ranked,
    Reason,
    Section,
    Settings,
    praise_and_criticism,
)

DEFAULT = Settings()  # DESIGN §5: N = 3, ±10 points, half the target, 3 days of 7
# A campaign's own parameters, each away from its default (3, 10, 0.5, 3).
CUSTOM = Settings(top_n=2, decline_points=5, below_target_share=0.6, missing_days_limit=4)


def ranked_group(key: str, scores: list[float | None], ranks: list[int | None] | None = None):
    """Units 1, 2, 3 … with these scores; without `ranks`, the scores fall strictly and the
    ranks are 1, 2, 3 …"""
    if ranks is None:
        assert all(a > b for a, b in pairwise(scores))
        ranks = list(range(1, len(scores) + 1))
    return PeerGroup(
        key,
        tuple(
            Ranked(unit_id, rank, score, None)
            for unit_id, (score, rank) in enumerate(zip(scores, ranks, strict=True), start=1)
        ),
    )


def alone(
    score: float | None = 80.0,
    before: float | None = None,
    indicators: tuple[IndicatorFigures, ...] = (),
) -> list[PeerGroup]:
    """One unit in a group of its own: never compared, so only its own reasons can fire."""
    return [PeerGroup("solo", (Ranked(1, 1, score, before, indicators),))]


def figure(code="HS_TRUC_TUYEN", *, achievement, value=None, target=None, reported=True, **rest):
    return IndicatorFigures(code, value, target, achievement, reported, **rest)


def items(groups=(), discipline=(), overdue=None, settings=DEFAULT) -> list[Item]:
    return praise_and_criticism(list(groups), list(discipline), overdue or {}, settings)


def units(found: list[Item], reason: Reason) -> list[int]:
    return [item.unit_id for item in found if item.reason == reason]


def only(found: list[Item], reason: Reason) -> Item:
    (item,) = [item for item in found if item.reason == reason]
    return item


ELEVEN = [95.0, 90.0, 85.0, 80.0, 75.0, 70.0, 65.0, 60.0, 55.0, 50.0, 45.0]


# --- nothing to say ------------------------------------------------------------------------


def test_nothing_fires_on_an_empty_input():
    assert praise_and_criticism([], [], {}) == []
    assert items([PeerGroup("empty", ())]) == []


def test_nothing_fires_on_a_quiet_day():
    # score 80 → 80 (change 0), one indicator at 80% of its target (neither met nor below
    # half), reported today, 0 bad days, no overdue task, alone in its group.
    quiet = alone(80.0, 80.0, (figure(achievement=0.8, value=0.4, target=0.5),))
    assert items(quiet, [Discipline(1, False, 0)], {1: []}) == []


# --- top and bottom of a peer group ---------------------------------------------------------


def test_top_three_and_bottom_three_of_eleven():
    # N = min(3, max(1, 11 // 3 = 3)) = 3 on each end.
    found = items([ranked_group("huyen", ELEVEN)])
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3]
    assert units(found, Reason.BOTTOM_OF_GROUP) == [11, 10, 9]  # the lowest first


def test_top_and_bottom_carry_rank_size_score_and_group():
    found = items([ranked_group("huyen", ELEVEN)])
    assert found[0] == Item(
        Section.PRAISE,
        Reason.TOP_OF_GROUP,
        1,
        {"group": "huyen", "rank": 1, "size": 11, "score": 95.0},
    )
    assert found[3] == Item(
        Section.CRITICISM,
        Reason.BOTTOM_OF_GROUP,
        11,
        {"group": "huyen", "rank": 11, "size": 11, "score": 45.0},
    )


@pytest.mark.parametrize(
    ("size", "named"),
    [
        (2, 1),  # 2 // 3 = 0, at least 1
        (4, 1),  # 4 // 3 = 1: one district praised, one criticised
        (5, 1),  # 5 // 3 = 1
        (6, 2),  # 6 // 3 = 2: the first size with two on each end
        (8, 2),  # 8 // 3 = 2
        (9, 3),  # 9 // 3 = 3
        (12, 3),  # 12 // 3 = 4, but N = 3
    ],
)
def test_how_many_are_named_at_each_end(size, named):
    scores = [90.0 - 5 * n for n in range(size)]
    found = items([ranked_group("g", scores)])
    assert units(found, Reason.TOP_OF_GROUP) == list(range(1, named + 1))
    assert units(found, Reason.BOTTOM_OF_GROUP) == list(range(size, size - named, -1))


def test_a_group_of_one_is_not_compared():
    # 100 is not praised as top, 20 not criticised as bottom: a group of one names no one.
    assert items(alone(100.0)) == []
    assert items(alone(20.0)) == []


def test_the_campaign_chooses_n():
    # top_n = 2: min(2, 11 // 3 = 3) = 2; bottom_n stays 3.
    found = items([ranked_group("huyen", ELEVEN)], settings=CUSTOM)
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2]
    assert units(found, Reason.BOTTOM_OF_GROUP) == [11, 10, 9]
    found = items([ranked_group("huyen", ELEVEN)], settings=Settings(bottom_n=1))
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3]
    assert units(found, Reason.BOTTOM_OF_GROUP) == [11]


def test_a_tie_on_the_top_boundary_shares_the_place():
    # ranks 1, 2, 3, 3: both units in third place are in the top 3.
    scores = [95.0, 90.0, 85.0, 85.0, 80.0, 75.0, 70.0, 65.0, 60.0, 55.0, 50.0]
    ranks = [1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11]
    found = items([ranked_group("huyen", scores, ranks)])
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3, 4]
    assert [item.facts["rank"] for item in found if item.reason == Reason.TOP_OF_GROUP] == [
        1,
        2,
        3,
        3,
    ]


def test_a_tie_before_the_top_boundary_keeps_the_next_rank_out():
    # ranks 1, 2, 2, 4: three units fill the top 3; the fourth, ranked 4, is not praised.
    scores = [95.0, 90.0, 90.0, 85.0, 80.0, 75.0, 70.0, 65.0, 60.0, 55.0, 50.0]
    ranks = [1, 2, 2, 4, 5, 6, 7, 8, 9, 10, 11]
    found = items([ranked_group("huyen", scores, ranks)])
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3]


def test_a_tie_on_the_bottom_boundary_shares_the_place():
    # From the bottom: 45 is last (1), 50 second (2), the two 55s share the third place (3).
    scores = [95.0, 90.0, 85.0, 80.0, 75.0, 70.0, 65.0, 55.0, 55.0, 50.0, 45.0]
    ranks = [1, 2, 3, 4, 5, 6, 7, 8, 8, 10, 11]
    found = items([ranked_group("huyen", scores, ranks)])
    assert units(found, Reason.BOTTOM_OF_GROUP) == [11, 10, 8, 9]
    assert [item.facts["rank"] for item in found if item.reason == Reason.BOTTOM_OF_GROUP] == [
        11,
        10,
        8,
        8,
    ]


def test_a_tie_before_the_bottom_boundary_keeps_the_next_unit_out():
    # From the bottom: 45 (1), the two 50s (2, 2), then 55 is fourth: not criticised.
    scores = [95.0, 90.0, 85.0, 80.0, 75.0, 70.0, 65.0, 60.0, 55.0, 50.0, 50.0, 45.0]
    ranks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 12]
    found = items([ranked_group("huyen", scores, ranks)])
    assert units(found, Reason.BOTTOM_OF_GROUP) == [12, 10, 11]


def test_a_unit_at_the_top_is_not_also_at_the_bottom():
    # Three units tied at 50 share rank 1 (top, N = 1) and the last place (bottom, N = 1):
    # they are praised, not criticised.
    found = items([ranked_group("xa", [50.0, 50.0, 50.0], [1, 1, 1])])
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3]
    assert units(found, Reason.BOTTOM_OF_GROUP) == []


def test_the_top_needs_a_score_above_zero():
    # 0,01 > 0: praised; the three at 0 share the last place.
    found = items([ranked_group("xa", [0.01, 0.0, 0.0, 0.0], [1, 2, 2, 2])])
    assert units(found, Reason.TOP_OF_GROUP) == [1]
    assert units(found, Reason.BOTTOM_OF_GROUP) == [2, 3, 4]
    # All four at 0 share rank 1 but a score of 0 is never praised; all share the last place.
    found = items([ranked_group("xa", [0.0, 0.0, 0.0, 0.0], [1, 1, 1, 1])])
    assert units(found, Reason.TOP_OF_GROUP) == []
    assert units(found, Reason.BOTTOM_OF_GROUP) == [1, 2, 3, 4]


def test_a_score_of_100_is_never_criticised():
    # 99,99 < 100 at the bottom: criticised.
    found = items([ranked_group("xa", [100.0, 100.0, 100.0, 99.99], [1, 1, 1, 4])])
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3]
    assert units(found, Reason.BOTTOM_OF_GROUP) == [4]
    # Everyone at 100: all share the top, no one is at the bottom.
    found = items([ranked_group("xa", [100.0, 100.0, 100.0, 100.0], [1, 1, 1, 1])])
    assert units(found, Reason.TOP_OF_GROUP) == [1, 2, 3, 4]
    assert units(found, Reason.BOTTOM_OF_GROUP) == []


def test_a_unit_without_a_score_is_counted_in_the_group_but_not_named():
    # 4 rows, as the ranking shows them: N = 1; the unscored unit has no rank.
    found = items([ranked_group("xa", [80.0, 60.0, 40.0, None], [1, 2, 3, None])])
    assert units(found, Reason.TOP_OF_GROUP) == [1]
    assert units(found, Reason.BOTTOM_OF_GROUP) == [3]
    assert only(found, Reason.BOTTOM_OF_GROUP).facts["size"] == 4


def test_a_unit_in_two_groups_gets_one_line_per_reason():
    # Unit 1 tops both groups (A: 1 of 4; B: 1 of 5) and unit 4 is last in both; unit 1 went
    # from 75 to 90 (+15). One line each, with the figures of the first group (the unit's
    # default group, which the briefing lists before the campaign's own groups).
    group_a = PeerGroup(
        "A",
        (
            Ranked(1, 1, 90.0, 75.0),
            Ranked(2, 2, 70.0, None),
            Ranked(3, 3, 50.0, None),
            Ranked(4, 4, 30.0, None),
        ),
    )
    group_b = PeerGroup(
        "B",
        (
            Ranked(1, 1, 90.0, 75.0),
            Ranked(5, 2, 60.0, None),
            Ranked(6, 3, 40.0, None),
            Ranked(7, 4, 35.0, None),
            Ranked(4, 5, 30.0, None),
        ),
    )
    found = items([group_a, group_b])
    assert [(item.reason, item.unit_id, item.facts) for item in found] == [
        (Reason.TOP_OF_GROUP, 1, {"group": "A", "rank": 1, "size": 4, "score": 90.0}),
        (Reason.MOST_IMPROVED, 1, {"change": 15.0, "score": 90.0, "before": 75.0}),
        (Reason.BOTTOM_OF_GROUP, 4, {"group": "A", "rank": 4, "size": 4, "score": 30.0}),
    ]


def test_units_of_several_groups_come_group_by_group():
    # Group A's top (unit 1) before group B's (unit 11); bottoms likewise.
    group_a = PeerGroup("A", (Ranked(1, 1, 90.0, None), Ranked(2, 2, 10.0, None)))
    group_b = PeerGroup("B", (Ranked(11, 1, 95.0, None), Ranked(12, 2, 5.0, None)))
    found = items([group_a, group_b])
    assert [(item.reason, item.unit_id) for item in found] == [
        (Reason.TOP_OF_GROUP, 1),
        (Reason.TOP_OF_GROUP, 11),
        (Reason.BOTTOM_OF_GROUP, 2),
        (Reason.BOTTOM_OF_GROUP, 12),
    ]


# --- every target met -----------------------------------------------------------------------


def test_every_target_met():
    # 50% of 50% (achievement 1 exactly) and 14 of 12 conferences (14 ÷ 12 = 1,1667).
    met = (
        figure(achievement=1.0, value=0.5, target=0.5),
        figure("HOI_NGHI", achievement=14 / 12, value=14, target=12, is_ratio=False),
    )
    found = items(alone(100.0, indicators=met))
    assert found == [
        Item(Section.PRAISE, Reason.ALL_TARGETS_MET, 1, {"indicators": 2, "score": 100.0})
    ]


def test_a_target_just_missed_is_not_every_target_met():
    # 49,99% of 50%: 0,4999 ÷ 0,5 = 0,9998.
    nearly = (
        figure(achievement=0.9998, value=0.4999, target=0.5),
        figure("HOI_NGHI", achievement=14 / 12, value=14, target=12, is_ratio=False),
    )
    assert units(items(alone(99.99, indicators=nearly)), Reason.ALL_TARGETS_MET) == []


def test_a_lower_is_better_target_met_exactly():
    # Late dossiers 10% against a ceiling of 10%: (1 − 0,1) ÷ (1 − 0,1) = 1.
    late = figure("QUA_HAN", achievement=(1 - 0.1) / (1 - 0.1), value=0.1, target=0.1)
    assert units(items(alone(100.0, indicators=(late,))), Reason.ALL_TARGETS_MET) == [1]


def test_an_unreported_indicator_with_a_target_withholds_the_praise():
    # The engine gives an unreported indicator no achievement; the one reported is met.
    found = items(
        alone(
            50.0,
            indicators=(
                figure(achievement=1.0, value=0.5, target=0.5),
                figure("HOI_NGHI", achievement=None, target=12, reported=False, is_ratio=False),
            ),
        )
    )
    assert units(found, Reason.ALL_TARGETS_MET) == []


def test_indicators_without_a_target_or_dossiers_are_left_out_of_every_target_met():
    # Zero dossiers (reported, no value) and no target (not reported) do not count: one
    # indicator with a target, met.
    found = items(
        alone(
            100.0,
            indicators=(
                figure(achievement=1.0, value=0.5, target=0.5),
                figure("DVC_PHAT_SINH", achievement=None, value=None, target=0.3),
                figure("TAI_KHOAN", achievement=None, target=None, reported=False),
            ),
        )
    )
    assert only(found, Reason.ALL_TARGETS_MET).facts == {"indicators": 1, "score": 100.0}


def test_no_indicator_with_a_target_is_not_every_target_met():
    assert items(alone(None, indicators=())) == []
    no_target = figure(achievement=None, value=0.5, target=None)
    assert items(alone(None, indicators=(no_target,))) == []


# --- score change over 7 days ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "now", "improved"),
    [
        (60.0, 70.0, True),  # +10,00
        (62.35, 72.35, True),  # +10,00 after rounding (72,35 − 62,35 = 9,999999… in floats)
        (60.0, 70.01, True),  # +10,01
        (60.0, 69.99, False),  # +9,99
        (None, 90.0, False),  # no score 7 days before
        (60.0, None, False),  # no score today
    ],
)
def test_most_improved_from_ten_points(before, now, improved):
    found = items(alone(now, before))
    assert units(found, Reason.MOST_IMPROVED) == ([1] if improved else [])
    assert units(found, Reason.SCORE_DROP) == []


def test_most_improved_carries_change_before_and_score():
    # 62,35 → 72,35: +10,00.
    found = items(alone(72.35, 62.35))
    assert found == [
        Item(
            Section.PRAISE,
            Reason.MOST_IMPROVED,
            1,
            {"change": 10.0, "score": 72.35, "before": 62.35},
        )
    ]


def test_the_campaign_chooses_the_improvement():
    # improvement_points = 15: +15,00 praised, +14,99 not.
    settings = Settings(improvement_points=15)
    assert units(items(alone(75.0, 60.0), settings=settings), Reason.MOST_IMPROVED) == [1]
    assert units(items(alone(74.99, 60.0), settings=settings), Reason.MOST_IMPROVED) == []


@pytest.mark.parametrize(
    ("before", "now", "dropped"),
    [
        (60.0, 50.0, True),  # −10,00
        (60.0, 49.99, True),  # −10,01
        (60.0, 50.01, False),  # −9,99
        (None, 10.0, False),
    ],
)
def test_score_drop_from_ten_points(before, now, dropped):
    found = items(alone(now, before))
    assert units(found, Reason.SCORE_DROP) == ([1] if dropped else [])
    assert units(found, Reason.MOST_IMPROVED) == []


def test_score_drop_carries_change_before_and_score():
    # 60 → 50: −10,00.
    found = items(alone(50.0, 60.0))
    assert found == [
        Item(
            Section.CRITICISM,
            Reason.SCORE_DROP,
            1,
            {"change": -10.0, "score": 50.0, "before": 60.0},
        )
    ]


def test_the_campaign_chooses_the_decline():
    # decline_points = 5: −5,00 criticised, −4,99 not; the default 10 would spare −5,00.
    assert units(items(alone(55.0, 60.0), settings=CUSTOM), Reason.SCORE_DROP) == [1]
    assert units(items(alone(55.01, 60.0), settings=CUSTOM), Reason.SCORE_DROP) == []
    assert units(items(alone(55.0, 60.0)), Reason.SCORE_DROP) == []


# --- below half of a target -----------------------------------------------------------------


def below_half(*figures: IndicatorFigures, settings: Settings = DEFAULT) -> list[str]:
    found = items(alone(40.0, indicators=figures), settings=settings)
    return [
        indicator["code"]
        for item in found
        if item.reason == Reason.BELOW_HALF_TARGET
        for indicator in item.facts["indicators"]
    ]


def test_below_half_of_a_higher_is_better_target():
    # 24,995% against 50%: 0,24995 ÷ 0,5 = 0,4999 (49,99% of the target): below half.
    assert below_half(figure(achievement=0.4999, value=0.24995, target=0.5)) == ["HS_TRUC_TUYEN"]
    # 25% against 50%: 0,25 ÷ 0,5 = 0,5 (50,00%): not below half.
    assert below_half(figure(achievement=0.5, value=0.25, target=0.5)) == []


def test_below_half_of_a_lower_is_better_ratio():
    # Late dossiers against a ceiling of 10%: achievement (1 − actual) ÷ (1 − 0,1).
    # 55%: 0,45 ÷ 0,9 = 0,5 (0,49999999999999994 in floats): not below half.
    at_half = figure("QUA_HAN", achievement=(1 - 0.55) / (1 - 0.1), value=0.55, target=0.1)
    assert below_half(at_half) == []
    # 55,01%: 0,4499 ÷ 0,9 = 0,49989: below half.
    past_half = figure("QUA_HAN", achievement=(1 - 0.5501) / (1 - 0.1), value=0.5501, target=0.1)
    assert below_half(past_half) == ["QUA_HAN"]


def test_below_half_of_a_lower_is_better_count():
    # At most 5 late dossiers: achievement 5 ÷ actual. 10 late: 0,5, not below; 11: 0,4545.
    at_half = figure("HS_TRE_HAN", achievement=5 / 10, value=10, target=5, is_ratio=False)
    past_half = figure("HS_TRE_HAN", achievement=5 / 11, value=11, target=5, is_ratio=False)
    assert below_half(at_half) == []
    assert below_half(past_half) == ["HS_TRE_HAN"]


def test_an_indicator_that_does_not_count_is_never_below_half():
    # No target, zero dossiers or nothing reported: no achievement, nothing to compare.
    assert (
        below_half(
            figure(achievement=None, value=0.0, target=None),
            figure("DVC_PHAT_SINH", achievement=None, value=None, target=0.3),
            figure("HOI_NGHI", achievement=None, target=12, reported=False, is_ratio=False),
        )
        == []
    )


def test_below_half_lists_each_indicator_below_with_its_figures():
    # Online 20% of 50% (0,4), 7 days before 23,1%; conferences 6 of 12 (0,5, not listed);
    # late dossiers 11 against at most 5 (5 ÷ 11 = 0,4545), 7 days before 9.
    found = items(
        alone(
            40.0,
            indicators=(
                figure(achievement=0.4, value=0.2, target=0.5, earlier_value=0.231),
                figure("HOI_NGHI", achievement=0.5, value=6, target=12, is_ratio=False),
                figure(
                    "HS_TRE_HAN",
                    achievement=5 / 11,
                    value=11,
                    target=5,
                    earlier_value=9,
                    is_ratio=False,
                ),
            ),
        )
    )
    assert found == [
        Item(
            Section.CRITICISM,
            Reason.BELOW_HALF_TARGET,
            1,
            {
                "indicators": [
                    {
                        "code": "HS_TRUC_TUYEN",
                        "value": 0.2,
                        "target": 0.5,
                        "before": 0.231,
                        "is_ratio": True,
                    },
                    {
                        "code": "HS_TRE_HAN",
                        "value": 11,
                        "target": 5,
                        "before": 9,
                        "is_ratio": False,
                    },
                ],
                "share": 0.5,
            },
        )
    ]


def test_the_campaign_chooses_the_share():
    # below_target_share = 0,6: 0,5999 below, 0,6 not; 0,55 is below 0,6 but not below 0,5.
    assert below_half(figure(achievement=0.5999), settings=CUSTOM) == ["HS_TRUC_TUYEN"]
    assert below_half(figure(achievement=0.6), settings=CUSTOM) == []
    assert below_half(figure(achievement=0.55), settings=CUSTOM) == ["HS_TRUC_TUYEN"]
    assert below_half(figure(achievement=0.55)) == []
    found = items(alone(40.0, indicators=(figure(achievement=0.55),)), settings=CUSTOM)
    assert only(found, Reason.BELOW_HALF_TARGET).facts["share"] == 0.6


# --- reporting discipline and tasks ---------------------------------------------------------


def test_missing_report_for_the_day():
    assert items(discipline=[Discipline(7, True, 1)]) == [
        Item(Section.CRITICISM, Reason.MISSING_REPORT, 7, {})
    ]
    assert items(discipline=[Discipline(7, False, 1)]) == []


@pytest.mark.parametrize(("bad_days", "fires"), [(2, False), (3, True), (7, True)])
def test_repeatedly_missing_from_three_days_of_seven(bad_days, fires):
    found = items(discipline=[Discipline(7, False, bad_days)])
    expected = Item(Section.CRITICISM, Reason.REPEATEDLY_MISSING, 7, {"days": bad_days, "of": 7})
    assert found == ([expected] if fires else [])


def test_the_campaign_chooses_the_missing_days():
    # missing_days_limit = 4: 4 of 7 criticised, 3 not.
    assert units(
        items(discipline=[Discipline(7, False, 4)], settings=CUSTOM), Reason.REPEATEDLY_MISSING
    ) == [7]
    assert items(discipline=[Discipline(7, False, 3)], settings=CUSTOM) == []


def test_missing_today_and_repeatedly_are_two_lines():
    found = items(discipline=[Discipline(7, True, 3)])
    assert [(item.reason, item.unit_id) for item in found] == [
        (Reason.MISSING_REPORT, 7),
        (Reason.REPEATEDLY_MISSING, 7),
    ]


def test_overdue_tasks_carry_their_titles():
    found = items(overdue={5: ["Báo cáo sơ kết tháng 7", "Rà soát thủ tục"], 6: []})
    assert found == [
        Item(
            Section.CRITICISM,
            Reason.OVERDUE_TASK,
            5,
            {"tasks": ["Báo cáo sơ kết tháng 7", "Rà soát thủ tục"]},
        )
    ]


# --- the order of the items -----------------------------------------------------------------


def test_praise_first_then_criticism_each_by_reason():
    # Group of 4 (N = 1). Unit 1: 85 → 100 (+15), its one indicator met: every target met,
    # top, most improved. Unit 4: 45 → 30 (−15), its indicator at 0,3: bottom, below half,
    # score drop; it entered nothing today and missed 3 of 7 days. Unit 3 has a task overdue.
    group = PeerGroup(
        "huyen",
        (
            Ranked(1, 1, 100.0, 85.0, (figure(achievement=1.0, value=0.5, target=0.5),)),
            Ranked(2, 2, 80.0, 80.0),
            Ranked(3, 3, 60.0, 60.0),
            Ranked(4, 4, 30.0, 45.0, (figure(achievement=0.3, value=0.15, target=0.5),)),
        ),
    )
    found = items([group], [Discipline(4, True, 3)], {3: ["Báo cáo sơ kết"]})
    assert [(item.section, item.reason, item.unit_id) for item in found] == [
        (Section.PRAISE, Reason.ALL_TARGETS_MET, 1),
        (Section.PRAISE, Reason.TOP_OF_GROUP, 1),
        (Section.PRAISE, Reason.MOST_IMPROVED, 1),
        (Section.CRITICISM, Reason.BOTTOM_OF_GROUP, 4),
        (Section.CRITICISM, Reason.BELOW_HALF_TARGET, 4),
        (Section.CRITICISM, Reason.MISSING_REPORT, 4),
        (Section.CRITICISM, Reason.REPEATEDLY_MISSING, 4),
        (Section.CRITICISM, Reason.SCORE_DROP, 4),
        (Section.CRITICISM, Reason.OVERDUE_TASK, 3),
    ]


def test_within_a_reason_units_keep_their_order():
    # Two units improved (+12 and +20), listed as the groups hand them in.
    group = PeerGroup("solo", (Ranked(9, 1, 72.0, 60.0),))
    other = PeerGroup("solo2", (Ranked(3, 1, 80.0, 60.0),))
    found = items([group, other], [Discipline(8, True, 0), Discipline(2, True, 0)])
    assert [(item.reason, item.unit_id) for item in found] == [
        (Reason.MOST_IMPROVED, 9),
        (Reason.MOST_IMPROVED, 3),
        (Reason.MISSING_REPORT, 8),
        (Reason.MISSING_REPORT, 2),
    ]
